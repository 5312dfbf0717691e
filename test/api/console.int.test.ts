/**
 * The review console in real headless Chromium (Debian's package, driven by playwright-core) against
 * a real `retour serve` on a DuckDB file filled by the real pipeline: simulate → import → jobs.
 * Open the queue, open a flag, record a verdict, see the flag leave the queue, correct the verdict and
 * see both decisions; screenshots are kept in test-artifacts/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runRetour, startRetourServe } from '../support/retour-cli.ts';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');

describe('review console', () => {
  const directory = mkdtempSync(join(tmpdir(), 'retour-console-'));
  // No scheduled jobs: they would re-score as of today and expire the flags of this 2025 data set.
  // No Kafka either: this test is about the console, not ingest.
  const env = { RETOUR_DATABASE: join(directory, 'retour.duckdb'), RETOUR_DATA_DIR: directory, RETOUR_JOB_INTERVAL_SECONDS: '', RETOUR_KAFKA_BROKERS: '' };
  let server: Awaited<ReturnType<typeof startRetourServe>>;
  let browser: Browser;
  let riskKey: string;
  let productKey: string;

  beforeAll(async () => {
    const events = join(directory, 'events.ndjson');
    runRetour(['simulate', '--seed', '11', '--days', '150', '--customers', '2000', '--start', '2025-01-01', '--out', events], env);
    runRetour(['import', events], env);
    runRetour(['jobs', 'run', 'all', '--now', '2025-05-31T00:00:00Z'], env);
    riskKey = runRetour(['keys', 'create', '--role', 'risk', '--name', 'analyst-anna'], env).stdout.trim().split('\n').at(-1)!;
    productKey = runRetour(['keys', 'create', '--role', 'product'], env).stdout.trim().split('\n').at(-1)!;
    server = await startRetourServe([], env);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    if (server !== undefined) expect(await server.stop()).toBe(0);
    rmSync(directory, { recursive: true, force: true });
  });

  it('lets an analyst open a flag, see why, record a verdict, the flag leaves the queue, and correct the verdict', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${server.url}/console`);
    await page.getByTestId('api-key').fill(riskKey);
    await page.getByTestId('save-key').click();
    const rows = page.getByTestId('flag-row');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBeGreaterThan(0);
    // One view at a time: `main { display: grid }` must not override the hidden attribute.
    expect(await page.locator('#view-flags').isVisible()).toBe(true);
    expect(await page.locator('#view-products').isVisible()).toBe(false);
    const queueSize = await rows.count();
    const first = rows.first();
    const flagId = await first.getAttribute('data-flag');
    await first.click();
    await page.getByTestId('reasons').waitFor();
    expect(await page.getByTestId('reasons').locator('li').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('timeline').locator('tbody tr').count()).toBeGreaterThan(0);
    // Each fact's details read as a sentence, not as raw JSON: an order's lines and value in its currency.
    const details = await page.getByTestId('timeline-details').allTextContents();
    expect(details.filter((text) => text.includes('{"') || text.includes('[{'))).toEqual([]);
    const orderRow = page.getByTestId('timeline').locator('tbody tr', { hasText: 'order.placed' }).first();
    expect(await orderRow.getByTestId('timeline-details').textContent()).toMatch(/^\d+ lines? · [€£][\d,]+\.\d\d/);
    // The facts behind the reasons: clicking one highlights its timeline row.
    const facts = page.locator('[data-testid="reason-evidence"]');
    expect(await facts.count()).toBeGreaterThan(0);
    const ownFact = facts.filter({ hasNotText: '(' }).first();
    const factKey = await ownFact.getAttribute('data-fact');
    await ownFact.click();
    expect(await page.locator('[data-testid="timeline"] tr.highlight').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="timeline"] tr.highlight').first().getAttribute('data-fact')).toBe(factKey);
    await page.screenshot({ path: join(ARTIFACTS, 'console-flag-evidence.png'), fullPage: true });

    await page.getByRole('button', { name: 'Fraud', exact: true }).click();
    await page.locator('#decision-note').fill('confirmed in the browser test');
    const decisionResponse = page.waitForResponse((response) => response.url().endsWith('/decision'));
    await page.getByTestId('submit-decision').click();
    const decided = await decisionResponse;
    expect(decided.status(), await decided.text()).toBe(200);
    await expect.poll(() => page.locator('#message').textContent(), { timeout: 15_000 }).toMatch(/Recorded fraud/);
    await expect.poll(() => page.locator(`tr[data-flag="${flagId}"]`).count(), { timeout: 15_000 }).toBe(0);
    expect(await rows.count()).toBeLessThanOrEqual(Math.min(queueSize, 25));

    // The API agrees: the flag is confirmed and attributed to the key's name.
    const response = await fetch(`${server.url}/v1/flags/${flagId}`, { headers: { authorization: `Bearer ${riskKey}` } });
    const evidence = (await response.json()) as { flag: { status: string }; decisions: { decisionId: string }[] };
    expect(evidence.flag.status).toBe('confirmed');

    // The verdict was wrong: the confirmed flag, its history, and "Correct verdict" with a required note.
    await page.locator('#filter-status').selectOption('confirmed');
    await expect.poll(() => page.locator(`tr[data-flag="${flagId}"]`).count(), { timeout: 15_000 }).toBe(1);
    await page.locator(`tr[data-flag="${flagId}"]`).click();
    await page.getByTestId('decision-history').waitFor();
    expect(await page.getByTestId('decision-row').count()).toBe(1);
    await page.getByRole('button', { name: 'Legitimate', exact: true }).click();
    await page.getByTestId('submit-correction').click();
    await expect.poll(() => page.getByTestId('message').textContent(), { timeout: 10_000 }).toMatch(/note is required/);
    await page.locator('#decision-note').fill('the parcel scale was broken that week');
    const correctionResponse = page.waitForResponse((response) => response.url().endsWith('/decision'));
    await page.getByTestId('submit-correction').click();
    const corrected = await correctionResponse;
    expect(corrected.status(), await corrected.text()).toBe(200);
    expect(corrected.request().postDataJSON()).toMatchObject({ verdict: 'legitimate', supersedes: evidence.decisions[0]!.decisionId });
    await expect.poll(() => page.locator('#message').textContent(), { timeout: 15_000 }).toMatch(/Corrected to legitimate/);
    await expect.poll(() => page.getByTestId('decision-row').count(), { timeout: 15_000 }).toBe(2);
    expect(await page.locator('[data-testid="decision-row"][data-current="true"]').textContent()).toMatch(/legitimate.*analyst-anna.*the parcel scale was broken/);
    // The corrected flag has left the confirmed queue.
    await expect.poll(() => page.locator(`tr[data-flag="${flagId}"]`).count(), { timeout: 15_000 }).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'console-corrected-verdict.png'), fullPage: true });
    const afterCorrection = (await (await fetch(`${server.url}/v1/flags/${flagId}`, { headers: { authorization: `Bearer ${riskKey}` } })).json()) as { flag: { status: string }; decisions: { verdict: string; current: boolean }[] };
    expect(afterCorrection.flag.status).toBe('dismissed');
    expect(afterCorrection.decisions.map((decision) => [decision.verdict, decision.current])).toEqual([['legitimate', true], ['fraud', false]]);

    // Another key: the previous key's queue and evidence leave the screen, even when the new key is refused.
    await page.getByTestId('api-key').fill(productKey);
    await page.getByTestId('save-key').click();
    await expect.poll(() => page.getByTestId('message').textContent(), { timeout: 10_000 }).toMatch(/Flags: /);
    expect(await rows.count()).toBe(0);
    expect(await page.getByTestId('reasons').count()).toBe(0);
    await page.close();
  });

  it("opens a linked account's flag from a ring member's evidence", async () => {
    const headers = { authorization: `Bearer ${riskKey}` };
    const queue = (await (await fetch(`${server.url}/v1/flags?limit=200`, { headers })).json()) as { flags: { flagId: string; customerId: string }[] };
    let ringFlag: { customerId: string; linked: { customerId: string; openFlagId: string } } | undefined;
    for (const flag of queue.flags) {
      const evidence = (await (await fetch(`${server.url}/v1/flags/${flag.flagId}`, { headers })).json()) as { linkedAccounts: { customerId: string; openFlagId: string | null }[] };
      const linked = evidence.linkedAccounts.find((account) => account.openFlagId !== null);
      if (linked !== undefined) {
        ringFlag = { customerId: flag.customerId, linked: { customerId: linked.customerId, openFlagId: linked.openFlagId! } };
        break;
      }
    }
    // The simulation has fraud rings whose members are flagged together.
    expect(ringFlag).toBeDefined();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${server.url}/console`);
    await page.getByTestId('api-key').fill(riskKey);
    await page.getByTestId('save-key').click();
    await page.locator('#filter-customer').fill(ringFlag!.customerId);
    await page.locator('#filter-customer').dispatchEvent('change');
    await expect.poll(() => page.getByTestId('flag-row').count(), { timeout: 15_000 }).toBe(1);
    await page.getByTestId('flag-row').first().click();
    const linkedRow = page.getByTestId('linked-account').filter({ hasText: ringFlag!.linked.customerId });
    await linkedRow.getByTestId('open-linked-flag').click();
    await expect.poll(() => page.locator('#flag-detail h2').textContent(), { timeout: 15_000 }).toContain(ringFlag!.linked.customerId);
    expect(await page.locator('#flag-detail').textContent()).toContain(ringFlag!.linked.openFlagId);
    await page.close();
  });

  it('shows a product team the weekly defect rate with its interval', async () => {
    const report = (await (await fetch(`${server.url}/v1/quality/report?limit=20`, { headers: { authorization: `Bearer ${productKey}` } })).json()) as {
      products: { scopeId: string }[];
    };
    expect(report.products.length).toBeGreaterThan(0);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${server.url}/console`);
    await page.getByTestId('api-key').fill(productKey);
    await page.getByTestId('save-key').click();
    await page.getByTestId('tab-products').click();
    expect(await page.locator('#view-products').isVisible()).toBe(true);
    expect(await page.locator('#view-flags').isVisible()).toBe(false);
    // The weekly report lists the latest week's products as the API ranks them; a row opens the product.
    const reportRows = page.getByTestId('report-row');
    await expect.poll(() => reportRows.count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await reportRows.first().getAttribute('data-product')).toBe(report.products[0]!.scopeId);
    expect(await page.getByTestId('report-week').textContent()).toMatch(/^delivery week of \d{4}-\d{2}-\d{2}$/);
    await reportRows.first().click();
    await page.getByTestId('defect-chart').waitFor({ timeout: 15_000 });
    expect(await page.locator('#product-id').inputValue()).toBe(report.products[0]!.scopeId);
    // The week before: another week's report.
    const week = await page.getByTestId('report-week').textContent();
    await page.getByRole('button', { name: 'Previous week' }).click();
    await expect.poll(() => page.getByTestId('report-week').textContent(), { timeout: 10_000 }).not.toBe(week);
    expect(await page.getByTestId('defect-chart').locator('circle').count()).toBeGreaterThan(3);
    await page.screenshot({ path: join(ARTIFACTS, 'console-product-quality.png'), fullPage: true });
    // An unknown product: the error, and no chart of the previous product under it.
    await page.locator('#product-id').fill('prd_nobody');
    await page.locator('#show-product').click();
    await expect.poll(() => page.getByTestId('message').textContent(), { timeout: 10_000 }).toMatch(/Product: /);
    expect(await page.getByTestId('defect-chart').count()).toBe(0);
    expect(await page.locator('#product-facts').textContent()).toBe('');
    // Product keys never see customer-level data: the queue is refused.
    await page.getByTestId('tab-flags').click();
    await expect.poll(() => page.getByTestId('message').textContent(), { timeout: 10_000 }).toMatch(/Flags: /);
    expect(await page.locator('#view-products').isVisible()).toBe(false);
    await page.close();
  });
});
