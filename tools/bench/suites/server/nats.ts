/**
 * Third target of the server benchmark: a real `nats-server` (Debian package) on loopback, driven by
 * a minimal NATS text-protocol client written out here on node:net, so the bench needs no npm
 * dependency. A channel maps to one subject; every member subscribes to it and posts by PUB.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { createInterface } from 'node:readline';
import type { LoadClient } from './load-client.js';
import type { Target } from './proc.js';

/** Debian installs the server in /usr/sbin, which an unprivileged PATH often lacks. */
const FALLBACKS = ['/usr/sbin/nats-server', '/usr/local/sbin/nats-server'];

/** A usable nats-server: its command and `--version` line. */
export interface NatsServer {
  readonly command: string;
  readonly version: string;
}

/** Find nats-server on PATH (or where Debian puts it); undefined when it is not installed. */
export function findNatsServer(): NatsServer | undefined {
  for (const command of ['nats-server', ...FALLBACKS.filter((p) => existsSync(p))]) {
    const r = spawnSync(command, ['--version'], { encoding: 'utf8' });
    if (!r.error && r.status === 0) return { command, version: `${r.stdout}${r.stderr}`.trim() };
  }
  return undefined;
}

/** A free TCP port on 127.0.0.1 (free when asked: the caller retries if another process takes it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A NATS subject for a channel name: `#` and other punctuation are not subject-safe, `.` splits tokens. */
export function subjectOf(channel: string): string {
  return `ims.${channel.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/**
 * Connect to NATS on `port`, subscribe to the channel's subject, and resolve once the server has
 * answered a PING sent after the SUB (so the subscription is in place). `say` publishes to it;
 * NATS echoes a connection's own publications to its own subscriptions by default, as ims does.
 */
export function joinNatsClient(port: number, channel: string, id: string): Promise<LoadClient> {
  const subject = subjectOf(channel);
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.setNoDelay(true);
    let buf: Buffer = Buffer.alloc(0);
    let ready = false;
    const client: LoadClient = {
      socket,
      id,
      says: 0,
      onSay: undefined,
      // Only MSG frames are counted (ims's frame count and ERROR reason have no NATS counterpart here).
      frames: 0,
      onFrame: undefined,
      lastError: undefined,
      say: (text) => void socket.write(`PUB ${subject} ${Buffer.byteLength(text, 'utf8')}\r\n${text}\r\n`),
      close: () => socket.destroy(),
    };
    socket.on('data', (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      let off = 0;
      for (;;) {
        const eol = buf.indexOf('\r\n', off);
        if (eol < 0) break;
        // The server sends operations in upper case. MSG is checked byte by byte, without allocating:
        // the load generator is the bottleneck of the fan-out runs, so its per-message cost must stay
        // as low as the ims client's (load-client.ts).
        if (buf[off] === 0x4d && buf[off + 1] === 0x53 && buf[off + 2] === 0x47 && buf[off + 3] === 0x20) {
          // MSG <subject> <sid> [reply-to] <#bytes>\r\n<payload>\r\n: the size is the last token.
          let size = 0;
          let scale = 1;
          for (let i = eol - 1; i > off && buf[i] !== 0x20; i--, scale *= 10) size += ((buf[i] as number) - 0x30) * scale;
          if (buf.length < eol + 2 + size + 2) break;
          client.says += 1;
          if (client.onSay) client.onSay(buf.toString('utf8', eol + 2, eol + 2 + size));
          off = eol + 2 + size + 2;
          continue;
        }
        const op = buf.toString('latin1', off, Math.min(eol, off + 4));
        if (op === 'PING') socket.write('PONG\r\n');
        else if (op === 'PONG' && !ready) {
          ready = true;
          resolve(client);
        } else if (op === '-ERR') {
          const err = new Error(`nats: ${buf.toString('utf8', off, eol)}`);
          socket.destroy();
          if (!ready) reject(err);
          return;
        }
        // INFO and +OK need no answer.
        off = eol + 2;
      }
      buf = buf.subarray(off);
    });
    socket.once('connect', () => {
      socket.write(`CONNECT {"verbose":false,"pedantic":false,"name":"${id}"}\r\nSUB ${subject} 1\r\nPING\r\n`);
    });
    socket.on('error', (err) => {
      if (!ready) reject(err);
    });
  });
}

/** Spawn `nats-server -a 127.0.0.1 -p port` once and wait for its ready line. */
function spawnOnce(nats: NatsServer, port: number, timeoutMs: number): Promise<Target> {
  // Only the client listener on loopback: no monitoring, cluster, gateway or leafnode ports.
  const child = spawn(nats.command, ['-a', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  // Whatever happens to this process, it must not outlive the bench.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  const log: string[] = [];
  return new Promise<Target>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`nats-server not ready within ${timeoutMs} ms:\n${log.join('\n')}`));
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nats-server exited with ${code} before it was ready:\n${log.join('\n')}`));
    });
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
      if (log.length < 200) log.push(line);
      if (/Server is ready/.test(line)) {
        clearTimeout(timer);
        resolve({ name: 'nats', port, httpPort: undefined, child, log, dial: joinNatsClient });
      }
    });
  });
}

/** Start nats-server on a free loopback port (a few tries: the port can be taken between probe and bind). */
export async function startNats(nats: NatsServer, timeoutMs = 20_000): Promise<Target> {
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await spawnOnce(nats, await freePort(), timeoutMs);
    } catch (err) {
      last = err;
    }
  }
  throw last instanceof Error ? last : new Error(String(last));
}
