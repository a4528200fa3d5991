//! A response, or an array of responses, as JSON → response validation → scoring and a
//! report, the path of ingestion (`post_responses`) and of the dashboard. Each response is
//! checked against the built-in template its `survey_id` names, or else against the test
//! suite's base survey, which has a question of every kind and a condition.

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use manyi_core::model::Response;
use manyi_core::report::MetaFilter;
use manyi_core::validate::Validator;
use manyi_core::{ReportOptions, Survey, build_report, score_response, templates};

/// The most responses of one input that are scored into a report, so one input stays cheap.
const MAX_RESPONSES: usize = 64;

static SURVEYS: LazyLock<Vec<Survey>> = LazyLock::new(|| {
    let base = include_str!("../../crates/manyi-core/tests/data/base_survey.json");
    let mut surveys: Vec<Survey> = templates::names()
        .map(|name| {
            templates::get(name)
                .expect("a template name")
                .expect("valid")
        })
        .collect();
    surveys.push(manyi_core::parse_survey(base).expect("the base survey is valid"));
    surveys
});

fuzz_target!(|data: &[u8]| {
    let responses: Vec<Response> = match serde_json::from_slice::<serde_json::Value>(data) {
        Ok(serde_json::Value::Array(_)) => match serde_json::from_slice(data) {
            Ok(responses) => responses,
            Err(_) => return,
        },
        Ok(_) => match serde_json::from_slice(data) {
            Ok(response) => vec![response],
            Err(_) => return,
        },
        Err(_) => return,
    };
    let Some(first) = responses.first() else {
        return;
    };
    let surveys = &*SURVEYS;
    let survey = surveys
        .iter()
        .find(|s| s.id == first.survey_id)
        .unwrap_or(&surveys[surveys.len() - 1]);
    let validator = Validator::new(survey);
    let mut valid = Vec::new();
    for response in responses.iter().take(MAX_RESPONSES) {
        match validator.response(response) {
            Ok(()) => {
                // The server scores only what validation accepted.
                let _ = score_response(survey, response);
                valid.push(response.clone());
            }
            Err(errors) => {
                assert!(!errors.is_empty(), "a refused response names an error");
                for e in &errors {
                    let _ = e.to_string();
                    let _ = serde_json::to_string(e).expect("an error serialises");
                }
            }
        }
    }
    // A report, plain and broken down by a meta key, as the dashboard asks for one.
    let _ = build_report(survey, &valid, &ReportOptions::default());
    let options = ReportOptions {
        segment: Some("channel".into()),
        filter: Some(MetaFilter {
            key: "channel".into(),
            value: "web".into(),
        }),
        ..ReportOptions::default()
    };
    let _ = build_report(survey, &valid, &options);
});
