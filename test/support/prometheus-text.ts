/** Readers of a Prometheus text exposition (GET /metrics) for tests. */

/** The value of one sample line of a Prometheus text exposition (0 when absent). */
export function sample(metrics: string, name: string, labels = ''): number {
  const line = metrics.split('\n').find((candidate) => candidate.startsWith(`${name}${labels} `));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** The sum of a Prometheus text exposition's samples whose line starts with `prefix`. */
export function sumOf(metrics: string, prefix: string): number {
  return metrics
    .split('\n')
    .filter((line) => line.startsWith(prefix))
    .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}
