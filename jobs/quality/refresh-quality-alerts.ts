import type { DuckDBConnection } from '@duckdb/node-api';
import { decideAlertTransition } from '../../models/quality/decide-alert-transition.ts';
import { detectionWindows, isoWeekMonday } from '../../models/quality/detection-windows.ts';
import { evaluateFaultChange, type FaultChange } from '../../models/quality/evaluate-fault-change.ts';
import { evaluateReasonMixShift, type ReasonCount, type ReasonMixShift } from '../../models/quality/evaluate-reason-mix-shift.ts';
import { extractCommentWords } from '../../models/quality/extract-comment-words.ts';
import { benjaminiHochberg } from '../../models/stats/benjamini-hochberg.ts';
import { chiSquareIndependenceTest } from '../../models/stats/chi-square-independence-test.ts';
import { fisherExactGreater } from '../../models/stats/fisher-exact-greater.ts';
import {
  insertQualityAlert,
  readOpenQualityAlerts,
  updateQualityAlert,
  type QualityAlertRow,
} from '../../store/quality/quality-alerts-store.ts';
import {
  readProductReasonCounts,
  readProductReturnComments,
  readProductWindowCounts,
  type ProductWindowCounts,
} from '../../store/quality/read-product-window-counts.ts';

export interface QualityAlertSettings {
  now: Date;
  detectionDays: number;
  baselineWeeks: number;
  /** Delivered units needed in the current window and in the baseline. */
  minUnits: number;
  /** Returned units needed on each side for a reason-mix test. */
  minReturns: number;
  /** Benjamini–Hochberg false discovery rate, per metric and run. */
  falseDiscoveryRate: number;
  /** current / baseline product-fault rate needed besides significance. */
  minRatio: number;
  /** Total-variation distance between reason mixes needed besides significance. */
  minReasonShift: number;
  /** Unadjusted one-sided level at which an open alert still counts as elevated against its frozen baseline. */
  followUpLevel: number;
}

export interface QualityAlertSummary {
  window: ReturnType<typeof detectionWindows>;
  testedFault: number;
  testedMix: number;
  opened: number;
  updated: number;
  resolved: number;
}

const FAULT_METRIC = 'product_fault_rate';
const MIX_METRIC = 'reason_mix';

/**
 * Tests every product's current window against its trailing baseline (product-fault rate: one-sided
 * Fisher exact; reason mix: chi-square), applies Benjamini–Hochberg across the products tested in
 * this run, and moves quality_alerts through new → ongoing → resolved.
 */
export async function refreshQualityAlerts(connection: DuckDBConnection, settings: QualityAlertSettings): Promise<QualityAlertSummary> {
  const window = detectionWindows({ now: settings.now, detectionDays: settings.detectionDays, baselineWeeks: settings.baselineWeeks });
  const counts = await readProductWindowCounts(connection, window);
  const reasonRows = await readProductReasonCounts(connection, window);
  const reasonsByProduct = new Map<string, ReasonCount[]>();
  for (const row of reasonRows) {
    const list = reasonsByProduct.get(row.productId) ?? [];
    list.push({ reason: row.reason, current: row.current, baseline: row.baseline });
    reasonsByProduct.set(row.productId, list);
  }

  const faults = counts.map((product) =>
    evaluateFaultChange({
      current: { faults: product.currentFault, delivered: product.currentDelivered },
      baseline: { faults: product.baselineFault, delivered: product.baselineDelivered },
      minUnits: settings.minUnits,
    }),
  );
  const mixes = counts.map((product) =>
    evaluateReasonMixShift({ reasons: reasonsByProduct.get(product.productId) ?? [], minReturns: settings.minReturns }),
  );
  // Products failing the minimum-units rule are not tested, so they do not dilute the BH correction either.
  const faultQ = qValuesOfTested(faults.map((fault) => (fault.tested ? fault.pValue : undefined)));
  const mixQ = qValuesOfTested(mixes.map((mix) => (mix.tested ? mix.pValue : undefined)));

  const open = new Map<string, QualityAlertRow>();
  for (const alert of await readOpenQualityAlerts(connection)) open.set(`${alert.metric}\u0000${alert.productId}`, alert);
  const summary: QualityAlertSummary = { window, testedFault: 0, testedMix: 0, opened: 0, updated: 0, resolved: 0 };
  const nowText = settings.now.toISOString();

  for (let index = 0; index < counts.length; index++) {
    const product = counts[index]!;
    const fault = faults[index]!;
    const mix = mixes[index]!;
    const reasons = reasonsByProduct.get(product.productId) ?? [];
    if (fault.tested) summary.testedFault++;
    if (mix.tested) summary.testedMix++;

    for (const metric of [FAULT_METRIC, MIX_METRIC] as const) {
      const existing = open.get(`${metric}\u0000${product.productId}`);
      open.delete(`${metric}\u0000${product.productId}`);
      const q = metric === FAULT_METRIC ? faultQ[index] : mixQ[index];
      const flagged =
        q !== undefined &&
        q <= settings.falseDiscoveryRate &&
        (metric === FAULT_METRIC ? fault.ratio >= settings.minRatio : mix.distance >= settings.minReasonShift);
      const tested = metric === FAULT_METRIC ? fault.tested : mix.tested;
      const stillElevated = existing !== undefined && tested && isStillElevated(existing, product, fault, reasons, settings.followUpLevel);
      const transition = decideAlertTransition({
        open: existing === undefined ? undefined : { status: existing.status === 'new' ? 'new' : 'ongoing', firstDetectedAt: new Date(existing.firstDetectedAt) },
        tested,
        flagged,
        stillElevated,
        now: settings.now,
      });
      if (transition.action === 'none' || transition.action === 'keep') continue;
      const evidence = await collectEvidence(connection, { product, metric, fault, mix, window, now: settings.now });
      if (transition.action === 'open') {
        await insertQualityAlert(connection, {
          productId: product.productId,
          category: product.category,
          sellerId: product.sellerId,
          periodStart: isoWeekMonday(settings.now),
          metric,
          windowStart: window.currentStart,
          windowEnd: window.currentEnd,
          baselineStart: window.baselineStart,
          baselineEnd: window.baselineEnd,
          baselineRate: metric === FAULT_METRIC ? fault.baselineRate : null,
          currentRate: metric === FAULT_METRIC ? fault.currentRate : null,
          currentLow: metric === FAULT_METRIC ? fault.currentLow : null,
          currentHigh: metric === FAULT_METRIC ? fault.currentHigh : null,
          pValue: metric === FAULT_METRIC ? fault.pValue : mix.pValue,
          qValue: q ?? null,
          deliveredUnits: product.currentDelivered,
          currentUnits: metric === FAULT_METRIC ? product.currentFault : mix.currentReturns,
          baselineUnits: product.baselineDelivered,
          baselineEvents: metric === FAULT_METRIC ? product.baselineFault : mix.baselineReturns,
          baselineReasons: JSON.stringify(Object.fromEntries(reasons.filter((reason) => reason.baseline > 0).map((reason) => [reason.reason, reason.baseline]))),
          status: 'new',
          severity: evidence.severity,
          topReasons: evidence.topReasons,
          topCommentWords: evidence.topCommentWords,
          firstDetectedAt: nowText,
          updatedAt: nowText,
        });
        summary.opened++;
      } else {
        const resolved = transition.action === 'resolve';
        await updateQualityAlert(connection, {
          alertId: existing!.alertId,
          status: resolved ? 'resolved' : transition.status,
          windowStart: window.currentStart,
          windowEnd: window.currentEnd,
          currentRate: metric === FAULT_METRIC ? fault.currentRate : null,
          currentLow: metric === FAULT_METRIC ? fault.currentLow : null,
          currentHigh: metric === FAULT_METRIC ? fault.currentHigh : null,
          deliveredUnits: product.currentDelivered,
          currentUnits: metric === FAULT_METRIC ? product.currentFault : mix.currentReturns,
          severity: evidence.severity,
          topReasons: evidence.topReasons,
          topCommentWords: evidence.topCommentWords,
          updatedAt: nowText,
          resolvedAt: resolved ? nowText : null,
        });
        if (resolved) summary.resolved++;
        else summary.updated++;
      }
    }
  }
  // Open alerts of products with no deliveries at all in either window stay as they are (kept).
  return summary;
}

function qValuesOfTested(pValues: ReadonlyArray<number | undefined>): Array<number | undefined> {
  const testedIndex: number[] = [];
  const tested: number[] = [];
  pValues.forEach((p, index) => {
    if (p !== undefined) {
      testedIndex.push(index);
      tested.push(p);
    }
  });
  const q = benjaminiHochberg(tested);
  const result: Array<number | undefined> = pValues.map(() => undefined);
  testedIndex.forEach((index, position) => {
    result[index] = q[position]!;
  });
  return result;
}

/** An open alert is re-tested as one follow-up hypothesis against the baseline frozen at its detection. */
function isStillElevated(alert: QualityAlertRow, product: ProductWindowCounts, fault: FaultChange, reasons: readonly ReasonCount[], level: number): boolean {
  if (alert.metric === FAULT_METRIC) {
    if (alert.baselineUnits < 1 || product.currentDelivered < 1) return false;
    const p = fisherExactGreater({
      current: { successes: product.currentFault, trials: product.currentDelivered },
      baseline: { successes: Math.min(alert.baselineEvents, alert.baselineUnits), trials: alert.baselineUnits },
    });
    return p <= level && fault.currentRate > (alert.baselineRate ?? 0);
  }
  const frozen = JSON.parse(alert.baselineReasons ?? '{}') as Record<string, number>;
  const names = [...new Set([...Object.keys(frozen), ...reasons.map((reason) => reason.reason)])].sort();
  const current = names.map((name) => reasons.find((reason) => reason.reason === name)?.current ?? 0);
  const baseline = names.map((name) => frozen[name] ?? 0);
  if (names.length === 0) return false;
  return chiSquareIndependenceTest([current, baseline]).pValue <= level;
}

async function collectEvidence(
  connection: DuckDBConnection,
  options: { product: ProductWindowCounts; metric: string; fault: FaultChange; mix: ReasonMixShift; window: ReturnType<typeof detectionWindows>; now: Date },
): Promise<{ severity: number; topReasons: string; topCommentWords: string }> {
  const { product, metric, fault, mix } = options;
  const shares = metric === FAULT_METRIC ? [...mix.shares].sort((a, b) => b.units - a.units || a.reason.localeCompare(b.reason)) : mix.shares;
  const topReasons = shares.slice(0, 5).map((share) => ({
    reason: share.reason,
    units: share.units,
    share: round(share.share),
    baselineShare: round(share.baselineShare),
  }));
  const comments = await readProductReturnComments(connection, {
    productId: product.productId,
    start: options.window.currentStart,
    end: options.window.currentEnd,
    now: options.now,
    productFaultOnly: metric === FAULT_METRIC,
  });
  // Severity orders the alert list by impact: for the fault rate, product-fault units above what the
  // baseline predicts this week (a 3× rise on a best-seller outranks 10× on a niche item); for the mix,
  // the returned units whose reason moved (distance × returns).
  const severity = metric === FAULT_METRIC ? Math.max(0, fault.excessUnits) : mix.distance * mix.currentReturns;
  return { severity: round(severity), topReasons: JSON.stringify(topReasons), topCommentWords: JSON.stringify(extractCommentWords(comments)) };
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
