/**
 * `npm run bench -- risk [--customers N] [--training-rows 10000,25000,50000,100000]`:
 * 1. the risk job on N customers (default 1M) of synthetic facts generated inside DuckDB — rings,
 *    point-in-time features, scores (forest in a worker thread + rules), flags — against the goal of
 *    60 s, with the bare feature aggregation (no rings, no scoring) as the baseline of the same run;
 *    and the same job run again over full result tables (the steady state of `retour serve`);
 * 2. forest training time against labelled row count (~35 features, goal ≤ 60 s at 100k rows);
 * 3. p50/p99 of scoreProposedReturn over snapshots loaded with loadRiskSnapshots (goal p99 ≤ 2 ms).
 * Prints figures as it goes; the JSON summary is the last line (scripts/run-named-suite.ts).
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { DuckDBConnection } from '@duckdb/node-api';
import { loadConfig } from '../../config/load-config.ts';
import { riskJob } from '../../jobs/risk/risk-job.ts';
import { DEFAULT_RISK_FOREST } from '../../jobs/risk/train-risk-model.ts';
import { runRiskWorker } from '../../jobs/risk/run-risk-worker.ts';
import type { FeatureMatrix } from '../../models/forest/binary-classifier.ts';
import { RISK_FEATURE_NAMES } from '../../models/risk/risk-feature-names.ts';
import { scoreProposedReturn } from '../../models/risk/score-proposed-return.ts';
import { createSeededRandom } from '../../models/random/seeded-random.ts';
import { listMigrations, migrate } from '../../store/migrate.ts';
import { openDatabase } from '../../store/open-database.ts';
import { computeCustomerFeatures, createSnapshotTargets } from '../../store/risk/compute-customer-features.ts';
import { loadRiskSnapshots } from '../../store/risk/load-risk-snapshots.ts';
import { insertModel, setServingModel } from '../../store/risk/model-registry.ts';
import { readFeatureMatrix } from '../../store/risk/read-feature-matrix.ts';

const seconds = (from: number): number => Number(((performance.now() - from) / 1000).toFixed(2));

/** Synthetic facts for `customers` customers over 2025, generated set-based inside DuckDB. */
export async function generateFacts(connection: DuckDBConnection, customers: number): Promise<void> {
  const n = { n: customers };
  await connection.run('SELECT setseed(0.42)');
  await connection.run(
    `INSERT INTO orders SELECT 'o' || i, 'c' || (i % $n), TIMESTAMPTZ '2025-01-01 00:00:00+00' + to_seconds((random() * 360 * 86400)::BIGINT), 'EUR', NULL,
       -- 2% of orders go to another customer's address: small rings, no giant component.
       'a' || CASE WHEN random() < 0.02 THEN (random() * $n)::BIGINT ELSE i % $n END, 'pay' || (i % $n), NULL, NULL, 'e'
     FROM range(3 * $n) t(i)`,
    n,
  );
  await connection.run(
    `INSERT INTO order_lines SELECT o.order_id, 'l' || k, o.customer_id, 'p' || ((hash(o.order_id) % 20000) + k), NULL, 'apparel', 1,
       1000 + hash(o.order_id || k) % 19000, 'EUR', CASE WHEN k > 0 AND random() < 0.5 THEN 'L' ELSE 'M' END, NULL, o.placed_at, 'e'
     FROM orders o, range(2) r(k) WHERE k = 0 OR hash(o.order_id) % 10 < 3`,
  );
  await connection.run(`INSERT INTO deliveries SELECT order_id, customer_id, NULL, placed_at + INTERVAL 2 DAY, 'e' FROM orders`);
  await connection.run(
    `CREATE TEMP TABLE bench_returned AS SELECT l.*, l.placed_at + INTERVAL 2 DAY + to_seconds((random() * 25 * 86400)::BIGINT) AS requested_at, random() AS u
     FROM order_lines l WHERE random() < 0.25`,
  );
  await connection.run(`INSERT INTO return_requests SELECT 'r' || order_id || line_id, order_id, customer_id, requested_at, 'mail', 'refund', 'e' FROM bench_returned`);
  await connection.run(
    `INSERT INTO return_lines SELECT 'r' || order_id || line_id, order_id, customer_id, line_id, product_id, 1,
       CASE WHEN u < 0.5 THEN 'fit.too_small' WHEN u < 0.8 THEN 'preference.style' ELSE 'quality.defective' END, NULL, requested_at, 'e'
     FROM bench_returned`,
  );
  await connection.run(
    `INSERT INTO return_receipts SELECT 'r' || order_id || line_id, line_id, 1, requested_at + INTERVAL 4 DAY, CASE WHEN u > 0.998 THEN 80 ELSE 600 END, 'e'
     FROM bench_returned WHERE u < 0.97 OR u > 0.99`,
  );
  await connection.run(
    `INSERT INTO inspections SELECT 'r' || order_id || line_id, line_id, requested_at + INTERVAL 5 DAY,
       CASE WHEN u > 0.995 THEN 'X_not_declared_item' WHEN u > 0.96 THEN 'C_used' WHEN u > 0.9 THEN 'B_open_box' ELSE 'A_new' END,
       CASE WHEN u > 0.8 AND u < 0.9 THEN 'manufacturing' ELSE 'none_found' END, 'restock', 'e'
     FROM bench_returned WHERE u < 0.97 OR u > 0.99`,
  );
  await connection.run(
    `INSERT INTO refunds SELECT 'f' || order_id || line_id, 'r' || order_id || line_id, order_id, customer_id, requested_at + INTERVAL 6 DAY, 1000, 'EUR', 'original_payment', 'e'
     FROM bench_returned WHERE u < 0.985`,
  );
  await connection.run(`INSERT INTO claims SELECT 'k' || order_id, order_id, customer_id, placed_at + INTERVAL 5 DAY, 'not_received', 'e' FROM orders WHERE random() < 0.01`);
  await connection.run('DROP TABLE bench_returned');
}

/** Labels for the training benchmark: a noisy function of real feature rows, ~2% positive. */
function syntheticLabels(matrix: FeatureMatrix, seed: number): Uint8Array {
  const random = createSeededRandom(seed);
  const labels = new Uint8Array(matrix.rowCount);
  const column = (name: string): number => (RISK_FEATURE_NAMES as readonly string[]).indexOf(name) * matrix.rowCount;
  const notDeclared = column('not_declared_365d');
  const used = column('used_returns_365d');
  const missing = column('refunds_without_receipt_365d');
  for (let row = 0; row < matrix.rowCount; row++) {
    const evidence = (matrix.values[notDeclared + row] ?? 0) + 0.5 * (matrix.values[used + row] ?? 0) + (matrix.values[missing + row] ?? 0);
    labels[row] = random.next() < Math.min(0.9, 0.01 + 0.4 * evidence) ? 1 : 0;
  }
  return labels;
}

function slice(matrix: FeatureMatrix, rows: number): FeatureMatrix {
  const values = new Float64Array(rows * matrix.featureCount);
  for (let f = 0; f < matrix.featureCount; f++) values.set(matrix.values.subarray(f * matrix.rowCount, f * matrix.rowCount + rows), f * rows);
  return { rowCount: rows, featureCount: matrix.featureCount, values };
}

export async function runRiskBench(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({ args, options: { customers: { type: 'string', default: '1000000' }, 'training-rows': { type: 'string', default: '10000,25000,50000,100000' } } });
  const customers = Number(values.customers);
  const trainingRows = values['training-rows'].split(',').map(Number);
  const database = await openDatabase({ path: ':memory:', migrate: false, settings: { threads: '2' } });
  try {
    const connection = await database.connect();
    // Every migration, as in a real database: the job writes all feature columns (007, 010).
    await migrate(connection, listMigrations());
    let t = performance.now();
    await generateFacts(connection, customers);
    const facts = (await connection.runAndReadAll('SELECT (SELECT count(*) FROM orders)::BIGINT, (SELECT count(*) FROM order_lines)::BIGINT, (SELECT count(*) FROM return_lines)::BIGINT')).getRows()[0]!;
    console.log(`facts for ${customers} customers: ${facts[0]} orders, ${facts[1]} lines, ${facts[2]} return lines in ${seconds(t)} s`);
    const now = new Date('2026-01-01T00:00:00Z');

    // Baseline: the bare point-in-time aggregation, no rings, no scoring, no writes.
    t = performance.now();
    await createSnapshotTargets(connection, now);
    await computeCustomerFeatures(connection);
    const featuresOnlySeconds = seconds(t);
    console.log(`baseline — features only: ${featuresOnlySeconds} s`);

    // A serving model trained on these features, so the job's scoring path is the real one.
    const all = await readFeatureMatrix(connection, `SELECT ${RISK_FEATURE_NAMES.join(', ')} FROM risk_feature_rows ORDER BY target_id`, RISK_FEATURE_NAMES);
    const training: { rows: number; seconds: number }[] = [];
    let lastModel;
    for (const rows of trainingRows.filter((r) => r <= all.rowCount)) {
      const matrix = slice(all, rows);
      t = performance.now();
      lastModel = (await runRiskWorker({ task: 'train', matrix, labels: syntheticLabels(matrix, 7), options: DEFAULT_RISK_FOREST })).model;
      training.push({ rows, seconds: seconds(t) });
      console.log(`training ${rows} rows × ${matrix.featureCount} features (${DEFAULT_RISK_FOREST.treeCount} trees, worker thread): ${training.at(-1)!.seconds} s`);
    }
    if (lastModel !== undefined) {
      await insertModel(connection, {
        version: 'bench', createdAt: now.toISOString(), algorithm: lastModel.kind, features: [...RISK_FEATURE_NAMES], params: { calibration: { slope: 1, intercept: 0 }, topFeatures: ['not_declared_365d'] },
        trainingWindowStart: now.toISOString(), trainingWindowEnd: now.toISOString(), validationWindowStart: now.toISOString(), validationWindowEnd: now.toISOString(),
        metrics: { roc_auc: Number.NaN, pr_auc: Number.NaN, precision_at_k: { top_1_percent: 0, top_100: 0 }, brier: 0, calibration: [], rows: { training: 0, training_positive: 0, validation: 0, validation_positive: 0 } },
        model: lastModel,
      });
      await setServingModel(connection, 'bench', now);
    }

    t = performance.now();
    const job = await riskJob.run({ connection, config: loadConfig({}), logger: pino({ level: 'silent' }), now, fullRebuild: true, signal: new AbortController().signal });
    const jobSeconds = seconds(t);
    console.log(`risk job on ${job.rowsWritten} customers: ${jobSeconds} s (goal ≤ 60 s)`, JSON.stringify(job.details));

    // The steady state of `retour serve`: the same job again, over result tables already full.
    t = performance.now();
    const rerun = await riskJob.run({ connection, config: loadConfig({}), logger: pino({ level: 'silent' }), now, fullRebuild: true, signal: new AbortController().signal });
    const rerunSeconds = seconds(t);
    console.log(`risk job again over full result tables: ${rerunSeconds} s`, JSON.stringify(rerun.details));

    t = performance.now();
    const snapshots = await loadRiskSnapshots(connection);
    const loadSnapshotsSeconds = seconds(t);
    const ids = [...snapshots.keys()];
    const random = createSeededRandom(3);
    const calls = 200_000;
    const durations = new Float64Array(calls);
    const reasons = ['fit.too_small', 'quality.defective', 'preference.style'];
    for (let i = 0; i < calls; i++) {
      const id = ids[random.nextInt(ids.length)]!;
      const request = { customerId: id, lines: [{ productId: 'p1', quantity: 1 + random.nextInt(2), reason: reasons[random.nextInt(3)]!, unitPrice: 1000 + random.nextInt(40_000) }] };
      const start = performance.now();
      scoreProposedReturn(snapshots.get(id), request);
      durations[i] = performance.now() - start;
    }
    durations.sort();
    const realTime = { calls, p50Ms: Number(durations[Math.floor(calls * 0.5)]!.toFixed(4)), p99Ms: Number(durations[Math.floor(calls * 0.99)]!.toFixed(4)), maxMs: Number(durations[calls - 1]!.toFixed(3)) };
    console.log(`scoreProposedReturn: p50 ${realTime.p50Ms} ms, p99 ${realTime.p99Ms} ms over ${calls} calls (goal p99 ≤ 2 ms); snapshots loaded in ${loadSnapshotsSeconds} s`);
    return {
      customers, scored: job.rowsWritten, jobSeconds, featuresOnlySeconds, jobDetails: job.details, rerunSeconds, rerunTimings: rerun.details?.['timings'], training, realTime, loadSnapshotsSeconds,
      goals: { jobAtMost60Seconds: jobSeconds <= 60, training100kAtMost60Seconds: training.find((entry) => entry.rows === 100_000)?.seconds ?? null, realTimeP99AtMost2Ms: realTime.p99Ms <= 2 },
    };
  } finally {
    database.close();
  }
}
