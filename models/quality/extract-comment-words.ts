/** English function words and return-form filler that say nothing about what is wrong. */
export const COMMENT_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a about after again all also am an and any are as at be because been before being but by can could did do does doing ' +
    'for from get got had has have having he her here him his how i if in into is it its itself just me more most my no nor ' +
    'not now of off on once only or other our out over own same she should so some such than that the their them then there ' +
    'these they this those through to too under until up very was we were what when where which while who why will with would ' +
    'you your yours im ive dont didnt doesnt isnt wasnt cant wont its thats one two item product order ordered bought buy ' +
    'return returned returning returns please thanks thank received arrived still really even like back'
  ).split(' '),
);

export interface CommentWord {
  word: string;
  count: number;
}

export interface ExtractCommentWordsOptions {
  /** Most words returned. Default 10. */
  limit?: number;
  /** Words shorter than this are ignored. Default 3. */
  minLength?: number;
}

/**
 * The most frequent meaningful words in free-text return comments: lower-cased, split on anything
 * that is not a letter or digit (Unicode-aware), stop words and short tokens dropped, each word
 * counted once per comment (one angry customer repeating "broken" is one voice), ties by word.
 *
 * @example
 * extractCommentWords(['Zipper broke after one day', 'the zipper is broken', 'Broken zipper!!']);
 * // [{ word: 'zipper', count: 3 }, { word: 'broken', count: 2 }, { word: 'broke', count: 1 }, { word: 'day', count: 1 }]
 */
export function extractCommentWords(comments: readonly string[], options: ExtractCommentWordsOptions = {}): CommentWord[] {
  const limit = options.limit ?? 10;
  const minLength = options.minLength ?? 3;
  if (!(Number.isInteger(limit) && limit >= 0)) throw new RangeError(`limit must be an integer >= 0, got ${limit}`);
  if (!(Number.isInteger(minLength) && minLength >= 1)) throw new RangeError(`minLength must be an integer >= 1, got ${minLength}`);
  const counts = new Map<string, number>();
  for (const comment of comments) {
    const words = new Set(
      comment
        .toLowerCase()
        .replace(/['’]/g, '')
        .split(/[^\p{L}\p{N}]+/u)
        .filter((word) => word.length >= minLength && !COMMENT_STOP_WORDS.has(word) && !/^\d+$/.test(word)),
    );
    for (const word of words) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return [...counts.entries()]
    .map(([word, count]) => ({ word, count }))
    .sort((a, b) => b.count - a.count || (a.word < b.word ? -1 : a.word > b.word ? 1 : 0))
    .slice(0, limit);
}
