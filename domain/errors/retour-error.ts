import { ERROR_CATALOGUE, type RetourErrorCode } from './error-catalogue.ts';

export interface RetourErrorOptions {
  /** The error that caused this one; kept for logs, never sent to API clients. */
  cause?: unknown;
  /** Extra machine-readable detail (field path, offending value…). */
  details?: Record<string, unknown>;
}

/** An error with a catalogued code; status and retryability come from the catalogue. */
export class RetourError extends Error {
  readonly code: RetourErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;

  constructor(code: RetourErrorCode, message: string, options: RetourErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RetourError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.retryable = ERROR_CATALOGUE[code].retryable;
    this.details = options.details ?? {};
  }
}

export function isRetourError(error: unknown, code?: RetourErrorCode): error is RetourError {
  return error instanceof RetourError && (code === undefined || error.code === code);
}
