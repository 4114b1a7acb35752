import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeDatagramPort } from '../test/describe-datagram-port.js';
import { probeMulticast, udpPort } from './udp-port.js';

const randomPort = (): number => 40_000 + Math.floor(Math.random() * 20_000);
// Probe once: if multicast on loopback does not work on this machine, the suite says why it skips.
const v4 = await probeMulticast();
const v6 = await probeMulticast({ family: 'ipv6' });
const skipReason = (p: typeof v4) => () => (p.ok ? undefined : p.reason);

describeDatagramPort(
  'udpPort (IPv4 multicast on loopback)',
  () => {
    const port = randomPort();
    return { open: () => udpPort({ port }) };
  },
  skipReason(v4),
);

describeDatagramPort(
  'udpPort (IPv6 multicast on lo)',
  () => {
    const port = randomPort();
    return { open: () => udpPort({ port, family: 'ipv6' }) };
  },
  skipReason(v6),
);

describe('udpPort options', () => {
  it('rejects an unknown interface with a typed error', async () => {
    await expect(udpPort({ port: randomPort(), interface: 'no-such-if0' })).rejects.toMatchObject({ code: 'UNKNOWN_INTERFACE' });
  });

  it('rejects a bad group or TTL with a typed error', async () => {
    await expect(udpPort({ port: randomPort(), group: 'not-an-ip' })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(udpPort({ port: randomPort(), ttl: 300 })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });

  it('accepts the loopback interface by name and by address', async (ctx) => {
    if (!v4.ok) ctx.skip(v4.reason);
    const port = randomPort();
    const a = await udpPort({ port, interface: 'lo' });
    const b = await udpPort({ port, interface: '127.0.0.1' });
    a.close();
    b.close();
    expect(true).toBe(true);
  });
});

describe('udpPort stays on loopback unless told otherwise', () => {
  // Linux lists group memberships per interface in /proc/net/igmp (groups as little-endian hex).
  const igmp = (): string | undefined => {
    try {
      return readFileSync('/proc/net/igmp', 'utf8');
    } catch {
      return undefined; // not Linux: the test below skips with this reason
    }
  };
  const membersOn = (table: string, hexGroup: string): string[] => {
    const devices: string[] = [];
    let device = '';
    for (const line of table.split('\n')) {
      const head = /^\d+\s+(\S+)\s*:/.exec(line);
      if (head?.[1] !== undefined) device = head[1];
      else if (line.trim().startsWith(hexGroup)) devices.push(device);
    }
    return devices;
  };

  it('joins the group on lo only, by default', async (ctx) => {
    const table = igmp();
    if (table === undefined) ctx.skip('/proc/net/igmp is not available on this system');
    if (!v4.ok) ctx.skip(v4.reason);
    // A group of our own, so other processes on this host cannot blur the picture.
    const [x, y] = [1 + Math.floor(Math.random() * 250), 1 + Math.floor(Math.random() * 250)];
    const group = `239.255.${x}.${y}`;
    const hex = [y, x, 255, 239].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join('');
    const port = await udpPort({ port: randomPort(), group });
    try {
      expect(membersOn(igmp() ?? '', hex)).toEqual(['lo']);
    } finally {
      port.close();
    }
  });
});
