import type { Job } from './job.ts';
import { opsJob } from './ops/ops-job.ts';
import { qualityJob } from './quality/quality-job.ts';
import { riskJob } from './risk/risk-job.ts';

/** Every batch job, in the order `jobs run all` runs them (quality and ops before risk, which uses them). */
export const JOBS: readonly Job[] = [qualityJob, opsJob, riskJob];

export function findJob(name: string): Job | undefined {
  return JOBS.find((job) => job.name === name);
}
