/**
 * `npm start` for a newcomer: `retour serve --demo` on an empty data folder writes demo keys, answers
 * /healthz and /readyz, shows flags and quality alerts, stops cleanly on SIGTERM, and a restart resumes the simulator
 * stream where it stopped without storing anything twice.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runRetour, startRetourServe } from '../../support/retour-cli.ts';

const directory = mkdtempSync(join(tmpdir(), 'retour-demo-'));
// Jobs every 5 s so the test does not wait for the default 30 s interval.
const env = { RETOUR_DATABASE: join(directory, 'retour.duckdb'), RETOUR_DATA_DIR: directory, RETOUR_JOB_INTERVAL_SECONDS: 'quality=5,ops=5,risk=5' };

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

async function getJson(url: string, key?: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, key === undefined ? {} : { headers: { authorization: `Bearer ${key}` } });
  return { status: response.status, body: await response.json() };
}

describe('retour serve --demo', () => {
  it('starts from nothing, shows flags, stops cleanly and resumes without duplicates', async () => {
    const first = await startRetourServe(['--demo'], env);
    const health = await getJson(`${first.url}/healthz`);
    expect(health.status).toBe(200);
    const keys = JSON.parse(readFileSync(join(directory, 'demo-keys.json'), 'utf8')) as Record<string, string>;
    expect(Object.keys(keys).sort()).toEqual(['admin', 'ops', 'product', 'risk', 'service']);

    await expect
      .poll(async () => ((await getJson(`${first.url}/v1/flags?limit=5`, keys['risk'])).body as { flags: unknown[] }).flags.length, {
        timeout: 150_000,
        interval: 2_000,
      })
      .toBeGreaterThan(0);
    // Quality alerts exist for the simulated history (the demo replays the quality job weekly).
    await expect
      .poll(async () => ((await getJson(`${first.url}/v1/alerts?limit=5`, keys['product'])).body as { alerts: unknown[] }).alerts.length, {
        timeout: 120_000,
        interval: 2_000,
      })
      .toBeGreaterThan(0);
    expect((await getJson(`${first.url}/readyz`)).status).toBe(200);
    const succeededJobs = async () => {
      const jobs = (await getJson(`${first.url}/v1/jobs?limit=100`, keys['admin'])).body as { runs: { job: string; status: string }[] };
      return [...new Set(jobs.runs.filter((run) => run.status === 'succeeded').map((run) => run.job))].sort();
    };
    await expect.poll(succeededJobs, { timeout: 60_000, interval: 2_000 }).toEqual(['ops', 'quality', 'risk']);
    expect(await first.stop()).toBe(0);

    const afterFirst = JSON.parse(runRetour(['status', '--json'], env).stdout) as { eventsTotal: number; duplicatesTotal: number; offsets: { topic: string; nextOffset: number }[] };
    expect(afterFirst.eventsTotal).toBeGreaterThan(1000);

    // The restart reuses the keys and continues the same deterministic stream from the stored offset.
    const second = await startRetourServe(['--demo'], env);
    expect(JSON.parse(readFileSync(join(directory, 'demo-keys.json'), 'utf8'))).toEqual(keys);
    expect((await getJson(`${second.url}/healthz`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await second.stop()).toBe(0);
    const afterSecond = JSON.parse(runRetour(['status', '--json'], env).stdout) as typeof afterFirst;
    expect(afterSecond.duplicatesTotal).toBe(0);
    expect(afterSecond.eventsTotal).toBeGreaterThanOrEqual(afterFirst.eventsTotal);
    const demoOffset = (status: typeof afterFirst) => status.offsets.find((offset) => offset.topic === 'demo:simulator')!.nextOffset;
    expect(demoOffset(afterSecond)).toBeGreaterThanOrEqual(demoOffset(afterFirst));
    // The restart went on from the last quality run: no alert was detected a second time.
    const alerts = runRetour(['export', 'quality_alerts', '--format', 'ndjson'], env)
      .stdout.trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { product_id: string; metric: string; period_start: string });
    expect(alerts.length).toBeGreaterThan(0);
    expect(new Set(alerts.map((alert) => `${alert.product_id} ${alert.metric} ${alert.period_start}`)).size).toBe(alerts.length);
  });
});
