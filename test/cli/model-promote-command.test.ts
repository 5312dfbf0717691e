/**
 * `retour model promote` keeps the rule of POST /v1/models/{version}/promote and is audited like it,
 * with the CLI (its operating-system user) as the actor.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelCommand } from '../../cli/commands/model-command.ts';
import { configWith } from '../../config/load-config.ts';
import { insertFixtures } from '../../scripts/api/api-fixtures.ts';
import { openDatabase } from '../../store/open-database.ts';

const folder = mkdtempSync(join(tmpdir(), 'retour-model-promote-test-'));
const databasePath = join(folder, 'retour.duckdb');

beforeAll(async () => {
  const database = await openDatabase({ path: databasePath });
  try {
    await insertFixtures(await database.connect());
  } finally {
    database.close();
  }
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function runModel(positionals: string[], options: Record<string, string | boolean> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await modelCommand.run({ options, positionals, config: configWith({ RETOUR_DATABASE: databasePath }), logger: pino({ level: 'silent' }), stdout, stderr, signal: new AbortController().signal });
  return { code, stdout: out, stderr: err };
}

async function auditRows(): Promise<unknown[][]> {
  const database = await openDatabase({ path: databasePath });
  try {
    const reader = await (await database.connect()).runAndReadAll("SELECT key_id, role, target, details FROM audit_log WHERE action = 'model.promote' ORDER BY audit_id");
    return reader.getRows();
  } finally {
    database.close();
  }
}

describe('retour model promote', () => {
  it('puts a model in service and records who did it in the audit log, as the API does', async () => {
    const promoted = await runModel(['promote', 'm-2']);
    expect(promoted.code, promoted.stderr).toBe(0);
    expect(promoted.stdout).toContain('m-2 is now serving');
    const rows = await auditRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.slice(0, 3)).toEqual(['cli', 'cli', 'm-2']);
    expect(JSON.parse(String(rows[0]![3]))).toMatchObject({ forced: false, previousVersion: 'm-1' });

    // Promoting the model in service changes nothing and records nothing.
    expect((await runModel(['promote', 'm-2'])).stdout).toContain('already serving');
    expect(await auditRows()).toHaveLength(1);
  });

  it('refuses a model trained or validated on fewer positives than the settings ask, saying which, unless --force', async () => {
    const database = await openDatabase({ path: databasePath });
    try {
      const metrics = JSON.stringify({
        roc_auc: 0.99, pr_auc: 0.9, precision_at_k: { top_1_percent: 1, top_100: 0.9 }, brier: 0.05, calibration: [],
        rows: { training: 515, training_positive: 1, validation: 5214, validation_positive: 26 },
      });
      await (await database.connect()).run(
        `INSERT INTO model_registry VALUES ('m-thin', '2026-11-20T03:00:00Z', 'histogram_random_forest', '[]', '{}', '2026-03-01T00:00:00Z', '2026-07-01T00:00:00Z',
          '2026-09-01T00:00:00Z', '2026-10-27T00:00:00Z', $metrics, 'candidate', '{"kind":"fixture"}', NULL)`,
        { metrics },
      );
    } finally {
      database.close();
    }
    // The list says what each model's figures rest on: positive rows in training / validation.
    expect((await runModel(['list'])).stdout).toMatch(/^m-thin +candidate .*PR-AUC 0\.9000 {2}positives 1\/26 {2}train 2026-03-01…2026-07-01/m);
    const refused = await runModel(['promote', 'm-thin']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'not promoted: m-thin was trained and validated on too few labels: 1 positive in training, needs ≥ 40 (RETOUR_TRAIN_MIN_TRAINING_POSITIVES); ' +
        '26 positives in validation, needs ≥ 50 (RETOUR_TRAIN_MIN_VALIDATION_POSITIVES) — training 1/515 rows positive, validation 26/5214 (use --force to override)\n',
    );
    const forced = await runModel(['promote', 'm-thin'], { force: true });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('m-thin is now serving (forced by an operator: m-thin was trained and validated on too few labels: 1 positive in training');
  });

  it('keeps every promotion decision, append-only: model history and model list --json show who, why, when and what was compared', async () => {
    // After the two tests above: m-2 promoted over m-1, then m-thin forced over m-2.
    const history = await runModel(['history'], { json: true });
    expect(history.code, history.stderr).toBe(0);
    const entries = JSON.parse(history.stdout) as Record<string, unknown>[];
    expect(entries.map(({ version, promoted, forced, source, previousVersion }) => ({ version, promoted, forced, source, previousVersion }))).toEqual([
      { version: 'm-2', promoted: true, forced: false, source: 'operator', previousVersion: 'm-1' },
      { version: 'm-thin', promoted: true, forced: true, source: 'operator', previousVersion: 'm-2' },
    ]);
    expect(entries[0]).toMatchObject({
      decidedBy: expect.stringMatching(/^cli:/) as unknown,
      reason: expect.stringMatching(/^not worse than the serving model/) as unknown,
      compared: { candidate: { prAuc: 0.62, rocAuc: 0.91 }, serving: { version: 'm-1', prAuc: 0.6, rocAuc: 0.9 } },
    });
    expect(entries[1]).toMatchObject({ reason: expect.stringMatching(/^forced by an operator: m-thin was trained and validated on too few labels/) as unknown, compared: { serving: null } });

    // One model's history: its decision and the promotion that retired it.
    const ofM2 = await runModel(['history', 'm-2']);
    expect(ofM2.stdout.trim().split('\n')).toHaveLength(2);
    expect(ofM2.stdout).toMatch(/ m-2 {2}promoted, replacing m-1 {2}by cli:.* \(operator\) {2}PR-AUC 0\.6200, ROC-AUC 0\.9100 vs m-1's 0\.6000, 0\.9000: not worse/);
    expect(ofM2.stdout).toMatch(/ m-thin {2}promoted \(forced\), replacing m-2 /);
    await expect(runModel(['history', 'm-404'])).rejects.toThrow('no model m-404 in the registry');

    const listed = JSON.parse((await runModel(['list'], { json: true })).stdout) as { version: string; promotions: { version: string }[] }[];
    expect(listed.find((model) => model.version === 'm-2')?.promotions).toHaveLength(1);
    expect(listed.find((model) => model.version === 'm-3')?.promotions).toEqual([]);
  });
});
