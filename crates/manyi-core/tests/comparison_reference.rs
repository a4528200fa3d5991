//! The significance tests of a period comparison against scipy's values
//! (`data/comparison_reference.json`, written by `data/gen_comparison_reference.py`).

mod common;

use manyi_core::report::{MeanStats, compare_means, compare_proportions};
use serde::Deserialize;

#[derive(Deserialize)]
struct Reference {
    proportions: Vec<ProportionCase>,
    means: Vec<MeanCase>,
}

#[derive(Deserialize)]
struct ProportionCase {
    hits_a: usize,
    n_a: usize,
    hits_b: usize,
    n_b: usize,
    difference: f64,
    z: f64,
    p_value: f64,
}

#[derive(Deserialize)]
struct MeanCase {
    mean_a: f64,
    sd_a: f64,
    n_a: usize,
    mean_b: f64,
    sd_b: f64,
    n_b: usize,
    difference: f64,
    se: f64,
    t: f64,
    df: f64,
    p_value: f64,
}

fn reference() -> Reference {
    serde_json::from_str(include_str!("data/comparison_reference.json")).expect("reference parses")
}

/// Relative agreement with scipy; p-values go through the same normal and t tails that
/// `stats_reference.rs` holds to 1e-13, so 1e-10 leaves room only for the arithmetic around
/// them.
const REL: f64 = 1e-10;

fn check(what: &str, actual: Option<f64>, expected: f64) {
    let actual = actual.unwrap_or_else(|| panic!("{what}: no value, expected {expected}"));
    assert!(
        common::close(actual, expected, REL),
        "{what}: {actual} vs scipy {expected}"
    );
}

#[test]
fn proportions_match_scipy() {
    for case in reference().proportions {
        let name = format!(
            "{}/{} vs {}/{}",
            case.hits_a, case.n_a, case.hits_b, case.n_b
        );
        let got = compare_proportions(case.hits_a, case.n_a, case.hits_b, case.n_b)
            .unwrap_or_else(|| panic!("{name}: no comparison"));
        check(
            &format!("{name} difference"),
            Some(got.difference),
            case.difference,
        );
        check(&format!("{name} z"), got.z, case.z);
        check(&format!("{name} p"), got.p_value, case.p_value);
    }
}

fn stats(mean: f64, sd: f64, n: usize) -> MeanStats {
    MeanStats {
        n,
        mean: Some(mean),
        sd: Some(sd),
        ci95: None,
    }
}

#[test]
fn means_match_scipy_welch() {
    for case in reference().means {
        let name = format!(
            "{} ({}, n {}) vs {} ({}, n {})",
            case.mean_a, case.sd_a, case.n_a, case.mean_b, case.sd_b, case.n_b
        );
        let got = compare_means(
            &stats(case.mean_a, case.sd_a, case.n_a),
            &stats(case.mean_b, case.sd_b, case.n_b),
        )
        .unwrap_or_else(|| panic!("{name}: no comparison"));
        check(
            &format!("{name} difference"),
            Some(got.difference),
            case.difference,
        );
        check(&format!("{name} se"), Some(got.se), case.se);
        check(&format!("{name} df"), got.df, case.df);
        // scipy gives t = 0 and p = 1 for equal means; the relative check needs an absolute
        // floor there.
        if case.t == 0.0 {
            assert_eq!(got.t, Some(0.0), "{name} t");
        } else {
            check(&format!("{name} t"), got.t, case.t);
        }
        check(&format!("{name} p"), got.p_value, case.p_value);
    }
}

#[test]
fn comparisons_need_data_and_spread() {
    assert_eq!(compare_proportions(1, 0, 1, 2), None);
    // All hits on both sides: a difference of 0 with no test.
    let all = compare_proportions(3, 3, 5, 5).unwrap();
    assert_eq!((all.difference, all.z, all.p_value), (0.0, None, None));
    // One answer has no standard deviation.
    let one = MeanStats {
        n: 1,
        mean: Some(4.0),
        sd: None,
        ci95: None,
    };
    assert_eq!(compare_means(&one, &stats(3.0, 1.0, 5)), None);
    let flat = compare_means(&stats(4.0, 0.0, 3), &stats(3.0, 0.0, 3)).unwrap();
    assert_eq!(
        (flat.difference, flat.t, flat.df, flat.p_value),
        (1.0, None, None, None)
    );
}
