/**
 * A connection's writes of one turn, and the buffer they go out in. A fan-out of a turn of 64 posts
 * to 50 members makes 3,200 writes: growing a fresh list per member per turn (`length = 0` drops
 * an array's storage in V8) and a `Buffer.concat` per member were a quarter of the server's
 * allocations at fan-out (sampled heap profile, 2026-12-02), each of them garbage by the next turn.
 *
 * The list keeps its slots across turns and is cleared by count. The joined bytes go into one
 * buffer shared by all connections of the process, one batch after another: a batch the kernel
 * took whole during `socket.write` (the socket holds nothing afterwards) gives its bytes back at
 * once, so in the steady state every member's batch of every turn is copied into the same memory.
 * A batch the socket kept (a partial write, a socket still connecting) keeps its region: the next
 * batch goes after it, and a new shared buffer starts when this one is full.
 */

/** Size of the shared buffer; a batch larger than a quarter of it gets its own. */
const SHARED_BYTES = 256 * 1024;
/**
 * A list that held more writes than this in one turn is dropped, not kept for the next: a member
 * keeps at most 2 KiB of slots between turns (a burst of 1,000 posts to 5,000 members would
 * otherwise leave 40 MB of them), and a turn that large pays little for growing one again.
 */
const KEEP_SLOTS = 256;

let shared = Buffer.allocUnsafeSlow(SHARED_BYTES);
/** Start of the free part of `shared`: everything before it was kept by some socket. */
let sharedFree = 0;
/** The last batch joined into `shared`, until its write is known to be done with it. */
let lastJoined: Buffer | undefined;

/** Writes queued during one turn; the first needs no list (most connections get one write a turn). */
export class SendBatch {
  private first: Uint8Array | undefined;
  private list: (Uint8Array | undefined)[] | undefined;
  private count = 0;
  /** Bytes queued. */
  bytes = 0;

  get isEmpty(): boolean {
    return this.first === undefined;
  }

  add(chunk: Uint8Array): void {
    this.bytes += chunk.byteLength;
    if (this.first === undefined) {
      this.first = chunk;
      return;
    }
    // A store at the end appends; one below it reuses a slot of an earlier turn.
    const list = (this.list ??= []);
    if (this.count === 0) list[this.count++] = this.first;
    list[this.count++] = chunk;
  }

  /**
   * The batch as one buffer, and empties it. A buffer of several writes may be a view into the
   * shared buffer: pass it to {@link written} right after the `socket.write` that took it.
   */
  take(): Uint8Array | undefined {
    const first = this.first;
    if (first === undefined) return undefined;
    const total = this.bytes;
    const list = this.list;
    const count = this.count;
    this.first = undefined;
    this.bytes = 0;
    this.count = 0;
    if (list === undefined || count === 0) {
      // A turn of one write: no list kept, so an idle connection holds none.
      this.list = undefined;
      return first;
    }
    const out = joinInto(total);
    let at = 0;
    for (let i = 0; i < count; i++) {
      const chunk = list[i] as Uint8Array;
      out.set(chunk, at);
      at += chunk.byteLength;
      list[i] = undefined;
    }
    if (count > KEEP_SLOTS) this.list = undefined;
    return out;
  }

  /** Drops what is queued (the connection is going). */
  clear(): void {
    this.first = this.list = undefined;
    this.count = this.bytes = 0;
  }
}

/** Room for `n` bytes: in the shared buffer when it fits, else a buffer of its own. */
function joinInto(n: number): Buffer {
  if (n > SHARED_BYTES / 4) return Buffer.allocUnsafe(n);
  if (sharedFree + n > SHARED_BYTES) {
    shared = Buffer.allocUnsafeSlow(SHARED_BYTES);
    sharedFree = 0;
  }
  // Buffer.from(arrayBuffer, ...) builds the view directly; subarray() looks up a species constructor first.
  lastJoined = Buffer.from(shared.buffer, shared.byteOffset + sharedFree, n);
  return lastJoined;
}

/**
 * Call right after `socket.write(data)` with what the socket still holds (`writableLength`): when
 * it holds nothing, the kernel took `data` whole and its region of the shared buffer is free again;
 * otherwise the socket keeps a reference to it and the region stays taken.
 */
export function written(data: Uint8Array, socketHolds: number): void {
  if (data !== lastJoined) return;
  lastJoined = undefined;
  if (socketHolds > 0) sharedFree += data.byteLength;
}
