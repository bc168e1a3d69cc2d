/**
 * The optimal string alignment distance: insertions, deletions,
 * substitutions and swaps of two neighbours each count one, so `sunest`
 * is one typo from `sunset`, not two. Over code points, not UTF-16 units.
 */
export function typoDistance(a: string, b: string): number {
  const s = [...a];
  const t = [...b];
  let before = new Array<number>(t.length + 1).fill(0);
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const current = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1])
        best = Math.min(best, (before[j - 2] as number) + 1);
      current.push(best);
    }
    before = previous;
    previous = current;
  }
  return previous[t.length] as number;
}

/** How many typos a word of this length may carry and still find a tag: none below 4 letters. */
export const typosAllowed = (length: number) => (length < 4 ? 0 : length < 8 ? 1 : 2);

/** Prefixes shorter than this would match half the vocabulary. */
export const MIN_PREFIX = 3;

/** Whether a tag of the vocabulary is one the word may stand for: it begins it, or is a typo or two away. */
export function tagMatches(word: string, tag: string): boolean {
  if (tag === word) return false; // the word itself is always searched
  if ([...word].length >= MIN_PREFIX && tag.startsWith(word)) return true;
  const allowed = typosAllowed([...word].length);
  return allowed > 0 && typoDistance(word, tag) <= allowed;
}
