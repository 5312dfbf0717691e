import { availableParallelism } from 'node:os';
import type { FeatureMatrix } from '../../models/forest/binary-classifier.ts';
import { runRiskWorker } from './run-risk-worker.ts';

export interface ScoreInWorkersOptions {
  /** Worker threads to split the rows over. Default: the machine's cores, at most 4. */
  readonly threads?: number;
  /** Below this many rows per thread one worker does it all (starting a worker costs ~50 ms). Default 50 000. */
  readonly minRowsPerThread?: number;
  readonly signal?: AbortSignal;
}

/**
 * Scores every row of `matrix` with a serialized forest, the rows split into contiguous parts, one
 * worker thread each; the parts' buffers are transferred, not cloned, and `matrix` stays usable.
 * The probabilities are those of one `predictProbability` over the whole matrix (each row is scored
 * on its own).
 *
 * @example
 * const probabilities = await scoreInWorkers(serving.model, matrix, { threads: 2 });
 */
export async function scoreInWorkers(model: { readonly kind: string }, matrix: FeatureMatrix, options: ScoreInWorkersOptions = {}): Promise<Float64Array> {
  const threads = options.threads ?? Math.min(4, availableParallelism());
  const minRows = options.minRowsPerThread ?? 50_000;
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
  if (!(minRows >= 1)) throw new RangeError(`minRowsPerThread must be ≥ 1, got ${minRows}`);
  const { rowCount, featureCount, values } = matrix;
  const parts = Math.max(1, Math.min(threads, Math.floor(rowCount / minRows)));
  if (parts === 1) return (await runRiskWorker({ task: 'score', model, matrix }, options.signal)).probabilities;
  const bounds = Array.from({ length: parts + 1 }, (_, part) => Math.round((part * rowCount) / parts));
  const results = await Promise.all(
    bounds.slice(0, -1).map((start, part) => {
      const rows = bounds[part + 1]! - start;
      const slice = new Float64Array(rows * featureCount);
      for (let feature = 0; feature < featureCount; feature++) slice.set(values.subarray(feature * rowCount + start, feature * rowCount + start + rows), feature * rows);
      return runRiskWorker({ task: 'score', model, matrix: { rowCount: rows, featureCount, values: slice } }, options.signal, true);
    }),
  );
  const probabilities = new Float64Array(rowCount);
  results.forEach((result, part) => probabilities.set(result.probabilities, bounds[part]!));
  return probabilities;
}
