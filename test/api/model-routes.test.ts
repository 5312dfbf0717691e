/**
 * The model routes on the API fixture's registry: m-0 retired, m-1 in service, m-2 trained against
 * m-1 and not worse, m-3 worse than m-1 on the same rows. Training is a stand-in here (the scheduler
 * behind it: test/jobs/job-scheduler.test.ts; real training in a server: test/cli/commands/serve-model-training.int.test.ts).
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/build-app.ts';
import type { ModelTrainingControl } from '../../api/routes/model-routes.ts';
import { RetourError } from '../../domain/errors/retour-error.ts';
import { openDatabase } from '../../store/open-database.ts';
import { FIXTURE_NOW } from '../../scripts/api/api-fixtures.ts';
import { createTestApi, TEST_APP_CONFIG, type TestApi } from './api-test-app.ts';

let api: TestApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

/** A training control that records what the routes asked of it. */
function recordingTraining(options: { running?: boolean; start?: () => Promise<number> } = {}): ModelTrainingControl & { promotedVersions: string[]; starts: number; startOptions: unknown[] } {
  const control = {
    promotedVersions: [] as string[],
    starts: 0,
    startOptions: [] as unknown[],
    start: async (startOptions?: { promote?: boolean }) => {
      control.starts += 1;
      control.startOptions.push(startOptions);
      return options.start === undefined ? 41 + control.starts : options.start();
    },
    isRunning: () => options.running ?? false,
    promoted: (version: string) => void control.promotedVersions.push(version),
  };
  return control;
}

async function start(training: ModelTrainingControl = recordingTraining()): Promise<TestApi> {
  api = await createTestApi({ dependencies: { modelTraining: training } });
  return api;
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
type ModelList = { inService: string | null; training: boolean; models: { version: string; status: string; inService: boolean; createdAt: string; promotedAt: string | null; metrics: Record<string, unknown>; servingComparison: unknown; promotion: unknown; promotions: Record<string, unknown>[]; trainingWindow: unknown }[] };

async function models(test: TestApi): Promise<ModelList> {
  const response = await test.app.inject({ method: 'GET', url: '/v1/models', headers: bearer(test.keys.risk) });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as ModelList;
}

async function auditOf(test: TestApi, action: string) {
  const response = await test.app.inject({ method: 'GET', url: `/v1/audit?action=${action}`, headers: bearer(test.keys.admin) });
  return (response.json() as { entries: { keyId: string; role: string; target: string; details: Record<string, unknown> }[] }).entries;
}

describe('GET /v1/models', () => {
  it('lists the registry newest first with the model in service, windows, metrics and comparisons', async () => {
    const test = await start(recordingTraining({ running: true }));
    const body = await models(test);
    expect(body.inService).toBe('m-1');
    expect(body.training).toBe(true);
    expect(body.models.map((model) => [model.version, model.status, model.inService])).toEqual([
      ['m-3', 'candidate', false],
      ['m-2', 'candidate', false],
      ['m-1', 'serving', true],
      ['m-0', 'retired', false],
    ]);
    const m1 = body.models[2]!;
    expect(m1).toMatchObject({
      createdAt: '2026-11-17T03:00:00.000Z',
      promotedAt: '2026-11-17T03:00:00.000Z',
      trainingWindow: { start: '2026-03-01T00:00:00.000Z', end: '2026-07-01T00:00:00.000Z' },
      metrics: { rocAuc: 0.9, prAuc: 0.6, precisionAtTop1Percent: 1, precisionAtTop100: 0.9, brier: 0.05, rows: { training: 4000, trainingPositive: 200, validation: 1000, validationPositive: 50 } },
      servingComparison: { version: 'm-0', rocAuc: 0.85, prAuc: 0.5 },
      promotion: null,
    });
    expect(body.models[3]!.servingComparison).toBeNull();
  });

  it('pages with limit and names a wrong one', async () => {
    const test = await start();
    const page = await test.app.inject({ method: 'GET', url: '/v1/models?limit=1', headers: bearer(test.keys.admin) });
    expect((page.json() as ModelList).models.map((model) => model.version)).toEqual(['m-3']);
    const wrong = await test.app.inject({ method: 'GET', url: '/v1/models?limit=0', headers: bearer(test.keys.admin) });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(wrong.json()).toMatchObject({ code: 'RETOUR_BAD_REQUEST', errors: [{ field: 'query.limit' }] });
  });
});

describe('POST /v1/models/train', () => {
  it('starts a run and answers 202 with its job run id, audited as model.train', async () => {
    const training = recordingTraining();
    const test = await start(training);
    const response = await test.app.inject({ method: 'POST', url: '/v1/models/train', headers: bearer(test.keys.admin) });
    expect(response.statusCode, response.body).toBe(202);
    expect(response.json()).toEqual({ runId: 42, job: 'train', status: 'running', promote: true });
    expect(training.startOptions).toEqual([{ promote: true, force: false, requestedBy: expect.stringMatching(/^key:\S+ \(.+\)$/) as unknown }]);
    expect(await auditOf(test, 'model.train')).toMatchObject([{ role: 'admin', target: '42', details: { job: 'train', promote: true } }]);
  });

  it('with { "promote": false } starts a run that keeps its model a candidate (retour model train --no-promote), audited so', async () => {
    const training = recordingTraining();
    const test = await start(training);
    const response = await test.app.inject({ method: 'POST', url: '/v1/models/train', headers: bearer(test.keys.admin), payload: { promote: false } });
    expect(response.statusCode, response.body).toBe(202);
    expect(response.json()).toEqual({ runId: 42, job: 'train', status: 'running', promote: false });
    expect(training.startOptions).toEqual([{ promote: false, force: false, requestedBy: expect.stringMatching(/^key:/) as unknown }]);
    expect(await auditOf(test, 'model.train')).toMatchObject([{ target: '42', details: { job: 'train', promote: false } }]);
  });

  it('with { "force": true } starts a run that trains even on unchanged data (retour model train --force), audited so', async () => {
    const training = recordingTraining();
    const test = await start(training);
    const response = await test.app.inject({ method: 'POST', url: '/v1/models/train', headers: bearer(test.keys.admin), payload: { force: true } });
    expect(response.statusCode, response.body).toBe(202);
    expect(training.startOptions).toEqual([{ promote: true, force: true, requestedBy: expect.stringMatching(/^key:/) as unknown }]);
    expect(await auditOf(test, 'model.train')).toMatchObject([{ target: '42', details: { job: 'train', promote: true, force: true } }]);
  });

  it('a promote that is not a boolean is a 400 naming body.promote, and nothing starts', async () => {
    const training = recordingTraining();
    const test = await start(training);
    for (const promote of ['false', 0, null]) {
      const response = await test.app.inject({ method: 'POST', url: '/v1/models/train', headers: bearer(test.keys.admin), payload: { promote } });
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json()).toMatchObject({ code: 'RETOUR_BAD_REQUEST', errors: [{ field: 'body.promote' }] });
    }
    expect(training.starts).toBe(0);
    // The OpenAPI document describes the field.
    const document = (await test.app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, { post: { requestBody: { content: Record<string, { schema: { properties: Record<string, { type: string }> } }> } } }>;
    };
    expect(document.paths['/v1/models/train']!.post.requestBody.content['application/json']!.schema.properties['promote']).toMatchObject({ type: 'boolean' });
  });

  it('is 409 while a run is in progress', async () => {
    const training = recordingTraining({ start: () => Promise.reject(new RetourError('RETOUR_JOB_RUNNING', 'job train is already running')) });
    const test = await start(training);
    const response = await test.app.inject({ method: 'POST', url: '/v1/models/train', headers: bearer(test.keys.admin), payload: {} });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: 'RETOUR_JOB_RUNNING', detail: 'job train is already running' });
    expect(await auditOf(test, 'model.train')).toEqual([]);
  });

  it('takes no body, but a JSON null is a body of the wrong type (400), not an empty request', async () => {
    const training = recordingTraining();
    const test = await start(training);
    const response = await test.app.inject({ method: 'POST', url: '/v1/models/train', headers: { ...bearer(test.keys.admin), 'content-type': 'application/json' }, payload: 'null' });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toMatchObject({ code: 'RETOUR_BAD_REQUEST' });
    expect(training.starts).toBe(0);
    // The OpenAPI document says the body may be left out, as the route allows.
    const document = (await test.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, { post: { requestBody: { required: boolean } } }> };
    expect(document.paths['/v1/models/train']!.post.requestBody.required).toBe(false);
    expect(document.paths['/v1/models/{version}/promote']!.post.requestBody.required).toBe(false);
  });

  it('names an unknown body field', async () => {
    const training = recordingTraining();
    const test = await start(training);
    const response = await test.app.inject({ method: 'POST', url: '/v1/models/train', headers: bearer(test.keys.admin), payload: { promot: false } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'RETOUR_BAD_REQUEST', errors: [{ field: 'body.promot' }] });
    expect(training.starts).toBe(0);
  });

  it('is 501 in an app without a job scheduler (training then needs `retour model train`)', async () => {
    const database = await openDatabase({ path: ':memory:' });
    const connection = await database.connect();
    const app = await buildApp({
      logger: pino({ level: 'silent' }), connection, schemaVersion: database.schemaVersion, ingestState: () => ({ state: 'disabled', ready: true }),
      config: TEST_APP_CONFIG,
      now: () => FIXTURE_NOW,
    });
    try {
      const { key } = await app.retour.keyring.create({ role: 'admin', name: 'admin' });
      const response = await app.inject({ method: 'POST', url: '/v1/models/train', headers: bearer(key) });
      expect(response.statusCode).toBe(501);
      expect(response.json()).toMatchObject({ code: 'RETOUR_NOT_AVAILABLE' });
      expect((response.json() as { detail: string }).detail).toContain('retour model train');
    } finally {
      await app.close();
      database.close();
    }
  });
});

describe('POST /v1/models/{version}/promote', () => {
  it('promotes a model not worse than the one in service, retires that one, audits and asks for fresh scores', async () => {
    const training = recordingTraining();
    const test = await start(training);
    const response = await test.app.inject({ method: 'POST', url: '/v1/models/m-2/promote', headers: bearer(test.keys.admin) });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ version: 'm-2', outcome: 'promoted', forced: false, previousVersion: 'm-1' });
    expect((response.json() as { reason: string }).reason).toMatch(/^not worse than the serving model \(PR-AUC 0\.6200 vs 0\.6000/);
    expect(training.promotedVersions).toEqual(['m-2']);
    const after = await models(test);
    expect(after.inService).toBe('m-2');
    expect(after.models.find((model) => model.version === 'm-2')).toMatchObject({ status: 'serving', promotedAt: FIXTURE_NOW.toISOString(), promotion: { promote: true } });
    expect(after.models.find((model) => model.version === 'm-1')?.status).toBe('retired');
    // Every decision kept (model_promotions), with who, why and what was compared.
    expect(after.models.find((model) => model.version === 'm-2')?.promotions).toEqual([
      {
        decidedAt: FIXTURE_NOW.toISOString(),
        promoted: true,
        forced: false,
        source: 'operator',
        decidedBy: expect.stringMatching(/^key:\S+ \(.+\)$/) as unknown,
        reason: expect.stringMatching(/^not worse than the serving model/) as unknown,
        previousVersion: 'm-1',
        compared: { candidate: { prAuc: 0.62, rocAuc: 0.91 }, serving: { version: 'm-1', prAuc: 0.6, rocAuc: 0.9 } },
      },
    ]);
    expect(after.models.find((model) => model.version === 'm-3')?.promotions).toEqual([]);
    expect(await auditOf(test, 'model.promote')).toMatchObject([{ role: 'admin', target: 'm-2', details: { forced: false, previousVersion: 'm-1' } }]);
  });

  it('refuses a model worse than the one in service (409 with the reason) unless forced', async () => {
    const training = recordingTraining();
    const test = await start(training);
    const refused = await test.app.inject({ method: 'POST', url: '/v1/models/m-3/promote', headers: bearer(test.keys.admin), payload: {} });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'RETOUR_CONFLICT' });
    expect((refused.json() as { detail: string }).detail).toBe('not promoted: PR-AUC 0.5500 is below the serving model\'s 0.6000 on the same validation rows; send {"force": true} to override');
    expect((await models(test)).inService).toBe('m-1');

    const forced = await test.app.inject({ method: 'POST', url: '/v1/models/m-3/promote', headers: bearer(test.keys.admin), payload: { force: true } });
    expect(forced.statusCode, forced.body).toBe(200);
    expect(forced.json()).toMatchObject({ version: 'm-3', outcome: 'promoted', forced: true, reason: "forced by an operator: PR-AUC 0.5500 is below the serving model's 0.6000 on the same validation rows" });
    expect((await models(test)).inService).toBe('m-3');
    expect((await models(test)).models.find((model) => model.version === 'm-3')?.promotions).toMatchObject([{ promoted: true, forced: true, previousVersion: 'm-1' }]);
    expect(training.promotedVersions).toEqual(['m-3']);
    expect(await auditOf(test, 'model.promote')).toMatchObject([{ target: 'm-3', details: { forced: true } }]);
  });

  it('refuses a model trained or validated on fewer positives than RETOUR_TRAIN_MIN_*_POSITIVES ask (409 saying which), unless the settings allow them', async () => {
    // Better than m-1 on the same rows, but on 3 validation positives: such a model used to be promoted.
    async function withThinModel(test: TestApi): Promise<void> {
      const metrics = JSON.stringify({
        roc_auc: 0.99, pr_auc: 0.9, precision_at_k: { top_1_percent: 1, top_100: 0.9 }, brier: 0.05, calibration: [],
        rows: { training: 4000, training_positive: 200, validation: 1000, validation_positive: 3 },
        serving_comparison: { version: 'm-1', roc_auc: 0.9, pr_auc: 0.6 },
      });
      await (await test.database.connect()).run(
        `INSERT INTO model_registry VALUES ('m-thin', '2026-11-20T03:00:00Z', 'histogram_random_forest', '[]', '{}', '2026-03-01T00:00:00Z', '2026-07-01T00:00:00Z',
          '2026-09-01T00:00:00Z', '2026-10-27T00:00:00Z', $metrics, 'candidate', '{"kind":"fixture"}', NULL)`,
        { metrics },
      );
    }
    const test = await start();
    await withThinModel(test);
    const refused = await test.app.inject({ method: 'POST', url: '/v1/models/m-thin/promote', headers: bearer(test.keys.admin) });
    expect(refused.statusCode).toBe(409);
    expect((refused.json() as { detail: string }).detail).toBe(
      'not promoted: m-thin was trained and validated on too few labels: 3 positives in validation, needs ≥ 50 (RETOUR_TRAIN_MIN_VALIDATION_POSITIVES) — training 200/4000 rows positive, validation 3/1000; send {"force": true} to override',
    );
    expect((await models(test)).inService).toBe('m-1');
    await test.close();
    api = undefined;

    api = await createTestApi({ config: { trainMinValidationPositives: 3 }, dependencies: { modelTraining: recordingTraining() } });
    await withThinModel(api);
    const promoted = await api.app.inject({ method: 'POST', url: '/v1/models/m-thin/promote', headers: bearer(api.keys.admin) });
    expect(promoted.statusCode, promoted.body).toBe(200);
    expect(promoted.json()).toMatchObject({ version: 'm-thin', outcome: 'promoted', forced: false });
  });

  it('refuses a model compared with another model than the one in service', async () => {
    const test = await start();
    expect((await test.app.inject({ method: 'POST', url: '/v1/models/m-2/promote', headers: bearer(test.keys.admin) })).statusCode).toBe(200);
    // m-3 was validated against m-1, which is no longer in service.
    const refused = await test.app.inject({ method: 'POST', url: '/v1/models/m-3/promote', headers: bearer(test.keys.admin) });
    expect(refused.statusCode).toBe(409);
    expect((refused.json() as { detail: string }).detail).toContain('m-3 was not validated against the serving model m-2 on the same rows');
  });

  it('answers 200 without a change for the model in service', async () => {
    const training = recordingTraining();
    const test = await start(training);
    const response = await test.app.inject({ method: 'POST', url: '/v1/models/m-1/promote', headers: bearer(test.keys.admin) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ version: 'm-1', outcome: 'already_serving', reason: null });
    expect(training.promotedVersions).toEqual([]);
    expect(await auditOf(test, 'model.promote')).toEqual([]);
  });

  it('is 409 while a training run is in progress, 404 for an unknown version, 400 naming a malformed one or a wrong body', async () => {
    const busy = await start(recordingTraining({ running: true }));
    const during = await busy.app.inject({ method: 'POST', url: '/v1/models/m-2/promote', headers: bearer(busy.keys.admin) });
    expect(during.statusCode).toBe(409);
    expect(during.json()).toMatchObject({ code: 'RETOUR_JOB_RUNNING' });
    expect((await models(busy)).inService).toBe('m-1');

    const unknown = await busy.app.inject({ method: 'POST', url: '/v1/models/nope/promote', headers: bearer(busy.keys.admin) });
    expect(unknown.statusCode).toBe(409);
    await busy.close();
    api = undefined;

    const test = await start();
    const missing = await test.app.inject({ method: 'POST', url: '/v1/models/m-9/promote', headers: bearer(test.keys.admin) });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'RETOUR_NOT_FOUND' });
    const malformed = await test.app.inject({ method: 'POST', url: '/v1/models/m%201/promote', headers: bearer(test.keys.admin) });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ errors: [{ field: 'params.version', message: 'must be a model version as GET /v1/models lists it' }] });
    const wrongBody = await test.app.inject({ method: 'POST', url: '/v1/models/m-2/promote', headers: bearer(test.keys.admin), payload: { force: 'yes' } });
    expect(wrongBody.statusCode).toBe(400);
    expect(wrongBody.json()).toMatchObject({ errors: [{ field: 'body.force' }] });
    const text = await test.app.inject({ method: 'POST', url: '/v1/models/m-2/promote', headers: { ...bearer(test.keys.admin), 'content-type': 'text/plain' }, payload: 'force' });
    expect(text.statusCode).toBe(415);
  });

  it('is refused to a risk key (models:manage is admin only), which may read the registry', async () => {
    const test = await start();
    const response = await test.app.inject({ method: 'POST', url: '/v1/models/m-2/promote', headers: bearer(test.keys.risk) });
    expect(response.statusCode).toBe(403);
    expect((await models(test)).inService).toBe('m-1');
  });
});
