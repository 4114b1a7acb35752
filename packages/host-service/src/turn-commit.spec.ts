import { describe, expect, it } from 'vitest';
import { createLogger } from '@ims/app-kit';
import type { Post } from '@ims/channel-core';
import { type ClientCommand, type ServerCommand, clientSideDecoder, encodeFrame } from '@ims/codec';
import type { Connection, Transport } from '@ims/transport';
import { FakeStore } from '../test/fake-store.js';
import { StoreHealth } from './store-health.js';
import { TurnCommit, type Outlet } from './turn-commit.js';

/** A member: what it was handed, write by write, with the frame count the owner was told. */
interface Member extends Outlet {
  readonly name: string;
  readonly writes: { bytes: Uint8Array; frames: number }[];
  closed: string | undefined;
}

function member(name: string): Member {
  const m: Member = {
    name,
    writes: [],
    closed: undefined,
    conn: { close: (why: string) => void (m.closed = why) } as unknown as Connection<ClientCommand>,
  };
  return m;
}

/** What a member decodes from everything it was handed: one line per frame. */
function frames(m: Member): string[] {
  const dec = clientSideDecoder();
  return m.writes.flatMap((w) =>
    dec.push(w.bytes).map((r) => {
      if (!r.ok) throw new Error(`bad frame: ${r.error.message}`);
      const c: ServerCommand = r.value;
      return c.cmd === 'SAY' ? `SAY ${c.text}` : c.cmd === 'ERROR' ? `ERROR ${c.reason.split(':')[0]}` : c.cmd;
    }),
  );
}

/** A TurnCommit on a FakeStore, with the end of turn run by hand. */
function setup() {
  const store = new FakeStore();
  let endOfTurn: (() => void)[] = [];
  const transport = { beforeFlush: (cb: () => void) => endOfTurn.push(cb) } as unknown as Transport;
  const health = new StoreHealth(createLogger({ level: 'error', stream: { write: () => undefined } }));
  const retracted: string[] = [];
  const turn = new TurnCommit<Member>(store, transport, {
    deliver: (to, bytes, n = 1) => to.writes.push({ bytes, frames: n }),
    retract: (_channel, post) => retracted.push(post.text),
    health,
    now: () => 0,
  });
  const endTurn = (): void => {
    const cbs = endOfTurn;
    endOfTurn = [];
    for (const cb of cbs) cb();
  };
  /** A post by `author` to `to` (the same array for the same member list, as the reducer hands it out). */
  const post = (to: readonly Member[], author: Member, text: string): void => {
    const p: Post = { authorId: author.name, text, at: 0 };
    turn.writeAll(to, encodeFrame({ cmd: 'SAY', authorId: author.name, text }), turn.stage('#c', p, author));
  };
  return { store, turn, endTurn, post, retracted };
}

describe('TurnCommit: runs of posts to the same members', () => {
  it('hands each member one write of a turn\'s posts to the same member list, counted as their frames', () => {
    const { turn, endTurn, post, store } = setup();
    const [a, b, c] = [member('a'), member('b'), member('c')];
    const all = [a, b, c];
    post(all, a, 'one');
    post(all, b, 'two');
    post(all, a, 'three');
    expect(a.writes).toEqual([]);
    endTurn();
    expect(store.commits).toEqual([3]);
    for (const m of all) {
      expect(m.writes.map((w) => w.frames)).toEqual([3]);
      expect(frames(m)).toEqual(['SAY one', 'SAY two', 'SAY three']);
    }
    // Every member got the very same buffer: joined once, not per member.
    expect(b.writes[0]?.bytes).toBe(a.writes[0]?.bytes);
    expect(turn.holding).toBe(false);
  });

  it('does not join across a write to one of them, a close, or another member list, so every member keeps its order', () => {
    const { turn, endTurn, post } = setup();
    const [a, b] = [member('a'), member('b')];
    const ab = [a, b];
    post(ab, a, 'p1');
    turn.write(b, encodeFrame({ cmd: 'ERROR', reason: 'FLOOD: slow down' }));
    post(ab, a, 'p2');
    // The same members in a new array (the membership changed and changed back): not the same slot.
    post([a, b], b, 'p3');
    post(ab, b, 'p4');
    turn.close(a, 'exit');
    post([b], b, 'p5');
    endTurn();
    expect(frames(a)).toEqual(['SAY p1', 'SAY p2', 'SAY p3', 'SAY p4']);
    expect(a.closed).toBe('exit');
    expect(frames(b)).toEqual(['SAY p1', 'ERROR FLOOD', 'SAY p2', 'SAY p3', 'SAY p4', 'SAY p5']);
    expect(a.writes.map((w) => w.frames)).toEqual([1, 1, 1, 1]);
  });

  it('never joins a broadcast that is no post (a STANDBY) with the posts around it', () => {
    const { turn, endTurn, post } = setup();
    const [a, b] = [member('a'), member('b')];
    const ab = [a, b];
    post(ab, a, 'before');
    turn.writeAll(ab, encodeFrame({ cmd: 'STANDBY', peerId: 'b' }));
    post(ab, a, 'after');
    post(ab, b, 'after 2');
    endTurn();
    expect(frames(b)).toEqual(['SAY before', 'STANDBY', 'SAY after', 'SAY after 2']);
    expect(b.writes.map((w) => w.frames)).toEqual([1, 1, 2]);
  });

  it('when the commit fails, drops the run and answers the author of each post in its place', () => {
    const { store, endTurn, post, retracted } = setup();
    const [a, b, c] = [member('a'), member('b'), member('c')];
    const all = [a, b, c];
    store.failing = true;
    post(all, a, 'lost 1');
    post(all, b, 'lost 2');
    post(all, a, 'lost 3');
    endTurn();
    expect(retracted).toEqual(['lost 1', 'lost 2', 'lost 3']);
    expect(frames(a)).toEqual(['ERROR STORE_UNAVAILABLE', 'ERROR STORE_UNAVAILABLE']);
    expect(frames(b)).toEqual(['ERROR STORE_UNAVAILABLE']);
    expect(frames(c)).toEqual([]);
  });
});
