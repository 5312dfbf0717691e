import { describe, expect, it } from 'vitest';
import { loadConfig, unknownRetourVariables } from '../../config/load-config.ts';
import { CONFIG_VARIABLES, OPS_WAITING_STAGES, SCHEDULED_JOB_NAMES } from '../../config/config-variables.ts';
import { JOBS } from '../../jobs/job-registry.ts';
import { WAITING_STAGES } from '../../models/ops/resolve-stuck-limits.ts';
import { DEFAULT_TRAINING_LABEL_POLICY } from '../../models/risk/decide-training-labels.ts';
import { trainingLabelPolicyOf } from '../../jobs/risk/train-risk-model.ts';

describe('loadConfig', () => {
  it('gives the documented defaults with nothing set (npm start works with an empty environment)', () => {
    const config = loadConfig({});
    expect(config.database).toBe('data/retour.duckdb');
    expect(config.port).toBe(3000);
    expect(config.kafkaBrokers).toEqual([]);
    expect(config.topics).toEqual(['marketplace.orders', 'marketplace.returns', 'retour.decisions']);
    expect(config.groupId).toBe('retour');
    expect(config.topicDeadLetters).toBe('retour.dlq');
    expect(config.returnWindowDays).toBe(30);
    expect(config.refundSlaDays).toBe(14);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('puts the database in RETOUR_DATA_DIR unless RETOUR_DATABASE names a file', () => {
    expect(loadConfig({ RETOUR_DATA_DIR: '/srv/retour' }).database).toBe('/srv/retour/retour.duckdb');
    expect(loadConfig({ RETOUR_DATA_DIR: '/srv/retour', RETOUR_DATABASE: '/mnt/fast/r.duckdb' }).database).toBe('/mnt/fast/r.duckdb');
  });

  it('refuses a stage or job name the settings do not know (a typo would silently keep the default)', () => {
    expect(() => loadConfig({ RETOUR_OPS_STUCK_DAYS: 'foo=3' })).toThrow(/RETOUR_OPS_STUCK_DAYS must be comma-separated name \(one of awaiting_receipt, awaiting_inspection, awaiting_refund, awaiting_close\)=integer pairs.*got "foo=3"/);
    expect(() => loadConfig({ RETOUR_JOB_INTERVAL_SECONDS: 'qualty=60' })).toThrow(/RETOUR_JOB_INTERVAL_SECONDS must be comma-separated name \(one of quality, risk, ops\)/);
    expect(loadConfig({ RETOUR_OPS_STUCK_DAYS: 'awaiting_refund=10' }).opsStuckDays).toEqual({ awaiting_refund: 10 });
  });

  it('names the same stages and jobs as the code that uses them', () => {
    expect(OPS_WAITING_STAGES).toEqual(WAITING_STAGES);
    expect([...SCHEDULED_JOB_NAMES].sort()).toEqual(JOBS.map((job) => job.name).sort());
  });

  it('parses lists and maps', () => {
    const config = loadConfig({
      RETOUR_KAFKA_BROKERS: 'a:9092, b:9093',
      RETOUR_RETURN_WINDOW_BY_CATEGORY: 'electronics=14,apparel=60',
    });
    expect(config.kafkaBrokers).toEqual(['a:9092', 'b:9093']);
    expect(config.returnWindowByCategory).toEqual({ electronics: 14, apparel: 60 });
  });

  it('takes per-currency high-value thresholds by ISO 4217 code only (a misspelt "yen=…" would silently keep the default)', () => {
    expect(loadConfig({ RETOUR_RISK_HIGH_VALUE_BY_CURRENCY: 'JPY=30000, KWD=60000' }).riskHighValueByCurrency).toEqual({ JPY: 30_000, KWD: 60_000 });
    expect(loadConfig({}).riskHighValue).toBe(20_000);
    expect(() => loadConfig({ RETOUR_RISK_HIGH_VALUE_BY_CURRENCY: 'yen=30000' })).toThrow(/RETOUR_RISK_HIGH_VALUE_BY_CURRENCY must be comma-separated name \(an ISO 4217 code such as JPY, one the events may carry \(docs\/events.md § Currencies\)\)=integer pairs.*got "yen=30000"/);
    // Well-formed but no currency an event may carry (a typo, ISO's testing code): its threshold could never apply.
    for (const value of ['JYP=30000', 'XTS=1', 'JPY=30000,XAU=1']) expect(() => loadConfig({ RETOUR_RISK_HIGH_VALUE_BY_CURRENCY: value }), value).toThrow(/RETOUR_RISK_HIGH_VALUE_BY_CURRENCY must be/);
  });

  it.each([
    ['RETOUR_PORT', 'abc', /RETOUR_PORT must be an integer from 0 to 65535; got "abc"/],
    ['RETOUR_PORT', '70000', /RETOUR_PORT must be an integer from 0 to 65535; got "70000"/],
    ['RETOUR_KAFKA_BROKERS', 'localhost', /RETOUR_KAFKA_BROKERS must be a comma-separated list of host:port/],
    ['RETOUR_LOG_LEVEL', 'loud', /RETOUR_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got "loud"/],
    ['RETOUR_TOPICS', '', /RETOUR_TOPICS must be a comma-separated list of Kafka topic names; got ""/],
    ['RETOUR_RETURN_WINDOW_BY_CATEGORY', 'apparel=0', /RETOUR_RETURN_WINDOW_BY_CATEGORY must be comma-separated name=integer pairs/],
  ])('stops on %s=%j naming the variable, the rule and the value', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('reads RETOUR_TRAIN_EVERY as seconds, off as null, daily by default', () => {
    expect(loadConfig({}).trainEverySeconds).toBe(86_400);
    expect(loadConfig({ RETOUR_TRAIN_EVERY: '12h' }).trainEverySeconds).toBe(43_200);
    expect(loadConfig({ RETOUR_TRAIN_EVERY: '7d' }).trainEverySeconds).toBe(604_800);
    expect(loadConfig({ RETOUR_TRAIN_EVERY: '2w' }).trainEverySeconds).toBe(1_209_600);
    expect(loadConfig({ RETOUR_TRAIN_EVERY: ' OFF ' }).trainEverySeconds).toBeNull();
    for (const value of ['30s', '1.5d', 'daily', '', '400d']) {
      expect(() => loadConfig({ RETOUR_TRAIN_EVERY: value })).toThrow(`RETOUR_TRAIN_EVERY must be off, or a whole number of s, m, h, d or w (e.g. 12h, 1d, 7d) from 1m to 366d; got ${JSON.stringify(value)}`);
    }
  });

  it('reads the label minimums of training, defaulting to the models layer\'s policy', () => {
    expect(trainingLabelPolicyOf(loadConfig({}))).toEqual(DEFAULT_TRAINING_LABEL_POLICY);
    expect(trainingLabelPolicyOf(loadConfig({ RETOUR_TRAIN_MIN_TRAINING_POSITIVES: '5', RETOUR_TRAIN_MIN_VALIDATION_POSITIVES: '8' }))).toEqual({ minTrainingPositives: 5, minValidationPositives: 8 });
    expect(() => loadConfig({ RETOUR_TRAIN_MIN_VALIDATION_POSITIVES: '0' })).toThrow('RETOUR_TRAIN_MIN_VALIDATION_POSITIVES must be an integer from 1 to 1000000; got "0"');
  });

  it('reports every wrong variable at once', () => {
    expect(() => loadConfig({ RETOUR_PORT: 'x', RETOUR_REFUND_SLA_DAYS: '0' })).toThrow(/RETOUR_PORT.*; RETOUR_REFUND_SLA_DAYS/);
  });

  it('every default satisfies its own rule', () => {
    for (const [name, spec] of Object.entries(CONFIG_VARIABLES)) {
      if (spec.defaultText === '') continue;
      expect(() => spec.parse(spec.defaultText), name).not.toThrow();
    }
  });

  it.each([
    [{ RETOUR_RISK_REVIEW_THRESHOLD: '0.9' }, /RETOUR_RISK_HIGH_THRESHOLD must be at least RETOUR_RISK_REVIEW_THRESHOLD; got 0.8 < 0.9/],
    [{ RETOUR_KAFKA_SECURITY_PROTOCOL: 'SASL_SSL' }, /RETOUR_KAFKA_SASL_USERNAME must be set with RETOUR_KAFKA_SECURITY_PROTOCOL=SASL_SSL; RETOUR_KAFKA_SASL_PASSWORD or RETOUR_KAFKA_SASL_PASSWORD_FILE must be set/],
    [{ RETOUR_KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT', RETOUR_KAFKA_SASL_USERNAME: 'u', RETOUR_KAFKA_SASL_PASSWORD: 'p', RETOUR_KAFKA_SASL_PASSWORD_FILE: '/run/secrets/p' }, /set only one of RETOUR_KAFKA_SASL_PASSWORD and RETOUR_KAFKA_SASL_PASSWORD_FILE/],
    [{ RETOUR_KAFKA_SASL_USERNAME: 'u', RETOUR_KAFKA_SASL_PASSWORD: 'p' }, /RETOUR_KAFKA_SASL_\* are set but RETOUR_KAFKA_SECURITY_PROTOCOL=PLAINTEXT does not use SASL/],
    [{ RETOUR_KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT', RETOUR_KAFKA_SASL_USERNAME: 'u', RETOUR_KAFKA_SASL_PASSWORD: 'p', RETOUR_KAFKA_SSL_CA_FILE: '/ca.pem' }, /RETOUR_KAFKA_SSL_CA_FILE is set but RETOUR_KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT does not use TLS/],
    [{ RETOUR_KAFKA_SASL_MECHANISM: 'scram-sha-1' }, /RETOUR_KAFKA_SASL_MECHANISM must be one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 \(any case\); got "scram-sha-1"/],
  ])('stops on settings that do not fit together: %j', (environment, message) => {
    expect(() => loadConfig(environment)).toThrow(message);
  });

  it('reads the security protocol and SASL mechanism in any case, as Kafka clients do', () => {
    const config = loadConfig({ RETOUR_KAFKA_SECURITY_PROTOCOL: 'sasl_ssl', RETOUR_KAFKA_SASL_MECHANISM: 'scram-sha-512', RETOUR_KAFKA_SASL_USERNAME: 'u', RETOUR_KAFKA_SASL_PASSWORD: 'p' });
    expect([config.kafkaSecurityProtocol, config.kafkaSaslMechanism]).toEqual(['SASL_SSL', 'SCRAM-SHA-512']);
  });

  it('accepts each Kafka security protocol with what it needs', () => {
    const sasl = { RETOUR_KAFKA_SASL_USERNAME: 'u', RETOUR_KAFKA_SASL_PASSWORD: 'p' };
    expect(loadConfig({ RETOUR_KAFKA_SECURITY_PROTOCOL: 'SSL', RETOUR_KAFKA_SSL_CA_FILE: '/ca.pem' }).kafkaSecurityProtocol).toBe('SSL');
    expect(loadConfig({ RETOUR_KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT', ...sasl }).kafkaSaslMechanism).toBe('PLAIN');
    expect(loadConfig({ RETOUR_KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', RETOUR_KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', ...sasl }).kafkaSaslUsername).toBe('u');
  });

  it('names RETOUR_* variables that are not settings (typos)', () => {
    expect(unknownRetourVariables({ RETOUR_PROT: '3000', RETOUR_PORT: '1', HOME: '/' })).toEqual(['RETOUR_PROT']);
  });
});
