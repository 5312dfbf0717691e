import { resolveStuckLimits } from '../../models/ops/resolve-stuck-limits.ts';
import { prepareOpsFacts, type OpsRunSettings } from '../../store/ops/prepare-ops-facts.ts';
import { refreshFeedbackSummary } from '../../store/ops/refresh-feedback-summary.ts';
import { refreshRefundExceptions } from '../../store/ops/refresh-refund-exceptions.ts';
import { refreshStageTimes } from '../../store/ops/refresh-stage-times.ts';
import type { Job, JobContext, JobResult } from '../job.ts';

/**
 * `retour jobs run ops`: stage times per return and their percentiles, stuck returns, refund
 * exceptions and the feedback summary. Stage tables are recomputed from all facts on each run (one
 * aggregation pass in DuckDB); refund_exceptions keeps its rows between runs — each (return, kind)
 * is detected once and later runs only resolve or reopen it — so `fullRebuild` changes nothing.
 * The whole run is one transaction: a failed run leaves the previous results in place.
 */
export const opsJob: Job = {
  name: 'ops',
  summary: 'return stage times and percentiles, stuck returns, refund exceptions, feedback summary',
  async run(context: JobContext): Promise<JobResult> {
    const { connection, config, now } = context;
    const settings: OpsRunSettings = {
      now,
      defaultWindowDays: config.returnWindowDays,
      windowByCategory: config.returnWindowByCategory,
      refundSlaDays: config.refundSlaDays,
      receiptGraceDays: config.opsReceiptGraceDays,
      stuckLimitHours: resolveStuckLimits(config.opsStuckDays),
    };
    await connection.run('BEGIN TRANSACTION');
    try {
      await prepareOpsFacts(connection, settings);
      throwIfAborted(context.signal);
      const stages = await refreshStageTimes(connection, settings);
      throwIfAborted(context.signal);
      const exceptions = await refreshRefundExceptions(connection, settings);
      const feedback = await refreshFeedbackSummary(connection, settings);
      await connection.run('COMMIT');
      context.logger.info({ stages, exceptions, feedback }, 'ops run finished');
      return {
        rowsWritten: stages.returns + stages.percentileRows + stages.stuck + exceptions.opened + exceptions.reopened + exceptions.resolved + feedback.summaryRows + feedback.linkRows,
        details: { stages, exceptions, feedback },
      };
    } catch (error: unknown) {
      await connection.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
  },
};

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new Error('the ops run was stopped (shutdown)', { cause: signal.reason });
}
