/**
 * Moving journaled batches (post-journal.ts) into SQLite. Each import is one IMMEDIATE transaction
 * that inserts the batches' posts and admissions and records the last batch's serial for that
 * journal in `journal_state`, so importing again after a crash between the import and the rewind of
 * the journal skips what is already in: a batch goes in exactly once.
 */
import { readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { PostJournal, type JournalBatch, type ReadPost } from './post-journal.js';
import { SEGMENT_POSTS } from './post-segments.js';

/** Suffix of journal files in the data dir. */
export const JOURNAL_SUFFIX = '.journal';

/** One segment of `posts[from..to)`: the journal holds each post's bytes as a segment stores them, copied rather than encoded again. */
function segmentOf(posts: readonly ReadPost[], from: number, to: number): Buffer {
  let bytes = 0;
  for (let i = from; i < to; i++) bytes += (posts[i] as ReadPost).bodyEnd - (posts[i] as ReadPost).bodyAt;
  const out = Buffer.allocUnsafe(bytes);
  let at = 0;
  for (let i = from; i < to; i++) {
    const p = posts[i] as ReadPost;
    at += p.record.copy(out, at, p.bodyAt, p.bodyEnd);
  }
  return out;
}

/**
 * Inserts posts as segments: each channel's posts of the import, in order, in rows of up to
 * SEGMENT_POSTS; `onRow` sees each row's channel and post count. Of a channel with more than
 * `retain` posts in this import only its newest `retain` go in: the older ones are past the
 * retention already (those newer ones are kept in their place), and trimming would delete them
 * right after the import. A busy channel's import so writes and trims its retention, not its
 * traffic.
 */
function segmentInsert(db: Database.Database, onRow: (channel: string, posts: number) => void, retain: number): (posts: readonly ReadPost[]) => void {
  const stmt = db.prepare<[string, number, number, Buffer]>('INSERT INTO segments (channel, seq, count, data) VALUES (?, ?, ?, ?)');
  return (posts) => {
    const byChannel = new Map<string, ReadPost[]>();
    for (const p of posts) {
      const list = byChannel.get(p.channel);
      if (list) list.push(p);
      else byChannel.set(p.channel, [p]);
    }
    for (const [channel, list] of byChannel) {
      for (let i = Math.max(0, list.length - retain); i < list.length; i += SEGMENT_POSTS) {
        const end = Math.min(list.length, i + SEGMENT_POSTS);
        stmt.run(channel, (list[end - 1] as ReadPost).seq, end - i, segmentOf(list, i, end));
        onRow(channel, end - i);
      }
    }
  };
}

/**
 * Imports the batches of the journal `journal` not imported yet (serial above the recorded one) in
 * one transaction, records the last one's serial, and returns how many posts went in. Whoever
 * imports (the import thread, or the store's own connection at loads and close), a batch goes in once.
 */
export type ImportBatches = (journal: string, batches: readonly JournalBatch[]) => number;

/**
 * The import transaction for `db` (IMMEDIATE: the workers of a box share the file); `retain` is the
 * store's posts kept per channel (more than that of one channel in one import are not written).
 */
export function importer(db: Database.Database, onRow: (channel: string, posts: number) => void, retain = Number.POSITIVE_INFINITY): ImportBatches {
  const insert = segmentInsert(db, onRow, Math.max(1, retain));
  const admit = db.prepare<[string, string]>('INSERT OR IGNORE INTO admitted (channel, peer_id) VALUES (?, ?)');
  const mark = db.prepare<[string, number]>('INSERT INTO journal_state (name, serial) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET serial = excluded.serial');
  const recorded = db.prepare<[string], { serial: number }>('SELECT serial FROM journal_state WHERE name = ?');
  return db.transaction((journal: string, batches: readonly JournalBatch[]): number => {
    const done = recorded.get(journal)?.serial ?? 0;
    const last = batches.at(-1);
    if (last === undefined || last.serial <= done) return 0;
    const posts: ReadPost[] = [];
    for (const batch of batches) {
      if (batch.serial <= done) continue;
      for (const e of batch.entries) {
        if (e.kind === 'post') posts.push(e);
        else for (const id of e.ids) admit.run(e.channel, id);
      }
    }
    insert(posts);
    mark.run(journal, last.serial);
    return posts.length;
  }).immediate;
}

/** The serial last imported from the journal `name`, or 0. */
export function importedSerial(db: Database.Database, name: string): number {
  return db.prepare<[string], { serial: number }>('SELECT serial FROM journal_state WHERE name = ?').get(name)?.serial ?? 0;
}

/** What {@link recoverJournals} did. */
export interface Recovery {
  /** Posts imported from journals left by a previous run (killed before it imported them). */
  readonly posts: number;
  /** Journal files read. */
  readonly journals: number;
  /** The serial the own journal's next batch takes. */
  readonly nextSerial: number;
  /** The own journal's batches the database refused (a full disk at start): still in the journal, to be imported later. */
  readonly left: JournalBatch[];
  /** Why they were refused. */
  readonly failure?: unknown;
}

/**
 * At open: imports what journals of earlier runs hold beyond their recorded serial. The own
 * journal (`own`, a file name in `dir`) is cut to nothing afterwards; with `all`, every other
 * journal in `dir` is imported too and deleted (a box that ran with more workers, or a worker's
 * after a crash of the whole box). If the database refuses the own journal's batches (a server
 * killed on a full disk and restarted on it), they are returned in `left` and the journal goes on
 * after them: the server starts and serves them. Another journal the database refuses, or a file
 * system error, throws; nothing is cut or deleted before its posts are in.
 */
export function recoverJournals(db: Database.Database, dir: string, own: PostJournal, ownName: string, all: boolean, run: ImportBatches): Recovery {
  let posts = 0;
  let journals = 0;
  const take = (journal: PostJournal, name: string): number => {
    const done = importedSerial(db, name);
    const batches = journal.readAll();
    posts += run(name, batches);
    journals += 1;
    return Math.max(done, batches.at(-1)?.serial ?? 0);
  };
  if (all) {
    for (const file of readdirSync(dir)) {
      if (!file.endsWith(JOURNAL_SUFFIX) || file === `${ownName}${JOURNAL_SUFFIX}`) continue;
      const name = file.slice(0, -JOURNAL_SUFFIX.length);
      const other = new PostJournal(join(dir, file));
      try {
        take(other, name);
      } finally {
        other.close();
      }
      unlinkSync(join(dir, file));
      db.prepare<[string]>('DELETE FROM journal_state WHERE name = ?').run(name);
    }
  }
  let last: number;
  try {
    last = take(own, ownName);
  } catch (failure) {
    const done = importedSerial(db, ownName);
    const batches = own.readAll();
    const left = batches.filter((b) => b.serial > done);
    const end = batches.at(-1);
    if (left.length === 0 || end === undefined) throw failure;
    own.resumeAt(end.end);
    return { posts, journals: journals + 1, nextSerial: end.serial + 1, left, failure };
  }
  own.rewind(true);
  return { posts, journals, nextSerial: last + 1, left: [] };
}
