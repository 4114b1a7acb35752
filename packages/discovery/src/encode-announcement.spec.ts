import { describe, expect, it } from 'vitest';
import { decodePdu, type PeerPdu } from '@ims/codec';
import { createAnnouncementEncoder } from './encode-announcement.js';
import { EMPTY_OWN_STATE, reduceOwn, type OwnInput, type OwnState } from './own-state.js';
import { createStats, type DiscoveryLogEntry } from './stats.js';

const run = (...inputs: OwnInput[]): OwnState => inputs.reduce(reduceOwn, EMPTY_OWN_STATE);

function setup(max = 1_400) {
  const stats = createStats();
  const logs: DiscoveryLogEntry[] = [];
  const encode = createAnnouncementEncoder('srv', max, stats, (e) => logs.push(e));
  const decode = (datagrams: Uint8Array[]): PeerPdu[] =>
    datagrams.map((bytes) => {
      expect(bytes.length).toBeLessThanOrEqual(max);
      const d = decodePdu(bytes, { maxDatagramBytes: max });
      if (!d.ok) throw d.error;
      return d.value;
    });
  return { stats, logs, encode, decode };
}

const channelsOf = (pdus: PeerPdu[]): string[] => pdus.flatMap((p) => p.options.flatMap((o) => (o.type === 'SERVER_CHANNELS' ? o.channels : [])));

describe('announcement encoding (docs/protocol.md §3.6)', () => {
  it('a 1,500-byte channel name does not stop the announcement: the others are still sent', () => {
    const { stats, encode, decode } = setup();
    const huge = `#${'x'.repeat(1_499)}`;
    const pdus = decode(encode(run({ kind: 'server', server: { port: 50_000, channels: ['#ok', huge] } })));
    expect(pdus.length).toBeGreaterThan(0);
    expect(pdus.every((p) => p.options.some((o) => o.type === 'SERVER_OPTION'))).toBe(true);
    expect(channelsOf(pdus)).toEqual(['#ok']);
    expect(stats.encodeErrors).toBe(0);
  });

  it('many long names are split over datagrams of at most the limit, none lost or repeated', () => {
    const { stats, encode, decode } = setup();
    const names = Array.from({ length: 600 }, (_, i) => `#${String(i).padStart(4, '0')}${'n'.repeat(195)}`);
    const pdus = decode(encode(run({ kind: 'server', server: { port: 50_000, channels: names } })));
    expect(pdus.length).toBeGreaterThan(80);
    expect(channelsOf(pdus).sort()).toEqual([...names].sort());
    expect(stats.entriesLeftOut).toBe(0);
  });

  it('a name that fits in no datagram beside the scalars is left out, counted and logged once', () => {
    const { stats, logs, encode, decode } = setup(150);
    const long = `#${'y'.repeat(179)}`;
    const state = run({ kind: 'nick', nick: 'n' }, { kind: 'server', server: { port: 50_000, channels: ['#a', long] } }, { kind: 'memberships', memberships: [{ serverId: 'h', channels: [long, '#b'] }, { serverId: 'only-long', channels: [long] }] });
    for (let i = 0; i < 3; i++) {
      const pdus = decode(encode(state));
      expect(channelsOf(pdus)).toEqual(['#a']);
      const servers = pdus.flatMap((p) => p.options.flatMap((o) => (o.type === 'CLIENT_MEMBERSHIP' ? o.servers : [])));
      // A server entry left with no channel would be an empty entry (docs/protocol.md §3.5): left out too.
      expect(servers).toEqual([{ serverId: 'h', channels: ['#b'] }]);
    }
    expect(stats.entriesLeftOut).toBe(2);
    expect(logs.filter((l) => l.event === 'entryLeftOut')).toHaveLength(2);
    expect(stats.encodeErrors).toBe(0);
  });

  it('an invitation too large for a datagram is left out, the rest of the announcement is sent', () => {
    const { stats, encode, decode } = setup(300);
    const state = run(
      { kind: 'server', server: { port: 50_000, channels: ['#a'] } },
      { kind: 'invite', channel: '#a', clientIds: ['c1', 'z'.repeat(290)], sends: 3 },
    );
    const pdus = decode(encode(state));
    const invites = pdus.flatMap((p) => p.options.filter((o) => o.type === 'SERVER_INVITE'));
    expect(invites).toEqual([{ type: 'SERVER_INVITE', channel: '#a', clientIds: ['c1'] }]);
    expect(stats.entriesLeftOut).toBe(1);
  });
});
