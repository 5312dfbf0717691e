import type { DuckDBConnection } from '@duckdb/node-api';
import { inTransaction } from '../in-transaction.ts';

/** A serialized model as stored; its reader (HistogramForest.fromJSON) validates the rest. */
export interface StoredModelJson {
  readonly kind: string;
}

export type ModelStatus = 'candidate' | 'serving' | 'retired';

export interface ModelMetrics {
  readonly roc_auc: number;
  readonly pr_auc: number;
  /** Precision among the top 1% and top 100 validation rows. */
  readonly precision_at_k: { readonly top_1_percent: number; readonly top_100: number };
  readonly brier: number;
  readonly calibration: readonly { lower: number; upper: number; count: number; meanPredicted: number; observedRate: number }[];
  readonly rows: { readonly training: number; readonly training_positive: number; readonly validation: number; readonly validation_positive: number };
  /** The serving model on the same validation rows, when there was one. */
  readonly serving_comparison?: { readonly version: string; readonly roc_auc: number; readonly pr_auc: number };
  readonly promotion?: { readonly promote: boolean; readonly reason: string };
}

export interface RegisteredModel {
  readonly version: string;
  readonly createdAt: string;
  readonly algorithm: string;
  readonly features: readonly string[];
  readonly params: Record<string, unknown>;
  readonly trainingWindowStart: string;
  readonly trainingWindowEnd: string;
  readonly validationWindowStart: string;
  readonly validationWindowEnd: string;
  readonly metrics: ModelMetrics;
  readonly status: ModelStatus;
  readonly promotedAt: string | null;
}

export interface RegisteredModelWithForest extends RegisteredModel {
  readonly model: StoredModelJson;
}

const COLUMNS = `version, created_at::VARCHAR, algorithm, features, params, training_window_start::VARCHAR, training_window_end::VARCHAR,
  validation_window_start::VARCHAR, validation_window_end::VARCHAR, metrics, status, promoted_at::VARCHAR`;

function toModel(row: readonly unknown[]): RegisteredModel {
  return {
    version: String(row[0]),
    createdAt: String(row[1]),
    algorithm: String(row[2]),
    features: JSON.parse(String(row[3])) as string[],
    params: JSON.parse(String(row[4])) as Record<string, unknown>,
    trainingWindowStart: String(row[5]),
    trainingWindowEnd: String(row[6]),
    validationWindowStart: String(row[7]),
    validationWindowEnd: String(row[8]),
    metrics: JSON.parse(String(row[9])) as ModelMetrics,
    status: String(row[10]) as ModelStatus,
    promotedAt: row[11] === null ? null : String(row[11]),
  };
}

/** Stores a trained model as a candidate. */
export async function insertModel(connection: DuckDBConnection, model: Omit<RegisteredModelWithForest, 'status' | 'promotedAt'>): Promise<void> {
  await connection.run(
    `INSERT INTO model_registry VALUES ($version, $createdAt::TIMESTAMPTZ, $algorithm, $features, $params, $trainStart::TIMESTAMPTZ, $trainEnd::TIMESTAMPTZ,
      $validationStart::TIMESTAMPTZ, $validationEnd::TIMESTAMPTZ, $metrics, 'candidate', $model, NULL)`,
    {
      version: model.version,
      createdAt: model.createdAt,
      algorithm: model.algorithm,
      features: JSON.stringify(model.features),
      params: JSON.stringify(model.params),
      trainStart: model.trainingWindowStart,
      trainEnd: model.trainingWindowEnd,
      validationStart: model.validationWindowStart,
      validationEnd: model.validationWindowEnd,
      metrics: JSON.stringify(model.metrics),
      model: JSON.stringify(model.model),
    },
  );
}

/** Every model, newest first, without the forest itself. */
export async function listModels(connection: DuckDBConnection): Promise<RegisteredModel[]> {
  const reader = await connection.runAndReadAll(`SELECT ${COLUMNS} FROM model_registry ORDER BY created_at DESC, version DESC`);
  return reader.getRows().map(toModel);
}

export async function getModel(connection: DuckDBConnection, version: string): Promise<RegisteredModelWithForest | undefined> {
  const reader = await connection.runAndReadAll(`SELECT ${COLUMNS}, model FROM model_registry WHERE version = $version`, { version });
  const row = reader.getRows()[0];
  if (row === undefined) return undefined;
  return { ...toModel(row), model: JSON.parse(String(row[12])) as StoredModelJson };
}

/** A model's registry entry without the forest itself (cheap: the forest is most of the row). */
export async function findModel(connection: DuckDBConnection, version: string): Promise<RegisteredModel | undefined> {
  const reader = await connection.runAndReadAll(`SELECT ${COLUMNS} FROM model_registry WHERE version = $version`, { version });
  const row = reader.getRows()[0];
  return row === undefined ? undefined : toModel(row);
}

/** The figures a promotion judges (models/risk/decide-manual-promotion.ts): the model's labelled rows and validation metrics, and the serving model's on the same rows. */
export function promotionFiguresOf(model: RegisteredModel): {
  version: string;
  metrics: { prAuc: number; rocAuc: number };
  labels?: { training: { rows: number; positives: number }; validation: { rows: number; positives: number } };
  servingComparison?: { version: string; prAuc: number; rocAuc: number };
} {
  const comparison = model.metrics.serving_comparison;
  const rows = model.metrics.rows as ModelMetrics['rows'] | undefined;
  return {
    version: model.version,
    metrics: { prAuc: model.metrics.pr_auc, rocAuc: model.metrics.roc_auc },
    ...(rows === undefined
      ? {}
      : { labels: { training: { rows: rows.training, positives: rows.training_positive }, validation: { rows: rows.validation, positives: rows.validation_positive } } }),
    ...(comparison === undefined ? {} : { servingComparison: { version: comparison.version, prAuc: comparison.pr_auc, rocAuc: comparison.roc_auc } }),
  };
}

/** The version of the model in service, if any. */
export async function readServingVersion(connection: DuckDBConnection): Promise<string | undefined> {
  const reader = await connection.runAndReadAll("SELECT version FROM model_registry WHERE status = 'serving' ORDER BY promoted_at DESC LIMIT 1");
  const row = reader.getRows()[0];
  return row === undefined ? undefined : String(row[0]);
}

/** The model in service, if any (at most one row has status 'serving'). */
export async function getServingModel(connection: DuckDBConnection): Promise<RegisteredModelWithForest | undefined> {
  const version = await readServingVersion(connection);
  return version === undefined ? undefined : getModel(connection, version);
}

/** The two updates of a promotion; the caller holds the transaction. */
async function putInService(connection: DuckDBConnection, version: string, at: Date): Promise<void> {
  await connection.run("UPDATE model_registry SET status = 'retired' WHERE status = 'serving' AND version <> $version", { version });
  await connection.run("UPDATE model_registry SET status = 'serving', promoted_at = $at::TIMESTAMPTZ WHERE version = $version", { version, at: at.toISOString() });
}

/** Puts a model in service and retires the previous one, in one transaction. */
export async function setServingModel(connection: DuckDBConnection, version: string, at: Date): Promise<void> {
  await inTransaction(connection, () => putInService(connection, version, at));
}

/** The validation figures a promotion decision compared: the candidate's, and the serving model's on the same rows (null: none was compared). */
export interface ComparedFigures {
  readonly candidate: { readonly prAuc: number | null; readonly rocAuc: number | null };
  readonly serving: { readonly version: string; readonly prAuc: number | null; readonly rocAuc: number | null } | null;
}

/** One promotion decision on a model (table model_promotions, append-only). */
export interface PromotionDecisionRecord {
  readonly version: string;
  readonly decidedAt: Date;
  /** Put in service (true) or kept out of it (false). */
  readonly promoted: boolean;
  /** An operator overrode the rule. */
  readonly forced: boolean;
  /** 'training': the decision after a training; 'operator': `retour model promote` or POST /v1/models/{version}/promote. */
  readonly source: 'training' | 'operator';
  /** Who: 'cli:USER', 'key:KEY_ID (NAME)', 'train job'. */
  readonly decidedBy: string;
  readonly reason: string;
  /** The model in service when decided; a promotion retired it. */
  readonly previousVersion: string | null;
  readonly compared: ComparedFigures;
}

/** A stored promotion decision (`retour model history`, `retour model list --json`). */
export interface PromotionHistoryEntry extends Omit<PromotionDecisionRecord, 'decidedAt' | 'source'> {
  readonly promotionId: number;
  readonly decidedAt: string;
  /** 'before-016': the one decision a model kept in its metrics before the history existed. */
  readonly source: PromotionDecisionRecord['source'] | 'before-016';
}

/** The figures a decision on `model` compares (its validation metrics and the serving comparison recorded with them). */
export function comparedFiguresOf(model: Pick<RegisteredModel, 'metrics'>): ComparedFigures {
  const comparison = model.metrics.serving_comparison;
  return {
    candidate: { prAuc: model.metrics.pr_auc, rocAuc: model.metrics.roc_auc },
    serving: comparison === undefined ? null : { version: comparison.version, prAuc: comparison.pr_auc, rocAuc: comparison.roc_auc },
  };
}

/**
 * Records a promotion decision: appended to model_promotions (every decision is kept), and as the
 * model's latest decision in its metrics (`metrics.promotion`, which GET /v1/models shows).
 */
export async function recordPromotionDecision(connection: DuckDBConnection, record: PromotionDecisionRecord): Promise<void> {
  await connection.run(`UPDATE model_registry SET metrics = json_merge_patch(metrics, $patch)::VARCHAR WHERE version = $version`, {
    version: record.version,
    patch: JSON.stringify({ promotion: { promote: record.promoted, reason: record.reason } }),
  });
  await connection.run(
    `INSERT INTO model_promotions (version, decided_at, promoted, forced, source, decided_by, reason, previous_version, compared)
     VALUES ($version, $decidedAt::TIMESTAMPTZ, $promoted, $forced, $source, $decidedBy, $reason, $previousVersion, $compared)`,
    {
      version: record.version,
      decidedAt: record.decidedAt.toISOString(),
      promoted: record.promoted,
      forced: record.forced,
      source: record.source,
      decidedBy: record.decidedBy,
      reason: record.reason,
      previousVersion: record.previousVersion,
      // NaN metrics become null, as JSON has no NaN.
      compared: JSON.stringify(record.compared),
    },
  );
}

/**
 * Every promotion decision, oldest first; with `version`, those on that model and the promotion
 * that retired it (the one whose previous_version it was).
 */
export async function listPromotionHistory(connection: DuckDBConnection, version?: string): Promise<PromotionHistoryEntry[]> {
  const reader = await connection.runAndReadAll(
    `SELECT promotion_id, version, decided_at::VARCHAR, promoted, forced, source, decided_by, reason, previous_version, compared FROM model_promotions
     WHERE $version IS NULL OR version = $version OR (promoted AND previous_version = $version)
     ORDER BY decided_at, promotion_id`,
    { version: version ?? null },
  );
  return reader.getRows().map((row) => ({
    promotionId: Number(row[0]),
    version: String(row[1]),
    decidedAt: String(row[2]),
    promoted: row[3] === true,
    forced: row[4] === true,
    source: String(row[5]) as PromotionHistoryEntry['source'],
    decidedBy: String(row[6]),
    reason: String(row[7]),
    previousVersion: row[8] === null ? null : String(row[8]),
    compared: JSON.parse(String(row[9])) as ComparedFigures,
  }));
}

/**
 * Records a decision after a training and, when it promotes, puts the model in service — in one
 * transaction, so the history never shows a promotion the registry did not make.
 */
export async function decideAfterTraining(connection: DuckDBConnection, record: PromotionDecisionRecord): Promise<void> {
  await inTransaction(connection, async () => {
    await recordPromotionDecision(connection, record);
    if (record.promoted) await putInService(connection, record.version, record.decidedAt);
  });
}

/**
 * Puts a model in service on an operator's decision, in one transaction: the decision in its
 * metrics and in the history, the previous model retired, and whatever the caller records with it
 * (`alsoRecord`, e.g. the audit row of an API promotion).
 */
export async function promoteModel(
  connection: DuckDBConnection,
  options: { record: Omit<PromotionDecisionRecord, 'promoted' | 'source'>; alsoRecord?: () => Promise<void> },
): Promise<void> {
  await inTransaction(connection, async () => {
    await recordPromotionDecision(connection, { ...options.record, promoted: true, source: 'operator' });
    await putInService(connection, options.record.version, options.record.decidedAt);
    await options.alsoRecord?.();
  });
}
