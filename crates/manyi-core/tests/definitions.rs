//! Data-driven definition validation: each case in `data/definitions.json` patches the base
//! definition and lists the problems expected, as (path, part of the message).

mod common;

use manyi_core::Survey;
use manyi_core::validate::{DefinitionError, is_valid_survey, parse_survey};
use serde_json::Value;

#[test]
fn definition_cases() {
    let cases: Vec<Value> =
        serde_json::from_str(include_str!("data/definitions.json")).expect("cases parse");
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let doc = common::patched(common::BASE_SURVEY, case.get("set"), case.get("remove"));
        let result = parse_survey(&doc.to_string());
        if let Some(malformed) = case.get("malformed") {
            let (path, part) = (
                malformed[0].as_str().unwrap(),
                malformed[1].as_str().unwrap(),
            );
            match &result {
                Err(DefinitionError::Malformed { path: got, message })
                    if got.starts_with(path) && message.contains(part) => {}
                other => failures.push(format!(
                    "{name}: expected malformed at {path} ({part}), got {other:?}"
                )),
            }
            continue;
        }
        let expected: Vec<(String, String)> = case["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p[0].as_str().unwrap().to_owned(),
                    p[1].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        // The runner's yes-or-no check must agree with the full validation on every case.
        if let Ok(survey) = serde_json::from_value::<Survey>(doc.clone())
            && is_valid_survey(&survey) != expected.is_empty()
        {
            failures.push(format!(
                "{name}: is_valid_survey disagrees with the problems"
            ));
        }
        let got = match &result {
            Ok(_) => Vec::new(),
            Err(DefinitionError::Invalid(problems)) => problems.clone(),
            Err(e) => {
                failures.push(format!("{name}: unexpected {e:?}"));
                continue;
            }
        };
        let matches = got.len() == expected.len()
            && expected.iter().all(|(path, part)| {
                got.iter()
                    .any(|p| &p.path == path && p.message.contains(part.as_str()))
            });
        if !matches {
            failures.push(format!("{name}: expected {expected:?}\n    got {got:#?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn templates_are_valid_and_fully_translated() {
    let names: Vec<&str> = manyi_core::templates::names().collect();
    assert_eq!(names, ["nps", "csat", "ces", "rq"]);
    for name in names {
        let survey = manyi_core::templates::get(name)
            .unwrap()
            .unwrap_or_else(|e| panic!("template {name}: {:?}", e.problems()));
        assert_eq!(survey.id, name);
        assert_eq!(survey.locales, ["zh-CN", "zh-TW", "en"], "{name}");
        // Every localised string in the template carries all three locales, non-empty.
        let json: Value = serde_json::from_str(manyi_core::templates::json(name).unwrap()).unwrap();
        let mut missing = Vec::new();
        walk(&json, "$", &mut |path, v| {
            if let Value::Object(map) = v
                && (map.contains_key("en") || map.contains_key("zh-CN"))
            {
                for locale in ["zh-CN", "zh-TW", "en"] {
                    if map
                        .get(locale)
                        .and_then(Value::as_str)
                        .is_none_or(|s| s.trim().is_empty())
                    {
                        missing.push(format!("{path} lacks {locale}"));
                    }
                }
            }
        });
        assert!(missing.is_empty(), "template {name}: {missing:?}");
    }
}

fn walk(v: &Value, path: &str, f: &mut dyn FnMut(&str, &Value)) {
    f(path, v);
    match v {
        Value::Object(map) => map
            .iter()
            .for_each(|(k, c)| walk(c, &format!("{path}.{k}"), f)),
        Value::Array(list) => list
            .iter()
            .enumerate()
            .for_each(|(i, c)| walk(c, &format!("{path}[{i}]"), f)),
        _ => {}
    }
}

#[test]
fn metric_templates_use_the_standard_ids_and_scales() {
    use manyi_core::model::{Metric, QuestionKind};
    let check = |name: &str, metric: Metric, kind: QuestionKind, min: f64, max: f64| {
        let survey = manyi_core::templates::get(name).unwrap().unwrap();
        let q = survey.metric_question(metric).unwrap();
        assert_eq!(q.id, name);
        assert_eq!(q.kind, kind);
        let scale = q.effective_scale().unwrap();
        assert_eq!((scale.min, scale.max), (min, max), "{name}");
    };
    check("nps", Metric::Nps, QuestionKind::Nps, 0.0, 10.0);
    check("csat", Metric::Csat, QuestionKind::Rating, 1.0, 5.0);
    check("ces", Metric::Ces, QuestionKind::Likert, 1.0, 7.0);
    let rq = manyi_core::templates::get("rq").unwrap().unwrap();
    let weights: Vec<(&str, f64)> = rq
        .dimensions
        .iter()
        .map(|d| (d.id.as_str(), d.effective_weight()))
        .collect();
    assert_eq!(
        weights,
        [
            ("satisfaction", 0.4),
            ("trust", 0.0),
            ("commitment", 0.0),
            ("communication", 0.0),
            ("response_speed", 0.2),
            ("problem_solving", 0.1),
            ("customisation", 0.2),
            ("loyalty", 0.1)
        ]
    );
    assert!(
        rq.questions().any(|q| q.reverse),
        "rq has reverse-worded items"
    );
}

/// A definition file is one JSON value: text after it is refused, as `serde_json::from_str`
/// refuses it, rather than ignored (found by the `definition` fuzz target, whose own
/// `from_str` refused what `parse_survey` had accepted).
#[test]
fn text_after_the_definition_is_malformed() {
    for tail in ["?", " {}", "\n]", "x"] {
        let text = format!("{}{tail}", common::BASE_SURVEY.trim_end());
        match parse_survey(&text) {
            Err(DefinitionError::Malformed { path, message }) => {
                assert_eq!(path, "$", "{tail:?}");
                assert!(
                    message.contains("trailing characters"),
                    "{tail:?}: {message}"
                );
            }
            other => panic!("{tail:?}: expected malformed, got {other:?}"),
        }
    }
    // Whitespace after the value is not text after it.
    let spaced = format!("{}\n\n  \t", common::BASE_SURVEY);
    assert!(parse_survey(&spaced).is_ok());
}
