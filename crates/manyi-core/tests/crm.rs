//! CRM helpers: retention, churn and customer lifetime value.

mod common;

use manyi_core::crm::{churn_rate, clv_dcf, clv_simple, retention_rate};

#[test]
fn retention_and_churn() {
    // 1,000 customers at the start, 950 at the end of which 100 are new: 850 kept, 150 lost.
    assert_eq!(retention_rate(1000, 950, 100), Some(0.85));
    assert_eq!(churn_rate(1000, 150), Some(0.15));
    assert_eq!(retention_rate(0, 10, 10), None);
    assert_eq!(churn_rate(10, 11), None);
    assert_eq!(retention_rate(10, 5, 6), None);
}

#[test]
fn simple_clv_is_m_r_over_one_plus_d_minus_r() {
    // 10 · 0.8 / (1 + 0.1 − 0.8) = 26.666…
    assert!(common::close(
        clv_simple(10.0, 0.8, 0.1).unwrap(),
        26.666666666666664,
        1e-15
    ));
    assert_eq!(clv_simple(10.0, 1.0, 0.1), None);
    assert_eq!(clv_simple(10.0, 0.8, -0.1), None);
}

#[test]
fn discounted_cash_flow_converges_to_the_simple_formula() {
    let periods = 2000;
    let schedule = clv_dcf(0.0, &vec![10.0; periods], &vec![0.8; periods], 0.1).unwrap();
    assert!(
        common::close(schedule.clv, 26.666666666666664, 1e-12),
        "{}",
        schedule.clv
    );
}

#[test]
fn the_magazine_case_from_the_literature() {
    // 1,000 subscribers at a 35.90 first-year price, renewals at 75.90, variable cost 30 a year,
    // discount rate 15 %, 10 years. The brief gives no renewal rates, so this uses a rising
    // schedule typical of subscriptions (30 % renew after the first year, then 50 %, 60 %, …);
    // the expected value was computed independently in Python.
    let retention = [0.30, 0.50, 0.60, 0.70, 0.75, 0.80, 0.80, 0.85, 0.85];
    let schedule = clv_dcf(35.90 - 30.0, &[75.90 - 30.0; 9], &retention, 0.15).unwrap();
    assert_eq!(schedule.periods.len(), 10);
    assert!(
        common::close(schedule.clv, 30.470422054623004, 1e-12),
        "{}",
        schedule.clv
    );
    assert!(common::close(
        schedule.clv * 1000.0,
        30470.422054623003,
        1e-12
    ));
    // Year 2: 30 % of subscribers pay 45.90, discounted one year.
    let second = &schedule.periods[1];
    assert!(common::close(
        second.present_value,
        0.3 * 45.90 / 1.15,
        1e-12
    ));
    // Inputs that have no meaning give no number.
    assert_eq!(clv_dcf(5.9, &[45.9], &[1.2], 0.15), None);
    assert_eq!(clv_dcf(5.9, &[45.9, 45.9], &[0.5], 0.15), None);
}
