/** A registered model as the retraining rule sees it. */
export interface TrainedModelSummary {
  readonly version: string;
  readonly createdAt: string;
  /** Fingerprint of the rows and settings it was trained and validated on (params.trainingData); absent for models registered before it was recorded. */
  readonly trainingData: string | undefined;
  /** The serving model it was compared with on the same validation rows (absent: none was in service). */
  readonly comparedWith: string | undefined;
  /** Its latest promotion decision, if any. */
  readonly promotion: { readonly promote: boolean; readonly reason: string } | undefined;
}

export type RetrainingDecision =
  | { readonly train: true }
  /** `sameAs`: the registered model trained on the same data; `reason`: what the user is told. */
  | { readonly train: false; readonly sameAs: string; readonly reason: string };

/**
 * Whether training is worth running: not when a registered model was already trained and validated
 * on the very same rows and settings (`trainingData` fingerprint) and either is in service or was
 * already compared with the model in service now — the forest is seeded, so a new one would be an
 * identical copy, and "not worse" on equal metrics would promote it and rescore every customer for
 * nothing. When the model in service changed since that twin was judged, training runs: the
 * comparison is new. Models without a fingerprint never match.
 *
 * @example
 * decideRetraining('sha256:ab', 'rf-3', [{ version: 'rf-3', createdAt: '2026-11-20 03:00:00+00', trainingData: 'sha256:ab', comparedWith: 'rf-2', promotion: undefined }]);
 * // → { train: false, sameAs: 'rf-3', reason: 'no new labels or data since rf-3 (trained 2026-11-20 03:00:00+00 on the same rows and settings), which is in service: nothing to do' }
 */
export function decideRetraining(trainingData: string, servingVersion: string | undefined, models: readonly TrainedModelSummary[]): RetrainingDecision {
  const twins = models.filter((model) => model.trainingData === trainingData);
  const same = `no new labels or data since`;
  const serving = twins.find((model) => model.version === servingVersion);
  if (serving !== undefined) {
    return { train: false, sameAs: serving.version, reason: `${same} ${serving.version} (trained ${serving.createdAt} on the same rows and settings), which is in service: nothing to do` };
  }
  const judged = twins.find((model) => model.comparedWith === servingVersion);
  if (judged === undefined) return { train: true };
  const against = servingVersion === undefined ? 'with no model in service' : `against ${servingVersion}, the model in service`;
  const verdict = judged.promotion === undefined ? '' : `: ${judged.promotion.promote ? 'promoted' : 'not promoted'} (${judged.promotion.reason})`;
  return {
    train: false,
    sameAs: judged.version,
    reason: `${same} ${judged.version} (trained ${judged.createdAt} on the same rows and settings), already judged ${against}${verdict}; nothing to do (retour model promote ${judged.version} [--force] puts it in service)`,
  };
}
