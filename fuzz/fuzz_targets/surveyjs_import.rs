//! Bytes → JSON → the SurveyJS import. What the import accepts is promised to be a valid
//! manyi definition; it is then exported back to SurveyJS, as the app's export button does.

#![no_main]

use libfuzzer_sys::fuzz_target;
use manyi_core::surveyjs::{export, import};
use manyi_core::validate::validate_survey;

fuzz_target!(|data: &[u8]| {
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    match import(&json) {
        Ok(imported) => {
            let problems = validate_survey(&imported.survey);
            assert!(
                problems.is_empty(),
                "the import wrote an invalid definition: {problems:?}"
            );
            let _ = export(&imported.survey);
        }
        Err(e) => {
            let _ = e.to_string();
            let _ = e.reports();
        }
    }
});
