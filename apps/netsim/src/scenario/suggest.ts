/** "Did you mean" for misspelled scenario keys: the closest allowed word by edit distance. */

/** Edit distance (insert, delete, substitute, swap of neighbours), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  // d[i][j]: distance between the first i characters of x and the first j of y.
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => d[i]?.[j] ?? Infinity;
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) v = Math.min(v, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = v;
    }
  }
  return at(x.length, y.length);
}

/**
 * The allowed word closest to `word`, when it is close enough to be a typo: at most a third of
 * its length away (at least 1, at most 3 edits), or that far from its start ("standy" for "standbyFor").
 */
export function suggest(word: string, allowed: readonly string[]): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: { word: string; d: number } | undefined;
  for (const a of allowed) {
    // A word that (nearly) begins a key is taken for the key, a shade behind an equally close full match.
    const asPrefix = word.length >= 4 ? editDistance(word, a.slice(0, word.length)) + 0.5 : Infinity;
    const d = Math.min(editDistance(word, a), asPrefix);
    if (d <= limit && (best === undefined || d < best.d)) best = { word: a, d };
  }
  return best?.word;
}

/** `; did you mean "X"?` for a close allowed word, or nothing. */
export function didYouMean(word: string, allowed: readonly string[]): string {
  const s = suggest(word, allowed);
  return s === undefined ? '' : `; did you mean "${s}"?`;
}
