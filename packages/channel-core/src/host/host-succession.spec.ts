/** Succession and suspicion on the host side (docs/protocol.md §2.8, §5.1–5.3). */
import { describe, expect, it } from 'vitest';
import { MAX_SUCCESSORS } from '@ims/codec';
import { harness, noLogs, peer, received } from './host-harness.js';

const standbys = (fx: ReturnType<ReturnType<typeof harness>['join']>) =>
  noLogs(fx).flatMap((e) => (e.kind === 'broadcast' && e.command.cmd === 'STANDBY' ? [e.command] : []));

describe('host: successors in STANDBY', () => {
  it('names the members that can host after the standby, in the choice order, never the host', () => {
    const h = harness();
    h.peers(peer('H', { canHost: true }), peer('a', { canHost: true }), peer('b', { canHost: true, dedicated: true }), peer('c', { canHost: true, hostedChannels: 1 }), peer('x'));
    h.join('c0', '#a', 'H');
    h.join('c1', '#a', 'a');
    h.join('c2', '#a', 'x');
    h.join('c3', '#a', 'c');
    const fx = h.join('c4', '#a', 'b');
    // b is dedicated: it becomes the standby and a (fewer channels than c) the first successor.
    expect(received(fx, 'c4')).toEqual([{ cmd: 'STANDBY', peerId: 'b', successors: ['a', 'c'] }]);
    expect(h.host.snapshot().channels[0]).toMatchObject({ standby: 'b', successors: ['a', 'c'] });
  });

  it(`keeps at most MAX_SUCCESSORS (${MAX_SUCCESSORS}), the best ones`, () => {
    const h = harness();
    const ids = Array.from({ length: MAX_SUCCESSORS + 3 }, (_, i) => `m${String(i).padStart(2, '0')}`);
    h.peers(...ids.map((id) => peer(id, { canHost: true })));
    for (const id of ids) h.join(`c-${id}`, '#a', id);
    expect(h.host.snapshot().channels[0]).toMatchObject({ standby: 'm00', successors: ids.slice(1, 1 + MAX_SUCCESSORS) });
  });

  it('re-sends STANDBY when a successor leaves, with the next one moved up', () => {
    const h = harness();
    h.peers(...['a', 'b', 'c', 'd'].map((id) => peer(id, { canHost: true })));
    for (const id of ['a', 'b', 'c', 'd']) h.join(`c-${id}`, '#a', id);
    expect(noLogs(h.frame('c-b', { cmd: 'EXIT' }))).toEqual([
      { kind: 'broadcast', conns: ['c-a', 'c-c', 'c-d'], command: { cmd: 'STANDBY', peerId: 'a', successors: ['c', 'd'] } },
      { kind: 'close', conn: 'c-b', reason: 'exit' },
    ]);
  });

  it('a member that is not a successor leaving announces nothing', () => {
    const h = harness();
    h.peers(peer('a', { canHost: true }));
    h.join('c-a', '#a', 'a');
    h.join('c-x', '#a', 'x');
    expect(noLogs(h.closed('c-x'))).toEqual([]);
  });

  it('the standby leaving: the first successor takes its place', () => {
    const h = harness();
    h.peers(...['a', 'b', 'c'].map((id) => peer(id, { canHost: true })));
    for (const id of ['a', 'b', 'c']) h.join(`c-${id}`, '#a', id);
    expect(noLogs(h.closed('c-a'))).toEqual([{ kind: 'broadcast', conns: ['c-b', 'c-c'], command: { cmd: 'STANDBY', peerId: 'b', successors: ['c'] } }]);
  });

  it('chooses the successors again when a member stops qualifying or its order changes, keeping the standby', () => {
    const h = harness();
    h.peers(...['a', 'b', 'c'].map((id) => peer(id, { canHost: true })));
    for (const id of ['a', 'b', 'c']) h.join(`c-${id}`, '#a', id);
    expect(noLogs(h.peers(peer('a', { canHost: true }), peer('b', { canHost: true, hostedChannels: 4 }), peer('c', { canHost: true })))).toEqual([
      { kind: 'broadcast', conns: ['c-a', 'c-b', 'c-c'], command: { cmd: 'STANDBY', peerId: 'a', successors: ['c', 'b'] } },
    ]);
    expect(noLogs(h.peers(peer('a', { canHost: true }), peer('b', { canHost: true, hostedChannels: 4 })))).toEqual([
      { kind: 'broadcast', conns: ['c-a', 'c-b', 'c-c'], command: { cmd: 'STANDBY', peerId: 'a', successors: ['b'] } },
    ]);
  });

  it('a successor joining late enters the list at its place without a full re-pick', () => {
    const h = harness();
    h.peers(peer('a', { canHost: true, hostedChannels: 1 }), peer('b', { canHost: true, hostedChannels: 2 }), peer('z', { canHost: true }));
    h.join('c-a', '#a', 'a');
    h.join('c-b', '#a', 'b');
    // z hosts nothing: better than a, so it becomes the standby and a the first successor.
    expect(standbys(h.join('c-z', '#a', 'z'))).toEqual([{ cmd: 'STANDBY', peerId: 'z', successors: ['a', 'b'] }]);
  });
});

describe('host: suspicion is not death (docs/protocol.md §5.1)', () => {
  it('keeps a suspected standby and successor; replaces them once disconnected', () => {
    const h = harness();
    h.peers(peer('a', { canHost: true }), peer('b', { canHost: true }), peer('c', { canHost: true }));
    for (const id of ['a', 'b', 'c']) h.join(`c-${id}`, '#a', id);
    expect(noLogs(h.peers(peer('a', { canHost: true, suspected: true }), peer('b', { canHost: true, suspected: true }), peer('c', { canHost: true })))).toEqual([]);
    expect(h.host.snapshot().channels[0]).toMatchObject({ standby: 'a', successors: ['b', 'c'] });
    expect(noLogs(h.peers(peer('a', { canHost: true, alive: false }), peer('b', { canHost: true, suspected: true }), peer('c', { canHost: true })))).toEqual([
      // A new pick prefers a member that is not suspected: c before b.
      { kind: 'broadcast', conns: ['c-a', 'c-b', 'c-c'], command: { cmd: 'STANDBY', peerId: 'c', successors: ['b'] } },
    ]);
  });

  it('picks a suspected member when no other qualifies', () => {
    const h = harness();
    h.peers(peer('a', { canHost: true, suspected: true }));
    h.join('c-x', '#a', 'x');
    expect(standbys(h.join('c-a', '#a', 'a'))).toEqual([{ cmd: 'STANDBY', peerId: 'a' }]);
  });

  it('announces a channel again once the smaller host it yielded to is suspected (announcing is no role)', () => {
    const h = harness({ hostId: 'M' });
    h.join('c1', '#a', 'u');
    const winner = peer('A', { canHost: true, channels: ['#a'] });
    expect(noLogs(h.peers(winner))).toEqual([{ kind: 'channels', public: [] }]);
    // A takeover host must be findable by newcomers while the dead host fades out of discovery.
    expect(noLogs(h.peers({ ...winner, suspected: true }))).toEqual([{ kind: 'channels', public: ['#a'] }]);
    expect(noLogs(h.peers(winner))).toEqual([{ kind: 'channels', public: [] }]);
  });
});
