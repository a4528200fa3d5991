#!/usr/bin/env python3
"""Generate reliability reference values for manyi-core's tests.

This script writes ``reliability_reference.json`` next to itself. The file holds
Cronbach's alpha (raw and standardised), its Feldt 95% confidence interval and
per-item statistics (corrected item-total correlation ``r_drop``, alpha if the
item is deleted, mean, sd, n) for:

* the five scales of R psych's ``bfi`` data set (``psych_bfi.csv``), scored with
  psych's documented keys (reverse-keyed items scored 7 - x on the 1-6 scale);
* the data sets used in the examples of ``pingouin.cronbach_alpha``'s docstring
  (``pingouin_cronbach_alpha.csv`` and ``pingouin_cronbach_wide_missing.csv``,
  written by this script from the installed pingouin package).

Every figure is computed here from ``pandas.DataFrame.cov()`` (pairwise complete
observations, ddof = 1, the same as R's ``cov(x, use = "pairwise")``) with the
formulas psych::alpha uses, and is cross-checked against
``pingouin.cronbach_alpha``. Values printed in psych's own documentation (and
one third-party psych::alpha printout) are recorded under ``published`` so that
the Rust tests can also be compared with what analysts see in R.

Run it from anywhere; it needs numpy, pandas, scipy and pingouin:

    python3 crates/manyi-core/tests/data/gen_reliability_reference.py
"""

from __future__ import annotations

import inspect
import json
import math
import platform
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pingouin as pg
import scipy
from scipy.stats import f as f_dist

HERE = Path(__file__).resolve().parent
OUT = HERE / "reliability_reference.json"

# psych's documented scoring keys for bfi (see ?bfi, `bfi.keys`); a leading "-"
# marks a reverse-keyed item.
BFI_KEYS = {
    "agree": ["-A1", "A2", "A3", "A4", "A5"],
    "conscientious": ["C1", "C2", "C3", "-C4", "-C5"],
    "extraversion": ["-E1", "-E2", "E3", "E4", "E5"],
    "neuroticism": ["N1", "N2", "N3", "N4", "N5"],
    "openness": ["O1", "-O2", "O3", "O4", "-O5"],
}

# Sources of the published values below. The vignette was read from the PDF
# shipped in psychTools 2.5.3 (inst/doc/overview.pdf of the CRAN mirror
# cran/psychTools, commit 79df514), which was built with psych 2.5.3.
SRC_OVERVIEW = (
    "W. Revelle, 'An introduction to the psych package: Part II. Scale construction and "
    "psychometrics' (vignette 'overview', March 23, 2025), psychTools 2.5.3, "
    "inst/doc/overview.pdf (CRAN mirror github.com/cran/psychTools, commit 79df514)"
)
SRC_NOTEBOOK = (
    "Third-party psych::alpha printout: github.com/CaseyGio/Psyc6263, "
    "Wk05/Wk5_Reliability_demonstration.ipynb (commit 9e857e3, 2025-06-25; psych version "
    "not printed), cell `alpha(AgreeItems)` where AgreeItems = bfi A1..A5 with A1 <- 7 - A1"
)

# scoreItems(keys.list, bfi) on p. 53 of the vignette. Note: scoreItems imputes
# missing responses with the item median by default (impute = "median") before
# computing this alpha, so it is NOT the pairwise-deletion alpha computed here;
# agreement is only expected to about +-0.01.
OVERVIEW_SCOREITEMS_RAW = {
    "agree": 0.70, "conscientious": 0.72, "extraversion": 0.76,
    "neuroticism": 0.81, "openness": 0.60,
}
# scoreItems(keys.list, r.bfi) with r.bfi <- cor(bfi, use = "pairwise"), p. 54:
# "(standardized) alpha on the diagonal". This is alpha of the pairwise
# correlation matrix, i.e. psych's std.alpha.
OVERVIEW_SCOREITEMS_STD = {
    "agree": 0.71, "conscientious": 0.73, "extraversion": 0.76,
    "neuroticism": 0.815, "openness": 0.61,
}
# reliability(keys.list, r.bfi) on p. 56, column "alpha" (also from r.bfi, so
# standardised alpha).
OVERVIEW_RELIABILITY_ALPHA = {
    "agree": 0.71, "conscientious": 0.73, "extraversion": 0.76,
    "neuroticism": 0.81, "openness": 0.61,
}
# psych::alpha printout for the agreeableness items (A1 reversed by hand).
NOTEBOOK_AGREE = {
    "raw_alpha": 0.70,
    "std.alpha": 0.71,
    "feldt_95": [0.69, 0.72],
    "alpha_if_deleted_raw": {"A1": 0.72, "A2": 0.62, "A3": 0.60, "A4": 0.69, "A5": 0.64},
    "alpha_if_deleted_std_3dp": {"A1": 0.725, "A2": 0.625, "A3": 0.613, "A4": 0.693, "A5": 0.655},
    "r.drop": {"A1": 0.31, "A2": 0.56, "A3": 0.59, "A4": 0.39, "A5": 0.49},
    "item_mean_1dp": {"A1": 4.6, "A2": 4.8, "A3": 4.6, "A4": 4.7, "A5": 4.6},
    "item_sd_1dp": {"A1": 1.4, "A2": 1.2, "A3": 1.3, "A4": 1.5, "A5": 1.3},
    "item_n": {"A1": 2784, "A2": 2773, "A3": 2774, "A4": 2781, "A5": 2784},
}


def raw_alpha(c: np.ndarray) -> float:
    """Cronbach's alpha of a covariance matrix: k/(k-1) * (1 - tr(C)/sum(C))."""
    k = c.shape[0]
    return k / (k - 1) * (1.0 - np.trace(c) / c.sum())


def std_alpha(r: np.ndarray) -> float:
    """Standardised alpha of a correlation matrix: k/(k-1) * (1 - k/sum(R))."""
    k = r.shape[0]
    return k / (k - 1) * (1.0 - k / r.sum())


def feldt_ci(alpha: float, n: int, k: int) -> list[float]:
    """Feldt, Woodruff & Salih (1987) 95% interval, as psych::alpha.ci computes it."""
    df1 = n - 1
    df2 = (n - 1) * (k - 1)
    lower = 1.0 - (1.0 - alpha) * f_dist.ppf(0.975, df1, df2)
    upper = 1.0 - (1.0 - alpha) * f_dist.ppf(0.025, df1, df2)
    return [float(lower), float(upper)]


def reliability(items: pd.DataFrame, nan_policy: str = "pairwise") -> dict:
    """All reference figures for one scale whose items are already reverse-coded.

    With ``nan_policy="listwise"`` every row with a missing item is dropped
    before anything is computed (n, item statistics, covariances); ``nrows``
    still counts the rows given, because that is the n psych::alpha and
    pingouin put into the Feldt interval.
    """
    nrows = int(len(items))
    n_all_missing = int(items.isna().all(axis=1).sum())
    if nan_policy == "listwise":
        items = items.dropna(axis=0, how="any")
    cov = items.cov()  # pairwise complete observations, ddof = 1
    c = cov.to_numpy()
    k = c.shape[0]
    d = np.sqrt(np.diag(c))
    # The brief's std alpha: R = cov2cor(C).
    r_cov2cor = c / np.outer(d, d)
    # psych >= 2.4 computes std.alpha from cor(x, use = "pairwise") instead of
    # cov2cor(C) (see the comment "cov2cor(C) != R" in psych's R/alpha.R). With
    # missing data the two differ slightly, so both are recorded.
    r_pairwise = items.corr().to_numpy()

    # A row counts towards n when it answered at least one item of the scale.
    answered = items.notna().any(axis=1)
    n = int(answered.sum())

    total = c.sum()
    colsum = c.sum(axis=0)
    stats = {}
    for i, name in enumerate(items.columns):
        keep = [j for j in range(k) if j != i]
        rest_var = total - 2.0 * colsum[i] + c[i, i]
        col = items[name].dropna()
        stats[name] = {
            "r_drop": float((colsum[i] - c[i, i]) / math.sqrt(c[i, i] * rest_var)),
            "alpha_if_deleted": float(raw_alpha(c[np.ix_(keep, keep)])),
            "alpha_if_deleted_std": float(std_alpha(r_cov2cor[np.ix_(keep, keep)])),
            "mean": float(col.mean()),
            "sd": float(col.std(ddof=1)),
            "n": int(col.size),
        }

    raw = float(raw_alpha(c))
    return {
        "n": n,
        "nrows": nrows,
        "n_all_missing": n_all_missing,
        "n_dropped_listwise": nrows - n_all_missing - n,
        "alpha": {
            "raw": raw,
            "std": float(std_alpha(r_cov2cor)),
            "std_pairwise_cor": float(std_alpha(r_pairwise)),
            "ci95": feldt_ci(raw, n, k),
            # psych::alpha and pingouin pass all rows given (nrow(x) /
            # data.shape[0], taken before listwise deletion) as n, including
            # rows with no answer at all; identical to ci95 whenever
            # n == nrows.
            "ci95_nrows": feldt_ci(raw, nrows, k),
        },
        "items_stats": stats,
    }


def pingouin_check(items: pd.DataFrame, ours: dict, nan_policy: str) -> dict:
    """Run pingouin on the same data and assert it agrees with our figures.

    ``items`` is the data before any listwise deletion: pingouin drops the rows
    itself, after taking n from the full data.
    """
    p_alpha, p_ci = pg.cronbach_alpha(data=items, nan_policy=nan_policy)
    p_alpha = float(p_alpha)
    p_ci = [float(x) for x in p_ci]
    assert abs(p_alpha - ours["alpha"]["raw"]) <= 1e-12, (p_alpha, ours["alpha"]["raw"])
    # pingouin's n is every row it was given, so compare with the interval that
    # uses the same n; on all data sets here that equals ci95 (asserted below).
    ours_rounded = [round(x, 3) for x in ours["alpha"]["ci95_nrows"]]
    assert ours_rounded == p_ci, (ours_rounded, p_ci)
    return {
        "call": f"pingouin.cronbach_alpha(data, nan_policy={nan_policy!r})",
        "alpha": p_alpha,
        "ci95_rounded": p_ci,
    }


def docstring_examples() -> list[dict]:
    """Parse the `>>> pg.cronbach_alpha(...)` examples and their printed results.

    Parsing the installed docstring (rather than copying it by hand) keeps the
    recorded "printed" values tied to the pingouin version actually used.
    """
    doc = inspect.getdoc(pg.cronbach_alpha)
    pattern = re.compile(
        r">>> (pg\.cronbach_alpha\(.*?\))\n"
        r"\((?:np\.float64\()?([-0-9.e]+)\)?, array\(\[\s*([-0-9.e]+),\s*([-0-9.e]+)\s*\]\)\)"
    )
    out = []
    for m in pattern.finditer(doc):
        out.append({
            "call": m.group(1),
            "printed": m.group(0).split("\n", 1)[1],
            "alpha": float(m.group(2)),
            "ci95_rounded": [float(m.group(3)), float(m.group(4))],
        })
    return out


def find_example(examples: list[dict], needle: str) -> dict:
    hits = [e for e in examples if needle in e["call"]]
    assert len(hits) == 1, (needle, examples)
    return hits[0]


def write_int_csv(df: pd.DataFrame, path: Path) -> None:
    """Write integer-valued data with empty cells for missing values."""
    df.astype("Int64").to_csv(path, index=False)


def bfi_cases() -> list[dict]:
    bfi = pd.read_csv(HERE / "psych_bfi.csv")
    cases = []
    for scale, keys in BFI_KEYS.items():
        names = [k.lstrip("-") for k in keys]
        reverse = [k[1:] for k in keys if k.startswith("-")]
        items = bfi[names].astype("float64").copy()
        for col in reverse:
            # psych reverses with max + min of the response scale (1 + 6).
            items[col] = 7.0 - items[col]
        res = reliability(items)
        assert res["alpha"]["ci95"] == res["alpha"]["ci95_nrows"]
        case = {
            "name": f"bfi_{scale}",
            "data": "psych_bfi.csv",
            "items": names,
            "reverse": reverse,
            "scale_min": 1,
            "scale_max": 6,
            "nan_policy": "pairwise",
            **res,
            "pingouin": pingouin_check(items, res, "pairwise"),
            "published": bfi_published(scale),
        }
        check_published(case)
        cases.append(case)
    return cases


def bfi_published(scale: str) -> dict:
    sources = [
        {
            "source": SRC_OVERVIEW + ", p. 53",
            "call": "scoreItems(keys.list, bfi)",
            "note": "'(Unstandardized) Alpha'; scoreItems imputes missing values with item "
                    "medians by default, so this is not the pairwise alpha (expect +-0.01)",
            "verified": True,
            "raw_alpha": OVERVIEW_SCOREITEMS_RAW[scale],
        },
        {
            "source": SRC_OVERVIEW + ", p. 54",
            "call": 'scoreItems(keys.list, cor(bfi, use = "pairwise"))',
            "note": "diagonal of the printed matrix: alpha of the pairwise correlation matrix "
                    "(standardised alpha)",
            "verified": True,
            "std.alpha": OVERVIEW_SCOREITEMS_STD[scale],
        },
        {
            "source": SRC_OVERVIEW + ", p. 56",
            "call": 'reliability(keys.list, cor(bfi, use = "pairwise"), plot = FALSE)',
            "note": "column 'alpha' (from a correlation matrix, so standardised alpha)",
            "verified": True,
            "std.alpha": OVERVIEW_RELIABILITY_ALPHA[scale],
        },
    ]
    if scale == "agree":
        sources.append({
            "source": SRC_NOTEBOOK,
            "call": "psych::alpha(bfi[, c('A1','A2','A3','A4','A5')] with A1 <- 7 - A1)",
            "note": "third-party output of psych::alpha itself (2-decimal print)",
            "verified": True,
            **NOTEBOOK_AGREE,
        })
    return {"sources": sources}


def check_published(case: dict) -> None:
    """Fail loudly if a published, rounded value disagrees with ours."""
    a = case["alpha"]
    for src in case["published"]["sources"]:
        tol = 0.011 if "imputes" in src["note"] else 0.0051
        if "raw_alpha" in src:
            assert abs(src["raw_alpha"] - a["raw"]) <= tol, (case["name"], src, a)
        if "std.alpha" in src:
            # The published std.alpha comes from cor(use = "pairwise").
            assert abs(src["std.alpha"] - a["std_pairwise_cor"]) <= tol, (case["name"], src, a)
        if "feldt_95" in src:
            for got, want in zip(a["ci95_nrows"], src["feldt_95"]):
                assert abs(got - want) <= tol, (case["name"], src, a)
        for key, ours_key in (("r.drop", "r_drop"), ("alpha_if_deleted_raw", "alpha_if_deleted")):
            for item, want in src.get(key, {}).items():
                got = case["items_stats"][item][ours_key]
                assert abs(got - want) <= 0.0051, (case["name"], item, key, got, want)
        for item, want in src.get("item_n", {}).items():
            assert case["items_stats"][item]["n"] == want, (item, want)


def pingouin_cases() -> list[dict]:
    examples = docstring_examples()
    cases = []

    # Likert-type long-format example, pivoted to wide exactly as pingouin
    # does (index = subject, columns = items). pivot sorts columns as strings
    # (Q1, Q10, Q2, ...); alpha does not depend on column order, so the CSV
    # keeps the natural order Q1..Q10 for readability.
    long = pg.read_dataset("cronbach_alpha")
    wide = long.pivot(index="Subj", columns="Items", values="Scores")
    order = sorted(wide.columns, key=lambda s: int(s[1:]))
    wide = wide[order]
    write_int_csv(wide, HERE / "pingouin_cronbach_alpha.csv")
    items = pd.read_csv(HERE / "pingouin_cronbach_alpha.csv").astype("float64")
    res = reliability(items)
    actual_alpha, actual_ci = pg.cronbach_alpha(
        data=long, items="Items", scores="Scores", subject="Subj")
    doc = find_example(examples, 'items="Items"')
    check = pingouin_check(items, res, "pairwise")
    assert abs(float(actual_alpha) - res["alpha"]["raw"]) <= 1e-12
    cases.append({
        "name": "pingouin_cronbach_alpha",
        "data": "pingouin_cronbach_alpha.csv",
        "items": order,
        "reverse": [],
        "scale_min": int(long["Scores"].min()),
        "scale_max": int(long["Scores"].max()),
        "scale_note": "scale_min/scale_max are the observed range; no item is reversed",
        "nan_policy": "pairwise",
        **res,
        "pingouin": {
            **check,
            "docstring": doc,
            "docstring_call_actual": {
                "alpha": float(actual_alpha),
                "ci95_rounded": [float(x) for x in actual_ci],
            },
        },
        "published": {"sources": [{
            "source": f"pingouin {pg.__version__} docstring of pingouin.cronbach_alpha",
            "verified": True,
            "printed": doc["printed"],
        }]},
    })

    # Binary wide-format example with missing values: pairwise (default) and
    # listwise deletion are both documented, so both become cases.
    missing = pg.read_dataset("cronbach_wide_missing")
    write_int_csv(missing, HERE / "pingouin_cronbach_wide_missing.csv")
    items = pd.read_csv(HERE / "pingouin_cronbach_wide_missing.csv").astype("float64")
    names = list(items.columns)
    median_alpha, median_ci = pg.cronbach_alpha(data=items.fillna(items.median()))
    for policy, needle in (("pairwise", "cronbach_alpha(data=data)"),
                           ("listwise", 'nan_policy="listwise"')):
        res = reliability(items, policy)
        doc = find_example(examples, needle)
        check = pingouin_check(items, res, policy)
        pingouin_rec = {**check, "docstring": doc}
        if policy == "pairwise":
            # The docstring's third example imputes column medians first; it is
            # kept here for completeness (our figures do not impute).
            pingouin_rec["docstring_median_imputed"] = {
                **find_example(examples, "fillna"),
                "actual_alpha": float(median_alpha),
                "actual_ci95_rounded": [float(x) for x in median_ci],
            }
        cases.append({
            "name": f"pingouin_cronbach_wide_missing_{policy}",
            "data": "pingouin_cronbach_wide_missing.csv",
            "items": names,
            "reverse": [],
            "scale_min": 0,
            "scale_max": 1,
            "scale_note": "binary items; no item is reversed",
            "nan_policy": policy,
            "nan_policy_note": "listwise: drop every row with any missing item before all "
                               "computations (n and item stats refer to the kept rows; nrows "
                               "is the rows in the file, which psych and pingouin use as the "
                               "Feldt n, hence ci95_nrows)"
                               if policy == "listwise" else
                               "pairwise: covariances over pairwise complete observations",
            **res,
            "pingouin": pingouin_rec,
            "published": {"sources": [{
                "source": f"pingouin {pg.__version__} docstring of pingouin.cronbach_alpha",
                "verified": True,
                "printed": doc["printed"],
            }]},
        })
    for case in cases:
        doc = case["pingouin"]["docstring"]
        # The docstring prints alpha with repr; it must match ours to 1e-12.
        assert abs(doc["alpha"] - case["alpha"]["raw"]) <= 1e-12, case["name"]
        assert doc["ci95_rounded"] == case["pingouin"]["ci95_rounded"], case["name"]
    return cases


def main() -> int:
    cases = bfi_cases() + pingouin_cases()
    ref = {
        "generated_by": "crates/manyi-core/tests/data/gen_reliability_reference.py",
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "scipy": scipy.__version__,
            "pingouin": pg.__version__,
        },
        "definitions": {
            "C": "pandas DataFrame.cov() of the reverse-coded items (pairwise complete, ddof=1)",
            "raw": "k/(k-1)*(1 - trace(C)/sum(C))",
            "std": "k/(k-1)*(1 - k/sum(R)), R = cov2cor(C)",
            "std_pairwise_cor": "k/(k-1)*(1 - k/sum(R)), R = DataFrame.corr() (R: cor(x, "
                                "use='pairwise')), which is what psych 2.5.3 alpha() prints "
                                "as std.alpha",
            "ci95": "Feldt: 1-(1-raw)*F.ppf(0.975|0.025, n-1, (n-1)(k-1)), n = rows with at "
                    "least one non-missing item",
            "ci95_nrows": "same with n = nrows (all rows), as psych::alpha and pingouin do",
            "r_drop": "(colsum_i(C)-C_ii)/sqrt(C_ii*(sum(C)-2*colsum_i(C)+C_ii))",
            "alpha_if_deleted": "raw alpha of C without row/column i",
            "alpha_if_deleted_std": "std alpha of cov2cor(C) without row/column i",
            "mean_sd": "of the reverse-coded item over non-missing values, ddof=1",
        },
        "cases": cases,
    }
    with OUT.open("w") as fh:
        json.dump(ref, fh, indent=1)
        fh.write("\n")
    for case in cases:
        a = case["alpha"]
        print(f"{case['name']:42s} n={case['n']:5d} nrows={case['nrows']:5d} "
              f"raw={a['raw']:.6f} std={a['std']:.6f} std_cor={a['std_pairwise_cor']:.6f} "
              f"ci95=[{a['ci95'][0]:.6f}, {a['ci95'][1]:.6f}]")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
