/**
 * Whether a post mentions a nick: the nick as a word of its own (not inside a longer word),
 * ignoring case, as IRC clients highlight. Pure.
 */

/** True when `text` names `nick` as a whole word, whatever its case. */
export function mentions(text: string, nick: string): boolean {
  if (nick === '') return false;
  const t = text.toLocaleLowerCase();
  const n = nick.toLocaleLowerCase();
  const word = /[\p{L}\p{M}\p{N}_]/u;
  for (let i = t.indexOf(n); i >= 0; i = t.indexOf(n, i + 1)) {
    const before = i === 0 ? '' : (t[i - 1] ?? '');
    const after = t[i + n.length] ?? '';
    if (!word.test(before) && !word.test(after)) return true;
  }
  return false;
}
