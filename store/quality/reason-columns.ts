import { RETURN_REASON_CODES, type ReturnReason } from '../../domain/events/vocabulary.ts';

/** The quality tables' column of each reason: `reason_<code>` (window) and `reason_detection_<code>`. */
export interface ReasonColumn {
  reason: ReturnReason;
  window: string;
  detection: string;
}

/**
 * One entry per reason of the v1 vocabulary, in vocabulary order. Migration 003 declares the same
 * columns (test/store/quality/reason-columns.test.ts keeps them equal); a reason added to the
 * vocabulary needs a migration adding its columns.
 */
export const REASON_COLUMNS: readonly ReasonColumn[] = RETURN_REASON_CODES.map((reason) => {
  const name = reason.replaceAll('.', '_');
  return { reason, window: `reason_${name}`, detection: `reason_detection_${name}` };
});
