import { describe, expect, it } from 'vitest';
import { binaryThresholdCounts } from '../../../models/metrics/binary-threshold-counts.ts';
import { smallLabels, smallScores } from './small-dataset.ts';

describe('binaryThresholdCounts', () => {
  it('merges tied scores into one threshold with cumulative counts', () => {
    const counts = binaryThresholdCounts(smallScores, smallLabels);
    expect(Array.from(counts.thresholds)).toEqual([0.9, 0.8, 0.7, 0.5, 0.4, 0.3, 0.2, 0.1]);
    // Counted by hand from small-dataset.ts (sklearn's confusion_matrix_at_thresholds gives the same).
    expect(Array.from(counts.truePositives)).toEqual([1, 2, 3, 4, 4, 5, 5, 5]);
    expect(Array.from(counts.falsePositives)).toEqual([0, 1, 3, 3, 5, 5, 6, 7]);
    expect(counts.positives).toBe(5);
    expect(counts.negatives).toBe(7);
  });

  it('treats -0 and +0 as one score', () => {
    const counts = binaryThresholdCounts([0, -0, 1], [1, 0, 0]);
    expect(Array.from(counts.thresholds)).toEqual([1, 0]);
    expect(Array.from(counts.truePositives)).toEqual([0, 1]);
    expect(Array.from(counts.falsePositives)).toEqual([1, 2]);
  });

  it('works with a single class', () => {
    const counts = binaryThresholdCounts([0.3, 0.3, 0.1], [0, 0, 0]);
    expect(Array.from(counts.falsePositives)).toEqual([2, 3]);
    expect(counts.positives).toBe(0);
  });
});
