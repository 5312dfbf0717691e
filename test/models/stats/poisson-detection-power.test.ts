import { describe, expect, it } from 'vitest';
import { poissonDetectionPower } from '../../../models/stats/poisson-detection-power.ts';
import { expectRelativelyClose } from './expect-relatively-close.ts';

// References: scripts/reference/quality_scan_reference.py, scipy 1.17.1
// c = scipy.stats.poisson.isf(level, nullMean) + 1; power = scipy.stats.poisson.sf(c - 1, alternativeMean)
const CASES: ReadonlyArray<[nullMean: number, alternativeMean: number, level: number, criticalCount: number, power: number]> = [
  [6, 16.8, 1e-4, 18, 0.41672775654180555],
  [0.9, 2.5, 1e-4, 7, 0.014187311990913347],
  [30, 60, 1e-4, 53, 0.8333543810348706],
  [2.5, 10, 0.001, 10, 0.5420702855281478],
  [120, 180, 1e-5, 170, 0.781676696200118],
  [0.2, 0.6, 0.01, 3, 0.023115287752632954],
];

describe('poissonDetectionPower', () => {
  it.each(CASES)('matches scipy for null %f, alternative %f, level %f', (nullMean, alternativeMean, level, criticalCount, power) => {
    const result = poissonDetectionPower({ nullMean, alternativeMean, level });
    expect(result.criticalCount).toBe(criticalCount);
    expectRelativelyClose(result.power, power, 1e-9);
  });

  it('rejects means that are not positive and levels outside (0, 1)', () => {
    expect(() => poissonDetectionPower({ nullMean: 0, alternativeMean: 1, level: 0.01 })).toThrow(/nullMean must be a finite number > 0/);
    expect(() => poissonDetectionPower({ nullMean: 1, alternativeMean: 1, level: 1 })).toThrow(/level must be in \(0, 1\)/);
  });
});
