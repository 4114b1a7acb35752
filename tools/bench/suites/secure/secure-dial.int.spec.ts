import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { type Server, type TLSSocket, createServer } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { generateIdentity, generateNetworkKey, secureMode, type NetworkKey } from '@ims/secure';
import { encode } from '../server/load-client.js';
import { memberPool } from './members.js';
import { secureDial } from './secure-dial.js';

/** A stand-in secure host on loopback: it answers each JOIN with one frame and records the proven ID and the JOIN's clientId. */
async function standIn(key: NetworkKey): Promise<{ server: Server; port: number; joins: { proven: string | undefined; clientId: string | undefined }[] }> {
  const mode = secureMode({ identity: generateIdentity(), keys: [key] });
  const joins: { proven: string | undefined; clientId: string | undefined }[] = [];
  const server = createServer({ ...mode.tls(), ca: [...mode.tls().ca], requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' });
  server.on('secureConnection', (s: TLSSocket) => {
    const proven = mode.provenPeerId(s.getPeerX509Certificate());
    s.once('data', (d: Buffer) => {
      const fields = d.subarray(4).toString('utf8').split('\0');
      joins.push({ proven, clientId: fields[2] });
      s.write(encode('STANDBY', fields[1] ?? ''));
    });
  });
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port, joins };
}

describe('secureDial (real TLS 1.3 on loopback)', () => {
  let server: Server | undefined;
  afterEach(() => void server?.close());

  it('connects each member with its own certificate and JOINs as its proven peer ID', async () => {
    const key = generateNetworkKey();
    const host = await standIn(key);
    server = host.server;
    const pool = memberPool(key);
    const dial = secureDial(pool);
    const clients = await Promise.all(['bench-0', 'bench-1'].map((name) => dial(host.port, '#room', name)));
    // A frame may have come while the other member was still dialling.
    await Promise.all(clients.map((c) => new Promise<void>((resolve) => (c.frames > 0 ? resolve() : (c.onFrame = resolve)))));
    for (const c of clients) c.close();
    const ids = ['bench-0', 'bench-1'].map((name) => pool.modeOf(name).identity.peerId);
    expect(new Set(ids).size).toBe(2);
    expect(host.joins.map((j) => j.proven).sort()).toEqual([...ids].sort());
    expect(host.joins.every((j) => j.clientId === j.proven)).toBe(true);
    expect(clients.map((c) => c.id).sort()).toEqual([...ids].sort());
  });

  it('rejects the dial of a member of another network instead of hanging', async () => {
    const host = await standIn(generateNetworkKey());
    server = host.server;
    await expect(secureDial(memberPool(generateNetworkKey()))(host.port, '#room', 'bench-0')).rejects.toThrow();
    expect(host.joins).toEqual([]);
  });
});
