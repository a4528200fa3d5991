#!/usr/bin/env python3
"""Generate reference values for manyi-core's ``stats`` module.

This script writes ``stats_reference.json`` next to itself. Each case names a
public function of ``manyi_core::stats``, its arguments and two reference values:

* ``expected``: what scipy returns (``scipy.special`` / ``scipy.stats``), the
  values the report has to agree with;
* ``mpmath``: the exact value, computed with mpmath at 60 significant digits and
  rounded to the nearest double.

The mpmath values are computed independently of scipy and of the Rust code: the
regularized incomplete beta function is summed with the Numerical Recipes
continued fraction (a different expansion from the one the Rust code uses) with
``x^a (1-x)^b / B(a, b)`` from ``mpmath.loggamma``, all in 60-digit arithmetic,
and quantiles are found by Newton's method in that arithmetic. They show where
scipy itself is off (for example its normal tails near |z| = 37 are off by about
1e-13), so the Rust tests can hold the code to the exact values with a tight
tolerance and to scipy with the tolerance that scipy's own accuracy allows. The
script checks that scipy and mpmath agree to within the scipy tolerances that
``tests/stats_reference.rs`` uses (``SCIPY_REL`` below) and stops if they do not.

Run it from anywhere; it needs scipy and mpmath and takes a minute or so:

    python3 crates/manyi-core/tests/data/gen_stats_reference.py
"""

from __future__ import annotations

import json
import math
import platform
from pathlib import Path

import mpmath as mp
import numpy as np
import scipy
from scipy import special, stats

mp.mp.dps = 60

# Relative tolerances of the Rust test against scipy, per function, and the absolute floor used
# next to zero (for example for subnormal normal tails). Kept in step with SCIPY_REL in
# tests/stats_reference.rs; the script refuses to write data that scipy and mpmath do not agree
# on to within half of these. They are looser than the tolerances against mpmath where scipy
# itself is less accurate: its normal tails are off by up to 1.1e-13 near |z| = 37, and its
# incomplete beta by up to 5.4e-13 in the far tail of Beta(5e5, 2e6) and 1.5e-13 for f_cdf
# tails of order 1e-126.
SCIPY_REL = {
    "ln_gamma": 1e-13,
    "normal_cdf": 3e-13,
    "normal_sf": 3e-13,
    "normal_quantile": 1e-13,
    "reg_inc_beta": 2e-12,
    "f_cdf": 2e-12,
    "t_cdf": 1e-13,
    "f_quantile": 1e-10,
    "t_quantile": 1e-10,
}
ABS_FLOOR = 1e-300


# ---------------------------------------------------------------------------------------------
# mpmath reference implementations (60 digits)
# ---------------------------------------------------------------------------------------------


def _betacf(a, b, x):
    """Numerical Recipes' continued fraction for I_x(a, b), modified Lentz, in mp arithmetic."""
    tiny = mp.mpf(10) ** (-3 * mp.mp.dps)
    eps = mp.mpf(10) ** (-(mp.mp.dps - 5))
    qab, qap, qam = a + b, a + 1, a - 1
    c = mp.mpf(1)
    d = 1 - qab * x / qap
    if abs(d) < tiny:
        d = tiny
    d = 1 / d
    h = d
    m = 1
    while m < 10**7:
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1 + aa * d
        if abs(d) < tiny:
            d = tiny
        c = 1 + aa / c
        if abs(c) < tiny:
            c = tiny
        d = 1 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1 + aa * d
        if abs(d) < tiny:
            d = tiny
        c = 1 + aa / c
        if abs(c) < tiny:
            c = tiny
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < eps:
            return h
        m += 1
    raise RuntimeError(f"continued fraction did not converge for a={a}, b={b}, x={x}")


def mp_ibeta(a, b, x, y=None):
    """(I_x(a, b), 1 - I_x(a, b)) for mp numbers; y = 1 - x exactly unless given."""
    y = 1 - x if y is None else y
    if x == 0:
        return mp.mpf(0), mp.mpf(1)
    if y == 0:
        return mp.mpf(1), mp.mpf(0)
    log_front = (
        a * mp.log(x) + b * mp.log(y) - mp.loggamma(a) - mp.loggamma(b) + mp.loggamma(a + b)
    )
    front = mp.exp(log_front)
    if x < (a + 1) / (a + b + 2):
        lower = front * _betacf(a, b, x) / a
        return lower, 1 - lower
    upper = front * _betacf(b, a, y) / b
    return 1 - upper, upper


def mp_ibeta_inv(a, b, p, x0, y0):
    """(x, 1 - x) with I_x(a, b) = p, by Newton's method on the smaller of x and 1 - x."""
    q = 1 - p
    swap = x0 > y0
    if swap:
        a, b, p, q = b, a, q, p
        v = mp.mpf(y0)
    else:
        v = mp.mpf(x0)
    log_beta = mp.loggamma(a) + mp.loggamma(b) - mp.loggamma(a + b)
    for _ in range(200):
        lower, upper = mp_ibeta(a, b, v)
        residual = (lower - p) if p <= q else (q - upper)
        density = mp.exp((a - 1) * mp.log(v) + (b - 1) * mp.log(1 - v) - log_beta)
        step = residual / density
        new = v - step
        if new <= 0:
            new = v / 4
        elif new >= 1:
            new = (1 + v) / 2
        v = new
        if abs(step) < v * mp.mpf(10) ** (-(mp.mp.dps - 8)):
            break
    else:
        raise RuntimeError(f"inverse did not converge for a={a}, b={b}, p={p}")
    return (1 - v, v) if swap else (v, 1 - v)


def mp_value(name, args):
    """The exact value of manyi_core::stats::<name>(*args), for float arguments."""
    m = [mp.mpf(a) for a in args]
    if name == "ln_gamma":
        return mp.loggamma(m[0])
    if name == "normal_cdf":
        return mp.ncdf(m[0])
    if name == "normal_sf":
        return mp.ncdf(-m[0])
    if name == "normal_quantile":
        p = m[0]
        if p == mp.mpf(0.5):
            return mp.mpf(0)
        start = mp.mpf(float(special.ndtri(args[0])))
        return mp.findroot(lambda z: mp.ncdf(z) - p, start, tol=mp.mpf(10) ** -100)
    if name == "reg_inc_beta":
        a, b, x = m
        return mp_ibeta(a, b, x)[0]
    if name == "f_cdf":
        x, d1, d2 = m
        return mp_ibeta(d1 / 2, d2 / 2, d1 * x / (d1 * x + d2), d2 / (d1 * x + d2))[0]
    if name == "t_cdf":
        t, df = m
        lower, _ = mp_ibeta(df / 2, mp.mpf(0.5), df / (df + t * t), t * t / (df + t * t))
        return lower / 2 if t < 0 else 1 - lower / 2
    if name == "f_quantile":
        p, d1, d2 = m
        f0 = float(stats.f.ppf(*args))
        x0 = mp.mpf(d1) * f0 / (d1 * f0 + d2)
        y0 = mp.mpf(d2) / (d1 * f0 + d2)
        x, y = mp_ibeta_inv(d1 / 2, d2 / 2, p, x0, y0)
        return d2 * x / (d1 * y)
    if name == "t_quantile":
        p, df = m
        t0 = mp.mpf(float(stats.t.ppf(*args)))
        tail = min(p, 1 - p)
        x, y = mp_ibeta_inv(
            df / 2, mp.mpf(0.5), 2 * tail, df / (df + t0 * t0), t0 * t0 / (df + t0 * t0)
        )
        t = mp.sqrt(df * y / x)
        return -t if p < 0.5 else t
    raise ValueError(name)


def scipy_value(name, args):
    """What scipy returns for the same function."""
    if name == "ln_gamma":
        return special.gammaln(args[0])
    if name == "normal_cdf":
        return special.ndtr(args[0])
    if name == "normal_sf":
        return stats.norm.sf(args[0])
    if name == "normal_quantile":
        return special.ndtri(args[0])
    if name == "reg_inc_beta":
        return special.betainc(*args)
    if name == "f_cdf":
        return stats.f.cdf(*args)
    if name == "t_cdf":
        return stats.t.cdf(*args)
    if name == "f_quantile":
        return stats.f.ppf(*args)
    if name == "t_quantile":
        return stats.t.ppf(*args)
    raise ValueError(name)


# ---------------------------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------------------------


def cases():
    out = []

    def add(name, *args):
        out.append((name, [float(a) for a in args]))

    for x in [1e-8, 0.01, 0.5, 1, 1.5, 1.99, 2, 2.5, 3, 7.3, 10, 10.5, 100.5, 1e5, 1e10, 1e300]:
        add("ln_gamma", x)

    for z in [-38, -37.5, -37, -30, -10, -8, -5, -3, -1.96, -1, -0.5, 0, 0.5, 0.6744, 1, 1.96,
              3, 5, 5.7, 8, 10, 20, 37]:
        add("normal_cdf", z)
        add("normal_sf", z)

    for p in [1e-300, 1e-100, 1e-12, 1e-6, 0.001, 0.025, 0.07, 0.3, 0.5, 0.6, 0.925, 0.975,
              0.999, 1 - 1e-6, 1 - 1e-12]:
        add("normal_quantile", p)

    for a, b, x in [
        (0.5, 0.5, 0.3), (1, 1, 0.25), (2, 3, 0.4), (2, 3, 1e-10), (5, 10, 0.9), (7.5, 3.25, 0.6),
        (0.01, 1, 0.5), (1, 0.01, 0.5), (0.1, 10, 0.01), (10, 0.1, 0.99), (0.001, 0.001, 0.5),
        (50, 50, 0.3), (50, 50, 0.7), (100, 100, 0.5), (1399.5, 5598, 0.2), (1399.5, 5598, 0.21),
        (1500, 50000, 0.03), (0.5, 50000, 4e-5), (50000, 0.5, 0.99996), (500000, 0.5, 0.999996),
        (500000, 2000000, 0.2), (500000, 2000000, 0.199), (100000, 100000, 0.5),
        (100000, 100000, 0.501), (2, 1000000, 1e-6), (1e-3, 2, 1e-200),
    ]:
        add("reg_inc_beta", a, b, x)

    for d1, d2 in [(1, 1), (2, 3), (5, 10), (99, 396), (2799, 11196), (3000, 100000),
                   (1, 100000), (100000, 1)]:
        for x in [1e-8, 0.01, 0.5, 1, 1.5, 3, 10, 1000]:
            add("f_cdf", x, d1, d2)

    for df in [1, 2, 3, 5, 10, 30, 100, 1000, 999999, 2.5]:
        for t in [-40, -10, -3, -1.96, -0.5, 0.1, 1, 2.5, 10]:
            add("t_cdf", t, df)

    # Feldt intervals use df1 = n - 1 and df2 = (n - 1)(k - 1): (14, 126) and (11, 110) are the
    # shapes of the pingouin examples (15 x 10 and 12 x 11), (2799, 11196) a five-item bfi scale
    # over all 2800 rows, (2435, 9740) a five-item scale over 2436 complete rows; the rest probe
    # the extremes.
    f_grid = [
        (1, 1), (2, 3), (5, 10), (9, 18), (14, 126), (11, 110), (99, 396), (2799, 11196),
        (2435, 9740), (2999, 26991), (3000, 100000), (1, 100000), (3000, 1), (1000000, 4000000),
    ]
    for d1, d2 in f_grid:
        for p in [1e-6, 0.001, 0.025, 0.5, 0.975, 0.999, 1 - 1e-6]:
            add("f_quantile", p, d1, d2)

    # scipy's t.ppf is inaccurate right next to the median (off by 1e-10 to 4e-4 at
    # p = 0.5000001), so the grid stays at p = 0.6 and beyond, as the report uses it.
    for df in [1, 2, 3, 4, 5, 10, 30, 100, 1000, 999999, 2.5]:
        for p in [1e-6, 0.025, 0.6, 0.9, 0.975, 0.995]:
            add("t_quantile", p, df)
    return out


def main() -> None:
    here = Path(__file__).resolve().parent
    records = []
    problems = []
    for name, args in cases():
        exact = float(mp_value(name, args))
        expected = float(scipy_value(name, args))
        if not (math.isfinite(exact) and math.isfinite(expected)):
            problems.append(f"{name}{tuple(args)}: non-finite reference {exact!r} {expected!r}")
            continue
        tol = SCIPY_REL[name] / 2 * abs(exact) + ABS_FLOOR
        if abs(expected - exact) > tol:
            problems.append(
                f"{name}{tuple(args)}: scipy {expected!r} vs mpmath {exact!r} "
                f"(relative {abs(expected - exact) / abs(exact):.3g})"
            )
        records.append(
            {
                "fn": name,
                "args": [repr(a) for a in args],
                "expected": repr(expected),
                "mpmath": repr(exact),
            }
        )
    if problems:
        raise SystemExit("reference values disagree:\n" + "\n".join(problems))

    doc = {
        "generated_by": "crates/manyi-core/tests/data/gen_stats_reference.py",
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "mpmath": mp.__version__,
        },
        "fields": {
            "args": "the arguments, in the order of the Rust signature",
            "expected": "scipy's value (scipy.special / scipy.stats)",
            "mpmath": "exact value from mpmath at 60 digits, rounded to the nearest double",
            "encoding": "numbers are Python repr() strings, which parse back to the same double "
            "with Rust's correctly rounded str::parse (serde_json's default float parser "
            "may be off by one unit in the last place)",
        },
    }
    # One case per line keeps the file readable and its diffs small.
    head = json.dumps(doc, indent=1)[:-2]
    body = ",\n".join("  " + json.dumps(r) for r in records)
    path = here / "stats_reference.json"
    path.write_text(f'{head},\n "cases": [\n{body}\n ]\n}}\n')
    print(f"wrote {len(records)} cases to {path}")


if __name__ == "__main__":
    main()
