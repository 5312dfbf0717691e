import { describe, expect, it } from 'vitest';
import { extractCommentWords } from '../../../models/quality/extract-comment-words.ts';

describe('extractCommentWords', () => {
  it('counts meaningful words once per comment, most frequent first', () => {
    expect(extractCommentWords(['Zipper broke after one day', 'the zipper is broken', 'Broken zipper!! broken broken'])).toEqual([
      { word: 'zipper', count: 3 },
      { word: 'broken', count: 2 },
      { word: 'broke', count: 1 },
      { word: 'day', count: 1 },
    ]);
  });

  it('handles accents, apostrophes, numbers and the limit', () => {
    expect(extractCommentWords(["Doesn't charge — écran reste noir", 'écran noir after 2 days'], { limit: 2 })).toEqual([
      { word: 'noir', count: 2 },
      { word: 'écran', count: 2 },
    ]);
    expect(extractCommentWords([])).toEqual([]);
    expect(() => extractCommentWords(['x'], { limit: -1 })).toThrow(/limit must be/);
  });
});
