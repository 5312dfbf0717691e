import { RetourError } from '../domain/errors/retour-error.ts';
import { kafkaSecurityHint } from './kafka-security.ts';

/**
 * Wraps a kafkajs failure as RETOUR_KAFKA_UNAVAILABLE, naming what was attempted and the brokers,
 * with the kafkajs error kept as `cause` — or as RETOUR_KAFKA_AUTH_FAILED when the cluster refused
 * the SASL credentials, so an alert can tell a configuration mistake from an outage.
 *
 * @example
 * throw kafkaUnavailableError('connect the producer', ['127.0.0.1:19092'], error);
 */
export function kafkaUnavailableError(action: string, brokers: readonly string[], cause: unknown): RetourError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const hint = kafkaSecurityHint(cause);
  const code = cause instanceof Error && cause.name === 'KafkaJSSASLAuthenticationError' ? 'RETOUR_KAFKA_AUTH_FAILED' : 'RETOUR_KAFKA_UNAVAILABLE';
  return new RetourError(code, `Kafka at ${brokers.join(',')} failed to ${action}: ${reason}${hint === undefined ? '' : ` (${hint})`}`, {
    cause,
    details: { brokers: [...brokers], action },
  });
}
