import type { DuckDBConnection } from '@duckdb/node-api';
import { PRODUCT_FAULT_REASONS } from '../../domain/events/vocabulary.ts';
import { lateDaysSql } from './compute-customer-features.ts';
import { EFFECTIVE_DECISIONS } from './effective-decisions.ts';

const DEFECT_REASON_LIST = PRODUCT_FAULT_REASONS.map((reason) => `'${reason}'`).join(', ');

export interface LabelSnapshotOptions {
  /** First and last snapshot dates (inclusive); snapshots every `stepDays`. */
  readonly firstSnapshot: Date;
  readonly lastSnapshot: Date;
  readonly stepDays: number;
  /** A snapshot's label looks this many days ahead. */
  readonly horizonDays: number;
  /** Which part of the time split the rows belong to (stored in the `split` column). */
  readonly split: 'train' | 'validation';
  /**
   * Keep every positive and at most about this many rows in all (negatives are sampled
   * deterministically by a hash of customer and date). Default: no limit.
   */
  readonly maxRows?: number;
  /**
   * Also count strong inspection and payment evidence as positive (default false): an item worn and
   * sent back at the end of the window (C_used, requested ≥ `lateReturnDays` after delivery), a "not
   * received" claim after the delivery scan, a refund whose parcel had not arrived `noReceiptDays`
   * later, two or more defect claims inspected with no fault found. Off by default: measured on the
   * development seeds, the forest then learns what the rules already see and the combined score
   * ranks worse (docs/risk.md); reviews also reach fraudsters whose returns passed inspection.
   */
  readonly evidenceLabels?: boolean;
  /** Days after delivery from which a return counts as end-of-window. Default 20. */
  readonly lateReturnDays?: number;
  /** The same per category of the order line (FeatureOptions.lateReturnDaysByCategory). Default none. */
  readonly lateReturnDaysByCategory?: Readonly<Record<string, number>>;
  /** A refund is "without receipt" when its parcel has not arrived this many days later. Default 14. */
  readonly noReceiptDays?: number;
}

/**
 * Appends labelled training rows to the temporary table `risk_targets (target_id, customer_id, as_of,
 * label, split)` (created empty by `resetLabelTargets`). One row per customer and snapshot date d
 * for customers who ordered in the 365 days before d. The label is 1 when, in (d, d + horizon], a
 * reviewer decided fraud or abuse, or one of the customer's returns was inspected as
 * `X_not_declared_item`; a reviewer's `legitimate` verdict in the same period overrides it (labels
 * are partial and noisy; a human decision is the better one). A flag counts once, with the verdict of
 * its latest decision dated when it was first decided, so a corrected verdict flips its label. Features are then computed as of d, so
 * nothing a row's label is built from is visible to its features.
 */
export async function appendLabelSnapshots(connection: DuckDBConnection, options: LabelSnapshotOptions): Promise<{ rows: number; positives: number }> {
  if (!(options.stepDays >= 1 && options.horizonDays >= 1)) throw new RangeError(`stepDays and horizonDays must be ≥ 1, got ${options.stepDays} and ${options.horizonDays}`);
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE risk_label_rows AS
     WITH snapshots AS (
       SELECT unnest(generate_series($first::TIMESTAMPTZ, $last::TIMESTAMPTZ, to_days($step::INTEGER))) AS as_of
     ),
     active AS (
       SELECT DISTINCT s.as_of, o.customer_id
       FROM snapshots s JOIN orders o ON o.placed_at < s.as_of AND o.placed_at >= s.as_of - INTERVAL 365 DAY
     ),
     -- A flag's latest decision only: a corrected verdict is not also a label (effective-decisions.ts).
     reviews AS ${EFFECTIVE_DECISIONS},
     first_delivery AS (SELECT order_id, min(delivered_at) AS delivered_at FROM deliveries GROUP BY order_id),
     first_receipt AS (SELECT return_id, min(received_at) AS received_at FROM return_receipts GROUP BY return_id),
     inspected_lines AS (
       SELECT rl.customer_id, i.inspected_at, i.condition, i.fault, rl.reason,
         (epoch(rl.requested_at) - epoch(d.delivered_at)) / 86400.0 AS days_to_return,
         ${lateDaysSql('ol.category', { noReceiptDays: options.noReceiptDays ?? 14, lateReturnDays: options.lateReturnDays ?? 20, lateReturnDaysByCategory: options.lateReturnDaysByCategory ?? {} })} AS late_days
       FROM inspections i JOIN return_lines rl ON rl.return_id = i.return_id AND rl.line_id = i.line_id
       LEFT JOIN order_lines ol ON ol.order_id = rl.order_id AND ol.line_id = rl.line_id
       LEFT JOIN first_delivery d ON d.order_id = rl.order_id
     ),
     positive_events AS (
       SELECT customer_id, reviewed_at AS at FROM reviews WHERE verdict IN ('fraud', 'abuse')
       UNION ALL
       SELECT customer_id, inspected_at FROM inspected_lines WHERE condition = 'X_not_declared_item'
       UNION ALL
       SELECT customer_id, inspected_at FROM inspected_lines WHERE $evidence AND condition = 'C_used' AND days_to_return >= late_days
       UNION ALL
       SELECT c.customer_id, c.opened_at FROM claims c JOIN first_delivery d ON d.order_id = c.order_id
       WHERE $evidence AND c.kind = 'not_received' AND d.delivered_at < c.opened_at
       UNION ALL
       -- Known only noReceiptDays after the refund, so that is when it happens.
       SELECT f.customer_id, f.issued_at + to_days($noReceiptDays::INTEGER) FROM refunds f LEFT JOIN first_receipt r ON r.return_id = f.return_id
       WHERE $evidence AND f.return_id IS NOT NULL AND (r.received_at IS NULL OR r.received_at > f.issued_at + to_days($noReceiptDays::INTEGER))
     ),
     no_fault_claims AS (
       SELECT customer_id, inspected_at AS at FROM inspected_lines
       WHERE $evidence AND fault = 'none_found' AND condition <> 'X_not_declared_item' AND reason IN (${DEFECT_REASON_LIST})
     ),
     legitimate AS (SELECT customer_id, reviewed_at AS at FROM reviews WHERE verdict = 'legitimate')
     SELECT a.customer_id, a.as_of,
       CASE
         WHEN EXISTS (SELECT 1 FROM legitimate l WHERE l.customer_id = a.customer_id AND l.at > a.as_of AND l.at <= a.as_of + to_days($horizon::INTEGER)) THEN 0
         WHEN EXISTS (SELECT 1 FROM positive_events p WHERE p.customer_id = a.customer_id AND p.at > a.as_of AND p.at <= a.as_of + to_days($horizon::INTEGER)) THEN 1
         WHEN (SELECT count(*) FROM no_fault_claims n WHERE n.customer_id = a.customer_id AND n.at > a.as_of AND n.at <= a.as_of + to_days($horizon::INTEGER)) >= 2 THEN 1
         ELSE 0
       END::UTINYINT AS label
     FROM active a`,
    {
      first: options.firstSnapshot.toISOString(), last: options.lastSnapshot.toISOString(), step: options.stepDays, horizon: options.horizonDays,
      evidence: options.evidenceLabels ?? false, lateDays: options.lateReturnDays ?? 20, noReceiptDays: options.noReceiptDays ?? 14,
    },
  );
  const counts = (await connection.runAndReadAll('SELECT count(*)::BIGINT, coalesce(sum(label), 0)::BIGINT FROM risk_label_rows')).getRows()[0]!;
  const total = Number(counts[0]);
  const positives = Number(counts[1]);
  const negatives = total - positives;
  const keepNegatives = options.maxRows === undefined || negatives === 0 ? 1 : Math.min(1, Math.max(0, options.maxRows - positives) / negatives);
  await connection.run(
    `INSERT INTO risk_targets
     SELECT (SELECT coalesce(max(target_id) + 1, 0) FROM risk_targets) + row_number() OVER (ORDER BY as_of, customer_id) - 1, customer_id, as_of, label, $split
     FROM risk_label_rows
     WHERE label = 1 OR (hash(customer_id || as_of::VARCHAR) % 1000000) < $keep * 1000000`,
    { split: options.split, keep: keepNegatives },
  );
  const kept = (await connection.runAndReadAll('SELECT count(*)::BIGINT, coalesce(sum(label), 0)::BIGINT FROM risk_targets WHERE split = $split', { split: options.split })).getRows()[0]!;
  await connection.run('DROP TABLE IF EXISTS risk_label_rows');
  return { rows: Number(kept[0]), positives: Number(kept[1]) };
}

/** Creates an empty `risk_targets` for labelled rows. */
export async function resetLabelTargets(connection: DuckDBConnection): Promise<void> {
  await connection.run('CREATE OR REPLACE TEMP TABLE risk_targets (target_id BIGINT, customer_id VARCHAR, as_of TIMESTAMPTZ, label UTINYINT, split VARCHAR)');
}

/** The time span of the facts: first and last order. */
export async function readFactTimeRange(connection: DuckDBConnection): Promise<{ first: Date; last: Date } | undefined> {
  const row = (await connection.runAndReadAll('SELECT epoch_ms(min(placed_at)), epoch_ms(max(placed_at)) FROM orders')).getRows()[0];
  if (row === undefined || row[0] === null) return undefined;
  return { first: new Date(Number(row[0])), last: new Date(Number(row[1])) };
}
