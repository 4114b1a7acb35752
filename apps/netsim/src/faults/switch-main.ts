/**
 * The userspace switch: an Ethernet switch between the TAP devices of a netns run (fds 3, 4, …,
 * one per host, opened by tap-open.pl), for kernels without `sch_netem`. Every frame a host sends
 * passes here, so delay, jitter, loss, duplication, reordering and bandwidth limits apply to it
 * (the host's outgoing traffic, as netem on its interface would), and a partition is one change of
 * the table of cut links: atomic, and one-way when only one direction is cut.
 *
 * Control: one JSON line on stdin per change, `{"seq":n,"cut":[[from,to],...],"faults":{host:LinkFault}}`,
 * replacing the whole state at once; acknowledged by `{"event":"applied","seq":n}` on stdout.
 * With `--capture FILE` every frame a host sends is appended to FILE as it arrives (u8 port index,
 * u32 BE length, the frame): the wire an eavesdropper on this LAN would see (checks/plaintext.ts).
 * Usage: switch-main --ports a,b,c [--seed N] [--capture FILE]
 */
import { openSync, read, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { isClean, planFrame, seededRandom, type LinkFault, type LinkState } from './link-model.js';

const { values } = parseArgs({ options: { ports: { type: 'string' }, seed: { type: 'string', default: '1' }, capture: { type: 'string' } } });
const captureFd = values.capture === undefined ? undefined : openSync(values.capture, 'a', 0o600);
const names = (values.ports ?? '').split(',').filter(Boolean);
const random = seededRandom(Number(values.seed));
/** Largest frame a TAP hands over (MTU 1500 + header, with room to spare). */
const FRAME_MAX = 65_536;

interface Port {
  readonly index: number;
  readonly name: string;
  readonly fd: number;
  readonly link: LinkState;
}
const ports: Port[] = names.map((name, i) => ({ index: i, name, fd: 3 + i, link: { busyUntil: 0 } }));
const macs = new Map<string, Port>();
let cut = new Set<string>();
let faults = new Map<string, LinkFault>();
const counts = { frames: 0, delivered: 0, cut: 0, lost: 0, duplicated: 0, writeErrors: 0 };

const say = (event: string, data: Record<string, unknown> = {}): void => void process.stdout.write(`${JSON.stringify({ event, ...data })}\n`);

/** Writes a frame to a port unless its link is cut by then (a cut also drops frames in flight). */
function deliver(from: Port, to: Port, frame: Buffer): void {
  if (cut.has(`${from.name}>${to.name}`)) {
    counts.cut += 1;
    return;
  }
  try {
    writeSync(to.fd, frame);
    counts.delivered += 1;
  } catch (e) {
    // A host whose interface is down (its namespace going away at teardown) refuses frames.
    counts.writeErrors += 1;
    if (counts.writeErrors === 1) say('write-error', { port: to.name, message: (e as Error).message });
  }
}

/** Appends one frame to the capture, written at once so a reader mid-run sees whole records. */
function capture(from: Port, frame: Buffer): void {
  if (captureFd === undefined) return;
  const head = Buffer.alloc(5);
  head.writeUInt8(from.index, 0);
  head.writeUInt32BE(frame.length, 1);
  writeSync(captureFd, Buffer.concat([head, frame]));
}

function forward(from: Port, frame: Buffer): void {
  counts.frames += 1;
  capture(from, frame);
  const mac = (off: number): string => frame.subarray(off, off + 6).toString('hex');
  macs.set(mac(6), from);
  // Unicast to a known MAC goes to its port; broadcast, multicast (bit 0 of byte 0) and unknown flood.
  const known = (frame[0] ?? 1) & 1 ? undefined : macs.get(mac(0));
  const outs = known ? (known === from ? [] : [known]) : ports.filter((p) => p !== from);
  const fault = faults.get(from.name);
  if (fault === undefined || isClean(fault)) {
    for (const to of outs) deliver(from, to, frame);
    return;
  }
  const now = performance.now();
  const times = planFrame(fault, from.link, frame.length, now, random);
  if (times.length === 0) counts.lost += 1;
  if (times.length > 1) counts.duplicated += 1;
  for (const t of times) {
    const send = (): void => outs.forEach((to) => deliver(from, to, frame));
    if (t <= now) send();
    else setTimeout(send, t - now);
  }
}

function readLoop(port: Port): void {
  const buf = Buffer.allocUnsafe(FRAME_MAX);
  read(port.fd, buf, 0, FRAME_MAX, null, (err, n) => {
    if (err) {
      say('read-error', { port: port.name, message: err.message });
      return;
    }
    if (n > 0) forward(port, Buffer.from(buf.subarray(0, n)));
    readLoop(port);
  });
}

createInterface({ input: process.stdin }).on('line', (line) => {
  try {
    const msg = JSON.parse(line) as { seq: number; cut: [string, string][]; faults: Record<string, LinkFault> };
    // One assignment each, in one tick: no frame sees half of the new state.
    cut = new Set(msg.cut.map(([a, b]) => `${a}>${b}`));
    faults = new Map(Object.entries(msg.faults));
    say('applied', { seq: msg.seq });
  } catch (e) {
    say('bad-command', { message: (e as Error).message });
  }
});
process.stdin.on('end', () => process.exit(0));
process.on('SIGTERM', () => {
  say('summary', counts);
  process.exit(0);
});
for (const p of ports) readLoop(p);
say('ready', { ports: names });
