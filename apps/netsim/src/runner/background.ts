/** Steps that go on while the timeline runs on (a paced `say`, a `hog`), and their ending. */
import type { CheckOutcome } from './result.js';

/** One background job of a run. */
export interface BackgroundTask {
  /** Resolves when the job is over, with a failed check when it could not do its work. */
  readonly done: Promise<CheckOutcome | undefined>;
  /** Whether the timeline's end waits for it (posts still to type) or stops it (a CPU hog). */
  readonly awaitAtEnd: boolean;
  /** Ends the job now; resolves once its processes are gone. Safe to call twice. */
  stop(): Promise<void>;
}

/** The background jobs of one run. */
export class Background {
  private readonly tasks: BackgroundTask[] = [];

  /** Adds a started job. */
  add(task: BackgroundTask): void {
    this.tasks.push(task);
  }

  /** At the timeline's end: waits for the jobs that must finish, stops the others; their checks. */
  async settle(): Promise<CheckOutcome[]> {
    for (const t of this.tasks) if (!t.awaitAtEnd) await t.stop();
    const outcomes = await Promise.all(this.tasks.map((t) => t.done));
    return outcomes.filter((o) => o !== undefined);
  }

  /** Teardown: stops every job, whatever happened before. */
  async stopAll(): Promise<void> {
    await Promise.all(this.tasks.map((t) => t.stop()));
  }
}
