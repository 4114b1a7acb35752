/**
 * The extra fields of history SAYs (docs/protocol.md §2.8: the post time, the author's nick), kept
 * from their frame until the member reducer publishes the post: it publishes a join's history only
 * once the STANDBY has come, and only the posts not shown before.
 */
import type { ServerSayCommand } from '@ims/codec';

/** Extras kept at most (a host's whole history is 1,000 posts by default). */
const MAX_EXTRAS = 10_000;

/** What a published `history` event gains. */
export interface SayExtras {
  readonly postedAt?: number;
  readonly authorNick?: string;
}

/** History SAY extras of one connection, by author and text, oldest first. */
export class HistoryExtras {
  private readonly byPost = new Map<string, { at: number; nick: string | undefined }[]>();
  private count = 0;

  /** Keeps the extras of a SAY that has a time (a history SAY of an ims host). */
  keep(say: ServerSayCommand): void {
    if (say.at === undefined || this.count >= MAX_EXTRAS) return;
    const key = `${say.authorId}\u0000${say.text}`;
    const list = this.byPost.get(key);
    if (list) list.push({ at: say.at, nick: say.nick });
    else this.byPost.set(key, [{ at: say.at, nick: say.nick }]);
    this.count++;
  }

  /** The extras of the oldest kept SAY with this author and text (removed), else none. */
  take(author: string, text: string): SayExtras {
    const key = `${author}\u0000${text}`;
    const list = this.byPost.get(key);
    const e = list?.shift();
    if (e === undefined) return {};
    this.count--;
    if (list?.length === 0) this.byPost.delete(key);
    return e.nick === undefined ? { postedAt: e.at } : { postedAt: e.at, authorNick: e.nick };
  }

  /** Forgets everything (a new connection replays its own history). */
  clear(): void {
    this.byPost.clear();
    this.count = 0;
  }
}
