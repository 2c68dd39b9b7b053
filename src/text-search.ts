/**
 * Substring search in time linear in the text and the pattern (Knuth-Morris-Pratt),
 * for texts a client chooses. `String.prototype.includes` is fast on prose but takes
 * time proportional to both lengths multiplied on a text like `"aaaa…"` searched for
 * `"aaa…ab"`: 50 KB of it against a few thousand such patterns stalls for seconds.
 */

/**
 * The pattern's prefix function: `fallback[i]` is the length of the longest proper
 * prefix of `pattern.slice(0, i + 1)` that is also its suffix.
 */
export function prefixFunction(pattern: string): Int32Array {
  const fallback = new Int32Array(pattern.length);
  for (let i = 1, matched = 0; i < pattern.length; i++) {
    while (matched > 0 && pattern.charCodeAt(i) !== pattern.charCodeAt(matched)) matched = fallback[matched - 1]!;
    if (pattern.charCodeAt(i) === pattern.charCodeAt(matched)) matched++;
    fallback[i] = matched;
  }
  return fallback;
}

/**
 * Reads `text` on from a state of `matched` characters of `pattern`: the index in
 * `text` just past the pattern's first whole occurrence (-1 if none), and the state
 * after the last character read.
 */
export function advance(pattern: string, fallback: Int32Array, text: string, matched: number): { end: number; matched: number } {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    while (matched > 0 && code !== pattern.charCodeAt(matched)) matched = fallback[matched - 1]!;
    if (code === pattern.charCodeAt(matched)) matched++;
    if (matched === pattern.length) return { end: i + 1, matched };
  }
  return { end: -1, matched };
}

/** Where `pattern` first starts in `text` (-1 if nowhere), in time linear in both. */
export function indexOfText(text: string, pattern: string): number {
  if (pattern.length === 0) return 0;
  if (pattern.length > text.length) return -1;
  const { end } = advance(pattern, prefixFunction(pattern), text, 0);
  return end < 0 ? -1 : end - pattern.length;
}

/** Whether `text` contains `pattern`, in time linear in both. */
export function containsText(text: string, pattern: string): boolean {
  return indexOfText(text, pattern) >= 0;
}
