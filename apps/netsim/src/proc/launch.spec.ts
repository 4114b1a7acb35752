import { describe, expect, it } from 'vitest';
import { hostArgs, mainFor, DEFAULT_APP_MAINS, HELPER_MAINS } from './launch.js';

const ctx = { announceIntervalMs: 150, discoveryPort: 40_000, interfaceAddr: '10.77.0.11' };

describe('hostArgs (the process contracts)', () => {
  it('starts a server on a free port, bound to its interface, with its standby list and data dir', () => {
    const args = hostArgs({ kind: 'server', name: 's2', standbyFor: ['s1', 's3'], dataDir: true, args: ['--log-level', 'debug'] }, { ...ctx, dataDir: '/tmp/d' });
    expect(args).toEqual([
      '--port', '0', '--id', 's2', '--bind', '10.77.0.11',
      '--announce-interval', '150', '--discovery-port', '40000', '--interface', '10.77.0.11',
      '--data-dir', '/tmp/d', '--standby-for', 's1,s3', '--log-level', 'debug',
    ]);
  });

  it('starts a client in chat --json mode with its identity', () => {
    const args = hostArgs({ kind: 'client', name: 'alice', channel: '#room', server: 's1', nick: 'Alice', noHost: true, args: [] }, ctx);
    expect(args).toEqual([
      'chat', '#room', '--json', '--nick', 'Alice', '--id', 'alice',
      '--announce-interval', '150', '--discovery-port', '40000', '--interface', '10.77.0.11',
      '--server', 's1', '--no-host',
    ]);
  });

  it('points a hostile peer at its targets', () => {
    const spec = { kind: 'hostile', name: 'eve', targets: ['s1'], rate: 50, attacks: ['garbage'], sealKey: 'none' } as const;
    expect(hostArgs(spec, { ...ctx, targets: ['10.77.0.12:50000'] })).toEqual(['--discovery-port', '40000', '--interface', '10.77.0.11', '--rate', '50', '--target', '10.77.0.12:50000']);
    expect(mainFor(spec, DEFAULT_APP_MAINS)).toBe(HELPER_MAINS.hostile);
  });

  it('in secure mode gives the key and identity files instead of --id, and names servers by their derived IDs', () => {
    const secure = { secure: { keyFile: '/r/network.key', identityFile: '/r/s2.identity' }, idOf: (n: string) => `k-${n}` };
    expect(hostArgs({ kind: 'server', name: 's2', standbyFor: ['s1'], dataDir: false, args: [] }, { ...ctx, ...secure })).toEqual([
      '--port', '0', '--network-key-file', '/r/network.key', '--identity-file', '/r/s2.identity', '--bind', '10.77.0.11',
      '--announce-interval', '150', '--discovery-port', '40000', '--interface', '10.77.0.11', '--standby-for', 'k-s1',
    ]);
    const client = hostArgs({ kind: 'client', name: 'alice', channel: '#room', server: 's1', nick: 'Alice', noHost: false, args: [] }, { ...ctx, ...secure });
    expect(client.slice(0, 9)).toEqual(['chat', '#room', '--json', '--nick', 'Alice', '--network-key-file', '/r/network.key', '--identity-file', '/r/s2.identity']);
    expect(client.slice(-2)).toEqual(['--server', 'k-s1']);
  });

  it('gives a hostile peer its attacks, the IDs it claims and the wrong key', () => {
    const spec = { kind: 'hostile', name: 'eve', targets: ['s1'], rate: 50, attacks: ['impersonate', 'standbyHijack'], victim: 'alice', sealKey: 'wrong' } as const;
    const hostile = { channel: '#room', victimId: 'k-alice', serverId: 'k-s1', hijackId: 'k22', forgedId: 'k23', sealKeyFile: '/r/other.key' };
    expect(hostArgs(spec, { ...ctx, hostile }).slice(6)).toEqual([
      '--attack', 'impersonate', '--attack', 'standbyHijack', '--announce-interval', '150',
      '--channel', '#room', '--victim-id', 'k-alice', '--server-id', 'k-s1', '--hijack-id', 'k22', '--forged-id', 'k23', '--seal-key-file', '/r/other.key',
    ]);
  });
});
