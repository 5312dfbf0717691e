/**
 * `npm run eval -- risk [--seed N] [--customers C] [--days D]`: simulate a marketplace, ingest it
 * through the real ingest path, train the fraud model with its time split, run the risk job, and
 * compare the scores with the simulator's truth — next to the plain return-rate score of the same run.
 *
 * The default seed (7301) was not used while developing the features, rules or forest settings
 * (development used seeds 1 and 2, and 11 and 12 for the evidence features and rules of issue #6).
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { loadConfig } from '../../config/load-config.ts';
import { createEventBatchWriter, type RawMessage } from '../../ingest/ingest-batch.ts';
import { importMessages } from '../../ingest/import-messages.ts';
import { riskJob } from '../../jobs/risk/risk-job.ts';
import { trainRiskModel } from '../../jobs/risk/train-risk-model.ts';
import { averagePrecision } from '../../models/metrics/average-precision.ts';
import { precisionAtFraction } from '../../models/metrics/precision-at-fraction.ts';
import { rocAuc } from '../../models/metrics/roc-auc.ts';
import { simulateMarketplace } from '../../simulator/simulate-marketplace.ts';
import { HONEST_BEHAVIOURS } from '../../simulator/simulation-parameters.ts';
import { openDatabase } from '../../store/open-database.ts';

const round = (value: number, digits = 4): number => Number(value.toFixed(digits));

function rankingFigures(scores: Float64Array, labels: Uint8Array): { rocAuc: number; prAuc: number; precisionAt1Percent: number } {
  return { rocAuc: round(rocAuc(scores, labels)), prAuc: round(averagePrecision(scores, labels)), precisionAt1Percent: round(precisionAtFraction(scores, labels, 0.01)) };
}

export async function runRiskEval(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: { seed: { type: 'string', default: '7301' }, customers: { type: 'string', default: '20000' }, days: { type: 'string', default: '365' } },
  });
  const seed = Number(values.seed);
  const customers = Number(values.customers);
  const days = Number(values.days);
  const started = performance.now();
  const simulation = simulateMarketplace({ seed, days, customers });
  const database = await openDatabase({ path: ':memory:' });
  try {
    const connection = await database.connect();
    const writer = await createEventBatchWriter(connection);
    function* messages(): Iterable<RawMessage> {
      let offset = 0;
      for (const event of simulation.events()) yield { topic: 'eval:risk', partition: 0, offset: offset++, value: JSON.stringify(event) };
    }
    const imported = await importMessages(writer, messages(), { batchSize: 20_000, maxEventBytes: 1 << 20 });
    writer.close();
    const truth = simulation.truth();
    const now = new Date(truth.endDate);
    console.log(`seed ${seed}: ${customers} customers, ${days} days, ${imported.stored} events stored (${imported.quarantinedTotal} quarantined) in ${imported.seconds.toFixed(1)} s`);

    const training = await trainRiskModel(connection, { now, log: (message) => console.log(`  train: ${message}`) });
    console.log(`model ${training.version}: validation ROC-AUC ${training.metrics.roc_auc.toFixed(4)}, PR-AUC ${training.metrics.pr_auc.toFixed(4)}, trained in ${training.trainingSeconds.toFixed(1)} s; ${training.promotion.reason}`);

    const config = loadConfig({});
    const job = await riskJob.run({ connection, config, logger: pino({ level: 'silent' }), now, fullRebuild: true, signal: new AbortController().signal });
    console.log(`risk job: ${job.rowsWritten} customers scored`, JSON.stringify(job.details));

    const reader = await connection.runAndReadAll(`
      SELECT s.customer_id, coalesce(s.score, 0), s.tier, coalesce(s.model_score, 0), s.rule_score, coalesce(f.item_return_rate_365d, 0), s.status, s.reasons
      FROM customer_scores s JOIN customer_features f USING (customer_id) ORDER BY s.customer_id`);
    const rows = reader.getRows();
    const byCustomer = new Map(truth.customers.map((customer) => [customer.customerId, customer]));
    const n = rows.length;
    const labels = new Uint8Array(n);
    const score = new Float64Array(n);
    const modelScore = new Float64Array(n);
    const ruleScore = new Float64Array(n);
    const returnRate = new Float64Array(n);
    const perType: Record<string, { customers: number; flagged: number; high: number }> = {};
    const honest: Record<string, { customers: number; high: number; reviewOrHigh: number }> = {};
    let unscored = 0;
    /** Which reasons put honest customers in the high tier (what to fix next). */
    const honestHighReasons: Record<string, number> = {};
    rows.forEach((row, index) => {
      const customer = byCustomer.get(String(row[0]));
      const behaviour = customer?.behaviour ?? 'ordinary';
      const fraud = !HONEST_BEHAVIOURS.has(behaviour);
      labels[index] = fraud ? 1 : 0;
      score[index] = Number(row[1]);
      modelScore[index] = Number(row[3]);
      ruleScore[index] = Number(row[4]);
      returnRate[index] = Number(row[5]);
      if (row[6] !== 'scored') unscored++;
      const tier = String(row[2]);
      if (fraud) {
        const types = [customer?.fraudType ?? 'other', ...(customer?.ringId === undefined ? [] : ['ring'])];
        for (const type of types) {
          const entry = (perType[type] ??= { customers: 0, flagged: 0, high: 0 });
          entry.customers++;
          if (tier === 'review' || tier === 'high') entry.flagged++;
          if (tier === 'high') entry.high++;
        }
      } else {
        const entry = (honest[behaviour] ??= { customers: 0, high: 0, reviewOrHigh: 0 });
        entry.customers++;
        if (tier === 'high') {
          entry.high++;
          for (const reason of JSON.parse(String(row[7])) as { code: string }[]) honestHighReasons[reason.code] = (honestHighReasons[reason.code] ?? 0) + 1;
        }
        if (tier === 'high' || tier === 'review') entry.reviewOrHigh++;
      }
    });
    const flaggedShareByFraudType = Object.fromEntries(Object.entries(perType).map(([type, entry]) => [type, { customers: entry.customers, flagged: round(entry.flagged / entry.customers), high: round(entry.high / entry.customers) }]));
    const honestTiers = Object.fromEntries(Object.entries(honest).map(([behaviour, entry]) => [behaviour, { customers: entry.customers, highTierShare: round(entry.high / entry.customers), reviewOrHighShare: round(entry.reviewOrHigh / entry.customers) }]));
    const heavy = (honest['heavy_returner']?.high ?? 0) + (honest['bracketer']?.high ?? 0);
    const heavyCount = (honest['heavy_returner']?.customers ?? 0) + (honest['bracketer']?.customers ?? 0);
    const combined = rankingFigures(score, labels);
    const result = {
      seed, customers, days, scoredCustomers: n, fraudCustomers: labels.reduce((sum, label) => sum + label, 0), unscored,
      combined,
      modelOnly: rankingFigures(modelScore, labels),
      rulesOnly: rankingFigures(ruleScore, labels),
      returnRateBaseline: rankingFigures(returnRate, labels),
      flaggedShareByFraudType,
      honestTiers,
      honestHighReasons,
      honestHeavyAndBracketersHighTierShare: round(heavyCount === 0 ? 0 : heavy / heavyCount),
      validation: { version: training.version, rocAuc: round(training.metrics.roc_auc), prAuc: round(training.metrics.pr_auc), precisionAt1Percent: round(training.metrics.precision_at_k.top_1_percent), brier: round(training.metrics.brier), rows: training.metrics.rows },
      goals: {
        rocAucAtLeast097: combined.rocAuc >= 0.97,
        precisionAt1PercentAtLeast095: combined.precisionAt1Percent >= 0.95,
        everyFraudTypeFlaggedAtLeast80Percent: Object.values(perType).every((entry) => entry.flagged / entry.customers >= 0.8),
        honestHeavyHighTierAtMost2Percent: heavyCount === 0 || heavy / heavyCount <= 0.02,
      },
      seconds: round((performance.now() - started) / 1000, 1),
    };
    console.log(JSON.stringify(result, null, 2));
    return result;
  } finally {
    database.close();
  }
}
