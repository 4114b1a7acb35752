/** The run's event log: appended by host processes and netsim, watched by wait steps. */
import { Subject, type Observable } from 'rxjs';
import type { EventSource, SimEvent } from '../checks/log.js';

/** Events kept per run; past this the run stops recording and says so. @default 500000 */
export const DEFAULT_MAX_EVENTS = 500_000;

/** Append-only log with a change stream. */
export class EventLog {
  readonly events: SimEvent[] = [];
  /** Events dropped because the log was full. */
  dropped = 0;
  private readonly changed = new Subject<void>();
  /** Emits after every append. */
  readonly changed$: Observable<void> = this.changed.asObservable();
  private readonly t0 = Date.now();
  private readonly postSeqs = new Map<string, number>();

  constructor(private readonly maxEvents = DEFAULT_MAX_EVENTS) {}

  /** Milliseconds since the run started. */
  now(): number {
    return Date.now() - this.t0;
  }

  /** Appends one event, stamped now. */
  push(host: string, source: EventSource, event: string, data: Record<string, unknown> = {}): SimEvent {
    const e: SimEvent = { t: this.now(), host, source, event, data };
    if (this.events.length >= this.maxEvents) this.dropped += 1;
    else this.events.push(e);
    this.changed.next();
    return e;
  }

  /** The next post number of `author` in this run, from 1 (restarts do not reset it). */
  nextPostSeq(author: string): number {
    const n = (this.postSeqs.get(author) ?? 0) + 1;
    this.postSeqs.set(author, n);
    return n;
  }

  /** Ends the change stream. */
  close(): void {
    this.changed.complete();
  }
}
