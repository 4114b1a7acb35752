/**
 * Three discovery peers in separate processes on loopback multicast: they see each other, see a
 * nick change, shrug off a malformed flood, and report a SIGKILLed peer as maybeDisconnected and
 * then gone. Timing is checked in intervals counted from the kill, never as wall-clock speed.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ReplaySubject, filter, firstValueFrom, take, timeout, toArray, type Observable } from 'rxjs';
import { decodePdu } from '@ims/codec';
import { probeMulticast, udpPort, type DatagramPort } from '../src/index.js';

const INTERVAL = 1_000;
/**
 * Waits only fail. Under load a peer's own lag widens its liveness thresholds (local health,
 * docs/protocol.md §4.2), so a disconnect is rightly seen later: a CI box running other suites
 * beside this one needed more than 20 s.
 */
const WAIT_MS = 45_000;
/** Per test: several such waits in a row. */
const TEST_MS = 180_000;
const script = fileURLToPath(new URL('./discovery-peer.ts', import.meta.url));
const probe = await probeMulticast();

interface Line {
  readonly type: string;
  readonly kind?: string;
  readonly at?: number;
  readonly peerId?: string;
  readonly peer?: { readonly id: string };
  readonly nick?: string;
  readonly stats?: Record<string, number>;
}
interface Child {
  readonly id: string;
  readonly proc: ChildProcessWithoutNullStreams;
  readonly lines$: Observable<Line>;
  send(cmd: object): void;
}

const children: Child[] = [];
const ports: DatagramPort[] = [];

function start(id: string, udp: number): Child {
  const proc = spawn(process.execPath, ['--conditions=@ims/source', '--import', 'tsx', script, '--id', id, '--nick', `nick-${id}`, '--port', String(udp), '--interval', String(INTERVAL), '--rate', '100000'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // Replay everything: tests may subscribe after a line arrived.
  const lines = new ReplaySubject<Line>();
  createInterface({ input: proc.stdout }).on('line', (l) => lines.next(JSON.parse(l) as Line));
  proc.on('exit', () => lines.complete());
  proc.stderr.on('data', (b: Buffer) => process.stderr.write(`[${id}] ${b.toString()}`));
  const child = { id, proc, lines$: lines.asObservable(), send: (cmd: object) => proc.stdin.write(JSON.stringify(cmd) + '\n') };
  children.push(child);
  return child;
}

/** Lines received so far (the ReplaySubject hands them over synchronously). */
function linesSoFar(c: Child): Line[] {
  const out: Line[] = [];
  c.lines$.subscribe((l) => out.push(l)).unsubscribe();
  return out;
}
const first = (c: Child, pred: (l: Line) => boolean): Promise<Line> => firstValueFrom(c.lines$.pipe(filter(pred), timeout(WAIT_MS)));
/** Resolves once `port` has heard `n` more PDUs of `peerId`: enough regular gaps for receivers to learn its interval (docs/protocol.md §4). */
const pdusOf = (port: DatagramPort, peerId: string, n: number): Promise<unknown> =>
  firstValueFrom(
    port.messages$.pipe(
      filter((d) => {
        const r = decodePdu(d.data);
        return r.ok && r.value.peerId === peerId;
      }),
      take(n),
      toArray(),
      timeout(WAIT_MS),
    ),
  );
const about = (kind: string, peerId: string) => (l: Line) => l.type === 'event' && l.kind === kind && (l.peerId ?? l.peer?.id) === peerId;

describe('three discovery processes on loopback multicast', () => {
  afterEach(() => {
    for (const c of children.splice(0)) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    for (const p of ports.splice(0)) p.close();
  });

  it('see each other and a nick change, survive a malformed flood, and report a killed peer suspect then gone', async (ctx) => {
    if (!probe.ok) ctx.skip(probe.reason);
    const udp = 40_000 + Math.floor(Math.random() * 20_000);
    const [a, b, c] = ['peer-a', 'peer-b', 'peer-c'].map((id) => start(id, udp)) as [Child, Child, Child];
    await Promise.all([a, b, c].map((x) => first(x, (l) => l.type === 'ready')));

    // Everyone sees the two others.
    for (const x of [a, b, c]) {
      const others = [a, b, c].filter((y) => y !== x).map((y) => y.id);
      const seen = await firstValueFrom(x.lines$.pipe(filter((l) => l.type === 'event' && l.kind === 'appeared'), take(2), toArray(), timeout(WAIT_MS)));
      expect(seen.map((l) => l.peer?.id).sort()).toEqual(others);
    }

    // A malformed flood from a fourth socket on the group does not stop anyone listening.
    const flooder = await udpPort({ port: udp });
    ports.push(flooder);
    const learned = pdusOf(flooder, 'peer-c', 5);
    for (let i = 0; i < 2_000; i++) flooder.send(new Uint8Array([0x58, 0x59, i & 0xff])); // peer ID without its NUL

    a.send({ cmd: 'nick', nick: 'renamed' });
    for (const x of [b, c]) {
      const changed = await first(x, about('nickChanged', 'peer-a'));
      expect(changed.nick).toBe('renamed');
    }
    b.send({ cmd: 'stats' });
    const stats = await first(b, (l) => l.type === 'stats');
    expect(stats.stats?.malformed).toBeGreaterThan(0);

    // SIGKILL: no goodbye, only silence.
    // On a loaded 2-core machine a live peer may be suspected for a moment: kill it only while
    // both survivors see it alive (else no new `suspect` would follow), and only count what
    // happens after the kill.
    for (const x of [a, b]) {
      const latest = linesSoFar(x).filter((l) => ['appeared', 'suspect', 'aliveAgain'].some((k) => about(k, 'peer-c')(l))).at(-1);
      if (latest?.kind === 'suspect') await first(x, (l) => about('aliveAgain', 'peer-c')(l) && (l.at ?? 0) >= (latest.at ?? 0));
    }
    await learned; // the survivors have learned c's interval: the kill is judged on it
    const killedAt = Date.now();
    const after = (kind: string) => (l: Line) => about(kind, 'peer-c')(l) && (l.at ?? 0) >= killedAt;
    const suspect$ = [a, b].map((x) => first(x, after('suspect')));
    const gone$ = [a, b].map((x) => first(x, after('gone')));
    c.proc.kill('SIGKILL');
    const suspects = await Promise.all(suspect$);
    const gones = await Promise.all(gone$);
    for (const [i, x] of [a, b].entries()) {
      const suspectAfter = ((suspects[i]?.at ?? 0) - killedAt) / INTERVAL;
      const goneAfter = ((gones[i]?.at ?? 0) - killedAt) / INTERVAL;
      const disconnected = await first(x, after('disconnected'));
      // docs/protocol.md §4: maybeDisconnected after one missed interval (+ 250 ms grace), dropped
      // after four, counted from its last PDU, which came at most one interval before the kill.
      expect(suspectAfter).toBeGreaterThanOrEqual(0.25);
      expect(suspectAfter).toBeLessThan(3);
      expect(disconnected.at ?? 0).toBeGreaterThan(suspects[i]?.at ?? 0);
      expect(goneAfter).toBeGreaterThanOrEqual(3.25);
      expect(goneAfter).toBeLessThan(7);
    }
    // The survivors still have each other (a moment of doubt under load is allowed, a drop is not).
    for (const [x, other] of [[a, 'peer-b'], [b, 'peer-a']] as const) {
      expect(linesSoFar(x).filter(about('gone', other))).toEqual([]);
    }
  }, TEST_MS);

  it('a stopped process, resumed after 5 intervals, does not take the peers that kept announcing for dead; they see it go', async (ctx) => {
    if (!probe.ok) ctx.skip(probe.reason);
    const udp = 40_000 + Math.floor(Math.random() * 20_000);
    const [a, b] = ['peer-a', 'peer-b'].map((id) => start(id, udp)) as [Child, Child];
    await Promise.all([a, b].map((x) => first(x, (l) => l.type === 'ready')));
    await Promise.all([first(a, about('appeared', 'peer-b')), first(b, about('appeared', 'peer-a'))]);
    const listener = await udpPort({ port: udp });
    ports.push(listener);
    await Promise.all([pdusOf(listener, 'peer-a', 5), pdusOf(listener, 'peer-b', 5)]); // both learned
    const stoppedAt = Date.now();
    const bSeesA = first(b, (l) => about('disconnected', 'peer-a')(l) && (l.at ?? 0) >= stoppedAt);
    a.proc.kill('SIGSTOP');
    await bSeesA; // b is right: a is silent
    const gone = first(b, (l) => about('gone', 'peer-a')(l) && (l.at ?? 0) >= stoppedAt);
    await gone;
    await pdusOf(listener, 'peer-b', 3); // b keeps announcing while a is stopped
    // Taken before the signal: on a loaded box this process may run again only after b heard the
    // resumed a, and an 'appeared' stamped before a later resumedAt would be filtered out for good.
    const resumedAt = Date.now();
    a.proc.kill('SIGCONT');
    expect(resumedAt - stoppedAt).toBeGreaterThanOrEqual(5 * INTERVAL);
    // After the resume a hears b again; then its stats show the stall it measured.
    await first(b, (l) => about('appeared', 'peer-a')(l) && (l.at ?? 0) >= resumedAt);
    a.send({ cmd: 'stats' });
    // It measured the stall (the stats line before it had none that large; the timeout fails the test).
    const stats = await first(a, (l) => l.type === 'stats' && (l.stats?.['maxLagMs'] ?? 0) >= 3 * INTERVAL);
    expect(stats.stats?.['stalledMs']).toBeGreaterThanOrEqual(3 * INTERVAL);
    const aboutB = linesSoFar(a).filter((l) => (l.at ?? 0) >= stoppedAt && ['disconnected', 'gone'].some((k) => about(k, 'peer-b')(l)));
    expect(aboutB).toEqual([]);
  }, TEST_MS);
});
