//! The `visible_if` language, data-driven: evaluation cases and syntax errors with positions.

use std::collections::BTreeMap;

use manyi_core::condition::Condition;
use manyi_core::model::Answer;
use serde_json::Value;

fn cases() -> Value {
    serde_json::from_str(include_str!("data/conditions.json")).unwrap()
}

#[test]
fn evaluation_cases() {
    let mut failures = Vec::new();
    for case in cases()["eval"].as_array().unwrap() {
        let expr = case["expr"].as_str().unwrap();
        let answers: BTreeMap<String, Answer> =
            serde_json::from_value(case["answers"].clone()).unwrap();
        match Condition::parse(expr) {
            Err(e) => failures.push(format!("{expr}: does not parse: {e}")),
            Ok(condition) => {
                let got = condition.eval(&answers);
                if Some(got) != case["expected"].as_bool() {
                    failures.push(format!("{expr} on {}: got {got}", case["answers"]));
                }
                // Printing and parsing again gives the same tree.
                let reparsed = Condition::parse(&condition.to_string());
                if reparsed.as_ref() != Ok(&condition) {
                    failures.push(format!(
                        "{expr}: prints as {condition}, which parses to {reparsed:?}"
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn syntax_errors_say_what_and_where() {
    let mut failures = Vec::new();
    for case in cases()["errors"].as_array().unwrap() {
        let expr = case["expr"].as_str().unwrap();
        let want_position = case["position"].as_u64().unwrap() as usize;
        let want_message = case["message"].as_str().unwrap();
        match Condition::parse(expr) {
            Ok(c) => failures.push(format!("{expr:?}: parsed as {c:?}")),
            Err(e) if e.position == want_position && e.message.contains(want_message) => {}
            Err(e) => failures.push(format!(
                "{expr:?}: got {:?} at {}, want {want_message:?} at {want_position}",
                e.message, e.position
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn localized_text_falls_back_to_the_default_locale() {
    let survey = manyi_core::templates::get("nps").unwrap().unwrap();
    let title = &survey.title;
    let zh_tw = title.get("zh-TW", &survey.default_locale);
    assert_eq!(
        title.get("zh-tw", &survey.default_locale),
        zh_tw,
        "tags match case-insensitively"
    );
    assert_ne!(zh_tw, title.get("zh-CN", &survey.default_locale));
    assert_eq!(
        title.get("fr", &survey.default_locale),
        title.get("zh-CN", &survey.default_locale),
        "an untranslated locale gets the default locale"
    );
    let plain = manyi_core::LocalizedText::from("Same everywhere");
    assert_eq!(plain.get("en", "zh-CN"), "Same everywhere");
}
