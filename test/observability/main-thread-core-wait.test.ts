import { describe, expect, it } from 'vitest';
import { mainThreadCoreWaitSeconds } from '../../observability/main-thread-core-wait.ts';

describe('mainThreadCoreWaitSeconds', () => {
  // The kernel's per-thread schedstat exists on Linux only; CI runs on Linux.
  it.runIf(process.platform === 'linux')('reads a non-negative, non-decreasing number of seconds from the kernel', async () => {
    const first = mainThreadCoreWaitSeconds();
    expect(first).toBeTypeOf('number');
    expect(first!).toBeGreaterThanOrEqual(0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(mainThreadCoreWaitSeconds()!).toBeGreaterThanOrEqual(first!);
  });
});
