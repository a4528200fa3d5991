#!/usr/bin/env python3
"""Generate a synthetic survey CSV for testing ``bench/report_pandas.py``.

This generator exists only so the pandas report can be tried on its own. The
real benchmark data is written by the Rust benchmark program, which then runs
both the Rust report and ``report_pandas.py`` on that same file.

The layout matches what the Rust benchmark writes:

    id,submitted_at,meta.channel,q01,...,q20

``submitted_at`` is RFC 3339 with a UTC offset (several different offsets, so
that the UTC+08:00 month bucketing is exercised), ``meta.channel`` is one of a
few strings and q01..q20 are integers 1..7 with empty cells for missing
answers. Answers are driven by one latent satisfaction value per response so
that the dimensions have realistic, positive reliabilities; q05, q10, q15 and
q20 are generated reverse-worded.

Usage: python3 bench/gen_data.py OUT.csv [ROWS] [--missing 0.05] [--seed 1]
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

CHANNELS = np.array(["web", "app", "email", "sms", "kiosk"])
CHANNEL_P = [0.40, 0.30, 0.15, 0.10, 0.05]
# Offsets in minutes: UTC written as "Z" and as "+00:00", plus east and west
# offsets, so that local month and UTC+08:00 month often disagree near month ends.
OFFSETS_MIN = np.array([480, 0, 0, -300, 330, 540, -420])
OFFSETS_P = [0.55, 0.10, 0.05, 0.10, 0.08, 0.07, 0.05]
REVERSED = {5, 10, 15, 20}


def offset_text(minutes: int, index: int) -> str:
    """RFC 3339 offset text; index 1 spells UTC as "Z" to test both spellings."""
    if minutes == 0 and index == 1:
        return "Z"
    sign = "+" if minutes >= 0 else "-"
    m = abs(minutes)
    return f"{sign}{m // 60:02d}:{m % 60:02d}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("rows", nargs="?", type=int, default=100_000)
    ap.add_argument("--missing", type=float, default=0.05, help="share of missing answers")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    rng = np.random.default_rng(args.seed)
    n = args.rows

    # One latent satisfaction value per response, plus a per-dimension shift,
    # gives correlated items within a dimension (alpha around 0.7-0.8).
    latent = rng.normal(0.0, 1.0, n)
    cols = {}
    for dim in range(4):
        dim_shift = rng.normal(0.0, 0.5, n)
        for q in range(dim * 5 + 1, dim * 5 + 6):
            raw = 4.3 + 1.1 * latent + dim_shift + rng.normal(0.0, 1.0, n)
            value = np.clip(np.rint(raw), 1, 7)
            if q in REVERSED:
                value = 8 - value
            value[rng.random(n) < args.missing] = np.nan
            # Nullable integers so that the CSV has "3", not "3.0", and empty
            # cells for missing answers.
            cols[f"q{q:02d}"] = pd.array(value, dtype="Float64").astype("Int64")

    # A small share of responses abandon the survey part-way, leaving whole
    # dimensions empty; this exercises "no dimension score" and the composite's
    # 50 % answered-weight rule.
    quitters = rng.random(n) < 0.03
    stop_at = rng.integers(1, 20, n)
    for q in range(1, 21):
        drop = quitters & (q > stop_at)
        cols[f"q{q:02d}"][drop] = pd.NA

    # Submission instants spread over 2025-01-01 .. 2026-07-01 UTC.
    start = np.datetime64("2025-01-01T00:00:00", "s").astype(np.int64)
    end = np.datetime64("2026-07-01T00:00:00", "s").astype(np.int64)
    utc_s = rng.integers(start, end, n)
    off_idx = rng.choice(len(OFFSETS_MIN), size=n, p=OFFSETS_P)
    off_min = OFFSETS_MIN[off_idx]
    local = pd.to_datetime(utc_s + off_min * 60, unit="s")
    off_txt = np.array([offset_text(int(m), i) for i, m in enumerate(OFFSETS_MIN)])
    submitted = local.strftime("%Y-%m-%dT%H:%M:%S").to_numpy(dtype=object) + off_txt[off_idx]

    df = pd.DataFrame({
        "id": np.arange(1, n + 1),
        "submitted_at": submitted,
        "meta.channel": rng.choice(CHANNELS, size=n, p=CHANNEL_P),
        **cols,
    })
    df.to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
