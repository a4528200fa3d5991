#!/usr/bin/env python3
"""numpy/pandas implementation of manyi's benchmark report.

The Rust benchmark program generates a survey CSV, runs manyi's report on it,
runs this script on the same file and compares the figures (relative tolerance
1e-9). This script is the "what a competent analyst would write" baseline:
idiomatic, vectorised pandas/numpy, neither deliberately slow nor exotic.

Usage: python3 bench/report_pandas.py DATA.csv

Input columns: ``id,submitted_at,meta.channel,q01,...,q20``; ``submitted_at`` is
RFC 3339 with a UTC offset, q01..q20 are integers 1..7 with empty cells for
missing answers.

Output: one JSON object on stdout with the keys ``n``, ``questions``,
``dimensions``, ``composite``, ``segments``, ``buckets``, ``timing`` (the
figures the Rust side compares) and ``implementation`` (library versions, for
the benchmark log). Undefined statistics (e.g. an sd from one value) are
written as ``null``.

Definitions (the same as manyi's report):

* questions: n, mean and sd (ddof 1) of the raw answers, and the counts of the
  values 1..7;
* item percent: (coded - 1) / 6 * 100, where coded = 8 - x for the reversed
  items q05, q10, q15, q20 and x otherwise;
* dimension score of a response: mean percent of its answered items in the
  dimension, missing when none is answered; reliability figures (Cronbach's
  alpha, standardised alpha, Feldt 95 % interval, r_drop, alpha if deleted)
  from the pairwise covariance matrix of the coded items;
* composite: item weight = dimension weight / 5; weighted mean percent over the
  answered items, missing when the answered weight is less than half of the
  total weight;
* segments: by ``meta.channel``; buckets: by calendar month in UTC+08:00.
"""

from __future__ import annotations

import json
import math
import platform
import sys
import time
from datetime import timedelta, timezone
from fractions import Fraction

import numpy as np
import pandas as pd
import scipy
from scipy import stats

QUESTIONS = [f"q{i:02d}" for i in range(1, 21)]
DIMENSIONS = {f"d{d + 1}": QUESTIONS[d * 5:(d + 1) * 5] for d in range(4)}
# Weights are written as decimal strings so they can also be turned into exact
# fractions for the 50 % threshold below.
DIMENSION_WEIGHTS = {"d1": "0.4", "d2": "0.3", "d3": "0.2", "d4": "0.1"}
REVERSED = ["q05", "q10", "q15", "q20"]
SCALE_MIN, SCALE_MAX = 1, 7
MIN_ANSWERED_WEIGHT = Fraction(1, 2)
BUCKET_TZ = timezone(timedelta(hours=8))


def num(x) -> float | None:
    """A JSON-safe float: NaN and infinities (undefined statistics) become null."""
    x = float(x)
    return x if math.isfinite(x) else None


def load(path: str) -> pd.DataFrame:
    """Read the CSV and parse ``submitted_at`` into timezone-aware datetimes.

    The q columns are read as float64 with NaN for missing answers rather than
    as nullable Int64. Both parse at about the same speed (measured on 1M
    rows), but with float64 every later step (cov, row means, the weighted
    sums as matrix products) runs on plain numpy arrays, with no mask handling
    and no conversion copy; small integers are exact in float64, so nothing is
    lost. The channel is read as a categorical because it has few distinct
    values, which makes the group-by cheap.
    """
    df = pd.read_csv(
        path,
        dtype={"submitted_at": str, "meta.channel": "category",
               **{q: "float64" for q in QUESTIONS}},
    )
    # Offsets vary between rows, so parse to UTC; a single fixed-offset dtype
    # cannot hold mixed offsets. format="ISO8601" selects pandas' fast RFC 3339
    # path instead of per-row format inference.
    df["submitted_at"] = pd.to_datetime(df["submitted_at"], format="ISO8601", utc=True)
    return df


def question_figures(raw: pd.DataFrame) -> dict:
    """n, mean, sd and the 1..7 distribution of the raw (not reversed) answers."""
    values = raw.to_numpy()
    counts = np.stack([(values == v).sum(axis=0) for v in range(SCALE_MIN, SCALE_MAX + 1)],
                      axis=1)
    n = raw.count()
    mean = raw.mean()
    sd = raw.std(ddof=1)
    return {
        q: {
            "n": int(n[q]),
            "mean": num(mean[q]),
            "sd": num(sd[q]),
            "distribution": [int(c) for c in counts[i]],
        }
        for i, q in enumerate(QUESTIONS)
    }


def alpha_figures(coded: pd.DataFrame, n: int) -> dict:
    """Cronbach's alpha, standardised alpha, Feldt interval and per-item figures.

    ``coded`` holds one dimension's coded items; ``n`` is the number of
    responses with at least one answered item in it (the Feldt n).
    """
    c = coded.cov().to_numpy()  # pairwise complete observations, ddof = 1
    k = c.shape[0]
    total = c.sum()
    colsum = c.sum(axis=0)
    diag = np.diag(c)

    raw = k / (k - 1) * (1.0 - diag.sum() / total)
    # Standardised alpha from the pairwise correlation matrix, as psych's alpha() computes
    # it since 2024 (cor(x, use = "pairwise")), which is pandas' DataFrame.corr().
    r = coded.corr().to_numpy()
    std = k / (k - 1) * (1.0 - k / r.sum())

    df1 = n - 1
    df2 = (n - 1) * (k - 1)
    ci95 = [1.0 - (1.0 - raw) * stats.f.ppf(0.975, df1, df2),
            1.0 - (1.0 - raw) * stats.f.ppf(0.025, df1, df2)]

    # Dropping item i: the rest's total variance is sum(C) - 2 colsum_i + C_ii
    # and its trace is trace(C) - C_ii, so no sub-matrix has to be rebuilt.
    rest_total = total - 2.0 * colsum + diag
    r_drop = (colsum - diag) / np.sqrt(diag * rest_total)
    alpha_if_deleted = (k - 1) / (k - 2) * (1.0 - (diag.sum() - diag) / rest_total)

    return {
        "alpha": {"raw": num(raw), "std": num(std), "ci95": [num(ci95[0]), num(ci95[1])]},
        "items": {
            q: {"r_drop": num(r_drop[i]), "alpha_if_deleted": num(alpha_if_deleted[i])}
            for i, q in enumerate(coded.columns)
        },
    }


def exact_weight_units() -> tuple[np.ndarray, int]:
    """Item weights as integers proportional to W_d / 5, and their total.

    The composite's rule "missing when answered weight / total weight < 0.5"
    must be decided exactly: in float64 the weights 0.08 and 0.02 of a response
    that answered exactly d1 and d4 sum to 0.5 but the ratio to the float total
    (1.0000000000000004) is 0.4999999999999998, which would wrongly drop it.
    Scaling the exact decimal weights to integers makes the test exact.
    """
    fractions = [Fraction(DIMENSION_WEIGHTS[d]) / len(items)
                 for d, items in DIMENSIONS.items() for _ in items]
    scale = math.lcm(*(f.denominator for f in fractions))
    units = np.array([int(f * scale) for f in fractions], dtype=np.int64)
    return units, int(units.sum())


def compute(df: pd.DataFrame) -> dict:
    """Every figure of the report, from the loaded data."""
    raw = df[QUESTIONS]
    coded = raw.copy()
    coded[REVERSED] = (SCALE_MIN + SCALE_MAX) - coded[REVERSED]
    pct = (coded - SCALE_MIN) / (SCALE_MAX - SCALE_MIN) * 100.0

    out: dict = {"n": int(len(df)), "questions": question_figures(raw), "dimensions": {}}

    for d, items in DIMENSIONS.items():
        # DataFrame.mean(axis=1) skips NaN and yields NaN for a response that
        # answered none of the dimension's items, which is exactly "missing".
        score = pct[items].mean(axis=1)
        n_d = int(score.count())
        out["dimensions"][d] = {
            "score": num(score.mean()),
            "n": n_d,
            "sd": num(score.std(ddof=1)),
            **alpha_figures(coded[items], n_d),
        }

    # Composite: weighted mean percent over the answered items.
    weights = np.array([float(Fraction(DIMENSION_WEIGHTS[d])) / len(items)
                        for d, items in DIMENSIONS.items() for _ in items])
    units, units_total = exact_weight_units()
    pct_values = pct.to_numpy()
    answered = ~np.isnan(pct_values)
    weighted_sum = np.where(answered, pct_values, 0.0) @ weights
    answered_weight = answered @ weights
    enough = 2 * (answered @ units) >= units_total  # exact "ratio >= 0.5"
    composite = pd.Series(np.where(enough, weighted_sum / np.where(enough, answered_weight, 1.0),
                                   np.nan), index=df.index)

    c_n = int(composite.count())
    c_mean = composite.mean()
    c_sd = composite.std(ddof=1)
    half = stats.t.ppf(0.975, c_n - 1) * c_sd / math.sqrt(c_n) if c_n > 1 else math.nan
    out["composite"] = {
        "mean": num(c_mean),
        "sd": num(c_sd),
        "n": c_n,
        "ci95": [num(c_mean - half), num(c_mean + half)],
    }

    # Segments: rows per channel and the mean of the non-missing composites.
    seg = composite.groupby(df["meta.channel"], observed=True).agg(["size", "mean"])
    out["segments"] = {str(ch): {"n": int(row["size"]), "mean": num(row["mean"])}
                       for ch, row in seg.iterrows()}

    # Buckets: calendar month in UTC+08:00. Grouping on integer year and month
    # avoids formatting a string for every row; only the keys are formatted.
    local = df["submitted_at"].dt.tz_convert(BUCKET_TZ)
    bkt = composite.groupby([local.dt.year.rename("y"), local.dt.month.rename("m")]).agg(
        ["size", "mean"])
    out["buckets"] = {f"{y:04d}-{m:02d}": {"n": int(row["size"]), "mean": num(row["mean"])}
                      for (y, m), row in bkt.iterrows()}
    return out


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    df = load(sys.argv[1])
    t1 = time.perf_counter()
    report = compute(df)
    t2 = time.perf_counter()
    report["timing"] = {"load_s": t1 - t0, "compute_s": t2 - t1, "total_s": t2 - t0}
    report["implementation"] = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scipy": scipy.__version__,
        "csv_engine": "pandas C parser",
    }
    json.dump(report, sys.stdout, allow_nan=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
