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

  it('refuses a --now after the last stored order, whose labels would read negative, and one before the first', async () => {
    // It trained as of 2030 with label horizons running past the data: no validation row, fraud not stored yet as negatives.
    const config = configWith({ RETOUR_DATABASE: databasePath });
    await expect(modelCommand.run(commandContext(config, { now: '2030-01-01T00:00:00Z' }))).rejects.toThrow(
      /^cannot train as of 2030-01-01T00:00:00.000Z: the last stored order is 20\d\d-\d\d-\d\dT[\d:.]+Z, and what follows it is not known yet \(its labels would all read negative\); train as of that order or earlier$/,
    );
    // It said "need 204 days of orders, have -367".
    await expect(modelCommand.run(commandContext(config, { now: '2000-01-01T00:00:00Z' }))).rejects.toThrow(/^no orders stored before 2000-01-01T00:00:00.000Z \(the first is on 20\d\d-\d\d-\d\d\): nothing to train on$/);
  });

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
  }, 120_000);
});
