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
  // Enough history for the time split (28 + 2 × 60 + 56 days) and enough fraud for both labels.
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

describe('retour model train', () => {
  it('trains on the features of the configured policy, the ones the risk job scores with', async () => {
    // It trained on the defaults ("late" from day 20, no receipt after 14 days) whatever
    // RETOUR_RETURN_WINDOW_DAYS said, while the risk job served the model features from day 40.
    const config = configWith({ RETOUR_DATABASE: databasePath, RETOUR_RETURN_WINDOW_DAYS: '60', RETOUR_RISK_NO_RECEIPT_DAYS: '21' });
    const code = await modelCommand.run({
      options: { 'max-rows': '1500', json: true },
      positionals: ['train'],
      config,
      logger: pino({ level: 'silent' }),
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      signal: new AbortController().signal,
    });
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
