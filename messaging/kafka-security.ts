import type { KafkaConfig, SASLOptions } from 'kafkajs';

export type KafkaSaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

/**
 * How Retour authenticates to and encrypts its connections with the brokers. Plain data (no
 * functions), so it crosses into the ingest worker thread as is.
 */
export interface KafkaSecurity {
  /** TLS to the brokers; `ca` = PEM certificates to trust instead of the system's. */
  readonly tls?: { readonly ca?: string };
  readonly sasl?: { readonly mechanism: KafkaSaslMechanism; readonly username: string; readonly password: string };
}

/** The kafkajs client options for these settings (none for plaintext without SASL). */
export function kafkaJsSecurityOptions(security: KafkaSecurity | undefined): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  if (security === undefined) return {};
  const options: { ssl?: NonNullable<KafkaConfig['ssl']>; sasl?: SASLOptions } = {};
  if (security.tls !== undefined) options.ssl = security.tls.ca === undefined ? true : { ca: [security.tls.ca] };
  if (security.sasl !== undefined) {
    const { mechanism, username, password } = security.sasl;
    // A switch rather than a spread: kafkajs types each mechanism as its own literal.
    switch (mechanism) {
      case 'plain':
        options.sasl = { mechanism, username, password };
        break;
      case 'scram-sha-256':
        options.sasl = { mechanism, username, password };
        break;
      case 'scram-sha-512':
        options.sasl = { mechanism, username, password };
        break;
    }
  }
  return options;
}

/** What to check when a connection fails, for the error message; undefined when nothing specific. */
export function kafkaSecurityHint(cause: unknown): string | undefined {
  const name = cause instanceof Error ? cause.name : '';
  const text = cause instanceof Error ? `${cause.message} ${cause.cause instanceof Error ? cause.cause.message : ''}` : String(cause);
  if (name === 'KafkaJSSASLAuthenticationError' || /SASL/i.test(text)) {
    return 'check RETOUR_KAFKA_SASL_MECHANISM, RETOUR_KAFKA_SASL_USERNAME and the password';
  }
  if (/certificate|self.signed|SSL routines|wrong version number|TLS/i.test(text)) {
    return 'check RETOUR_KAFKA_SECURITY_PROTOCOL (does the listener speak TLS?) and RETOUR_KAFKA_SSL_CA_FILE';
  }
  // What a TLS or SASL listener does to a client that sends it plaintext Kafka requests.
  if (/Closed connection/i.test(text)) {
    return 'the broker closed the connection: if its listener needs TLS or SASL, set RETOUR_KAFKA_SECURITY_PROTOCOL';
  }
  return undefined;
}
