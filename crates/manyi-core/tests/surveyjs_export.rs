//! SurveyJS export: a definition exported and imported again is the same definition, for the
//! built-in templates and for every markup fixture that imports; and read as SurveyJS alone
//! (without the `manyi` properties an export adds), a template differs in exactly the ways the
//! README documents.

use manyi_core::Survey;
use manyi_core::model::{ConditionText, QuestionKind};
use manyi_core::surveyjs::{export, import, manyi_condition_to_surveyjs};
use serde_json::Value;

fn round_trip(survey: &Survey) -> Result<Survey, String> {
    let json = export(survey);
    let back = import(&json).map_err(|e| format!("{e}: {:#?}", e.reports()))?;
    if !back.reports.is_empty() {
        return Err(format!("reports: {:#?}", back.reports));
    }
    Ok(back.survey)
}

#[test]
fn templates_round_trip_exactly() {
    for name in manyi_core::templates::names() {
        let survey = manyi_core::templates::get(name).unwrap().unwrap();
        match round_trip(&survey) {
            Ok(back) => assert_eq!(back, survey, "template {name}"),
            Err(e) => panic!("template {name}: {e}"),
        }
    }
}

/// Every `manyi` property removed, as SurveyJS Creator does with properties it does not know.
fn strip_extension(json: &mut Value) {
    match json {
        Value::Object(map) => {
            map.remove("manyi");
            map.values_mut().for_each(strip_extension);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_extension),
        _ => {}
    }
}

#[test]
fn templates_read_by_surveyjs_alone_lose_exactly_the_documented_parts() {
    for name in manyi_core::templates::names() {
        let original = manyi_core::templates::get(name).unwrap().unwrap();
        let mut json = export(&original);
        strip_extension(&mut json);
        let back = import(&json).unwrap_or_else(|e| panic!("{name}: {e}"));
        // What the README says differs, applied to the original.
        let mut expected = original.clone();
        expected.id = back.survey.id.clone();
        expected.dimensions.clear();
        let default = expected.default_locale.clone();
        expected.locales.sort_by_key(|l| (*l != default, l.clone()));
        for page in &mut expected.pages {
            for q in &mut page.questions {
                if q.kind == QuestionKind::Likert {
                    q.kind = QuestionKind::Rating;
                }
                q.dimension = None;
                q.reverse = false;
                q.weight = None;
                q.metric = None;
                if let Some(ConditionText::Manyi(text)) = &q.visible_if {
                    q.visible_if = Some(ConditionText::surveyjs(
                        manyi_condition_to_surveyjs(text).unwrap(),
                    ));
                }
            }
        }
        // The id comes from the English title.
        let english = original
            .title
            .get("en", &original.default_locale)
            .to_lowercase();
        assert_eq!(back.survey.id, english.replace(' ', "-"), "{name}");
        assert_eq!(back.survey, expected, "{name}");
        assert!(back.reports.is_empty(), "{name}: {:#?}", back.reports);
    }
}

#[test]
fn imported_fixtures_survive_export_and_import() {
    let index: Value =
        serde_json::from_str(include_str!("data/surveyjs/surveys/index.json")).unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/surveyjs/surveys");
    let mut checked = 0;
    let mut failures = Vec::new();
    for fixture in index["fixtures"].as_array().unwrap() {
        let file = fixture["file"].as_str().unwrap();
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap();
        let Ok(first) = import(&doc) else { continue };
        checked += 1;
        match round_trip(&first.survey) {
            Ok(back) if back == first.survey => {}
            Ok(back) => failures.push(format!("{file}: {back:#?}\n!=\n{:#?}", first.survey)),
            Err(e) => failures.push(format!("{file}: {e}")),
        }
    }
    assert!(checked > 100, "{checked}");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn exported_conditions_mean_what_they_meant() {
    // The base survey's follow-up condition, in both languages, on the same answers.
    use std::collections::BTreeMap;

    use manyi_core::condition::Rule;
    use manyi_core::model::Answer;
    let text = "nps <= 6 and channel == \"store\" or picks contains \"b\" or grid.r1 in [4, 5]";
    let manyi = Rule::parse(&ConditionText::Manyi(text.into())).unwrap();
    let surveyjs = Rule::parse(&ConditionText::surveyjs(
        manyi_condition_to_surveyjs(text).unwrap(),
    ))
    .unwrap();
    let answers: Vec<BTreeMap<String, Answer>> = serde_json::from_str(
        r#"[{}, {"nps": 3}, {"nps": 3, "channel": "store"}, {"nps": 7, "channel": "store"},
            {"picks": ["a"]}, {"picks": ["a", "b"]}, {"grid": {"r1": 4}}, {"grid": {"r1": 3}},
            {"nps": 6, "channel": "web", "grid": {"r2": 5}}]"#,
    )
    .unwrap();
    for a in &answers {
        assert_eq!(manyi.eval(a), surveyjs.eval(a), "{a:?}");
    }
    assert!(answers.iter().any(|a| manyi.eval(a)) && answers.iter().any(|a| !manyi.eval(a)));
}

#[test]
fn names_no_question_has_survive_export_and_import() {
    // SurveyJS has no place for `unknown`, and needs none: the import finds the same names
    // again (and reports them again, as reading as empty).
    let doc: Value = serde_json::from_str(
        r#"{"title": "T", "elements": [
            {"type": "text", "name": "a", "visibleIf": "{tpyo} = 'x' or {b} notempty"},
            {"type": "text", "name": "b", "requiredIf": "{nosuch.x} empty"}
        ]}"#,
    )
    .unwrap();
    let first = import(&doc).unwrap();
    let q = |s: &Survey, i: usize| s.pages[0].questions[i].clone();
    let visible = q(&first.survey, 0).visible_if.unwrap();
    assert!(matches!(&visible, ConditionText::SurveyJs(e) if e.unknown == ["tpyo"]));
    let back = import(&export(&first.survey)).unwrap();
    assert_eq!(back.survey, first.survey);
    assert_eq!(back.reports.len(), 2, "{:#?}", back.reports);
}

#[test]
fn validators_and_required_rows_round_trip_exactly() {
    let survey = manyi_core::parse_survey(
        r#"{"id": "checks", "version": 2, "title": "Checks", "default_locale": "en",
            "pages": [{"id": "p", "questions": [
                {"id": "mail", "kind": "text", "text": "Mail",
                 "validators": [{"check": "email", "message": {"en": "No", "zh-CN": "不对"}}]},
                {"id": "code", "kind": "text", "text": "Code", "validators": [
                    {"check": {"pattern": {"regex": "^[a-z]{3}$", "case_insensitive": true}}},
                    {"check": {"numeric": {"min": 0.5, "max": 10}}, "message": "0.5 to 10"},
                    {"check": {"text_length": {"min": 1, "max": 3, "allow_digits": false}}}]},
                {"id": "picks", "kind": "multi_choice", "text": "Picks",
                 "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
                 "validators": [{"check": {"answer_count": {"max": 1}}}]},
                {"id": "grid", "kind": "matrix", "text": "Grid", "required": true,
                 "required_rows": "any", "scale": {"min": 1, "max": 5},
                 "rows": [{"id": "r1", "text": "R1"}]},
                {"id": "all", "kind": "matrix", "text": "All", "required": true,
                 "scale": {"min": 1, "max": 5},
                 "rows": [{"id": "r1", "text": "R1"}]}
            ]}]}"#,
    )
    .unwrap();
    assert_eq!(round_trip(&survey).unwrap(), survey);
}
