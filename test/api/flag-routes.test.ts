import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decisionIdsForCorrection, decisionIdsForFlag } from '../../api/decide-flag.ts';
import { decodeEvent } from '../../domain/events/decode-event.ts';
import { createTestApi, type TestApi } from './api-test-app.ts';

let api: TestApi;
beforeEach(async () => {
  api = await createTestApi();
});
afterEach(async () => api.close());

const as = (role: keyof TestApi['keys']) => ({ authorization: `Bearer ${api.keys[role]}` });
type Page = { flags: { flagId: string; score: number; status: string; tier: string; fraudType: string }[]; nextCursor: string | null };

async function page(query: string): Promise<Page> {
  const response = await api.app.inject({ method: 'GET', url: `/v1/flags${query}`, headers: as('risk') });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as Page;
}

async function walk(query: string, limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const separator = query === '' ? '?' : '&';
    const result: Page = await page(`${query}${separator}limit=${limit}${cursor === null ? '' : `&cursor=${cursor}`}`);
    ids.push(...result.flags.map((flag) => flag.flagId));
    cursor = result.nextCursor;
    pages += 1;
  } while (cursor !== null && pages < 100);
  return { ids, pages };
}

describe('GET /v1/flags', () => {
  it('defaults to the open queue, highest score first, ties by id', async () => {
    const result = await page('');
    expect(result.flags).toHaveLength(24);
    expect(result.nextCursor).toBeNull();
    expect(result.flags.every((flag) => flag.status === 'open')).toBe(true);
    const scores = result.flags.map((flag) => flag.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(result.flags.slice(5, 7).map((flag) => flag.flagId)).toEqual(['flg_05', 'flg_06']);
  });

  it.each([1, 2, 3, 5, 23, 24, 25, 500])('pages of %i cover the queue exactly once, across equal scores', async (limit) => {
    const all = (await page('?limit=500')).flags.map((flag) => flag.flagId);
    const { ids, pages } = await walk('', limit);
    expect(ids).toEqual(all);
    expect(pages).toBe(Math.max(1, Math.ceil(24 / limit)));
  });

  it('accepts any cursor its schema admits: whole-number and tiny scores', async () => {
    expect((await page('?cursor=1~flg_zz')).flags).toHaveLength(24);
    expect((await page('?cursor=0.89~flg_10')).flags.map((flag) => flag.flagId).slice(0, 2)).toEqual(['flg_11', 'flg_12']);
    expect((await page('?cursor=1.5e-7~a')).flags).toEqual([]);
    // Any character may follow the ~ (schemathesis sends line breaks; JavaScript's `.` skips them).
    expect((await page('?cursor=1~a%0Db')).flags).toHaveLength(24);
    const outOfRange = await api.app.inject({ method: 'GET', url: '/v1/flags?cursor=1e87~x', headers: as('risk') });
    expect(outOfRange.statusCode).toBe(400);
  });

  it('the last full page has no next cursor (no empty trailing page)', async () => {
    const first = await page('?limit=12');
    const second = await page(`?limit=12&cursor=${first.nextCursor}`);
    expect(second.flags).toHaveLength(12);
    expect(second.nextCursor).toBeNull();
  });

  it('filters by tier, status, fraud type and since, and pages within the filter', async () => {
    expect((await page('?tier=review')).flags.every((flag) => flag.tier === 'review')).toBe(true);
    expect((await page('?status=dismissed')).flags.map((flag) => flag.flagId)).toEqual(['flg_24']);
    const swaps = await walk('?fraudType=item_swap', 4);
    expect(swaps.ids).toHaveLength(12);
    expect((await page('?since=2026-11-20T00:00:00Z')).flags.map((flag) => flag.flagId).sort()).toEqual(['flg_19', 'flg_20', 'flg_21', 'flg_22', 'flg_23']);
    expect((await page('?tier=high&fraudType=wardrobing&since=2030-01-01T00:00:00Z')).flags).toEqual([]);
  });

  it("filters by customer, with the status filter: e.g. a customer's dismissed flags, to see what was decided before", async () => {
    await api.connection.run(`INSERT INTO risk_flags SELECT * REPLACE ('flg_old3' AS flag_id, 'dismissed' AS status, 0.51 AS score) FROM risk_flags WHERE flag_id = 'flg_03'`);
    expect((await page('?customerId=cus_3&status=dismissed')).flags.map((flag) => flag.flagId)).toEqual(['flg_old3']);
    expect((await page('?customerId=cus_3')).flags.map((flag) => flag.flagId)).toEqual(['flg_03']);
    expect((await page('?customerId=cus_nobody')).flags).toEqual([]);
  });

  it('answers Arrow with the cursor in X-Next-Cursor', async () => {
    const { tableFromIPC } = await import('apache-arrow');
    const response = await api.app.inject({ method: 'GET', url: '/v1/flags?limit=3', headers: { ...as('risk'), accept: 'application/vnd.apache.arrow.stream' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/vnd.apache.arrow.stream');
    const table = tableFromIPC(response.rawPayload);
    expect(table.numRows).toBe(3);
    expect(table.getChild('flagId')?.toArray()).toEqual(['flg_00', 'flg_01', 'flg_02']);
    expect(JSON.parse(String(table.getChild('reasons')?.get(1)))).toEqual([{ code: 'NOT_DECLARED', text: 'items not declared', weight: 0.6 }]);
    // The list's reasons carry no evidence (GET /v1/flags/{id} adds it).
    expect((JSON.parse(String(table.getChild('reasons')?.get(0))) as { code: string; evidence?: unknown }[]).map((reason) => [reason.code, reason.evidence])).toEqual([
      ['NOT_DECLARED_ITEM', undefined], ['DELIVERED_NOT_RECEIVED', undefined], ['MODEL_PATTERN', undefined],
    ]);
    expect(response.headers['x-next-cursor']).toBe((await page('?limit=3')).nextCursor);
  });

  it('shows scores rounded as GET /v1/customers/{id}/risk rounds them, and pages on the exact score', async () => {
    // Noisy-OR scores carry long tails: the queue showed 0.99985 where the customer's risk said 0.9999.
    await api.connection.run(`UPDATE risk_flags SET score = 0.99985 WHERE flag_id = 'flg_00'`);
    await api.connection.run(`UPDATE risk_flags SET score = 0.99987 WHERE flag_id = 'flg_01'`);
    const first = await page('?limit=1');
    expect(first.flags.map((flag) => [flag.flagId, flag.score])).toEqual([['flg_01', 0.9999]]);
    const second = await page(`?limit=1&cursor=${first.nextCursor}`);
    expect(second.flags.map((flag) => [flag.flagId, flag.score])).toEqual([['flg_00', 0.9999]]);
    const evidence = await api.app.inject({ method: 'GET', url: '/v1/flags/flg_00', headers: as('risk') });
    expect((evidence.json() as { flag: { score: number } }).flag.score).toBe(0.9999);
    const all = await walk('', 1);
    expect(all.ids).toHaveLength(24);
  });
});

describe('GET /v1/flags?sort=oldest', () => {
  it('pages by opening time, first opened first, ties by id, flags microseconds apart kept apart: every open flag once', async () => {
    // Three opening times 1 µs apart (the ISO text shown is cut to milliseconds, so the cursor must not be).
    await api.connection.run(`UPDATE risk_flags SET opened_at = TIMESTAMPTZ '2026-11-01T00:00:00Z' + to_microseconds((hash(flag_id) % 3)::BIGINT)`);
    const expected = (await api.connection.runAndReadAll(`SELECT flag_id FROM risk_flags WHERE status = 'open' ORDER BY opened_at, flag_id`)).getRows().map((row) => String(row[0]));
    expect(expected.length).toBeGreaterThan(4);
    const walked = await walk('?sort=oldest', 2);
    expect(walked.ids).toEqual(expected);
    expect(walked.pages).toBe(Math.ceil(expected.length / 2));
    // The default order is still the score.
    expect((await walk('', 2)).ids).not.toEqual(expected);
  });

  it("a cursor continues the order it was written in, also when the next page is asked without the first page's sort (it silently restarted the queue)", async () => {
    await api.connection.run(`UPDATE risk_flags SET opened_at = TIMESTAMPTZ '2026-11-01T00:00:00Z' + to_microseconds((hash(flag_id) % 1000)::BIGINT)`);
    const byAge = (await walk('?sort=oldest', 500)).ids;
    const byScore = (await walk('', 500)).ids;
    const oldestFirst = await page('?sort=oldest&limit=3');
    const scoreFirst = await page('?limit=3');
    expect(oldestFirst.nextCursor).toMatch(/^[0-9]{16}~/);
    expect(scoreFirst.nextCursor).toMatch(/^0\.[0-9]+~/);
    for (const query of ['', '&sort=score']) {
      const second = await page(`?limit=3${query}&cursor=${oldestFirst.nextCursor ?? ''}`);
      expect(second.flags.map((flag) => flag.flagId), query).toEqual(byAge.slice(3, 6));
      expect(second.nextCursor).toMatch(/^[0-9]{16}~/);
    }
    const secondByScore = await page(`?limit=3&sort=oldest&cursor=${scoreFirst.nextCursor ?? ''}`);
    expect(secondByScore.flags.map((flag) => flag.flagId)).toEqual(byScore.slice(3, 6));
    // 0 and 1 fit both orders: the request's sort decides.
    expect((await page('?sort=oldest&cursor=1~flg_zz')).flags.map((flag) => flag.flagId)).toEqual(byAge.slice(0, 50));
  });
});

describe('GET /v1/flags as Arrow: the columns do not depend on the data', () => {
  const arrowColumns = async (query: string): Promise<{ rows: number; columns: string[] }> => {
    const { tableFromIPC } = await import('apache-arrow');
    const response = await api.app.inject({ method: 'GET', url: `/v1/flags${query}`, headers: { ...as('risk'), accept: 'application/vnd.apache.arrow.stream' } });
    expect(response.statusCode).toBe(200);
    const table = tableFromIPC(response.rawPayload);
    return { rows: table.numRows, columns: table.schema.fields.map((field) => `${field.name}:${String(field.type)}`) };
  };

  it('every field of the JSON rows is a column, typed by the schema, also when it is null on every row or no row matches', async () => {
    // The open queue has no closedAt or decisionId: the columns were missing, and an empty page had no columns at all.
    const expected = [
      'flagId:Dictionary<Int32, Utf8>', 'customerId:Dictionary<Int32, Utf8>', 'status:Dictionary<Int32, Utf8>', 'tier:Dictionary<Int32, Utf8>', 'score:Float64',
      'fraudType:Dictionary<Int32, Utf8>', 'reasons:Dictionary<Int32, Utf8>', 'openedAt:Timestamp<MILLISECOND, UTC>', 'updatedAt:Timestamp<MILLISECOND, UTC>',
      'closedAt:Timestamp<MILLISECOND, UTC>', 'decisionId:Dictionary<Int32, Utf8>', 'modelVersion:Dictionary<Int32, Utf8>',
    ];
    expect(await arrowColumns('?limit=3')).toEqual({ rows: 3, columns: expected });
    expect(await arrowColumns('?since=2030-01-01T00:00:00Z')).toEqual({ rows: 0, columns: expected });
  });

  it('times are timestamps holding the same instant as the JSON text', async () => {
    const { tableFromIPC } = await import('apache-arrow');
    const json = (await api.app.inject({ method: 'GET', url: '/v1/flags?limit=3', headers: as('risk') })).json() as { flags: { openedAt: string }[] };
    const arrow = await api.app.inject({ method: 'GET', url: '/v1/flags?limit=3', headers: { ...as('risk'), accept: 'application/vnd.apache.arrow.stream' } });
    const openedAt = tableFromIPC(arrow.rawPayload).getChild('openedAt')?.toArray() as ArrayLike<number | bigint>;
    expect(Array.from(openedAt, Number)).toEqual(json.flags.map((flag) => Date.parse(flag.openedAt)));
  });
});

describe('GET /v1/flags/{id}', () => {
  it('returns the flag, the customer timeline newest first and the linked accounts', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/v1/flags/flg_00', headers: as('risk') });
    expect(response.statusCode).toBe(200);
    const body = response.json() as { flag: { customerId: string }; timeline: { kind: string; at: string }[]; linkedAccounts: unknown[] };
    expect(body.flag.customerId).toBe('cus_0');
    expect(body.timeline.map((entry) => entry.kind)).toEqual(['return.inspected', 'return.received', 'refund.issued', 'return.requested', 'claim.opened', 'order.delivered', 'order.placed']);
    expect(body.linkedAccounts).toEqual([{ customerId: 'cus_77', via: ['address', 'device'], ringId: 'ring_1', score: null, tier: null, openFlagId: null }]);
  });

  it("details each order with its lines' count and value and each return with its lines, the customer's only", async () => {
    // ord_1 gets a second line; ord_2 has none stored (yet); ret_2 has two lines, ret_3 none; ord_x and
    // ret_x are another customer's. The lines are found by order and return id (the timeline reads
    // them per customer in one pass since the read routes were measured on a real-sized database).
    await api.connection.run(`INSERT INTO order_lines VALUES ('ord_1', 'l2', 'cus_0', 'prd_2', 'sel_1', 'apparel', 3, 1000, 'EUR', 'M', NULL, '2026-10-01T10:00:00Z', 'e1')`);
    await api.connection.run(`INSERT INTO orders VALUES ('ord_2', 'cus_0', '2026-10-02T10:00:00Z', 'EUR', 'app', NULL, NULL, NULL, NULL, 'e8'), ('ord_x', 'cus_9', '2026-10-02T10:00:00Z', 'EUR', 'web', NULL, NULL, NULL, NULL, 'e9')`);
    await api.connection.run(`INSERT INTO order_lines VALUES ('ord_x', 'l1', 'cus_9', 'prd_1', 'sel_1', 'apparel', 5, 100, 'EUR', 'M', NULL, '2026-10-02T10:00:00Z', 'e9')`);
    await api.connection.run(`INSERT INTO return_requests VALUES ('ret_2', 'ord_1', 'cus_0', '2026-10-06T10:00:00Z', 'drop_off', 'exchange', 'e10'), ('ret_3', 'ord_2', 'cus_0', '2026-10-06T11:00:00Z', 'mail', 'refund', 'e11'), ('ret_x', 'ord_x', 'cus_9', '2026-10-06T10:00:00Z', 'mail', 'refund', 'e12')`);
    await api.connection.run(`INSERT INTO return_lines VALUES ('ret_2', 'ord_1', 'cus_0', 'l1', 'prd_1', 1, 'fit.too_small', NULL, '2026-10-06T10:00:00Z', 'e10'), ('ret_2', 'ord_1', 'cus_0', 'l2', 'prd_2', 2, 'preference.style', NULL, '2026-10-06T10:00:00Z', 'e10'), ('ret_x', 'ord_x', 'cus_9', 'l1', 'prd_1', 5, 'fit.too_large', NULL, '2026-10-06T10:00:00Z', 'e12')`);
    const response = await api.app.inject({ method: 'GET', url: '/v1/flags/flg_00', headers: as('risk') });
    expect(response.statusCode).toBe(200);
    type Entry = { kind: string; id: string; details: { lines?: number | { productId: string; quantity: number; reason: string }[]; value?: number; channel?: string; method?: string } };
    const timeline = (response.json() as { timeline: Entry[] }).timeline;
    const entry = (kind: string, id: string): Entry['details'] | undefined => timeline.find((row) => row.kind === kind && row.id === id)?.details;
    expect(entry('order.placed', 'ord_1')).toEqual({ currency: 'EUR', channel: 'web', lines: 2, value: 2 * 4999 + 3 * 1000 });
    expect(entry('order.placed', 'ord_2')).toEqual({ currency: 'EUR', channel: 'app', lines: 0, value: 0 });
    expect(entry('return.requested', 'ret_1')).toEqual({ orderId: 'ord_1', method: 'mail', resolution: 'refund', lines: [{ productId: 'prd_1', quantity: 1, reason: 'quality.defective' }] });
    const ret2 = entry('return.requested', 'ret_2');
    expect({ ...ret2, lines: [...((ret2?.lines ?? []) as { productId: string }[])].sort((a, b) => a.productId.localeCompare(b.productId)) }).toEqual({
      orderId: 'ord_1',
      method: 'drop_off',
      resolution: 'exchange',
      lines: [
        { productId: 'prd_1', quantity: 1, reason: 'fit.too_small' },
        { productId: 'prd_2', quantity: 2, reason: 'preference.style' },
      ],
    });
    // A return whose lines are not stored has no `lines` (null is left out), as before.
    expect(entry('return.requested', 'ret_3')).toEqual({ orderId: 'ord_2', method: 'mail', resolution: 'refund' });
    expect(timeline.some((row) => row.id === 'ord_x' || row.id === 'ret_x')).toBe(false);
  });
});

describe('GET /v1/flags/{id}: the evidence behind each reason', () => {
  type Evidence = { reasonsAsOf: string; flag: { reasons: { code: string; evidence: { kind: string; id: string; at: string; lineId?: string }[]; evidenceTotal: number; evidenceTruncated: boolean }[] }; timeline: { kind: string; id: string }[] };
  const evidenceOf = async (flagId: string): Promise<Evidence> => {
    const response = await api.app.inject({ method: 'GET', url: `/v1/flags/${flagId}`, headers: as('risk') });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as Evidence;
  };

  it('lists the facts each rule reason counts, as timeline kinds and ids, as of the run that wrote the reasons', async () => {
    const body = await evidenceOf('flg_00');
    expect(body.reasonsAsOf).toBe('2026-11-01T00:00:00.000Z');
    expect(body.flag.reasons.map(({ code, evidence, evidenceTotal, evidenceTruncated }) => ({ code, evidence, evidenceTotal, evidenceTruncated }))).toEqual([
      { code: 'NOT_DECLARED_ITEM', evidence: [{ kind: 'return.inspected', id: 'ret_1', lineId: 'l1', at: '2026-10-09T10:00:00.000Z' }], evidenceTotal: 1, evidenceTruncated: false },
      { code: 'DELIVERED_NOT_RECEIVED', evidence: [{ kind: 'claim.opened', id: 'clm_1', at: '2026-10-04T10:00:00.000Z' }], evidenceTotal: 1, evidenceTruncated: false },
      // The model's pattern is not a count of facts.
      { code: 'MODEL_PATTERN', evidence: [], evidenceTotal: 0, evidenceTruncated: false },
    ]);
    // Every listed fact is a row of the timeline.
    const timelineKeys = new Set(body.timeline.map((entry) => `${entry.kind}:${entry.id}`));
    for (const item of body.flag.reasons.flatMap((reason) => reason.evidence)) expect(timelineKeys.has(`${item.kind}:${item.id}`)).toBe(true);
  });

  it('counts within the windows of the time the reasons were computed, not of today', async () => {
    // The same reasons written a year later: the inspection is out of every window.
    await api.connection.run(`UPDATE risk_flags SET updated_at = '2027-11-01T00:00:00Z' WHERE flag_id = 'flg_00'`);
    const body = await evidenceOf('flg_00');
    expect(body.reasonsAsOf).toBe('2027-11-01T00:00:00.000Z');
    expect(body.flag.reasons.map((reason) => reason.evidenceTotal)).toEqual([0, 0, 0]);
  });

  it("a closed flag's evidence is as of the last risk run before it closed (its updated_at is the decision's time)", async () => {
    await api.connection.run(`UPDATE risk_flags SET status = 'dismissed', closed_at = '2027-06-01T00:00:00Z', updated_at = '2027-06-01T00:00:00Z' WHERE flag_id = 'flg_00'`);
    // The fixture's risk run of 2026-11-20 is the last one before the decision.
    const body = await evidenceOf('flg_00');
    expect(body.reasonsAsOf).toBe('2026-11-20T10:00:00.000Z');
    expect(body.flag.reasons.map((reason) => reason.evidenceTotal)).toEqual([1, 1, 0]);
  });

  it('caps each list at 50 and says how many there are', async () => {
    // 60 not-declared items on one 60-line return, inspected in October.
    await api.connection.run(`INSERT INTO return_lines SELECT 'ret_1', 'ord_1', 'cus_0', 'lx' || i, 'prd_1', 1, 'fit.too_small', NULL, '2026-10-05T10:00:00Z', 'ex' || i FROM range(60) t(i)`);
    await api.connection.run(`INSERT INTO inspections SELECT 'ret_1', 'lx' || i, TIMESTAMPTZ '2026-10-10T00:00:00Z' + i * INTERVAL 1 MINUTE, 'X_not_declared_item', NULL, 'destroy', 'ex' || i FROM range(60) t(i)`);
    const reason = (await evidenceOf('flg_00')).flag.reasons[0]!;
    expect(reason).toMatchObject({ evidenceTotal: 61, evidenceTruncated: true });
    expect(reason.evidence).toHaveLength(50);
    // Newest first.
    expect(reason.evidence[0]).toMatchObject({ id: 'ret_1', lineId: 'lx59' });
  });
});

describe('GET /v1/flags/{id}: a long history', () => {
  it('shows the newest 500 facts and says the older ones are left out', async () => {
    const own = await createTestApi();
    try {
      const get = async () => (await own.app.inject({ method: 'GET', url: '/v1/flags/flg_00', headers: { authorization: `Bearer ${own.keys.risk}` } })).json() as { timeline: { id: string }[]; timelineTruncated: boolean };
      expect((await get()).timelineTruncated).toBe(false);
      // 600 more orders of the flagged customer, one a minute, all newer than the fixture's.
      await own.connection.run(
        `INSERT INTO orders SELECT 'ord_x' || i, 'cus_0', TIMESTAMPTZ '2026-11-01T00:00:00Z' + i * INTERVAL 1 MINUTE, 'EUR', 'web', 'h1', NULL, 'h2', NULL, 'ex' || i FROM range(600) t(i)`,
      );
      const body = await get();
      expect(body.timelineTruncated).toBe(true);
      expect(body.timeline).toHaveLength(500);
      expect(body.timeline[0]!.id).toBe('ord_x599');
    } finally {
      await own.close();
    }
  });
});

describe('GET /v1/flags/{id}: the whole ring', () => {
  it('lists ring members linked only through another member, after the direct links, with no shared attribute', async () => {
    // A ring reason said "linked to 4 other accounts" while the evidence listed the 2 direct links only.
    await api.connection.run(`INSERT INTO customer_ring_members VALUES ('cus_0', 'ring_1'), ('cus_77', 'ring_1'), ('cus_78', 'ring_1'), ('cus_99', 'ring_9')`);
    const response = await api.app.inject({ method: 'GET', url: '/v1/flags/flg_00', headers: as('risk') });
    expect((response.json() as { linkedAccounts: unknown[] }).linkedAccounts).toEqual([
      { customerId: 'cus_77', via: ['address', 'device'], ringId: 'ring_1', score: null, tier: null, openFlagId: null },
      { customerId: 'cus_78', via: [], ringId: 'ring_1', score: null, tier: null, openFlagId: null },
    ]);
  });

  it("shows each linked account's score, tier and open flag, so a reviewer can go through the ring", async () => {
    await api.connection.run(`INSERT INTO customer_ring_members VALUES ('cus_0', 'ring_1'), ('cus_77', 'ring_1'), ('cus_78', 'ring_1')`);
    await api.connection.run(`INSERT INTO customer_scores (customer_id, score, tier, status, reasons, computed_at, evidence_count) VALUES
      ('cus_77', 0.876543, 'high', 'scored', '[]', '2026-11-20T10:00:00Z', 2), ('cus_78', NULL, 'unscored', 'unscored', '[]', '2026-11-20T10:00:00Z', 0)`);
    await api.connection.run(`INSERT INTO risk_flags SELECT * REPLACE ('flg_ring77' AS flag_id, 'cus_77' AS customer_id, 'open' AS status) FROM risk_flags WHERE flag_id = 'flg_03'`);
    await api.connection.run(`INSERT INTO risk_flags SELECT * REPLACE ('flg_ring78' AS flag_id, 'cus_78' AS customer_id, 'dismissed' AS status) FROM risk_flags WHERE flag_id = 'flg_03'`);
    const response = await api.app.inject({ method: 'GET', url: '/v1/flags/flg_00', headers: as('risk') });
    expect((response.json() as { linkedAccounts: unknown[] }).linkedAccounts).toEqual([
      // Rounded as GET /v1/customers/{id}/risk rounds it; an unscored account has no tier, a closed flag is not open.
      { customerId: 'cus_77', via: ['address', 'device'], ringId: 'ring_1', score: 0.8765, tier: 'high', openFlagId: 'flg_ring77' },
      { customerId: 'cus_78', via: [], ringId: 'ring_1', score: null, tier: null, openFlagId: null },
    ]);
  });
});

describe('POST /v1/flags/{id}/decision', () => {
  const decide = (flagId: string, body: object, headers: Record<string, string> = {}, role: keyof TestApi['keys'] = 'risk') =>
    api.app.inject({ method: 'POST', url: `/v1/flags/${flagId}/decision`, headers: { ...as(role), ...headers }, payload: body });

  it('stores the decision, closes the flag, audits it and queues a valid risk.decision event', async () => {
    const response = await decide('flg_03', { verdict: 'fraud', fraudType: 'item_swap', note: 'empty box twice' }, { 'x-request-id': 'req-decide-1' });
    expect(response.statusCode, response.body).toBe(200);
    const { decisionId, eventId } = decisionIdsForFlag('flg_03');
    expect(response.json()).toEqual({
      decisionId,
      flagId: 'flg_03',
      customerId: 'cus_3',
      verdict: 'fraud',
      fraudType: 'item_swap',
      note: 'empty box twice',
      decidedAt: '2026-11-20T12:00:00.000Z',
      decidedBy: 'risk-tester',
      flagStatus: 'confirmed',
      supersedes: null,
      published: false,
    });
    expect((await page('')).flags.map((flag) => flag.flagId)).not.toContain('flg_03');
    const rows = async (sql: string) => (await api.connection.runAndReadAll(sql)).getRowObjectsJson();
    expect(await rows(`SELECT status, decision_id FROM risk_flags WHERE flag_id = 'flg_03'`)).toEqual([{ status: 'confirmed', decision_id: decisionId }]);
    expect(await rows(`SELECT customer_id, verdict, decided_by, event_id FROM risk_decisions`)).toEqual([{ customer_id: 'cus_3', verdict: 'fraud', decided_by: 'risk-tester', event_id: eventId }]);
    expect(await rows(`SELECT key_name, role, action, target, request_id FROM audit_log`)).toEqual([{ key_name: 'risk-tester', role: 'risk', action: 'flag.decide', target: 'flg_03', request_id: 'req-decide-1' }]);
    const [event] = await rows(`SELECT e.payload, o.published_at FROM events e JOIN api_outbox o USING (event_id)`);
    expect(event!['published_at']).toBeNull();
    const decoded = decodeEvent(String(event!['payload']));
    expect(decoded.ok && decoded.event.type === 'risk.decision' && decoded.event.data).toMatchObject({ decisionId, customerId: 'cus_3', flagId: 'flg_03', verdict: 'fraud' });
  });

  it('is tried again, not answered 500, when another writer holds the flag for a moment (write-write conflict)', async () => {
    // Another connection (ingest applying another tool's decision, the risk job) writes the same flag
    // and commits 60 ms later; DuckDB refuses the API's UPDATE meanwhile with "Conflict on update".
    const other = await api.database.connect();
    await other.run('BEGIN TRANSACTION');
    await other.run(`UPDATE risk_flags SET updated_at = TIMESTAMPTZ '2026-11-20T11:59:00Z' WHERE flag_id = 'flg_03'`);
    const committed = new Promise<void>((resolve, reject) => setTimeout(() => other.run('COMMIT').then(() => resolve(), reject), 60));
    const response = await decide('flg_03', { verdict: 'fraud', fraudType: 'item_swap' });
    await committed;
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ flagId: 'flg_03', flagStatus: 'confirmed' });
    const audit = (await api.connection.runAndReadAll(`SELECT count(*)::INTEGER FROM audit_log WHERE target = 'flg_03'`)).getRows();
    expect(audit).toEqual([[1]]);
  });

  it('legitimate dismisses the flag', async () => {
    expect((await decide('flg_04', { verdict: 'legitimate' })).json()).toMatchObject({ flagStatus: 'dismissed', verdict: 'legitimate' });
  });

  it('the same Idempotency-Key and body return the stored response; another body is 409', async () => {
    const first = await decide('flg_05', { verdict: 'abuse' }, { 'idempotency-key': 'k-1' });
    const again = await decide('flg_05', { verdict: 'abuse' }, { 'idempotency-key': 'k-1' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    const other = await decide('flg_05', { verdict: 'abuse', note: 'changed' }, { 'idempotency-key': 'k-1' });
    expect(other.statusCode).toBe(409);
    expect(other.json()).toMatchObject({ code: 'RETOUR_CONFLICT' });
    const count = (await api.connection.runAndReadAll(`SELECT count(*)::INTEGER FROM risk_decisions`)).getRows()[0]![0];
    expect(count).toBe(1);
  });

  it('an already decided flag: the same verdict returns that decision, another verdict is 409', async () => {
    const first = await decide('flg_06', { verdict: 'fraud' });
    const same = await decide('flg_06', { verdict: 'fraud' }, {}, 'admin');
    expect(same.statusCode).toBe(200);
    expect(same.json()).toMatchObject({ decisionId: (first.json() as { decisionId: string }).decisionId, decidedBy: 'risk-tester' });
    const other = await decide('flg_06', { verdict: 'legitimate' });
    expect(other.statusCode).toBe(409);
    expect((other.json() as { detail: string }).detail).toContain('already decided fraud by risk-tester');
    const dismissed = await decide('flg_24', { verdict: 'fraud' });
    expect(dismissed.statusCode).toBe(409);
  });

  it('a decided flag refuses another fraud type or note (409) instead of answering 200 with the old one', async () => {
    await decide('flg_08', { verdict: 'fraud', fraudType: 'item_swap', note: 'swapped twice' });
    const retried = await decide('flg_08', { verdict: 'fraud', fraudType: 'item_swap', note: 'swapped twice' });
    expect(retried.statusCode).toBe(200);
    for (const body of [{ verdict: 'fraud', fraudType: 'ring', note: 'swapped twice' }, { verdict: 'fraud', fraudType: 'item_swap', note: 'a ring, in fact' }]) {
      const changed = await decide('flg_08', body);
      expect(changed.statusCode, changed.body).toBe(409);
      // It says how to correct: which decision to supersede.
      expect((changed.json() as { detail: string }).detail).toMatch(/already decided fraud \(item_swap\) by risk-tester .*To correct it, send the decision again with "supersedes": "dec_[0-9a-f]{32}" and a note/);
    }
    const stored = (await api.connection.runAndReadAll(`SELECT fraud_type, note FROM risk_decisions WHERE flag_id = 'flg_08'`)).getRowObjectsJson();
    expect(stored).toEqual([{ fraud_type: 'item_swap', note: 'swapped twice' }]);
  });

  it("a decided flag is no longer the customer's openFlagId on GET /v1/customers/{id}/risk, before the next risk run", async () => {
    const risk = async () => (await api.app.inject({ method: 'GET', url: '/v1/customers/cus_0/risk', headers: as('risk') })).json() as { openFlagId: string | null; score: number };
    expect((await risk()).openFlagId).toBe('flg_00');
    expect((await decide('flg_00', { verdict: 'fraud' })).statusCode).toBe(200);
    expect(await risk()).toMatchObject({ openFlagId: null, score: 0.97 });
    // A risk run that loaded its snapshots before the decision still names the flag: it stays hidden.
    const stale = api.app.retour.riskSnapshots.get();
    api.app.retour.riskSnapshots.replace(new Map(stale));
    expect((await risk()).openFlagId).toBeNull();
  });

  it('repeating a decision says whether its event was published, as it is now (not always false)', async () => {
    expect((await decide('flg_09', { verdict: 'abuse' })).json()).toMatchObject({ published: false });
    await api.connection.run(`UPDATE api_outbox SET published_at = TIMESTAMPTZ '2026-11-20 12:00:01Z'`);
    expect((await decide('flg_09', { verdict: 'abuse' })).json()).toMatchObject({ published: true, flagStatus: 'confirmed' });
  });

  it('a legitimate verdict with a fraud type is a 400 naming body.fraudType, and the flag stays open', async () => {
    // It was stored as a dismissed flag labelled "ring": a contradictory, final label for training.
    const response = await decide('flg_10', { verdict: 'legitimate', fraudType: 'ring' });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toMatchObject({ code: 'RETOUR_BAD_REQUEST', errors: [{ field: 'body.fraudType', message: 'must be absent when verdict is legitimate' }] });
    expect((await page('')).flags.map((flag) => flag.flagId)).toContain('flg_10');
  });

  it('concurrent decisions on one flag store exactly one', async () => {
    const results = await Promise.all([decide('flg_07', { verdict: 'fraud' }), decide('flg_07', { verdict: 'legitimate' }), decide('flg_07', { verdict: 'fraud' })]);
    expect(results.map((result) => result.statusCode).sort()).toEqual([200, 200, 409]);
    const count = (await api.connection.runAndReadAll(`SELECT count(*)::INTEGER FROM risk_decisions WHERE flag_id = 'flg_07'`)).getRows()[0]![0];
    expect(count).toBe(1);
  });
});

describe('POST /v1/flags/{id}/decision with supersedes: correcting a verdict', () => {
  type DecisionBody = { decisionId: string; verdict: string; flagStatus: string; supersedes: string | null; decidedAt: string; decidedBy: string };
  type History = { flag: { status: string; decisionId: string; closedAt: string; updatedAt: string }; decisions: { decisionId: string; verdict: string; current: boolean; supersedes: string | null; decidedBy: string; note: string | null }[] };
  const decide = (flagId: string, body: object, headers: Record<string, string> = {}, role: keyof TestApi['keys'] = 'risk') =>
    api.app.inject({ method: 'POST', url: `/v1/flags/${flagId}/decision`, headers: { ...as(role), ...headers }, payload: body });
  const rows = async (sql: string) => (await api.connection.runAndReadAll(sql)).getRowObjectsJson();
  const historyOf = async (flagId: string): Promise<History> => {
    const response = await api.app.inject({ method: 'GET', url: `/v1/flags/${flagId}`, headers: as('risk') });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as History;
  };

  it('a correction is a new decision: the flag follows it, both are kept, audited and queued as risk.decision events, and GET shows the history', async () => {
    const first = (await decide('flg_03', { verdict: 'fraud', fraudType: 'item_swap', note: 'empty box' })).json() as DecisionBody;
    const response = await decide('flg_03', { verdict: 'legitimate', note: 'the warehouse mixed up two parcels', supersedes: first.decisionId }, {}, 'admin');
    expect(response.statusCode, response.body).toBe(200);
    const { decisionId, eventId } = decisionIdsForCorrection('flg_03', first.decisionId);
    expect(response.json()).toEqual({
      decisionId, flagId: 'flg_03', customerId: 'cus_3', verdict: 'legitimate', fraudType: null, note: 'the warehouse mixed up two parcels',
      // The test clock stands still: the correction is dated 1 ms after what it corrects, so it is the latest.
      decidedAt: '2026-11-20T12:00:00.001Z', decidedBy: 'admin-tester', flagStatus: 'dismissed', supersedes: first.decisionId, published: false,
    });
    const history = await historyOf('flg_03');
    expect(history.flag).toMatchObject({ status: 'dismissed', decisionId, closedAt: '2026-11-20T12:00:00.000Z', updatedAt: '2026-11-20T12:00:00.001Z' });
    expect(history.decisions.map(({ decisionId: id, verdict, current, supersedes, decidedBy }) => ({ id, verdict, current, supersedes, decidedBy }))).toEqual([
      { id: decisionId, verdict: 'legitimate', current: true, supersedes: first.decisionId, decidedBy: 'admin-tester' },
      { id: first.decisionId, verdict: 'fraud', current: false, supersedes: null, decidedBy: 'risk-tester' },
    ]);
    expect((await page('?status=dismissed')).flags.map((flag) => flag.flagId)).toContain('flg_03');
    expect(await rows(`SELECT decision_id, verdict FROM risk_decisions ORDER BY decided_at`)).toEqual([
      { decision_id: first.decisionId, verdict: 'fraud' }, { decision_id: decisionId, verdict: 'legitimate' },
    ]);
    expect(await rows(`SELECT action, key_name FROM audit_log ORDER BY audit_id`)).toEqual([{ action: 'flag.decide', key_name: 'risk-tester' }, { action: 'flag.correct', key_name: 'admin-tester' }]);
    const [event] = await rows(`SELECT e.payload FROM events e JOIN api_outbox o USING (event_id) WHERE event_id = '${eventId}'`);
    const decoded = decodeEvent(String(event!['payload']));
    // An ordinary risk.decision of the contract: nothing but its id and time says it is a correction.
    expect(decoded.ok && decoded.event.type === 'risk.decision' && decoded.event.data).toEqual({
      decisionId, customerId: 'cus_3', flagId: 'flg_03', decidedAt: '2026-11-20T12:00:00.001Z', decidedBy: 'admin-tester', verdict: 'legitimate', note: 'the warehouse mixed up two parcels',
    });
    // Corrected again, back to fraud: supersedes names the correction now.
    const again = await decide('flg_03', { verdict: 'fraud', fraudType: 'ring', note: 'the other parcel was theirs too', supersedes: decisionId });
    expect(again.json()).toMatchObject({ verdict: 'fraud', flagStatus: 'confirmed', supersedes: decisionId, decidedAt: '2026-11-20T12:00:00.002Z' });
    expect((await historyOf('flg_03')).decisions.map((decision) => [decision.verdict, decision.current])).toEqual([['fraud', true], ['legitimate', false], ['fraud', false]]);
  });

  it('is explicit: a note is required, supersedes must name the current decision, and a correction that changes nothing is refused', async () => {
    const first = (await decide('flg_05', { verdict: 'fraud' })).json() as DecisionBody;
    for (const body of [{ verdict: 'legitimate', supersedes: first.decisionId }, { verdict: 'legitimate', note: '  ', supersedes: first.decisionId }]) {
      const noNote = await decide('flg_05', body);
      expect(noNote.statusCode, noNote.body).toBe(400);
      expect(noNote.json()).toMatchObject({ code: 'RETOUR_BAD_REQUEST', errors: [{ field: 'body.note', message: 'must say why when supersedes is given' }] });
    }
    const open = await decide('flg_06', { verdict: 'legitimate', note: 'why', supersedes: first.decisionId });
    expect(open.statusCode).toBe(409);
    expect((open.json() as { detail: string }).detail).toMatch(/flg_06 is not decided yet.*decide it without supersedes/);
    const unknown = await decide('flg_05', { verdict: 'legitimate', note: 'why', supersedes: 'dec_nope' });
    expect(unknown.statusCode).toBe(409);
    expect((unknown.json() as { detail: string }).detail).toContain(`supersedes names dec_nope, but the current decision on flag flg_05 is fraud by risk-tester at 2026-11-20T12:00:00.000Z (decision ${first.decisionId})`);
    // The same verdict with a note is a change (the first had none): recorded.
    const noteAdded = await decide('flg_05', { verdict: 'fraud', note: 'same', supersedes: first.decisionId });
    expect(noteAdded.statusCode, noteAdded.body).toBe(200);
    const unchanged = await decide('flg_05', { verdict: 'fraud', note: 'same', supersedes: (noteAdded.json() as DecisionBody).decisionId });
    expect(unchanged.statusCode).toBe(409);
    expect((unchanged.json() as { detail: string }).detail).toMatch(/nothing to correct/);
    await api.connection.run(`UPDATE risk_flags SET status = 'expired' WHERE flag_id = 'flg_07'`);
    expect((await decide('flg_07', { verdict: 'fraud', note: 'late', supersedes: first.decisionId })).statusCode).toBe(409);
    expect(await rows(`SELECT count(*)::INTEGER AS n FROM risk_decisions`)).toEqual([{ n: 2 }]);
  });

  it('every 409 names the field to change, and the current decision where there is one (a client need not parse the detail)', async () => {
    const errorsOf = (response: { json(): unknown }) => (response.json() as { errors?: unknown }).errors;
    const first = (await decide('flg_05', { verdict: 'fraud' }, { 'idempotency-key': 'k-9' })).json() as DecisionBody;
    expect(errorsOf(await decide('flg_05', { verdict: 'abuse' }, { 'idempotency-key': 'k-9' }))).toEqual([
      { field: 'headers.idempotency-key', message: 'was used for a different request; use a new key for a new decision' },
    ]);
    expect(errorsOf(await decide('flg_05', { verdict: 'legitimate' }))).toEqual([
      { field: 'body.supersedes', message: `must be ${first.decisionId}, the current decision, to change its verdict, fraud type or note (with a note saying why)` },
    ]);
    expect(errorsOf(await decide('flg_05', { verdict: 'legitimate', note: 'why', supersedes: 'dec_nope' }))).toEqual([
      { field: 'body.supersedes', message: `must be ${first.decisionId}, the current decision (read the flag again)` },
    ]);
    expect(errorsOf(await decide('flg_06', { verdict: 'legitimate', note: 'why', supersedes: first.decisionId }))).toEqual([
      { field: 'body.supersedes', message: 'must be left out: the flag is not decided yet' },
    ]);
    const corrected = (await decide('flg_05', { verdict: 'fraud', note: 'same', supersedes: first.decisionId })).json() as DecisionBody;
    expect(errorsOf(await decide('flg_05', { verdict: 'fraud', note: 'same', supersedes: corrected.decisionId }))).toEqual([
      { field: 'body', message: `repeats decision ${corrected.decisionId} (same verdict, fraud type and note): nothing to correct` },
    ]);
    await api.connection.run(`UPDATE risk_flags SET status = 'expired' WHERE flag_id = 'flg_07'`);
    expect(errorsOf(await decide('flg_07', { verdict: 'fraud' }))).toEqual([{ field: 'params.flagId', message: 'is expired without a decision; it can no longer be decided' }]);
  });

  it('a retried correction gets the same decision, a stale one is 409, and a plain repeat of the current verdict is 200', async () => {
    const first = (await decide('flg_08', { verdict: 'fraud', fraudType: 'item_swap' })).json() as DecisionBody;
    const correction = { verdict: 'legitimate', note: 'refund was for a lost parcel', supersedes: first.decisionId };
    const corrected = (await decide('flg_08', correction)).json() as DecisionBody;
    // The same correction again (a retry without Idempotency-Key, another tab): the same decision, nothing new stored.
    const retried = await decide('flg_08', correction, {}, 'admin');
    expect(retried.statusCode, retried.body).toBe(200);
    expect(retried.json()).toMatchObject({ decisionId: corrected.decisionId, decidedBy: 'risk-tester', supersedes: first.decisionId });
    // Another correction of the superseded decision: someone corrected it meanwhile.
    const stale = await decide('flg_08', { verdict: 'abuse', note: 'not fraud, abuse', supersedes: first.decisionId });
    expect(stale.statusCode).toBe(409);
    expect((stale.json() as { detail: string }).detail).toContain(`the current decision on flag flg_08 is legitimate by risk-tester`);
    // Without supersedes, the current (corrected) verdict repeats with 200, the superseded one is 409.
    expect((await decide('flg_08', { verdict: 'legitimate', note: 'refund was for a lost parcel' })).json()).toMatchObject({ decisionId: corrected.decisionId, supersedes: first.decisionId });
    const old = await decide('flg_08', { verdict: 'fraud', fraudType: 'item_swap' });
    expect(old.statusCode).toBe(409);
    expect((old.json() as { detail: string }).detail).toContain(`"supersedes": "${corrected.decisionId}"`);
    expect(await rows(`SELECT count(*)::INTEGER AS n FROM risk_decisions WHERE flag_id = 'flg_08'`)).toEqual([{ n: 2 }]);
  });

  it('keeps the Idempotency-Key rules: the same key and body replay, the same key for a correction of another body is 409', async () => {
    const first = (await decide('flg_09', { verdict: 'abuse' }, { 'idempotency-key': 'c-1' })).json() as DecisionBody;
    const reused = await decide('flg_09', { verdict: 'legitimate', note: 'why', supersedes: first.decisionId }, { 'idempotency-key': 'c-1' });
    expect(reused.statusCode).toBe(409);
    expect((reused.json() as { detail: string }).detail).toMatch(/Idempotency-Key "c-1" was used for a different request/);
    const body = { verdict: 'legitimate', note: 'customer proved delivery failure', supersedes: first.decisionId };
    const corrected = await decide('flg_09', body, { 'idempotency-key': 'c-2' });
    await api.connection.run(`UPDATE api_outbox SET published_at = TIMESTAMPTZ '2026-11-20 12:00:01Z'`);
    const replayed = await decide('flg_09', body, { 'idempotency-key': 'c-2' });
    // The stored answer, with published as it is now.
    expect(replayed.json()).toEqual({ ...(corrected.json() as object), published: true });
  });

  it('concurrent corrections of one decision store exactly one', async () => {
    const first = (await decide('flg_10', { verdict: 'fraud' })).json() as DecisionBody;
    const results = await Promise.all([
      decide('flg_10', { verdict: 'legitimate', note: 'a', supersedes: first.decisionId }),
      decide('flg_10', { verdict: 'abuse', note: 'b', supersedes: first.decisionId }),
    ]);
    expect(results.map((result) => result.statusCode).sort()).toEqual([200, 409]);
    expect(await rows(`SELECT count(*)::INTEGER AS n FROM risk_decisions WHERE flag_id = 'flg_10'`)).toEqual([{ n: 2 }]);
  });

  it('a later decision ingest stored (another publisher) is the current one: correcting the earlier one is 409, and the flag follows it', async () => {
    const first = (await decide('flg_11', { verdict: 'fraud' })).json() as DecisionBody;
    // As ingest stores a risk.decision event from another reviewing tool.
    await api.connection.run(`INSERT INTO risk_decisions VALUES ('dec_other', 'cus_11', 'flg_11', '2026-11-20T13:00:00Z', 'other-tool', 'legitimate', NULL, 'from the call centre', 'evt_other')`);
    const history = await historyOf('flg_11');
    expect(history.decisions.map((decision) => [decision.decisionId, decision.current])).toEqual([['dec_other', true], [first.decisionId, false]]);
    const stale = await decide('flg_11', { verdict: 'abuse', note: 'why', supersedes: first.decisionId });
    expect(stale.statusCode).toBe(409);
    expect((stale.json() as { detail: string }).detail).toContain('the current decision on flag flg_11 is legitimate by other-tool');
    expect((await historyOf('flg_11')).flag).toMatchObject({ status: 'dismissed', decisionId: 'dec_other' });
    const corrected = await decide('flg_11', { verdict: 'abuse', note: 'the call centre was wrong', supersedes: 'dec_other' });
    // Dated after the decision it corrects, though the API clock (12:00) is behind it.
    expect(corrected.json()).toMatchObject({ flagStatus: 'confirmed', supersedes: 'dec_other', decidedAt: '2026-11-20T13:00:00.001Z' });
  });
});

describe('POST /v1/flags/{id}/decision and the real-time answer', () => {
  const scoreOf = async (customerId: string) =>
    (await api.app.inject({ method: 'POST', url: '/v1/risk/score', headers: as('service'), payload: { customerId, lines: [{ productId: 'prd_1', quantity: 1, reason: 'fit.too_small', unitPrice: 2500 }] } })).json() as {
      decision: string;
      reasons: { code: string }[];
    };
  const decide = (body: object) => api.app.inject({ method: 'POST', url: '/v1/flags/flg_00/decision', headers: as('risk'), payload: body });

  it('follows the verdict at once: found legitimate, inspected rather than declined on the same evidence; corrected to fraud, declined again', async () => {
    // cus_0: score 0.97 and three pieces of hard evidence.
    expect((await scoreOf('cus_0')).decision).toBe('decline');
    expect((await decide({ verdict: 'legitimate', note: 'the warehouse mixed up the parcels' })).statusCode).toBe(200);
    const cleared = await scoreOf('cus_0');
    expect(cleared.decision).toBe('inspect_before_refund');
    expect(cleared.reasons.map((reason) => reason.code)).toContain('CLEARED_BY_REVIEW');
    const current = (await api.app.inject({ method: 'GET', url: '/v1/flags/flg_00', headers: as('risk') })).json() as { decisions: { decisionId: string }[] };
    expect((await decide({ verdict: 'fraud', fraudType: 'item_swap', note: 'the warehouse checked again', supersedes: current.decisions[0]!.decisionId })).statusCode).toBe(200);
    expect((await scoreOf('cus_0')).decision).toBe('decline');
  });
});
