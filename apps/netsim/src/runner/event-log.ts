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

  /** Ends the change stream. */
  close(): void {
    this.changed.complete();
  }
}
