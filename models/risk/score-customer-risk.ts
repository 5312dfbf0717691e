import type { FraudType } from '../../domain/events/vocabulary.ts';
import { combineRiskScore } from './combine-risk-score.ts';
import { countHardEvidence, evaluateRiskRules, type RiskReason } from './evaluate-risk-rules.ts';
import type { RiskFeatureName, RiskFeatureValues } from './risk-feature-names.ts';
import { DEFAULT_RISK_TIER_THRESHOLDS, riskTier, type RiskTier, type RiskTierThresholds } from './risk-tier.ts';

/** What the model said about one customer. */
export type ModelOutcome =
  | { readonly kind: 'scored'; readonly probability: number; readonly version: string; readonly topFeatures: readonly RiskFeatureName[] }
  /** No model in service yet: the rules alone score (explicitly, model_version NULL). */
  | { readonly kind: 'no-model' }
  /** The model could not score this customer: the result is unscored, never a silent 0. */
  | { readonly kind: 'failed'; readonly error: string; readonly version: string | null };

export interface CustomerRiskScore {
  readonly status: 'scored' | 'unscored';
  readonly score: number | null;
  readonly tier: RiskTier | 'unscored';
  /** Strongest first. */
  readonly reasons: readonly RiskReason[];
  readonly fraudTypeHint: FraudType | null;
  readonly modelScore: number | null;
  readonly ruleScore: number;
  readonly modelVersion: string | null;
  readonly evidenceCount: number;
  readonly unscoredReason: string | null;
}

/** Model probabilities below this add no MODEL_PATTERN reason (too weak to explain anything). */
const MODEL_REASON_MINIMUM = 0.3;

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'missing';
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

/**
 * One customer's score: the calibrated model probability and the fired rules' weights combined by
 * noisy-OR, its tier, and the reasons behind it (rules with their numbers, plus the model's
 * strongest features when the model contributes).
 *
 * @example
 * scoreCustomerRisk({ ...emptyRiskFeatureValues(), not_declared_90d: 2 }, { kind: 'no-model' });
 * // { status: 'scored', score: 0.9, tier: 'high', reasons: [{ code: 'NOT_DECLARED_ITEM', … }], fraudTypeHint: 'item_swap', … }
 */
export function scoreCustomerRisk(
  features: Readonly<RiskFeatureValues>,
  model: ModelOutcome,
  thresholds: RiskTierThresholds = DEFAULT_RISK_TIER_THRESHOLDS,
): CustomerRiskScore {
  const rules = evaluateRiskRules(features);
  const ruleScore = combineRiskScore(rules.map((rule) => rule.weight));
  const evidenceCount = countHardEvidence(features);
  const strongest = rules.reduce<(typeof rules)[number] | undefined>((best, rule) => (best === undefined || rule.weight > best.weight ? rule : best), undefined);
  const fraudTypeHint = strongest?.fraudType ?? null;
  const ruleReasons: RiskReason[] = rules.map(({ code, text, weight }) => ({ code, text, weight }));
  if (model.kind === 'failed') {
    return {
      status: 'unscored', score: null, tier: 'unscored', reasons: sortReasons(ruleReasons), fraudTypeHint, modelScore: null,
      ruleScore, modelVersion: model.version, evidenceCount, unscoredReason: model.error,
    };
  }
  if (model.kind === 'no-model') {
    return {
      status: 'scored', score: ruleScore, tier: riskTier(ruleScore, thresholds), reasons: sortReasons(ruleReasons), fraudTypeHint,
      modelScore: null, ruleScore, modelVersion: null, evidenceCount, unscoredReason: null,
    };
  }
  const probability = model.probability;
  if (!(probability >= 0 && probability <= 1)) {
    return {
      status: 'unscored', score: null, tier: 'unscored', reasons: sortReasons(ruleReasons), fraudTypeHint, modelScore: null,
      ruleScore, modelVersion: model.version, evidenceCount, unscoredReason: `model probability ${probability} is not in [0, 1]`,
    };
  }
  const reasons = [...ruleReasons];
  if (probability >= MODEL_REASON_MINIMUM) {
    const signals = model.topFeatures.map((name) => `${name} = ${formatValue(features[name])}`).join(', ');
    reasons.push({
      code: 'MODEL_PATTERN',
      text: `fraud model ${model.version} rates the pattern ${probability.toFixed(2)}${signals === '' ? '' : ` (strongest signals: ${signals})`}`,
      weight: probability,
    });
  }
  const score = combineRiskScore([probability, ...rules.map((rule) => rule.weight)]);
  return {
    status: 'scored', score, tier: riskTier(score, thresholds), reasons: sortReasons(reasons), fraudTypeHint: fraudTypeHint ?? (probability >= thresholds.review ? 'other' : null),
    modelScore: probability, ruleScore, modelVersion: model.version, evidenceCount, unscoredReason: null,
  };
}

function sortReasons(reasons: RiskReason[]): RiskReason[] {
  return reasons.sort((a, b) => b.weight - a.weight);
}
