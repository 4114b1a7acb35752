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
let scheduled = false;

function flushAll(): void {
  scheduled = false;
  const batch = pending;
  pending = new Set();
  for (const f of batch) f.flush();
}

/** Queues `f.flush()` for the end of this event-loop turn (setImmediate: after all I/O callbacks of the turn). */
export function scheduleFlush(f: Flushable): void {
  pending.add(f);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flushAll);
  }
}

/** Removes `f` from the next flush (its socket is gone). */
export function cancelFlush(f: Flushable): void {
  pending.delete(f);
}
