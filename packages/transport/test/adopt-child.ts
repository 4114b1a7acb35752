/**
 * Child process of handoff.int.spec.ts: adopts each socket its parent sends (with the head bytes,
 * base64) and reports every decoded frame and close to the parent over IPC.
 */
import type { Socket } from 'node:net';
import { type ClientCommand, serverSideDecoder } from '@ims/codec';
import { adoptingTransport } from '../src/adopting-transport.js';

const transport = adoptingTransport({ endpoint: { address: '127.0.0.1', port: 0 }, onReleased: (c) => process.send?.({ t: 'released', address: c.remoteAddress }) });
const listener = await transport.listen<ClientCommand>({ decoder: () => serverSideDecoder() });
listener.connections$.subscribe((conn) =>
  conn.attach({
    frame: (f) => process.send?.({ t: 'frame', frame: f.ok ? f.value : { bad: f.error.code } }),
    closed: (info) => process.send?.({ t: 'closed', reason: info.reason }),
  }),
);
process.on('message', (msg: { head: string }, socket: Socket | undefined) => {
  if (socket !== undefined) transport.adopt(socket, Buffer.from(msg.head, 'base64'));
});
process.on('disconnect', () => process.exit(0));
process.send?.({ t: 'ready' });
