/**
 * Benjamini–Hochberg adjusted p-values (q-values) controlling the false discovery rate.
 *
 * q₍ᵢ₎ = min over j >= i of min(1, m · p₍ⱼ₎ / j) for the p-values sorted ascending, returned in
 * the input order. Tied p-values get the same q-value. Matches R `p.adjust(p, method = "BH")` and
 * statsmodels `multipletests(p, method='fdr_bh')[1]`.
 *
 * @param pValues p-values in [0, 1] (no NaN; drop untested items before calling)
 * @returns q-values, same length and order as the input; empty input gives an empty array
 * @throws {RangeError} when a p-value is NaN or outside [0, 1]
 *
 * @example
 * benjaminiHochberg([0.01, 0.04, 0.03, 0.2]); // Float64Array [0.04, 0.0533…, 0.0533…, 0.2]
 */
export function benjaminiHochberg(pValues: ArrayLike<number>): Float64Array {
  const count = pValues.length;
  for (let i = 0; i < count; i++) {
    const p = pValues[i]!;
    if (!(p >= 0 && p <= 1)) throw new RangeError(`pValues[${i}] must be a probability in [0, 1], got ${p}`);
  }
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  order.sort((left, right) => pValues[right]! - pValues[left]!);
  const qValues = new Float64Array(count);
  let runningMin = 1;
  // Walk from the largest p-value down so each q is the minimum over all ranks at or above it.
  for (let position = 0; position < count; position++) {
    const index = order[position]!;
    const rank = count - position;
    runningMin = Math.min(runningMin, (count / rank) * pValues[index]!);
    qValues[index] = runningMin;
  }
  return qValues;
}
