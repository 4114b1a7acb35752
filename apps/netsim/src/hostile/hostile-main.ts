/**
 * netsim's hostile peer: floods the discovery group with malformed PDUs and the target servers
 * with malformed frames, while the others chat. Logs one JSON line per second on stderr.
 * Usage: hostile-main.ts --discovery-port P --interface ADDR --rate N [--target ADDR:PORT]... [--seed S]
 */
import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { MULTICAST_GROUP_V4 } from '@ims/codec';
import { garbageFrame, garbagePdu, prng } from './garbage.js';

const { values } = parseArgs({
  options: {
    'discovery-port': { type: 'string' },
    interface: { type: 'string', default: '127.0.0.1' },
    rate: { type: 'string', default: '200' },
    target: { type: 'string', multiple: true, default: [] },
    seed: { type: 'string', default: String(Date.now() % 1e9) },
  },
});
const port = Number(values['discovery-port']);
const rate = Math.max(1, Number(values.rate));
const rand = prng(Number(values.seed));
const stats = { pdus: 0, frames: 0, connections: 0, closedByPeer: 0 };
const log = (event: string, data: object = {}): void => void process.stderr.write(`${JSON.stringify({ event, ...data })}\n`);

const udp = createSocket({ type: 'udp4', reuseAddr: true });
udp.on('error', (e) => log('error', { message: e.message }));
udp.bind(0, values.interface, () => {
  udp.setMulticastInterface(values.interface);
  udp.setMulticastTTL(1);
});

const sockets = new Map<string, Socket>();
function target(t: string): Socket | undefined {
  const existing = sockets.get(t);
  if (existing && !existing.destroyed) return existing;
  const [host, p] = t.split(':');
  const s = connect({ host: host ?? '127.0.0.1', port: Number(p) });
  stats.connections += 1;
  s.on('error', () => undefined); // refused or reset: the target defends itself, as it should
  s.on('close', () => {
    stats.closedByPeer += 1;
    sockets.delete(t);
  });
  s.on('data', () => undefined);
  sockets.set(t, s);
  return s;
}

const tick = setInterval(() => {
  const burst = Math.max(1, Math.round(rate / 20));
  for (let i = 0; i < burst; i++) {
    udp.send(garbagePdu(rand), port, MULTICAST_GROUP_V4);
    stats.pdus += 1;
    for (const t of values.target) {
      const s = target(t);
      if (s && !s.connecting && s.writable) {
        s.write(garbageFrame(rand).bytes);
        stats.frames += 1;
      }
    }
  }
}, 50);
const report = setInterval(() => log('stats', stats), 1000);
log('listening', { seed: values.seed });

process.on('SIGTERM', () => {
  clearInterval(tick);
  clearInterval(report);
  log('stats', stats);
  for (const s of sockets.values()) s.destroy();
  udp.close(() => process.exit(0));
});
