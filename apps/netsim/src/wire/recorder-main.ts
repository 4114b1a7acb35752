/**
 * The wire recorder, a process of its own so it can run inside a namespace: joins the discovery
 * group and prints every datagram as one JSON line `{t, from, hex}` on stdout.
 * Usage: recorder-main.ts --discovery-port P --interface ADDR
 */
import { createSocket } from 'node:dgram';
import { parseArgs } from 'node:util';
import { MULTICAST_GROUP_V4 } from '@ims/codec';

const { values } = parseArgs({ options: { 'discovery-port': { type: 'string' }, interface: { type: 'string', default: '127.0.0.1' }, max: { type: 'string', default: '200000' } } });
const port = Number(values['discovery-port']);
const max = Number(values.max);
let count = 0;
const sock = createSocket({ type: 'udp4', reuseAddr: true });
sock.on('error', (e) => {
  process.stderr.write(`${JSON.stringify({ event: 'error', message: e.message })}\n`);
  process.exit(1);
});
sock.on('message', (msg, rinfo) => {
  // Bounded: a flood must not fill netsim's memory; the count of dropped ones is reported at exit.
  count += 1;
  if (count > max) return;
  process.stdout.write(`${JSON.stringify({ event: 'datagram', t: Date.now(), from: rinfo.address, hex: msg.toString('hex') })}\n`);
});
sock.bind(port, () => {
  sock.addMembership(MULTICAST_GROUP_V4, values.interface);
  process.stdout.write(`${JSON.stringify({ event: 'listening', port: sock.address().port })}\n`);
});
process.on('SIGTERM', () => {
  process.stdout.write(`${JSON.stringify({ event: 'summary', count })}\n`);
  sock.close(() => process.exit(0));
});
