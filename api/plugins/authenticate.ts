/**
 * API-key authentication and role checks. A route names the permission it needs in its config
 * (`config: { permission: 'flags:read' }`); routes without one are public (/healthz, /docs, …).
 */
import type { FastifyInstance } from 'fastify';
import { API_PERMISSIONS, roleHasPermission, type ApiPermission } from '../../domain/api-roles.ts';
import type { ApiKeyring, ApiPrincipal } from '../api-keyring.ts';
import { sendProblem } from './problem-details.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The permission a key needs for this route (domain/api-roles.ts); absent = public. */
    permission?: ApiPermission;
  }
  interface FastifyRequest {
    /** The authenticated key, on routes that need one. */
    principal: ApiPrincipal | null;
  }
}

/** The key in `Authorization: Bearer KEY`, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined || header.length < 8) return undefined;
  // Scheme names are case-insensitive (RFC 9110).
  if (header.slice(0, 7).toLowerCase() !== 'bearer ') return undefined;
  const token = header.slice(7).trim();
  return token === '' ? undefined : token;
}

export function registerAuthentication(app: FastifyInstance, keyring: ApiKeyring): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', (request, reply, done) => {
    const permission = request.routeOptions.config.permission;
    if (permission === undefined) return done();
    const token = bearerToken(request.headers.authorization);
    const principal = token === undefined ? undefined : keyring.authenticate(token);
    if (principal === undefined) {
      reply.header('www-authenticate', 'Bearer realm="retour"');
      sendProblem(request, reply, {
        code: 'RETOUR_UNAUTHORIZED',
        detail: token === undefined ? 'send an API key as Authorization: Bearer KEY' : 'the API key is unknown or revoked',
      });
      return;
    }
    if (!roleHasPermission(principal.role, permission)) {
      // Known, only not allowed here: the refusal's log line names the key (request-log-controller.ts).
      request.principal = principal;
      sendProblem(request, reply, {
        code: 'RETOUR_FORBIDDEN',
        detail: `role ${principal.role} may not ${permission}; roles allowed: ${API_PERMISSIONS[permission].join(', ')}`,
      });
      return;
    }
    request.principal = principal;
    done();
  });
}
