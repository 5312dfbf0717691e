import type { BinaryClassifier } from './binary-classifier.ts';
import { HistogramForest } from './histogram-forest.ts';
import { MlRandomForestClassifier } from './ml-random-forest-classifier.ts';

/**
 * Rebuilds a classifier from what its `toJSON()` wrote (e.g. a model-registry row parsed in a
 * worker thread), choosing the learner by `kind`.
 *
 * @example
 * const model = loadBinaryClassifier(JSON.parse(row.model_json));
 * model.predictProbability(features);
 */
export function loadBinaryClassifier(json: unknown): BinaryClassifier {
  const kind = typeof json === 'object' && json !== null ? (json as { kind?: unknown }).kind : undefined;
  switch (kind) {
    case 'histogram-forest':
      return HistogramForest.fromJSON(json);
    case 'ml-random-forest':
      return MlRandomForestClassifier.fromJSON(json);
    default:
      throw new TypeError(`model kind must be 'histogram-forest' or 'ml-random-forest', got ${String(kind)}`);
  }
}
