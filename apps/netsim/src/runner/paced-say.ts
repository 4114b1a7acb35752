/**
 * A `say` with a `rate`: each author types its posts at that pace in the background, so faults can
 * hit in the middle of a burst. The log marks each author's burst (`burst` … `burst-end`), so the
 * `delivered` condition knows posts are still to come.
 */
import { firstValueFrom, fromEvent, race, timer, of } from 'rxjs';
import type { Step } from '../scenario/types.js';
import type { BackgroundTask } from './background.js';
import type { EventLog } from './event-log.js';
import type { HostManager } from './host-manager.js';
import { typePost } from './post-text.js';
import type { CheckOutcome } from './result.js';

type SayStep = Extract<Step, { kind: 'say' }>;

/** Starts typing `step`'s posts at `step.rate` per second per author. */
export function startPacedSay(step: SayStep, rate: number, log: EventLog, hosts: HostManager, signal: AbortSignal): BackgroundTask {
  const stopped = new AbortController();
  const both = AbortSignal.any([signal, stopped.signal]);
  const authors = [...new Set(step.posts.map((p) => p.from))];
  const plan = authors.flatMap((from) => step.posts.filter((p) => p.from === from).map((p, k) => ({ ...p, dueMs: (k * 1000) / rate })));
  plan.sort((a, b) => a.dueMs - b.dueMs);
  for (const a of authors) log.push(a, 'netsim', 'burst', { line: step.line, posts: step.posts.filter((p) => p.from === a).length, rate });
  const run = async (): Promise<CheckOutcome | undefined> => {
    const t0 = Date.now();
    const failedAuthors = new Set<string>();
    const problems: string[] = [];
    for (const p of plan) {
      const wait = t0 + p.dueMs - Date.now();
      // Pacing is the step's purpose here, not synchronisation: the posts are due at these times.
      if (wait > 0) await firstValueFrom(race(timer(wait), both.aborted ? of(0) : fromEvent(both, 'abort')));
      if (both.aborted) break;
      if (failedAuthors.has(p.from)) continue;
      if (!typePost(log, hosts, p.from, p.text)) {
        failedAuthors.add(p.from);
        problems.push(`${p.from} is not running: its burst stopped at ${JSON.stringify(p.text)}`);
      }
    }
    for (const a of authors) log.push(a, 'netsim', 'burst-end', { line: step.line, ...(both.aborted ? { stopped: true } : {}) });
    return problems.length === 0 ? undefined : { name: `say (line ${step.line})`, line: step.line, ok: false, problems };
  };
  const done = run();
  return {
    done,
    awaitAtEnd: true,
    async stop() {
      stopped.abort();
      await done;
    },
  };
}
