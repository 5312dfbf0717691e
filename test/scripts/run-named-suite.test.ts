import { afterEach, describe, expect, it, vi } from 'vitest';
import { runNamedSuite, SuiteUsageError, suiteNumber } from '../../scripts/run-named-suite.ts';

// As in scripts/eval.ts (which runs on import).
const EVALUATIONS = {
  quality: { module: 'eval/quality-eval.ts', exportName: 'runQualityEval', summary: '' },
  risk: { module: 'eval/risk-eval.ts', exportName: 'runRiskEval', summary: '' },
  ops: { module: 'eval/ops-eval.ts', exportName: 'runOpsEval', summary: '' },
};

afterEach(() => vi.restoreAllMocks());

describe('suiteNumber', () => {
  it('takes numbers within the rule', () => {
    expect(suiteNumber('days', '28', { min: 1, max: 3650, integer: true })).toBe(28);
    expect(suiteNumber('rate', '0.05', { min: 0, max: 1 })).toBe(0.05);
  });

  it('refuses text, empty, fractions where a whole number is asked, and values out of range', () => {
    expect(() => suiteNumber('seed', 'x', { min: 0, integer: true })).toThrow(new SuiteUsageError(`--seed must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}, got "x"`));
    expect(() => suiteNumber('days', '', { min: 1, integer: true })).toThrow(SuiteUsageError);
    expect(() => suiteNumber('days', '1.5', { min: 1, integer: true })).toThrow(SuiteUsageError);
    expect(() => suiteNumber('step-days', '0', { min: 1, max: 3650, integer: true })).toThrow('--step-days must be a whole number from 1 to 3650, got "0"');
    expect(() => suiteNumber('rate', '0.5', { min: 0, max: 1 / 6 })).toThrow(SuiteUsageError);
  });
});

describe('npm run eval with a wrong number', () => {
  it('exits 2 with one line instead of looping forever (--step-days 0) or a RangeError deep in the simulator', async () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void errors.push(parts.join(' ')));
    expect(await runNamedSuite('eval', EVALUATIONS, ['ops', '--days', '30', '--customers', '20', '--step-days', '0'])).toBe(2);
    expect(await runNamedSuite('eval', EVALUATIONS, ['quality', '--days', '30', '--customers', '20', '--step-days', '0', '--skip-online-retail'])).toBe(2);
    expect(await runNamedSuite('eval', EVALUATIONS, ['risk', '--seed', 'x', '--customers', '20', '--days', '30'])).toBe(2);
    expect(errors).toEqual([
      'npm run eval -- ops: --step-days must be a whole number from 1 to 3650, got "0"',
      'npm run eval -- quality: --step-days must be a whole number from 1 to 3650, got "0"',
      `npm run eval -- risk: --seed must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}, got "x"`,
    ]);
  });
});
