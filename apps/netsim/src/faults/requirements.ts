/** What a scenario's faults need of this machine, decided before a run starts. */
import type { BackendName, Scenario } from '../scenario/types.js';
import { diskFaultUnavailableReason } from './disk.js';
import { networkFor, type NetworkMechanism } from './network-choice.js';

/** How a run can go: the netns network to use, or why it cannot run here (reported as skipped). */
export type RunPlan = { readonly network?: NetworkMechanism; readonly reason?: undefined } | { readonly reason: string };

/** The plan for `scenario` on `backend`. */
export async function planRun(scenario: Scenario, backend: BackendName): Promise<RunPlan> {
  const kinds = new Set(scenario.steps.map((s) => s.kind));
  if (kinds.has('diskFull') || kinds.has('diskFree')) {
    // The machine's limit, not a system failure: skipped with the reason.
    const reason = diskFaultUnavailableReason();
    if (reason !== undefined) return { reason };
  }
  if (backend !== 'netns') return {};
  return networkFor(scenario);
}
