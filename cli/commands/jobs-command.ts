import { RetourError } from '../../domain/errors/retour-error.ts';
import { JOBS, findJob } from '../../jobs/job-registry.ts';
import { runJob } from '../../jobs/run-job.ts';
import { openDatabase } from '../../store/open-database.ts';
import type { Command } from '../command.ts';

export const jobsCommand: Command = {
  name: 'jobs',
  summary: 'Run batch jobs now (quality, risk, ops, … or all)',
  usage: 'jobs run NAME|all [--full] [--now TIMESTAMP]',
  options: {
    full: { type: 'boolean', description: 'Full rebuild instead of only what new events touched' },
    now: { type: 'string', valueName: 'TIMESTAMP', description: 'Run as of this RFC 3339 time (default: the current time)' },
    json: { type: 'boolean', description: 'Print one JSON line per job' },
  },
  get details() {
    return `Jobs: ${JOBS.map((job) => `${job.name} (${job.summary})`).join('; ') || 'none yet'}.`;
  },
  async run(context) {
    const [verb, name] = context.positionals;
    if (verb !== 'run' || name === undefined) throw new RetourError('RETOUR_USAGE', 'usage: retour jobs run NAME|all');
    const jobs = name === 'all' ? JOBS : [findJob(name)];
    if (jobs.some((job) => job === undefined) || jobs.length === 0) {
      throw new RetourError('RETOUR_USAGE', `unknown job ${JSON.stringify(name)}; known: ${JOBS.map((job) => job.name).join(', ') || 'none'}, all`);
    }
    const nowOption = context.options['now'];
    const now = typeof nowOption === 'string' ? new Date(nowOption) : new Date();
    if (Number.isNaN(now.getTime())) throw new RetourError('RETOUR_USAGE', `--now must be an RFC 3339 time; got ${JSON.stringify(nowOption)}`);
    const database = await openDatabase({ path: context.config.database });
    try {
      const connection = await database.connect();
      for (const job of jobs) {
        const result = await runJob(job!, {
          connection,
          config: context.config,
          logger: context.logger.child({ job: job!.name }),
          now,
          fullRebuild: context.options['full'] === true,
          signal: context.signal,
        });
        const summary = { job: job!.name, runId: result.runId, rowsWritten: result.rowsWritten, durationMs: Math.round(result.durationMs), details: result.details };
        context.stdout.write(context.options['json'] === true ? `${JSON.stringify(summary)}\n` : `${job!.name}: ${result.rowsWritten} rows in ${(result.durationMs / 1000).toFixed(1)} s (run ${result.runId})\n`);
      }
      return 0;
    } finally {
      database.close();
    }
  },
};
