import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ChatEvent } from './chat-event.js';
import { LazyChannel, type SessionEvent, type SessionLike } from './channel-handle.js';

function fakeSession() {
  const events = new Subject<SessionEvent>();
  const calls: string[] = [];
  /** What the session's reducer reports as pending. */
  const state = { pending: 0 };
  const session: SessionLike = {
    pendingCount: () => state.pending,
    events$: events.asObservable(),
    post: (t) => calls.push(`post:${t}`),
    invite: (ids) => calls.push(`invite:${ids.join(',')}`),
    exit: () => {
      calls.push('exit');
      events.next({ event: 'left', ts: 9, reason: 'exit' });
      events.complete();
      return Promise.resolve();
    },
  };
  return { session, events, calls, state };
}

const nicks: Record<string, string> = { a: 'alice', me: 'myself' };

function make() {
  const seen: ChatEvent[] = [];
  const handle = new LazyChannel('#r', 'me', (id) => nicks[id] ?? id, () => 5, (e) => seen.push(e), () => ['z'], (id) => id !== 'gone');
  const out: ChatEvent[] = [];
  handle.events$.subscribe((e) => out.push(e));
  return { handle, seen, out };
}

describe('LazyChannel', () => {
  it('queues posts until the session is attached and invites until joined, then sends them in order', () => {
    const { handle } = make();
    handle.post('one');
    handle.invite(['a']);
    handle.post('two');
    const { session, calls, events } = fakeSession();
    handle.attach(session);
    handle.post('three');
    handle.invite(['b']);
    expect(calls).toEqual(['post:one', 'post:two', 'post:three']);
    events.next({ event: 'joined', ts: 1, host: 'h' });
    handle.invite(['c']);
    expect(calls).toEqual(['post:one', 'post:two', 'post:three', 'invite:a', 'invite:b', 'invite:c']);
  });

  it('adds channel and nick to events, tracks members, and completes after left', async () => {
    const { handle, out, seen } = make();
    const { session, events } = fakeSession();
    handle.attach(session);
    events.next({ event: 'joined', ts: 1, host: 'h' });
    events.next({ event: 'history', ts: 2, author: 'a', text: 'old' });
    events.next({ event: 'standby', ts: 3, standby: 's', host: 'h' });
    events.next({ event: 'say', ts: 4, author: 'q', text: 'new' });
    expect(out[1]).toEqual({ event: 'history', ts: 2, author: 'a', nick: 'alice', text: 'old', channel: '#r' });
    expect(out[3]).toMatchObject({ nick: 'q', channel: '#r' });
    // Current members (issue 14): self, the announced ones and the standby; authors of a public channel are not members by posting.
    expect([...handle.members()].sort()).toEqual(['me', 's', 'z']);
    events.next({ event: 'standby', ts: 5, standby: 'h', host: 'h' });
    expect([...handle.members()].sort()).toEqual(['me', 'z']);
    await handle.exit();
    expect(out.at(-1)).toEqual({ event: 'left', ts: 9, reason: 'exit', channel: '#r' });
    expect(handle.isEnded).toBe(true);
    expect(seen).toEqual(out);
    handle.post('ignored after left');
  });

  it("names a history post's author by discovery's nick, else by the nick its host sent, and keeps the post time", () => {
    const { handle, out } = make();
    const { session, events } = fakeSession();
    handle.attach(session);
    events.next({ event: 'joined', ts: 1, host: 'h' });
    events.next({ event: 'history', ts: 2, author: 'a', text: 'x', postedAt: 100, authorNick: 'old-alice' });
    events.next({ event: 'history', ts: 2, author: 'gone-id', text: 'y', postedAt: 200, authorNick: 'ghost' });
    expect(out[1]).toEqual({ event: 'history', ts: 2, author: 'a', nick: 'alice', text: 'x', postedAt: 100, channel: '#r' });
    expect(out[2]).toEqual({ event: 'history', ts: 2, author: 'gone-id', nick: 'ghost', text: 'y', postedAt: 200, channel: '#r' });
  });

  it('counts the live authors still heard as members of a private channel (never announced)', () => {
    const handle = new LazyChannel('@p', 'me', (id) => id, () => 5, () => undefined, () => [], (id) => id !== 'gone');
    const { session, events } = fakeSession();
    handle.attach(session);
    events.next({ event: 'joined', ts: 1, host: 'h' });
    events.next({ event: 'history', ts: 2, author: 'old', text: 'x' });
    events.next({ event: 'say', ts: 3, author: 'a', text: 'y' });
    events.next({ event: 'say', ts: 4, author: 'gone', text: 'z' });
    expect([...handle.members()].sort()).toEqual(['a', 'me']);
  });

  it('exit before attach ends the handle at once and exits a session attached later', async () => {
    const { handle, out } = make();
    await handle.exit();
    expect(out).toEqual([{ event: 'left', ts: 5, reason: 'exit', channel: '#r' }]);
    const { session, calls } = fakeSession();
    handle.attach(session);
    expect(calls).toEqual(['exit']);
    expect(out).toHaveLength(1);
  });

  it('pending() counts posts queued before the session, then the session’s own count, and 0 once left', async () => {
    const { handle } = make();
    handle.post('one');
    handle.post('two');
    expect(handle.pending()).toBe(2);
    const { session, state } = fakeSession();
    handle.attach(session);
    // Handed to the session: now its reducer counts them.
    expect(handle.pending()).toBe(0);
    state.pending = 2;
    expect(handle.pending()).toBe(2);
    await handle.exit();
    expect(handle.pending()).toBe(0);
    const early = make().handle;
    early.post('never sent');
    early.fail('NO_HOST', 'nobody');
    expect(early.pending()).toBe(0);
  });

  it('fail() reports an error then left{lost}', () => {
    const { handle, out } = make();
    handle.fail('NO_HOST', 'nobody hosts #r');
    expect(out.map((e) => e.event)).toEqual(['error', 'left']);
    expect(out[1]).toMatchObject({ reason: 'lost' });
  });
});
