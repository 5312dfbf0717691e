import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { DuckDBInstance } from '@duckdb/node-api';
import { replayJob } from '../../jobs/replay-job.ts';
import { migrate } from '../../store/migrate.ts';
import { listJobRuns } from '../../store/job-runs.ts';
import { loadConfig } from '../../config/load-config.ts';
import type { Job } from '../../jobs/job.ts';

describe('replayJob', () => {
  it('runs the job as of each step, oldest first, ending exactly at `to`, each run recorded', async () => {
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    await migrate(connection);
    const seen: string[] = [];
    const job: Job = {
      name: 'probe',
      summary: 'records its now',
      async run(context) {
        seen.push(context.now.toISOString().slice(0, 10));
        return { rowsWritten: 1 };
      },
    };
    const runs = await replayJob(job, {
      from: new Date('2026-10-01T00:00:00Z'),
      to: new Date('2026-10-20T00:00:00Z'),
      stepDays: 7,
      contextFor: (now) => ({ connection, config: loadConfig({}), logger: pino({ level: 'silent' }), now, fullRebuild: false, signal: new AbortController().signal }),
    });
    expect(runs).toBe(3);
    expect(seen).toEqual(['2026-10-06', '2026-10-13', '2026-10-20']);
    expect((await listJobRuns(connection, { job: 'probe', limit: 10 })).map((run) => run.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  });

  it('rejects a step below one day and a reversed range', async () => {
    const job: Job = { name: 'x', summary: 'x', run: async () => ({ rowsWritten: 0 }) };
    const contextFor = () => {
      throw new Error('not reached');
    };
    await expect(replayJob(job, { from: new Date(0), to: new Date(1), stepDays: 0, contextFor })).rejects.toThrow(/stepDays must be at least 1/);
    await expect(replayJob(job, { from: new Date(10), to: new Date(0), stepDays: 1, contextFor })).rejects.toThrow(/must not be after/);
  });
});
