/** What the quality SQL needs to know about a run; built by jobs/quality from the configuration. */
export interface QualityRunSettings {
  /** The run's "now": facts dated after it (deliveries, return requests, inspections) are not counted yet. */
  now: Date;
  /** N of the `*_within_n_*` columns. */
  withinDays: number;
  /** Detection horizon of the alerts (returns within this many days of delivery). */
  detectionDays: number;
  /** Return window of categories without their own. */
  defaultWindowDays: number;
  /** Per-category return windows. */
  windowByCategory: Readonly<Record<string, number>>;
  /** Reason codes counted as product faults (from the vocabulary). */
  productFaultReasons: readonly string[];
}

/**
 * The settings that change what the cohort tables contain (a change forces a full rebuild). Stored in
 * quality_state.settings; the view quality_daily reads `withinDays` from it (migration 008).
 */
export function cohortSettingsKey(settings: QualityRunSettings): string {
  return JSON.stringify({
    withinDays: settings.withinDays,
    detectionDays: settings.detectionDays,
    defaultWindowDays: settings.defaultWindowDays,
    windowByCategory: Object.entries(settings.windowByCategory).sort(([a], [b]) => a.localeCompare(b)),
    productFaultReasons: [...settings.productFaultReasons].sort(),
  });
}

/** A SQL string literal for a constant from the closed vocabulary (quotes doubled). */
export function sqlLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
