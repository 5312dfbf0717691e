import { describe, expect, it } from 'vitest';
import { binFeatures, computeBinEdges } from '../../../models/forest/feature-binning.ts';
import { createSeededRandom } from '../../../models/random/seeded-random.ts';

describe('computeBinEdges', () => {
  it('puts edges midway between distinct values when there are few of them, ignoring NaN', () => {
    expect(Array.from(computeBinEdges(Float64Array.of(3, 1, 2, Number.NaN, 2), 255))).toEqual([1.5, 2.5]);
    expect(computeBinEdges(Float64Array.of(4, 4, 4), 255).length).toBe(0);
    expect(computeBinEdges(Float64Array.of(Number.NaN), 255).length).toBe(0);
  });

  it('cuts at quantiles when values outnumber the bins, keeping equal values in one bin', () => {
    const random = createSeededRandom(3);
    const column = new Float64Array(10_000);
    // 30% of the column is exactly 0 (a spike), the rest continuous.
    for (let i = 0; i < column.length; i++) column[i] = random.next() < 0.3 ? 0 : random.nextNormal();
    const edges = computeBinEdges(column, 16);
    expect(edges.length).toBeLessThanOrEqual(15);
    for (let b = 1; b < edges.length; b++) expect(edges[b]).toBeGreaterThan(edges[b - 1] as number);
    const binned = binFeatures({ rowCount: column.length, featureCount: 1, values: column }, { maxBins: 16 });
    const zeroBins = new Set<number>();
    const binSizes = new Map<number, number>();
    for (let i = 0; i < column.length; i++) {
      const bin = binned.bins[i] as number;
      if (column[i] === 0) zeroBins.add(bin);
      binSizes.set(bin, (binSizes.get(bin) ?? 0) + 1);
    }
    expect(zeroBins.size).toBe(1);
    // Apart from the spike's bin, bins hold roughly equal shares (quantiles): none over 2 × 1/16.
    for (const [bin, size] of binSizes) if (!zeroBins.has(bin)) expect(size).toBeLessThan((2 * column.length) / 16);
  });
});

describe('binFeatures', () => {
  it('maps each value to the first bin whose upper edge it does not exceed, and NaN to missingBin', () => {
    const values = Float64Array.of(5, Number.NaN, 7, 6, 7, 1, 2, 3);
    const binned = binFeatures({ rowCount: 4, featureCount: 2, values }, { maxBins: 8 });
    expect(binned.missingBin).toBe(8);
    expect(Array.from(binned.upperEdges[0] as Float64Array)).toEqual([5.5, 6.5]);
    expect(Array.from(binned.bins)).toEqual([0, 8, 2, 1, 3, 0, 1, 2]);
    // The raw test `v <= edge` agrees with the bins for every value.
    for (let feature = 0; feature < 2; feature++) {
      const edges = binned.upperEdges[feature] as Float64Array;
      for (let row = 0; row < 4; row++) {
        const value = values[feature * 4 + row] as number;
        if (Number.isNaN(value)) continue;
        const bin = binned.bins[feature * 4 + row] as number;
        for (let b = 0; b < edges.length; b++) expect(value <= (edges[b] as number)).toBe(bin <= b);
      }
    }
  });

  it('rejects infinite values and bad maxBins', () => {
    const matrix = { rowCount: 2, featureCount: 1, values: Float64Array.of(1, Number.POSITIVE_INFINITY) };
    expect(() => binFeatures(matrix)).toThrow(/features must be finite or NaN/);
    expect(() => binFeatures({ ...matrix, values: Float64Array.of(1, 2) }, { maxBins: 256 })).toThrow(/maxBins must be an integer in \[2, 255\]/);
  });
});
