import { describe, expect, it } from 'vitest';
import { decodePdu, encodePdus } from '@ims/codec';
import { EMPTY_OWN_STATE, ownPdu, reduceOwn, type OwnInput, type OwnState } from './own-state.js';

const run = (...inputs: OwnInput[]): OwnState => inputs.reduce(reduceOwn, EMPTY_OWN_STATE);
const wire = (state: OwnState) =>
  encodePdus(ownPdu('me', state)).map((bytes) => {
    const decoded = decodePdu(bytes);
    if (!decoded.ok) throw decoded.error;
    return { bytes, pdu: decoded.value };
  });

describe('own state', () => {
  it('never puts a private channel into a PDU, whatever the caller passes', () => {
    const state = run(
      { kind: 'nick', nick: 'ann' },
      { kind: 'memberships', memberships: [{ serverId: 's1', channels: ['@secret', '#open'] }, { serverId: 's2', channels: ['@only-private'] }] },
      { kind: 'server', server: { port: 50_000, channels: ['@mine', '#hosted', 'no-prefix'] } },
      { kind: 'invite', channel: '@private-party', clientIds: ['x'], sends: 3 },
      { kind: 'invite', channel: '#party', clientIds: ['x'], sends: 3 },
    );
    const datagrams = wire(state);
    const text = datagrams.map((d) => new TextDecoder().decode(d.bytes)).join('');
    expect(text).not.toContain('@');
    expect(datagrams[0]?.pdu.options).toEqual([
      { type: 'CLIENT_NICK', nick: 'ann' },
      { type: 'CLIENT_MEMBERSHIP', servers: [{ serverId: 's1', channels: ['#open'] }] },
      { type: 'SERVER_OPTION', port: 50_000 },
      { type: 'SERVER_CHANNELS', channels: ['#hosted'] },
      { type: 'SERVER_INVITE', channel: '#party', clientIds: ['x'] },
    ]);
  });

  it('filters private names even from a state built without the reducer', () => {
    const state: OwnState = {
      nick: undefined,
      memberships: [{ serverId: 's', channels: ['@x'] }],
      server: { port: 50_000, channels: ['@y'] },
      invites: [{ channel: '@z', clientIds: ['a'], remaining: 1 }],
    };
    expect(ownPdu('me', state).options).toEqual([{ type: 'SERVER_OPTION', port: 50_000 }]);
  });

  it('a client always carries CLIENT_MEMBERSHIP, empty after leaving everything', () => {
    expect(ownPdu('me', run({ kind: 'nick', nick: 'ann' })).options).toContainEqual({ type: 'CLIENT_MEMBERSHIP', servers: [] });
    expect(wire(run({ kind: 'nick', nick: 'ann' }))[0]?.pdu.options).toContainEqual({ type: 'CLIENT_MEMBERSHIP', servers: [] });
  });

  it('an invitation goes out in a fixed number of announcements, not forever', () => {
    let state = run({ kind: 'server', server: { port: 50_000, channels: [] } }, { kind: 'invite', channel: '#p', clientIds: ['a'], sends: 3 });
    const carried: boolean[] = [];
    for (let i = 0; i < 5; i++) {
      carried.push(ownPdu('me', state).options.some((o) => o.type === 'SERVER_INVITE'));
      state = reduceOwn(state, { kind: 'announced' });
    }
    expect(carried).toEqual([true, true, true, false, false]);
  });

  it('a long channel list is split over datagrams within the limit, none lost', () => {
    const channels = Array.from({ length: 600 }, (_, i) => `#channel-${i}`);
    const datagrams = wire(run({ kind: 'server', server: { port: 50_000, channels } }));
    expect(datagrams.length).toBeGreaterThan(1);
    for (const d of datagrams) expect(d.bytes.length).toBeLessThanOrEqual(1_400);
    const seen = datagrams.flatMap((d) => d.pdu.options.flatMap((o) => (o.type === 'SERVER_CHANNELS' ? o.channels : [])));
    expect(seen.sort()).toEqual([...channels].sort());
  });
});
