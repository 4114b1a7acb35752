/**
 * fast-check runs per property: env FC_NUM_RUNS (a positive integer), else `fallback`. Every
 * package reads it with this same rule; through globalThis so it needs no Node types.
 */
export function fcRuns(fallback: number): number {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const n = Number(env?.['FC_NUM_RUNS']);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}
