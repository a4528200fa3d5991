//! Data-driven response validation and per-response scoring against the base definition.

mod common;

use std::collections::BTreeMap;

use manyi_core::model::{Answer, Response};
use manyi_core::score::{NpsCategory, Plan};
use manyi_core::validate_response;
use serde_json::{Value, json};

fn response(answers: &Value, partial: bool) -> Response {
    Response {
        id: "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b".into(),
        survey_id: "base".into(),
        survey_version: 1,
        started_at: None,
        submitted_at: None,
        locale: Some("en".into()),
        answers: serde_json::from_value::<BTreeMap<String, Answer>>(answers.clone()).unwrap(),
        meta: BTreeMap::new(),
        partial,
    }
}

#[test]
fn response_cases() {
    let cases: Vec<Value> = serde_json::from_str(include_str!("data/responses.json")).unwrap();
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        // A case may patch the base definition (`set`, JSON pointer → value) first.
        let doc = common::patched(common::BASE_SURVEY, case.get("set"), None);
        let survey = manyi_core::parse_survey(&doc.to_string())
            .unwrap_or_else(|e| panic!("{name}: the patched definition is invalid: {e}"));
        let r = response(&case["answers"], case["partial"].as_bool().unwrap_or(false));
        let got: Vec<(String, String)> = match validate_response(&survey, &r) {
            Ok(()) => Vec::new(),
            Err(errors) => errors
                .iter()
                .map(|e| {
                    let v = serde_json::to_value(e).unwrap();
                    (
                        v["code"].as_str().unwrap().to_owned(),
                        e.question().unwrap_or_default().to_owned(),
                    )
                })
                .collect(),
        };
        let expected: Vec<(String, String)> =
            serde_json::from_value(case["errors"].clone()).unwrap();
        if got != expected {
            failures.push(format!("{name}: expected {expected:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn envelope_errors() {
    let survey = common::base_survey();
    let mut r = response(&json!({"nps": 9}), false);
    r.id = "not-a-uuid".into();
    r.survey_id = "other".into();
    r.survey_version = 2;
    r.started_at = Some("2026-01-02T10:00:00+08:00".parse().unwrap());
    r.submitted_at = Some("2026-01-02T09:59:00+08:00".parse().unwrap());
    let errors = validate_response(&survey, &r).unwrap_err();
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "response id \"not-a-uuid\" is not a UUID",
            "the response is for survey \"other\", not \"base\"",
            "the response is for version 2 of the survey, not 1",
            "submitted_at is before started_at",
        ]
    );
}

#[test]
fn scoring_cases() {
    let cases: Vec<Value> = serde_json::from_str(include_str!("data/scoring.json")).unwrap();
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let doc = common::patched(common::BASE_SURVEY, case.get("set"), None);
        let survey = manyi_core::parse_survey(&doc.to_string()).expect("case survey is valid");
        let plan = Plan::new(&survey);
        let scores = plan.score(&response(&case["answers"], true));
        let expected = &case["expected"];
        let check = |failures: &mut Vec<String>, what: &str, got: Option<f64>, want: &Value| {
            let ok = match (got, want.as_f64()) {
                (Some(g), Some(w)) => common::close(g, w, 1e-12),
                (None, None) => want.is_null(),
                _ => false,
            };
            if !ok {
                failures.push(format!("{name}: {what} expected {want}, got {got:?}"));
            }
        };
        if let Some(want) = expected.get("composite") {
            check(&mut failures, "composite", scores.composite, want);
        }
        if let Some(want) = expected.get("coverage") {
            check(&mut failures, "coverage", Some(scores.coverage), want);
        }
        if let Some(Value::Object(dims)) = expected.get("dimensions") {
            for (d, want) in dims {
                check(
                    &mut failures,
                    &format!("dimension {d}"),
                    scores.dimensions.get(d).copied(),
                    want,
                );
            }
            for d in scores.dimensions.keys() {
                if !dims.contains_key(d) {
                    failures.push(format!("{name}: unexpected score for dimension {d}"));
                }
            }
        }
        if let Some(Value::Object(items)) = expected.get("items") {
            for (key, want) in items {
                check(
                    &mut failures,
                    &format!("item {key}"),
                    scores.items.get(key).copied(),
                    want,
                );
            }
        }
        if let Some(want) = expected.get("nps") {
            let got = scores.nps.as_ref().map(|n| match n.category {
                NpsCategory::Promoter => "promoter",
                NpsCategory::Passive => "passive",
                NpsCategory::Detractor => "detractor",
            });
            if got != want.as_str() {
                failures.push(format!("{name}: nps expected {want}, got {got:?}"));
            }
        }
        if let Some(want) = expected.get("csat_top2")
            && scores.csat.as_ref().map(|c| c.top2) != want.as_bool()
        {
            failures.push(format!(
                "{name}: csat_top2 expected {want}, got {:?}",
                scores.csat
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
