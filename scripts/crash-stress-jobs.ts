/**
 * Crash stress: does a SIGKILL of a process that runs ingest, the quality, ops and risk jobs, API
 * decisions and model training at once ever leave a database whose indexes disagree with its rows
 * (duckdb/duckdb#23645, #24744; docs/ingest.md § Indexes on job tables)?
 *
 * Each iteration starts scripts/crash-stress/run-stress-workload.ts on the same database file, kills
 * it with SIGKILL a random time after it is ready, keeps a copy of the database and its WAL as the
 * kill left them, and runs scripts/crash-stress/check-after-crash.ts in a fresh process (reopen,
 * every indexed table checked, the jobs again, CHECKPOINT, checked again). A failed check keeps its
 * copy under DIR/failures/ and the next iteration starts from an empty database.
 *
 * Usage: node bin/run-ts.mjs scripts/crash-stress-jobs.ts [--iterations N] [--seed N]
 *          [--min-delay-ms MS] [--max-delay-ms MS] [--days D] [--customers C] [--dir DIR]
 *          [--pre-012-indexes] [--checkpoint-every N]
 * --checkpoint-every N: the check checkpoints only every N-th iteration; in between it leaves the
 * write-ahead log as it was (DuckDB does not checkpoint after replaying it at open), so commits of
 * several killed processes pile up in it, as in a server restarted often before 1 GB of WAL.
 * --pre-012-indexes puts back the indexes migration 012 removed (the control: the harness should
 * find the corruption session 7 met on refund_exceptions).
 * Defaults: 40 iterations, seed 1, kills 300–8000 ms after ready, a 240-day simulation of 3,000
 * customers; DIR a new temporary directory, kept (it holds the failures). Exit 1 when a check failed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createSeededRandom } from '../models/random/seeded-random.ts';
import { simulateMarketplace } from '../simulator/simulate-marketplace.ts';
import { openDatabase } from '../store/open-database.ts';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '40' },
    seed: { type: 'string', default: '1' },
    'min-delay-ms': { type: 'string', default: '300' },
    'max-delay-ms': { type: 'string', default: '8000' },
    days: { type: 'string', default: '240' },
    customers: { type: 'string', default: '3000' },
    dir: { type: 'string' },
    'pre-012-indexes': { type: 'boolean', default: false },
    'checkpoint-every': { type: 'string', default: '1' },
  },
});
const integer = (name: string, text: string, min: number): number => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new RangeError(`--${name} must be an integer ≥ ${min}, got ${JSON.stringify(text)}`);
  return value;
};
const iterations = integer('iterations', values.iterations, 1);
const seed = integer('seed', values.seed, 0);
const minDelayMs = integer('min-delay-ms', values['min-delay-ms'], 0);
const maxDelayMs = integer('max-delay-ms', values['max-delay-ms'], minDelayMs);
const checkpointEvery = integer('checkpoint-every', values['checkpoint-every'], 1);
const root = join(import.meta.dirname, '..');
const dir = values.dir ?? mkdtempSync(join(tmpdir(), 'retour-crash-stress-'));
mkdirSync(dir, { recursive: true });
const path = join(dir, 'stress.duckdb');
const eventsFile = join(dir, 'events.ndjson');
const random = createSeededRandom(seed);

const simulation = simulateMarketplace({ seed, days: integer('days', values.days, 1), customers: integer('customers', values.customers, 1) });
const out = createWriteStream(eventsFile);
let eventCount = 0;
for (const event of simulation.events()) {
  eventCount++;
  if (!out.write(`${JSON.stringify(event)}\n`)) await once(out, 'drain');
}
out.end();
await once(out, 'finish');
console.log(
  `crash stress in ${dir}: ${eventCount} simulated events, ${iterations} iterations, kills ${minDelayMs}–${maxDelayMs} ms after ready, seed ${seed}, checkpoint every ${checkpointEvery}${values['pre-012-indexes'] ? ', with the indexes migration 012 removed' : ''}`,
);

/** The ops job's keys and (kind, status) index as migration 006 made them, before 012 dropped them. */
const PRE_012_INDEXES = [
  'ALTER TABLE refund_exceptions ADD PRIMARY KEY (exception_id)',
  'CREATE INDEX refund_exceptions_kind_status ON refund_exceptions (kind, status)',
  'ALTER TABLE return_stage_times ADD PRIMARY KEY (return_id)',
  'ALTER TABLE ops_stuck_returns ADD PRIMARY KEY (return_id)',
];

/** A new database, migrated and checkpointed; with --pre-012-indexes, with the old indexes back. */
async function prepareDatabase(): Promise<void> {
  if (existsSync(path)) return;
  const database = await openDatabase({ path });
  try {
    const connection = await database.connect();
    if (values['pre-012-indexes']) for (const sql of PRE_012_INDEXES) await connection.run(sql);
    await connection.run('CHECKPOINT');
  } finally {
    database.close();
  }
}

const runTs = (script: string): string[] => [join(root, 'bin/run-ts.mjs'), join(root, 'scripts/crash-stress', script)];

interface WorkloadRun {
  killed: boolean;
  exit: string;
  /** Steps started and not finished when the process died (e.g. `risk`, `batch 400`). */
  inFlight: string[];
  finished: number;
  errors: string[];
}

/** Runs the workload until `delayMs` after it says ready, then SIGKILLs it. */
async function runWorkload(iteration: number, delayMs: number): Promise<WorkloadRun> {
  const child = spawn(process.execPath, [...runTs('run-stress-workload.ts'), path, eventsFile, String(seed * 1000 + iteration)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const inFlight = new Map<string, number>();
  let finished = 0;
  let stdout = '';
  let stderr = '';
  let killed = false;
  let timer: NodeJS.Timeout | undefined;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    let newline: number;
    while ((newline = stdout.indexOf('\n')) !== -1) {
      const line = stdout.slice(0, newline);
      stdout = stdout.slice(newline + 1);
      const [verb, ...rest] = line.split(' ');
      const what = rest.join(' ').replace(/ full$/, '');
      if (verb === 'ready') {
        timer = setTimeout(() => {
          killed = child.kill('SIGKILL');
        }, delayMs);
      } else if (verb === 'start') inFlight.set(what, (inFlight.get(what) ?? 0) + 1);
      else if (verb === 'end') {
        finished++;
        inFlight.set(what, (inFlight.get(what) ?? 1) - 1);
      }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  return {
    killed: killed && signal === 'SIGKILL',
    exit: signal ?? `code ${code}`,
    inFlight: [...inFlight].filter(([, count]) => count > 0).map(([what]) => what),
    finished,
    errors: stderr.split('\n').filter((line) => line.trim() !== ''),
  };
}

const copyDatabase = (to: string): void => {
  mkdirSync(to, { recursive: true });
  for (const suffix of ['', '.wal']) {
    if (existsSync(path + suffix)) copyFileSync(path + suffix, join(to, `stress.duckdb${suffix}`));
    else rmSync(join(to, `stress.duckdb${suffix}`), { force: true });
  }
};

let kills = 0;
let earlyExits = 0;
const failures: { iteration: number; delayMs: number; inFlight: string[]; check: unknown; kept: string }[] = [];
const workloadErrors = new Map<string, number>();
const killedDuring = new Map<string, number>();
for (let iteration = 1; iteration <= iterations; iteration++) {
  const delayMs = Math.round(minDelayMs + random.next() * (maxDelayMs - minDelayMs));
  await prepareDatabase();
  const run = await runWorkload(iteration, delayMs);
  if (run.killed) kills++;
  else earlyExits++;
  for (const line of run.errors) {
    // One count per distinct message (ids and numbers folded), to keep the summary short.
    const key = line.replace(/\d+/g, 'N').slice(0, 300);
    workloadErrors.set(key, (workloadErrors.get(key) ?? 0) + 1);
  }
  for (const what of run.inFlight) killedDuring.set(what.split(' ')[0]!, (killedDuring.get(what.split(' ')[0]!) ?? 0) + 1);
  const snapshot = join(dir, 'last-kill');
  copyDatabase(snapshot);
  const keepWal = iteration % checkpointEvery !== 0;
  const check = spawnSync(process.execPath, [...runTs('check-after-crash.ts'), path, ...(keepWal ? ['--keep-wal'] : [])], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  const lastLine = check.stdout.trim().split('\n').at(-1) ?? '';
  let report: unknown = { exit: check.signal ?? check.status, stderr: check.stderr.slice(-2000) };
  let ok = false;
  try {
    const parsed = JSON.parse(lastLine) as { ok: boolean };
    report = parsed;
    ok = parsed.ok && check.status === 0;
  } catch {
    // No JSON line: the check process itself died (a FatalException can abort it); keep its stderr.
  }
  console.log(
    `#${iteration}${keepWal ? ' (WAL kept)' : ''} ${run.killed ? `killed after ${delayMs} ms` : `exited by itself (${run.exit})`} during [${run.inFlight.join(', ')}], ${run.finished} steps done, ${run.errors.length} workload errors; check ${ok ? 'ok' : 'FAILED'} ${JSON.stringify(report).slice(0, ok ? 200 : 4000)}`,
  );
  if (!ok) {
    // The files as the kill left them, before the check replayed and changed them.
    const kept = join(dir, 'failures', `iteration-${iteration}`);
    mkdirSync(kept, { recursive: true });
    for (const file of ['stress.duckdb', 'stress.duckdb.wal']) if (existsSync(join(snapshot, file))) copyFileSync(join(snapshot, file), join(kept, file));
    failures.push({ iteration, delayMs, inFlight: run.inFlight, check: report, kept });
    // A broken database says nothing more about the next kill: start again from an empty one.
    rmSync(path, { force: true });
    rmSync(`${path}.wal`, { force: true });
  }
}
console.log(
  JSON.stringify(
    {
      iterations,
      kills,
      earlyExits,
      failedChecks: failures.length,
      killedDuring: Object.fromEntries(killedDuring),
      workloadErrors: Object.fromEntries(workloadErrors),
      failures,
      dir,
    },
    null,
    2,
  ),
);
process.exitCode = failures.length === 0 && earlyExits === 0 ? 0 : 1;
