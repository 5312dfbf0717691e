/**
 * The model keeps learning while `retour serve` runs: on a real DuckDB file with a simulated
 * marketplace (enough history and labels for the time split), an admin starts training over HTTP,
 * the train job trains and promotes inside the server, the risk job rescores at once and the score
 * endpoint carries the new version — no restart. Training again on the same data is skipped (nothing
 * registered, no rescoring). With other feature settings, a training with `promote: false` leaves its
 * model a candidate; promotions over HTTP (the older model refused without force, since it was never
 * compared with the newer one) do the same as the train job; every decision is kept in the history.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventBatchWriter, type RawMessage } from '../../../ingest/ingest-batch.ts';
import { importMessages } from '../../../ingest/import-messages.ts';
import { simulateMarketplace } from '../../../simulator/simulate-marketplace.ts';
import { createApiKey } from '../../../store/api/api-keys.ts';
import { openDatabase } from '../../../store/open-database.ts';
import { startRetourServe } from '../../support/retour-cli.ts';

const directory = mkdtempSync(join(tmpdir(), 'retour-serve-training-'));
const path = join(directory, 'retour.duckdb');
const DAY = 86_400_000;
let keys: { admin: string; service: string };
let customerId: string;

beforeAll(async () => {
  // 240 days ending today: ≥ 204 days for the split (warm-up, training, horizon, validation, horizon)
  // and, on this seed, not-declared-item inspections in both periods (the labels). Imported in ~5 s.
  const simulation = simulateMarketplace({ seed: 31, days: 240, customers: 1500, startDate: new Date(Date.now() - 240 * DAY) });
  const database = await openDatabase({ path });
  try {
    const writer = await createEventBatchWriter(await database.connect());
    const messages = [...simulation.events()].map((event, offset): RawMessage => ({ topic: 'test:training', partition: 0, offset, value: JSON.stringify(event) }));
    const imported = await importMessages(writer, messages, { batchSize: 5000, maxEventBytes: 1 << 20 });
    expect(imported.stored).toBeGreaterThan(10_000);
    writer.close();
    const connection = await database.connect();
    const now = new Date();
    keys = {
      admin: (await createApiKey(connection, { role: 'admin', name: 'ops lead', now })).key,
      service: (await createApiKey(connection, { role: 'service', name: 'checkout', now })).key,
    };
    customerId = String((await connection.runAndReadAll('SELECT customer_id FROM orders ORDER BY placed_at DESC LIMIT 1')).getRows()[0]![0]);
  } finally {
    database.close();
  }
  // The same data for the server that must refuse to train, so its job runs do not reach the other's.
  mkdirSync(join(directory, 'defaults'));
  copyFileSync(path, join(directory, 'defaults', 'retour.duckdb'));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

type JobRun = { runId: number; job: string; status: string; error: string | null; skipReason: string | null };

/** An HTTP client of a running server. */
function clientOf(server: { url: string }) {
  const call = async (method: string, url: string, key: string, body?: unknown) => {
    const response = await fetch(`${server.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const runs = async (job: string) => ((await call('GET', `/v1/jobs?job=${job}&limit=20`, keys.admin)).body['runs'] as JobRun[]);
  // The service's answer for the test's customer.
  const score = async () => (await call('POST', '/v1/risk/score', keys.service, { customerId, lines: [{ productId: 'prd_any', quantity: 1, reason: 'fit.too_small', unitPrice: 2500 }] })).body;
  // The train run once it is not running any more.
  const finished = async (runId: number): Promise<JobRun> => {
    let run: JobRun | undefined;
    await expect.poll(async () => (run = (await runs('train')).find((candidate) => candidate.runId === runId))?.status, { timeout: 120_000, interval: 500 }).not.toBe('running');
    return run!;
  };
  return { call, runs, score, finished };
}

const SERVE_ENVIRONMENT = { RETOUR_DATABASE: path, RETOUR_DATA_DIR: directory, RETOUR_KAFKA_BROKERS: '', RETOUR_JOB_INTERVAL_SECONDS: 'quality=3600,ops=3600,risk=3600' };

describe('retour serve: training and promotion without a restart', () => {
  it('skips a training over HTTP whose periods have fewer positives than the defaults ask, saying which', async () => {
    // This seed has a few positive rows in training and about 20 in validation: a model on them was promoted.
    const server = await startRetourServe([], { ...SERVE_ENVIRONMENT, RETOUR_DATABASE: join(directory, 'defaults', 'retour.duckdb'), RETOUR_DATA_DIR: join(directory, 'defaults') });
    try {
      const { call, runs } = clientOf(server);
      const started = await call('POST', '/v1/models/train', keys.admin);
      expect(started.status, JSON.stringify(started.body)).toBe(202);
      let run: JobRun | undefined;
      await expect.poll(async () => (run = (await runs('train')).find((candidate) => candidate.runId === started.body['runId']))?.status, { timeout: 120_000, interval: 500 }).toBe('skipped');
      expect(run?.skipReason).toMatch(/^not enough labels to train and measure a model: \d+ positives? in training, needs ≥ 40 \(RETOUR_TRAIN_MIN_TRAINING_POSITIVES\); \d+ positives? in validation, needs ≥ 50 \(RETOUR_TRAIN_MIN_VALIDATION_POSITIVES\)/);
      expect((await call('GET', '/v1/models', keys.admin)).body).toMatchObject({ inService: null, models: [] });
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('trains over HTTP, promotes, rescores, and serves scores of the new model', async () => {
    // No Kafka (stored data only); the risk job runs once at the start, then only when a promotion asks.
    // Tiny data on purpose (a few positive rows in training, about 20 in validation; the exact counts
    // move with the day the test runs on, as the simulation ends today): the label minimums are lowered.
    const server = await startRetourServe([], { ...SERVE_ENVIRONMENT, RETOUR_TRAIN_MIN_TRAINING_POSITIVES: '1', RETOUR_TRAIN_MIN_VALIDATION_POSITIVES: '1' });
    try {
      const { call, runs, score, finished } = clientOf(server);

      // The first risk run scores with the rules alone: no model yet.
      await expect.poll(async () => (await runs('risk')).filter((run) => run.status === 'succeeded').length, { timeout: 60_000, interval: 500 }).toBe(1);
      // job_runs says succeeded just before the server swaps in the run's snapshots (onSuccess): wait for them.
      await expect.poll(async () => (await score())['status'], { timeout: 30_000, interval: 200 }).toBe('scored');
      expect(await score()).toMatchObject({ status: 'scored', modelVersion: null });
      expect((await call('GET', '/v1/models', keys.admin)).body).toMatchObject({ inService: null, models: [] });

      // Training over HTTP: 202 with the run, 409 for a second one while it runs.
      const started = await call('POST', '/v1/models/train', keys.admin);
      expect(started.status, JSON.stringify(started.body)).toBe(202);
      const firstRun = started.body['runId'] as number;
      const again = await call('POST', '/v1/models/train', keys.admin);
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ code: 'RETOUR_JOB_RUNNING' });
      const first = await finished(firstRun);
      expect(first, JSON.stringify(first)).toMatchObject({ status: 'succeeded', error: null, skipReason: null });

      const registry = (await call('GET', '/v1/models', keys.admin)).body as { inService: string; models: { version: string; status: string; promotion: { promote: boolean; reason: string } }[] };
      expect(registry.models).toHaveLength(1);
      const firstVersion = registry.models[0]!.version;
      expect(registry).toMatchObject({ inService: firstVersion, models: [{ status: 'serving', promotion: { promote: true, reason: 'no model in service' } }] });
      // The promotion brought the next risk run forward; its snapshots carry the model's version.
      await expect.poll(async () => (await score())['modelVersion'], { timeout: 60_000, interval: 500 }).toBe(firstVersion);

      // A second training on the same data, with or without promotion, is skipped: it would register an
      // identical copy and (equal metrics being "not worse") promote it and rescore everyone for nothing.
      const riskRuns = (await runs('risk')).length;
      for (const body of [undefined, { promote: false }]) {
        const unchanged = await finished((await call('POST', '/v1/models/train', keys.admin, body)).body['runId'] as number);
        expect(unchanged, JSON.stringify(unchanged)).toMatchObject({ status: 'skipped', error: null });
        expect(unchanged.skipReason).toMatch(new RegExp(`^no new labels or data since ${firstVersion} \\(trained .* on the same rows and settings\\), which is in service: nothing to do$`));
      }
      expect(((await call('GET', '/v1/models', keys.admin)).body['models'] as unknown[]).length).toBe(1);
      expect((await runs('risk')).length).toBe(riskRuns);
    } finally {
      expect(await server.stop()).toBe(0);
    }

    // Other feature settings are other training rows: the training runs again, under the usual rule.
    const restarted = await startRetourServe([], { ...SERVE_ENVIRONMENT, RETOUR_RISK_NO_RECEIPT_DAYS: '21', RETOUR_TRAIN_MIN_TRAINING_POSITIVES: '1', RETOUR_TRAIN_MIN_VALIDATION_POSITIVES: '1' });
    try {
      const { call, score, finished } = clientOf(restarted);
      type Registry = {
        inService: string;
        models: { version: string; status: string; inService: boolean; servingComparison: { version: string } | null; promotion: { promote: boolean }; promotions: { promoted: boolean; forced: boolean; source: string; decidedBy: string; previousVersion: string | null }[] }[];
      };
      const registry = async () => (await call('GET', '/v1/models', keys.admin)).body as Registry;
      const firstVersion = (await registry()).inService;
      await expect.poll(async () => (await score())['modelVersion'], { timeout: 60_000, interval: 500 }).toBe(firstVersion);

      // Training without promoting (retour model train --no-promote): the new model stays a candidate, the one in service stays.
      const candidateRun = await call('POST', '/v1/models/train', keys.admin, { promote: false });
      expect(candidateRun.status, JSON.stringify(candidateRun.body)).toBe(202);
      expect(candidateRun.body).toMatchObject({ promote: false });
      expect((await finished(candidateRun.body['runId'] as number)).status).toBe('succeeded');
      const afterCandidate = await registry();
      expect(afterCandidate.models).toHaveLength(2);
      expect(afterCandidate.inService).toBe(firstVersion);
      const candidate = afterCandidate.models[0]!;
      expect(candidate).toMatchObject({ status: 'candidate', inService: false, servingComparison: { version: firstVersion }, promotion: { promote: false } });
      expect((await score())['modelVersion']).toBe(firstVersion);
      // Asked again, the same data: already judged against the model in service.
      const judged = await finished((await call('POST', '/v1/models/train', keys.admin)).body['runId'] as number);
      expect(judged.status).toBe('skipped');
      expect(judged.skipReason).toContain(`no new labels or data since ${candidate.version} (trained `);
      expect(judged.skipReason).toContain(`already judged against ${firstVersion}, the model in service: not promoted (`);

      // Promoting the candidate over HTTP (forced, whatever its metrics), then the first model back: refused
      // (it was never compared with the one in service), then forced.
      const promoted = await call('POST', `/v1/models/${candidate.version}/promote`, keys.admin, { force: true });
      expect(promoted.status, JSON.stringify(promoted.body)).toBe(200);
      expect(promoted.body).toMatchObject({ version: candidate.version, outcome: 'promoted', previousVersion: firstVersion });
      await expect.poll(async () => (await score())['modelVersion'], { timeout: 60_000, interval: 500 }).toBe(candidate.version);
      const refused = await call('POST', `/v1/models/${firstVersion}/promote`, keys.admin);
      expect(refused.status, JSON.stringify(refused.body)).toBe(409);
      expect(refused.body).toMatchObject({ code: 'RETOUR_CONFLICT' });
      const forced = await call('POST', `/v1/models/${firstVersion}/promote`, keys.admin, { force: true });
      expect(forced.status, JSON.stringify(forced.body)).toBe(200);
      expect(forced.body).toMatchObject({ version: firstVersion, outcome: 'promoted', forced: true, previousVersion: candidate.version });
      await expect.poll(async () => (await score())['modelVersion'], { timeout: 60_000, interval: 500 }).toBe(firstVersion);

      // Every decision kept: the first model's training, and its forced return; the candidate's training and promotion.
      const history = await registry();
      expect(history.inService).toBe(firstVersion);
      expect(history.models.find((model) => model.version === firstVersion)?.promotions).toMatchObject([
        // Trained over HTTP: the history says whose request it was (the scheduled runs say 'train job').
        { promoted: true, forced: false, source: 'training', decidedBy: expect.stringMatching(/^train job, started by key:.* \(ops lead\)$/) as unknown, previousVersion: null },
        { promoted: true, forced: true, source: 'operator', decidedBy: expect.stringMatching(/^key:.* \(ops lead\)$/) as unknown, previousVersion: candidate.version },
      ]);
      expect(history.models.find((model) => model.version === candidate.version)?.promotions).toMatchObject([
        { promoted: false, source: 'training', decidedBy: expect.stringMatching(/^train job, started by key:/) as unknown, previousVersion: firstVersion },
        { promoted: true, source: 'operator', previousVersion: firstVersion },
      ]);
      // Who trained and promoted, in the audit log (newest first; the trainings of both servers).
      const audit = (await call('GET', '/v1/audit?keyId=' + keys.admin.slice(4, 16), keys.admin)).body['entries'] as { action: string; target: string; details: Record<string, unknown> }[];
      expect(audit.map((entry) => entry.action)).toEqual(['model.promote', 'model.promote', 'model.train', 'model.train', 'model.train', 'model.train', 'model.train']);
    } finally {
      expect(await restarted.stop()).toBe(0);
    }
  });
});
