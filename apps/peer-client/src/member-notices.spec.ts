import type { PeerEvent, PeerInfo } from '@ims/discovery';
import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { formatNotice, NoticeTracker, QUIT_GRACE_MS, type Notice } from './member-notices.js';

const peer = (id: string, channels: string[] = []): PeerInfo => ({
  id,
  address: '127.0.0.1',
  nick: id,
  memberships: channels.length > 0 ? [{ serverId: 'h', channels }] : [],
  server: undefined,
  channels: [],
  isDedicatedServer: false,
  state: 'alive',
  lastSeen: 0,
});
const member = (peerId: string, channels: string[], serverId = 'h'): PeerEvent => ({
  kind: 'membershipsChanged',
  at: 0,
  peerId,
  memberships: channels.length > 0 ? [{ serverId, channels }] : [],
});

function setup(joined = ['#ops']) {
  const scheduler = new VirtualTimeScheduler();
  const out: Notice[] = [];
  const tracker = new NoticeTracker({ watching: (c) => joined.includes(c), emit: (n) => out.push(n), clock: () => 7, scheduler });
  const kinds = (): string[] => out.filter((n) => n.kind !== 'stopped').map((n) => `${n.kind}:${n.peer}:${'channel' in n ? n.channel : 'channels' in n ? n.channels.join(',') : n.nick}`);
  return { scheduler, tracker, out, kinds };
}

describe('NoticeTracker', () => {
  it('a membership that appears is a join; one that goes is a part once the quit grace has passed', () => {
    const { scheduler, tracker, kinds } = setup();
    tracker.handle({ kind: 'appeared', at: 0, peer: peer('old', ['#ops']) });
    tracker.handle({ kind: 'appeared', at: 0, peer: peer('bob') });
    tracker.handle(member('bob', ['#ops', '#elsewhere']));
    expect(kinds()).toEqual(['join:bob:#ops']);
    tracker.handle(member('bob', ['#elsewhere']));
    expect(kinds()).toEqual(['join:bob:#ops']);
    scheduler.flush();
    expect(kinds()).toEqual(['join:bob:#ops', 'part:bob:#ops']);
    expect(scheduler.now()).toBe(QUIT_GRACE_MS);
  });

  it('a part followed by the withdrawal of the host (or in the same PDU) is a clean quit', () => {
    const { scheduler, tracker, kinds } = setup(['#ops', '#dev']);
    tracker.handle({ kind: 'appeared', at: 0, peer: peer('bob', ['#ops', '#dev']) });
    tracker.handle(member('bob', []));
    tracker.handle({ kind: 'serverChanged', at: 0, peerId: 'bob', server: undefined });
    scheduler.flush();
    expect(kinds()).toEqual(['quit:bob:#ops,#dev']);
    tracker.handle({ kind: 'appeared', at: 0, peer: peer('ann', ['#ops']) });
    tracker.handle({ kind: 'serverChanged', at: 0, peerId: 'ann', server: undefined });
    tracker.handle(member('ann', []));
    expect(kinds().at(-1)).toBe('quit:ann:#ops');
  });

  it('a member that goes silent quit without a word; a failover that moves its membership is no notice', () => {
    const { tracker, out, kinds } = setup();
    tracker.handle({ kind: 'appeared', at: 0, peer: peer('bob', ['#ops']) });
    tracker.handle(member('bob', ['#ops'], 'new-host'));
    expect(kinds()).toEqual([]);
    tracker.handle({ kind: 'disconnected', at: 0, peerId: 'bob' });
    tracker.handle({ kind: 'gone', at: 0, peerId: 'bob', reason: 'silent' });
    expect(kinds()).toEqual(['quit:bob:#ops']);
    expect(out[0]).toMatchObject({ clean: false });
  });

  it('a quick rejoin is neither part nor join; nick changes of members are told, of strangers not', () => {
    const { scheduler, tracker, kinds } = setup();
    tracker.handle({ kind: 'appeared', at: 0, peer: peer('bob', ['#ops']) });
    tracker.handle(member('bob', []));
    tracker.handle(member('bob', ['#ops']));
    scheduler.flush();
    tracker.handle({ kind: 'nickChanged', at: 0, peerId: 'bob', previous: 'bob', nick: 'robert' });
    tracker.handle({ kind: 'nickChanged', at: 0, peerId: 'eve', previous: 'eve', nick: 'mallory' });
    expect(kinds()).toEqual(['nick:bob:robert']);
  });

  it('renders IRC-style lines by nick', () => {
    const name = (id: string): string => `<${id}>`;
    expect(formatNotice({ kind: 'join', ts: 0, channel: '#ops', peer: 'b' }, name, 't')).toBe('[t] -> <b> joined #ops');
    expect(formatNotice({ kind: 'part', ts: 0, channel: '#ops', peer: 'b' }, name, 't')).toBe('[t] <- <b> left #ops');
    expect(formatNotice({ kind: 'quit', ts: 0, channels: ['#ops'], peer: 'b', clean: true }, name, 't')).toBe('[t] <- <b> quit (#ops)');
    expect(formatNotice({ kind: 'quit', ts: 0, channels: ['#ops'], peer: 'b', clean: false }, name, 't')).toMatch(/<b> is gone: no announcement/);
    expect(formatNotice({ kind: 'nick', ts: 0, peer: 'b', previous: 'bob', nick: 'rob' }, name, 't')).toBe('[t] -- bob is now known as rob');
    expect(formatNotice({ kind: 'stopped', ts: 0, peer: 'b' }, name, 't')).toBeUndefined();
  });
});
