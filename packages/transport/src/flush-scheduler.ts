/**
 * One flush per event-loop turn for all connections: writes made while handling incoming chunks
 * (a fan-out touches every member) are collected and each connection's batch goes out in a single
 * socket.write. A relay that writes once per member per message is an order of magnitude slower.
 */

/** Something with queued bytes to write at the end of the turn. */
export interface Flushable {
  flush(): void;
}

let pending = new Set<Flushable>();
let before: (() => void)[] = [];
let after: (() => void)[] = [];
let scheduled = false;

function flushAll(): void {
  scheduled = false;
  // Before-callbacks may still write (a host releases the echoes it held until their posts were
  // stored): those writes join this turn's batch.
  const first = before;
  before = [];
  for (const cb of first) cb();
  const batch = pending;
  const callbacks = after;
  pending = new Set();
  after = [];
  for (const f of batch) f.flush();
  for (const cb of callbacks) cb();
}

function schedule(): void {
  if (!scheduled) {
    scheduled = true;
    setImmediate(flushAll);
  }
}

/** Queues `f.flush()` for the end of this event-loop turn (setImmediate: after all I/O callbacks of the turn). */
export function scheduleFlush(f: Flushable): void {
  pending.add(f);
  schedule();
}

/** Runs `cb` once at the end of this turn, after every I/O callback of the turn and before its queued batches go to the sockets. */
export function beforeFlush(cb: () => void): void {
  before.push(cb);
  schedule();
}

/** Runs `cb` once, right after the next end-of-turn flush has handed every queued batch to its socket. */
export function afterFlush(cb: () => void): void {
  after.push(cb);
  schedule();
}

/** Removes `f` from the next flush (its socket is gone). */
export function cancelFlush(f: Flushable): void {
  pending.delete(f);
}
