/**
 * The whole path through the real CLI on a DuckDB file: `retour simulate` (small, with its truth)
 * → `retour import` → `retour jobs run quality --now …` as of every other day of the first two weeks
 * of each injected defect episode → the episode's product has a product_fault_rate alert within those
 * two weeks, and job_runs recorded the runs.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulationTruth } from '../../../simulator/simulation-truth.ts';
import { openDatabase } from '../../../store/open-database.ts';

const run = promisify(execFile);
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const RETOUR = join(REPO, 'bin/retour.mjs');
const DAY_MS = 86_400_000;

let directory: string;
let database: string;

async function retour(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [RETOUR, ...args], {
    cwd: REPO,
    // a small catalogue sells tens of units a week per product, so the minimum-units rule is lowered
    env: { ...process.env, RETOUR_DATABASE: database, RETOUR_LOG_LEVEL: 'warn', RETOUR_QUALITY_MIN_UNITS: '30' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'retour-quality-'));
  database = join(directory, 'retour.duckdb');
});

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe('retour jobs run quality (simulate → import → job)', () => {
  it('finds an injected defect episode', async () => {
    const events = join(directory, 'events.ndjson');
    const truthFile = join(directory, 'truth.json');
    await retour('simulate', '--seed', '777', '--days', '200', '--customers', '8000', '--products', '40', '--out', events, '--truth', truthFile);
    const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as SimulationTruth;
    expect(truth.defectEpisodes.length).toBeGreaterThan(0);
    const imported = JSON.parse(await retour('import', events, '--json')) as { stored: number };
    expect(imported.stored).toBeGreaterThan(10_000);

    const firstTestable = Date.parse(truth.startDate) + 9 * 7 * DAY_MS;
    // seed 777 at this size places a ×3.5 episode on a best-seller at day 75 (and one at day 59, before a full baseline)
    const episodes = truth.defectEpisodes
      .filter((episode) => Date.parse(episode.startDate) >= firstTestable && Date.parse(episode.startDate) + 21 * DAY_MS <= Date.parse(truth.endDate))
      .sort((a, b) => a.startDate.localeCompare(b.startDate));
    expect(episodes.length).toBeGreaterThan(0);
    const runDays = [2, 4, 6, 8, 10, 12, 14];
    for (const episode of episodes) {
      for (const days of runDays) {
        const now = new Date(Date.parse(episode.startDate) + days * DAY_MS).toISOString();
        const summary = JSON.parse(await retour('jobs', 'run', 'quality', '--now', now, '--json')) as { job: string; rowsWritten: number };
        expect(summary.job).toBe('quality');
      }
    }

    const opened = await openDatabase({ path: database, migrate: false });
    try {
      const connection = await opened.connect();
      const alerts = (await connection.runAndReadAll("SELECT product_id, epoch_ms(first_detected_at) FROM quality_alerts WHERE metric = 'product_fault_rate'")).getRows();
      const found = episodes.filter((episode) =>
        alerts.some(
          ([productId, detectedAt]) =>
            productId === episode.productId && Number(detectedAt) >= Date.parse(episode.startDate) && Number(detectedAt) <= Date.parse(episode.startDate) + 14 * DAY_MS,
        ),
      );
      expect(found.length, JSON.stringify({ episodes, alerts: alerts.map((row) => row.map(String)) })).toBeGreaterThan(0);
      const runs = (await connection.runAndReadAll("SELECT count(*) FROM job_runs WHERE job = 'quality' AND status = 'succeeded'")).getRows();
      expect(Number(runs[0]![0])).toBe(episodes.length * runDays.length);
      const weekly = (await connection.runAndReadAll("SELECT count(*) FROM quality_weekly WHERE scope = 'product' AND delivered_units > 0")).getRows();
      expect(Number(weekly[0]![0])).toBeGreaterThan(100);
    } finally {
      opened.close();
    }
  });
});
