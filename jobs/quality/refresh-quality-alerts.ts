import type { DuckDBConnection } from '@duckdb/node-api';
import { decideAlertTransition } from '../../models/quality/decide-alert-transition.ts';
import { detectionWindows, isoWeekMonday } from '../../models/quality/detection-windows.ts';
import { evaluateFaultScan, type FaultScan, type FaultScanDay } from '../../models/quality/evaluate-fault-scan.ts';
import { evaluateReasonMixShift, type ReasonCount, type ReasonMixShift } from '../../models/quality/evaluate-reason-mix-shift.ts';
import { extractCommentWords } from '../../models/quality/extract-comment-words.ts';
import { faultScanDays, type FaultScanDays } from '../../models/quality/fault-scan-days.ts';
import { reportedShare } from '../../models/quality/reported-share.ts';
import { benjaminiHochberg } from '../../models/stats/benjamini-hochberg.ts';
import { chiSquareIndependenceTest } from '../../models/stats/chi-square-independence-test.ts';
import {
  insertQualityAlert,
  readOpenQualityAlerts,
  readProductsWithFaultEpisode,
  updateQualityAlert,
  type QualityAlertRow,
} from '../../store/quality/quality-alerts-store.ts';
import { readFaultRequestHours } from '../../store/quality/read-fault-request-hours.ts';
import { readProductDayCounts } from '../../store/quality/read-product-day-counts.ts';
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
  /** Delivered units needed in a tested window and in the baseline. */
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
  /** Fault-rate windows in days, each ending with yesterday's deliveries (Bonferroni across them when several). */
  faultWindowDays: readonly number[];
  /** Days between the fault baseline's end and the run's day (raised to the longest window and detectionDays + 1 when shorter). */
  faultBaselineLagDays: number;
  /** Cohorts expected to show less than this share of their returns yet are left out of the fault windows. */
  minReportedShare: number;
  /** Fault returns of mature cohorts a category needs before its own arrival profile is used (else all categories'). */
  minDelayReturns: number;
  /** Fault returns all categories together need before their profile is used; below, young cohorts cannot be rated. */
  minAllDelayReturns: number;
}

/** How young cohorts were rated in a run (the reported share of their eventual returns). */
export interface YoungCohortProfile {
  /** Product-fault returns of the baseline's complete cohorts, all categories. */
  readonly baselineFaultReturns: number;
  /** Categories with a profile of their own; the others use all categories' (or none). */
  readonly categoriesWithOwnProfile: number;
  /** False when too few returns for any profile: no young day can be rated, so no product is tested on the fault rate. */
  readonly allCategoriesProfile: boolean;
}

export interface QualityAlertSummary {
  /** Reason-mix windows: the newest complete week against the weeks before it. */
  window: ReturnType<typeof detectionWindows>;
  /** Fault-rate scan: the recent days the windows are cut from, and the lagged baseline. */
  faultScan: Omit<FaultScanDays, 'dayStarts'> & { youngCohorts: YoungCohortProfile };
  testedFault: number;
  testedMix: number;
  opened: number;
  updated: number;
  resolved: number;
}

const FAULT_METRIC = 'product_fault_rate';
const MIX_METRIC = 'reason_mix';
const HOUR_MS = 3_600_000;

interface ProductEvaluation {
  productId: string;
  category: string;
  sellerId: string | null;
  /** Reason-mix windows (absent when the product had no delivery there). */
  mixCounts: ProductWindowCounts | undefined;
  /**
   * A fault episode lies in the mix baseline: the trailing test cannot open (or keep) a mix alert,
   * whose "shift" would be the episode ending; an open one is still followed up on its frozen baseline.
   */
  mixBaselineHasEpisode: boolean;
  scanDays: FaultScanDay[];
  faultBaseline: { faults: number; delivered: number };
  fault: FaultScan;
  mix: ReasonMixShift;
  reasons: ReasonCount[];
  /** Returned units per reason in the fault scan's days against its baseline (a fault alert's top reasons). */
  faultReasons: ReasonCount[];
}

/**
 * Product-fault rate: scans every product's recent delivery days (young cohorts included, weighted
 * by the share of their returns that had time to arrive) against a lagged trailing baseline with an
 * exact conditional Poisson test; reason mix: chi-square of the newest complete week against the
 * weeks before. Benjamini–Hochberg across the products tested in this run, per metric; alerts move
 * through new → ongoing → resolved.
 */
export async function refreshQualityAlerts(connection: DuckDBConnection, settings: QualityAlertSettings): Promise<QualityAlertSummary> {
  const window = detectionWindows({ now: settings.now, detectionDays: settings.detectionDays, baselineWeeks: settings.baselineWeeks });
  const scan = faultScanDays({
    now: settings.now,
    windowDays: settings.faultWindowDays,
    baselineLagDays: Math.max(settings.faultBaselineLagDays, settings.detectionDays + 1, ...settings.faultWindowDays),
    baselineWeeks: settings.baselineWeeks,
    detectionDays: settings.detectionDays,
  });
  const { shareOf, profile } = await readReportedShares(connection, settings, scan);
  const evaluations = await evaluateProducts(connection, settings, window, scan, shareOf);
  // Products failing the minimum-units rule are not tested, so they do not dilute the BH correction either.
  const faultQ = qValuesOfTested(evaluations.map((product) => (product.fault.tested ? product.fault.pValue : undefined)));
  // A mix baseline holding a fault episode gets no q-value, so it cannot open or keep a mix alert.
  const mixQ = qValuesOfTested(evaluations.map((product) => (product.mix.tested && !product.mixBaselineHasEpisode ? product.mix.pValue : undefined)));

  const open = new Map<string, QualityAlertRow>();
  for (const alert of await readOpenQualityAlerts(connection)) open.set(`${alert.metric}\u0000${alert.productId}`, alert);
  const { dayStarts: _dayStarts, ...faultScanSummary } = scan;
  const summary: QualityAlertSummary = { window, faultScan: { ...faultScanSummary, youngCohorts: profile }, testedFault: 0, testedMix: 0, opened: 0, updated: 0, resolved: 0 };
  const nowText = settings.now.toISOString();

  for (let index = 0; index < evaluations.length; index++) {
    const product = evaluations[index]!;
    const { fault, mix, reasons } = product;
    if (fault.tested) summary.testedFault++;
    if (mix.tested && !product.mixBaselineHasEpisode) summary.testedMix++;
    const faultWindow = { start: shiftDays(scan.scanEnd, -fault.best.days), end: scan.scanEnd };

    for (const metric of [FAULT_METRIC, MIX_METRIC] as const) {
      const existing = open.get(`${metric}\u0000${product.productId}`);
      const q = metric === FAULT_METRIC ? faultQ[index] : mixQ[index];
      const flagged =
        q !== undefined &&
        q <= settings.falseDiscoveryRate &&
        (metric === FAULT_METRIC ? fault.ratio >= settings.minRatio : mix.distance >= settings.minReasonShift);
      const tested = metric === FAULT_METRIC ? fault.tested : mix.tested;
      const stillElevated = existing !== undefined && tested && isStillElevated(existing, product, settings);
      const transition = decideAlertTransition({
        open: existing === undefined ? undefined : { status: existing.status === 'new' ? 'new' : 'ongoing', firstDetectedAt: new Date(existing.firstDetectedAt) },
        tested,
        flagged,
        stillElevated,
        now: settings.now,
      });
      if (transition.action === 'none' || transition.action === 'keep') continue;
      const windowDays = metric === FAULT_METRIC ? faultWindow : { start: window.currentStart, end: window.currentEnd };
      const evidence = await collectEvidence(connection, {
        product,
        metric,
        windowDays,
        now: settings.now,
        // An open alert shows its frozen baseline rate, so its severity is measured against it too.
        ...(existing?.baselineRate === null || existing?.baselineRate === undefined ? {} : { frozenBaselineRate: existing.baselineRate }),
      });
      const current = metric === FAULT_METRIC
        ? { rate: fault.currentRate, low: fault.currentLow, high: fault.currentHigh, delivered: fault.best.delivered, units: fault.best.faults }
        : { rate: null, low: null, high: null, delivered: product.mixCounts?.currentDelivered ?? 0, units: mix.currentReturns };
      if (transition.action === 'open') {
        await insertQualityAlert(connection, {
          productId: product.productId,
          category: product.category,
          sellerId: product.sellerId,
          periodStart: isoWeekMonday(settings.now),
          metric,
          windowStart: windowDays.start,
          windowEnd: windowDays.end,
          baselineStart: metric === FAULT_METRIC ? scan.baselineStart : window.baselineStart,
          baselineEnd: metric === FAULT_METRIC ? scan.baselineEnd : window.baselineEnd,
          baselineRate: metric === FAULT_METRIC ? fault.baselineRate : null,
          currentRate: current.rate,
          currentLow: current.low,
          currentHigh: current.high,
          pValue: metric === FAULT_METRIC ? fault.pValue : mix.pValue,
          qValue: q ?? null,
          deliveredUnits: current.delivered,
          currentUnits: current.units,
          baselineUnits: metric === FAULT_METRIC ? product.faultBaseline.delivered : (product.mixCounts?.baselineDelivered ?? 0),
          baselineEvents: metric === FAULT_METRIC ? product.faultBaseline.faults : mix.baselineReturns,
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
          windowStart: windowDays.start,
          windowEnd: windowDays.end,
          currentRate: current.rate,
          currentLow: current.low,
          currentHigh: current.high,
          deliveredUnits: current.delivered,
          currentUnits: current.units,
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
  // Open alerts of products with no deliveries in any window stay as they are (kept).
  return summary;
}

/** Reads the counts of both metrics and evaluates every product delivered in any of their windows. */
async function evaluateProducts(
  connection: DuckDBConnection,
  settings: QualityAlertSettings,
  window: ReturnType<typeof detectionWindows>,
  scan: FaultScanDays,
  /** The share of its eventual fault returns a young cohort has shown by now (readReportedShares). */
  shareOf: (category: string, dayStart: Date) => number,
): Promise<ProductEvaluation[]> {
  const mixCounts = await readProductWindowCounts(connection, window);
  const reasonRows = await readProductReasonCounts(connection, window);
  const faultWindows = { currentStart: scan.scanStart, currentEnd: scan.scanEnd, baselineStart: scan.baselineStart, baselineEnd: scan.baselineEnd };
  const faultCounts = await readProductWindowCounts(connection, faultWindows);
  const faultReasonRows = await readProductReasonCounts(connection, faultWindows);
  const dayRows = await readProductDayCounts(connection, { start: scan.scanStart, end: scan.scanEnd });

  const reasonsByProduct = groupReasons(reasonRows);
  const faultReasonsByProduct = groupReasons(faultReasonRows);
  const dayIndex = new Map(scan.dayStarts.map((day, index) => [day.toISOString().slice(0, 10), index]));
  const daysByProduct = new Map<string, Array<{ delivered: number; faults: number }>>();
  for (const row of dayRows) {
    const index = dayIndex.get(row.day);
    if (index === undefined) continue;
    let days = daysByProduct.get(row.productId);
    if (days === undefined) {
      days = scan.dayStarts.map(() => ({ delivered: 0, faults: 0 }));
      daysByProduct.set(row.productId, days);
    }
    days[index] = { delivered: row.delivered, faults: row.faults };
  }
  // A mix baseline that spans a detected fault episode is not normal: once the episode ends, the
  // mix "shifts" back to the usual reasons, which is no alert (a review found one ranked first).
  const episodeInMixBaseline = await readProductsWithFaultEpisode(connection, {
    start: window.baselineStart,
    end: window.baselineEnd,
    now: settings.now.toISOString(),
    windowDays: Math.max(...settings.faultWindowDays),
  });
  const mixByProduct = new Map(mixCounts.map((product) => [product.productId, product]));
  const faultByProduct = new Map(faultCounts.map((product) => [product.productId, product]));
  const productIds = [...new Set([...mixByProduct.keys(), ...faultByProduct.keys()])].sort();

  return productIds.map((productId): ProductEvaluation => {
    const counts = faultByProduct.get(productId);
    const mixOnly = mixByProduct.get(productId);
    const identity = counts ?? mixOnly!;
    const days = daysByProduct.get(productId) ?? scan.dayStarts.map(() => ({ delivered: 0, faults: 0 }));
    const scanDays = days.map((day, index) => ({ ...day, reportedShare: shareOf(identity.category, scan.dayStarts[index]!) }));
    const faultBaseline = { faults: counts?.baselineFault ?? 0, delivered: counts?.baselineDelivered ?? 0 };
    const reasons = reasonsByProduct.get(productId) ?? [];
    return {
      productId,
      category: identity.category,
      sellerId: identity.sellerId,
      mixCounts: mixOnly,
      scanDays,
      faultBaseline,
      fault: evaluateFaultScan({ days: scanDays, baseline: faultBaseline, windowDays: settings.faultWindowDays, minUnits: settings.minUnits, minReportedShare: settings.minReportedShare }),
      mix: evaluateReasonMixShift({ reasons, minReturns: settings.minReturns }),
      mixBaselineHasEpisode: episodeInMixBaseline.has(productId),
      reasons,
      faultReasons: faultReasonsByProduct.get(productId) ?? [],
    };
  });
}

function groupReasons(rows: ReadonlyArray<{ productId: string; reason: string; current: number; baseline: number }>): Map<string, ReasonCount[]> {
  const byProduct = new Map<string, ReasonCount[]>();
  for (const row of rows) {
    const list = byProduct.get(row.productId) ?? [];
    list.push({ reason: row.reason, current: row.current, baseline: row.baseline });
    byProduct.set(row.productId, list);
  }
  return byProduct;
}

/**
 * The share of a complete cohort's product-fault returns a scan day shows by now, from when the
 * baseline's (complete) cohorts' fault returns arrived: the product's category when it has enough of
 * them, all categories otherwise; with too few anywhere young cohorts get share 0 and drop out, which
 * leaves only complete cohorts in the windows.
 */
async function readReportedShares(
  connection: DuckDBConnection,
  settings: QualityAlertSettings,
  scan: FaultScanDays,
): Promise<{ shareOf: (category: string, dayStart: Date) => number; profile: YoungCohortProfile }> {
  const hours = (settings.detectionDays + 1) * 24;
  const rows = await readFaultRequestHours(connection, { start: scan.baselineStart, end: scan.baselineEnd, now: settings.now, detectionDays: settings.detectionDays });
  const all = new Float64Array(hours);
  const byCategory = new Map<string, Float64Array>();
  for (const row of rows) {
    if (row.hour < 0 || row.hour >= hours) continue;
    let counts = byCategory.get(row.category);
    if (counts === undefined) {
      counts = new Float64Array(hours);
      byCategory.set(row.category, counts);
    }
    counts[row.hour]! += row.units;
    all[row.hour]! += row.units;
  }
  const total = (counts: Float64Array): number => counts.reduce((sum, count) => sum + count, 0);
  const profiles = new Map<string, Float64Array | undefined>();
  // All categories together get a lower bar than one category: without any profile no young day can
  // be rated and, with a window shorter than the detection horizon, no product is tested at all.
  const allProfile = total(all) >= settings.minAllDelayReturns ? all : undefined;
  let categoriesWithOwnProfile = 0;
  for (const [category, counts] of byCategory) {
    const own = total(counts) >= settings.minDelayReturns;
    if (own) categoriesWithOwnProfile++;
    profiles.set(category, own ? counts : allProfile);
  }
  const profile: YoungCohortProfile = { baselineFaultReturns: total(all), categoriesWithOwnProfile, allCategoriesProfile: allProfile !== undefined };
  const shareOf = (category: string, dayStart: Date): number => {
    const offsetHours = (settings.now.getTime() - dayStart.getTime()) / HOUR_MS;
    // Every unit of the day has had its whole horizon: the cohort is complete.
    if (offsetHours >= hours) return 1;
    const counts = profiles.has(category) ? profiles.get(category) : allProfile;
    return counts === undefined ? 0 : reportedShare({ hourCounts: counts, offsetHours });
  };
  return { shareOf, profile };
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

/**
 * An open alert is re-tested as one follow-up hypothesis against the baseline frozen at its
 * detection: for the fault rate, on the shortest window with enough units (so a slow seller's alert
 * can resolve too); for the reason mix, the newest week's mix against the frozen one.
 */
function isStillElevated(alert: QualityAlertRow, product: ProductEvaluation, settings: QualityAlertSettings): boolean {
  if (alert.metric === FAULT_METRIC) {
    if (alert.baselineUnits < 1) return false;
    const frozen = evaluateFaultScan({
      days: product.scanDays,
      baseline: { faults: Math.min(alert.baselineEvents, alert.baselineUnits), delivered: alert.baselineUnits },
      windowDays: settings.faultWindowDays,
      minUnits: settings.minUnits,
      minReportedShare: settings.minReportedShare,
    });
    const shortest = frozen.windows.filter((window) => window.tested).sort((a, b) => a.days - b.days)[0];
    if (shortest === undefined || shortest.exposure <= 0) return false;
    return shortest.pValue <= settings.followUpLevel && shortest.faults / shortest.exposure > (alert.baselineRate ?? 0);
  }
  const frozen = JSON.parse(alert.baselineReasons ?? '{}') as Record<string, number>;
  const { reasons } = product;
  const names = [...new Set([...Object.keys(frozen), ...reasons.map((reason) => reason.reason)])].sort();
  const current = names.map((name) => reasons.find((reason) => reason.reason === name)?.current ?? 0);
  const baseline = names.map((name) => frozen[name] ?? 0);
  if (names.length === 0) return false;
  return chiSquareIndependenceTest([current, baseline]).pValue <= settings.followUpLevel;
}

async function collectEvidence(
  connection: DuckDBConnection,
  options: { product: ProductEvaluation; metric: string; windowDays: { start: string; end: string }; now: Date; frozenBaselineRate?: number },
): Promise<{ severity: number; topReasons: string; topCommentWords: string }> {
  const { product, metric } = options;
  const { fault, mix } = product;
  // A fault alert shows the reasons of its own scan days (largest first); a mix alert those that moved most.
  const shares =
    metric === FAULT_METRIC
      ? [...evaluateReasonMixShift({ reasons: product.faultReasons, minReturns: 1 }).shares].sort((a, b) => b.units - a.units || a.reason.localeCompare(b.reason))
      : mix.shares;
  const topReasons = shares.slice(0, 5).map((share) => ({
    reason: share.reason,
    units: share.units,
    share: round(share.share),
    baselineShare: round(share.baselineShare),
  }));
  const comments = await readProductReturnComments(connection, {
    productId: product.productId,
    start: options.windowDays.start,
    end: options.windowDays.end,
    now: options.now,
    productFaultOnly: metric === FAULT_METRIC,
  });
  // Severity orders the alert list by impact: for the fault rate, product-fault units above what the
  // baseline predicts for the window (a 3× rise on a best-seller outranks 10× on a niche item); for the
  // mix, the returned units whose reason moved (distance × returns).
  const excessUnits = options.frozenBaselineRate === undefined ? fault.excessUnits : fault.best.faults - options.frozenBaselineRate * fault.best.exposure;
  const severity = metric === FAULT_METRIC ? Math.max(0, excessUnits) : mix.distance * mix.currentReturns;
  return { severity: round(severity), topReasons: JSON.stringify(topReasons), topCommentWords: JSON.stringify(extractCommentWords(comments)) };
}

function shiftDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
