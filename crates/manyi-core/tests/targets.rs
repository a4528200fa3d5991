//! Target validation and progress, from the cases in `data/targets.json` (worked out by hand;
//! the arithmetic is in each case's name).

mod common;

use std::collections::BTreeMap;

use manyi_core::model::{Answer, Response};
use manyi_core::report::{ReportOptions, build_report};
use manyi_core::targets::{Target, progress, validate_targets};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct Cases {
    validation: Vec<ValidationCase>,
    progress: Vec<ProgressCase>,
}

#[derive(Deserialize)]
struct ValidationCase {
    name: String,
    targets: Vec<Target>,
    problems: Vec<String>,
}

#[derive(Deserialize)]
struct ProgressCase {
    name: String,
    target: Target,
    today: chrono::NaiveDate,
    current: f64,
    met: bool,
    gap: f64,
    share: f64,
    days_left: i64,
}

fn cases() -> Cases {
    serde_json::from_str(include_str!("data/targets.json")).expect("cases parse")
}

#[test]
fn validation_lists_every_problem_with_its_path() {
    for case in cases().validation {
        let paths: Vec<String> = validate_targets(&case.targets)
            .into_iter()
            .map(|p| p.path)
            .collect();
        assert_eq!(paths, case.problems, "{}", case.name);
    }
}

/// A report over the base survey whose NPS, CSAT and response count are `current` for the
/// case's metric: the figures are set on a real report so `progress` reads them as it would.
fn report_with(target: &Target, current: f64) -> manyi_core::Report {
    let survey = common::base_survey();
    let mut report = build_report(&survey, &[], &ReportOptions::default());
    match target.metric.key() {
        "nps" => report.nps.as_mut().unwrap().score = Some(current),
        "csat" => report.csat.as_mut().unwrap().top2_pct = Some(current),
        "ces" => {
            report.ces = Some(manyi_core::report::CesStats {
                n: 1,
                mean: Some(current),
                agree_pct: None,
                agree: 0,
            })
        }
        "responses" => report.n = current as usize,
        _ => report.composite.mean = Some(current),
    }
    report
}

#[test]
fn progress_measures_from_the_metric_floor() {
    for case in cases().progress {
        let p = progress(
            &case.target,
            &report_with(&case.target, case.current),
            case.today,
        );
        assert_eq!(p.current, Some(case.current), "{}", case.name);
        assert_eq!(p.met, case.met, "{}", case.name);
        assert!(
            common::close(p.gap.unwrap(), case.gap, 1e-12),
            "{}",
            case.name
        );
        assert!(
            common::close(p.share.unwrap(), case.share, 1e-12),
            "{}",
            case.name
        );
        assert_eq!(p.days_left, case.days_left, "{}", case.name);
    }
}

#[test]
fn progress_without_a_value_is_unknown_not_zero() {
    let survey = common::base_survey();
    let answers: BTreeMap<String, Answer> = serde_json::from_value(json!({"csat": 5})).unwrap();
    let response = Response {
        id: "00000000-0000-4000-8000-000000000001".into(),
        survey_id: "base".into(),
        survey_version: 1,
        started_at: None,
        submitted_at: None,
        locale: None,
        answers,
        meta: BTreeMap::new(),
        partial: false,
    };
    let report = build_report(&survey, &[response], &ReportOptions::default());
    let target: Target =
        serde_json::from_value(json!({"metric": "nps", "target": 20, "deadline": "2026-01-01"}))
            .unwrap();
    let p = progress(&target, &report, "2026-01-01".parse().unwrap());
    assert_eq!(
        (p.current, p.met, p.gap, p.share),
        (None, false, None, None)
    );
}
