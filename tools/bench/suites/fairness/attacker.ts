/**
 * The fairness benchmark's attacker, run as its own process so its reading and writing do not
 * delay the quiet channel's clients: `attacker.ts <port> flood|crowd <connections> <addresses>`.
 * Connections come from 127.0.0.2 onwards (`addresses` of them, round robin) and reconnect at once
 * when closed, as a hostile loop would. Prints `{"event":"ready"}` once every connection got its
 * first reply, and its counters as one JSON line on SIGTERM.
 *
 * - `flood`: connection 0 writes SAY frames as fast as its socket drains into `#flood`; the others
 *   only read there (the fan-out it would get).
 * - `crowd`: every connection posts into `#crowd` just under the per-connection rate (95 a second).
 */
import { connect, type Socket } from 'node:net';
import { encode } from '../server/load-client.js';

const [portArg, mode, countArg, addressesArg] = process.argv.slice(2);
const port = Number(portArg);
const count = Number(countArg ?? 1);
const addresses = Number(addressesArg ?? 1);
/** Just under the host's default per-connection rate of 100 frames a second. */
const CROWD_RATE = 95;
const channel = mode === 'flood' ? '#flood' : '#crowd';
const stats = { connects: 0, closes: 0, bytesIn: 0, framesSent: 0 };
/** One write of the flooder: 640 SAY frames of ~100 bytes. */
const FLOOD_CHUNK = Buffer.concat(Array.from({ length: 640 }, (_, i) => encode('SAY', `flood ${i} ${'x'.repeat(80)}`)));

interface Attacker {
  socket: Socket | undefined;
  answered: boolean;
  due: number;
}

const attackers: Attacker[] = Array.from({ length: count }, () => ({ socket: undefined, answered: false, due: 0 }));

function open(i: number): void {
  const a = attackers[i] as Attacker;
  const socket = connect({ port, host: '127.0.0.1', localAddress: `127.0.0.${2 + (i % addresses)}` });
  a.socket = socket;
  socket.setNoDelay(true);
  socket.on('connect', () => {
    stats.connects++;
    socket.write(encode('JOIN', channel, `attacker-${i}`));
    if (mode === 'flood' && i === 0) pump(socket);
  });
  socket.on('data', (chunk: Buffer) => {
    stats.bytesIn += chunk.length;
    if (!a.answered) {
      a.answered = true;
      if (attackers.every((x) => x.answered)) process.stdout.write('{"event":"ready"}\n');
    }
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    stats.closes++;
    if (!stopping) setImmediate(() => open(i));
  });
}

/** Writes as fast as the socket drains. */
function pump(socket: Socket): void {
  while (!socket.destroyed && socket.write(FLOOD_CHUNK)) stats.framesSent += 640;
  if (!socket.destroyed) socket.once('drain', () => pump(socket));
}

let stopping = false;
for (let i = 0; i < count; i++) open(i);

if (mode === 'crowd') {
  const t0 = performance.now();
  // Each connection sends what it is due by now, phase-shifted so they do not all post in the same tick.
  setInterval(() => {
    const elapsed = performance.now() - t0;
    attackers.forEach((a, i) => {
      const due = Math.floor((elapsed * CROWD_RATE) / 1000 + i / count);
      if (a.socket?.readyState !== 'open') {
        a.due = due;
        return;
      }
      for (; a.due < due; a.due++) {
        a.socket.write(encode('SAY', `crowd ${i} ${'y'.repeat(60)}`));
        stats.framesSent++;
      }
    });
  }, 5);
}

process.on('SIGTERM', () => {
  stopping = true;
  process.stdout.write(JSON.stringify({ event: 'stats', ...stats }) + '\n');
  process.exit(0);
});
