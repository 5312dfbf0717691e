import type { DuckDBConnection } from '@duckdb/node-api';

/** One product's cohort of one delivery day: delivered units and product-fault units returned within the detection horizon. */
export interface ProductDayCounts {
  productId: string;
  /** 'YYYY-MM-DD' (UTC delivery day). */
  day: string;
  delivered: number;
  /** Requested by the run's time and within the detection horizon of delivery (so partial for young cohorts). */
  faults: number;
}

/**
 * Per product and delivery day in [start, end), summed over the product's categories and sellers,
 * from quality_cohort_base (the cohort tables are read, never written, here). Days with no
 * delivery have no row.
 */
export async function readProductDayCounts(connection: DuckDBConnection, range: { start: string; end: string }): Promise<ProductDayCounts[]> {
  const reader = await connection.runAndReadAll(
    `SELECT product_id, day::VARCHAR, sum(delivered_units), sum(product_fault_within_detection_units)
     FROM quality_cohort_base
     WHERE day >= $start::DATE AND day < $end::DATE
     GROUP BY product_id, day ORDER BY product_id, day`,
    { start: range.start, end: range.end },
  );
  return reader.getRows().map((row) => ({ productId: String(row[0]), day: String(row[1]), delivered: Number(row[2]), faults: Number(row[3]) }));
}
