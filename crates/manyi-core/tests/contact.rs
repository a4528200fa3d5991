//! The contact question: its answer's JSON, its checks (`data/contact.json`: phone numbers and
//! e-mail addresses as customers in mainland China, Hong Kong, Taiwan and elsewhere write
//! them, and answers with the problem expected), its place in response validation, and the
//! conditions that read it.

use std::collections::BTreeMap;

use manyi_core::model::{Answer, Contact, ContactMethod, Response};
use manyi_core::validate::{
    ContactProblem, ResponseError, check_answer, fulfils_required, is_answered, is_email_address,
    is_phone_number, validate_response,
};
use manyi_core::visibility::Visibility;
use manyi_core::{Question, Survey, parse_survey};
use serde_json::{Value, json};

fn cases() -> Value {
    serde_json::from_str(include_str!("data/contact.json")).expect("the cases parse")
}

/// A survey with a contact question offering `methods` (every method when empty), and
/// questions shown by conditions on its parts in either language: `best_time` to those who
/// agreed to be contacted by the first method offered, `why_not` to those who did not.
fn survey(methods: &[&str]) -> Survey {
    // A condition may only compare the method with one the question offers.
    let asked = match methods {
        [] => "phone",
        [first, ..] => first,
    };
    let definition = json!({
        "id": "follow", "version": 1, "title": "Follow-up", "default_locale": "en",
        "pages": [{"id": "p", "questions": [
            {"id": "nps", "kind": "nps", "text": "Recommend?"},
            {"id": "contact", "kind": "contact", "text": "May we contact you about your answer?",
             "methods": methods},
            {"id": "best_time", "kind": "text", "text": "When may we call?",
             "visible_if": format!("contact.agreed == true and contact.method == {asked:?}")},
            {"id": "why_not", "kind": "text", "text": "Why not?",
             "visible_if": {"surveyjs": "{contact.agreed} = false"}}
        ]}]
    });
    parse_survey(&definition.to_string()).expect("the test survey is valid")
}

fn question(survey: &Survey) -> &Question {
    survey
        .question("contact")
        .expect("the survey has its contact question")
}

/// The long addresses the cases name by placeholder: a local part one character too long,
/// and whole addresses of exactly and one more than the length limit.
fn value_of(text: &str) -> String {
    let domain = format!(
        "{}.{}.{}.com",
        "b".repeat(63),
        "c".repeat(63),
        "d".repeat(57)
    );
    match text {
        "LONG_LOCAL@example.com" => format!("{}@example.com", "a".repeat(65)),
        "LIMIT_ADDRESS" => format!("{}@{domain}", "a".repeat(64)),
        "OVER_LIMIT_ADDRESS" => format!("{}@{domain}", "a".repeat(64)).replacen('@', "a@", 1),
        _ => text.to_owned(),
    }
}

fn strings(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect()
}

#[test]
fn phone_numbers_and_addresses_in_the_formats_customers_write() {
    let cases = cases();
    let mut failures = Vec::new();
    for (kind, check) in [
        ("phones", is_phone_number as fn(&str) -> bool),
        ("emails", is_email_address),
    ] {
        for (valid, expected) in [("valid", true), ("invalid", false)] {
            for text in strings(&cases[kind][valid]) {
                if check(text) != expected {
                    failures.push(format!("{kind}: {text:?} should be {valid}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(value_of("LIMIT_ADDRESS").chars().count(), 254);
    assert_eq!(value_of("OVER_LIMIT_ADDRESS").chars().count(), 255);
}

#[test]
fn answers_are_checked_with_the_problem_the_runner_words() {
    let mut failures = Vec::new();
    for case in cases()["answers"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let methods: Vec<&str> = case.get("methods").map(strings).unwrap_or_default();
        let survey = survey(&methods);
        let mut answer = case["answer"].clone();
        if let Some(Value::String(value)) = answer.get_mut("value") {
            *value = value_of(value);
        }
        let answer: Answer = serde_json::from_value(answer)
            .unwrap_or_else(|e| panic!("{name}: the answer does not read: {e}"));
        let got = match check_answer(question(&survey), &answer) {
            Ok(()) => Value::Null,
            Err(ResponseError::InvalidContact { question, problem }) => {
                assert_eq!(question, "contact", "{name}");
                serde_json::to_value(problem).unwrap()
            }
            Err(other) => json!({"unexpected": other.to_string()}),
        };
        if got != case["problem"] {
            failures.push(format!("{name}: expected {}, got {got}", case["problem"]));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn an_answer_reads_and_writes_the_same_json() {
    for case in cases()["answers"].as_array().unwrap() {
        let json = &case["answer"];
        let answer: Answer = serde_json::from_value(json.clone()).unwrap();
        assert!(matches!(answer, Answer::Contact(_)), "{json}");
        assert_eq!(&serde_json::to_value(&answer).unwrap(), json);
    }
    let agreed = Answer::Contact(Contact::agreed(ContactMethod::Phone, "13812345678"));
    assert_eq!(
        serde_json::to_string(&agreed).unwrap(),
        r#"{"agreed":true,"method":"phone","value":"13812345678"}"#
    );
    assert_eq!(
        serde_json::to_string(&Answer::Contact(Contact::declined())).unwrap(),
        r#"{"agreed":false}"#
    );
    // A matrix answer has no boolean, so it is never taken for a contact answer, even with a
    // row named `agreed`.
    let matrix: Answer = serde_json::from_value(json!({"agreed": 4})).unwrap();
    assert_eq!(
        matrix,
        Answer::Matrix(BTreeMap::from([("agreed".into(), 4.0)]))
    );
}

#[test]
fn malformed_answers_are_refused_when_read() {
    for json in cases()["malformed"].as_array().unwrap() {
        let read = serde_json::from_value::<Answer>(json.clone());
        assert!(read.is_err(), "{json} read as {read:?}");
    }
    // serde_json hands an object's repeated keys on one by one; a value read with them would
    // keep whichever came first.
    let twice = r#"{"agreed": true, "agreed": false}"#;
    assert!(serde_json::from_str::<Answer>(twice).is_err());
}

fn response(answers: Value) -> Response {
    Response {
        id: "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b".into(),
        survey_id: "follow".into(),
        survey_version: 1,
        started_at: None,
        submitted_at: None,
        locale: Some("zh-CN".into()),
        answers: serde_json::from_value(answers).unwrap(),
        meta: BTreeMap::new(),
        partial: false,
    }
}

#[test]
fn a_response_with_details_without_consent_is_refused_whole() {
    let survey = survey(&[]);
    let refused = response(json!({
        "nps": 3, "contact": {"agreed": false, "method": "phone", "value": "13812345678"},
        "why_not": "busy"
    }));
    let errors = validate_response(&survey, &refused).unwrap_err();
    assert_eq!(
        errors,
        [ResponseError::InvalidContact {
            question: "contact".into(),
            problem: ContactProblem::DetailsWithoutConsent,
        }]
    );
    assert_eq!(
        serde_json::to_value(&errors[0]).unwrap(),
        json!({"code": "invalid_contact", "question": "contact",
               "problem": {"reason": "details_without_consent"}})
    );
    assert_eq!(
        errors[0].to_string(),
        "\"contact\": contact details were given without consent to be contacted"
    );
    let stored = response(json!({
        "nps": 3, "contact": {"agreed": true, "method": "phone", "value": "+86 138 1234 5678"},
        "best_time": "evenings"
    }));
    assert_eq!(validate_response(&survey, &stored), Ok(()));
    let wrong = response(json!({"contact": "13812345678"}));
    assert!(matches!(
        validate_response(&survey, &wrong).unwrap_err()[..],
        [ResponseError::WrongType { .. }]
    ));
}

#[test]
fn a_yes_or_a_no_answers_a_required_contact_question() {
    let survey = survey(&[]);
    let q = question(&survey);
    for answer in [
        Contact::declined(),
        Contact::agreed(ContactMethod::Email, "a@b.co"),
    ] {
        let answer = Answer::Contact(answer);
        assert!(is_answered(&answer));
        assert!(fulfils_required(q, Some(&answer)));
    }
    assert!(!fulfils_required(q, None));
}

#[test]
fn conditions_read_the_consent_and_the_method_in_either_language() {
    let survey = survey(&[]);
    let visibility = Visibility::new(&survey);
    let shown = |contact: Option<Contact>| {
        let mut answers = BTreeMap::new();
        if let Some(contact) = contact {
            answers.insert("contact".to_owned(), Answer::Contact(contact));
        }
        let hidden = visibility.hidden(&answers);
        ["best_time", "why_not"]
            .into_iter()
            .filter(|id| !hidden.contains(*id))
            .collect::<Vec<_>>()
    };
    assert_eq!(shown(None), Vec::<&str>::new());
    assert_eq!(shown(Some(Contact::declined())), ["why_not"]);
    assert_eq!(
        shown(Some(Contact::agreed(ContactMethod::Phone, "13812345678"))),
        ["best_time"]
    );
    assert_eq!(
        shown(Some(Contact::agreed(ContactMethod::Email, "a@b.co"))),
        Vec::<&str>::new()
    );
}

#[test]
fn a_contact_question_is_never_scored() {
    let survey = survey(&[]);
    let r = response(json!({
        "nps": 10, "contact": {"agreed": true, "method": "email", "value": "a@b.co"}
    }));
    let plan = manyi_core::Plan::new(&survey);
    assert!(
        plan.items.iter().all(|item| item.key != "contact"),
        "the contact question is no item"
    );
    let scores = manyi_core::score_response(&survey, &r);
    assert_eq!(scores.composite, None);
    let report = manyi_core::build_report(&survey, &[r], &manyi_core::ReportOptions::default());
    let contact = report
        .questions
        .get("contact")
        .expect("every question is reported");
    assert_eq!(contact.n, 1);
    assert!(contact.mean.is_none() && contact.nps.is_none() && contact.distribution.is_empty());
    assert!(report.dimensions.is_empty());
}
