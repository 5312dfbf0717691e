import { RetourError } from '../../domain/errors/retour-error.ts';
import { JOBS, findJob } from '../../jobs/job-registry.ts';
import { replayJob } from '../../jobs/replay-job.ts';
import { runJob, type RecordedJobRun } from '../../jobs/run-job.ts';
import { openDatabase } from '../../store/open-database.ts';
import type { Command } from '../command.ts';
import { parseTimeOption } from '../time-option.ts';

function summaryOf(result: RecordedJobRun): { runId: number; rowsWritten: number; durationMs: number; details: RecordedJobRun['details'] } {
  return { runId: result.runId, rowsWritten: result.rowsWritten, durationMs: Math.round(result.durationMs), details: result.details };
}

export const jobsCommand: Command = {
  name: 'jobs',
  summary: 'Run batch jobs now (quality, risk, ops, … or all)',
  whileServing: 'retour serve runs the jobs itself on its schedule; GET /v1/jobs lists the runs',
  usage: 'jobs run NAME|all [--full] [--now TIMESTAMP] [--replay-from TIMESTAMP [--step-days N]] [--json]',
  options: {
    full: { type: 'boolean', description: 'Full rebuild instead of only what new events touched' },
    now: { type: 'string', valueName: 'TIMESTAMP', description: 'Run as of this RFC 3339 time (default: the current time)' },
    json: { type: 'boolean', description: 'Print one JSON line per job run (with --replay-from, per replayed run, with its asOf)' },
    'replay-from': { type: 'string', valueName: 'TIMESTAMP', description: 'Run each job as of every step from this time up to --now (history after a backfill)' },
    'step-days': { type: 'string', valueName: 'N', description: 'Days between replayed runs (default 7)' },
  },
  get details() {
    return `Jobs: ${JOBS.map((job) => `${job.name} (${job.summary})`).join('; ') || 'none yet'}.`;
  },
  async run(context) {
    const [verb, name] = context.positionals;
    if (verb !== 'run' || name === undefined) throw new RetourError('RETOUR_USAGE', `usage: retour ${jobsCommand.usage}`);
    const jobs = name === 'all' ? JOBS : [findJob(name)];
    if (jobs.some((job) => job === undefined) || jobs.length === 0) {
      throw new RetourError('RETOUR_USAGE', `unknown job ${JSON.stringify(name)}; known: ${JOBS.map((job) => job.name).join(', ') || 'none'}, all`);
    }
    const nowOption = context.options['now'];
    const now = typeof nowOption === 'string' ? parseTimeOption('now', nowOption) : new Date();
    const replayFrom = context.options['replay-from'];
    const from = typeof replayFrom === 'string' ? parseTimeOption('replay-from', replayFrom) : undefined;
    const stepDays = Number(context.options['step-days'] ?? '7');
    if (from === undefined && context.options['step-days'] !== undefined) throw new RetourError('RETOUR_USAGE', '--step-days goes with --replay-from');
    if (from !== undefined) {
      if (!Number.isInteger(stepDays) || stepDays < 1) throw new RetourError('RETOUR_USAGE', `--step-days must be a whole number of days ≥ 1; got ${JSON.stringify(context.options['step-days'])}`);
      if (from.getTime() > now.getTime()) {
        const until = typeof nowOption === 'string' ? `--now (${JSON.stringify(nowOption)})` : `--now (default: the current time, ${now.toISOString()})`;
        throw new RetourError('RETOUR_USAGE', `--replay-from (${JSON.stringify(replayFrom)}) must not be after ${until}`);
      }
    }
    // All usage is checked before the database is opened (a running `serve` holds it).
    const database = await openDatabase({ path: context.config.database });
    try {
      const connection = await database.connect();
      if (from !== undefined) {
        for (const job of jobs) {
          // --full with a replay rebuilds at the first step; the later steps go on incrementally from it.
          let fullRebuild = context.options['full'] === true;
          const runs = await replayJob(job!, {
            from,
            to: now,
            stepDays,
            // --json promises JSON lines only: one per replayed run instead of the closing sentence.
            ...(context.options['json'] === true
              ? { onRun: (asOf: Date, result: RecordedJobRun) => context.stdout.write(`${JSON.stringify({ job: job!.name, asOf: asOf.toISOString(), ...summaryOf(result) })}\n`) }
              : {}),
            contextFor: (asOf) => {
              const runContext = { connection, config: context.config, logger: context.logger.child({ job: job!.name }), now: asOf, fullRebuild, signal: context.signal };
              fullRebuild = false;
              return runContext;
            },
          });
          if (context.options['json'] !== true) context.stdout.write(`${job!.name}: replayed ${runs} runs from ${from.toISOString()} to ${now.toISOString()} every ${stepDays} days\n`);
        }
        return 0;
      }
      for (const job of jobs) {
        const result = await runJob(job!, {
          connection,
          config: context.config,
          logger: context.logger.child({ job: job!.name }),
          now,
          fullRebuild: context.options['full'] === true,
          signal: context.signal,
        });
        const summary = { job: job!.name, ...summaryOf(result) };
        context.stdout.write(context.options['json'] === true ? `${JSON.stringify(summary)}\n` : `${job!.name}: ${result.rowsWritten} rows in ${(result.durationMs / 1000).toFixed(1)} s (run ${result.runId})\n`);
      }
      return 0;
    } finally {
      database.close();
    }
  },
};
