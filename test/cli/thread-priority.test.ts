import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { keepMainThreadFirst, type BackgroundThreadPriority } from '../../cli/thread-priority.ts';

const RUN_TS = new URL('../../bin/run-ts.mjs', import.meta.url).pathname;
const FIXTURE = new URL('./fixtures/report-thread-scheduling.ts', import.meta.url).pathname;

interface Scheduling {
  nice: number;
  policy: number;
}

function threadScheduling(priority: BackgroundThreadPriority, env: NodeJS.ProcessEnv = process.env): { main: Scheduling; others: Scheduling[]; lowered: number; errors: string[] } {
  return JSON.parse(execFileSync(process.execPath, [RUN_TS, FIXTURE, priority], { encoding: 'utf8', env })) as { main: Scheduling; others: Scheduling[]; lowered: number; errors: string[] };
}

const SCHED_OTHER = 0;
const SCHED_IDLE = 5;

// Scheduling is per thread only on Linux (the function does nothing elsewhere); CI runs on Linux.
describe.runIf(process.platform === 'linux')('keepMainThreadFirst', () => {
  it('idle: every thread but the main one gets SCHED_IDLE, including threads started later', () => {
    const { main, others, lowered, errors } = threadScheduling('idle');
    expect(errors).toEqual([]);
    expect(main).toEqual({ nice: 0, policy: SCHED_OTHER });
    // Node's own threads (V8 platform, libuv, inspector) and the two workers.
    expect(others.length).toBeGreaterThanOrEqual(4);
    expect(others.map((thread) => thread.policy)).toEqual(others.map(() => SCHED_IDLE));
    expect(lowered).toBe(others.length);
  });

  it('idle without chrt: falls back to nice 19 and says so once', () => {
    // No chrt on this PATH (node itself is started by its full path).
    const { main, others, errors } = threadScheduling('idle', { ...process.env, PATH: '/nonexistent' });
    expect(main).toEqual({ nice: 0, policy: SCHED_OTHER });
    expect(others.length).toBeGreaterThanOrEqual(4);
    expect(others).toEqual(others.map(() => ({ nice: 19, policy: SCHED_OTHER })));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/cannot give background threads SCHED_IDLE with chrt .*; using nice 19 instead/);
  });

  it('nice: every thread but the main one gets nice 10 and keeps its policy', () => {
    const { main, others, lowered } = threadScheduling('nice');
    expect(main).toEqual({ nice: 0, policy: SCHED_OTHER });
    expect(others.length).toBeGreaterThanOrEqual(4);
    expect(others).toEqual(others.map(() => ({ nice: 10, policy: SCHED_OTHER })));
    expect(lowered).toBe(others.length);
  });

  it('normal: leaves every thread alone', () => {
    const { others, lowered } = threadScheduling('normal');
    expect(others).toEqual(others.map(() => ({ nice: 0, policy: SCHED_OTHER })));
    expect(lowered).toBe(0);
  });
});

describe('keepMainThreadFirst options', () => {
  it('refuses an unknown priority', () => {
    expect(() => keepMainThreadFirst({ priority: 'high' as BackgroundThreadPriority })).toThrow(/priority must be one of idle, nice, normal; got high/);
  });
});
