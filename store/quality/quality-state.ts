import type { DuckDBConnection } from '@duckdb/node-api';

/** What the last successful quality run saw (quality_state, one row). */
export interface QualityState {
  /** Max events.ingested_at when that run started, or null when there were no events. */
  ingestedWatermark: Date | null;
  /** That run's "now". */
  asOf: Date;
  /** JSON of the cohort settings it used (a change forces a full rebuild). */
  settings: string;
}

const STATE_KEY = 'quality';

export async function readQualityState(connection: DuckDBConnection): Promise<QualityState | undefined> {
  const reader = await connection.runAndReadAll(
    `SELECT epoch_ms(ingested_watermark), epoch_ms(as_of), settings FROM quality_state WHERE state_key = $key`,
    { key: STATE_KEY },
  );
  const row = reader.getRows()[0];
  if (row === undefined) return undefined;
  return { ingestedWatermark: row[0] === null ? null : new Date(Number(row[0])), asOf: new Date(Number(row[1])), settings: String(row[2]) };
}

/** The newest ingestion time in the event log (the next run's watermark), or null when it is empty. */
export async function readIngestedWatermark(connection: DuckDBConnection): Promise<Date | null> {
  const reader = await connection.runAndReadAll('SELECT epoch_ms(max(ingested_at)) FROM events');
  const value = reader.getRows()[0]?.[0];
  return value === null || value === undefined ? null : new Date(Number(value));
}

export async function writeQualityState(connection: DuckDBConnection, state: QualityState, updatedAt: Date): Promise<void> {
  await connection.run(
    `INSERT OR REPLACE INTO quality_state (state_key, ingested_watermark, as_of, settings, updated_at)
     VALUES ($key, $watermark::TIMESTAMPTZ, $asOf::TIMESTAMPTZ, $settings, $updatedAt::TIMESTAMPTZ)`,
    {
      key: STATE_KEY,
      watermark: state.ingestedWatermark === null ? null : state.ingestedWatermark.toISOString(),
      asOf: state.asOf.toISOString(),
      settings: state.settings,
      updatedAt: updatedAt.toISOString(),
    },
  );
}
