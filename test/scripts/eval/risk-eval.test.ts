import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runRiskEval } from '../../../scripts/eval/risk-eval.ts';
import { runNamedSuite } from '../../../scripts/run-named-suite.ts';

afterEach(() => vi.restoreAllMocks());

describe('npm run eval -- risk on a marketplace without fraudsters', () => {
  it('reports the ranking figures as not defined instead of throwing', async () => {
    // Seed 5 with 30 customers over 60 days scores 14 customers, none of them a fraudster: rocAuc threw
    // "needs at least one positive label (1), got none in 14 rows" with a stack trace.
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void lines.push(parts.join(' ')));
    const result = await runRiskEval(['--seed', '5', '--customers', '30', '--days', '60']);
    expect(result).toMatchObject({ fraudCustomers: 0, combined: null, rulesOnly: null, returnRateBaseline: null, goals: { rocAucAtLeast097: null } });
    expect((result['scoredCustomers'] as number) > 0).toBe(true);
    expect(lines.some((line) => line.startsWith('no ranking figures: 0 of the '))).toBe(true);
  });

  it('runs with no customer scored at all', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const result = await runRiskEval(['--seed', '3', '--customers', '1', '--days', '1']);
    expect(result).toMatchObject({ scoredCustomers: 0, fraudCustomers: 0, combined: null });
  });
});

describe('npm run eval -- risk --database', () => {
  it('refuses an existing file as a usage error (exit 2, one line)', async () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void errors.push(parts.join(' ')));
    const folder = mkdtempSync(join(tmpdir(), 'retour-risk-eval-'));
    const existing = join(folder, 'kept.duckdb');
    writeFileSync(existing, '');
    try {
      const entries = { risk: { module: 'eval/risk-eval.ts', exportName: 'runRiskEval', summary: '' } };
      expect(await runNamedSuite('eval', entries, ['risk', '--customers', '5', '--days', '5', '--database', existing])).toBe(2);
      expect(errors).toEqual([`npm run eval -- risk: --database ${existing} exists: the eval ingests into a new database only`]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
