//! `manyi_core::time::parse_datetime` against the expected values of `data/timestamps.json` and
//! against chrono's own `DateTime<FixedOffset>::from_str`, which it replaces: on every case and
//! on every variation made by deleting, doubling or replacing one character of a case.

use chrono::{DateTime, FixedOffset};
use manyi_core::model::Response;
use manyi_core::time::parse_datetime;
use serde_json::Value;

fn cases() -> Vec<(String, Option<String>)> {
    let data: Value = serde_json::from_str(include_str!("data/timestamps.json")).unwrap();
    data["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["text"].as_str().unwrap().to_owned(),
                c["expected"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

fn chrono(text: &str) -> Option<DateTime<FixedOffset>> {
    text.parse().ok()
}

#[test]
fn the_cases_read_as_expected_and_as_chrono_reads_them() {
    let mut failures = Vec::new();
    for (text, expected) in cases() {
        let got = parse_datetime(&text);
        let printed = got.map(|t| t.to_rfc3339());
        if printed != expected {
            failures.push(format!("{text:?}: got {printed:?}, expected {expected:?}"));
        }
        if got != chrono(&text) {
            failures.push(format!("{text:?}: got {got:?}, chrono {:?}", chrono(&text)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn one_character_variations_read_as_chrono_reads_them() {
    const REPLACEMENTS: [char; 16] = [
        '0', '5', '6', '9', '-', '+', ':', '.', 'T', 'Z', ' ', '\t', 'x', '\u{2212}', 'U',
        '\u{3000}',
    ];
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut check = |text: String| {
        checked += 1;
        if parse_datetime(&text) != chrono(&text) {
            failures.push(format!(
                "{text:?}: got {:?}, chrono {:?}",
                parse_datetime(&text),
                chrono(&text)
            ));
        }
    };
    for (text, _) in cases() {
        let chars: Vec<char> = text.chars().collect();
        for i in 0..chars.len() {
            let mut deleted = chars.clone();
            deleted.remove(i);
            check(deleted.into_iter().collect());
            let mut doubled = chars.clone();
            doubled.insert(i, chars[i]);
            check(doubled.into_iter().collect());
            for r in REPLACEMENTS {
                let mut replaced = chars.clone();
                replaced[i] = r;
                check(replaced.into_iter().collect());
            }
        }
    }
    assert!(checked > 10_000, "only {checked} variations");
    assert!(
        failures.is_empty(),
        "{} of {checked}:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn response_timestamps_are_read_through_it() {
    let response = |started: &str| {
        serde_json::from_str::<Response>(&format!(
            r#"{{"id":"r1","survey_id":"nps","survey_version":1,"started_at":{started}}}"#
        ))
    };
    let read = response(r#""2026-11-22 13:30:00 UTC""#).unwrap();
    assert_eq!(
        read.started_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-11-22T13:30:00+00:00")
    );
    assert_eq!(response("null").unwrap().started_at, None);
    let missing: Response =
        serde_json::from_str(r#"{"id":"r1","survey_id":"nps","survey_version":1}"#).unwrap();
    assert_eq!(missing.started_at, None);
    let error = response(r#""2026-02-29T00:00:00Z""#)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("expected an RFC 3339 formatted date and time string"),
        "{error}"
    );
    assert!(response("20261122").is_err());
}
