/**
 * Every authenticated route with a request that is valid for it and the permission it needs. The
 * role-matrix test runs each one with every role; adding a route is one line here.
 */
import { decisionIdsForFlag } from '../../api/decide-flag.ts';
import type { ApiPermission } from '../../domain/api-roles.ts';
import { FIXTURE_REVOCABLE_KEY_ID } from '../../scripts/api/api-fixtures.ts';

export interface RouteCase {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  permission: ApiPermission;
  body?: unknown;
  /** Status for a role holding the permission (default 200). */
  okStatus?: number;
}

const scoreBody = { customerId: 'cus_0', lines: [{ productId: 'prd_1', quantity: 1, reason: 'quality.defective', unitPrice: 4999 }] };

export const ROUTES: readonly RouteCase[] = [
  { method: 'GET', url: '/v1/customers/cus_0/risk', permission: 'customer-risk:read' },
  { method: 'POST', url: '/v1/risk/score', permission: 'risk:score', body: scoreBody },
  { method: 'GET', url: '/v1/flags', permission: 'flags:read' },
  { method: 'GET', url: '/v1/flags/flg_01', permission: 'flags:read' },
  // The same verdict again returns the same decision, so every allowed role gets 200.
  { method: 'POST', url: '/v1/flags/flg_02/decision', permission: 'flags:decide', body: { verdict: 'legitimate' } },
  // Correcting it takes the same permission; the first allowed role corrects, the next ones repeat the correction (200, the same decision).
  { method: 'POST', url: '/v1/flags/flg_02/decision', permission: 'flags:decide', body: { verdict: 'fraud', note: 'role matrix correction', supersedes: decisionIdsForFlag('flg_02').decisionId } },
  { method: 'GET', url: '/v1/quality/report', permission: 'quality:read' },
  { method: 'GET', url: '/v1/products/prd_1/quality', permission: 'quality:read' },
  { method: 'GET', url: '/v1/alerts', permission: 'quality:read' },
  { method: 'GET', url: '/v1/jobs', permission: 'jobs:read' },
  { method: 'GET', url: '/v1/ops/stage-times', permission: 'ops:read' },
  { method: 'GET', url: '/v1/ops/stuck-returns', permission: 'ops:read' },
  { method: 'GET', url: '/v1/ops/refund-exceptions', permission: 'ops:read' },
  { method: 'GET', url: '/v1/ops/feedback', permission: 'ops:read' },
  { method: 'GET', url: '/v1/quarantine', permission: 'quarantine:read' },
  { method: 'GET', url: '/v1/status', permission: 'status:read' },
  { method: 'GET', url: '/v1/models', permission: 'models:read' },
  { method: 'POST', url: '/v1/models/train', permission: 'models:manage', okStatus: 202 },
  // Promoting the model already in service changes nothing, so the allowed role gets 200 however often it runs.
  { method: 'POST', url: '/v1/models/m-1/promote', permission: 'models:manage', body: {} },
  { method: 'GET', url: '/v1/keys', permission: 'keys:manage' },
  { method: 'POST', url: '/v1/keys', permission: 'keys:manage', body: { role: 'product', name: 'role matrix' }, okStatus: 201 },
  // Revoking is idempotent, so the allowed role gets 200 however often it runs.
  { method: 'DELETE', url: `/v1/keys/${FIXTURE_REVOCABLE_KEY_ID}`, permission: 'keys:manage' },
  { method: 'GET', url: '/v1/audit', permission: 'audit:read' },
];

/** Routes anyone may call without a key. */
export const PUBLIC_ROUTES: readonly { url: string; contentType: string }[] = [
  { url: '/healthz', contentType: 'application/json' },
  { url: '/readyz', contentType: 'application/json' },
  { url: '/metrics', contentType: 'text/plain' },
  { url: '/docs/json', contentType: 'application/json' },
];
