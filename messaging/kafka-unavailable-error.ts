import { RetourError } from '../domain/errors/retour-error.ts';
import { kafkaSecurityHint } from './kafka-security.ts';

/**
 * Wraps a kafkajs failure as RETOUR_KAFKA_UNAVAILABLE, naming what was attempted and the brokers,
 * with the kafkajs error kept as `cause`.
 *
 * @example
 * throw kafkaUnavailableError('connect the producer', ['127.0.0.1:19092'], error);
 */
export function kafkaUnavailableError(action: string, brokers: readonly string[], cause: unknown): RetourError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const hint = kafkaSecurityHint(cause);
  return new RetourError('RETOUR_KAFKA_UNAVAILABLE', `Kafka at ${brokers.join(',')} failed to ${action}: ${reason}${hint === undefined ? '' : ` (${hint})`}`, {
    cause,
    details: { brokers: [...brokers], action },
  });
}
