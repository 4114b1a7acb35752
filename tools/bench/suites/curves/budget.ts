/**
 * A time budget per curve point: past it the point's servers are stopped (so its waits fail
 * fast), it is reported as over budget, and the curve goes on with the next point.
 */
import { performance } from 'node:perf_hooks';
import { stopTarget, type Target } from '../server/proc.js';

/** A point's outcome: its result, or why it has none. */
export type PointOutcome<T> = { readonly ok: true; readonly value: T; readonly seconds: number } | { readonly ok: false; readonly why: string; readonly seconds: number };

/** What the budget timer's side of the race resolves to. */
const OVER = Symbol('over budget');

/**
 * Run `work` with `budgetMs`; `work` gets `own` to register the servers it starts (stopped when
 * the budget runs out) and the budget's deadline (a `performance.now()` time) for its own waits.
 */
export async function withBudget<T>(budgetMs: number, work: (own: (t: Target) => void, deadline: number) => Promise<T>): Promise<PointOutcome<T>> {
  const t0 = performance.now();
  const owned: Target[] = [];
  const running = work((t) => void owned.push(t), t0 + budgetMs);
  let timer: NodeJS.Timeout | undefined;
  const over = new Promise<typeof OVER>((resolve) => (timer = setTimeout(() => resolve(OVER), budgetMs)));
  const seconds = (): number => (performance.now() - t0) / 1000;
  try {
    const r = await Promise.race([running, over]);
    if (r !== OVER) return { ok: true, value: r as T, seconds: seconds() };
    await Promise.all(owned.map((t) => stopTarget(t)));
    // The work now fails on its closed sockets or its own timeouts; wait for it so points never overlap.
    await running.catch(() => undefined);
    return { ok: false, why: `over budget (${Math.round(budgetMs / 1000)} s)`, seconds: seconds() };
  } catch (err) {
    return { ok: false, why: `failed: ${(err as Error).message.split('\n')[0] ?? String(err)}`, seconds: seconds() };
  } finally {
    clearTimeout(timer);
  }
}
