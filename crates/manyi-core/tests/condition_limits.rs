//! Hostile conditions in both languages, data-driven from `data/condition_limits.json`: what
//! the parsers refuse (too long, too deep) with the position, and that whatever they accept
//! parses, evaluates, prints, clones and drops on a 256 KiB stack, an eighth of a server
//! thread's. Before the limits, 5,000 `!` overflowed the stack while parsing and a 20,000-term
//! chain while evaluating or dropping.

use std::collections::BTreeMap;
use std::thread;

use manyi_core::condition::surveyjs::{AnswerScope, Expr};
use manyi_core::condition::{Condition, ParseError};
use manyi_core::model::Answer;
use serde_json::Value;

/// The stack every case runs on.
const SMALL_STACK: usize = 256 * 1024;

fn text_of(pieces: &Value) -> String {
    pieces
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            p[0].as_str()
                .unwrap()
                .repeat(p[1].as_u64().unwrap() as usize)
        })
        .collect()
}

/// Parses, and for an accepted text evaluates, prints, parses the print again, clones and
/// drops; returns the parse error or whether the condition holds.
fn run(language: &str, text: &str, answers: &BTreeMap<String, Answer>) -> Result<bool, String> {
    let refused = |e: ParseError| Ok::<_, String>(Err(e));
    let outcome = match language {
        "manyi" => match Condition::parse(text) {
            Err(e) => refused(e),
            Ok(c) => {
                let holds = c.eval(answers);
                let printed = c.to_string();
                if Condition::parse(&printed).as_ref() != Ok(&c) {
                    return Err(format!("prints as {printed:?}, which parses differently"));
                }
                drop(c.clone());
                Ok(Ok(holds))
            }
        },
        "surveyjs" => match Expr::parse(text) {
            Err(e) => refused(e),
            Ok(e) => {
                let holds = e.holds(&AnswerScope(answers));
                let printed = e.to_string();
                if Expr::parse(&printed).as_ref() != Ok(&e) {
                    return Err(format!("prints as {printed:?}, which parses differently"));
                }
                drop(e.clone());
                Ok(Ok(holds))
            }
        },
        other => panic!("unknown language {other}"),
    }?;
    outcome.map_err(|e| format!("refused at {}: {}", e.position, e.message))
}

#[test]
fn hostile_conditions_are_refused_or_run_on_a_small_stack() {
    let data: Value =
        serde_json::from_str(include_str!("data/condition_limits.json")).expect("cases parse");
    let mut failures = Vec::new();
    for case in data["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap().to_owned();
        let language = case["language"].as_str().unwrap().to_owned();
        let text = text_of(&case["text"]);
        let answers: BTreeMap<String, Answer> =
            serde_json::from_value(case.get("answers").cloned().unwrap_or(Value::Null))
                .unwrap_or_default();
        let worker = thread::Builder::new()
            .stack_size(SMALL_STACK)
            .spawn(move || {
                let result = run(&language, &text, &answers);
                // The refused text is kept for the position check below.
                (result, text)
            })
            .unwrap();
        // A stack overflow aborts the whole test process, which fails the test as well.
        let (result, text) = worker.join().expect("the case does not panic");
        let label = format!("{name} ({} characters)", text.chars().count());
        match (case.get("error"), result) {
            (Some(want), Err(got)) => {
                let want = format!(
                    "refused at {}: {}",
                    want[0].as_u64().unwrap(),
                    want[1].as_str().unwrap()
                );
                if !got.starts_with(&want) {
                    failures.push(format!("{label}: {got}, want {want}"));
                }
            }
            (Some(_), Ok(holds)) => failures.push(format!("{label}: accepted, holds {holds}")),
            (None, Ok(holds)) if Some(holds) == case["holds"].as_bool() => {}
            (None, other) => failures.push(format!("{label}: {other:?}, want {}", case["holds"])),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_definition_with_a_hostile_condition_is_refused_on_a_small_stack() {
    let worker = thread::Builder::new().stack_size(SMALL_STACK).spawn(|| {
        let mut doc: Value = serde_json::from_str(include_str!("data/base_survey.json")).unwrap();
        doc["pages"][1]["questions"][0]["visible_if"] =
            Value::String(format!("{}nps > 1", "!".repeat(5000)));
        manyi_core::parse_survey(&doc.to_string())
            .err()
            .map(|e| e.to_string())
    });
    let error = worker.unwrap().join().expect("no panic").expect("refused");
    assert!(error.contains("conditions nest at most 16"), "{error}");
}

#[test]
fn a_long_list_exports_to_surveyjs_within_the_depth_limit() {
    // 200 values as a chain of `or`s would be 200 operators deep; balanced, it is 9.
    let values: Vec<String> = (1..=200).map(|i| i.to_string()).collect();
    let text = format!("a in [{}]", values.join(", "));
    let exported = manyi_core::surveyjs::manyi_condition_to_surveyjs(&text).expect("exports");
    let expr = Expr::parse(&exported).expect("the export parses");
    let answers = BTreeMap::from([("a".to_owned(), Answer::Number(200.0))]);
    assert!(expr.holds(&AnswerScope(&answers)));
}
