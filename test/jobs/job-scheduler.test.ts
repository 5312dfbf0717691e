import { describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { DuckDBInstance } from '@duckdb/node-api';
import { createJobScheduler } from '../../jobs/job-scheduler.ts';
import { migrate } from '../../store/migrate.ts';
import { listJobRuns } from '../../store/job-runs.ts';
import { loadConfig } from '../../config/load-config.ts';
import type { Job } from '../../jobs/job.ts';
import { firstTrainingDelayMs } from '../../jobs/risk/train-job.ts';
import { isRetourError } from '../../domain/errors/retour-error.ts';

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

  it('runs a job on its own cadence from its first delay, records a skipped run as skipped and keeps the cadence', async () => {
    const connection = await memoryConnection();
    const startedAt: number[] = [];
    const sometimes: Job = {
      name: 'train',
      summary: 'skips first, then trains',
      async run() {
        startedAt.push(performance.now());
        return startedAt.length === 1 ? { rowsWritten: 0, skipped: 'too few labels' } : { rowsWritten: 1 };
      },
    };
    const seen: string[] = [];
    const scheduler = createJobScheduler({
      jobs: [sometimes],
      intervalSeconds: { train: 0.3 },
      firstRunDelayMs: { train: 200 },
      logger: pino({ level: 'silent' }),
      contextFor: async () => ({ connection, config: loadConfig({}), logger: pino({ level: 'silent' }), now: new Date('2026-11-20T00:00:00Z'), fullRebuild: false }),
      onSuccess: (_job, result) => void seen.push(result.skipped ?? 'trained'),
    });
    const began = performance.now();
    scheduler.start();
    await vi.waitFor(() => expect(startedAt.length).toBe(3), { timeout: 5000, interval: 5 });
    await scheduler.stop();
    expect(startedAt[0]! - began).toBeGreaterThanOrEqual(195);
    // A skipped run is no failure: the next comes one interval later, not after a backoff.
    expect(startedAt[1]! - startedAt[0]!).toBeGreaterThanOrEqual(295);
    expect(startedAt[2]! - startedAt[1]!).toBeGreaterThanOrEqual(295);
    expect(seen.slice(0, 2)).toEqual(['too few labels', 'trained']);
    const runs = await listJobRuns(connection, { job: 'train', limit: 10 });
    expect(runs.map((run) => run.status)).toEqual(['succeeded', 'succeeded', 'skipped']);
    expect(runs[2]).toMatchObject({ error: null, details: { skipped: 'too few labels' } });
    expect(scheduler.state()['train']!.consecutiveFailures).toBe(0);
  });

  it('runNow starts a job out of its schedule with its job_runs id, refuses a second one while it runs, and a job without interval runs only when asked', async () => {
    const connection = await memoryConnection();
    let release!: () => void;
    let calls = 0;
    const onDemand: Job = {
      name: 'train',
      summary: 'waits to be released',
      async run() {
        calls += 1;
        await new Promise<void>((resolve) => (release = resolve));
        return { rowsWritten: 1 };
      },
    };
    const scheduler = createJobScheduler({
      jobs: [onDemand],
      intervalSeconds: {},
      logger: pino({ level: 'silent' }),
      contextFor: async () => ({ connection, config: loadConfig({}), logger: pino({ level: 'silent' }), now: new Date('2026-11-20T00:00:00Z'), fullRebuild: false }),
    });
    scheduler.start();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(calls).toBe(0);
    const runId = await scheduler.runNow('train');
    expect((await listJobRuns(connection, { job: 'train', limit: 1 }))[0]).toMatchObject({ runId, status: 'running' });
    expect(scheduler.state()['train']!.running).toBe(true);
    const second = await scheduler.runNow('train').catch((error: unknown) => error);
    expect(isRetourError(second, 'RETOUR_JOB_RUNNING')).toBe(true);
    await vi.waitFor(() => expect(calls).toBe(1), { timeout: 5000, interval: 5 });
    release();
    await vi.waitFor(() => expect(scheduler.state()['train']!.running).toBe(false), { timeout: 5000, interval: 5 });
    expect((await listJobRuns(connection, { job: 'train', limit: 1 }))[0]).toMatchObject({ runId, status: 'succeeded' });
    // Not scheduled again: it has no interval.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(calls).toBe(1);
    await scheduler.stop();
    await expect(scheduler.runNow('train')).rejects.toMatchObject({ code: 'RETOUR_JOB_CANCELLED' });
  });

  it("runNow's run options reach that run's context only (POST /v1/models/train with promote: false)", async () => {
    const connection = await memoryConnection();
    const seen: unknown[] = [];
    const recording: Job = {
      name: 'train',
      summary: 'records its run options',
      async run(context) {
        seen.push(context.runOptions);
        return { rowsWritten: 0 };
      },
    };
    const scheduler = createJobScheduler({
      jobs: [recording],
      intervalSeconds: {},
      logger: pino({ level: 'silent' }),
      contextFor: async () => ({ connection, config: loadConfig({}), logger: pino({ level: 'silent' }), now: new Date('2026-11-20T00:00:00Z'), fullRebuild: false }),
    });
    await scheduler.runNow('train', { promote: false });
    await vi.waitFor(() => expect(seen).toHaveLength(1), { timeout: 5000, interval: 5 });
    await vi.waitFor(() => expect(scheduler.state()['train']!.running).toBe(false), { timeout: 5000, interval: 5 });
    await scheduler.runNow('train');
    await vi.waitFor(() => expect(seen).toHaveLength(2), { timeout: 5000, interval: 5 });
    expect(seen).toEqual([{ promote: false }, undefined]);
    await scheduler.stop();
  });

  it('runSoon runs a job at once, or once more right after its current run', async () => {
    const connection = await memoryConnection();
    let calls = 0;
    let release: (() => void) | undefined;
    const risk: Job = {
      name: 'risk',
      summary: 'scores',
      async run() {
        calls += 1;
        if (calls === 1) await new Promise<void>((resolve) => (release = resolve));
        return { rowsWritten: 1 };
      },
    };
    const scheduler = createJobScheduler({
      jobs: [risk],
      intervalSeconds: { risk: 3600 },
      logger: pino({ level: 'silent' }),
      contextFor: async () => ({ connection, config: loadConfig({}), logger: pino({ level: 'silent' }), now: new Date('2026-11-20T00:00:00Z'), fullRebuild: false }),
    });
    scheduler.start();
    await vi.waitFor(() => expect(release).toBeDefined(), { timeout: 5000, interval: 5 });
    // Asked twice during the run: one more run after it, not two, and not at the same time.
    scheduler.runSoon('risk');
    scheduler.runSoon('risk');
    expect(calls).toBe(1);
    release!();
    await vi.waitFor(() => expect(calls).toBe(2), { timeout: 5000, interval: 5 });
    await vi.waitFor(() => expect(scheduler.state()['risk']!.running).toBe(false), { timeout: 5000, interval: 5 });
    scheduler.runSoon('risk');
    await vi.waitFor(() => expect(calls).toBe(3), { timeout: 5000, interval: 5 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(calls).toBe(3);
    await scheduler.stop();
    expect((await listJobRuns(connection, { job: 'risk', limit: 10 })).map((run) => run.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  });

  it('jobs sharing a lock take turns; the waiting one has its run recorded at once', async () => {
    const connection = await memoryConnection();
    let active = 0;
    let overlapped = false;
    const holding = (name: string): Job => ({
      name,
      summary: 'holds the ring tables for a while',
      lock: 'ring-tables',
      async run() {
        active += 1;
        if (active > 1) overlapped = true;
        await new Promise((resolve) => setTimeout(resolve, 150));
        active -= 1;
        return { rowsWritten: 1 };
      },
    });
    const scheduler = createJobScheduler({
      jobs: [holding('risk'), holding('train')],
      intervalSeconds: { risk: 3600 },
      logger: pino({ level: 'silent' }),
      contextFor: async () => ({ connection, config: loadConfig({}), logger: pino({ level: 'silent' }), now: new Date('2026-11-20T00:00:00Z'), fullRebuild: false }),
    });
    scheduler.start();
    await vi.waitFor(() => expect(active).toBe(1), { timeout: 5000, interval: 5 });
    const runId = await scheduler.runNow('train');
    expect(runId).toBeGreaterThan(0);
    await vi.waitFor(() => expect(scheduler.state()['train']!.running).toBe(false), { timeout: 5000, interval: 5 });
    await scheduler.stop();
    expect(overlapped).toBe(false);
    expect((await listJobRuns(connection, { limit: 10 })).map((run) => [run.job, run.status])).toEqual([['train', 'succeeded'], ['risk', 'succeeded']]);
  });
});

describe('firstTrainingDelayMs', () => {
  const day = 86_400;
  const now = new Date('2026-11-20T12:00:00Z');
  it('waits one interval after the last training, at once when that is past, one interval after the start when none is recorded', () => {
    expect(firstTrainingDelayMs({ lastCompleted: new Date('2026-11-20T02:00:00Z'), everySeconds: day, now })).toBe(14 * 3600 * 1000);
    expect(firstTrainingDelayMs({ lastCompleted: new Date('2026-11-18T02:00:00Z'), everySeconds: day, now })).toBe(0);
    expect(firstTrainingDelayMs({ lastCompleted: null, everySeconds: day, now })).toBe(day * 1000);
    // A clock set back never makes it wait more than one interval.
    expect(firstTrainingDelayMs({ lastCompleted: new Date('2026-11-25T00:00:00Z'), everySeconds: day, now })).toBe(day * 1000);
  });
});
