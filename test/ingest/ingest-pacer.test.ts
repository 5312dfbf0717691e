import { describe, expect, it } from 'vitest';
import { createIngestPacer } from '../../ingest/ingest-pacer.ts';

const never = new AbortController().signal;

async function timed(run: () => Promise<void>): Promise<number> {
  const startedAt = performance.now();
  await run();
  return performance.now() - startedAt;
}

describe('createIngestPacer', () => {
  it('takes smaller batches only while the API is busy', () => {
    let busy = false;
    const pacer = createIngestPacer({ busy: () => busy, busyShare: 0.25, busyBatchMessages: 2000 });
    expect(pacer.batchMessages(20_000)).toBe(20_000);
    busy = true;
    expect(pacer.batchMessages(20_000)).toBe(2000);
    expect(pacer.batchMessages(500)).toBe(500);
  });

  it('does not rest while the API is quiet', async () => {
    const pacer = createIngestPacer({ busy: () => false, busyShare: 0.25, busyBatchMessages: 2000 });
    expect(await timed(() => pacer.pause(400, never))).toBeLessThan(30);
  });

  it('rests (1 − share) / share of the last batch while the API is busy', async () => {
    const pacer = createIngestPacer({ busy: () => true, busyShare: 0.5, busyBatchMessages: 2000, checkEveryMs: 5 });
    // share 0.5: a 60 ms batch is followed by a 60 ms rest.
    const rested = await timed(() => pacer.pause(60, never));
    expect(rested).toBeGreaterThanOrEqual(55);
    expect(rested).toBeLessThan(200);
  });

  it('caps a rest at maxPauseMs and never rests with share 1', async () => {
    const capped = createIngestPacer({ busy: () => true, busyShare: 0.01, busyBatchMessages: 10, maxPauseMs: 40, checkEveryMs: 5 });
    expect(await timed(() => capped.pause(1000, never))).toBeLessThan(150);
    const full = createIngestPacer({ busy: () => true, busyShare: 1, busyBatchMessages: 10 });
    expect(await timed(() => full.pause(1000, never))).toBeLessThan(30);
  });

  it('ends a rest early when the API goes quiet or the signal aborts', async () => {
    let busy = true;
    const pacer = createIngestPacer({ busy: () => busy, busyShare: 0.1, busyBatchMessages: 10, checkEveryMs: 5 });
    setTimeout(() => {
      busy = false;
    }, 20);
    expect(await timed(() => pacer.pause(1000, never))).toBeLessThan(200);
    busy = true;
    const stopping = new AbortController();
    setTimeout(() => stopping.abort(), 20);
    expect(await timed(() => pacer.pause(1000, stopping.signal))).toBeLessThan(200);
  });

  it('refuses a share outside (0, 1] and a batch size below 1', () => {
    expect(() => createIngestPacer({ busy: () => true, busyShare: 0, busyBatchMessages: 10 })).toThrow(/busyShare/);
    expect(() => createIngestPacer({ busy: () => true, busyShare: 1.5, busyBatchMessages: 10 })).toThrow(/busyShare/);
    expect(() => createIngestPacer({ busy: () => true, busyShare: 0.5, busyBatchMessages: 0 })).toThrow(/busyBatchMessages/);
  });
});
