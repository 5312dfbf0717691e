import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_NAMES } from '../../domain/job-names.ts';
import { JOBS } from '../../jobs/job-registry.ts';
import { createTrainJob } from '../../jobs/risk/train-job.ts';
import { wilsonInterval } from '../../models/stats/wilson-interval.ts';
import { createTestApi, type TestApi } from './api-test-app.ts';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(async () => api.close());

const get = (url: string, headers: Record<string, string> = {}) => api.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${api.keys.product}`, ...headers } });

describe('quality routes', () => {
  it('the report defaults to the latest week, products by product-fault rate, alerts by severity', async () => {
    const body = (await get('/v1/quality/report')).json() as { periodStart: string; products: { scopeId: string; productFaultRate: { rate: number; low: number; high: number } }[]; totals: { scopeId: string }[]; alerts: { productId: string }[] };
    expect(body.periodStart).toBe('2026-11-09');
    expect(body.products.map((row) => row.scopeId)).toEqual(['prd_1', 'prd_3', 'prd_2']);
    // The API passes the quality view's Wilson bounds through: 90 product-fault units of 1000.
    const { lower, upper } = wilsonInterval(90, 1000);
    expect(body.products[0]!.productFaultRate.rate).toBe(0.09);
    expect(body.products[0]!.productFaultRate.low).toBeCloseTo(lower, 12);
    expect(body.products[0]!.productFaultRate.high).toBeCloseTo(upper, 12);
    expect(body.totals.map((row) => row.scopeId)).toEqual(['apparel']);
    expect(body.alerts.map((alert) => alert.productId)).toEqual(['prd_1', 'prd_3']);
  });

  it('filters the report by category, seller and period', async () => {
    const shoes = (await get('/v1/quality/report?category=shoes')).json() as { products: { scopeId: string }[]; alerts: { productId: string }[] };
    expect(shoes.products.map((row) => row.scopeId)).toEqual(['prd_3']);
    expect(shoes.alerts.map((alert) => alert.productId)).toEqual(['prd_3']);
    const seller = (await get('/v1/quality/report?seller=sel_2')).json() as { products: { scopeId: string }[] };
    expect(seller.products.map((row) => row.scopeId)).toEqual(['prd_2']);
    const early = (await get('/v1/quality/report?period=2026-11-02')).json() as { products: { scopeId: string }[] };
    expect(early.products.map((row) => row.scopeId)).toEqual(['prd_1']);
    // A week without data: no products or totals; alerts are those of that week or later (docs/api.md).
    const old = (await get('/v1/quality/report?period=2020-01-06')).json() as { alerts: { periodStart: string }[] };
    expect(old).toMatchObject({ periodStart: '2020-01-06', products: [], totals: [] });
    expect(old.alerts.map((alert) => alert.periodStart)).toEqual(['2026-11-09', '2026-11-09']);
  });

  it.each([
    ['?category=Apparel', 'no quality data for category "Apparel"', [{ field: 'query.category', message: 'matches no product in any week; categories with data: apparel, shoes' }]],
    ['?category=nope&period=2026-11-09', 'no quality data for category "nope"', [{ field: 'query.category', message: 'matches no product in any week; categories with data: apparel, shoes' }]],
    ['?seller=sel_9', 'no quality data for seller "sel_9"', [{ field: 'query.seller', message: 'matches no product in any week' }]],
    ['?category=shoes&seller=sel_2', 'no quality data for category "shoes" with seller "sel_2"', [
      { field: 'query.category', message: 'has no product of seller sel_2 in any week' },
      { field: 'query.seller', message: 'has no product in category shoes in any week' },
    ]],
  ])('a category or seller without any quality data (%s, a typo) is a 404 naming the field, not an empty report with periodStart null', async (query, detail, errors) => {
    const response = await get(`/v1/quality/report${query}`);
    expect(response.statusCode, response.body).toBe(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ code: 'RETOUR_NOT_FOUND', errors });
    expect((response.json() as { detail: string }).detail).toContain(detail);
  });

  it('a known category in a week without data, or with every product under minUnits, is still an empty 200', async () => {
    expect((await get('/v1/quality/report?category=shoes&period=2026-11-02')).json()).toMatchObject({ periodStart: '2026-11-02', products: [] });
    expect((await get('/v1/quality/report?category=shoes&minUnits=5000')).json()).toMatchObject({ periodStart: '2026-11-09', products: [] });
  });

  it.each(['2026-11-10', '2026-11-15'])('a period that is not a Monday (%s) means its ISO week, not an empty report', async (period) => {
    const response = await get(`/v1/quality/report?period=${period}`);
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json() as { periodStart: string; products: { scopeId: string }[] };
    expect(body.periodStart).toBe('2026-11-09');
    expect(body.products.length).toBeGreaterThan(0);
  });

  it('ranks by the lower bound of the fault rate by default, so a few units do not lead; sort and minUnits change it', async () => {
    const own = await createTestApi();
    try {
      // 2 faults in 10 units: the highest rate (20%), but its interval starts at 5.7%, below prd_1's 7.4%.
      await own.connection.run(
        `INSERT INTO quality_weekly_counts SELECT * REPLACE ('prd_tiny' AS scope_id, 10 AS delivered_units, 3 AS returned_units, 3 AS returned_within_n_units,
           2 AS product_fault_units, 2 AS product_fault_within_n_units, 1 AS claimed_defect_units, 1 AS confirmed_defect_units)
         FROM quality_weekly_counts WHERE scope = 'product' AND scope_id = 'prd_2' AND period_start = DATE '2026-11-09'`,
      );
      const order = async (query: string): Promise<string[]> => {
        const response = await own.app.inject({ method: 'GET', url: `/v1/quality/report${query}`, headers: { authorization: `Bearer ${own.keys.product}` } });
        expect(response.statusCode, response.body).toBe(200);
        return (response.json() as { products: { scopeId: string }[] }).products.map((row) => row.scopeId);
      };
      expect(wilsonInterval(2, 10).lower).toBeLessThan(wilsonInterval(90, 1000).lower);
      expect(await order('')).toEqual(['prd_1', 'prd_tiny', 'prd_3', 'prd_2']);
      expect(await order('?sort=faultRateLow')).toEqual(['prd_1', 'prd_tiny', 'prd_3', 'prd_2']);
      expect(await order('?sort=faultRate')).toEqual(['prd_tiny', 'prd_1', 'prd_3', 'prd_2']);
      expect(await order('?sort=faultUnits')).toEqual(['prd_1', 'prd_3', 'prd_2', 'prd_tiny']);
      expect(await order('?sort=faultRate&minUnits=100')).toEqual(['prd_1', 'prd_3', 'prd_2']);
      const bad = await own.app.inject({ method: 'GET', url: '/v1/quality/report?sort=worst', headers: { authorization: `Bearer ${own.keys.product}` } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ errors: [expect.objectContaining({ field: 'query.sort' })] });
    } finally {
      await own.close();
    }
  });

  it('limit caps the products listed, not the category totals next to them', async () => {
    const own = await createTestApi();
    try {
      await own.connection.run(`INSERT INTO quality_weekly_counts SELECT * REPLACE ('shoes' AS scope_id, 'shoes' AS category) FROM quality_weekly_counts WHERE scope = 'category'`);
      const response = await own.app.inject({ method: 'GET', url: '/v1/quality/report?limit=1', headers: { authorization: `Bearer ${own.keys.product}` } });
      const body = response.json() as { products: unknown[]; totals: { scopeId: string }[] };
      expect(body.products).toHaveLength(1);
      expect(body.totals.map((row) => row.scopeId)).toEqual(['apparel', 'shoes']);
    } finally {
      await own.close();
    }
  });

  it.each([
    ['2026-11-04', '2026-11-11'],
    ['2026-11-08', '2026-11-15'],
  ])("since in the middle of a week (%s, %s) includes that week: a product's series and the alerts detected in it", async (weekOne, weekTwo) => {
    const product = (await get(`/v1/products/prd_1/quality?since=${weekOne}`)).json() as { weeks: { periodStart: string }[] };
    expect(product.weeks.map((week) => week.periodStart)).toEqual(['2026-11-02', '2026-11-09']);
    const alerts = (await get(`/v1/alerts?since=${weekTwo}`)).json() as { alerts: { periodStart: string }[] };
    expect(alerts.alerts.map((alert) => alert.periodStart)).toEqual(['2026-11-09', '2026-11-09']);
  });

  it("a product's weekly series with intervals, reason mix and alerts", async () => {
    const body = (await get('/v1/products/prd_1/quality')).json() as { weeks: { periodStart: string }[]; reasonMix: Record<string, number>; alerts: { metric: string }[] };
    expect(body.weeks.map((week) => week.periodStart)).toEqual(['2026-11-02', '2026-11-09']);
    expect(body.reasonMix).toEqual({ 'quality.defective': 60, 'fit.too_small': 180 });
    expect(body.alerts.map((alert) => alert.metric)).toEqual(['product_fault_rate']);
  });

  it('an alert shows the windows and counts behind its rates: how many faults, of how many units, against which baseline', async () => {
    const alerts = ((await get('/v1/alerts?metric=product_fault_rate')).json() as { alerts: Record<string, unknown>[] }).alerts;
    expect(alerts[0]).toMatchObject({
      productId: 'prd_1',
      windowStart: '2026-11-09',
      windowEnd: '2026-11-16',
      deliveredUnits: 1000,
      currentUnits: 90,
      baselineStart: '2026-09-14',
      baselineEnd: '2026-11-09',
      baselineUnits: 8000,
      baselineEvents: 400,
    });
  });

  it('status=open lists the alerts still open (new and ongoing), without the resolved ones', async () => {
    await api.connection.run(`INSERT INTO quality_alerts SELECT * REPLACE (99 AS alert_id, 'prd_2' AS product_id, 'resolved' AS status, 99.0 AS severity, TIMESTAMPTZ '2026-11-18 00:00:00Z' AS resolved_at) FROM quality_alerts WHERE alert_id = 1`);
    try {
      const open = (await get('/v1/alerts?status=open')).json() as { alerts: { productId: string; status: string }[] };
      expect(open.alerts.map((alert) => [alert.productId, alert.status])).toEqual([['prd_1', 'new'], ['prd_3', 'ongoing']]);
    } finally {
      await api.connection.run(`DELETE FROM quality_alerts WHERE alert_id = 99`);
    }
  });

  it('alerts filter by status and metric, most severe first', async () => {
    expect(((await get('/v1/alerts')).json() as { alerts: { severity: number }[] }).alerts.map((alert) => alert.severity)).toEqual([40, 12.5]);
    expect(((await get('/v1/alerts?status=ongoing')).json() as { alerts: { productId: string }[] }).alerts.map((alert) => alert.productId)).toEqual(['prd_3']);
    expect(((await get('/v1/alerts?metric=reason_mix&since=2026-11-16')).json() as { alerts: unknown[] }).alerts).toEqual([]);
  });

  it.each(['/v1/alerts', '/v1/quality/report', '/v1/products/prd_1/quality', '/v1/jobs'])('%s answers Arrow', async (url) => {
    const response = await api.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${api.keys.admin}`, accept: 'application/vnd.apache.arrow.stream' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/vnd.apache.arrow.stream');
    const table = tableFromIPC(response.rawPayload);
    expect(table.numRows).toBeGreaterThan(0);
  });

  it.each([
    ['application/vnd.apache.arrow.stream', 'arrow'],
    ['application/vnd.apache.arrow.stream, */*', 'arrow'],
    ['application/json;q=0.5, application/vnd.apache.arrow.stream', 'arrow'],
    ['application/json, application/vnd.apache.arrow.stream;q=0.5', 'json'],
    ['application/vnd.apache.arrow.stream;q=0, application/json', 'json'],
    ['application/vnd.apache.arrow.stream;q=0', 'json'],
    ['APPLICATION/VND.APACHE.ARROW.STREAM', 'arrow'],
    ['*/*', 'json'],
    ['application/json', 'json'],
  ])('Accept: %s gets %s (q-values are honoured: a client preferring JSON, or refusing Arrow with q=0, got Arrow)', async (accept, expected) => {
    const response = await get('/v1/alerts', { accept });
    expect(response.statusCode).toBe(200);
    expect(String(response.headers['content-type']).startsWith(expected === 'arrow' ? 'application/vnd.apache.arrow.stream' : 'application/json')).toBe(true);
  });

  it('Arrow rows flatten nested rates into columns', async () => {
    const response = await get('/v1/products/prd_1/quality', { accept: 'application/vnd.apache.arrow.stream' });
    const table = tableFromIPC(response.rawPayload);
    expect(table.getChild('productFaultRate_rate')?.toArray()).toEqual(new Float64Array([0.05, 0.09]));
    expect([...(table.getChild('reasonMix_quality.defective')?.toArray() ?? [])]).toEqual([30, 30]);
  });

  it('Arrow columns are typed by the schema: dates Date32, times UTC timestamps, integer ids Int64', async () => {
    const weeks = tableFromIPC((await get('/v1/products/prd_1/quality', { accept: 'application/vnd.apache.arrow.stream' })).rawPayload);
    expect(String(weeks.schema.fields.find((field) => field.name === 'periodStart')?.type)).toBe('Date32<DAY>');
    // Stored as days since the epoch; apache-arrow reads them back as milliseconds.
    expect([...(weeks.getChild('periodStart')?.toArray() ?? [])].map((milliseconds: number) => new Date(milliseconds).toISOString().slice(0, 10))).toEqual(['2026-11-02', '2026-11-09']);
    const alertsJson = (await get('/v1/alerts')).json() as { alerts: { alertId: number; firstDetectedAt: string }[] };
    const alerts = tableFromIPC((await get('/v1/alerts', { accept: 'application/vnd.apache.arrow.stream' })).rawPayload);
    const typeOf = (name: string) => String(alerts.schema.fields.find((field) => field.name === name)?.type);
    expect([typeOf('alertId'), typeOf('firstDetectedAt')]).toEqual(['Int64', 'Timestamp<MILLISECOND, UTC>']);
    expect([...(alerts.getChild('alertId')?.toArray() ?? [])].map(Number)).toEqual(alertsJson.alerts.map((alert) => alert.alertId));
    expect([...(alerts.getChild('firstDetectedAt')?.toArray() ?? [])].map(Number)).toEqual(alertsJson.alerts.map((alert) => Date.parse(alert.firstDetectedAt)));
  });
});

describe('Arrow columns come from the schema', () => {
  it('a job list without failures still has its error column; an alert list with nothing resolved its resolvedAt', async () => {
    const columnsOf = async (url: string) =>
      tableFromIPC((await api.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${api.keys.admin}`, accept: 'application/vnd.apache.arrow.stream' } })).rawPayload).schema.fields.map((field) => field.name);
    expect(await columnsOf('/v1/jobs')).toEqual(['runId', 'job', 'startedAt', 'finishedAt', 'status', 'rowsWritten', 'error', 'skipReason', 'durationSeconds']);
    expect(await columnsOf('/v1/alerts?status=resolved')).toContain('resolvedAt');
    expect(await columnsOf('/v1/alerts')).toContain('resolvedAt');
  });
});

describe('GET /v1/jobs', () => {
  it('lists recent runs newest first with durations', async () => {
    const body = (await api.app.inject({ method: 'GET', url: '/v1/jobs', headers: { authorization: `Bearer ${api.keys.ops}` } })).json() as { runs: unknown[] };
    expect(body.runs).toEqual([
      { runId: 2, job: 'quality', startedAt: '2026-11-20T10:01:00.000Z', finishedAt: null, status: 'running', rowsWritten: null, error: null, skipReason: null, durationSeconds: null },
      { runId: 1, job: 'risk', startedAt: '2026-11-20T10:00:00.000Z', finishedAt: '2026-11-20T10:00:12.500Z', status: 'succeeded', rowsWritten: 120, error: null, skipReason: null, durationSeconds: 12.5 },
    ]);
  });

  it('filters by job; an unknown job name (a typo) is a 400 naming query.job and the jobs there are, not an empty list', async () => {
    const get = (query: string) => api.app.inject({ method: 'GET', url: `/v1/jobs${query}`, headers: { authorization: `Bearer ${api.keys.ops}` } });
    expect(((await get('?job=risk')).json() as { runs: { job: string }[] }).runs.map((run) => run.job)).toEqual(['risk']);
    expect(((await get('?job=train')).json() as { runs: unknown[] }).runs).toEqual([]);
    const typo = await get('?job=risks');
    expect(typo.statusCode).toBe(400);
    expect(typo.json()).toMatchObject({ errors: [{ field: 'query.job', message: 'must be one of quality, ops, risk, train' }] });
  });

  it('knows every job the scheduler runs', () => {
    expect([...JOBS, createTrainJob()].map((job) => job.name).sort()).toEqual([...JOB_NAMES].sort());
  });

  it('gives a skipped run its reason', async () => {
    const own = await createTestApi();
    try {
      await own.connection.run(`INSERT INTO job_runs (job, started_at, finished_at, status, rows_written, details) VALUES
        ('train', '2026-11-20T11:00:00Z', '2026-11-20T11:00:01Z', 'skipped', 0, '{"skipped":"not enough history to train with a time split: need 204 days of orders, have 90"}')`);
      const body = (await own.app.inject({ method: 'GET', url: '/v1/jobs?job=train', headers: { authorization: `Bearer ${own.keys.ops}` } })).json() as { runs: unknown[] };
      expect(body.runs).toEqual([
        { runId: 3, job: 'train', startedAt: '2026-11-20T11:00:00.000Z', finishedAt: '2026-11-20T11:00:01.000Z', status: 'skipped', rowsWritten: 0, error: null, skipReason: 'not enough history to train with a time split: need 204 days of orders, have 90', durationSeconds: 1 },
      ]);
    } finally {
      await own.close();
    }
  });
});

describe('GET /v1/alerts pages with a cursor', () => {
  it('walks every alert once, in order, through ties of severity and period', async () => {
    const own = await createTestApi();
    try {
      // 7 more alerts: severities that tie with each other and with the fixture's (40, 12.5), periods that tie and differ.
      await own.connection.run(`INSERT INTO quality_alerts (product_id, category, seller_id, period_start, metric, window_start, window_end, baseline_start, baseline_end,
          baseline_rate, current_rate, current_low, current_high, p_value, q_value, delivered_units, current_units, baseline_units, baseline_events, baseline_reasons,
          status, severity, top_reasons, top_comment_words, first_detected_at, updated_at)
        SELECT 'prd_t' || i, 'apparel', 'sel_1', DATE '2026-11-09' - (7 * (i % 2))::INTEGER, 'product_fault_rate', DATE '2026-11-09', DATE '2026-11-16', DATE '2026-09-14', DATE '2026-11-09',
          0.05, 0.09, 0.08, 0.1, 0.0001, 0.001, 1000, 90, 8000, 400, NULL, 'resolved', CASE WHEN i < 4 THEN 40 ELSE 0.1 + 0.2 END, '[]', '[]', '2026-11-16T00:00:00Z', '2026-11-16T00:00:00Z'
        FROM range(7) t(i)`);
      const get = (url: string, headers: Record<string, string> = {}) => own.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${own.keys.product}`, ...headers } });
      const everything = (await get('/v1/alerts')).json() as { alerts: { alertId: number }[]; nextCursor: string | null };
      expect(everything.alerts).toHaveLength(9);
      expect(everything.nextCursor).toBeNull();
      const walked: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const response = await get(`/v1/alerts?limit=2${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
        expect(response.statusCode, response.body).toBe(200);
        const page = response.json() as { alerts: { alertId: number }[]; nextCursor: string | null };
        walked.push(...page.alerts.map((alert) => alert.alertId));
        expect(response.headers['x-next-cursor']).toBe(page.nextCursor ?? undefined);
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor !== null && pages < 20);
      expect(walked).toEqual(everything.alerts.map((alert) => alert.alertId));
      expect(pages).toBe(5);
    } finally {
      await own.close();
    }
  });

  it('any cursor the schema admits is a position (a page, maybe empty); anything else is a 400 naming query.cursor', async () => {
    expect((await get('/v1/alerts?cursor=1e%2B300~0~0')).json()).toMatchObject({ nextCursor: null });
    expect(((await get('/v1/alerts?cursor=-5~999999~999999999999999')).json() as { alerts: unknown[] }).alerts).toEqual([]);
    expect(((await get('/v1/alerts?cursor=13~20766~0')).json() as { alerts: { productId: string }[] }).alerts.map((alert) => alert.productId)).toEqual(['prd_3']);
    const bad = await get('/v1/alerts?cursor=abc');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ errors: [expect.objectContaining({ field: 'query.cursor' })] });
  });
});
