import { describe, expect, it } from 'vitest';
import { decideRetraining, type TrainedModelSummary } from '../../../models/risk/decide-retraining.ts';

const model = (version: string, trainingData: string | undefined, comparedWith: string | undefined, promotion?: { promote: boolean; reason: string }): TrainedModelSummary => ({
  version,
  createdAt: `${version} time`,
  trainingData,
  comparedWith,
  promotion,
});

describe('decideRetraining', () => {
  it('trains when no registered model was trained on the same data (or recorded none)', () => {
    expect(decideRetraining('sha256:new', 'rf-1', [model('rf-1', 'sha256:old', undefined)])).toEqual({ train: true });
    expect(decideRetraining('sha256:new', 'rf-1', [model('rf-1', undefined, undefined)])).toEqual({ train: true });
    expect(decideRetraining('sha256:new', undefined, [])).toEqual({ train: true });
  });

  it('does nothing when the model in service was trained on the same data', () => {
    expect(decideRetraining('sha256:same', 'rf-3', [model('rf-4', 'sha256:other', 'rf-3'), model('rf-3', 'sha256:same', 'rf-2')])).toEqual({
      train: false,
      sameAs: 'rf-3',
      reason: 'no new labels or data since rf-3 (trained rf-3 time on the same rows and settings), which is in service: nothing to do',
    });
  });

  it('does nothing when a candidate trained on the same data was already judged against the model in service', () => {
    const decision = decideRetraining('sha256:same', 'rf-3', [model('rf-4', 'sha256:same', 'rf-3', { promote: false, reason: 'PR-AUC 0.5 is below …' })]);
    expect(decision).toEqual({
      train: false,
      sameAs: 'rf-4',
      reason:
        'no new labels or data since rf-4 (trained rf-4 time on the same rows and settings), already judged against rf-3, the model in service: not promoted (PR-AUC 0.5 is below …); ' +
        'nothing to do (retour model promote rf-4 [--force] puts it in service)',
    });
    // Registered with --no-promote while nothing was in service.
    expect(decideRetraining('sha256:same', undefined, [model('rf-1', 'sha256:same', undefined)])).toMatchObject({ train: false, reason: expect.stringContaining('already judged with no model in service;') as unknown });
  });

  it('trains again when the model in service changed since the twin was judged: the comparison is new', () => {
    expect(decideRetraining('sha256:same', 'rf-5', [model('rf-5', 'sha256:other', 'rf-3'), model('rf-4', 'sha256:same', 'rf-3')])).toEqual({ train: true });
  });
});
