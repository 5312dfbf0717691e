/**
 * Admin routes: API keys (list, create, revoke — a revoked key stops working at once) and the audit
 * log (who decided or changed what, when, through which request). Admin keys only.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';
import type { DuckDBConnection } from '@duckdb/node-api';
import { RetourError } from '../../domain/errors/retour-error.ts';
import { readAuditLog, type AuditActor } from '../../store/api/audit-log.ts';
import type { ApiKeyring } from '../api-keyring.ts';
import { sendTabular } from '../plugins/arrow-tables.ts';
import { typeboxValidatorCompiler } from '../plugins/typebox-validator.ts';
import type { SerialQueue } from '../serial-queue.ts';
import { AuditEntry, AuditPage, AuditQuery, ApiKeyInfo, CreatedKey, defaultKeyName, KeyCreateRequest, KeyList, KeyListQuery, KeyParams } from '../schemas/admin-schemas.ts';
import { AUTHENTICATED_PROBLEMS, okResponse, problemResponses } from '../schemas/common-schemas.ts';

export interface AdminRouteOptions {
  connection: DuckDBConnection;
  keyring: ApiKeyring;
  /** The API's write queue: key changes share the connection with decisions. */
  serial: SerialQueue;
}

function actorOf(request: FastifyRequest): AuditActor {
  if (request.principal === null) throw new RetourError('RETOUR_UNAUTHORIZED', 'send an API key as Authorization: Bearer KEY');
  return { keyId: request.principal.keyId, keyName: request.principal.name, role: request.principal.role, requestId: String(request.id) };
}

export function registerAdminRoutes(app: FastifyInstance, options: AdminRouteOptions): void {
  const { keyring, serial } = options;

  app.get<{ Querystring: Static<typeof KeyListQuery> }>(
    '/v1/keys',
    {
      config: { permission: 'keys:manage' },
      schema: {
        tags: ['admin'],
        summary: 'API keys (never their secrets), oldest first; active ones unless includeRevoked',
        security: [{ apiKey: [] }],
        querystring: KeyListQuery,
        response: { 200: okResponse(KeyList, 'The keys', { arrow: true }), ...problemResponses(...AUTHENTICATED_PROBLEMS) },
      },
    },
    async (request, reply) => {
      const keys = await keyring.list({ includeRevoked: request.query.includeRevoked ?? false });
      return sendTabular(request, reply, { rows: keys, rowSchema: ApiKeyInfo, json: { keys } });
    },
  );

  app.post<{ Body: Static<typeof KeyCreateRequest> }>(
    '/v1/keys',
    {
      config: { permission: 'keys:manage' },
      validatorCompiler: typeboxValidatorCompiler,
      schema: {
        tags: ['admin'],
        summary: 'Create an API key; the key is in this response only (stored as its SHA-256). Audited as key.create',
        security: [{ apiKey: [] }],
        body: KeyCreateRequest,
        response: { 201: okResponse(CreatedKey, 'The new key, usable at once'), ...problemResponses(...AUTHENTICATED_PROBLEMS, 413, 415) },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const created = await serial(() => keyring.create({ role: request.body.role, name: request.body.name ?? defaultKeyName(request.body.role), actor }));
      request.log.info({ keyId: created.keyId, role: created.role, by: actor.keyId }, 'API key created');
      // Never cache a response holding a secret.
      return reply.code(201).header('cache-control', 'no-store').send(created);
    },
  );

  app.delete<{ Params: Static<typeof KeyParams> }>(
    '/v1/keys/:keyId',
    {
      config: { permission: 'keys:manage' },
      schema: {
        tags: ['admin'],
        summary: 'Revoke an API key: it stops authenticating at once. Idempotent (a revoked key answers with when it was revoked). Audited as key.revoke',
        security: [{ apiKey: [] }],
        params: KeyParams,
        response: { 200: okResponse(ApiKeyInfo, 'The key, revoked'), ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 409) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      // Revoking the key in use would lock the caller out mid-task; another admin key (or the CLI) can.
      if (request.params.keyId === actor.keyId) {
        throw new RetourError('RETOUR_CONFLICT', 'a key cannot revoke itself; use another admin key, or `retour keys revoke` while the server is stopped');
      }
      const result = await serial(() => keyring.revoke({ keyId: request.params.keyId, actor }));
      if (result === undefined) throw new RetourError('RETOUR_NOT_FOUND', `no API key ${JSON.stringify(request.params.keyId)}`);
      if (result.outcome === 'revoked') request.log.info({ keyId: result.key.keyId, by: actor.keyId }, 'API key revoked');
      return result.key;
    },
  );

  app.get<{ Querystring: Static<typeof AuditQuery> }>(
    '/v1/audit',
    {
      config: { permission: 'audit:read' },
      schema: {
        tags: ['admin'],
        summary: 'The audit log, newest first: flag decisions and key changes, with who, when and the request id',
        security: [{ apiKey: [] }],
        querystring: AuditQuery,
        response: { 200: okResponse(AuditPage, 'One page of the audit log', { arrow: true }), ...problemResponses(...AUTHENTICATED_PROBLEMS) },
      },
    },
    async (request, reply) => {
      const query = request.query;
      const limit = query.limit ?? 50;
      const page = await readAuditLog(options.connection, {
        limit,
        ...(query.cursor === undefined ? {} : { before: Number(query.cursor) }),
        ...(query.action === undefined ? {} : { action: query.action }),
        ...(query.keyId === undefined ? {} : { keyId: query.keyId }),
        ...(query.target === undefined ? {} : { target: query.target }),
        ...(query.since === undefined ? {} : { since: query.since }),
      });
      const last = page.entries.at(-1);
      const nextCursor = page.hasMore && last !== undefined ? String(last.auditId) : null;
      if (nextCursor !== null) reply.header('x-next-cursor', nextCursor);
      return sendTabular(request, reply, { rows: page.entries, rowSchema: AuditEntry, json: { entries: page.entries, nextCursor } });
    },
  );
}
