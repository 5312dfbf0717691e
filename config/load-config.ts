import { join } from 'node:path';
import { RetourError } from '../domain/errors/retour-error.ts';
import { CONFIG_VARIABLES, type ConfigVariableName } from './config-variables.ts';

type Variables = typeof CONFIG_VARIABLES;
/** The parsed, frozen configuration: one property per RETOUR_* variable. */
export type Config = {
  readonly [N in ConfigVariableName as Variables[N]['key']]: ReturnType<Variables[N]['parse']>;
};

/**
 * Parses every RETOUR_* variable once. A wrong value stops with RETOUR_CONFIG_INVALID naming the
 * variable, the rule and the value.
 */
export function loadConfig(environment: Readonly<Record<string, string | undefined>>): Config {
  const problems: string[] = [];
  const result: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(CONFIG_VARIABLES)) {
    const raw = environment[name];
    const textValue = raw === undefined ? spec.defaultText : raw;
    try {
      result[spec.key] = spec.parse(textValue);
    } catch (error: unknown) {
      const rule = error instanceof Error ? error.message : String(error);
      problems.push(`${name} must be ${rule}; got ${JSON.stringify(textValue)}`);
    }
  }
  // The database lives in the data folder unless a file is named.
  if (result['database'] === '') result['database'] = join(String(result['dataDir']), 'retour.duckdb');
  if (problems.length === 0) problems.push(...crossVariableProblems(result as Config));
  if (problems.length > 0) {
    throw new RetourError('RETOUR_CONFIG_INVALID', `invalid configuration: ${problems.join('; ')}`, { details: { problems } });
  }
  return Object.freeze(result) as Config;
}

/** Rules that involve two variables; each problem names both. */
function crossVariableProblems(config: Config): string[] {
  const problems: string[] = [];
  if (config.riskHighThreshold < config.riskReviewThreshold) {
    problems.push(
      `RETOUR_RISK_HIGH_THRESHOLD must be at least RETOUR_RISK_REVIEW_THRESHOLD; got ${config.riskHighThreshold} < ${config.riskReviewThreshold}`,
    );
  }
  const protocol = config.kafkaSecurityProtocol;
  const sasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
  if (sasl && config.kafkaSaslUsername === '') {
    problems.push(`RETOUR_KAFKA_SASL_USERNAME must be set with RETOUR_KAFKA_SECURITY_PROTOCOL=${protocol}`);
  }
  if (sasl && config.kafkaSaslPassword === '' && config.kafkaSaslPasswordFile === '') {
    problems.push(`RETOUR_KAFKA_SASL_PASSWORD or RETOUR_KAFKA_SASL_PASSWORD_FILE must be set with RETOUR_KAFKA_SECURITY_PROTOCOL=${protocol}`);
  }
  if (config.kafkaSaslPassword !== '' && config.kafkaSaslPasswordFile !== '') {
    problems.push('set only one of RETOUR_KAFKA_SASL_PASSWORD and RETOUR_KAFKA_SASL_PASSWORD_FILE');
  }
  if (!sasl && (config.kafkaSaslUsername !== '' || config.kafkaSaslPassword !== '' || config.kafkaSaslPasswordFile !== '')) {
    // Credentials that would silently not be used are almost always a forgotten protocol.
    problems.push(`RETOUR_KAFKA_SASL_* are set but RETOUR_KAFKA_SECURITY_PROTOCOL=${protocol} does not use SASL; use SASL_SSL or SASL_PLAINTEXT`);
  }
  const tls = protocol === 'SSL' || protocol === 'SASL_SSL';
  if (!tls && config.kafkaSslCaFile !== '') {
    problems.push(`RETOUR_KAFKA_SSL_CA_FILE is set but RETOUR_KAFKA_SECURITY_PROTOCOL=${protocol} does not use TLS; use SSL or SASL_SSL`);
  }
  return problems;
}

/** Config with some values replaced, for tests and embedded use (still validated). */
export function configWith(overrides: Partial<Record<ConfigVariableName, string>>, base: Readonly<Record<string, string | undefined>> = {}): Config {
  return loadConfig({ ...base, ...overrides });
}

/** RETOUR_* names that are not settings (likely typos); the CLI warns about them. */
export function unknownRetourVariables(environment: Readonly<Record<string, string | undefined>>): string[] {
  // Tool variables read by scripts, not by the application.
  const toolVariables = new Set(['RETOUR_KAFKA_HOME', 'RETOUR_KAFKA_PORT', 'RETOUR_KAFKA_CONTROLLER_PORT', 'RETOUR_KAFKA_SASL_SSL_PORT', 'RETOUR_TEST_KAFKA_SASL_SSL']);
  return Object.keys(environment).filter((name) => name.startsWith('RETOUR_') && !(name in CONFIG_VARIABLES) && !toolVariables.has(name));
}
