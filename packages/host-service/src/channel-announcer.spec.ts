import { afterEach, describe, expect, it } from 'vitest';
import { ChannelAnnouncer } from './channel-announcer.js';
import { fakeDiscovery } from '../test/fake-discovery.js';
import { hostWorld, stopAll } from '../test/host-world.js';
import { isStandby } from '../test/memory-client.js';

afterEach(stopAll);

/** A turn whose end the test runs by hand. */
function manualTurn() {
  const callbacks: (() => void)[] = [];
  return { turn: { beforeFlush: (cb: () => void) => void callbacks.push(cb) }, end: () => callbacks.splice(0).forEach((cb) => cb()), callbacks };
}

describe('ChannelAnnouncer', () => {
  it('announces only the last list of a turn, once, at its end', () => {
    const t = manualTurn();
    const sent: (readonly string[])[] = [];
    const a = new ChannelAnnouncer(t.turn, (c) => sent.push(c));
    a.set(['#a']);
    a.set(['#a', '#b']);
    a.set(['#a', '#b', '#c']);
    expect(sent).toEqual([]);
    expect(t.callbacks).toHaveLength(1);
    t.end();
    expect(sent).toEqual([['#a', '#b', '#c']]);
    a.set(['#b']);
    t.end();
    expect(sent).toEqual([['#a', '#b', '#c'], ['#b']]);
  });

  it('flush() announces the pending list at once and the turn end adds nothing; drop() forgets it', () => {
    const t = manualTurn();
    const sent: (readonly string[])[] = [];
    const a = new ChannelAnnouncer(t.turn, (c) => sent.push(c));
    a.set(['#a']);
    a.flush();
    a.flush();
    t.end();
    expect(sent).toEqual([['#a']]);
    a.set(['#a', '#b']);
    a.drop();
    t.end();
    expect(sent).toEqual([['#a']]);
  });
});

describe('host service: public channel lists', () => {
  it('channels opened in one turn make one announcement listing them all; a closed one is announced gone', async () => {
    const w = hostWorld();
    const d = fakeDiscovery();
    const svc = await w.start({}, { discovery: d.discovery });
    const clients = await Promise.all(['#a', '#b', '#c'].map(() => w.client(svc)));
    d.servers.length = 0;
    clients.forEach((c, i) => c.send({ cmd: 'JOIN', channel: ['#a', '#b', '#c'][i] as string, clientId: `m${i}` }));
    await Promise.all(clients.map((c) => c.next(isStandby)));
    expect(d.servers.at(-1)).toEqual({ port: svc.endpoint.port, channels: ['#a', '#b', '#c'] });
    expect(d.servers.length).toBeLessThan(3);
    clients[1]?.send({ cmd: 'EXIT' });
    await clients[1]?.waitClosed();
    await w.vt.advance(1);
    expect(d.servers.at(-1)).toEqual({ port: svc.endpoint.port, channels: ['#a', '#c'] });
  });

  it('an invitation to a channel opened in the same turn comes after the list that announces it', async () => {
    const w = hostWorld();
    const calls: string[] = [];
    const d = fakeDiscovery();
    const discovery = { ...d.discovery, setServer: (s: { channels: readonly string[] } | undefined) => void calls.push(`server ${s?.channels.join(',')}`), invite: (c: string) => void calls.push(`invite ${c}`) };
    const svc = await w.start({}, { discovery });
    // A SERVER_INVITE names only peers discovery knows (on-invite.ts).
    d.peers$.next([{ id: 'bob', address: '10.0.0.2', nick: 'bob', server: undefined, channels: [], isDedicatedServer: false, state: 'alive' }]);
    const alice = await w.client(svc);
    alice.send({ cmd: 'JOIN', channel: '#new', clientId: 'alice' }, { cmd: 'INVITE', clientIds: ['bob'] });
    await alice.next(isStandby);
    await w.vt.advance(1);
    expect(calls.slice(1)).toEqual(['server #new', 'invite #new']);
  });
});
