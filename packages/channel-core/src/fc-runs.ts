/** fast-check run count for property tests: env FC_NUM_RUNS, else `fallback` (specs only). */
export function fcRuns(fallback = 100): number {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const n = Number(env?.['FC_NUM_RUNS']);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}
