/**
 * Plain-text tables for the cost curves (pure): a title, a header row, right-aligned cells, and
 * number formats a reader sizing a box can scan (thousands separators, units in the header).
 */

/** A table: one header per column, rows of already formatted cells, notes printed under it. */
export interface Table {
  readonly title: string;
  readonly headers: readonly string[];
  readonly rows: readonly (readonly string[])[];
  readonly notes?: readonly string[];
}

/** Render `t` as lines: title, header, a rule, rows (cells right-aligned, two spaces apart), notes. */
export function formatTable(t: Table): string[] {
  const widths = t.headers.map((h, c) => Math.max(h.length, ...t.rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    widths
      .map((w, c) => (cells[c] ?? '').padStart(w))
      .join('  ')
      .trimEnd();
  return [
    t.title,
    line(t.headers),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...t.rows.map(line),
    ...(t.notes ?? []).map((n) => `  ${n}`),
  ];
}

/** An integer with thousands separators: 10000 → "10,000"; NaN → "—". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '—';
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A rate in msgs/s: "412 k" at and above 10,000, else with separators; NaN → "—". */
export function formatRate(perSec: number): string {
  if (!Number.isFinite(perSec)) return '—';
  if (perSec >= 10_000_000) return `${formatCount(perSec / 1e6)} M`;
  if (perSec >= 10_000) return `${formatCount(perSec / 1e3)} k`;
  return formatCount(perSec);
}

/** Milliseconds, 3 significant digits below 100 ("2.46", "0.312"), whole above; NaN → "—". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms >= 100) return formatCount(ms);
  return Number(ms.toPrecision(3)).toString();
}

/** Bytes as MiB with one decimal ("87.4"); NaN → "—". */
export function formatMiB(bytes: number): string {
  if (!Number.isFinite(bytes)) return '—';
  return (bytes / (1024 * 1024)).toFixed(1);
}

/** A row for a point that did not finish: its key cells, then `why` in the first empty column, dashes after. */
export function failedRow(key: readonly string[], columns: number, why: string): string[] {
  return [...key, why, ...Array<string>(Math.max(0, columns - key.length - 1)).fill('—')];
}
