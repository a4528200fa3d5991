//! SurveyJS's expression language: parse, evaluate, print and parse again. The input is the
//! expression's text, then optionally a newline and the values it is evaluated on as a JSON
//! object. It is evaluated on those values as plain JSON (as survey-core sees any value) and,
//! when they are answers of manyi's shapes, through the answers' scope as visibility does.

#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use manyi_core::condition::surveyjs::{AnswerScope, Expr};
use manyi_core::limits::MAX_CONDITION_LENGTH;
use manyi_core::model::Answer;
use serde_json::{Map, Value as Json};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (expr_text, values_json) = text.split_once('\n').unwrap_or((text, ""));
    let values: Map<String, Json> = serde_json::from_str(values_json).unwrap_or_default();
    let answers: Option<BTreeMap<String, Answer>> = serde_json::from_str(values_json).ok();
    let Ok(expr) = Expr::parse(expr_text) else {
        return;
    };
    let value = expr.evaluate(&values);
    let _ = value.to_json();
    let holds = expr.holds(&values);
    if let Some(answers) = &answers {
        let _ = expr.evaluate(&AnswerScope(answers));
        let _ = expr.holds(&AnswerScope(answers));
    }
    let _ = expr.variables();
    let _ = expr.functions();
    // The printer's documented promise: its output parses back to the same tree, unless the
    // printed text is longer than a condition may be, or holds text that survey-core's patch
    // rewrites (`Expr`'s `Display` says why that cannot be helped).
    let printed = expr.to_string();
    if printed.chars().count() > MAX_CONDITION_LENGTH
        || ["=>", "=<", "<>", "equals"]
            .iter()
            .any(|p| printed.contains(p))
    {
        return;
    }
    match Expr::parse(&printed) {
        Ok(again) => {
            assert_eq!(again, expr, "printed as {printed:?}");
            assert_eq!(again.holds(&values), holds);
        }
        Err(e) => panic!("{expr_text:?} prints as {printed:?}, which does not parse: {e}"),
    }
    // Renaming is how the SurveyJS import maps names to question ids.
    let mut renamed = expr;
    renamed.rename_variables(&mut |name| name.to_ascii_lowercase());
    let _ = renamed.to_string();
});
