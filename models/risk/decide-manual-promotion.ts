import { decidePromotion, type ComparableMetrics, type PromotionDecision } from './decide-promotion.ts';
import { decideTrainingLabels, DEFAULT_TRAINING_LABEL_POLICY, type LabelCounts, type TrainingLabelPolicy } from './decide-training-labels.ts';

/** A registered model an operator asks to put in service, with the figures it was validated on. */
export interface PromotionRequest {
  readonly version: string;
  readonly metrics: ComparableMetrics;
  /** The model in service when this one was trained, scored on the same validation rows (absent: there was none). */
  readonly servingComparison?: ComparableMetrics & { readonly version: string };
  /** The labelled rows it was trained and validated on (metrics.rows); absent: not recorded, not checked. */
  readonly labels?: { readonly training: LabelCounts; readonly validation: LabelCounts };
  /** Put it in service even if it is not shown to be at least as good. */
  readonly force: boolean;
}

export type ManualPromotion =
  | { readonly outcome: 'already_serving' }
  | { readonly outcome: 'refused'; readonly reason: string }
  | { readonly outcome: 'promote'; readonly decision: PromotionDecision; readonly forced: boolean };

/**
 * The promotion rule for an operator's request (`retour model promote`, `POST /v1/models/{version}/promote`):
 * the same rule as after training — not worse than the model in service on the same validation rows —
 * which needs the comparison recorded when the candidate was trained against *that* serving model.
 * With nothing in service, finite metrics suffice. A model trained or validated on fewer positives
 * than `labelPolicy` asks (registered before training refused them, or under lower settings) is refused
 * first, as training would refuse it now. `force` overrides a refusal, and says so.
 *
 * @example
 * decideManualPromotion({ version: 'b', metrics: { prAuc: 0.8, rocAuc: 0.9 }, servingComparison: { version: 'a', prAuc: 0.7, rocAuc: 0.9 }, force: false }, 'a');
 * // → { outcome: 'promote', decision: { promote: true, reason: 'not worse than the serving model (…)' }, forced: false }
 */
export function decideManualPromotion(request: PromotionRequest, servingVersion: string | undefined, labelPolicy: TrainingLabelPolicy = DEFAULT_TRAINING_LABEL_POLICY): ManualPromotion {
  if (servingVersion === request.version) return { outcome: 'already_serving' };
  const labels = request.labels === undefined ? undefined : decideTrainingLabels(request.labels, labelPolicy);
  let decision: PromotionDecision;
  if (labels !== undefined && !labels.enough) decision = { promote: false, reason: `${request.version} was trained and validated on too few labels: ${labels.missing}` };
  else if (servingVersion === undefined) decision = decidePromotion(request.metrics, undefined);
  else if (request.servingComparison?.version === servingVersion) decision = decidePromotion(request.metrics, request.servingComparison);
  else {
    decision = { promote: false, reason: `${request.version} was not validated against the serving model ${servingVersion} on the same rows; train a new model to compare` };
  }
  if (decision.promote) return { outcome: 'promote', decision, forced: false };
  if (!request.force) return { outcome: 'refused', reason: decision.reason };
  return { outcome: 'promote', decision: { promote: true, reason: `forced by an operator: ${decision.reason}` }, forced: true };
}
