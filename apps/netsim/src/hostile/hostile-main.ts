/**
 * netsim's hostile peer: floods the discovery group with malformed PDUs and the target servers
 * with malformed frames (`--attack garbage`, the default), and runs the attacks of attacks.ts on a
 * (secure) network as an outsider, while the others chat. Logs JSON lines on stderr.
 * Usage: hostile-main.ts --discovery-port P --interface ADDR --rate N [--target ADDR:PORT]... [--seed S]
 *   [--attack garbage|impersonate|forgeServer|standbyHijack]... [--channel C --victim-id ID
 *   --server-id ID --hijack-id ID --forged-id ID] [--seal-key-file F] [--announce-interval MS]
 */
import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { MULTICAST_GROUP_V4 } from '@ims/codec';
import { generateIdentity, readNetworkKeyFile, secureMode } from '@ims/secure';
import { startAttacks, type AimedAttack } from './attacks.js';
import { garbageFrame, garbagePdu, prng } from './garbage.js';

const { values } = parseArgs({
  options: {
    'discovery-port': { type: 'string' },
    interface: { type: 'string', default: '127.0.0.1' },
    rate: { type: 'string', default: '200' },
    target: { type: 'string', multiple: true, default: [] },
    seed: { type: 'string', default: String(Date.now() % 1e9) },
    attack: { type: 'string', multiple: true, default: ['garbage'] },
    channel: { type: 'string', default: '#room' },
    'victim-id': { type: 'string', default: '' },
    'server-id': { type: 'string', default: '' },
    'hijack-id': { type: 'string', default: '0-hostile' },
    'forged-id': { type: 'string', default: '0-forged' },
    'announce-interval': { type: 'string', default: '150' },
    'seal-key-file': { type: 'string' },
  },
});
const garbage = values.attack.includes('garbage');
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
  if (!garbage) return;
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
// Forgeries sealed under another network's key, beside the plain ones: a member must drop both.
const sealKeyFile = values['seal-key-file'];
const sealer = sealKeyFile ? secureMode({ identity: generateIdentity(), keys: readNetworkKeyFile(sealKeyFile) }).sealer : undefined;
const stopAttacks = startAttacks({
  attacks: values.attack.filter((a): a is AimedAttack => a !== 'garbage'),
  channel: values.channel,
  victimId: values['victim-id'],
  serverId: values['server-id'],
  hijackId: values['hijack-id'],
  forgedId: values['forged-id'],
  targets: values.target,
  interfaceAddr: values.interface,
  discoveryPort: port,
  announceIntervalMs: Number(values['announce-interval']),
  ...(sealer ? { sealer } : {}),
  log,
});
log('listening', { seed: values.seed, attacks: values.attack });

process.on('SIGTERM', () => {
  clearInterval(tick);
  clearInterval(report);
  stopAttacks();
  log('stats', stats);
  for (const s of sockets.values()) s.destroy();
  udp.close(() => process.exit(0));
});
