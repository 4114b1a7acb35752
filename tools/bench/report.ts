/** One benchmark figure next to the baseline measured in the same run. */
export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline: number | null;
  readonly ratio: number | null;
}

/** Context a suite gets: where to put its figures and how to show progress. */
export interface BenchContext {
  /** Record and print one figure: `bench <name>: <value> <unit> (baseline <b>, ratio <r>)`. */
  figure(name: string, value: number, unit: string, baseline?: number | null): Figure;
  /** A progress line on stderr, so long runs show they are alive. */
  progress(message: string): void;
  /** Scale factor from `--quick` (0.1) or 1; suites multiply their iteration counts by it. */
  readonly scale: number;
}

/** A benchmark suite: a file in `suites/` whose default export is one of these. */
export interface BenchSuite {
  readonly name: string;
  run(ctx: BenchContext): Promise<void>;
}

/** Format a number for humans: 3 significant digits, no exponent below 1e9. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 100) return Math.round(v).toString();
  return Number(v.toPrecision(3)).toString();
}

/** The one-line format every benchmark prints. */
export function formatFigure(f: Figure): string {
  const tail = f.baseline === null ? '' : ` (baseline ${formatValue(f.baseline)}, ratio ${f.ratio === null ? 'n/a' : f.ratio.toFixed(2)})`;
  return `bench ${f.name}: ${formatValue(f.value)} ${f.unit}${tail}`;
}

/** Build a figure; the ratio is value / baseline (for "lower is better" units the suite says so in the name). */
export function makeFigure(name: string, value: number, unit: string, baseline: number | null = null): Figure {
  const ratio = baseline === null || baseline === 0 ? null : value / baseline;
  return { name, value, unit, baseline, ratio };
}
