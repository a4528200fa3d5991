//! Follow-up cases, from the cases in `data/cases.json`: the allowed status changes, timelines
//! folded into what the loop measures (the seconds worked out by hand), refused events, and the
//! loop figures of a small set of cases whose medians and rates were worked out by hand from the
//! definitions in `manyi_core::cases`.

mod common;

use std::collections::BTreeMap;

use manyi_core::cases::{
    CaseError, CaseEvent, CaseFacts, CaseStatus, EventKind, Instant, due_at, loop_figures, median,
};
use manyi_core::limits::MAX_CASE_TEXT_LENGTH;
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct Cases {
    transitions: Vec<(CaseStatus, CaseStatus)>,
    timelines: Vec<Timeline>,
    refused: Vec<Refused>,
    figures: Vec<Figures>,
    cases: BTreeMap<String, CaseFacts>,
}

#[derive(Deserialize)]
struct Timeline {
    name: String,
    events: Vec<CaseEvent>,
    facts: CaseFacts,
    first_action_seconds: Option<f64>,
    resolution_seconds: Option<f64>,
    within_service_level: Option<bool>,
    overdue: Vec<(String, bool)>,
}

#[derive(Deserialize)]
struct Refused {
    name: String,
    events: Vec<CaseEvent>,
    at: usize,
    message: String,
}

#[derive(Deserialize)]
struct Figures {
    name: String,
    from: String,
    to: String,
    as_of: String,
    responses: u64,
    expected: Value,
}

fn cases() -> Cases {
    serde_json::from_str(include_str!("data/cases.json")).expect("cases parse")
}

fn instant(text: &str) -> Instant {
    manyi_core::time::parse_datetime(text).unwrap()
}

#[test]
fn only_the_listed_status_changes_are_allowed() {
    let allowed = cases().transitions;
    for from in CaseStatus::ALL {
        for to in CaseStatus::ALL {
            assert_eq!(
                from.can_become(to),
                allowed.contains(&(from, to)),
                "{from} -> {to}"
            );
        }
    }
}

#[test]
fn a_timeline_folds_into_what_the_loop_measures() {
    let mut failures = Vec::new();
    for case in cases().timelines {
        let facts = match CaseFacts::from_timeline(&case.events) {
            Ok(facts) => facts,
            Err(e) => {
                failures.push(format!("{}: refused: {e}", case.name));
                continue;
            }
        };
        if facts != case.facts {
            failures.push(format!("{}: {facts:?}", case.name));
        }
        let close = |got: Option<f64>, want: Option<f64>| match (got, want) {
            (Some(g), Some(w)) => (g - w).abs() < 1e-9,
            (g, w) => g == w,
        };
        if !close(facts.time_to_first_action(), case.first_action_seconds) {
            failures.push(format!(
                "{}: first action after {:?}",
                case.name,
                facts.time_to_first_action()
            ));
        }
        if !close(facts.time_to_resolution(), case.resolution_seconds) {
            failures.push(format!(
                "{}: resolved after {:?}",
                case.name,
                facts.time_to_resolution()
            ));
        }
        if facts.within_service_level() != case.within_service_level {
            failures.push(format!(
                "{}: within {:?}",
                case.name,
                facts.within_service_level()
            ));
        }
        for (now, overdue) in &case.overdue {
            if facts.is_overdue(instant(now)) != *overdue {
                failures.push(format!("{}: overdue at {now} is not {overdue}", case.name));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn refused_events_say_why_and_change_nothing() {
    let mut failures = Vec::new();
    for case in cases().refused {
        let (first, rest) = case.events.split_first().unwrap();
        let mut facts = match CaseFacts::open(first) {
            Ok(facts) => facts,
            Err(e) if case.at == 0 && e.to_string().contains(&case.message) => continue,
            Err(e) => {
                failures.push(format!("{}: the opening is refused: {e}", case.name));
                continue;
            }
        };
        for (i, event) in rest.iter().enumerate() {
            let before = facts.clone();
            match facts.apply(event) {
                Ok(()) if i + 1 == case.at => {
                    failures.push(format!("{}: event {} accepted", case.name, case.at))
                }
                Ok(()) => {}
                Err(e) if i + 1 == case.at && e.to_string().contains(&case.message) => {
                    if facts != before {
                        failures.push(format!("{}: the refused event changed the case", case.name));
                    }
                }
                Err(e) => failures.push(format!("{}: event {}: {e}", case.name, i + 1)),
            }
        }
        if CaseFacts::from_timeline(&case.events).is_ok() {
            failures.push(format!("{}: the whole timeline is accepted", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn texts_are_bounded() {
    let opened = CaseEvent {
        at: instant("2026-03-02T01:00:00Z"),
        by: "manyi".into(),
        kind: EventKind::Opened {
            owner: None,
            due_at: due_at(instant("2026-03-02T01:00:00Z"), 4),
        },
    };
    let mut facts = CaseFacts::open(&opened).unwrap();
    assert_eq!(facts.due_at, instant("2026-03-02T05:00:00Z"));
    let note = |text: String| CaseEvent {
        at: instant("2026-03-02T02:00:00Z"),
        by: "x".into(),
        kind: EventKind::Note {
            text,
            contacted: false,
        },
    };
    assert_eq!(
        facts.apply(&note("字".repeat(MAX_CASE_TEXT_LENGTH + 1))),
        Err(CaseError::TooLong {
            what: "note",
            max: MAX_CASE_TEXT_LENGTH
        })
    );
    assert_eq!(facts.first_action_at, None);
    assert_eq!(
        facts.apply(&note("字".repeat(MAX_CASE_TEXT_LENGTH))),
        Ok(())
    );
}

#[test]
fn medians_take_the_middle_or_the_mean_of_the_two_middle_values() {
    assert_eq!(median(&mut []), None);
    assert_eq!(median(&mut [7.0]), Some(7.0));
    assert_eq!(median(&mut [9.0, 1.0, 4.0]), Some(4.0));
    assert_eq!(median(&mut [9.0, 1.0, 4.0, 2.0]), Some(3.0));
}

/// Whether two JSON values are equal, numbers to 1e-12 of their size.
fn same(got: &Value, want: &Value) -> bool {
    match (got, want) {
        (Value::Number(g), Value::Number(w)) => {
            common::close(g.as_f64().unwrap(), w.as_f64().unwrap(), 1e-12)
        }
        (Value::Array(g), Value::Array(w)) => {
            g.len() == w.len() && g.iter().zip(w).all(|(g, w)| same(g, w))
        }
        (Value::Object(g), Value::Object(w)) => {
            g.len() == w.len() && g.iter().all(|(k, g)| w.get(k).is_some_and(|w| same(g, w)))
        }
        (g, w) => g == w,
    }
}

#[test]
fn loop_figures_on_a_hand_checked_set_of_cases() {
    let data = cases();
    let mut failures = Vec::new();
    for case in &data.figures {
        let figures = loop_figures(
            data.cases.values(),
            instant(&case.from),
            instant(&case.to),
            instant(&case.as_of),
            case.responses,
        );
        let got = serde_json::to_value(&figures).unwrap();
        if !same(&got, &case.expected) {
            failures.push(format!(
                "{}:\n  got  {got}\n  want {}",
                case.name, case.expected
            ));
        }
        // The figures read back from their JSON.
        let back: manyi_core::cases::LoopFigures = serde_json::from_value(got).unwrap();
        if back != figures {
            failures.push(format!("{}: does not read back", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
