//! Bytes → JSON → a survey definition → definition validation, the path every definition an
//! author uploads takes (`parse_survey`, as the server and the CLI call it). A valid definition
//! is then scored and reported on, and written back to JSON, as the server stores it.

#![no_main]

use libfuzzer_sys::fuzz_target;
use manyi_core::model::Response;
use manyi_core::validate::{DefinitionError, is_valid_survey, parse_survey, validate_survey};
use manyi_core::{ReportOptions, Survey, build_report, score_response};

fuzz_target!(|data: &[u8]| {
    // A definition is JSON text; bytes that are not UTF-8 are refused before any parsing.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse_survey(text) {
        Ok(survey) => valid(&survey),
        Err(DefinitionError::Invalid(problems)) => {
            assert!(
                !problems.is_empty(),
                "an invalid definition names a problem"
            );
            // The runner's quick check must agree with the full one.
            let survey: Survey = serde_json::from_str(text).expect("parse_survey read it");
            assert!(
                !is_valid_survey(&survey),
                "is_valid_survey accepts {problems:?}"
            );
        }
        Err(DefinitionError::Malformed { .. }) => {}
    }
});

fn valid(survey: &Survey) {
    assert!(
        is_valid_survey(survey),
        "is_valid_survey refuses a valid definition"
    );
    // An empty response and a report on no responses are the cheapest scoring there is, and
    // they reach every division by a count of zero.
    let response = Response {
        id: "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b".into(),
        survey_id: survey.id.clone(),
        survey_version: survey.version,
        started_at: None,
        submitted_at: None,
        locale: None,
        answers: Default::default(),
        meta: Default::default(),
        partial: true,
    };
    let _ = score_response(survey, &response);
    let _ = build_report(survey, &[], &ReportOptions::default());
    // The server stores a definition as the JSON written from it and reads that back later,
    // so what is written must read back as a valid definition.
    let stored = serde_json::to_string(survey).expect("a survey serialises");
    if let Err(e) = parse_survey(&stored) {
        panic!("a valid definition does not read back from its own JSON: {e}\n{stored}");
    }
    assert!(validate_survey(survey).is_empty());
}
