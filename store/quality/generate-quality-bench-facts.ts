import type { DuckDBConnection } from '@duckdb/node-api';

export interface QualityBenchFactsOptions {
  /** Order lines to generate (two per order); about 34% of them get a return line. */
  orderLines: number;
  /** First delivery day; deliveries spread over `days`. */
  startDate: string;
  days: number;
  products: number;
}

/**
 * Fills the fact tables with synthetic orders, deliveries (80% whole-order with line_id NULL, 20%
 * per line), return lines (0–40 days after delivery, all reasons) and inspections, entirely inside
 * DuckDB (hash-based pseudo-randomness, deterministic), for the quality benchmark. Not the
 * simulator: it only needs the right shape and volume, fast.
 */
export async function generateQualityBenchFacts(connection: DuckDBConnection, options: QualityBenchFactsOptions): Promise<{ orderLines: number; returnLines: number }> {
  const parameters = { lines: options.orderLines, start: options.startDate, days: options.days };
  await connection.run(
    `INSERT INTO order_lines
     SELECT 'o' || (i // 2), 'l' || (i % 2), 'c' || ((i // 2) % 500000), 'p' || product, 's' || (product % 700),
            ['apparel', 'shoes', 'electronics', 'home', 'beauty', 'sports', 'toys', 'books_media', 'jewellery'][1 + CAST(product % 9 AS BIGINT)],
            CASE WHEN hash(i, 'q') % 10 = 0 THEN 2 ELSE 1 END, 2500, 'EUR', NULL, NULL,
            $start::TIMESTAMPTZ + to_days(CAST((i // 2) * $days // ($lines // 2) AS INTEGER)) - INTERVAL 2 DAY, 'bench'
     FROM (SELECT i, CAST(floor(pow(hash(i, 'p') % 1000000 / 1000000.0, 2.5) * $products) AS BIGINT) AS product FROM range($lines) t(i))`,
    { ...parameters, products: options.products },
  );
  await connection.run(
    `INSERT INTO deliveries
     SELECT 'o' || o, 'c' || (o % 500000), NULL, $start::TIMESTAMPTZ + to_days(CAST(o * $days // ($lines // 2) AS INTEGER)) + to_seconds(hash(o, 'd') % 86400), 'bench'
     FROM range($lines // 2) t(o) WHERE hash(o, 'w') % 5 <> 0
     UNION ALL
     SELECT 'o' || (i // 2), 'c' || ((i // 2) % 500000), 'l' || (i % 2),
            $start::TIMESTAMPTZ + to_days(CAST((i // 2) * $days // ($lines // 2) AS INTEGER)) + to_seconds(hash(i, 'd') % 86400), 'bench'
     FROM range($lines) t(i) WHERE hash(i // 2, 'w') % 5 = 0`,
    parameters,
  );
  await connection.run(
    `INSERT INTO return_lines
     SELECT 'r' || i, 'o' || (i // 2), 'c' || ((i // 2) % 500000), 'l' || (i % 2), 'p' || i, 1,
            ['fit.too_small', 'fit.too_large', 'preference.style', 'preference.changed_mind', 'preference.better_price', 'preference.ordered_by_mistake',
             'description.not_as_described', 'quality.defective', 'quality.poor_quality', 'quality.missing_parts', 'logistics.arrived_damaged',
             'logistics.wrong_item_sent', 'logistics.arrived_late', 'other'][1 + CAST(hash(i, 'r') % 14 AS BIGINT)],
            NULL,
            $start::TIMESTAMPTZ + to_days(CAST((i // 2) * $days // ($lines // 2) AS INTEGER)) + to_seconds(86400 + hash(i, 't') % (40 * 86400)), 'bench'
     FROM range($lines) t(i) WHERE hash(i, 'x') % 100 < 34`,
    parameters,
  );
  await connection.run(
    `INSERT INTO inspections
     SELECT return_id, line_id, requested_at + INTERVAL 6 DAY, 'B_open_box',
            ['none_found', 'manufacturing', 'carrier', 'customer', 'warehouse'][1 + CAST(hash(return_id) % 5 AS BIGINT)], 'restock', 'bench'
     FROM return_lines WHERE hash(return_id, 'i') % 2 = 0`,
  );
  const reader = await connection.runAndReadAll('SELECT (SELECT count(*) FROM order_lines), (SELECT count(*) FROM return_lines)');
  const [orderLines, returnLines] = reader.getRows()[0]!.map(Number) as [number, number];
  return { orderLines, returnLines };
}
