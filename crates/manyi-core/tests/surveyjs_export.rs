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

/// Contact questions, one with every method and one with e-mail alone, read by conditions in
/// both languages.
const CONTACTS: &str = r#"{"id": "contacts", "version": 1, "title": "Contacts",
    "default_locale": "en", "locales": ["en", "zh-CN", "zh-TW"],
    "pages": [{"id": "p", "questions": [
        {"id": "nps", "kind": "nps", "text": "Recommend?", "metric": "nps"},
        {"id": "contact", "kind": "contact", "required": true, "help": "Once, never for marketing",
         "text": {"en": "May we contact you?", "zh-CN": "我们可以联系您吗？", "zh-TW": "我們可以聯絡您嗎？"},
         "visible_if": "nps <= 6"},
        {"id": "best_time", "kind": "text", "text": "When may we call?",
         "visible_if": "contact.agreed == true and contact.method == \"phone\""},
        {"id": "why_not", "kind": "text", "text": "Why not?",
         "visible_if": {"surveyjs": "{contact.agreed} = false"}},
        {"id": "news", "kind": "contact", "text": "Newsletter?", "methods": ["email"],
         "enable_if": "contact.agreed != true"}
    ]}]}"#;

#[test]
fn contact_questions_round_trip_exactly_through_a_panel() {
    let survey = manyi_core::parse_survey(CONTACTS).unwrap();
    let json = export(&survey);
    let panel = &json["pages"][0]["elements"][1];
    assert_eq!(panel["type"], "panel");
    let types: Vec<(&str, &str)> = panel["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["type"].as_str().unwrap(), e["name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        types,
        [
            ("boolean", "contact"),
            ("radiogroup", "contact_method"),
            ("text", "contact_phone"),
            ("text", "contact_email")
        ]
    );
    let phone = &panel["elements"][2];
    assert_eq!(
        (&phone["inputType"], &phone["autocomplete"]),
        (&"tel".into(), &"tel".into())
    );
    assert_eq!(
        phone["visibleIf"],
        "{contact} = true and {contact_method} = 'phone'"
    );
    // Conditions name the parts as SurveyJS holds them.
    let elements = json["pages"][0]["elements"].as_array().unwrap();
    assert_eq!(
        elements[2]["visibleIf"],
        "{contact} = true and {contact_method} = 'phone'"
    );
    assert_eq!(elements[3]["visibleIf"], "{contact} = false");
    assert_eq!(elements[4]["elements"][0]["enableIf"], "{contact} != true");
    let news: Vec<&str> = elements[4]["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(news, ["news", "news_method", "news_email"]);

    let back = import(&json).unwrap();
    assert_eq!(back.reports, []);
    // A SurveyJS condition comes back as one that means the same, as SurveyJS prints it.
    let mut expected = survey.clone();
    expected.pages[0].questions[3].visible_if =
        Some(ConditionText::surveyjs("{contact.agreed} = false"));
    assert_eq!(back.survey, expected);
}

#[test]
fn an_edited_or_missing_contact_part_is_reported() {
    let survey = manyi_core::parse_survey(CONTACTS).unwrap();
    let mut json = export(&survey);
    let panel = &mut json["pages"][0]["elements"][1]["elements"];
    panel[2]["title"] = "Your mobile".into();
    panel.as_array_mut().unwrap().remove(3);
    let back = import(&json).unwrap();
    let reports: Vec<(&str, &str)> = back
        .reports
        .iter()
        .map(|r| (r.path.as_str(), r.message.as_str()))
        .collect();
    assert_eq!(reports.len(), 2, "{reports:#?}");
    assert_eq!(reports[0].0, "$.pages[0].elements[1].elements[2]");
    assert!(reports[0].1.contains("edits are not imported"));
    assert!(reports[1].1.contains("no element \"contact_email\""));
    assert_eq!(back.survey, import(&export(&survey)).unwrap().survey);
}

#[test]
fn a_contact_question_read_by_surveyjs_alone_asks_and_checks_the_same() {
    let survey = manyi_core::parse_survey(CONTACTS).unwrap();
    let mut json = export(&survey);
    strip_extension(&mut json);
    let back = import(&json).unwrap();
    let kinds: Vec<(&str, QuestionKind)> = back
        .survey
        .questions()
        .take(5)
        .map(|q| (q.id.as_str(), q.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("nps", QuestionKind::Nps),
            ("contact", QuestionKind::SingleChoice),
            ("contact_method", QuestionKind::SingleChoice),
            ("contact_phone", QuestionKind::Text),
            ("contact_email", QuestionKind::Text)
        ]
    );
    // The phone field's pattern is the core's phone check, on every case of the data.
    let cases: Value = serde_json::from_str(include_str!("data/contact.json")).unwrap();
    let phone = back.survey.question("contact_phone").unwrap();
    for (list, valid) in [("valid", true), ("invalid", false)] {
        for text in cases["phones"][list].as_array().unwrap() {
            let text = text.as_str().unwrap();
            let answer = manyi_core::Answer::Text(text.to_owned());
            let passes =
                text.is_empty() || manyi_core::validate::check_answer(phone, &answer).is_ok();
            assert_eq!(passes, valid || text.is_empty(), "{text:?}");
            assert_eq!(
                manyi_core::validate::is_phone_number(text),
                valid,
                "{text:?}"
            );
        }
    }
}

#[test]
fn the_follow_up_example_round_trips_exactly() {
    let survey =
        manyi_core::parse_survey(include_str!("../../../examples/follow-up.json")).unwrap();
    assert_eq!(round_trip(&survey).unwrap(), survey);
}
