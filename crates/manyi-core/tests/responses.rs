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

/// The size limits of `manyi_core::limits`, each just inside (no error) and just past (the one
/// error, with its message). The base survey's `comment` is a text question; here its own
/// `max_length` is raised above the core's limit, which still applies.
#[test]
fn size_limits() {
    use manyi_core::limits::{
        MAX_ANSWERS, MAX_META_KEY_LENGTH, MAX_META_KEYS, MAX_META_VALUE_LENGTH,
        MAX_TEXT_ANSWER_LENGTH,
    };
    let doc = common::patched(
        common::BASE_SURVEY,
        Some(&json!({"/pages/0/questions/4/max_length": 20_000})),
        None,
    );
    let survey = manyi_core::parse_survey(&doc.to_string()).unwrap();
    let long = |n: usize| "é".repeat(n);
    let meta = |pairs: Vec<(String, String)>| pairs.into_iter().collect::<BTreeMap<_, _>>();
    let text_answer = |n: usize| json!({"nps": 9, "comment": long(n)});
    let many_answers = |n: usize| {
        let mut answers = json!({"nps": 9});
        for i in 1..n {
            answers[format!("extra{i}")] = json!(1);
        }
        answers
    };
    let text_max = MAX_TEXT_ANSWER_LENGTH as usize;
    // (name, answers, meta, the one error expected)
    type Case<'a> = (&'a str, Value, BTreeMap<String, String>, Option<String>);
    let cases: Vec<Case> = vec![
        (
            "a text answer at the limit",
            text_answer(text_max),
            meta(vec![]),
            None,
        ),
        (
            "a text answer past the limit, though the question allows more",
            text_answer(text_max + 1),
            meta(vec![]),
            Some(format!(
                "\"comment\": the answer has {} characters; the limit is {text_max}",
                text_max + 1
            )),
        ),
        (
            "as many meta keys as allowed",
            json!({"nps": 9}),
            meta(
                (0..MAX_META_KEYS)
                    .map(|i| (format!("k{i}"), "v".into()))
                    .collect(),
            ),
            None,
        ),
        (
            "one meta key too many",
            json!({"nps": 9}),
            meta(
                (0..=MAX_META_KEYS)
                    .map(|i| (format!("k{i}"), "v".into()))
                    .collect(),
            ),
            Some(format!(
                "meta has {} keys; the limit is {MAX_META_KEYS}",
                MAX_META_KEYS + 1
            )),
        ),
        (
            "a meta key at the limit, with a value at the limit",
            json!({"nps": 9}),
            meta(vec![(
                "k".repeat(MAX_META_KEY_LENGTH),
                long(MAX_META_VALUE_LENGTH),
            )]),
            None,
        ),
        (
            "a meta key too long is named by its first characters",
            json!({"nps": 9}),
            meta(vec![("k".repeat(10_000), "v".into())]),
            Some(format!(
                "meta key \"{}…\" has 10000 characters; the limit is {MAX_META_KEY_LENGTH}",
                "k".repeat(MAX_META_KEY_LENGTH)
            )),
        ),
        (
            "a meta value too long",
            json!({"nps": 9}),
            meta(vec![("channel".into(), long(MAX_META_VALUE_LENGTH + 1))]),
            Some(format!(
                "meta \"channel\": the value has {} characters; the limit is {MAX_META_VALUE_LENGTH}",
                MAX_META_VALUE_LENGTH + 1
            )),
        ),
        (
            "too many answers: one error, not one per unknown question",
            many_answers(MAX_ANSWERS + 1),
            meta(vec![]),
            Some(format!(
                "the response has {} answers; the limit is {MAX_ANSWERS}",
                MAX_ANSWERS + 1
            )),
        ),
    ];
    let mut failures = Vec::new();
    for (name, answers, meta, want) in cases {
        let mut r = response(&answers, false);
        r.meta = meta;
        let got: Vec<String> = match validate_response(&survey, &r) {
            Ok(()) => Vec::new(),
            Err(errors) => errors.iter().map(ToString::to_string).collect(),
        };
        if got != want.iter().cloned().collect::<Vec<_>>() {
            failures.push(format!("{name}: got {got:?}, want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
