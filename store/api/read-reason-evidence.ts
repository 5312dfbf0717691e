/**
 * The facts behind each rule reason of a flag, computed on demand for one customer (never in the
 * risk job). Each query mirrors the definition of the feature its rule reads in
 * store/risk/compute-customer-features.ts — same window relative to the time the reasons were
 * computed, same filters — so a reason quoting "3 returns …" lists exactly 3 facts (see docs/risk.md
 * § Evidence behind a reason; test/store/api/read-reason-evidence.test.ts checks it rule by rule).
 */
import { LIST, VARCHAR, listValue, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { PRODUCT_FAULT_REASONS } from '../../domain/events/vocabulary.ts';
import { readReceiptsReported } from '../receipts-reported.ts';
import { DEFAULT_FEATURE_OPTIONS, lateDaysSql, productWeightSql, type FeatureOptions } from '../risk/compute-customer-features.ts';
import { toIsoTime } from '../to-iso-time.ts';

/** One fact behind a reason; `kind` and `id` are those of the fact's row in the flag's timeline. */
export interface ReasonEvidenceItem {
  kind: string;
  id: string;
  at: string;
  /** The return line, for evidence counted per line (inspections, late returns). */
  lineId?: string;
  /** Whose fact it is, for ring evidence (the flagged customer or a ring mate). */
  customerId?: string;
}

export interface ReasonEvidence {
  items: ReasonEvidenceItem[];
  /** Facts behind the reason, listed or not (items stops at the limit). */
  total: number;
  truncated: boolean;
}

const DEFECT_REASON_LIST = PRODUCT_FAULT_REASONS.map((reason) => `'${reason}'`).join(', ');

/** A fact as the queries return it, with the windows the rules choose between. */
interface EvidenceRow extends ReasonEvidenceItem {
  /** At or after as_of − 90 days (NOT_DECLARED_ITEM quotes the 90-day count or the 365-day one). */
  in90d: boolean;
}

// Window bounds exactly as risk_subjects computes them (TIMESTAMPTZ − INTERVAL), written into each
// predicate as constants: read from a one-row CTE joined to the facts, they kept DuckDB from filtering
// the fact tables while scanning them, and every inspection was joined first (docs/api.md § Read routes).
const AS_OF = '$asOf::TIMESTAMPTZ';
const SINCE_30D = `(${AS_OF} - INTERVAL 30 DAY)`;
const SINCE_90D = `(${AS_OF} - INTERVAL 90 DAY)`;
const SINCE_365D = `(${AS_OF} - INTERVAL 365 DAY)`;
const REFUNDED_BEFORE = `(${AS_OF} - to_days($noReceiptDays::INTEGER))`;

// The rows of the given customers ($customerIds) of a fact table, looked up in its customer_id index
// (migration 015). OFFSET 0 keeps the caller's other filters (the windows) out of the table scan:
// DuckDB uses the index only when the customer is the scan's one filter, and scans the whole table
// otherwise.
const ofCustomers = (table: string, columns: string): string => `SELECT ${columns} FROM ${table} WHERE customer_id = ANY($customerIds) OFFSET 0`;
// The rows of a fact table whose `key` is among those `keysSql` selects, for a MATERIALIZED CTE: an IN
// list is looked up in the key's index, while a join on two columns (return and line) scans the table.
const withKeysIn = (table: string, key: string, keysSql: string): string => `SELECT * FROM ${table} WHERE ${key} IN (${keysSql})`;

// subject_lines of the features, for the given customers only: their return lines in the year before
// as_of, with days from delivery to return and the category's end of window. Read once per read and
// set of customers (SUBJECT_LINES_SQL, which looks up their orders' lines and deliveries) and handed
// to the queries that need it as JSON text, which DuckDB writes and parses back without loss
// (timestamps to the microsecond).
const SUBJECT_LINE_COLUMNS = {
  customer_id: 'VARCHAR', return_id: 'VARCHAR', line_id: 'VARCHAR', product_id: 'VARCHAR', quantity: 'INTEGER', reason: 'VARCHAR',
  requested_at: 'TIMESTAMPTZ', days_to_return: 'DOUBLE', late_days: 'DOUBLE',
} as const;

const SUBJECT_LINES_SQL = `WITH subject_return_lines AS MATERIALIZED (
  SELECT customer_id, return_id, order_id, line_id, product_id, quantity, reason, requested_at
  FROM (${ofCustomers('return_lines', 'customer_id, return_id, order_id, line_id, product_id, quantity, reason, requested_at')})
  WHERE requested_at < ${AS_OF} AND requested_at >= ${SINCE_365D}
),
line_delivery AS (
  SELECT d.order_id, l.line_id, min(d.delivered_at) AS delivered_at
  FROM (SELECT DISTINCT order_id, line_id FROM subject_return_lines) l
  JOIN deliveries d ON d.order_id = l.order_id AND (d.line_id IS NULL OR d.line_id = l.line_id)
  GROUP BY d.order_id, l.line_id
),
-- The lines' orders looked up by order id (an IN list is; a LEFT JOIN to the table would scan it).
subject_order_lines AS MATERIALIZED (SELECT order_id, line_id, category FROM order_lines WHERE order_id IN (SELECT order_id FROM subject_return_lines)),
subject_lines AS (
  SELECT rl.customer_id, rl.return_id, rl.line_id, rl.product_id, rl.quantity, rl.reason, rl.requested_at,
    ((epoch_us(rl.requested_at) // 1000000) - (epoch_us(ld.delivered_at) // 1000000)) / 86400.0 AS days_to_return,
    %LATE_DAYS% AS late_days
  FROM subject_return_lines rl
  LEFT JOIN subject_order_lines ol ON ol.order_id = rl.order_id AND ol.line_id = rl.line_id
  LEFT JOIN line_delivery ld ON ld.order_id = rl.order_id AND ld.line_id = rl.line_id
)
SELECT coalesce(to_json(list(struct_pack(${Object.keys(SUBJECT_LINE_COLUMNS).map((name) => `${name} := ${name}::${SUBJECT_LINE_COLUMNS[name as keyof typeof SUBJECT_LINE_COLUMNS]}`).join(', ')}))), '[]')::VARCHAR AS lines
FROM subject_lines`;

const SUBJECT_LINES_CTE = `subject_lines AS MATERIALIZED (
  SELECT unnest(line) FROM (SELECT unnest(from_json($subjectLines::VARCHAR, '${JSON.stringify([SUBJECT_LINE_COLUMNS])}')) AS line)
)`;

const INSPECTION_CONDITIONS = {
  notDeclared: `i.condition = 'X_not_declared_item'`,
  used: `i.condition = 'C_used'`,
  lateUsed: `i.condition = 'C_used' AND sl.days_to_return >= sl.late_days`,
  noFaultDefect: `sl.reason IN (${DEFECT_REASON_LIST}) AND i.fault = 'none_found'`,
  unusedDefect: `sl.reason IN (${DEFECT_REASON_LIST}) AND i.fault = 'none_found' AND i.condition = 'A_new'`,
} as const;
type InspectionCondition = keyof typeof INSPECTION_CONDITIONS;

// The features' subject_inspections: the latest inspection of each line in the window made before
// as_of (a re-inspection replaces the first), with whether it meets each reason's condition
// (meets_<name>). One query serves every inspection reason of a read: with one query per condition,
// a flag with five such reasons scanned the same tables five times.
const INSPECTED_LINES_SQL = `WITH ${SUBJECT_LINES_CTE},
subject_inspections AS MATERIALIZED (${withKeysIn('inspections', 'return_id', 'SELECT return_id FROM subject_lines')})
SELECT sl.customer_id, 'return.inspected' AS kind, sl.return_id AS id, sl.line_id, i.inspected_at AS fact_at, i.inspected_at >= ${SINCE_90D} AS in_90d,
  ${Object.entries(INSPECTION_CONDITIONS).map(([name, condition]) => `coalesce(${condition}, false) AS meets_${name}`).join(', ')}
FROM subject_lines sl
JOIN subject_inspections i ON i.return_id = sl.return_id AND i.line_id = sl.line_id AND i.inspected_at < ${AS_OF}
QUALIFY row_number() OVER (PARTITION BY sl.customer_id, sl.return_id, sl.line_id ORDER BY i.inspected_at DESC, i.event_id DESC) = 1
ORDER BY fact_at DESC, id, line_id`;

const LATE_RETURNS_SQL = `WITH ${SUBJECT_LINES_CTE}
SELECT customer_id, 'return.requested' AS kind, return_id AS id, line_id, requested_at AS fact_at, false AS in_90d
FROM subject_lines WHERE days_to_return >= late_days
ORDER BY fact_at DESC, id, line_id`;

const PARCEL_CONDITIONS = {
  light: 'rr.weight_grams < 0.5 * pw.grams * sl.quantity',
  offWeight: `sl.return_id IN (SELECT return_id FROM single_line_returns)
    AND abs(rr.weight_grams - pw.grams * sl.quantity) > 0.2 * pw.grams * sl.quantity`,
} as const;
type ParcelCondition = keyof typeof PARCEL_CONDITIONS;

// Parcels weighed against the product's typical one-line return weight: the weights the risk run
// that wrote the reasons kept (risk_product_weights, under its as_of), or, for reasons of an earlier
// run, computed again for the products the customers returned (productWeightSql, the features'
// definition). One query serves both parcel reasons: a row per parcel and condition it meets,
// meets_<condition> saying which.
const PRODUCT_WEIGHTS = {
  kept: `SELECT product_id, grams FROM risk_product_weights WHERE as_of = ${AS_OF}`,
  computed: productWeightSql('SELECT product_id FROM products'),
} as const;

const WEIGHED_PARCELS_SQL = `WITH ${SUBJECT_LINES_CTE},
products AS (SELECT DISTINCT product_id FROM subject_lines),
-- The customers' one-line returns (OFF_WEIGHT_PARCELS weighs those only).
single_line_returns AS MATERIALIZED (
  SELECT return_id FROM return_lines WHERE return_id IN (SELECT return_id FROM subject_lines) GROUP BY return_id HAVING count(*) = 1
),
product_weight AS (%PRODUCT_WEIGHT%),
subject_receipts AS MATERIALIZED (${withKeysIn('return_receipts', 'return_id', 'SELECT return_id FROM subject_lines')}),
weighed AS MATERIALIZED (
  SELECT sl.customer_id, sl.return_id, rr.received_at, ${Object.entries(PARCEL_CONDITIONS).map(([name, condition]) => `(${condition}) AS meets_${name}`).join(', ')}
  FROM subject_lines sl
  JOIN subject_receipts rr ON rr.return_id = sl.return_id AND rr.line_id = sl.line_id AND rr.received_at < ${AS_OF}
  JOIN product_weight pw ON pw.product_id = sl.product_id
)
-- A parcel counts once however many of its lines qualify (count(DISTINCT return_id) in the features).
${Object.keys(PARCEL_CONDITIONS)
  .map(
    (name) => `SELECT customer_id, 'return.received' AS kind, return_id AS id, NULL AS line_id, min(received_at) AS fact_at, false AS in_90d,
  ${Object.keys(PARCEL_CONDITIONS).map((other) => `${other === name} AS meets_${other}`).join(', ')}
FROM weighed WHERE meets_${name} GROUP BY customer_id, return_id`,
  )
  .join('\nUNION ALL\n')}
ORDER BY fact_at DESC, id`;

// The first receipt of each return among the given ones (not of every return: that aggregated the
// whole table to join a few rows).
const firstReceiptsOf = (returnIds: string): string =>
  `(SELECT return_id, min(received_at) AS received_at FROM return_receipts WHERE return_id IN (${returnIds}) GROUP BY return_id)`;

// $receiptsReported: what the risk run that wrote the reasons used (ReasonsRun), or else asked of the
// data once per read (readReasonEvidence), not once per query.
const REFUNDS_WITHOUT_RECEIPT_SQL = `WITH customer_refunds AS MATERIALIZED (${ofCustomers('refunds', '*')})
SELECT f.customer_id, 'refund.issued' AS kind, f.refund_id AS id, NULL AS line_id, f.issued_at AS fact_at, false AS in_90d
FROM customer_refunds f
LEFT JOIN ${firstReceiptsOf('SELECT return_id FROM customer_refunds')} fr ON fr.return_id = f.return_id
WHERE f.return_id IS NOT NULL AND f.issued_at < ${REFUNDED_BEFORE} AND f.issued_at >= ${SINCE_365D}
  AND (fr.received_at IS NULL OR fr.received_at >= ${AS_OF}) AND $receiptsReported
ORDER BY fact_at DESC, id`;

const UNSHIPPED_RETURNS_SQL = `WITH customer_requests AS MATERIALIZED (${ofCustomers('return_requests', '*')})
SELECT r.customer_id, 'return.requested' AS kind, r.return_id AS id, NULL AS line_id, r.requested_at AS fact_at, false AS in_90d
FROM customer_requests r
LEFT JOIN ${firstReceiptsOf('SELECT return_id FROM customer_requests')} fr ON fr.return_id = r.return_id
WHERE r.requested_at < ${SINCE_30D} AND r.requested_at >= ${SINCE_365D}
  AND (fr.received_at IS NULL OR fr.received_at >= ${AS_OF}) AND $receiptsReported
ORDER BY fact_at DESC, id`;

// The first delivery of the claimed orders only (not of every order).
const CLAIMS_SQL = `WITH customer_claims AS MATERIALIZED (${ofCustomers('claims', '*')})
SELECT c.customer_id, 'claim.opened' AS kind, c.claim_id AS id, NULL AS line_id, c.opened_at AS fact_at, c.opened_at >= ${SINCE_90D} AS in_90d
FROM customer_claims c
LEFT JOIN (SELECT order_id, min(delivered_at) AS delivered_at FROM deliveries
  WHERE order_id IN (SELECT order_id FROM customer_claims) GROUP BY order_id) cd ON cd.order_id = c.order_id
WHERE c.opened_at < ${AS_OF} AND c.opened_at >= ${SINCE_365D} AND (%CONDITION%)
ORDER BY fact_at DESC, id`;

const CLAIM_CONDITIONS = {
  recent: `c.opened_at >= ${SINCE_90D}`,
  // "Never arrived" after the carrier scanned it delivered.
  deliveredNotReceived: `c.kind = 'not_received' AND cd.delivered_at < c.opened_at`,
} as const;

const CONDITIONS = CLAIM_CONDITIONS;

interface EvidenceQuery {
  sql: string;
  /** Replaces %CONDITION% in sql. */
  condition?: keyof typeof CONDITIONS;
  /** The rows of sql (a query shared by several reasons) whose meets_<condition> column is true. */
  meets?: InspectionCondition | ParcelCondition;
}

function queryText(query: EvidenceQuery): string {
  return query.condition === undefined ? query.sql : query.sql.replace('%CONDITION%', CONDITIONS[query.condition]);
}

const QUERIES = {
  notDeclared: { sql: INSPECTED_LINES_SQL, meets: 'notDeclared' },
  used: { sql: INSPECTED_LINES_SQL, meets: 'used' },
  lateUsed: { sql: INSPECTED_LINES_SQL, meets: 'lateUsed' },
  noFaultDefect: { sql: INSPECTED_LINES_SQL, meets: 'noFaultDefect' },
  unusedDefect: { sql: INSPECTED_LINES_SQL, meets: 'unusedDefect' },
  lateReturns: { sql: LATE_RETURNS_SQL },
  light: { sql: WEIGHED_PARCELS_SQL, meets: 'light' },
  offWeight: { sql: WEIGHED_PARCELS_SQL, meets: 'offWeight' },
  refundsWithoutReceipt: { sql: REFUNDS_WITHOUT_RECEIPT_SQL },
  unshipped: { sql: UNSHIPPED_RETURNS_SQL },
  recentClaims: { sql: CLAIMS_SQL, condition: 'recent' },
  deliveredNotReceived: { sql: CLAIMS_SQL, condition: 'deliveredNotReceived' },
} as const satisfies Record<string, EvidenceQuery>;
type EvidenceQueryName = keyof typeof QUERIES;

interface QueryScope {
  connection: DuckDBConnection;
  asOf: string;
  options: FeatureOptions;
  /** Whether the data reports return receipts (receiptsReportedSql), asked once per read when a query needs it. */
  receiptsReported: () => Promise<boolean>;
  /** The rows of a shared query (INSPECTED_LINES_SQL, WEIGHED_PARCELS_SQL) per set of customers, read once per read. */
  sharedRows: Map<string, Promise<Record<string, unknown>[]>>;
  /** SUBJECT_LINES_SQL's JSON per set of customers, read once per read. */
  subjectLines: Map<string, Promise<string>>;
  /** Whether the run that wrote the reasons kept its product weights (PRODUCT_WEIGHTS), asked once per read when a query needs it. */
  productWeightsKept: () => Promise<boolean>;
}

/** The value cached under `key`, made once per read. */
function once<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let value = cache.get(key);
  if (value === undefined) {
    value = make();
    cache.set(key, value);
  }
  return value;
}

function readSubjectLines(scope: QueryScope, customerIds: readonly string[]): Promise<string> {
  return once(scope.subjectLines, customerIds.join('\n'), async () => {
    const [row] = await readEvidenceRows(scope, SUBJECT_LINES_SQL.replace('%LATE_DAYS%', lateDaysSql('ol.category', scope.options)), customerIds);
    return String(row!['lines']);
  });
}

async function readEvidenceRows(scope: QueryScope, sqlTemplate: string, customerIds: readonly string[]): Promise<Record<string, unknown>[]> {
  const sql = sqlTemplate.includes('%PRODUCT_WEIGHT%')
    ? sqlTemplate.replace('%PRODUCT_WEIGHT%', PRODUCT_WEIGHTS[(await scope.productWeightsKept()) ? 'kept' : 'computed'])
    : sqlTemplate;
  const values: Record<string, DuckDBValue> = {};
  // DuckDB rejects parameters a statement does not use.
  if (sql.includes('$asOf')) values['asOf'] = scope.asOf;
  if (sql.includes('$customerIds')) values['customerIds'] = listValue([...customerIds]);
  if (sql.includes('$lateDays')) values['lateDays'] = scope.options.lateReturnDays;
  if (sql.includes('$subjectLines')) values['subjectLines'] = await readSubjectLines(scope, customerIds);
  if (sql.includes('$noReceiptDays')) values['noReceiptDays'] = scope.options.noReceiptDays;
  if (sql.includes('$receiptsReported')) values['receiptsReported'] = await scope.receiptsReported();
  const reader = await scope.connection.runAndReadAll(sql, values, 'customerIds' in values ? { customerIds: LIST(VARCHAR) } : undefined);
  return reader.getRowObjectsJS();
}

async function runEvidenceQuery(scope: QueryScope, name: EvidenceQueryName, customerIds: readonly string[], withCustomer: boolean): Promise<EvidenceRow[]> {
  const query: EvidenceQuery = QUERIES[name];
  let rows: Record<string, unknown>[];
  if (query.meets === undefined) {
    rows = await readEvidenceRows(scope, queryText(query), customerIds);
  } else {
    const shared = await once(scope.sharedRows, `${query.sql}\n${customerIds.join('\n')}`, () => readEvidenceRows(scope, query.sql, customerIds));
    rows = shared.filter((row) => row[`meets_${query.meets}`] === true);
  }
  return rows.map((row) => ({
    kind: String(row['kind']),
    id: String(row['id']),
    at: toIsoTime(row['fact_at'])!,
    ...(row['line_id'] === null || row['line_id'] === undefined ? {} : { lineId: String(row['line_id']) }),
    ...(withCustomer ? { customerId: String(row['customer_id']) } : {}),
    in90d: row['in_90d'] === true,
  }));
}

/** Which rows NOT_DECLARED_ITEM's text counts: it quotes the 90-day count, or the 365-day one (evaluate-risk-rules.ts). */
async function notDeclaredEvidence(notDeclared: EvidenceRow[], offWeight: () => Promise<EvidenceRow[]>): Promise<EvidenceRow[]> {
  const in90d = notDeclared.filter((row) => row.in90d);
  // None in 90 days and one in the year: the rule fired on that one plus an off-weight parcel.
  if (in90d.length === 0 && notDeclared.length === 1) return [...notDeclared, ...(await offWeight())];
  return in90d.length >= 2 || notDeclared.length < 2 ? in90d : notDeclared;
}

/**
 * The evidence of each given reason code (codes without listable evidence are left out of the map).
 * `asOf` is the time the reasons were computed (the features' as_of); `limit` caps each list.
 * @example
 * const evidence = await readReasonEvidence(connection, { customerId: 'cus_1', asOf: '2026-11-01T00:00:00Z', codes: ['NOT_DECLARED_ITEM'], limit: 50 });
 * evidence.get('NOT_DECLARED_ITEM'); // { items: [{ kind: 'return.inspected', id: 'ret_9', lineId: 'l1', at: '…' }], total: 1, truncated: false }
 */
export async function readReasonEvidence(
  connection: DuckDBConnection,
  request: {
    customerId: string; asOf: string; codes: readonly string[]; limit: number; options?: FeatureOptions;
    /** What the run that wrote the reasons used (ReasonsRun); asked of the data (a scan of every return) when not given. */
    receiptsReported?: boolean | undefined;
  },
): Promise<Map<string, ReasonEvidence>> {
  let productWeightsKept: Promise<boolean> | undefined;
  let receiptsReported: Promise<boolean> | undefined = request.receiptsReported === undefined ? undefined : Promise.resolve(request.receiptsReported);
  const scope: QueryScope = {
    connection,
    asOf: request.asOf,
    options: request.options ?? DEFAULT_FEATURE_OPTIONS,
    receiptsReported: () => (receiptsReported ??= readReceiptsReported(connection)),
    sharedRows: new Map(),
    subjectLines: new Map(),
    productWeightsKept: () => (productWeightsKept ??= readProductWeightsKept(connection, request.asOf)),
  };
  const self = [request.customerId];
  const codes = new Set(request.codes);
  // With a ring reason, the shared queries run once for the ring (the customer included) and the
  // customer's own rows are taken from them: a customer's rows do not depend on who else is asked for
  // (each row is one customer's line or parcel; the product weights are over every customer).
  const members = codes.has('RING_EVIDENCE') ? readRingMembers(connection, request.customerId) : undefined;
  // Awaited by every use; this only keeps a failure before the first use from being an unhandled rejection.
  members?.catch(() => undefined);
  // Each query once per read: NOT_DECLARED_ITEM and OFF_WEIGHT_PARCELS both read the off-weight parcels.
  const ownRows = new Map<EvidenceQueryName, Promise<EvidenceRow[]>>();
  const own = (name: EvidenceQueryName): Promise<EvidenceRow[]> => {
    let rows = ownRows.get(name);
    if (rows === undefined) {
      const query: EvidenceQuery = QUERIES[name];
      rows =
        members === undefined || query.meets === undefined
          ? runEvidenceQuery(scope, name, self, false)
          : members.then(async (ids) =>
              (await runEvidenceQuery(scope, name, ids, true)).filter((row) => row.customerId === request.customerId).map(({ customerId: _customerId, ...row }) => row),
            );
      ownRows.set(name, rows);
    }
    return rows;
  };
  const result = new Map<string, ReasonEvidence>();
  for (const code of codes) {
    let rows: EvidenceRow[] | undefined;
    switch (code) {
      case 'NOT_DECLARED_ITEM': rows = await notDeclaredEvidence(await own('notDeclared'), () => own('offWeight')); break;
      case 'USED_ITEMS_RETURNED': rows = (await own('used')).filter((row) => row.in90d); break;
      case 'WORN_AND_RETURNED': rows = await own('lateUsed'); break;
      case 'LATE_WINDOW_RETURNS': rows = await own('lateReturns'); break;
      case 'LIGHT_PARCEL': rows = await own('light'); break;
      case 'OFF_WEIGHT_PARCELS': rows = await own('offWeight'); break;
      case 'REFUND_WITHOUT_RECEIPT': rows = await own('refundsWithoutReceipt'); break;
      case 'DELIVERED_NOT_RECEIVED': rows = await own('deliveredNotReceived'); break;
      case 'UNSHIPPED_RETURNS': rows = await own('unshipped'); break;
      case 'DEFECT_NO_FAULT_FOUND': rows = await own('noFaultDefect'); break;
      // The claims inspected unused and working: what the rule fires on (its text may also quote all no-fault claims).
      case 'DEFECT_CLAIMS_UNUSED': rows = await own('unusedDefect'); break;
      case 'REPEATED_CLAIMS': rows = await own('recentClaims'); break;
      case 'RING_EVIDENCE': rows = await ringEvidence(scope, await (members ?? readRingMembers(connection, request.customerId))); break;
      default: rows = undefined;
    }
    if (rows === undefined) continue;
    result.set(code, {
      items: rows.slice(0, request.limit).map(({ in90d: _in90d, ...item }) => item),
      total: rows.length,
      truncated: rows.length > request.limit,
    });
  }
  return result;
}

/** Whether the risk run of `asOf` kept its typical product weights (the latest run's are kept). */
async function readProductWeightsKept(connection: DuckDBConnection, asOf: string): Promise<boolean> {
  const reader = await connection.runAndReadAll('SELECT count(*) > 0 FROM risk_product_weights WHERE as_of = $asOf::TIMESTAMPTZ', { asOf });
  return reader.getRows()[0]?.[0] === true;
}

/** The customer and its ring mates (latest membership), the customer first; just the customer outside a ring. */
async function readRingMembers(connection: DuckDBConnection, customerId: string): Promise<string[]> {
  const reader = await connection.runAndReadAll(
    `SELECT customer_id FROM customer_ring_members
     WHERE ring_id = (SELECT ring_id FROM customer_ring_members WHERE customer_id = $customerId) OR customer_id = $customerId
     ORDER BY customer_id <> $customerId, customer_id`,
    { customerId },
  );
  const members = reader.getRows().map((row) => String(row[0]));
  return members.length === 0 ? [customerId] : members;
}

/**
 * RING_EVIDENCE counts, over the customer and its ring mates, not-declared items and refunds without
 * receipt (365 days) and ring_other_evidence_365d: worn items returned late, light parcels, "not
 * received" after delivery, unused defect claims. Membership is the latest (customer_ring_members), as in the features.
 */
async function ringEvidence(scope: QueryScope, members: readonly string[]): Promise<EvidenceRow[]> {
  const rows: EvidenceRow[] = [];
  for (const name of ['notDeclared', 'refundsWithoutReceipt', 'lateUsed', 'light', 'deliveredNotReceived', 'unusedDefect'] as const) {
    rows.push(...(await runEvidenceQuery(scope, name, members, true)));
  }
  return rows.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}

/** The risk run that wrote a flag's reasons, as far as the evidence needs it. */
export interface ReasonsRun {
  /** When the reasons were computed: the run's as_of (job_runs.started_at). */
  asOf: string;
  /** Whether that run counted missing receipts (job_runs.details.receiptsReported); undefined for runs before it was recorded. */
  receiptsReported: boolean | undefined;
}

/**
 * The risk run that wrote a flag's reasons. An open flag's `updated_at` is that run's time (opening
 * and refreshing set it; only a decision changes it otherwise, and that closes the flag). A closed
 * flag keeps the reasons of its last refresh, while its `updated_at` is the decision or expiry time:
 * that refresh is the last succeeded risk run (job_runs.started_at is the run's as_of) started before
 * the flag closed and not before it opened; with no such run recorded, the flag was never refreshed
 * and its opening time is the answer.
 */
export async function readReasonsRun(
  connection: DuckDBConnection,
  flag: { status: string; openedAt: string; updatedAt: string; closedAt: string | null },
): Promise<ReasonsRun> {
  const open = flag.status === 'open' || flag.closedAt === null;
  const reader = await connection.runAndReadAll(
    // Two runs as of the same time (`retour jobs run risk --now T` twice): the later one wrote the reasons last.
    `SELECT max(started_at) AS refreshed_at, arg_max(details, (started_at, run_id)) ->> 'receiptsReported' AS receipts_reported FROM job_runs
     WHERE job = 'risk' AND status = 'succeeded' AND ${open ? 'started_at = $updatedAt::TIMESTAMPTZ' : 'started_at >= $openedAt::TIMESTAMPTZ AND started_at < $closedAt::TIMESTAMPTZ'}`,
    open ? { updatedAt: flag.updatedAt } : { openedAt: flag.openedAt, closedAt: flag.closedAt },
  );
  const row = reader.getRowObjectsJS()[0];
  const recorded = row?.['receipts_reported'];
  return {
    asOf: open ? flag.updatedAt : (toIsoTime(row?.['refreshed_at']) ?? flag.openedAt),
    receiptsReported: recorded === 'true' ? true : recorded === 'false' ? false : undefined,
  };
}
