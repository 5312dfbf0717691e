/**
 * The batch jobs that write `job_runs`: the three `retour jobs run` runs and the model training of
 * `retour serve`. The API validates `GET /v1/jobs?job=` against it (a typo is a 400, not an empty
 * list); test/api/quality-routes.test.ts checks it against jobs/job-registry.ts and the train job.
 */
export const JOB_NAMES = ['quality', 'ops', 'risk', 'train'] as const;

export type JobName = (typeof JOB_NAMES)[number];
