/**
 * Turning what a shopper typed into search words and a PostgreSQL tsquery. Pure: the repository
 * binds the result as a parameter. Only letters and digits survive, so the query text can never
 * carry tsquery operators of its own.
 */

/** More words than this add nothing to a clothing search and only cost time. */
export const MAX_SEARCH_WORDS = 8;

/**
 * The words of a search, lower-cased, in order, without repeats.
 *
 * @example
 * searchWords('Wool  JACKET, wool!') // ['wool', 'jacket']
 */
export function searchWords(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words.filter((word) => word.length <= 40))].slice(0, MAX_SEARCH_WORDS);
}

/**
 * A tsquery (for `to_tsquery('english', …)`) that matches any of the words, each also as the
 * start of a longer word: "wool jack" finds "Wool Jacket" while it is typed, and "wool jacket"
 * still finds wool coats (ranking puts products with both words first).
 *
 * @example
 * toPrefixTsQuery(['wool', 'jack']) // 'wool:* | jack:*'
 */
export function toPrefixTsQuery(words: readonly string[]): string {
  return words.map((word) => `${word}:*`).join(' | ');
}

/**
 * Edit distance counting a swap of two neighbouring letters as one edit (optimal string
 * alignment): "slik" → "silk" is 1, where trigram similarity alone sees almost nothing shared.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i += 1) d[i * cols] = i;
  for (let j = 0; j < cols; j += 1) d[j] = j;
  for (let i = 1; i < rows; i += 1) {
    for (let j = 1; j < cols; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i * cols + j] = best;
    }
  }
  return at(a.length, b.length);
}

/** Edits a word of this length may be away from the word meant: 1 up to 5 letters, then 2. */
export function allowedEdits(word: string): number {
  return word.length <= 5 ? 1 : 2;
}

/**
 * The catalogue word a misspelt word most likely means: the fewest edits within allowedEdits,
 * then the candidate listed first (the repository lists them by trigram similarity).
 *
 * @example
 * closestWord('oxfrod', ['oxford', 'offer']) // 'oxford'
 */
export function closestWord(word: string, candidates: readonly string[]): string | undefined {
  let best: { word: string; edits: number } | undefined;
  for (const candidate of candidates) {
    const edits = editDistance(word, candidate);
    if (edits <= allowedEdits(word) && (!best || edits < best.edits)) best = { word: candidate, edits };
  }
  return best?.word;
}
