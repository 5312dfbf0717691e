/**
 * The small dataset of scripts/reference/metrics_reference.py: 12 rows, 5 positives, unsorted,
 * with ties inside and across classes (0.7 ×3, 0.8 ×2, 0.4 ×2).
 */
export const smallScores = [0.7, 0.1, 0.8, 0.4, 0.9, 0.7, 0.3, 0.8, 0.2, 0.5, 0.7, 0.4];
export const smallLabels = [1, 0, 0, 0, 1, 0, 1, 1, 0, 1, 0, 0];
