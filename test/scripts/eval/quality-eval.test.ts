import { afterEach, describe, expect, it, vi } from 'vitest';
import { runQualityEval } from '../../../scripts/eval/quality-eval.ts';
import { runNamedSuite } from '../../../scripts/run-named-suite.ts';

afterEach(() => vi.restoreAllMocks());

describe('npm run eval -- quality over a short period', () => {
  it('says --days is too short, as a usage error without a stack trace (exit 2)', async () => {
    // With fewer days than the first run needs, no quality run happened and the power bound's query
    // failed with "Table with name q_fault_reasons does not exist".
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void errors.push(parts.join(' ')));
    const entries = { quality: { module: 'eval/quality-eval.ts', exportName: 'runQualityEval', summary: '' } };
    expect(await runNamedSuite('eval', entries, ['quality', '--days', '10', '--customers', '50', '--products', '9', '--skip-online-retail'])).toBe(2);
    expect(errors).toEqual(['npm run eval -- quality: --days must be a whole number from 28 (the first quality run is 28 days after the start) to 3650, got "10"']);
  });

  it('runs once at the shortest period', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const result = await runQualityEval(['--seed', '5', '--days', '28', '--customers', '50', '--products', '9', '--skip-online-retail']);
    expect(result).toMatchObject({ runs: 1 });
  }, 60_000);
});

describe('npm run eval -- quality --online-retail', () => {
  it('names a missing file before simulating, as a usage error (it was read, and failed with ENOENT, after the simulation)', async () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void errors.push(parts.join(' ')));
    const entries = { quality: { module: 'eval/quality-eval.ts', exportName: 'runQualityEval', summary: '' } };
    expect(await runNamedSuite('eval', entries, ['quality', '--days', '28', '--customers', '20', '--products', '9', '--online-retail', '/nonexistent/online-retail.csv'])).toBe(2);
    expect(errors).toEqual(['npm run eval -- quality: --online-retail /nonexistent/online-retail.csv: no such file']);
  });
});
