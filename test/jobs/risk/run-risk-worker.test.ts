import { describe, expect, it } from 'vitest';
import { HistogramForest, trainHistogramForest } from '../../../models/forest/histogram-forest.ts';
import { createSeededRandom } from '../../../models/random/seeded-random.ts';
import { runRiskWorker } from '../../../jobs/risk/run-risk-worker.ts';

function dataset(rows: number, seed: number): { values: Float64Array; labels: Uint8Array } {
  const random = createSeededRandom(seed);
  const values = new Float64Array(rows * 3);
  const labels = new Uint8Array(rows);
  for (let row = 0; row < rows; row++) {
    for (let feature = 0; feature < 3; feature++) values[feature * rows + row] = random.next();
    labels[row] = values[row]! + 0.3 * random.next() > 0.8 ? 1 : 0;
  }
  return { values, labels };
}

describe('runRiskWorker', () => {
  it('scores in a worker thread exactly as in this thread, and trains the same forest for the same seed', async () => {
    const { values, labels } = dataset(400, 11);
    const matrix = { rowCount: 400, featureCount: 3, values };
    const options = { treeCount: 8, maxDepth: 6, minSamplesLeaf: 5, seed: 3 };
    const inThread = trainHistogramForest({ features: matrix, labels, ...options });
    const trained = await runRiskWorker({ task: 'train', matrix, labels, options });
    expect(JSON.stringify(trained.model)).toBe(JSON.stringify(inThread.toJSON()));
    const scored = await runRiskWorker({ task: 'score', model: inThread.toJSON(), matrix });
    expect(Array.from(scored.probabilities)).toEqual(Array.from(HistogramForest.fromJSON(inThread.toJSON()).predictProbability(matrix)));
  });

  it('rejects with the worker error instead of hanging or answering zeros', async () => {
    const matrix = { rowCount: 2, featureCount: 1, values: Float64Array.of(1, 2) };
    await expect(runRiskWorker({ task: 'score', model: { kind: 'nonsense' } as never, matrix })).rejects.toThrow(/risk worker failed: TypeError: kind must be 'histogram-forest'/);
  });
});
