# Reference values for the quality detection scan tests (binomial-tail-greater, poisson-rate-ratio-greater).
# Run: python3 scripts/reference/quality_scan_reference.py
import scipy, statsmodels, scipy.stats as st
from statsmodels.stats.rates import test_poisson_2indep
print('scipy', scipy.__version__, 'statsmodels', statsmodels.__version__)
for k, n, p in [(12, 40, 0.15), (0, 10, 0.3), (1, 1, 0.2), (5, 200, 0.01), (30, 60, 0.2), (300, 1000, 0.2), (3, 30, 0.5), (50, 5000, 0.002)]:
    print('binomtest', k, n, p, repr(st.binomtest(k, n, p, alternative='greater').pvalue))
for x1, e1, x2, e2 in [(12, 200, 30, 1500), (5, 80.5, 40, 2400), (0, 10, 5, 100), (40, 310.25, 60, 4800), (3, 25.7, 2, 900), (20, 1000, 200, 8000)]:
    print('poisson', x1, e1, x2, e2, repr(test_poisson_2indep(x1, e1, x2, e2, method='exact-cond', alternative='larger').pvalue))
# poisson-detection-power: critical count and power of a one-sided exact Poisson test
for l0, l1, a in [(6, 16.8, 1e-4), (0.9, 2.5, 1e-4), (30, 60, 1e-4), (2.5, 10, 0.001), (120, 180, 1e-5), (0.2, 0.6, 0.01)]:
    c = st.poisson.isf(a, l0) + 1
    print('power', l0, l1, a, int(c), repr(st.poisson.sf(c - 1, l1)))
# evaluate-fault-scan: windows of 7 and 14 days, 40 units a day; older week 1 fault a day (share 1), newest
# week 3 faults a day with shares .98 .95 .9 .8 .65 .45 .2 (the .2 day is below minReportedShare .25); baseline 45 / 2240
e7 = 40 * (0.98 + 0.95 + 0.9 + 0.8 + 0.65 + 0.45)
for name, x1, e1 in [('scan w7', 18, e7), ('scan w14', 25, 280 + e7)]:
    print(name, x1, e1, repr(test_poisson_2indep(x1, e1, 45, 2240, method='exact-cond', alternative='larger').pvalue))
# reported-share: cumulative share at an offset, linear inside the hour
import numpy as np
counts = np.array([0, 3, 5, 8, 4, 0, 2], dtype=float)
cum = np.concatenate([[0], np.cumsum(counts)]) / counts.sum()
for offset in [0, 1.5, 3.25, 6.9, 7, 30]:
    print('share', offset, repr(float(np.interp(offset, np.arange(len(cum)), cum))))
