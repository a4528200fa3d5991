//! manyi's condition language: parse, evaluate, print and parse again. The input is the
//! condition's text, then optionally a newline and the answers it is evaluated on as JSON (an
//! object of question id → answer); without valid answers it is evaluated on a fixed set that
//! has an answer of every shape.

#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use manyi_core::condition::Condition;
use manyi_core::limits::MAX_CONDITION_LENGTH;
use manyi_core::model::Answer;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (condition_text, answers_json) = text.split_once('\n').unwrap_or((text, ""));
    let answers: BTreeMap<String, Answer> =
        serde_json::from_str(answers_json).unwrap_or_else(|_| default_answers());
    let Ok(condition) = Condition::parse(condition_text) else {
        return;
    };
    let holds = condition.eval(&answers);
    let _ = condition.variables();
    let _ = condition.literal_comparisons();
    // The language's documented promise: what the printer writes parses back to the same tree
    // (while it is within the length limit: the printer adds spaces the text may not have had).
    let printed = condition.to_string();
    if printed.chars().count() > MAX_CONDITION_LENGTH {
        return;
    }
    match Condition::parse(&printed) {
        Ok(again) => {
            assert_eq!(again, condition, "printed as {printed:?}");
            assert_eq!(again.eval(&answers), holds);
        }
        Err(e) => panic!("{condition_text:?} prints as {printed:?}, which does not parse: {e}"),
    }
});

/// Answers of every shape under the ids the seed corpus's conditions read.
fn default_answers() -> BTreeMap<String, Answer> {
    serde_json::from_str(
        r#"{"nps": 7, "csat": 4, "channel": "store", "comment": "too slow today",
            "picks": ["a", "b"], "grid": {"r1": 3, "r2": 5}}"#,
    )
    .expect("the default answers are valid")
}
