//! CRM helpers from the domain brief: retention and churn rates and customer lifetime value.
//!
//! Every function returns `None` for inputs that have no meaningful answer (no customers at the
//! start, a retention rate outside 0–1, a negative discount rate) instead of a made-up number.

use serde::{Deserialize, Serialize};

/// Retention rate over a period: `(customers at end − new customers) / customers at start`.
pub fn retention_rate(start: u64, end: u64, new: u64) -> Option<f64> {
    (start > 0 && new <= end).then(|| (end - new) as f64 / start as f64)
}

/// Churn rate over a period: `customers lost / customers at start`.
pub fn churn_rate(start: u64, lost: u64) -> Option<f64> {
    (start > 0 && lost <= start).then(|| lost as f64 / start as f64)
}

/// CLV by the simple retention model, `m · r / (1 + d − r)`: a constant margin `m` per period,
/// retention `r` per period and discount rate `d`, margins received at the end of each period
/// the customer is retained into, over an unlimited horizon.
pub fn clv_simple(margin: f64, retention: f64, discount: f64) -> Option<f64> {
    let valid = margin.is_finite() && (0.0..1.0).contains(&retention) && discount >= 0.0;
    valid.then(|| margin * retention / (1.0 + discount - retention))
}

/// One period of a discounted-cash-flow CLV schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClvPeriod {
    /// 0 is the acquisition period.
    pub period: usize,
    /// Share of the acquired customers still active in this period.
    pub survival: f64,
    pub margin: f64,
    /// `margin · survival`.
    pub expected: f64,
    /// `expected / (1 + d)^period`.
    pub present_value: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClvSchedule {
    pub periods: Vec<ClvPeriod>,
    /// Σ present values per acquired customer.
    pub clv: f64,
}

/// CLV by discounted cash flow over a retention schedule.
///
/// Period 0 is acquisition: every customer pays `initial_margin`, undiscounted. In period
/// `t ≥ 1` the share `S_t = r_1 · … · r_t` of customers is still active (`retention[t − 1]` is
/// the share of period `t − 1`'s customers who renew) and pays `margins[t − 1]`, discounted by
/// `(1 + d)^t`. With `initial_margin = 0`, constant margins and retention, and a long horizon,
/// this converges to [`clv_simple`].
pub fn clv_dcf(
    initial_margin: f64,
    margins: &[f64],
    retention: &[f64],
    discount: f64,
) -> Option<ClvSchedule> {
    if margins.len() != retention.len()
        || !(discount >= 0.0)
        || retention.iter().any(|r| !(0.0..=1.0).contains(r))
        || !initial_margin.is_finite()
        || margins.iter().any(|m| !m.is_finite())
    {
        return None;
    }
    let mut periods = vec![ClvPeriod {
        period: 0,
        survival: 1.0,
        margin: initial_margin,
        expected: initial_margin,
        present_value: initial_margin,
    }];
    let mut survival = 1.0;
    for (t, (&margin, &r)) in margins.iter().zip(retention).enumerate() {
        let period = t + 1;
        survival *= r;
        let expected = margin * survival;
        periods.push(ClvPeriod {
            period,
            survival,
            margin,
            expected,
            present_value: expected / (1.0 + discount).powi(period as i32),
        });
    }
    let clv = periods.iter().map(|p| p.present_value).sum();
    Some(ClvSchedule { periods, clv })
}
