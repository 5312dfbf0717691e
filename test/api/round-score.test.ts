import { describe, expect, it } from 'vitest';
import { roundScore } from '../../api/round-score.ts';

describe('roundScore', () => {
  it.each([
    [0.9997900000000001, 0.9998],
    [0.1 + 0.2, 0.3],
    [0.97, 0.97],
    [0.12344, 0.1234],
    [0, 0],
    [1, 1],
  ])('%d → %d', (score, rounded) => {
    expect(roundScore(score)).toBe(rounded);
  });

  it('keeps null (unscored) as null', () => {
    expect(roundScore(null)).toBeNull();
  });
});
