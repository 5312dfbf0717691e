import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelCommand } from '../../cli/commands/model-command.ts';
import { configWith } from '../../config/load-config.ts';
import { createEventBatchWriter, type RawMessage } from '../../ingest/ingest-batch.ts';
import { importMessages } from '../../ingest/import-messages.ts';
import { simulateMarketplace } from '../../simulator/simulate-marketplace.ts';
import { openDatabase } from '../../store/open-database.ts';
import { listModels } from '../../store/risk/model-registry.ts';

const folder = mkdtempSync(join(tmpdir(), 'retour-model-test-'));
const databasePath = join(folder, 'retour.duckdb');

beforeAll(async () => {
  // Enough history for the time split (28 + 2 × 60 + 56 days), and fraud in both periods, if little:
  // 2 positive rows in training and 26 in validation, below the default minimums (40 and 50).
  const simulation = simulateMarketplace({ seed: 31, days: 215, customers: 1500, returnWindowDays: 60 });
  const database = await openDatabase({ path: databasePath });
  try {
    const writer = await createEventBatchWriter(await database.connect());
    function* messages(): Iterable<RawMessage> {
      let offset = 0;
      for (const event of simulation.events()) yield { topic: 'test:model', partition: 0, offset: offset++, value: JSON.stringify(event) };
    }
    await importMessages(writer, messages(), { batchSize: 20_000, maxEventBytes: 1 << 20 });
    writer.close();
  } finally {
    database.close();
  }
}, 60_000);
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function commandContext(config: ReturnType<typeof configWith>, options: Record<string, string | boolean>) {
  return {
    options,
    positionals: ['train'],
    config,
    logger: pino({ level: 'silent' }),
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    signal: new AbortController().signal,
  };
}

describe('retour model train', () => {
  it('refuses, saying what is missing, when the periods have fewer positives than the defaults ask', async () => {
    // This data has 2 positive rows in training: the model used to be registered and promoted anyway.
    const config = configWith({ RETOUR_DATABASE: databasePath, RETOUR_RETURN_WINDOW_DAYS: '60' });
    await expect(modelCommand.run(commandContext(config, { 'max-rows': '1500' }))).rejects.toThrow(
      /^not enough labels to train and measure a model: 2 positives in training, needs ≥ 40 \(RETOUR_TRAIN_MIN_TRAINING_POSITIVES\); 26 positives in validation, needs ≥ 50 \(RETOUR_TRAIN_MIN_VALIDATION_POSITIVES\) — training 2\/\d+ rows positive, validation 26\/\d+$/,
    );
    const database = await openDatabase({ path: databasePath });
    try {
      expect(await listModels(await database.connect())).toEqual([]);
    } finally {
      database.close();
    }
  }, 120_000);

  it('trains as of the last stored order when --now is later, saying so, and refuses a --now before the first order', async () => {
    // As of 2030 the label horizons ran past the data: no validation row, and fraud not stored yet read as negative.
    const config = configWith({ RETOUR_DATABASE: databasePath, RETOUR_TRAIN_MIN_TRAINING_POSITIVES: '1', RETOUR_TRAIN_MIN_VALIDATION_POSITIVES: '1' });
    const context = commandContext(config, { now: '2030-01-01T00:00:00Z', 'max-rows': '1500' });
    let log = '';
    context.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    expect(await modelCommand.run(context)).toBe(0);
    expect(log).toMatch(/^training as of the last stored order, (20\d\d-\d\d-\d\dT[\d:.]+Z): what follows it \(up to 2030-01-01T00:00:00.000Z\) is not known yet$/m);
    const lastOrder = new Date(/training as of the last stored order, ([^:]+:[^:]+:[^:]+Z)/.exec(log)![1]!);
    const database = await openDatabase({ path: databasePath });
    try {
      const [model] = await listModels(await database.connect());
      // The validation period ends one horizon (60 days) before the last order, not before 2030.
      expect(Date.parse(model!.validationWindowEnd.replace(' ', 'T').replace(/\+00$/, 'Z'))).toBe(lastOrder.getTime() - 60 * 86_400_000);
      expect(model!.metrics.rows.validation).toBeGreaterThan(0);
    } finally {
      database.close();
    }
    // It said "need 204 days of orders, have -367".
    await expect(modelCommand.run(commandContext(config, { now: '2000-01-01T00:00:00Z' }))).rejects.toThrow(/^no orders stored before 2000-01-01T00:00:00.000Z \(the first is on 20\d\d-\d\d-\d\d\): nothing to train on$/);
  }, 120_000);

  it('trains on the features of the configured policy, the ones the risk job scores with', async () => {
    // It trained on the defaults ("late" from day 20, no receipt after 14 days) whatever
    // RETOUR_RETURN_WINDOW_DAYS said, while the risk job served the model features from day 40.
    // Tiny data on purpose (2 training positives): the label minimums are lowered for it.
    const config = configWith({
      RETOUR_DATABASE: databasePath, RETOUR_RETURN_WINDOW_DAYS: '60', RETOUR_RISK_NO_RECEIPT_DAYS: '21', RETOUR_TRAIN_MIN_TRAINING_POSITIVES: '1', RETOUR_TRAIN_MIN_VALIDATION_POSITIVES: '1',
    });
    const code = await modelCommand.run(commandContext(config, { 'max-rows': '1500', json: true }));
    expect(code).toBe(0);
    const database = await openDatabase({ path: databasePath });
    try {
      const [model] = await listModels(await database.connect());
      expect(model?.params['featureOptions']).toEqual({ noReceiptDays: 21, lateReturnDays: 40 });
    } finally {
      database.close();
    }

    // The same data and settings again: nothing to learn, nothing registered (it registered an identical copy).
    const again = commandContext(config, { 'max-rows': '1500' });
    let out = '';
    again.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    expect(await modelCommand.run(again)).toBe(0);
    const reopened = await openDatabase({ path: databasePath });
    try {
      const models = await listModels(await reopened.connect());
      expect(out).toMatch(new RegExp(`^not trained: no new labels or data since ${models[0]!.version} \\(trained .* on the same rows and settings\\), (which is in service: |already judged against .*; )nothing to do`));
      expect(models).toHaveLength(2);
    } finally {
      reopened.close();
    }

    // --force trains anyway (the digest does not cover the training code: after an upgrade).
    expect(await modelCommand.run(commandContext(config, { 'max-rows': '1500', force: true, json: true }))).toBe(0);
    const forced = await openDatabase({ path: databasePath });
    try {
      expect(await listModels(await forced.connect())).toHaveLength(3);
    } finally {
      forced.close();
    }
  }, 180_000);
});
