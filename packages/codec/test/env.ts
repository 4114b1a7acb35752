/** Test settings from the environment (the codec has no Node types, hence the lookup). */

const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};

/** An environment variable as a number, else `fallback`. */
export function envNumber(name: string, fallback: number): number {
  const n = Number(env[name]);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}
