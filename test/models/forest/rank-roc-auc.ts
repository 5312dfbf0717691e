/**
 * ROC-AUC by ranks (Mann–Whitney U with mid-ranks for ties), for tests only — the project metric
 * lives in models/metrics/ once that lands.
 */
export function rankRocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let positives = 0;
  let positiveRankSum = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1] as number] === scores[order[i] as number]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k] as number] === 1) {
        positives++;
        positiveRankSum += midRank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) throw new RangeError('ROC-AUC needs both classes');
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
