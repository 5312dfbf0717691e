import { PRODUCT_FAULT_REASONS } from '../../domain/events/vocabulary.ts';
import { collectTouchedCohorts, prepareQualityRun, refreshQualityBase } from '../../store/quality/refresh-quality-cohorts.ts';
import { refreshQualityPeriods, updateQualityMaturity } from '../../store/quality/refresh-quality-periods.ts';
import { cohortSettingsKey, type QualityRunSettings } from '../../store/quality/quality-run-settings.ts';
import { readIngestedWatermark, readQualityState, writeQualityState } from '../../store/quality/quality-state.ts';
import { markAlertChangesPublished, readUnpublishedAlertChanges } from '../../store/quality/quality-alert-view.ts';
import { rewindQualityAlerts } from '../../store/quality/quality-alerts-store.ts';
import type { Job, JobContext, JobResult } from '../job.ts';
import { refreshQualityAlerts } from './refresh-quality-alerts.ts';

// Events are re-examined this far behind the watermark: an ingest transaction that stamped
// ingested_at before our snapshot but committed after it would otherwise be skipped for good.
// Re-examining a cohort is harmless (it is recomputed to the same rows).
const WATERMARK_OVERLAP_MS = 10 * 60 * 1000;

/** Returned units each side needs before a reason-mix test; below it the chi-square has too little to say. */
const MIN_REASON_RETURNS = 50;
/** Total-variation distance a reason mix must move (10 points of share) besides being significant. */
const MIN_REASON_SHIFT = 0.1;
/** One-sided level at which an open alert still counts as elevated against its frozen baseline. */
const FOLLOW_UP_LEVEL = 0.05;
/**
 * The fault-rate window: the last 7 delivery days, young cohorts included. Measured against 7+14+28
 * (Bonferroni) and other sets on development seeds (docs/quality.md): longer windows find more
 * low-volume episodes, but late, and cost detections within two weeks and some false alarms.
 */
export const FAULT_WINDOW_DAYS: readonly number[] = [7];
/** The fault baseline ends this many days before the run: a week's gap before the window, so an episode that began just before it is not yet in the baseline. */
export const FAULT_BASELINE_LAG_DAYS = 14;
/** Young cohorts expected to show less than this share of their eventual fault returns carry too little to count. */
const MIN_REPORTED_SHARE = 0.05;
/** Fault returns a category needs in the baseline before its own arrival profile is used instead of all categories'. */
const MIN_DELAY_RETURNS = 200;
/**
 * Fault returns all categories together need for theirs. Lower than a category's: a shop with a few
 * products had 181, and at 200 the fault-rate scan silently tested none of them. An arrival profile
 * from 50 returns is coarse, but it only weighs the youngest days of the window.
 */
const MIN_ALL_DELAY_RETURNS = 50;

/**
 * `retour jobs run quality`: delivery-cohort quality tables (quality_weekly, quality_daily for
 * product, category and seller) and quality alerts. Incremental by default: only the cohorts touched
 * by events ingested since the last run, or by facts that became visible as `now` moved, are
 * recomputed; `--full` (or a first run, a settings change, or `now` moving backwards) rebuilds all.
 * The whole run is one transaction, so a failed run leaves the previous results in place.
 */
export const qualityJob: Job = {
  name: 'quality',
  summary: 'product, category and seller return and defect rates by delivery cohort; quality alerts',
  async run(context: JobContext): Promise<JobResult> {
    const { connection, config, now } = context;
    const settings: QualityRunSettings = {
      now,
      withinDays: config.qualityWithinDays,
      detectionDays: config.qualityDetectionDays,
      defaultWindowDays: config.returnWindowDays,
      windowByCategory: config.returnWindowByCategory,
      productFaultReasons: PRODUCT_FAULT_REASONS,
    };
    const settingsKey = cohortSettingsKey(settings);
    await connection.run('BEGIN TRANSACTION');
    try {
      const state = await readQualityState(connection);
      const watermark = await readIngestedWatermark(connection);
      const fullReason = context.fullRebuild
        ? 'requested'
        : state === undefined
          ? 'first run'
          : state.settings !== settingsKey
            ? 'settings changed'
            : now.getTime() < state.asOf.getTime()
              ? 'now is earlier than the previous run'
              : undefined;
      await prepareQualityRun(connection, settings);
      let touchedCohorts: number | undefined;
      if (fullReason === undefined) {
        const since = state!.ingestedWatermark === null ? new Date(0) : new Date(state!.ingestedWatermark.getTime() - WATERMARK_OVERLAP_MS);
        touchedCohorts = await collectTouchedCohorts(connection, settings, { ingestedAfter: since, previousAsOf: state!.asOf });
      }
      throwIfAborted(context.signal);
      const selection = fullReason === undefined ? 'touched' : 'all';
      await refreshQualityBase(connection, settings, selection);
      throwIfAborted(context.signal);
      const periodRows = await refreshQualityPeriods(connection, settings, selection);
      await updateQualityMaturity(connection, settings);
      throwIfAborted(context.signal);
      const movedBack = state !== undefined && now.getTime() < state.asOf.getTime();
      const rewound = movedBack ? await rewindQualityAlerts(connection, now.toISOString()) : undefined;
      const alerts = await refreshQualityAlerts(connection, {
        now,
        detectionDays: config.qualityDetectionDays,
        baselineWeeks: config.qualityBaselineWeeks,
        minUnits: config.qualityMinUnits,
        minReturns: MIN_REASON_RETURNS,
        falseDiscoveryRate: config.qualityFalseDiscoveryRate,
        minRatio: config.qualityMinRatio,
        minReasonShift: MIN_REASON_SHIFT,
        followUpLevel: FOLLOW_UP_LEVEL,
        faultWindowDays: FAULT_WINDOW_DAYS,
        faultBaselineLagDays: FAULT_BASELINE_LAG_DAYS,
        minReportedShare: MIN_REPORTED_SHARE,
        minDelayReturns: MIN_DELAY_RETURNS,
        minAllDelayReturns: MIN_ALL_DELAY_RETURNS,
      });
      if (!alerts.faultScan.youngCohorts.allCategoriesProfile) {
        context.logger.warn(
          { baselineFaultReturns: alerts.faultScan.youngCohorts.baselineFaultReturns, needed: MIN_ALL_DELAY_RETURNS },
          'too few product-fault returns in the fault baseline to rate young cohorts: no product was tested on the fault rate this run (a longer RETOUR_QUALITY_BASELINE_WEEKS gathers more)',
        );
      }
      await writeQualityState(connection, { ingestedWatermark: watermark, asOf: now, settings: settingsKey }, now);
      await connection.run('COMMIT');
      // After the commit: a failed send leaves the changes unpublished for the next run.
      const published = await publishAlertChanges(context);
      context.logger.info({ mode: selection, touchedCohorts, periodRows, alerts, published }, 'quality run finished');
      return {
        rowsWritten: periodRows + alerts.opened + alerts.updated + alerts.resolved,
        details: {
          mode: fullReason === undefined ? 'incremental' : 'full',
          ...(fullReason === undefined ? { touchedCohorts } : { fullReason }),
          periodRows,
          window: alerts.window,
          faultScan: alerts.faultScan,
          testedProducts: { productFaultRate: alerts.testedFault, reasonMix: alerts.testedMix },
          alerts: { opened: alerts.opened, updated: alerts.updated, resolved: alerts.resolved, published, ...(rewound === undefined ? {} : { rewound }) },
        },
      };
    } catch (error: unknown) {
      await connection.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
  },
};

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new Error('the quality run was stopped (shutdown)', { cause: signal.reason });
}

/**
 * Sends alerts opened and resolved since the last send to RETOUR_TOPIC_QUALITY_ALERTS (key: the
 * product id, so one product's messages stay in order), each as GET /v1/alerts shows it, and marks
 * them sent. Without Kafka (no `publish`) nothing is sent and nothing is marked.
 */
async function publishAlertChanges(context: JobContext): Promise<{ opened: number; resolved: number }> {
  if (context.publish === undefined) return { opened: 0, resolved: 0 };
  const changes = await readUnpublishedAlertChanges(context.connection);
  if (changes.opened.length + changes.resolved.length === 0) return { opened: 0, resolved: 0 };
  const messages = [
    ...changes.opened.map((alert) => ({ key: alert.productId, value: JSON.stringify({ type: 'quality.alert.opened', ...alert }) })),
    ...changes.resolved.map((alert) => ({ key: alert.productId, value: JSON.stringify({ type: 'quality.alert.resolved', ...alert }) })),
  ];
  try {
    await context.publish(context.config.topicQualityAlerts, messages);
  } catch (error: unknown) {
    context.logger.warn({ err: error, alerts: messages.length }, 'publishing quality alert changes failed; retrying next run');
    return { opened: 0, resolved: 0 };
  }
  await markAlertChangesPublished(context.connection, { opened: changes.opened.map((alert) => alert.alertId), resolved: changes.resolved.map((alert) => alert.alertId) }, context.now);
  return { opened: changes.opened.length, resolved: changes.resolved.length };
}
