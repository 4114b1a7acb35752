import { type ClientCommand, type ServerCommand, clientSideDecoder, encodeFrame, serverSideDecoder } from '@ims/codec';
import { describe, expect, it } from 'vitest';
import { Accepted, Probe } from '../test/probe.js';
import { memoryTransport } from './memory-transport.js';
import { ScreenedConnection, type FrameScreen } from './screened-connection.js';
import { virtualTime } from './virtual-time.js';

/** A dialled pair on a virtual-time network whose accepted end is screened by `screen`. */
async function screenedPair(screen: FrameScreen) {
  const vt = virtualTime();
  const net = memoryTransport({ scheduler: vt.scheduler });
  const listener = await net.listen<ClientCommand>({ decoder: () => serverSideDecoder() });
  const accepted = new Accepted(listener);
  const client = await vt.until(net.dial<ServerCommand>({ host: listener.address, port: listener.port, decoder: () => clientSideDecoder() }));
  const inner = await vt.until(accepted.next());
  const server = new ScreenedConnection(inner, screen, (reason) => encodeFrame({ cmd: 'ERROR', reason }));
  const [c, s] = [new Probe<ServerCommand>(), new Probe<ClientCommand>()];
  client.attach(c);
  server.attach(s);
  return { vt, client, server, c, s };
}

/** Lets SAYs pass, stops screening at a JOIN of #ok, refuses a JOIN of anything else. */
const joinOkOnly: FrameScreen = (f) => {
  if (!f.ok || (f.value as { cmd?: string }).cmd !== 'JOIN') return undefined;
  return (f.value as { channel?: string }).channel === '#ok' ? null : 'NOT_ACCEPTING: elsewhere';
};

describe('ScreenedConnection', () => {
  it('delivers what the screen lets pass, and everything after it stops screening', async () => {
    const { vt, client, s } = await screenedPair(joinOkOnly);
    client.write(encodeFrame({ cmd: 'SAY', text: 'early' }));
    client.write(encodeFrame({ cmd: 'JOIN', channel: '#ok' }));
    client.write(encodeFrame({ cmd: 'JOIN', channel: '#other' }));
    await vt.until(s.receive(3));
    expect(s.values()).toEqual([{ cmd: 'SAY', text: 'early' }, { cmd: 'JOIN', channel: '#ok' }, { cmd: 'JOIN', channel: '#other' }]);
    expect(s.info).toBeUndefined();
  });

  it('refuses: drops the frame, sends the refusal frame, closes, and the owner sees only the close', async () => {
    const { vt, client, server, c, s } = await screenedPair(joinOkOnly);
    client.write(encodeFrame({ cmd: 'SAY', text: 'early' }));
    client.write(encodeFrame({ cmd: 'JOIN', channel: '#other' }));
    client.write(encodeFrame({ cmd: 'SAY', text: 'after' }));
    const info = await vt.until(s.closing());
    expect(info.reason).toBe('NOT_ACCEPTING: elsewhere');
    expect(s.values()).toEqual([{ cmd: 'SAY', text: 'early' }]);
    expect(server.isClosing).toBe(true);
    await vt.until(c.closing());
    expect(c.values()).toEqual([{ cmd: 'ERROR', reason: 'NOT_ACCEPTING: elsewhere' }]);
  });

  it('refuses a second sink like any connection', async () => {
    const { server } = await screenedPair(joinOkOnly);
    expect(() => server.attach(new Probe<ClientCommand>())).toThrow(/already has a sink/);
  });
});
