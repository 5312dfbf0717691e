import { describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { DuckDBInstance } from '@duckdb/node-api';
import { createJobScheduler } from '../../jobs/job-scheduler.ts';
import { migrate } from '../../store/migrate.ts';
import { listJobRuns } from '../../store/job-runs.ts';
import { loadConfig } from '../../config/load-config.ts';
import type { Job } from '../../jobs/job.ts';

async function memoryConnection() {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await migrate(connection);
  return connection;
}

describe('createJobScheduler', () => {
  it('records failures in job_runs, retries with doubling backoff, and never runs a job twice at once', async () => {
    // Real timers with short delays: DuckDB's promises settle on native threads, which fake timers cannot drive.
    const connection = await memoryConnection();
    let concurrent = 0;
    let maxConcurrent = 0;
    let calls = 0;
    const flaky: Job = {
      name: 'flaky',
      summary: 'fails twice, then succeeds',
      async run() {
        concurrent += 1;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        calls += 1;
        await new Promise((resolve) => setTimeout(resolve, 10));
        concurrent -= 1;
        if (calls <= 2) throw new Error(`boom ${calls}`);
        return { rowsWritten: 7 };
      },
    };
    const successes: string[] = [];
    const scheduler = createJobScheduler({
      jobs: [flaky],
      intervalSeconds: { flaky: 60 },
      initialBackoffMs: 100,
      logger: pino({ level: 'silent' }),
      contextFor: async () => ({ connection, config: loadConfig({}), logger: pino({ level: 'silent' }), now: new Date('2026-11-20T00:00:00Z'), fullRebuild: false }),
      onSuccess: (job) => {
        successes.push(job.name);
      },
    });
    scheduler.start();
    const startedAt = performance.now();
    await vi.waitFor(() => expect(scheduler.state()['flaky']!.consecutiveFailures).toBe(2), { timeout: 5000, interval: 5 });
    const secondFailureAt = performance.now();
    await vi.waitFor(() => expect(successes).toEqual(['flaky']), { timeout: 5000, interval: 5 });
    const successAt = performance.now();
    // Backoff: 100 ms after the first failure, 200 ms after the second.
    expect(secondFailureAt - startedAt).toBeGreaterThanOrEqual(100);
    expect(successAt - secondFailureAt).toBeGreaterThanOrEqual(190);
    expect(calls).toBe(3);
    expect(maxConcurrent).toBe(1);
    expect(scheduler.state()['flaky']!.consecutiveFailures).toBe(0);
    await scheduler.stop();
    const runs = await listJobRuns(connection, { job: 'flaky', limit: 10 });
    expect(runs.map((run) => run.status)).toEqual(['succeeded', 'failed', 'failed']);
    expect(runs[2]!.error).toBe('boom 1');
    expect(runs[0]!.rowsWritten).toBe(7);
  });

  it('a run stopped by the shutdown is recorded as cancelled, logged at info and not retried', async () => {
    const connection = await memoryConnection();
    let calls = 0;
    const slow: Job = {
      name: 'slow',
      summary: 'runs until the shutdown stops it',
      async run(context) {
        calls += 1;
        await new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve(), { once: true }));
        throw new Error('the run was stopped (shutdown)');
      },
    };
    const lines: { level: number; msg: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
    const scheduler = createJobScheduler({
      jobs: [slow],
      intervalSeconds: { slow: 60 },
      initialBackoffMs: 10,
      logger,
      contextFor: async () => ({ connection, config: loadConfig({}), logger, now: new Date('2026-11-20T00:00:00Z'), fullRebuild: false }),
    });
    scheduler.start();
    await vi.waitFor(() => expect(calls).toBe(1), { timeout: 5000, interval: 5 });
    await scheduler.stop();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls).toBe(1);
    const runs = await listJobRuns(connection, { job: 'slow', limit: 10 });
    expect(runs.map((run) => run.status)).toEqual(['cancelled']);
    expect(lines.filter((line) => line.level >= 50)).toEqual([]);
    expect(lines.map((line) => line.msg)).toContain('job stopped by the shutdown');
    expect(scheduler.state()['slow']!.consecutiveFailures).toBe(0);
  });
});
