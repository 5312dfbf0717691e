/**
 * Rate limit per API key (its public key id), falling back to the client address for requests
 * without a well-formed key. Exceeding it answers 429 problem+json with Retry-After.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { apiKeyId } from '../../store/api/api-keys.ts';
import { bearerToken } from './authenticate.ts';

export async function registerKeyRateLimit(app: FastifyInstance, options: { perMinute: number }): Promise<void> {
  await app.register(rateLimit, {
    global: true,
    max: options.perMinute,
    timeWindow: 60_000,
    // Only Retry-After on a 429: the X-RateLimit-* headers on every response cost ~10% of a hot request.
    addHeaders: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false, 'retry-after': true },
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    keyGenerator: (request) => {
      // Authentication runs first (an app-level hook; this plugin's are per route): its key id is at hand.
      if (request.principal !== null) return `key:${request.principal.keyId}`;
      const token = bearerToken(request.headers.authorization);
      const keyId = token === undefined ? undefined : apiKeyId(token);
      return keyId === undefined ? `ip:${request.ip}` : `key:${keyId}`;
    },
  });
}
