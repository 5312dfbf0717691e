/**
 * The one catalogue of Retour's coded errors. Each code has an HTTP status (for the API), whether a
 * retry can help, and a one-line meaning. docs/errors.md lists the same codes; a test keeps them equal.
 */
export const ERROR_CATALOGUE = {
  RETOUR_CONFIG_INVALID: { status: 500, retryable: false, meaning: 'An environment variable has a value that breaks its rule.' },
  RETOUR_NOT_AVAILABLE: { status: 501, retryable: false, meaning: 'The command or feature is not available in this version.' },
  RETOUR_USAGE: { status: 400, retryable: false, meaning: 'A command was called with missing or invalid arguments.' },
  RETOUR_EVENT_NOT_JSON: { status: 400, retryable: false, meaning: 'A message is not valid UTF-8 JSON.' },
  RETOUR_EVENT_OVERSIZE: { status: 413, retryable: false, meaning: 'A message is larger than RETOUR_MAX_EVENT_BYTES.' },
  RETOUR_EVENT_ENVELOPE_INVALID: { status: 400, retryable: false, meaning: 'The CloudEvents envelope breaks the contract (specversion, id, source, type, time, data, extension attribute names and values).' },
  RETOUR_EVENT_UNKNOWN_TYPE: { status: 400, retryable: false, meaning: 'The event type is not in the v1 contract.' },
  RETOUR_EVENT_SCHEMA_INVALID: { status: 400, retryable: false, meaning: "The event's data breaks its type's schema (a missing or unknown field, a type, a range, a vocabulary, a currency that is not ISO 4217)." },
  RETOUR_EVENT_IMPOSSIBLE_VALUE: { status: 400, retryable: false, meaning: 'A value is impossible within the event itself (e.g. duplicate line ids, a timestamp before 1990 or from 2100 on).' },
  RETOUR_EVENT_REFERENCE_INVALID: { status: 400, retryable: false, meaning: 'The event contradicts a stored fact it refers to (e.g. a refund above what the order cost).' },
  RETOUR_EVENT_ID_CONFLICT: { status: 409, retryable: false, meaning: 'An event id was seen before with different content.' },
  RETOUR_EVENT_ENTITY_CONFLICT: { status: 409, retryable: false, meaning: 'An order, return, refund, claim or decision id was already created by another event with different data.' },
  RETOUR_DB_IN_USE: { status: 503, retryable: true, meaning: 'Another process holds the DuckDB file open for writing.' },
  RETOUR_DB_TOO_NEW: { status: 500, retryable: false, meaning: 'The database was written by a newer Retour; this version refuses to touch it.' },
  RETOUR_DB_FAILED: { status: 500, retryable: false, meaning: 'A database statement failed.' },
  RETOUR_KAFKA_UNAVAILABLE: { status: 503, retryable: true, meaning: 'The Kafka cluster could not be reached or refused the request.' },
  RETOUR_KAFKA_AUTH_FAILED: { status: 503, retryable: false, meaning: 'The Kafka cluster refused the SASL credentials (RETOUR_KAFKA_SASL_*); retrying will not help.' },
  RETOUR_CONSUMER_CRASHED: { status: 500, retryable: false, meaning: 'The Kafka consumer stopped on an error it cannot recover from.' },
  RETOUR_JOB_FAILED: { status: 500, retryable: true, meaning: 'A batch job failed; it is recorded in job_runs and retried.' },
  RETOUR_JOB_CANCELLED: { status: 503, retryable: true, meaning: 'A batch job was stopped by a shutdown before it finished; nothing of it was kept and it runs again at the next start.' },
  RETOUR_JOB_RUNNING: { status: 409, retryable: true, meaning: 'The job is already running; a job never runs twice at once.' },
  RETOUR_MODEL_UNAVAILABLE: { status: 503, retryable: true, meaning: 'No fraud model or score is available yet; the answer is explicitly unscored.' },
  RETOUR_MODEL_NOT_ENOUGH_DATA: { status: 503, retryable: true, meaning: 'Too little history or too few labels for the time split of a model training; nothing was trained (retour serve records the scheduled run as skipped).' },
  RETOUR_BAD_REQUEST: { status: 400, retryable: false, meaning: 'The request breaks the API schema; the problem names the field.' },
  RETOUR_UNAUTHORIZED: { status: 401, retryable: false, meaning: 'No valid API key was sent (Authorization: Bearer KEY).' },
  RETOUR_FORBIDDEN: { status: 403, retryable: false, meaning: "The key's role may not use this route." },
  RETOUR_NOT_FOUND: { status: 404, retryable: false, meaning: 'The resource does not exist.' },
  RETOUR_CONFLICT: { status: 409, retryable: false, meaning: 'The request conflicts with the current state (e.g. a flag already decided).' },
  RETOUR_RATE_LIMITED: { status: 429, retryable: true, meaning: 'Too many requests for this key; retry after the indicated delay.' },
  RETOUR_INTERNAL: { status: 500, retryable: true, meaning: 'An unexpected server error; details are in the logs under the request id.' },
} as const satisfies Record<string, { status: number; retryable: boolean; meaning: string }>;

export type RetourErrorCode = keyof typeof ERROR_CATALOGUE;

/** The codes a message can be quarantined with: the RETOUR_EVENT_* family. */
export const QUARANTINE_ERROR_CODES: readonly RetourErrorCode[] = (Object.keys(ERROR_CATALOGUE) as RetourErrorCode[]).filter((code) => code.startsWith('RETOUR_EVENT_'));
