import { describe, expect, it } from 'vitest';
import { HistogramForest, trainHistogramForest } from '../../../models/forest/histogram-forest.ts';
import { loadBinaryClassifier } from '../../../models/forest/load-binary-classifier.ts';
import {
  MlRandomForestClassifier,
  trainMlRandomForestClassifier,
} from '../../../models/forest/ml-random-forest-classifier.ts';
import { generateLcgDataset } from './lcg-dataset.ts';

describe('loadBinaryClassifier', () => {
  const train = generateLcgDataset({ seed: 1, rowCount: 200, threshold: 2.4, missing: false });
  const probe = generateLcgDataset({ seed: 2, rowCount: 50, threshold: 2.4, missing: false });

  it('rebuilds either learner from its JSON text by kind, predicting identically', () => {
    const models = [
      trainHistogramForest({ features: train.features, labels: train.labels, treeCount: 5 }),
      trainMlRandomForestClassifier({ features: train.features, labels: train.labels, treeCount: 3 }),
    ];
    const loaded = models.map((model) => loadBinaryClassifier(JSON.parse(JSON.stringify(model.toJSON()))));
    expect(loaded[0]).toBeInstanceOf(HistogramForest);
    expect(loaded[1]).toBeInstanceOf(MlRandomForestClassifier);
    models.forEach((model, index) => {
      expect(loaded[index]?.predictProbability(probe.features)).toEqual(model.predictProbability(probe.features));
    });
  });

  it('names the accepted kinds when given something else', () => {
    expect(() => loadBinaryClassifier({ kind: 'xgboost' })).toThrow(/model kind must be 'histogram-forest' or 'ml-random-forest', got xgboost/);
    expect(() => loadBinaryClassifier(null)).toThrow(/got undefined/);
  });
});
