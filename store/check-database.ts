/**
 * `retour check`: is this database sound? Meant for the moment after a crash, a full disk or a copy
 * from a backup, before `retour serve` starts on it again. Read-only: every write it tries is rolled
 * back (checkIndexedTables).
 *
 * Each finding is `ok`, `warn` (worth a look, the pipeline still runs) or `fail` (something the
 * pipeline promises does not hold: an index that disagrees with its rows, a row ingest wrote beyond
 * the offset it committed with it, a review decision with parts missing).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { checkEntityKeys, checkIndexedTables, checkOccurrenceRepeats } from './check-indexed-tables.ts';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckFinding {
  /** What was checked, e.g. `index orders`, `offsets orders/3`, `decisions`. */
  readonly check: string;
  readonly status: CheckStatus;
  readonly detail: string;
}

export interface DatabaseCheckReport {
  readonly status: CheckStatus;
  readonly findings: readonly CheckFinding[];
}

const WORST: readonly CheckStatus[] = ['ok', 'warn', 'fail'];

export function worstStatus(findings: readonly Pick<CheckFinding, 'status'>[]): CheckStatus {
  return findings.reduce<CheckStatus>((worst, finding) => (WORST.indexOf(finding.status) > WORST.indexOf(worst) ? finding.status : worst), 'ok');
}

export async function checkDatabase(connection: DuckDBConnection): Promise<DatabaseCheckReport> {
  const findings: CheckFinding[] = [
    ...(await checkIndexes(connection)),
    ...(await checkEntities(connection)),
    ...(await checkOccurrences(connection)),
    ...(await checkStreamOffsets(connection)),
    await checkDecisionsWhole(connection),
    await checkUnfinishedJobRuns(connection),
  ];
  return { status: worstStatus(findings), findings };
}

/** Every table with a key or index against its rows (checkIndexedTables): fail when they disagree. */
export async function checkIndexes(connection: DuckDBConnection): Promise<CheckFinding[]> {
  return (await checkIndexedTables(connection)).map((table) => {
    const problems = [
      ...(table.error === null ? [] : [table.error]),
      ...(table.duplicateKeys > 0 ? [`${table.duplicateKeys} rows repeat a key (${table.keys.join(' | ')})`] : []),
      ...(table.keysMissingFromIndex > 0 ? [`${table.keysMissingFromIndex} rows whose key the index does not hold`] : []),
    ];
    return {
      check: `index ${table.table}`,
      status: problems.length === 0 ? 'ok' : 'fail',
      detail: problems.length === 0 ? `${table.rows} rows agree with ${describeIndexes(table)}` : problems.join('; '),
    };
  });
}

/** "key (topic, kafka_partition), index flags_status" */
function describeIndexes(table: { keys: readonly string[]; indexes: readonly string[] }): string {
  return [...table.keys.map((key) => `key ${key.includes(',') ? `(${key})` : key}`), ...table.indexes.map((index) => `index ${index}`)].join(', ');
}

async function checkEntities(connection: DuckDBConnection): Promise<CheckFinding[]> {
  return (await checkEntityKeys(connection)).map((entity) => ({
    check: `entities ${entity.table}`,
    // Ingest stores each entity once since session 9; an older database may hold repeats, which the
    // jobs then count twice. Nothing is broken, but the numbers built on them are off.
    status: entity.repeatedKeys === 0 ? 'ok' : 'warn',
    detail:
      entity.repeatedKeys === 0
        ? `${entity.rows} rows, each ${entity.column} once`
        : `${entity.repeatedKeys} of ${entity.rows} rows repeat another row's ${entity.column} (stored before ingest checked entity ids; jobs count them twice)`,
  }));
}

async function checkOccurrences(connection: DuckDBConnection): Promise<CheckFinding[]> {
  return (await checkOccurrenceRepeats(connection)).map((occurrence) => ({
    check: `re-sends ${occurrence.eventType}`,
    // Ingest stores such a copy once since session 10; as for entities, an older database may hold them.
    status: occurrence.repeatedData === 0 ? 'ok' : 'warn',
    detail:
      occurrence.repeatedData === 0
        ? `${occurrence.events} events, none with the same data as another`
        : `${occurrence.repeatedData} of ${occurrence.events} events have the same data as another (re-sent under a new id before ingest checked them; jobs count them twice)`,
  }));
}

/**
 * Per (topic, partition) with a stored offset: the offsets that left a trace (an event, a counted
 * duplicate or a quarantined message). One beyond the stored next offset means a batch's rows and
 * its offset were not written together (fail). Offsets between the first traced one and the next
 * offset that left none are a warning: Kafka's transaction markers and log compaction leave such
 * gaps on their own; on a plain topic they are lost messages.
 */
async function checkStreamOffsets(connection: DuckDBConnection): Promise<CheckFinding[]> {
  const reader = await connection.runAndReadAll(`
    WITH traced AS (
      SELECT topic, kafka_partition, kafka_offset FROM events WHERE kafka_offset >= 0
      UNION ALL SELECT topic, kafka_partition, kafka_offset FROM ingest_duplicates
      UNION ALL SELECT topic, kafka_partition, kafka_offset FROM quarantine
    ), per_partition AS (
      SELECT topic, kafka_partition, min(kafka_offset) AS first_offset, max(kafka_offset) AS last_offset, count(DISTINCT kafka_offset) AS offsets
      FROM traced GROUP BY ALL
    )
    SELECT o.topic, o.kafka_partition, o.next_offset, p.first_offset, p.last_offset, coalesce(p.offsets, 0)
    FROM ingest_offsets o LEFT JOIN per_partition p USING (topic, kafka_partition)
    ORDER BY o.topic, o.kafka_partition`);
  return reader.getRowsJS().map(([topic, partition, nextOffset, firstOffset, lastOffset, offsets]) => {
    const next = Number(nextOffset);
    const check = `offsets ${String(topic)}/${String(partition)}`;
    if (firstOffset === null) return { check, status: 'ok', detail: `next offset ${next}, no message stored (all before it were read by an earlier database, or skipped by retention)` };
    const first = Number(firstOffset);
    const last = Number(lastOffset);
    const traced = Number(offsets);
    if (last >= next) return { check, status: 'fail', detail: `a message at offset ${last} is stored, but the stored next offset is ${next}: rows and offset were not committed together` };
    const missing = next - first - traced;
    // `retour import` numbers its messages by file line (Kafka topic names cannot hold ':'): blank
    // lines, a CSV's header, rows a mapping skipped and the further rows of a group leave no trace.
    if (missing > 0 && String(topic).startsWith('import:')) {
      return { check, status: 'ok', detail: `lines ${first}–${next - 1} of an imported file: ${traced} left a message (blank lines, and CSV rows skipped or grouped, leave none)` };
    }
    if (missing > 0) {
      return {
        check,
        status: 'warn',
        detail: `${missing} of the offsets ${first}–${next - 1} left no trace (transaction markers or compaction explain some on such topics; on a plain topic they are lost messages)`,
      };
    }
    return { check, status: 'ok', detail: `offsets ${first}–${next - 1}: each stored, counted as a duplicate or quarantined` };
  });
}

/** A review decision made through the API is written whole: fact, event, audit row and outbox row. */
async function checkDecisionsWhole(connection: DuckDBConnection): Promise<CheckFinding> {
  const [outbox, facts, events, audits] = (
    await connection.runAndReadAll(`SELECT (SELECT count(*) FROM api_outbox)::BIGINT,
      (SELECT count(*) FROM risk_decisions d JOIN api_outbox o USING (event_id))::BIGINT,
      (SELECT count(*) FROM events e JOIN api_outbox o USING (event_id))::BIGINT,
      (SELECT count(*) FROM audit_log WHERE action IN ('flag.decide', 'flag.correct'))::BIGINT`)
  )
    .getRows()[0]!
    .map(Number) as [number, number, number, number];
  const whole = outbox === facts && outbox === events && outbox === audits;
  return {
    check: 'decisions',
    status: whole ? 'ok' : 'fail',
    detail: whole
      ? `${outbox} API decisions, each with its fact, event, audit row and outbox row`
      : `API decisions do not add up: ${outbox} outbox rows, ${facts} facts, ${events} events, ${audits} audit rows`,
  };
}

async function checkUnfinishedJobRuns(connection: DuckDBConnection): Promise<CheckFinding> {
  const running = Number((await connection.runAndReadAll(`SELECT count(*)::BIGINT FROM job_runs WHERE status = 'running'`)).getRows()[0]![0]);
  return {
    check: 'job runs',
    status: 'ok',
    detail:
      running === 0
        ? 'no run left unfinished'
        : `${running} runs recorded as running: a process ended during them; \`retour serve\` marks them failed when it starts`,
  };
}
