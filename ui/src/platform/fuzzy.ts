/**
 * The quick pick's matcher, after VS Code's: the whole query as a substring ranks first, then
 * every word of the query found in order-free parts of the label ("bot stop" finds "Bot: Stop
 * Bot", "toggle theme" finds "View: Toggle Light / Dark Theme"), a word matching at a word start
 * above one inside a word, and a word's letters in order (`tglthm`) last. Null: no match.
 */
export function fuzzyScore(query: string, text: string): number | null {
  const q = query.trim().toLowerCase();
  if (!q) return 0;
  const t = text.toLowerCase();
  const whole = t.indexOf(q);
  if (whole >= 0) return 10_000 - whole + (atWordStart(t, whole) ? 500 : 0);
  let score = 0;
  for (const word of q.split(/\s+/)) {
    const at = bestIndex(t, word);
    if (at >= 0) {
      score += 100 + (atWordStart(t, at) ? 50 : 0);
      continue;
    }
    const gaps = subsequenceGaps(t, word);
    if (gaps === null) return null;
    score += Math.max(1, 40 - gaps);
  }
  return score;
}

/** Items ranked by score, ties kept in their given order (recently used first). */
export function rankByQuery<T>(items: readonly T[], query: string, textOf: (item: T) => string): T[] {
  if (!query.trim()) return [...items];
  const scored: { item: T; score: number; index: number }[] = [];
  items.forEach((item, index) => {
    const score = fuzzyScore(query, textOf(item));
    if (score !== null) scored.push({ item, score, index });
  });
  return scored.sort((a, b) => b.score - a.score || a.index - b.index).map((s) => s.item);
}

function atWordStart(t: string, at: number): boolean {
  return at === 0 || /[\s:/(._-]/.test(t[at - 1]);
}

/** A word-start occurrence if there is one, else the first. */
function bestIndex(t: string, word: string): number {
  let first = -1;
  for (let at = t.indexOf(word); at >= 0; at = t.indexOf(word, at + 1)) {
    if (atWordStart(t, at)) return at;
    if (first < 0) first = at;
  }
  return first;
}

function subsequenceGaps(t: string, word: string): number | null {
  let at = -1;
  let gaps = 0;
  for (const ch of word) {
    const next = t.indexOf(ch, at + 1);
    if (next < 0) return null;
    if (at >= 0) gaps += next - at - 1;
    at = next;
  }
  return gaps;
}
