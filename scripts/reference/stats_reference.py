"""Reference values for test/models/stats/*.test.ts.

Run: python3 scripts/reference/stats_reference.py
Needs: pip install scipy statsmodels mpmath   (versions used are printed first)
Every line prints the exact call and its value with repr(), so the tests can quote it verbatim.
"""

import mpmath
import numpy as np
import scipy
import pandas as pd
import statsmodels
from scipy import special, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

mpmath.mp.dps = 40


def show(call: str, value) -> None:
    if isinstance(value, (np.ndarray, list, tuple)):
        value = [float(v) for v in np.ravel(value)]
    else:
        value = float(value)
    print(f"{call} = {value!r}")


print(f"# scipy {scipy.__version__}, statsmodels {statsmodels.__version__}, numpy {np.__version__}, mpmath {mpmath.__version__}")

print("\n## normal")
for x in [0.0, 0.5, -0.67448975, 1.0, -1.5, 3.0, -5.5, 5.7, 8.0, 20.0, -37.0]:
    show(f"scipy.stats.norm.cdf({x})", stats.norm.cdf(x))
    show(f"scipy.stats.norm.sf({x})", stats.norm.sf(x))
for x in [8, 20, 37, -37]:
    # scipy's ndtr is ~1e-13 off this far out; mpmath at 40 digits is the tie-breaker.
    print(f"mpmath (dps=40): ncdf({x}) = {mpmath.nstr(mpmath.ncdf(x), 20)}, ncdf({-x}) = {mpmath.nstr(mpmath.ncdf(-x), 20)}")
for p in [0.5, 0.975, 0.025, 0.3, 1e-10, 1e-300, 0.999999, 5e-324]:
    show(f"scipy.stats.norm.ppf({p!r})", stats.norm.ppf(p))
    if 0 < p < 1:
        root = mpmath.findroot(lambda x: mpmath.ncdf(x) - mpmath.mpf(p), stats.norm.ppf(p))
        print(f"mpmath (dps=40): findroot(ncdf(x) = {p!r}) = {mpmath.nstr(root, 20)}")

print("\n## regularized gamma")
for a, x in [(0.5, 0.1), (1.0, 2.0), (3.0, 2.5), (2.5, 10.0), (10.0, 9.5), (0.1, 1.0), (50.0, 200.0), (100.0, 100.0)]:
    show(f"scipy.special.gammainc({a}, {x})", special.gammainc(a, x))
    show(f"scipy.special.gammaincc({a}, {x})", special.gammaincc(a, x))

print("\n## chi-square survival")
for s, df in [(100.0, 1), (600.0, 1), (1000.0, 500)]:
    print(f"mpmath (dps=40): gammainc({df}/2, {s}/2, inf, regularized=True) = {mpmath.nstr(mpmath.gammainc(mpmath.mpf(df) / 2, mpmath.mpf(s) / 2, mpmath.inf, regularized=True), 20)}")
for s, df in [(3.841458820694124, 1), (0.5, 1), (100.0, 1), (600.0, 1), (2.0, 2), (15.0, 7), (150.0, 100), (1000.0, 500), (1200.0, 1000), (0.0, 3)]:
    show(f"scipy.stats.chi2.sf({s}, {df})", stats.chi2.sf(s, df))

print("\n## chi-square independence")
tables = {
    "twoByThree": [[10, 20, 30], [25, 15, 10]],
    "withZeroColumn": [[12, 0, 7, 3], [30, 0, 9, 20]],
    "twoByTwo": [[10, 20], [30, 15]],
    "reasonMix": [[120, 80, 40, 30, 20, 10], [60, 50, 35, 40, 5, 12]],
}
for name, table in tables.items():
    reduced = np.array(table)
    reduced = reduced[:, reduced.sum(axis=0) > 0]
    for correction in (False, True):
        res = stats.chi2_contingency(reduced, correction=correction)
        print(f"{name}: scipy.stats.chi2_contingency({reduced.tolist()}, correction={correction}) -> "
              f"statistic={res.statistic!r}, dof={res.dof}, pvalue={res.pvalue!r}, expected={res.expected_freq.tolist()}")

print("\n## wilson (statsmodels proportion_confint method='wilson')")
for k, n, alpha in [(3, 10, 0.05), (0, 10, 0.05), (10, 10, 0.05), (0, 1, 0.05), (1, 1, 0.05), (17, 1234, 0.05), (5, 40, 0.1), (250, 100000, 0.01)]:
    show(f"proportion_confint({k}, {n}, alpha={alpha}, method='wilson')", proportion_confint(k, n, alpha=alpha, method="wilson"))

print("\n## two-proportion z test (statsmodels proportions_ztest, pooled)")
for counts, nobs in [([30, 100], [200, 1000]), ([5, 50], [100, 1000]), ([0, 12], [150, 900]), ([40, 40], [400, 400]), ([200, 100], [1000, 1000]), ([1, 0], [3, 5]), ([0, 0], [100, 200]), ([100, 200], [100, 200])]:
    for alternative in ("larger", "two-sided"):
        with np.errstate(all="ignore"):
            z, p = proportions_ztest(counts, nobs, alternative=alternative)
        print(f"proportions_ztest({counts}, {nobs}, alternative={alternative!r}) -> z={float(z)!r}, p={float(p)!r}")

print("\n## Benjamini-Hochberg")
for p in [
    [0.01, 0.04, 0.03, 0.2],
    [0.04, 0.001, 0.04, 0.5, 0.04, 0.0001, 0.9, 0.02],
    [0.0, 1.0, 0.5, 0.5, 0.049],
    [0.8, 0.9, 0.95],
    [0.3],
]:
    show(f"multipletests({p}, method='fdr_bh')[1]", multipletests(p, method="fdr_bh")[1])

print("\n## EWMA proportion chart")
# Statistic: pandas ewm(alpha=lambda, adjust=False) over [p0, p_1, ..., p_T] (periods with 0 trials
# removed, their value carried). Limits: the closed-form variance
# sigma_t^2 = p0 (1 - p0) * sum_{i<=t} lambda^2 (1 - lambda)^(2 (t - i)) / n_i, not the recursion the code uses.
def ewma_reference(successes, trials, p0, lam, width):
    observed = [(x / n, n) for x, n in zip(successes, trials) if n > 0]
    z = pd.Series([p0] + [p for p, _ in observed]).ewm(alpha=lam, adjust=False).mean().to_numpy()[1:]
    sizes = np.array([n for _, n in observed], dtype=float)
    sd = np.array([np.sqrt(p0 * (1 - p0) * np.sum(lam**2 * (1 - lam) ** (2 * (t - np.arange(t + 1))) / sizes[: t + 1])) for t in range(len(sizes))])
    return z.tolist(), (p0 + width * sd).tolist(), np.maximum(0, p0 - width * sd).tolist()

for successes, trials, p0, lam, width in [([5, 6, 15, 18], [100, 100, 100, 100], 0.05, 0.2, 3.0),
                                          ([3, 0, 4, 9, 2, 14, 12], [80, 0, 120, 95, 40, 150, 110], 0.04, 0.3, 2.7)]:
    z, upper, lower = ewma_reference(successes, trials, p0, lam, width)
    print(f"ewma_reference({successes}, {trials}, p0={p0}, lambda={lam}, L={width}) (periods with trials only):")
    print(f"  z = {z!r}\n  upper = {upper!r}\n  lower = {lower!r}")
