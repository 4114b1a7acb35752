/**
 * Group commit per event-loop turn (docs/protocol.md §6.2 STORE_UNAVAILABLE): a SAY's echo is its
 * author's acknowledgement, so it leaves only once the post is stored. The posts of one turn are
 * appended to the store, and from the first of them on every write and close the host makes (to
 * any connection, so each connection keeps its order) is held. At the end of the turn, before the
 * transport hands the turn's bytes to the sockets (`Transport.beforeFlush`), one commit writes them
 * all; then the held writes are released. When the commit fails, the turn's posts are taken back,
 * their broadcasts are dropped and each author gets STORE_UNAVAILABLE in place of its echo. A
 * private channel's admitted IDs (docs/protocol.md §8) go in the same commit; nothing is held for
 * them, and a failed commit queues them again for the next one (the list stays in memory meanwhile).
 */
import type { ClientCommand } from '@ims/codec';
import type { HostEffect, Post } from '@ims/channel-core';
import type { Connection, Transport } from '@ims/transport';
import { encodeFrame } from '@ims/codec';
import type { CommitResult, HistoryStore } from './history-store.js';
import type { StoreHealth } from './store-health.js';

/** Where held bytes go: a served connection. */
export interface Outlet {
  readonly conn: Connection<ClientCommand>;
}

/** A post of this turn waiting for the commit. */
export interface StagedPost<O extends Outlet> {
  readonly channel: string;
  readonly post: Post;
  /** The connection whose SAY made it; undefined for posts that did not come from a member here. */
  readonly author: O | undefined;
  /** Set when the commit failed: the broadcast is dropped. */
  failed: boolean;
  /** The author got its STORE_UNAVAILABLE. */
  answered: boolean;
}

/** What the owner supplies: raw delivery, taking a post back, the store's health and the clock. */
export interface TurnCommitHooks<O extends Outlet> {
  /** Hands bytes (`frames` frames, 1 unless said) to the connection, counting them. */
  deliver(to: O, bytes: Uint8Array, frames?: number): void;
  /** A post of a failed commit leaves the history; called before the held writes are released. */
  retract(channel: string, post: Post): void;
  readonly health: StoreHealth;
  now(): number;
}

/** What an author gets in place of the echo of a post that was not stored. */
const REFUSAL = encodeFrame({ cmd: 'ERROR', reason: 'STORE_UNAVAILABLE: the history cannot be written, post not stored; send it again later' });

/**
 * Posts of one turn that go to the very same members one after another (a channel's posts of the
 * turn, when nothing else went between them): their frames are joined once at the release, and each
 * member gets one write of them instead of one per post. At 50 members and 64 posts a turn, that is
 * 50 writes to queue and copy where it was 3,200.
 */
class Run<O extends Outlet> {
  readonly bytes: Uint8Array[];
  readonly tags: StagedPost<O>[];
  size: number;

  constructor(bytes: Uint8Array, tag: StagedPost<O>) {
    this.bytes = [bytes];
    this.tags = [tag];
    this.size = bytes.byteLength;
  }

  add(bytes: Uint8Array, tag: StagedPost<O>): void {
    this.bytes.push(bytes);
    this.tags.push(tag);
    this.size += bytes.byteLength;
  }

  /** The frames as one buffer (a Buffer: the socket takes it as it is). */
  join(): Buffer {
    const out = Buffer.allocUnsafe(this.size);
    let at = 0;
    for (const b of this.bytes) {
      out.set(b, at);
      at += b.byteLength;
    }
    return out;
  }
}

/** The held writes of one turn, in order, as parallel arrays (a fan-out holds one slot for all its members). */
export class TurnCommit<O extends Outlet> {
  private staged: StagedPost<O>[] = [];
  /** One connection, or every member of a fan-out (the same bytes to each). */
  private to: (O | readonly O[])[] = [];
  /** Bytes to deliver, a run of posts' frames to the same members, or the reason of a close. */
  private what: (Uint8Array | Run<O> | string)[] = [];
  private tags: (StagedPost<O> | undefined)[] = [];
  /** Admitted IDs of this turn, queued in the store too (to queue again if the commit fails). */
  private admittedIds: { readonly channel: string; readonly ids: readonly string[] }[] = [];
  /** The end-of-turn commit is arranged. */
  private armed = false;

  constructor(
    private readonly store: HistoryStore,
    private readonly transport: Transport,
    private readonly hooks: TurnCommitHooks<O>,
  ) {}

  /** True from the turn's first post until its commit: writes are held meanwhile. */
  get holding(): boolean {
    return this.staged.length > 0;
  }

  /** May a SAY reach the reducer now? No while the store fails, but for one probe post now and then. */
  admits(): boolean {
    return this.hooks.health.admits(this.hooks.now());
  }

  /** Answers a SAY refused before the reducer (the store fails), in its place in the connection's order. */
  refuse(to: O): void {
    this.hooks.health.refusedOne();
    this.write(to, REFUSAL);
  }

  /** Queues a post for this turn's commit; the first one arranges the commit at the end of the turn. */
  stage(channel: string, post: Post, author: O | undefined): StagedPost<O> {
    this.arm();
    const s: StagedPost<O> = { channel, post, author, failed: false, answered: false };
    this.staged.push(s);
    this.store.append(channel, post);
    return s;
  }

  /** Queues peer IDs admitted to a private channel for this turn's commit (a store without `admit` keeps no lists). */
  admit(channel: string, ids: readonly string[]): void {
    if (this.store.admit === undefined) return;
    this.store.admit(channel, ids);
    this.admittedIds.push({ channel, ids });
    this.arm();
  }

  private arm(): void {
    if (this.armed) return;
    this.armed = true;
    this.transport.beforeFlush(this.release);
  }

  /** Writes now, or holds the write while a commit is pending; `tag` marks the echo of a staged post. */
  write(to: O, bytes: Uint8Array, tag?: StagedPost<O>): void {
    if (!this.holding) return this.hooks.deliver(to, bytes);
    this.to.push(to);
    this.what.push(bytes);
    this.tags.push(tag);
  }

  /**
   * {@link write} of the same bytes to each of `to`, held as one slot: a fan-out costs one entry, not
   * one per member. A post's echo to the very members (the same array) the slot before went to joins
   * that slot's {@link Run}: nothing else was written in between, so every member's order is kept.
   */
  writeAll(to: readonly O[], bytes: Uint8Array, tag?: StagedPost<O>): void {
    if (!this.holding) {
      for (let i = 0; i < to.length; i++) this.hooks.deliver(to[i] as O, bytes);
      return;
    }
    const last = this.to.length - 1;
    if (tag !== undefined && last >= 0 && this.to[last] === to) {
      const prev = this.what[last] as Uint8Array | Run<O> | string;
      const prevTag = this.tags[last];
      if (prev instanceof Run) return prev.add(bytes, tag);
      if (prevTag !== undefined && typeof prev !== 'string') {
        const run = new Run<O>(prev, prevTag);
        run.add(bytes, tag);
        this.what[last] = run;
        return;
      }
    }
    this.to.push(to);
    this.what.push(bytes);
    this.tags.push(tag);
  }

  /** Closes now, or after the held writes to that connection went out. */
  close(to: O, reason: string): void {
    if (!this.holding) return to.conn.close(reason);
    this.to.push(to);
    this.what.push(reason);
    this.tags.push(undefined);
  }

  /** End of turn: commit, then release the held writes in order. Bound once: no closure per turn. */
  private readonly release = (): void => {
    const { staged, to, what, tags, admittedIds } = this;
    [this.staged, this.to, this.what, this.tags, this.admittedIds] = [[], [], [], [], []];
    this.armed = false;
    const result = this.commitSafely(staged.length);
    // Not armed again: the next commit (a post, an INVITE, stop's flush) takes them along.
    if (!result.ok) for (const a of admittedIds) this.store.admit?.(a.channel, a.ids);
    this.hooks.health.commitDone(result.ok, staged.length, this.hooks.now(), result.ok ? undefined : result.error);
    if (!result.ok) {
      for (const s of staged) s.failed = true;
      for (const s of staged) this.hooks.retract(s.channel, s.post);
    }
    for (let i = 0; i < to.length; i++) {
      const dest = to[i] as O | readonly O[];
      const item = what[i] as Uint8Array | Run<O> | string;
      const tag = tags[i];
      if (item instanceof Run) this.releaseRun(dest as readonly O[], item);
      else if (Array.isArray(dest)) this.releaseAll(dest as readonly O[], item as Uint8Array, tag);
      else if (typeof item === 'string') (dest as O).conn.close(item);
      else if (tag?.failed !== true) this.hooks.deliver(dest as O, item);
      else if (dest === tag.author) this.answer(tag);
    }
    // An author that was not among the recipients (it left in the same turn) still gets its answer.
    if (!result.ok) for (const s of staged) this.answer(s);
  };

  /** A run's frames as one write per member; if a post of it failed, post by post as {@link releaseAll} (the others still go out). */
  private releaseRun(dest: readonly O[], run: Run<O>): void {
    if (run.tags.some((t) => t.failed)) {
      for (let k = 0; k < run.bytes.length; k++) this.releaseAll(dest, run.bytes[k] as Uint8Array, run.tags[k]);
      return;
    }
    const bytes = run.join();
    const frames = run.bytes.length;
    const deliver = this.hooks.deliver;
    for (let j = 0; j < dest.length; j++) deliver(dest[j] as O, bytes, frames);
  }

  private releaseAll(dest: readonly O[], bytes: Uint8Array, tag: StagedPost<O> | undefined): void {
    if (tag?.failed === true) {
      if (tag.author !== undefined && dest.includes(tag.author)) this.answer(tag);
      return;
    }
    const deliver = this.hooks.deliver;
    for (let j = 0; j < dest.length; j++) deliver(dest[j] as O, bytes);
  }

  /** The contract says commit reports failures; a store that throws anyway is treated as failing. */
  private commitSafely(posts: number): CommitResult {
    try {
      return this.store.commit();
    } catch (error) {
      return { ok: false, posts, error };
    }
  }

  private answer(s: StagedPost<O>): void {
    if (s.answered || s.author === undefined) return;
    s.answered = true;
    this.hooks.deliver(s.author, REFUSAL);
  }
}

/** Is `e` the SAY broadcast of `post` (the echo its persist belongs with)? */
export function isEchoOf(e: HostEffect, post: Post): e is Extract<HostEffect, { kind: 'broadcast' }> {
  return e.kind === 'broadcast' && e.command.cmd === 'SAY' && e.command.authorId === post.authorId && e.command.text === post.text;
}
