/**
 * The netns fault mechanisms on their own, between two namespaces (root only, otherwise skipped
 * with the reason): the userspace switch cuts one direction only and all links in one change,
 * delays by what it was told, and a starved process and a full disk leave nothing behind.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { netnsBackend, netnsUnavailableReason } from '../src/backend/netns.js';
import { makeRunDir, newRunId, sweepRunDirs } from '../src/backend/run-dir.js';
import { REPO_ROOT } from '../src/proc/launch.js';
import type { Backend } from '../src/backend/types.js';
import { switchUnavailableReason } from '../src/faults/switch.js';
import { fillDisk, freeDisk, mountSmallDisk, mountsUnder, unmountSmallDisk } from '../src/faults/disk.js';

const reason = (await netnsUnavailableReason()) ?? switchUnavailableReason();
if (reason) process.stdout.write(`fault mechanism tests skipped: ${reason}\n`);

/**
 * Runs a UDP echo in `b` and, from `a`, sends `n` numbered datagrams to it; resolves with the
 * round trips (ms) of those that came back and how many reached `b`. The pinger stops once all
 * `n` came back, else after `waitMs` (long when every one should come back: it only fails; short
 * when none should, as an absence needs some time to be seen).
 */
async function udpPings(backend: Backend, a: string, b: string, n: number, waitMs: number): Promise<{ echoed: number[]; reachedB: number }> {
  const port = 40_001;
  const echo = `const s=require('dgram').createSocket('udp4');let got=0;s.on('message',(m,r)=>{got++;s.send(m,r.port,r.address)});s.bind(${port},'${backend.addressOf(b)}',()=>console.log('up'));process.stdin.on('end',()=>{console.log('got '+got);process.exit(0)});process.stdin.resume();`;
  const ping = `const s=require('dgram').createSocket('udp4');const t=[];const done=()=>{console.log(JSON.stringify(t));process.exit(0)};s.on('message',(m)=>{t.push(performance.now()-Number(m));if(t.length===${n})done()});s.bind(0,'${backend.addressOf(a)}',()=>{let i=0;const go=()=>{if(i++<${n}){s.send(String(performance.now()),${port},'${backend.addressOf(b)}');setTimeout(go,20)}};go()});setTimeout(done,${waitMs});`;
  const start = (host: string, code: string): { out: () => string; up: Promise<void>; exit: Promise<void>; end: () => void } => {
    const line = backend.wrap(host, process.execPath, ['-e', code]);
    const child = spawn(line.cmd, [...line.args], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    let up: () => void = () => undefined;
    const upP = new Promise<void>((resolve) => (up = resolve));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('up')) up();
    });
    return { out: () => out, up: upP, exit: new Promise((resolve) => child.once('exit', () => resolve())), end: () => child.stdin.end() };
  };
  const echoer = start(b, echo);
  await echoer.up;
  const pinger = start(a, ping);
  await pinger.exit;
  echoer.end();
  await echoer.exit;
  return { echoed: JSON.parse(pinger.out().trim() || '[]') as number[], reachedB: Number(/got (\d+)/.exec(echoer.out())?.[1] ?? 0) };
}

/** Long enough for every datagram to come back on a loaded box (it only fails), ms. */
const ALL_BACK_MS = 20_000;
/** How long to listen for datagrams that must not arrive, ms. */
const NONE_MS = 800;

describe.skipIf(reason !== undefined)('fault mechanisms (netns, userspace switch)', () => {
  let backend: Backend | undefined;
  afterEach(async () => {
    await backend?.cleanup();
    backend = undefined;
  });

  it('cuts one direction only: b still hears a after a stops hearing b', { timeout: 90_000 }, async () => {
    const runId = newRunId();
    backend = netnsBackend(runId, { network: 'switch', runDir: await makeRunDir(runId) });
    await backend.setup(['a', 'b']);
    expect((await udpPings(backend, 'a', 'b', 5, ALL_BACK_MS)).echoed).toHaveLength(5);
    await backend.cut(['b'], ['a']);
    // a → b still arrives; the echo b → a does not.
    const oneWay = await udpPings(backend, 'a', 'b', 5, NONE_MS);
    expect(oneWay).toEqual({ echoed: [], reachedB: 5 });
    await backend.heal();
    expect((await udpPings(backend, 'a', 'b', 5, ALL_BACK_MS)).echoed).toHaveLength(5);
    expect(backend.network).toBe('switch');
  });

  it('partitions every link in one change, and delays what a host sends', { timeout: 90_000 }, async () => {
    const runId = newRunId();
    backend = netnsBackend(runId, { network: 'switch', runDir: await makeRunDir(runId) });
    await backend.setup(['a', 'b', 'c']);
    await backend.partition([['a'], ['b', 'c']]);
    expect(await udpPings(backend, 'a', 'b', 3, NONE_MS)).toEqual({ echoed: [], reachedB: 0 });
    expect((await udpPings(backend, 'b', 'c', 3, ALL_BACK_MS)).echoed).toHaveLength(3);
    await backend.heal();
    await backend.impair(['b'], { delayMs: 120 });
    const { echoed } = await udpPings(backend, 'a', 'b', 4, ALL_BACK_MS);
    expect(echoed).toHaveLength(4);
    // Only b's replies are delayed: each round trip has the 120 ms once.
    for (const rtt of echoed) expect(rtt).toBeGreaterThanOrEqual(115);
    await backend.cleanup();
    const counts = backend.frameCounts();
    expect(counts?.['cut']).toBeGreaterThanOrEqual(3);
    expect(readFileSync('/proc/self/mounts', 'utf8')).not.toContain(runId);
  });

  it('sweeps the small disk and the CPU cgroup a killed run left behind', { timeout: 30_000 }, async () => {
    // A pid that surely is dead: a process that ran and exited.
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => dead.once('exit', resolve));
    const name = `imsns-${dead.pid}-1`;
    const base = await makeRunDir(newRunId());
    const data = join(base, name, 'data', 's1');
    mkdirSync(data, { recursive: true });
    await mountSmallDisk(data);
    const cgroup = existsSync('/sys/fs/cgroup/cpu/cgroup.procs') ? `/sys/fs/cgroup/cpu/${name}-s1` : undefined;
    if (cgroup) mkdirSync(cgroup);
    expect(await sweepRunDirs(REPO_ROOT, base)).toEqual([name]);
    expect(await mountsUnder(data)).toEqual([]);
    expect(existsSync(join(base, name))).toBe(false);
    if (cgroup) expect(existsSync(cgroup)).toBe(false);
    rmSync(base, { recursive: true, force: true });
  });

  it('fills a small data disk to the last byte, frees it, and unmounts it', { timeout: 30_000 }, async () => {
    const dir = await makeRunDir(newRunId());
    await mountSmallDisk(dir);
    try {
      expect(await mountsUnder(dir)).toEqual([dir]);
      expect(await fillDisk(dir)).toBeGreaterThan(7_000_000);
      await freeDisk(dir);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      await unmountSmallDisk(dir);
    }
    expect(await mountsUnder(dir)).toEqual([]);
    expect(existsSync(dir)).toBe(true);
  });
});
