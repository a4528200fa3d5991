#!/usr/bin/env python3
"""Generate reference values for the significance tests of a period comparison.

This script writes ``comparison_reference.json`` next to itself: cases for
``manyi_core::report::compare_proportions`` (the pooled two-proportion z-test of the CSAT
top-2-box shares) and ``manyi_core::report::compare_means`` (Welch's t-test of the CES and
composite means), each with scipy's values.

* Proportions: ``z = (p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2))`` with the pooled share
  ``p``; the two-sided p-value is ``2 * scipy.stats.norm.sf(|z|)``. The same z is checked against
  ``scipy.stats.chi2_contingency(..., correction=False)``, whose statistic is z squared for a
  2 x 2 table and whose p-value is the same, so the formula is not only our own.
* Means: ``scipy.stats.ttest_ind_from_stats(m1, s1, n1, m2, s2, n2, equal_var=False)`` gives t
  and the p-value; the Welch-Satterthwaite degrees of freedom are written out by hand and checked
  against ``scipy.stats.ttest_ind(a, b, equal_var=False).df`` on generated samples with those
  moments.

Run it from anywhere with scipy installed (a virtual environment is enough):

    python3 crates/manyi-core/tests/data/gen_comparison_reference.py
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import scipy
from scipy import stats

PROPORTIONS = [
    # hits_a, n_a, hits_b, n_b
    (45, 60, 30, 60),
    (7, 10, 5, 10),
    (812, 1000, 790, 1000),
    (3, 4, 1, 5),
    (0, 12, 2, 9),
    (50000, 100000, 49500, 100000),
    (9, 9, 5, 7),
]

MEANS = [
    # mean_a, sd_a, n_a, mean_b, sd_b, n_b
    (5.2, 1.1, 40, 4.6, 1.5, 35),
    (72.5, 12.0, 8, 65.0, 20.0, 5),
    (3.0, 0.5, 2, 3.4, 0.9, 3),
    (61.25, 18.4, 2500, 60.9, 19.1, 2400),
    (4.0, 1.2, 30, 4.0, 0.8, 30),
]


def proportion_case(ha: int, na: int, hb: int, nb: int) -> dict:
    pa, pb = ha / na, hb / nb
    pooled = (ha + hb) / (na + nb)
    se = math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
    z = (pa - pb) / se
    p = 2 * stats.norm.sf(abs(z))
    chi2, chi_p, _, _ = stats.chi2_contingency(
        [[ha, na - ha], [hb, nb - hb]], correction=False
    )
    assert math.isclose(chi2, z * z, rel_tol=1e-9), (chi2, z * z)
    assert math.isclose(chi_p, p, rel_tol=1e-9), (chi_p, p)
    return {
        "hits_a": ha,
        "n_a": na,
        "hits_b": hb,
        "n_b": nb,
        "difference": 100 * (pa - pb),
        "z": z,
        "p_value": p,
    }


def sample(mean: float, sd: float, n: int) -> np.ndarray:
    """n values with exactly this mean and sample standard deviation (ddof = 1)."""
    base = np.linspace(-1.0, 1.0, n)
    base = base - base.mean()
    base = base / base.std(ddof=1)
    return mean + sd * base


def mean_case(ma: float, sa: float, na: int, mb: float, sb: float, nb: int) -> dict:
    result = stats.ttest_ind_from_stats(ma, sa, na, mb, sb, nb, equal_var=False)
    va, vb = sa * sa / na, sb * sb / nb
    df = (va + vb) ** 2 / (va * va / (na - 1) + vb * vb / (nb - 1))
    raw = stats.ttest_ind(sample(ma, sa, na), sample(mb, sb, nb), equal_var=False)
    assert math.isclose(raw.df, df, rel_tol=1e-9), (raw.df, df)
    assert math.isclose(raw.statistic, result.statistic, rel_tol=1e-9, abs_tol=1e-12)
    return {
        "mean_a": ma,
        "sd_a": sa,
        "n_a": na,
        "mean_b": mb,
        "sd_b": sb,
        "n_b": nb,
        "difference": ma - mb,
        "se": math.sqrt(va + vb),
        "t": float(result.statistic),
        "df": df,
        "p_value": float(result.pvalue),
    }


def main() -> None:
    out = {
        "generator": "gen_comparison_reference.py",
        "scipy": scipy.__version__,
        "proportions": [proportion_case(*c) for c in PROPORTIONS],
        "means": [mean_case(*c) for c in MEANS],
    }
    path = Path(__file__).with_name("comparison_reference.json")
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
