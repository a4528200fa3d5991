//! SurveyJS import: every survey fixture of SurveyJS's markup tests (see `data/README.md`)
//! imports without a panic, and every element and property that did not become part of the
//! survey is reported; then hand-written cases in `data/surveyjs_import.json` check the mapping
//! itself, one checking function for all of them.

use std::collections::{BTreeMap, HashSet};

use manyi_core::model::Answer;
use manyi_core::surveyjs::{ImportError, Report, import};
use manyi_core::validate::validate_answers;
use manyi_core::visibility::Visibility;
use serde_json::Value;

/// The properties an import carries into the definition, by element type (`*`: every
/// question). Anything else in an element must be reported. This list is the mapping the
/// README documents, written down independently of the importer.
fn mapped(kind: &str, key: &str) -> bool {
    let common = [
        "type",
        "name",
        "title",
        "description",
        "isRequired",
        "visibleIf",
        "enableIf",
        "requiredIf",
        "readOnly",
        "visible",
        "manyi",
        "validators",
    ];
    let specific: &[&str] = match kind {
        "text" | "comment" => &["maxLength"],
        "boolean" => &[
            "labelTrue",
            "labelFalse",
            "valueTrue",
            "valueFalse",
            "label",
        ],
        "radiogroup" | "dropdown" | "buttongroup" | "checkbox" | "tagbox" | "imagepicker" => &[
            "choices",
            "multiSelect",
            "choicesMin",
            "choicesMax",
            "choicesStep",
            "noneText",
            "otherText",
            "refuseText",
            "dontKnowText",
            "otherPlaceholder",
            "otherPlaceHolder",
            "commentText",
            "commentPlaceholder",
        ],
        "rating" => &[
            "rateMin",
            "rateMax",
            "rateStep",
            "rateCount",
            "rateValues",
            "autoGenerate",
            "minRateDescription",
            "maxRateDescription",
            "mininumRateDescription",
            "maximumRateDescription",
        ],
        "slider" => &["min", "max", "step", "sliderType"],
        "matrix" => &["rows", "columns", "eachRowRequired", "isAllRowRequired"],
        "multipletext" => &["items"],
        "panel" => &["elements", "questions"],
        "html" => &["html"],
        _ => &[],
    };
    common.contains(&key) || specific.contains(&key)
}

/// A SurveyJS name as a manyi id: lower case, runs of other characters as one `_`.
fn sanitize(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_owned()
}

/// Whether a report covers `path`: one at the path or inside it.
fn reported(reports: &[Report], path: &str) -> bool {
    reports.iter().any(|r| {
        r.path == path
            || r.path.starts_with(&format!("{path}."))
            || r.path.starts_with(&format!("{path}["))
    })
}

/// Every element under `list` (recursively through panels), with its JSON path.
fn walk<'a>(list: &'a Value, path: &str, out: &mut Vec<(String, &'a Value)>) {
    for (i, element) in list.as_array().into_iter().flatten().enumerate() {
        let path = format!("{path}[{i}]");
        out.push((path.clone(), element));
        for key in ["elements", "questions"] {
            if element["type"] == "panel" && element.get(key).is_some() {
                walk(&element[key], &format!("{path}.{key}"), out);
            }
        }
    }
}

#[test]
fn every_markup_fixture_imports_or_reports_what_it_cannot() {
    let index: Value =
        serde_json::from_str(include_str!("data/surveyjs/surveys/index.json")).unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/surveyjs/surveys");
    let (mut clean, mut with_reports, mut nothing) = (0, 0, 0);
    let mut failures = Vec::new();
    for fixture in index["fixtures"].as_array().unwrap() {
        let file = fixture["file"].as_str().unwrap();
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap();
        let (survey, reports) = match import(&doc) {
            Ok(import) => (Some(import.survey), import.reports),
            Err(ImportError::NothingImported { reports }) => (None, reports),
            Err(e) => {
                failures.push(format!("{file}: {e}"));
                continue;
            }
        };
        match (&survey, reports.is_empty()) {
            (None, _) => nothing += 1,
            (Some(_), true) => clean += 1,
            (Some(_), false) => with_reports += 1,
        }
        let ids: HashSet<&str> = survey
            .iter()
            .flat_map(|s| s.questions().map(|q| q.id.as_str()))
            .collect();
        let mut elements = Vec::new();
        walk(&doc["elements"], "$.elements", &mut elements);
        walk(&doc["questions"], "$.questions", &mut elements);
        for (i, page) in doc["pages"].as_array().into_iter().flatten().enumerate() {
            for key in ["elements", "questions"] {
                walk(&page[key], &format!("$.pages[{i}].{key}"), &mut elements);
            }
        }
        for (path, element) in elements {
            let kind = element["type"].as_str().unwrap_or_default();
            let name = element["name"].as_str().unwrap_or_default().to_lowercase();
            let id = sanitize(&name);
            let imported = kind != "panel"
                && kind != "html"
                && !id.is_empty()
                && ids
                    .iter()
                    .any(|i| *i == id || i.starts_with(&format!("{id}_")));
            if kind != "panel" && !imported && !reported(&reports, &path) {
                failures.push(format!(
                    "{file}: {path} ({kind}) is neither imported nor reported"
                ));
            }
            for (key, value) in element.as_object().into_iter().flatten() {
                // Properties at their default carry nothing; most flags are off by default,
                // these few on.
                let on_by_default = [
                    "startWithNewLine",
                    "showTitle",
                    "searchEnabled",
                    "textWrapEnabled",
                    "visible",
                ];
                let silent_default = value.is_null()
                    || *value == Value::Bool(on_by_default.contains(&key.as_str()))
                    || value == "default"
                    || value == ""
                    || value.as_array().is_some_and(|a| a.is_empty());
                if !mapped(kind, key)
                    && !silent_default
                    && !reported(&reports, &format!("{path}.{key}"))
                    && !reported(&reports, &path)
                {
                    failures.push(format!(
                        "{file}: {path}.{key} = {value} is neither mapped nor reported"
                    ));
                }
            }
        }
        for (key, value) in doc.as_object().unwrap() {
            let mapped = [
                "title",
                "description",
                "locale",
                "pages",
                "elements",
                "questions",
                "completedHtml",
            ];
            if !mapped.contains(&key.as_str())
                && *value != Value::Bool(false)
                && !reported(&reports, &format!("$.{key}"))
            {
                failures.push(format!("{file}: $.{key} is neither mapped nor reported"));
            }
        }
    }
    eprintln!(
        "SurveyJS fixtures: {} imported without reports, {} imported with reports, {} with nothing importable (every element reported)",
        clean, with_reports, nothing
    );
    assert!(clean + with_reports > 0);
    assert_none_failed(&failures);
}

/// The hand-written cases: each imports a small SurveyJS document and checks parts of the
/// definition (JSON pointer → value), the reports (path, kind, part of the message), which
/// questions are hidden for given answers, and what validation finds wrong with given answers
/// (question and error code, in order).
#[test]
fn import_cases() {
    let cases: Vec<Value> =
        serde_json::from_str(include_str!("data/surveyjs_import.json")).unwrap();
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let result = import(&case["surveyjs"]);
        let (survey, reports) = match result {
            Ok(import) => (Some(import.survey), import.reports),
            Err(e) => (None, e.reports().to_vec()),
        };
        let definition = survey.as_ref().map(|s| serde_json::to_value(s).unwrap());
        for (pointer, want) in case["expect"].as_object().into_iter().flatten() {
            // An absent field is null: the definition leaves out what it does not have.
            let got = definition
                .as_ref()
                .map(|d| d.pointer(pointer).unwrap_or(&Value::Null));
            if got != Some(want) {
                failures.push(format!("{name}: {pointer} is {got:?}, want {want}"));
            }
        }
        if case.get("fails") == Some(&Value::Bool(true)) && survey.is_some() {
            failures.push(format!(
                "{name}: imported, but nothing should be importable"
            ));
        }
        let want_reports = case["reports"].as_array().cloned().unwrap_or_default();
        for want in &want_reports {
            let (path, kind, part) = (
                want[0].as_str().unwrap(),
                want[1].as_str().unwrap(),
                want[2].as_str().unwrap(),
            );
            let found = reports.iter().any(|r| {
                r.path == path
                    && serde_json::to_value(r.kind).unwrap() == kind
                    && r.message.contains(part)
            });
            if !found {
                failures.push(format!(
                    "{name}: no {kind} report at {path} containing {part:?}; got {reports:#?}"
                ));
            }
        }
        if case.get("only_these_reports") == Some(&Value::Bool(true))
            && reports.len() != want_reports.len()
        {
            failures.push(format!(
                "{name}: {} report(s), want {}: {reports:#?}",
                reports.len(),
                want_reports.len()
            ));
        }
        for check in case["hidden"].as_array().into_iter().flatten() {
            let Some(survey) = &survey else { break };
            let answers: BTreeMap<String, Answer> =
                serde_json::from_value(check["answers"].clone()).unwrap();
            let mut hidden: Vec<String> = Visibility::new(survey)
                .hidden(&answers)
                .into_iter()
                .collect();
            hidden.sort();
            let want: Vec<String> = serde_json::from_value(check["hidden"].clone()).unwrap();
            if hidden != want {
                failures.push(format!(
                    "{name}: with {} hidden {hidden:?}, want {want:?}",
                    check["answers"]
                ));
            }
        }
        for check in case["errors"].as_array().into_iter().flatten() {
            let Some(survey) = &survey else { break };
            let answers: BTreeMap<String, Answer> =
                serde_json::from_value(check["answers"].clone()).unwrap();
            let errors = validate_answers(survey, &answers, false).err();
            let got: Vec<Value> = errors
                .iter()
                .flatten()
                .map(|e| {
                    serde_json::json!([e.question(), serde_json::to_value(e).unwrap()["code"]])
                })
                .collect();
            if got.as_slice() != check["errors"].as_array().unwrap().as_slice() {
                failures.push(format!(
                    "{name}: with {} the errors are {got:?}, want {}",
                    check["answers"], check["errors"]
                ));
            }
        }
    }
    assert_none_failed(&failures);
}

#[test]
fn panels_nested_as_deep_as_json_is_read_import_on_a_small_stack() {
    // serde_json reads at most 128 nested arrays and objects; a panel takes two (itself and its
    // `elements`), so 62 panels inside the survey's `elements` are as deep as a definition
    // read from text can nest them. The import walks panels recursively, about 5 KiB of a
    // debug build's stack per panel: at that depth it must fit a quarter of a server thread's
    // 2 MiB.
    let depth = 62;
    let mut text = String::from(r#"{"elements": ["#);
    for i in 0..depth {
        text.push_str(&format!(
            r#"{{"type": "panel", "name": "p{i}", "elements": ["#
        ));
    }
    text.push_str(r#"{"type": "text", "name": "q", "visibleIf": "{q} notempty"}"#);
    text.push_str(&"]}".repeat(depth + 1));
    let worker = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || {
            let json: Value = serde_json::from_str(&text).expect("within serde_json's depth");
            import(&json).map(|i| i.survey.questions().count())
        })
        .unwrap();
    let imported = worker.join().expect("the import does not panic");
    assert_eq!(imported.ok(), Some(1));
}

/// Fails with every failure listed, so one run shows all of them.
fn assert_none_failed(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Found by fuzzing: the number of points of a rating whose range holds billions of steps (or
/// infinitely many) overflowed before it was capped at 1,000.
#[test]
fn a_rating_of_more_steps_than_a_number_holds_is_cut_not_overflowed() {
    for (min, max, step) in [(0.0, 1e300, 1e-300), (-1e308, 1e308, 1.0), (0.0, 1e30, 1.0)] {
        let surveyjs = serde_json::json!({"pages": [{"name": "p", "elements": [
            {"type": "rating", "name": "r", "rateMin": min, "rateMax": max, "rateStep": step}
        ]}]});
        match import(&surveyjs) {
            Ok(import) => assert_eq!(import.survey.pages.len(), 1, "{min} {max} {step}"),
            Err(e) => assert!(!e.reports().is_empty(), "{min} {max} {step}"),
        }
    }
}
