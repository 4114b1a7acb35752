/**
 * Test harness: a peer-client child process in `chat --json` mode, its JSON event lines collected
 * and awaitable. Used by the integration tests only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadOrCreateIdentity } from '@ims/secure';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
// Spawned, never imported: an app may not import another app, but a test may run one.
const SERVER_MAIN = fileURLToPath(new URL('../../channel-server/src/main.ts', import.meta.url));

/** One JSON event line of the chat contract (loosely typed for assertions). */
export type EventLine = Record<string, unknown> & { event: string };

/** A running peer-client process. */
export interface PeerProcess {
  readonly id: string;
  readonly proc: ChildProcess;
  readonly events: EventLine[];
  /** Resolves with the first event (already received or future) matching `pred`; rejects after `ms`. */
  waitFor(pred: (e: EventLine) => boolean, what: string, ms?: number): Promise<EventLine>;
  /** Writes one line to stdin (a post). */
  post(text: string): void;
  /** Closes stdin (EOF = EXIT and quit). */
  end(): void;
  /** Resolves with the exit code (or signal name) when the process ends. */
  readonly exited: Promise<number | string>;
  /** stderr so far, for failure messages. */
  stderr(): string;
}

/** Spawns `peer-client --id id --nick n-id [...args]` with the given discovery port and interval. */
export function spawnPeer(id: string, args: readonly string[], net: { discoveryPort: number; intervalMs: number }): PeerProcess {
  const common = ['--id', id, '--discovery-port', String(net.discoveryPort), '--announce-interval', String(net.intervalMs), '--log-level', 'info'];
  return spawnNode(id, MAIN, [...common, '--nick', `n-${id}`, ...args], 'stdout');
}

/** The files of a secure network for tests (docs/security.md): its key file and a dir for identities. */
export interface SecureNet {
  readonly discoveryPort: number;
  readonly intervalMs: number;
  readonly keyFile: string;
  readonly dir: string;
}

/**
 * Spawns a secure-mode peer-client named `name` (its identity in `dir/name.key`, made here so the
 * test knows the peer ID beforehand); its `id` is that peer ID, its nick `n-name`.
 */
export function spawnSecurePeer(name: string, args: readonly string[], net: SecureNet): PeerProcess {
  const identityFile = join(net.dir, `${name}.key`);
  const { peerId } = loadOrCreateIdentity(identityFile);
  const common = ['--network-key-file', net.keyFile, '--identity-file', identityFile, '--discovery-port', String(net.discoveryPort), '--announce-interval', String(net.intervalMs), '--log-level', 'info'];
  return spawnNode(peerId, MAIN, [...common, '--nick', `n-${name}`, ...args], 'stdout');
}

/**
 * Spawns the dedicated channel server (apps/channel-server); its events are its JSON log lines on
 * stderr (`logLevel` `debug` adds one `host.conn_open` line per accepted connection).
 */
export function spawnServer(id: string, net: { discoveryPort: number; intervalMs: number }, logLevel: 'info' | 'debug' = 'info', extra: readonly string[] = []): PeerProcess {
  const common = ['--id', id, '--discovery-port', String(net.discoveryPort), '--announce-interval', String(net.intervalMs), '--log-level', logLevel];
  return spawnNode(id, SERVER_MAIN, [...common, ...extra], 'stderr');
}

function spawnNode(id: string, main: string, args: readonly string[], eventsFrom: 'stdout' | 'stderr'): PeerProcess {
  const proc = spawn(process.execPath, ['--conditions=@ims/source', '--import', 'tsx', main, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const events: EventLine[] = [];
  const waiters: { pred: (e: EventLine) => boolean; resolve: (e: EventLine) => void }[] = [];
  let err = '';
  proc.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
    if (err.length > 200_000) err = err.slice(-100_000);
  });
  createInterface({ input: (eventsFrom === 'stdout' ? proc.stdout : proc.stderr) as NodeJS.ReadableStream }).on('line', (line) => {
    let e: EventLine;
    try {
      e = JSON.parse(line) as EventLine;
    } catch {
      // The contract says every stdout line is JSON: record the violation for the test to see.
      e = { event: 'not-json', line };
    }
    events.push(e);
    for (const w of waiters.slice()) {
      if (w.pred(e)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(e);
      }
    }
  });
  const exited = new Promise<number | string>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  proc.stdin?.on('error', () => undefined);
  return {
    id,
    proc,
    events,
    exited,
    stderr: () => err,
    post: (text) => void proc.stdin?.write(text + '\n'),
    end: () => void proc.stdin?.end(),
    waitFor(pred, what, ms = 15_000) {
      const found = events.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = { pred, resolve };
        waiters.push(w);
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`${id}: no ${what} within ${ms} ms; events: ${JSON.stringify(events)}\nstderr tail: ${err.slice(-3000)}`));
        }, ms);
        timer.unref();
      });
    },
  };
}

/** A random discovery port per test, away from the real 55555 and the server range. */
export function randomDiscoveryPort(): number {
  return 20_000 + Math.floor(Math.random() * 20_000);
}

/** Kills every process still running (SIGKILL: tests never leave children behind). */
export function killAll(peers: readonly PeerProcess[]): Promise<unknown> {
  return Promise.all(
    peers.map((p) => {
      if (p.proc.exitCode === null && p.proc.signalCode === null) {
        p.proc.kill('SIGCONT');
        p.proc.kill('SIGKILL');
      }
      return p.exited;
    }),
  );
}

/** Posts (`say` or `history`) with this text that a peer has shown. */
export function shown(p: PeerProcess, text: string): EventLine[] {
  return p.events.filter((e) => (e.event === 'say' || e.event === 'history') && e['text'] === text);
}
