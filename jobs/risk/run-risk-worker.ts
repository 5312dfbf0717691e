import { Worker } from 'node:worker_threads';
import type { FeatureMatrix } from '../../models/forest/binary-classifier.ts';
import type { SerializedHistogramForest, TrainHistogramForestOptions } from '../../models/forest/histogram-forest.ts';

export type RiskWorkerTask =
  /** `model` is any serialized forest JSON (from the registry); the worker validates it with HistogramForest.fromJSON. */
  | { readonly task: 'score'; readonly model: { readonly kind: string }; readonly matrix: FeatureMatrix }
  | {
      readonly task: 'train';
      readonly matrix: FeatureMatrix;
      readonly labels: Uint8Array;
      readonly options: Omit<TrainHistogramForestOptions, 'features' | 'labels' | 'onTreeTrained'>;
    };

export type RiskWorkerResult =
  | { readonly task: 'score'; readonly probabilities: Float64Array }
  | { readonly task: 'train'; readonly model: SerializedHistogramForest };

type WorkerReply = { ok: true; result: RiskWorkerResult } | { ok: false; error: string };

/**
 * Runs one model task in a `worker_threads` worker and resolves with its result. The worker's entry
 * (risk-worker-bootstrap.mjs) registers tsx itself — Node 20 applies neither the parent's loader
 * hooks nor `execArgv: ['--import', 'tsx']` to a `.ts` worker — so it works the same under
 * `retour`, vitest and scripts.
 * The feature matrix is copied to the worker (structured clone), never shared, so the caller may
 * keep using it — unless `transferMatrix` is true: then its buffer moves to the worker without a copy
 * and is detached (empty) here. Aborting the signal terminates the worker.
 */
export function runRiskWorker(task: RiskWorkerTask & { task: 'score' }, signal?: AbortSignal, transferMatrix?: boolean): Promise<RiskWorkerResult & { task: 'score' }>;
export function runRiskWorker(task: RiskWorkerTask & { task: 'train' }, signal?: AbortSignal, transferMatrix?: boolean): Promise<RiskWorkerResult & { task: 'train' }>;
export function runRiskWorker(task: RiskWorkerTask, signal?: AbortSignal, transferMatrix = false): Promise<RiskWorkerResult> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted before the risk worker started'));
      return;
    }
    const worker = new Worker(new URL('./risk-worker-bootstrap.mjs', import.meta.url), {
      workerData: task,
      transferList: transferMatrix ? [task.matrix.values.buffer as ArrayBuffer] : [],
    });
    let settled = false;
    const onAbort = (): void => {
      void worker.terminate();
      finish(() => reject(new Error('risk worker aborted')));
    };
    const finish = (action: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      action();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (reply: WorkerReply) => {
      finish(() => (reply.ok ? resolve(reply.result) : reject(new Error(`risk worker failed: ${reply.error}`))));
      void worker.terminate();
    });
    worker.once('error', (error) => finish(() => reject(new Error(`risk worker crashed: ${error.message}`, { cause: error }))));
    worker.once('exit', (code) => finish(() => reject(new Error(`risk worker exited with code ${code} before answering`))));
  });
}
