/**
 * Channel creations per remote address (docs/protocol.md §9): a token bucket of
 * `channelCreationBurst` tokens refilled at `channelCreationsPerSecond`, so a loop of JOINs of
 * fresh names cannot fill the host's channel table. A connection creates at most one channel (one
 * channel per connection), so the address is what is budgeted. Takeovers are not charged: a JOIN
 * of a name this host holds history or an admission list for (only its admitted may create it)
 * brings back a known channel. A new private channel also spends a token of a much smaller
 * budget (`privateCreationBurst`, `privateCreationsPerHour`): its admission list is kept for good
 * (docs/protocol.md §8), so throwaway private names would fill the host's table of them.
 */
import type { ConnState, HostContext } from './host-context.js';

/** Addresses whose buckets are remembered; the least recently used is forgotten beyond (a full bucket). */
export const MAX_BUDGETED_ADDRESSES = 65_536;

interface Bucket {
  tokens: number;
  at: number;
  /** Refusals since the last one that was logged at warn. */
  refused: number;
}

/** Per-address creation buckets of one host, for one kind of creation. */
export class CreateBudget {
  private readonly buckets = new Map<string, Bucket>();

  /** `rate`: tokens per ms; `burst`: bucket size. */
  constructor(private readonly limits: (ctx: HostContext) => { readonly rate: number; readonly burst: number }) {}

  /** Spends a token of `address`; false (and nothing spent) when it has none left. */
  take(ctx: HostContext, address: string): boolean {
    const { rate, burst } = this.limits(ctx);
    const now = ctx.now();
    let b = this.buckets.get(address);
    if (b === undefined) {
      b = { tokens: burst, at: now, refused: 0 };
      if (this.buckets.size >= MAX_BUDGETED_ADDRESSES) {
        const oldest = this.buckets.keys().next();
        if (oldest.done !== true) this.buckets.delete(oldest.value);
      }
    } else {
      this.buckets.delete(address);
      b.tokens = Math.min(burst, b.tokens + (now - b.at) * rate);
      b.at = now;
    }
    this.buckets.set(address, b);
    if (b.tokens < 1) {
      b.refused++;
      return false;
    }
    b.tokens -= 1;
    b.refused = 0;
    return true;
  }

  /** Whether this is the first refusal of an episode (logged at warn; the rest at debug, all counted). */
  firstRefusal(address: string): boolean {
    return this.buckets.get(address)?.refused === 1;
  }
}

/**
 * Whether the connection may create channel `name` (a JOIN of a name not live here). Refuses with
 * `CREATE_RATE` and closes otherwise: one warn line per episode, the rest at debug (all counted).
 */
export function mayCreate(ctx: HostContext, cs: ConnState, name: string, isPrivate: boolean): boolean {
  if (ctx.opts.channelCreationBurst === 0 || ctx.archive.has(name) || ctx.admissions.has(name)) return true;
  const address = cs.remote.address;
  const o = ctx.opts;
  if (isPrivate && !ctx.privateCreateBudget.take(ctx, address)) {
    return refuse(ctx, cs, name, ctx.privateCreateBudget, `${address} creates at most ${o.privateCreationBurst} private channels at once, then ${o.privateCreationsPerHour} an hour (each admission list is kept for good); reuse one or try later`);
  }
  if (ctx.createBudget.take(ctx, address)) return true;
  return refuse(ctx, cs, name, ctx.createBudget, `${address} creates at most ${o.channelCreationsPerSecond} channels a second (bursts of ${o.channelCreationBurst}); join an existing one or try later`);
}

function refuse(ctx: HostContext, cs: ConnState, name: string, budget: CreateBudget, message: string): false {
  ctx.send(cs.conn, { cmd: 'ERROR', reason: `CREATE_RATE: ${message}` });
  ctx.log(budget.firstRefusal(cs.remote.address) ? 'warn' : 'debug', 'refused', { conn: cs.conn, peer: ctx.peerOf(cs), channel: name, code: 'CREATE_RATE', message });
  ctx.close(cs, 'CREATE_RATE');
  return false;
}
