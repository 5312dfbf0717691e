/** docs/api.md § Errors shows a real problem: this test sends the request and compares the answer. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from './api-test-app.ts';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(async () => api.close());

function documentedProblem(): Record<string, unknown> {
  const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'api.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Errors'));
  const json = /```json\n([\s\S]*?)\n```/.exec(section)?.[1];
  if (json === undefined) throw new Error('docs/api.md § Errors has no ```json example');
  return JSON.parse(json) as Record<string, unknown>;
}

describe('docs/api.md § Errors', () => {
  it('the example is what POST /v1/risk/score answers for a line of quantity 0', async () => {
    const response = await api.app.inject({
      method: 'POST',
      url: '/v1/risk/score',
      headers: { authorization: `Bearer ${api.keys.service}` },
      payload: { customerId: 'cus_0', lines: [{ productId: 'prd_1', quantity: 0, reason: 'fit.too_small', unitPrice: 2500 }] },
    });
    const { requestId: _documentedId, ...documented } = documentedProblem();
    expect(response.json()).toEqual({ ...documented, requestId: response.headers['x-request-id'] });
  });
});
