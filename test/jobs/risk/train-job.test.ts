/**
 * The train job skips — recorded, not failed — while the data cannot make a time split with enough
 * positive labels in both periods (RETOUR_TRAIN_MIN_*_POSITIVES). Real training inside a server:
 * test/cli/commands/serve-model-training.int.test.ts.
 */
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { loadConfig } from '../../../config/load-config.ts';
import { trainJob } from '../../../jobs/risk/train-job.ts';
import { runJob } from '../../../jobs/run-job.ts';
import type { JobRunOptions } from '../../../jobs/job.ts';
import { listJobRuns } from '../../../store/job-runs.ts';
import type { Database } from '../../../store/open-database.ts';
import { listModels, listPromotionHistory } from '../../../store/risk/model-registry.ts';
import { insertRiskFacts } from '../../store/risk/insert-risk-facts.ts';
import { openRiskTestDatabase } from '../../store/risk/open-risk-test-database.ts';

let database: Database;
let connection: DuckDBConnection;
beforeEach(async () => {
  database = await openRiskTestDatabase();
  connection = await database.connect();
});
afterEach(() => database.close());

const NOW = new Date('2026-11-20T00:00:00Z');
const DAY = 86_400_000;

async function runTrain(environment: Record<string, string> = {}, runOptions?: JobRunOptions) {
  return runJob(trainJob, {
    connection, config: loadConfig(environment), logger: pino({ level: 'silent' }), now: NOW, fullRebuild: false, signal: new AbortController().signal, ...(runOptions === undefined ? {} : { runOptions }),
  });
}

/** One order a week for each customer from `days` days before NOW; no fraud evidence at all. */
async function insertOrders(customers: number, days: number): Promise<void> {
  const orders = [];
  const lines = [];
  for (let customer = 0; customer < customers; customer++) {
    for (let day = days; day > 0; day -= 7) {
      const placedAt = new Date(NOW.getTime() - day * DAY).toISOString();
      const orderId = `o_${customer}_${day}`;
      orders.push({ orderId, customerId: `c_${customer}`, placedAt });
      lines.push({ orderId, lineId: 'l1', customerId: `c_${customer}`, productId: 'p', unitPrice: 1000, placedAt });
    }
  }
  await insertRiskFacts(connection, { orders, lines });
}

describe('the train job with too little to train on', () => {
  it('skips with the reason when no order is stored', async () => {
    const result = await runTrain();
    expect(result).toMatchObject({ rowsWritten: 0, skipped: 'no orders stored yet: nothing to train on' });
    const [run] = await listJobRuns(connection, { job: 'train', limit: 1 });
    expect(run).toMatchObject({ status: 'skipped', error: null, details: { skipped: 'no orders stored yet: nothing to train on' } });
  });

  it('skips when the history is shorter than the time split needs', async () => {
    await insertOrders(3, 60);
    const result = await runTrain();
    expect(result.skipped).toMatch(/^not enough history to train with a time split: need 204 days of orders, have 5\d$/);
    expect((await listJobRuns(connection, { job: 'train', limit: 1 }))[0]?.status).toBe('skipped');
    expect(await listModels(connection)).toEqual([]);
  });

  it('skips when the history is long enough but no label is positive', async () => {
    await insertOrders(4, 300);
    const result = await runTrain();
    expect(result.skipped).toMatch(
      /^not enough labels to train and measure a model: 0 positives in training, needs ≥ 40 \(RETOUR_TRAIN_MIN_TRAINING_POSITIVES\); 0 positives in validation, needs ≥ 50 \(RETOUR_TRAIN_MIN_VALIDATION_POSITIVES\) — training 0\/\d+ rows positive, validation 0\/\d+$/,
    );
    const [run] = await listJobRuns(connection, { job: 'train', limit: 1 });
    expect(run).toMatchObject({ status: 'skipped', error: null });
    expect(await listModels(connection)).toEqual([]);
  });

  /** Ten customers ordering weekly for 300 days; two fraud verdicts: one before the validation period, one in it. */
  async function insertTwoFraudsters(): Promise<void> {
    await insertOrders(10, 300);
    const lastOrder = NOW.getTime() - 6 * DAY;
    await insertRiskFacts(connection, {
      decisions: [
        { decisionId: 'd_train', customerId: 'c_0', decidedAt: new Date(lastOrder - 200 * DAY).toISOString(), verdict: 'fraud' },
        { decisionId: 'd_validation', customerId: 'c_1', decidedAt: new Date(lastOrder - 90 * DAY).toISOString(), verdict: 'fraud' },
      ],
    });
  }

  it('skips, with the counts and the settings, when a period has fewer positives than the policy asks', async () => {
    // A model learnt from a few positive rows was registered and promoted when none was in service.
    await insertTwoFraudsters();
    const result = await runTrain();
    expect(result.skipped).toMatch(
      /^not enough labels to train and measure a model: [1-9] positives? in training, needs ≥ 40 \(RETOUR_TRAIN_MIN_TRAINING_POSITIVES\); [1-9] positives? in validation, needs ≥ 50 \(RETOUR_TRAIN_MIN_VALIDATION_POSITIVES\) — training [1-9]\/\d+ rows positive, validation [1-9]\/\d+$/,
    );
    expect((await listJobRuns(connection, { job: 'train', limit: 1 }))[0]).toMatchObject({ status: 'skipped', error: null, details: { skipped: result.skipped } });
    expect(await listModels(connection)).toEqual([]);
  });

  it('trains on the same labels when the settings allow that few (as the tests with tiny data do)', async () => {
    await insertTwoFraudsters();
    const result = await runTrain({ RETOUR_TRAIN_MIN_TRAINING_POSITIVES: '1', RETOUR_TRAIN_MIN_VALIDATION_POSITIVES: '1' });
    expect(result.skipped).toBeUndefined();
    expect(result.details).toMatchObject({ promoted: true, reason: 'no model in service' });
    expect((await listModels(connection)).map((model) => model.status)).toEqual(['serving']);
    expect((await listPromotionHistory(connection)).map(({ promoted, source, decidedBy, reason, previousVersion }) => ({ promoted, source, decidedBy, reason, previousVersion }))).toEqual([
      { promoted: true, source: 'training', decidedBy: 'train job', reason: 'no model in service', previousVersion: null },
    ]);
  });

  it('does not train again on unchanged data: a skipped run naming the model, nothing registered or promoted; new labels train again', async () => {
    await insertTwoFraudsters();
    const few = { RETOUR_TRAIN_MIN_TRAINING_POSITIVES: '1', RETOUR_TRAIN_MIN_VALIDATION_POSITIVES: '1' };
    const first = await runTrain(few);
    const version = String(first.details?.['version']);
    const again = await runTrain(few);
    // An identical copy, equal metrics and all, was registered and promoted ("not worse"), and every customer rescored.
    expect(again).toMatchObject({ rowsWritten: 0, skipped: expect.stringMatching(new RegExp(`^no new labels or data since ${version} \\(trained .* on the same rows and settings\\), which is in service: nothing to do$`)) as unknown });
    expect((await listModels(connection)).map((model) => model.version)).toEqual([version]);
    expect(await listPromotionHistory(connection)).toHaveLength(1);

    // Asked to (POST /v1/models/train {"force": true}, e.g. after an upgrade): it trains, and the usual rule decides.
    const forced = await runTrain(few, { force: true });
    expect(forced.skipped).toBeUndefined();
    expect(await listModels(connection)).toHaveLength(2);

    // A new verdict in the validation period is a new label: training runs and the usual rule decides.
    await insertRiskFacts(connection, {
      decisions: [{ decisionId: 'd_new', customerId: 'c_2', decidedAt: new Date(NOW.getTime() - 100 * DAY).toISOString(), verdict: 'fraud' }],
    });
    const afterNewLabel = await runTrain(few);
    expect(afterNewLabel.skipped).toBeUndefined();
    expect(afterNewLabel.details?.['version']).not.toBe(version);
    expect(await listModels(connection)).toHaveLength(3);
  });
});
