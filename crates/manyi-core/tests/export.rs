//! The export's columns, rows and CSV form on the base survey.

mod common;

use std::collections::BTreeMap;

use manyi_core::export::{self, Cell};
use manyi_core::model::{Answer, Response};
use serde_json::{Value, json};

#[test]
fn csv_has_one_column_per_question_and_quotes_what_needs_it() {
    let survey = common::base_survey();
    let answers: BTreeMap<String, Answer> = serde_json::from_value(json!({
        "nps": 9,
        "grid": {"r1": 4},
        "picks": ["a", "b"],
        "comment": "good, \"fast\"\nthanks"
    }))
    .unwrap();
    let response = Response {
        id: "00000000-0000-4000-8000-000000000001".into(),
        survey_id: "base".into(),
        survey_version: 1,
        started_at: None,
        submitted_at: Some("2026-02-10T12:00:00+08:00".parse().unwrap()),
        locale: Some("en".into()),
        answers,
        meta: [("channel".to_owned(), "web".to_owned())].into(),
        partial: false,
    };
    let responses = [response];
    let columns = export::Columns::of(&survey, &responses);
    let header = columns.header();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(
        header[..5],
        ["id", "submitted_at", "started_at", "locale", "meta.channel"]
    );
    assert_eq!(columns.meta_columns(), 1);
    let row = columns.row(&responses[0]);
    assert_eq!(row[column("nps")], Cell::Number(9.0));
    assert_eq!(row[column("picks")], Cell::Text("a;b".into()));
    assert_eq!(row[column("started_at")], Cell::Empty);
    assert_eq!(row[column("grid.r1")], Cell::Number(4.0));
    assert_eq!(row[column("grid.r2")], Cell::Empty);

    let csv = export::csv(&survey, &responses);
    assert!(csv.starts_with('\u{feff}'));
    let data = csv.lines().nth(1).unwrap();
    assert!(
        data.starts_with(
            "00000000-0000-4000-8000-000000000001,2026-02-10T12:00:00+08:00,,en,web,9,"
        ),
        "{data}"
    );
    assert!(csv.contains("\"good, \"\"fast\"\"\nthanks\""), "{csv}");
}

#[test]
fn csv_neutralises_formulas_in_text_and_keeps_numbers_as_numbers() {
    let survey = common::base_survey();
    let texts = [
        "=HYPERLINK(\"http://evil\",\"x\")",
        "+1",
        "-2",
        "@SUM(A1)",
        "\tcmd",
        "\r=1",
        "'=already quoted",
        "''+twice",
        "'plain quote",
        "fine",
    ];
    let responses: Vec<Response> = texts
        .iter()
        .enumerate()
        .map(|(i, text)| Response {
            id: format!("00000000-0000-4000-8000-{i:012}"),
            survey_id: "base".into(),
            survey_version: 1,
            started_at: None,
            submitted_at: None,
            locale: None,
            answers: serde_json::from_value(json!({"comment": text, "nps": -1 - i as i64}))
                .unwrap(),
            meta: [("ref".to_owned(), (*text).to_owned())].into(),
            partial: false,
        })
        .collect();
    let csv = export::csv(&survey, &responses);
    let lines: Vec<&str> = csv.split('\n').collect();
    // The first response's row: the meta value and the comment both start with `'`, inside the
    // quotes the comma in them needs.
    assert!(
        lines[1].contains(",\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\","),
        "{}",
        lines[1]
    );
    // A negative number stays a number.
    assert!(lines[1].contains(",-1,"), "{}", lines[1]);
    for expected in [
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tcmd",
        "\"'\r=1\"",
        "''=already quoted",
        "'''+twice",
    ] {
        assert!(csv.contains(expected), "{expected:?} missing from {csv:?}");
    }
    assert!(csv.contains(",'plain quote,"), "{csv:?}");
    // Every text reads back as it was through `csv_text`.
    for text in texts {
        let written = if text
            .trim_start_matches('\'')
            .starts_with(['=', '+', '-', '@', '\t', '\r'])
        {
            format!("'{text}")
        } else {
            text.to_owned()
        };
        assert_eq!(export::csv_text(&written), text);
    }
}

#[test]
fn a_contact_answer_is_three_columns_and_a_phone_number_is_no_formula() {
    let survey = manyi_core::parse_survey(include_str!("../../../examples/follow-up.json"))
        .expect("the example is valid");
    let response = |i: u32, contact: Value| Response {
        id: format!("00000000-0000-4000-8000-{i:012}"),
        survey_id: "follow-up".into(),
        survey_version: 1,
        started_at: None,
        submitted_at: None,
        locale: Some("zh-CN".into()),
        answers: serde_json::from_value(json!({"nps": 3, "contact": contact})).unwrap(),
        meta: BTreeMap::new(),
        partial: false,
    };
    let responses = [
        response(
            1,
            json!({"agreed": true, "method": "phone", "value": "+86 138 1234 5678"}),
        ),
        response(2, json!({"agreed": false})),
        response(
            3,
            json!({"agreed": true, "method": "email", "value": "lin@mail.example.tw"}),
        ),
    ];
    let columns = export::Columns::of(&survey, &responses);
    let header = columns.header();
    assert_eq!(
        header[4..],
        [
            "nps",
            "reason",
            "contact.agreed",
            "contact.method",
            "contact.value",
            "best_time"
        ]
    );
    let cells: Vec<Vec<Cell>> = responses
        .iter()
        .map(|r| columns.row(r)[6..9].to_vec())
        .collect();
    let text = |t: &str| Cell::Text(t.to_owned().into());
    assert_eq!(
        cells,
        [
            vec![text("true"), text("phone"), text("+86 138 1234 5678")],
            vec![text("false"), Cell::Empty, Cell::Empty],
            vec![text("true"), text("email"), text("lin@mail.example.tw")],
        ]
    );
    let csv = export::csv(&survey, &responses);
    let first = csv.lines().nth(1).unwrap();
    assert!(
        first.ends_with(",3,,true,phone,'+86 138 1234 5678,"),
        "{first}"
    );
    assert_eq!(export::csv_text("'+86 138 1234 5678"), "+86 138 1234 5678");
    assert!(
        csv.lines().nth(2).unwrap().ends_with(",3,,false,,,"),
        "{csv}"
    );
}
