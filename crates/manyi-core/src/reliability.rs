//! Scale reliability: Cronbach's alpha (raw and standardised), corrected item–total
//! correlations, alpha-if-item-deleted and the Feldt confidence interval.
//!
//! Conventions follow R psych's `alpha` and Python pingouin's `cronbach_alpha` with pairwise
//! handling of missing answers, so analysts reproduce every figure:
//! - `C` is the pairwise covariance matrix (each entry over the responses that answered both
//!   items, denominator `n − 1`, means taken over those same responses, like R's
//!   `cov(x, use = "pairwise")` and pandas' `DataFrame.cov()`);
//! - raw alpha `= k/(k−1) · (1 − tr C / ΣC)`;
//! - standardised alpha is `k/(k−1) · (1 − k / ΣR)` with `R` the pairwise correlation matrix
//!   (each `r_ij` from the responses that answered both items, with their own means and
//!   spreads), as psych's `alpha` computes it since 2024 (`cor(x, use = "pairwise")`);
//! - `r_drop_i = (ΣC·i − Cii) / sqrt(Cii · ΣC₋i,₋i)`, the correlation of item `i` with the sum
//!   of the other items;
//! - alpha-if-deleted is raw alpha of `C` without row and column `i`;
//! - the Feldt interval is `1 − (1 − α) · F(1 − p/2 | p/2; n − 1, (n − 1)(k − 1))` with `n` the
//!   number of responses that answered at least one item of the scale.
//!
//! A statistic that cannot be computed (fewer than two items or responses, zero variance) is
//! `None`, never 0.

use serde::{Deserialize, Serialize};

use crate::stats;

/// A symmetric k × k covariance matrix stored row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct CovMatrix {
    pub k: usize,
    pub values: Vec<f64>,
}

impl CovMatrix {
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.values[i * self.k + j]
    }

    fn total(&self) -> f64 {
        self.values.iter().sum()
    }

    fn trace(&self) -> f64 {
        (0..self.k).map(|i| self.get(i, i)).sum()
    }

    fn col_sum(&self, i: usize) -> f64 {
        (0..self.k).map(|j| self.get(j, i)).sum()
    }

    /// The matrix without row and column `drop`.
    pub fn without(&self, drop: usize) -> CovMatrix {
        let k = self.k - 1;
        let mut values = Vec::with_capacity(k * k);
        for i in (0..self.k).filter(|&i| i != drop) {
            for j in (0..self.k).filter(|&j| j != drop) {
                values.push(self.get(i, j));
            }
        }
        CovMatrix { k, values }
    }
}

/// Pairwise-complete covariance and correlation matrices of the columns (`NaN` marks a
/// missing answer). An entry with fewer than two complete pairs is `NaN`.
pub fn pairwise(columns: &[&[f64]]) -> (CovMatrix, CovMatrix) {
    let k = columns.len();
    let mut cov = vec![f64::NAN; k * k];
    let mut cor = vec![f64::NAN; k * k];
    for i in 0..k {
        for j in i..k {
            let (c, r) = pair_moments(columns[i], columns[j]);
            cov[i * k + j] = c;
            cov[j * k + i] = c;
            cor[i * k + j] = r;
            cor[j * k + i] = r;
        }
    }
    (CovMatrix { k, values: cov }, CovMatrix { k, values: cor })
}

/// Covariance and correlation over the rows where both values are present, two-pass for
/// accuracy: the means come from those same rows, as R and pandas compute them.
fn pair_moments(a: &[f64], b: &[f64]) -> (f64, f64) {
    let (mut n, mut sa, mut sb) = (0usize, 0.0f64, 0.0f64);
    for (&x, &y) in a.iter().zip(b) {
        if !x.is_nan() && !y.is_nan() {
            n += 1;
            sa += x;
            sb += y;
        }
    }
    if n < 2 {
        return (f64::NAN, f64::NAN);
    }
    let (ma, mb) = (sa / n as f64, sb / n as f64);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (&x, &y) in a.iter().zip(b) {
        if !x.is_nan() && !y.is_nan() {
            let (dx, dy) = (x - ma, y - mb);
            sab += dx * dy;
            saa += dx * dx;
            sbb += dy * dy;
        }
    }
    let denominator = (saa * sbb).sqrt();
    let r = if denominator > 0.0 {
        sab / denominator
    } else {
        f64::NAN
    };
    (sab / (n - 1) as f64, r)
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Raw alpha of a covariance matrix.
pub fn raw_alpha(c: &CovMatrix) -> Option<f64> {
    if c.k < 2 {
        return None;
    }
    let total = c.total();
    if !(total > 0.0) {
        return None;
    }
    let k = c.k as f64;
    finite(k / (k - 1.0) * (1.0 - c.trace() / total))
}

/// Standardised alpha from a correlation matrix.
pub fn std_alpha(r: &CovMatrix) -> Option<f64> {
    if r.k < 2 || r.values.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let k = r.k as f64;
    finite(k / (k - 1.0) * (1.0 - k / r.total()))
}

/// The Feldt interval for alpha at confidence `level` (0.95 for 95 %).
pub fn feldt_interval(alpha: f64, n: usize, k: usize, level: f64) -> Option<[f64; 2]> {
    if n < 2 || k < 2 || !alpha.is_finite() {
        return None;
    }
    let df1 = (n - 1) as f64;
    let df2 = df1 * (k - 1) as f64;
    let tail = (1.0 - level) / 2.0;
    let lower = 1.0 - (1.0 - alpha) * stats::f_quantile(1.0 - tail, df1, df2);
    let upper = 1.0 - (1.0 - alpha) * stats::f_quantile(tail, df1, df2);
    (lower.is_finite() && upper.is_finite()).then_some([lower, upper])
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlphaStats {
    pub raw: Option<f64>,
    pub std: Option<f64>,
    pub ci95: Option<[f64; 2]>,
    /// Items in the scale.
    pub k: usize,
    /// Responses with at least one answered item (the `n` of the Feldt interval).
    pub n: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemReliability {
    pub r_drop: Option<f64>,
    pub alpha_if_deleted: Option<f64>,
}

/// Everything reliability says about one scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reliability {
    pub alpha: AlphaStats,
    pub items: Vec<ItemReliability>,
}

/// Reliability of a scale from its (reverse-coded) item columns; `NaN` marks missing answers.
pub fn analyse(columns: &[&[f64]]) -> Reliability {
    let rows = columns.first().map_or(0, |c| c.len());
    let n = (0..rows)
        .filter(|&r| columns.iter().any(|c| !c[r].is_nan()))
        .count();
    let (cov, cor) = pairwise(columns);
    analyse_matrices(&cov, &cor, n)
}

/// Reliability from the covariance and correlation matrices and the number of responses
/// scored.
pub fn analyse_matrices(c: &CovMatrix, r: &CovMatrix, n: usize) -> Reliability {
    let k = c.k;
    let complete = c.values.iter().all(|v| v.is_finite());
    let raw = if complete { raw_alpha(c) } else { None };
    let std = if complete { std_alpha(r) } else { None };
    let ci95 = raw.and_then(|a| feldt_interval(a, n, k, 0.95));
    let total = c.total();
    let items = (0..k)
        .map(|i| {
            if !complete {
                return ItemReliability {
                    r_drop: None,
                    alpha_if_deleted: None,
                };
            }
            let cii = c.get(i, i);
            let cross = c.col_sum(i) - cii;
            let rest = total - 2.0 * c.col_sum(i) + cii;
            let denominator = (cii * rest).sqrt();
            ItemReliability {
                r_drop: (denominator > 0.0)
                    .then(|| cross / denominator)
                    .and_then(finite),
                alpha_if_deleted: if k > 2 {
                    raw_alpha(&c.without(i))
                } else {
                    None
                },
            }
        })
        .collect();
    Reliability {
        alpha: AlphaStats {
            raw,
            std,
            ci95,
            k,
            n,
        },
        items,
    }
}
