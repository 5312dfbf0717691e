import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';

/**
 * The review console: one static page (no framework) that calls the /v1 API with the key the
 * analyst pastes. The page itself holds no data, so it is public; every call it makes is authorised.
 */
export function registerConsoleRoutes(app: FastifyInstance): void {
  // Read once at start-up: the page is small and never changes while the process runs.
  const page = readFileSync(join(import.meta.dirname, '..', 'console', 'index.html'), 'utf8');
  app.get('/console', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'")
      .send(page),
  );
}
