"""Reference values for test/models/metrics/*.test.ts.

Run: python3 scripts/reference/metrics_reference.py
Needs: pip install scikit-learn numpy   (versions used are printed first)

The "LCG" dataset is generated here and in test/models/metrics/lcg-dataset.ts by the same
32-bit linear congruential generator and the same float operations, so both sides see identical
rows without committing a data file.
"""

import math

import numpy as np
import sklearn
from sklearn.calibration import calibration_curve
from sklearn.metrics import (average_precision_score, brier_score_loss, log_loss, precision_recall_curve,
                             roc_auc_score, roc_curve)


def lcg_dataset(rows: int, seed: int):
    """Numerical Recipes LCG: state = (1664525 * state + 1013904223) mod 2^32; u = state / 2^32."""
    state = seed % 2**32

    def next_uniform() -> float:
        nonlocal state
        state = (1664525 * state + 1013904223) % 2**32
        return state / 2**32

    scores, labels = [], []
    for _ in range(rows):
        label = 1 if next_uniform() < 0.1 else 0
        uniform = next_uniform()
        # Positives lean high (sqrt) but overlap negatives everywhere; sqrt is correctly rounded in both languages.
        raw = math.sqrt(uniform) if label == 1 else uniform
        # Rounded to 3 decimals so that the data has many ties, like real model scores bucketed by a forest.
        scores.append(math.floor(raw * 1000 + 0.5) / 1000)
        labels.append(label)
    return np.array(scores), np.array(labels)


def precision_at_k(scores, labels, k):
    """Top-k precision with ties at the cut-off shared (expected precision under a random tie-break)."""
    cutoff = np.sort(scores)[len(scores) - k]
    above = scores > cutoff
    tied = scores == cutoff
    return (labels[above].sum() + (k - above.sum()) * labels[tied].sum() / tied.sum()) / k


def calibration_table(probabilities, labels, n_bins, strategy):
    prob_true, prob_pred = calibration_curve(labels, probabilities, n_bins=n_bins, strategy=strategy)
    # calibration_curve does not return counts; recompute them with its own binning.
    if strategy == "quantile":
        bins = np.percentile(probabilities, np.linspace(0, 1, n_bins + 1) * 100)
    else:
        bins = np.linspace(0.0, 1.0, n_bins + 1)
    counts = np.bincount(np.searchsorted(bins[1:-1], probabilities), minlength=n_bins)
    return prob_true.tolist(), prob_pred.tolist(), counts[counts > 0].tolist(), np.nonzero(counts)[0].tolist()


def show(call: str, value) -> None:
    if isinstance(value, np.ndarray):
        value = value.tolist()
    print(f"{call} = {value!r}")


print(f"# scikit-learn {sklearn.__version__}, numpy {np.__version__}")

print("\n## small dataset with ties")
small_scores = np.array([0.7, 0.1, 0.8, 0.4, 0.9, 0.7, 0.3, 0.8, 0.2, 0.5, 0.7, 0.4])
small_labels = np.array([1, 0, 0, 0, 1, 0, 1, 1, 0, 1, 0, 0])
show("roc_auc_score(y, s)", roc_auc_score(small_labels, small_scores))
show("average_precision_score(y, s)", average_precision_score(small_labels, small_scores))
for drop in (True, False):
    fpr, tpr, thr = roc_curve(small_labels, small_scores, drop_intermediate=drop)
    show(f"roc_curve(y, s, drop_intermediate={drop})[0] fpr", fpr)
    show(f"roc_curve(y, s, drop_intermediate={drop})[1] tpr", tpr)
    show(f"roc_curve(y, s, drop_intermediate={drop})[2] thresholds", thr)
for drop in (False, True):
    precision, recall, thr = precision_recall_curve(small_labels, small_scores, drop_intermediate=drop)
    show(f"precision_recall_curve(y, s, drop_intermediate={drop})[0] precision", precision)
    show(f"precision_recall_curve(y, s, drop_intermediate={drop})[1] recall", recall)
    show(f"precision_recall_curve(y, s, drop_intermediate={drop})[2] thresholds", thr)
show("brier_score_loss(y, s)", brier_score_loss(small_labels, small_scores))
show("log_loss(y, s)", log_loss(small_labels, small_scores))
for k in (1, 2, 3, 4, 6, 12):
    show(f"precision_at_k(s, y, {k}) [numpy, definition above]", precision_at_k(small_scores, small_labels, k))
show("calibration_curve(y, s, n_bins=4) (prob_true, prob_pred, counts, bin indices)", calibration_table(small_scores, small_labels, 4, "uniform"))

print("\n## probabilities at 0 and 1 (clipping)")
edge_p = np.array([0.0, 1.0, 0.0, 1.0, 0.5])
edge_y = np.array([0, 1, 1, 0, 1])
show("log_loss([0, 1, 1, 0, 1], [0.0, 1.0, 0.0, 1.0, 0.5])", log_loss(edge_y, edge_p))
show("brier_score_loss([0, 1, 1, 0, 1], [0.0, 1.0, 0.0, 1.0, 0.5])", brier_score_loss(edge_y, edge_p))
show("log_loss([0, 1], [0.0, 1.0])", log_loss([0, 1], [0.0, 1.0]))

print("\n## LCG dataset: lcg_dataset(20000, seed=12345)")
scores, labels = lcg_dataset(20000, 12345)
print(f"first scores {scores[:5].tolist()}, first labels {labels[:5].tolist()}, positives {int(labels.sum())}, distinct scores {len(np.unique(scores))}")
show("roc_auc_score(y, s)", roc_auc_score(labels, scores))
show("average_precision_score(y, s)", average_precision_score(labels, scores))
show("brier_score_loss(y, s)", brier_score_loss(labels, scores))
show("log_loss(y, s)", log_loss(labels, scores))
fpr, tpr, thr = roc_curve(labels, scores)
print(f"roc_curve(y, s): len {len(fpr)}, fpr[:4] {fpr[:4].tolist()}, tpr[:4] {tpr[:4].tolist()}, thresholds[1:4] {thr[1:4].tolist()}, "
      f"fpr[500] {fpr[500]!r}, tpr[500] {tpr[500]!r}, thresholds[500] {thr[500]!r}, sum(fpr) {fpr.sum()!r}, sum(tpr) {tpr.sum()!r}")
fpr, tpr, thr = roc_curve(labels, scores, drop_intermediate=False)
print(f"roc_curve(y, s, drop_intermediate=False): len {len(fpr)}, sum(fpr) {fpr.sum()!r}, sum(tpr) {tpr.sum()!r}")
precision, recall, thr = precision_recall_curve(labels, scores)
print(f"precision_recall_curve(y, s): len {len(precision)}, precision[:3] {precision[:3].tolist()}, recall[:3] {recall[:3].tolist()}, "
      f"thresholds[:3] {thr[:3].tolist()}, precision[600] {precision[600]!r}, recall[600] {recall[600]!r}, thresholds[600] {thr[600]!r}, "
      f"sum(precision) {precision.sum()!r}, sum(recall) {recall.sum()!r}")
for k in (1, 10, 50, 333, 2000):
    show(f"precision_at_k(s, y, {k}) [numpy, definition above]", precision_at_k(scores, labels, k))
show("calibration_curve(y, s, n_bins=10, strategy='uniform') (prob_true, prob_pred, counts, bin indices)", calibration_table(scores, labels, 10, "uniform"))
show("calibration_curve(y, s, n_bins=5, strategy='quantile') (prob_true, prob_pred, counts, bin indices)", calibration_table(scores, labels, 5, "quantile"))
