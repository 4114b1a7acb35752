import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { type TLSSocket, connect, createServer } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { generateIdentity } from './identity.js';
import { generateNetworkKey } from './network-key.js';
import { type SecureMode, secureMode } from './secure-mode.js';

/** One TLS 1.3 handshake between `server` and `client` over loopback: the proven IDs each side sees, or the failure. */
async function handshake(server: SecureMode, client: SecureMode): Promise<{ serverSees?: string; clientSees?: string; failed: boolean }> {
  const tls = createServer({ ...server.tls(), ca: [...server.tls().ca], requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' });
  const seen = new Promise<string | undefined>((resolve) => {
    tls.on('secureConnection', (s: TLSSocket) => {
      resolve(server.provenPeerId(s.getPeerX509Certificate()));
      s.end('ok');
    });
    tls.on('tlsClientError', () => resolve(undefined));
  });
  tls.listen(0, '127.0.0.1');
  await once(tls, 'listening');
  const socket = connect({ host: '127.0.0.1', port: (tls.address() as AddressInfo).port, ...client.tls(), ca: [...client.tls().ca], minVersion: 'TLSv1.3', checkServerIdentity: () => undefined });
  const data = new Promise<boolean>((resolve) => {
    socket.on('data', () => resolve(true));
    socket.on('error', () => resolve(false));
    socket.on('close', () => resolve(false));
  });
  const clientSees = await new Promise<string | undefined>((resolve) => {
    socket.once('secureConnect', () => resolve(client.provenPeerId(socket.getPeerX509Certificate())));
    socket.once('error', () => resolve(undefined));
  });
  const [serverSees, got] = await Promise.all([seen, data]);
  socket.destroy();
  tls.close();
  return { serverSees, clientSees, failed: !got };
}

describe('TLS 1.3 between secure peers (real loopback)', () => {
  const key = generateNetworkKey();
  const member = () => secureMode({ identity: generateIdentity(), keys: [key] });

  it('each side proves its key-derived peer ID to the other', async () => {
    const [a, b] = [member(), member()];
    const r = await handshake(a, b);
    expect(r).toEqual({ serverSees: b.identity.peerId, clientSees: a.identity.peerId, failed: false });
  });

  it('refuses a client of another network at the handshake', async () => {
    const outsider = secureMode({ identity: generateIdentity(), keys: [generateNetworkKey()] });
    const r = await handshake(member(), outsider);
    expect(r.failed).toBe(true);
    expect(r.serverSees).toBeUndefined();
  });

  it('works through a rotation: the new key first on one side, second on the other', async () => {
    const next = generateNetworkKey();
    const rotated = secureMode({ identity: generateIdentity(), keys: [next, key] });
    const waiting = secureMode({ identity: generateIdentity(), keys: [key, next] });
    expect((await handshake(rotated, waiting)).failed).toBe(false);
    expect((await handshake(waiting, rotated)).failed).toBe(false);
    const oldOnly = member();
    expect((await handshake(oldOnly, rotated)).failed).toBe(true);
  });
});
