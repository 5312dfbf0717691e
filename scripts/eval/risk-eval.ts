/**
 * `npm run eval -- risk [--seed N] [--customers C] [--days D] [--dump FILE] [--database FILE]`: simulate a marketplace, ingest it
 * through the real ingest path, train the fraud model with its time split, run the risk job, and
 * compare the scores with the simulator's truth — next to the plain return-rate score of the same run.
 *
 * The headline figures count every fraudster of the truth. As a diagnostic (never the headline), the
 * eval also breaks the fraudsters down by how many fraudulent returns and claims they made within the
 * features' window (0, 1, ≥ 2), and ranks again over honest customers plus the fraudsters that left
 * at least one such act: a fraudster with none looks like an honest customer in the events.
 *
 * The default seed (7301) was not used while developing the features, rules or forest settings
 * (development used seeds 1 and 2, 11 and 12 for the evidence features and rules of issue #6, and 11,
 * 12 and 13 for session 3's; 8802 was an unseen check after issue #6; session 10's analysis of false
 * defect claims and refund abuse used 101 and 202, then 9901 and 9902 once).
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { DuckDBConnection } from '@duckdb/node-api';
import { pino } from 'pino';
import { configWith } from '../../config/load-config.ts';
import { RetourError } from '../../domain/errors/retour-error.ts';
import { createEventBatchWriter, type RawMessage } from '../../ingest/ingest-batch.ts';
import { importMessages } from '../../ingest/import-messages.ts';
import { riskJob } from '../../jobs/risk/risk-job.ts';
import { trainingLabelPolicyOf, trainRiskModel } from '../../jobs/risk/train-risk-model.ts';
import { averagePrecision } from '../../models/metrics/average-precision.ts';
import { precisionAtFraction } from '../../models/metrics/precision-at-fraction.ts';
import { rocAuc } from '../../models/metrics/roc-auc.ts';
import { simulateMarketplace } from '../../simulator/simulate-marketplace.ts';
import { HONEST_BEHAVIOURS } from '../../simulator/simulation-parameters.ts';
import { openDatabase } from '../../store/open-database.ts';
import { featureOptionsOf } from '../../store/risk/compute-customer-features.ts';
import { countFraudulentActs } from './count-fraudulent-acts.ts';
import { writeTruthTables } from './write-truth-tables.ts';
import { SuiteUsageError, suiteNumber } from '../run-named-suite.ts';

/** The longest window of the risk features (`as_of − INTERVAL 365 DAY` in store/risk/compute-customer-features.ts). */
const FEATURE_WINDOW_DAYS = 365;
const DAY_MS = 86_400_000;

type ActGroup = '0' | '1' | '2+';
/** `flagged` is null for an empty group. */
type ActGroupFigures = { customers: number; flagged: number | null };
/** Scored fraudsters of one type by fraudulent acts in the window, and those of the type without a score row. */
type FraudActsFigures = Record<ActGroup, ActGroupFigures> & {
  notScored: number;
  /** Highest flagged share reachable without flagging more of the 0-act group: (≥ 1 act + flagged 0-act) / all scored of the type. */
  flaggedBound: number;
};
const actGroupOf = (acts: number): ActGroup => (acts === 0 ? '0' : acts === 1 ? '1' : '2+');

/** The rows whose `keep` is 1, as new arrays (to rank a sub-population with the same metrics). */
function selectRows(scores: Float64Array, labels: Uint8Array, keep: Uint8Array): { scores: Float64Array; labels: Uint8Array } {
  const count = keep.reduce((sum, flag) => sum + flag, 0);
  const selected = { scores: new Float64Array(count), labels: new Uint8Array(count) };
  let next = 0;
  keep.forEach((flag, index) => {
    if (flag === 0) return;
    selected.scores[next] = scores[index]!;
    selected.labels[next] = labels[index]!;
    next++;
  });
  return selected;
}

const round = (value: number, digits = 4): number => Number(value.toFixed(digits));

interface RankingFigures {
  rocAuc: number;
  prAuc: number;
  precisionAt1Percent: number;
}

/**
 * null when the rows hold one class only — no fraudster scored (a small or short simulation may have
 * none) or no honest customer: ROC-AUC and PR-AUC are not defined there, and the metrics throw.
 */
function rankingFigures(scores: Float64Array, labels: Uint8Array): RankingFigures | null {
  const positives = labels.reduce((sum, label) => sum + label, 0);
  if (positives === 0 || positives === labels.length) return null;
  return { rocAuc: round(rocAuc(scores, labels)), prAuc: round(averagePrecision(scores, labels)), precisionAt1Percent: round(precisionAtFraction(scores, labels, 0.01)) };
}

export async function runRiskEval(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: {
      seed: { type: 'string', default: '7301' },
      customers: { type: 'string', default: '20000' },
      days: { type: 'string', default: '365' },
      // One CSV row per scored customer (truth, acts, scores, every feature), for analysis outside the eval.
      dump: { type: 'string' },
      // Keep the eval's database (facts, features, scores, flags and the truth's eval_truth_* tables) in
      // this new file instead of in memory, to join the fraudulent acts to their inspections, parcels and refunds.
      database: { type: 'string' },
    },
  });
  const seed = suiteNumber('seed', values.seed, { min: 0, integer: true });
  const customers = suiteNumber('customers', values.customers, { min: 1, max: 10_000_000, integer: true });
  const days = suiteNumber('days', values.days, { min: 1, max: 3650, integer: true });
  const started = performance.now();
  // The policy (RETOUR_RETURN_WINDOW_DAYS, RETOUR_RETURN_WINDOW_BY_CATEGORY, RETOUR_RISK_*) from the
  // environment applies to the simulated marketplace, the model and the job alike, so a marketplace
  // with other return windows can be evaluated.
  const config = configWith({}, process.env);
  const simulation = simulateMarketplace({ seed, days, customers, returnWindowDays: config.returnWindowDays, returnWindowByCategory: config.returnWindowByCategory });
  if (values.database !== undefined && existsSync(values.database)) throw new SuiteUsageError(`--database ${values.database} exists: the eval ingests into a new database only`);
  const database = await openDatabase({ path: values.database ?? ':memory:' });
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
    // The features, the model and the job all see facts strictly before `now` = the truth's
    // (exclusive) endDate, back to now − 365 days; with --days > 365 earlier acts are invisible.
    const now = new Date(truth.endDate);
    const actWindow = { from: new Date(now.getTime() - FEATURE_WINDOW_DAYS * DAY_MS), to: now };
    const actsByCustomer = countFraudulentActs({
      acts: [
        ...truth.fraudulentReturns.map((act) => ({ customerId: act.customerId, at: act.requestedAt })),
        ...truth.fraudulentClaims.map((act) => ({ customerId: act.customerId, at: act.openedAt })),
      ],
      ...actWindow,
    });
    console.log(`seed ${seed}: ${customers} customers, ${days} days, ${imported.stored} events stored (${imported.quarantinedTotal} quarantined) in ${imported.seconds.toFixed(1)} s`);

    // As in production: without a trainable model (too little history, too few positives) the job scores
    // with the rules alone, and the eval measures that instead of stopping.
    const training = await trainRiskModel(connection, { now, featureOptions: featureOptionsOf(config), labelPolicy: trainingLabelPolicyOf(config), log: (message) => console.log(`  train: ${message}`) }).catch((error: unknown) => {
      if (error instanceof RetourError && error.code === 'RETOUR_MODEL_NOT_ENOUGH_DATA') return { unavailable: error.message };
      throw error;
    });
    if ('unavailable' in training) console.log(`no model: ${training.unavailable}; the scores below are the rules' alone`);
    else if ('unchanged' in training) console.log(`model not trained again: ${training.reason}`);
    else console.log(`model ${training.version}: validation ROC-AUC ${training.metrics.roc_auc.toFixed(4)}, PR-AUC ${training.metrics.pr_auc.toFixed(4)}, trained in ${training.trainingSeconds.toFixed(1)} s; ${training.promotion.reason}`);

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
    const perTypeByActs: Record<string, Record<ActGroup, { customers: number; flagged: number }>> = {};
    /** 1 for honest customers and for fraudsters with ≥ 1 fraudulent act in the window (the diagnostic population). */
    const leftEvidence = new Uint8Array(n);
    const scoredIds = new Set<string>();
    const honest: Record<string, { customers: number; high: number; reviewOrHigh: number }> = {};
    let unscored = 0;
    /** Which reasons put honest customers in the high tier (what to fix next). */
    const honestHighReasons: Record<string, number> = {};
    rows.forEach((row, index) => {
      const customer = byCustomer.get(String(row[0]));
      scoredIds.add(String(row[0]));
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
        const acts = actsByCustomer.get(String(row[0])) ?? 0;
        leftEvidence[index] = acts >= 1 ? 1 : 0;
        const types = [customer?.fraudType ?? 'other', ...(customer?.ringId === undefined ? [] : ['ring'])];
        for (const type of types) {
          const entry = (perType[type] ??= { customers: 0, flagged: 0, high: 0 });
          entry.customers++;
          if (tier === 'review' || tier === 'high') entry.flagged++;
          if (tier === 'high') entry.high++;
          const byActs = (perTypeByActs[type] ??= { '0': { customers: 0, flagged: 0 }, '1': { customers: 0, flagged: 0 }, '2+': { customers: 0, flagged: 0 } });
          const group = byActs[actGroupOf(acts)];
          group.customers++;
          if (tier === 'review' || tier === 'high') group.flagged++;
        }
      } else {
        leftEvidence[index] = 1;
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
    const fraudCustomers = labels.reduce((sum, label) => sum + label, 0);
    if (combined === null) {
      console.log(`no ranking figures: ${fraudCustomers} of the ${n} scored customers are fraudsters (both kinds are needed); simulate more customers or days`);
    }

    // Truth fraudsters with no activity before `now` have no score row at all (never ordered).
    const notScoredByType: Record<string, { customers: number }> = {};
    for (const customer of truth.customers) {
      if (HONEST_BEHAVIOURS.has(customer.behaviour) || scoredIds.has(customer.customerId)) continue;
      for (const type of [customer.fraudType ?? 'other', ...(customer.ringId === undefined ? [] : ['ring'])]) {
        (notScoredByType[type] ??= { customers: 0 }).customers++;
      }
    }
    const groupShare = (entry: { customers: number; flagged: number }): ActGroupFigures => ({ customers: entry.customers, flagged: entry.customers === 0 ? null : round(entry.flagged / entry.customers) });
    const fraudActsByFraudType: Record<string, FraudActsFigures> = Object.fromEntries(
      Object.entries(perTypeByActs).map(([type, groups]) => [
        type,
        {
          '0': groupShare(groups['0']), '1': groupShare(groups['1']), '2+': groupShare(groups['2+']), notScored: notScoredByType[type]?.customers ?? 0,
          flaggedBound: round((groups['1'].customers + groups['2+'].customers + groups['0'].flagged) / (groups['0'].customers + groups['1'].customers + groups['2+'].customers)),
        },
      ]),
    );
    const evidence = selectRows(score, labels, leftEvidence);
    const evidenceReturnRate = selectRows(returnRate, labels, leftEvidence);
    const fraudWithEvidence = evidence.labels.reduce((sum, label) => sum + label, 0);
    const fraudScored = labels.reduce((sum, label) => sum + label, 0);
    // The bound the fraudsters without an act put on the headline: every fraudster with ≥ 1 act ranked
    // above every honest customer, the others left where the score put them.
    const ceilingScore = score.map((value, index) => (labels[index] === 1 && leftEvidence[index] === 1 ? 2 : value));
    const ceiling = rankingFigures(ceilingScore, labels);
    const headlineCeiling = { note: 'fraudsters with >= 1 act ranked first, the rest at their score', rocAuc: ceiling?.rocAuc ?? null, prAuc: ceiling?.prAuc ?? null };
    const diagnosticFraudstersWithEvidence = {
      note: 'diagnostic only; the headline is combined/returnRateBaseline over all labelled fraudsters',
      actWindow: { from: actWindow.from.toISOString(), to: actWindow.to.toISOString() },
      rows: evidence.labels.length,
      fraudCustomers: fraudWithEvidence,
      fraudCustomersWithoutActs: fraudScored - fraudWithEvidence,
      combined: rankingFigures(evidence.scores, evidence.labels),
      returnRateBaseline: rankingFigures(evidenceReturnRate.scores, evidenceReturnRate.labels),
      headlineCeiling,
    };
    const result = {
      seed, customers, days, scoredCustomers: n, fraudCustomers, unscored,
      combined,
      modelOnly: 'unavailable' in training ? null : rankingFigures(modelScore, labels),
      rulesOnly: rankingFigures(ruleScore, labels),
      returnRateBaseline: rankingFigures(returnRate, labels),
      flaggedShareByFraudType,
      fraudActsByFraudType,
      diagnosticFraudstersWithEvidence,
      honestTiers,
      honestHighReasons,
      honestHeavyAndBracketersHighTierShare: round(heavyCount === 0 ? 0 : heavy / heavyCount),
      validation:
        'unavailable' in training
          ? { version: null, modelUnavailable: training.unavailable }
          : 'unchanged' in training
            ? { version: training.sameAs, modelUnchanged: training.reason }
            : { version: training.version, rocAuc: round(training.metrics.roc_auc), prAuc: round(training.metrics.pr_auc), precisionAt1Percent: round(training.metrics.precision_at_k.top_1_percent), brier: round(training.metrics.brier), rows: training.metrics.rows },
      goals: {
        rocAucAtLeast097: combined === null ? null : combined.rocAuc >= 0.97,
        precisionAt1PercentAtLeast095: combined === null ? null : combined.precisionAt1Percent >= 0.95,
        everyFraudTypeFlaggedAtLeast80Percent: Object.values(perType).every((entry) => entry.flagged / entry.customers >= 0.8),
        honestHeavyHighTierAtMost2Percent: heavyCount === 0 || heavy / heavyCount <= 0.02,
      },
      seconds: round((performance.now() - started) / 1000, 1),
    };
    if (values.database !== undefined) {
      await writeTruthTables(connection, truth);
      console.log(`kept the database in ${values.database} (with eval_truth_customers, eval_truth_fraudulent_returns, eval_truth_fraudulent_claims)`);
    }
    if (values.dump !== undefined) await dumpScoredCustomers(connection, { path: values.dump, truth, actsByCustomer });
    printSummary({ headline: combined, headlineReturnRate: result.returnRateBaseline, diagnostic: diagnosticFraudstersWithEvidence, fraudActsByFraudType, flaggedShareByFraudType });
    console.log(JSON.stringify(result, null, 2));
    return result;
  } finally {
    database.close();
  }
}

type Figures = RankingFigures | null;

/** Writes `--dump FILE`: each scored customer's truth (behaviour, fraud type, ring, acts), scores and features as CSV. */
async function dumpScoredCustomers(
  connection: DuckDBConnection,
  options: { path: string; truth: ReturnType<ReturnType<typeof simulateMarketplace>['truth']>; actsByCustomer: Map<string, number> },
): Promise<void> {
  const reader = await connection.runAndReadAll(`
    SELECT s.customer_id, s.score, s.tier, s.model_score, s.rule_score, s.reasons, f.* EXCLUDE (customer_id, as_of, computed_at)
    FROM customer_scores s JOIN customer_features f USING (customer_id) ORDER BY s.customer_id`);
  const byCustomer = new Map(options.truth.customers.map((customer) => [customer.customerId, customer]));
  const quote = (value: unknown): string => (value === null || value === undefined ? '' : /[",\n]/.test(String(value)) ? `"${String(value).replaceAll('"', '""')}"` : String(value));
  const lines = [['behaviour', 'fraud_type', 'ring', 'acts', ...reader.columnNames()].join(',')];
  for (const row of reader.getRows()) {
    const customer = byCustomer.get(String(row[0]));
    const truthCells = [customer?.behaviour ?? 'ordinary', customer?.fraudType ?? '', customer?.ringId ?? '', options.actsByCustomer.get(String(row[0])) ?? 0];
    lines.push([...truthCells, ...row].map(quote).join(','));
  }
  await writeFile(options.path, `${lines.join('\n')}\n`);
  console.log(`dumped ${lines.length - 1} scored customers to ${options.path}`);
}

/** The human-readable part: which figures are the headline and which the diagnostic. */
function printSummary(summary: {
  headline: Figures;
  headlineReturnRate: Figures;
  diagnostic: { rows: number; fraudCustomers: number; fraudCustomersWithoutActs: number; combined: Figures; returnRateBaseline: Figures; headlineCeiling: { rocAuc: number | null; prAuc: number | null } };
  fraudActsByFraudType: Record<string, FraudActsFigures>;
  flaggedShareByFraudType: Record<string, { customers: number; flagged: number }>;
}): void {
  const { diagnostic } = summary;
  const figures = (label: string, value: Figures): string =>
    value === null
      ? `  ${label.padEnd(18)} not defined (one class only among these rows)`
      : `  ${label.padEnd(18)} ROC-AUC ${value.rocAuc.toFixed(4)}  PR-AUC ${value.prAuc.toFixed(4)}  precision@1% ${value.precisionAt1Percent.toFixed(4)}`;
  const fixed = (value: number | null): string => (value === null ? '-' : value.toFixed(4));
  console.log('HEADLINE (all labelled fraudsters; the goals apply here):');
  console.log(figures('combined score', summary.headline));
  console.log(figures('plain return rate', summary.headlineReturnRate));
  console.log(`DIAGNOSTIC, not the headline (honest customers + the ${diagnostic.fraudCustomers} fraudsters with >= 1 fraudulent return or claim in the window; the ${diagnostic.fraudCustomersWithoutActs} scored fraudsters without one are left out; ${diagnostic.rows} rows):`);
  console.log(figures('combined score', diagnostic.combined));
  console.log(figures('plain return rate', diagnostic.returnRateBaseline));
  console.log(`  headline ceiling   ROC-AUC ${fixed(diagnostic.headlineCeiling.rocAuc)}  PR-AUC ${fixed(diagnostic.headlineCeiling.prAuc)}  (every fraudster with >= 1 act ranked first, those without at their score)`);
  console.log('Flagged (review or high) per fraud type, by fraudulent acts in the window (scored fraudsters; notScored = no activity, no score row):');
  const percent = (share: number | null): string => (share === null ? '   -' : `${(share * 100).toFixed(0).padStart(3)}%`);
  for (const [type, groups] of Object.entries(summary.fraudActsByFraudType)) {
    const cells = (['0', '1', '2+'] as const).map((group) => `${group.padStart(2)} acts ${String(groups[group].customers).padStart(4)} flagged ${percent(groups[group].flagged)}`);
    const all = summary.flaggedShareByFraudType[type];
    console.log(`  ${type.padEnd(18)} all ${String(all?.customers ?? 0).padStart(4)} flagged ${percent(all?.flagged ?? null)} | ${cells.join(' | ')} | notScored ${groups.notScored} | bound ${percent(groups.flaggedBound)}`);
  }
}
