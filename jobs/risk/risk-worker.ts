/**
 * The worker thread of the risk job: CPU-heavy model work (training a forest, scoring every
 * customer) runs here so the serve process's event loop (ingest, API) stays responsive.
 * One task per worker, given in `workerData`; the answer is posted once, typed arrays transferred.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { HistogramForest, trainHistogramForest, type TrainHistogramForestOptions } from '../../models/forest/histogram-forest.ts';
import type { RiskWorkerResult, RiskWorkerTask } from './run-risk-worker.ts';

function run(task: RiskWorkerTask): { result: RiskWorkerResult; transfer: ArrayBuffer[] } {
  if (task.task === 'score') {
    const forest = HistogramForest.fromJSON(task.model);
    const probabilities = forest.predictProbability(task.matrix);
    return { result: { task: 'score', probabilities }, transfer: [probabilities.buffer as ArrayBuffer] };
  }
  const options: TrainHistogramForestOptions = { ...task.options, features: task.matrix, labels: task.labels };
  const forest = trainHistogramForest(options);
  return { result: { task: 'train', model: forest.toJSON() }, transfer: [] };
}

const port = parentPort;
if (port === null) throw new Error('risk-worker.ts must run in a worker thread');
try {
  const { result, transfer } = run(workerData as RiskWorkerTask);
  port.postMessage({ ok: true, result }, transfer);
} catch (error: unknown) {
  port.postMessage({ ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
}
