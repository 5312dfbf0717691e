/**
 * Builds the fastify application. Boot order is visible here: plugins (errors, auth, docs), then
 * routes. The process-level wiring (listen, shutdown) lives in the serve command.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { DuckDBConnection } from '@duckdb/node-api';

export interface AppDependencies {
  logger: Logger;
  /** The API's own DuckDB connection. */
  connection: DuckDBConnection;
  schemaVersion: number;
  /** Reports whether ingest is healthy, for /readyz. */
  ingestState: () => { state: string; ready: boolean };
}

export async function buildApp(dependencies: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: dependencies.logger as FastifyBaseLogger, disableRequestLogging: true, requestIdHeader: 'x-request-id' });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const ingest = dependencies.ingestState();
    let databaseOpen = true;
    try {
      await dependencies.connection.run('SELECT 1');
    } catch {
      databaseOpen = false;
    }
    const ready = databaseOpen && dependencies.schemaVersion > 0 && ingest.ready;
    return reply.code(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'not_ready',
      database: databaseOpen ? 'open' : 'unavailable',
      schemaVersion: dependencies.schemaVersion,
      ingest: ingest.state,
    });
  });
  return app;
}
