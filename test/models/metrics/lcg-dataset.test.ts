import { describe, expect, it } from 'vitest';
import { lcgDataset } from './lcg-dataset.ts';

describe('lcgDataset', () => {
  it('reproduces the rows of metrics_reference.py', () => {
    const { scores, labels } = lcgDataset(20_000, 12345);
    // python3 scripts/reference/metrics_reference.py: first scores [0.129, 0.635, 0.112, 0.548, 0.783],
    // first labels [1, 0, 0, 0, 0], positives 2024, distinct scores 1001
    expect(Array.from(scores.subarray(0, 5))).toEqual([0.129, 0.635, 0.112, 0.548, 0.783]);
    expect(Array.from(labels.subarray(0, 5))).toEqual([1, 0, 0, 0, 0]);
    expect(labels.reduce((sum, label) => sum + label, 0)).toBe(2024);
    expect(new Set(scores).size).toBe(1001);
  });
});
