import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayDemoQuality } from '../../../cli/demo/replay-demo-quality.ts';
import { configWith } from '../../../config/load-config.ts';
import type { Job } from '../../../jobs/job.ts';
import { openDatabase, type Database } from '../../../store/open-database.ts';
import { writeQualityState } from '../../../store/quality/quality-state.ts';

let database: Database;
beforeAll(async () => {
  database = await openDatabase({ path: ':memory:' });
});
afterAll(() => database.close());

/** A pino logger that keeps every entry. */
function capturingLogger() {
  const entries: { level: number; msg: string; err?: unknown }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') entries.push(JSON.parse(line) as (typeof entries)[number]);
      done();
    },
  });
  return { logger: pino({ level: 'trace' }, stream), entries };
}

async function replay(job: Job, abort: AbortController) {
  const { logger, entries } = capturingLogger();
  await replayDemoQuality({
    job,
    connection: await database.connect(),
    config: configWith({}),
    logger,
    signal: abort.signal,
    from: new Date('2026-03-01T00:00:00Z'),
    to: new Date('2026-03-10T00:00:00Z'),
  });
  // pino writes asynchronously to a plain stream: let it drain.
  await new Promise((resolve) => setImmediate(resolve));
  return entries;
}

describe('the demo quality replay', () => {
  it('stopped by shutdown inside a run: one info line, no error, no repeated cause chain', async () => {
    const abort = new AbortController();
    // As the quality job does when its signal is aborted between steps.
    const job: Job = {
      name: 'quality',
      summary: 'test',
      run: async (context) => {
        abort.abort();
        throw new Error('the quality run was stopped (shutdown)', { cause: context.signal.reason });
      },
    };
    const entries = await replay(job, abort);
    expect(entries.filter((entry) => entry.level >= 40)).toEqual([]);
    expect(entries.map((entry) => entry.msg)).toEqual(['demo quality replay stopped (shutdown)']);
    expect(entries[0]!.err).toBeUndefined();
  });

  it('a real failure is still an error', async () => {
    const job: Job = {
      name: 'quality',
      summary: 'test',
      run: () => Promise.reject(new Error('disk full')),
    };
    const entries = await replay(job, new AbortController());
    expect(entries.map((entry) => [entry.level, entry.msg])).toEqual([[50, 'demo quality replay failed; the scheduler runs the jobs anyway']]);
  });

  it('runs the job daily and says so', async () => {
    let runs = 0;
    const job: Job = {
      name: 'quality',
      summary: 'test',
      run: () => Promise.resolve({ rowsWritten: ++runs }),
    };
    const entries = await replay(job, new AbortController());
    expect(runs).toBe(10);
    expect(entries.map((entry) => entry.msg)).toEqual(['demo quality history replayed']);
  });

  it('started again on its database, goes on from the last run instead of replaying the weeks again', async () => {
    const days: string[] = [];
    const job: Job = {
      name: 'quality',
      summary: 'test',
      run: (context) => {
        days.push(context.now.toISOString().slice(0, 10));
        return Promise.resolve({ rowsWritten: 0 });
      },
    };
    const connection = await database.connect();
    await writeQualityState(connection, { ingestedWatermark: null, asOf: new Date('2026-03-07T00:00:00Z'), settings: '{}' }, new Date());
    try {
      await replay(job, new AbortController());
      expect(days).toEqual(['2026-03-08', '2026-03-09', '2026-03-10']);
      days.length = 0;
      await writeQualityState(connection, { ingestedWatermark: null, asOf: new Date('2026-03-10T00:00:00Z'), settings: '{}' }, new Date());
      const entries = await replay(job, new AbortController());
      expect(days).toEqual([]);
      expect(entries.map((entry) => entry.msg)).toEqual(['demo quality history already replayed']);
    } finally {
      await connection.run('DELETE FROM quality_state');
    }
  });
});
