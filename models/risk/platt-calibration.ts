/** `p = σ(slope · logit(score) + intercept)`, fitted on validation data by fitPlattCalibration. */
export interface PlattCalibration {
  readonly slope: number;
  readonly intercept: number;
}

/** Scores are clamped away from 0 and 1 before the logit, so a forest's exact 0 or 1 stays finite. */
const EPSILON = 1e-4;

function clampedLogit(score: number): number {
  const p = Math.min(1 - EPSILON, Math.max(EPSILON, score));
  return Math.log(p / (1 - p));
}

/**
 * Applies a Platt calibration to one score in [0, 1].
 *
 * @example
 * applyPlattCalibration(0.5, { slope: 1, intercept: 0 }); // 0.5
 */
export function applyPlattCalibration(score: number, calibration: PlattCalibration): number {
  if (!(score >= 0 && score <= 1)) throw new RangeError(`applyPlattCalibration: score must be in [0, 1], got ${score}`);
  const z = calibration.slope * clampedLogit(score) + calibration.intercept;
  return 1 / (1 + Math.exp(-z));
}

/**
 * Fits a Platt calibration: logistic regression of the label on the logit of the score, by Newton's
 * method, with an L2 penalty `l2 / 2 · slope²` on the slope only (so perfectly separated validation
 * data still gives a finite answer). Matches scikit-learn `LogisticRegression(C = 1 / l2)` fitted on
 * the one column `logit(clip(score, 1e-4, 1 − 1e-4))`.
 *
 * @param scores model scores in [0, 1]
 * @param labels 0 or 1, same length, both classes present
 * @param l2 penalty on the slope, > 0. Default 0.001.
 * @example
 * fitPlattCalibration([0.1, 0.2, 0.7, 0.9, 0.3, 0.8], [0, 0, 1, 1, 1, 0]); // { slope: …, intercept: … }
 */
export function fitPlattCalibration(scores: ArrayLike<number>, labels: ArrayLike<number>, l2 = 0.001): PlattCalibration {
  if (scores.length !== labels.length) throw new RangeError(`fitPlattCalibration: scores and labels must have the same length, got ${scores.length} and ${labels.length}`);
  if (!(l2 > 0)) throw new RangeError(`fitPlattCalibration: l2 must be > 0, got ${l2}`);
  const n = scores.length;
  const x = new Float64Array(n);
  let positives = 0;
  for (let i = 0; i < n; i++) {
    const score = scores[i]!;
    const label = labels[i]!;
    if (!(score >= 0 && score <= 1)) throw new RangeError(`fitPlattCalibration: scores must be in [0, 1], got ${score} at ${i}`);
    if (label !== 0 && label !== 1) throw new RangeError(`fitPlattCalibration: labels must be 0 or 1, got ${label} at ${i}`);
    x[i] = clampedLogit(score);
    positives += label;
  }
  if (positives === 0 || positives === n) throw new RangeError(`fitPlattCalibration: needs both classes, got ${positives} positives of ${n}`);
  let slope = 1;
  let intercept = 0;
  for (let iteration = 0; iteration < 100; iteration++) {
    // Gradient and Hessian of the penalised negative log-likelihood.
    let gSlope = l2 * slope;
    let gIntercept = 0;
    let hSS = l2;
    let hSI = 0;
    let hII = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[i]!;
      const p = 1 / (1 + Math.exp(-(slope * xi + intercept)));
      const residual = p - labels[i]!;
      const w = Math.max(p * (1 - p), 1e-12);
      gSlope += residual * xi;
      gIntercept += residual;
      hSS += w * xi * xi;
      hSI += w * xi;
      hII += w;
    }
    const determinant = hSS * hII - hSI * hSI;
    if (!(Math.abs(determinant) > 0)) break;
    const stepSlope = (hII * gSlope - hSI * gIntercept) / determinant;
    const stepIntercept = (hSS * gIntercept - hSI * gSlope) / determinant;
    slope -= stepSlope;
    intercept -= stepIntercept;
    if (Math.abs(stepSlope) + Math.abs(stepIntercept) < 1e-12) break;
  }
  return { slope, intercept };
}
