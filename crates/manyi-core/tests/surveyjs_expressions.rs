//! The SurveyJS expression language, data-driven: the cases in `data/surveyjs/expressions.json`
//! were taken from survey-core's own tests and checked against survey-core's runners, and the
//! probes in `data/surveyjs/expressions_probes.json` record what survey-core returned (see
//! `data/README.md`). Every case the evaluator can run is run, and all failures are reported
//! together.

use std::collections::BTreeMap;

use manyi_core::condition::surveyjs::{Expr, FUNCTIONS, Value};
use serde_json::{Map, Value as Json};

fn load(text: &str) -> Json {
    serde_json::from_str(text).expect("the reference data parses")
}

/// Why a case cannot run here, or None when it can.
fn skip_reason(case: &Json) -> Option<String> {
    if case.get("date_relative").is_some() {
        return Some("date_relative: calls age()/today(), and manyi has no dates".into());
    }
    let features = case["features"].as_array().unwrap();
    let missing: Vec<&str> = features
        .iter()
        .filter_map(|f| f.as_str()?.strip_prefix("function:"))
        .filter(|name| !FUNCTIONS.iter().any(|f| f.eq_ignore_ascii_case(name)))
        .collect();
    (!missing.is_empty()).then(|| format!("function {} is not implemented", missing.join(", ")))
}

/// Object.is for scalars, deep equality for arrays and objects (the cases' matchers).
fn same(got: &Value, want: &Value) -> bool {
    match (got, want) {
        (Value::Number(a), Value::Number(b)) => {
            (a.is_nan() && b.is_nan()) || (a == b && a.is_sign_negative() == b.is_sign_negative())
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| same(v, w)))
        }
        (a, b) => a == b,
    }
}

/// Runs one case: parses, checks that printing round-trips, evaluates as the case's runner
/// does. `Err` describes a failure.
fn run(
    expr: &str,
    kind: &str,
    values: &Map<String, Json>,
    want: Option<&Value>,
) -> Result<(), String> {
    let parsed = Expr::parse(expr);
    let got = match &parsed {
        Err(_) if kind == "condition" => Value::Bool(false),
        Err(_) => Value::Null,
        Ok(e) => {
            let printed = e.to_string();
            if Expr::parse(&printed).as_ref() != Ok(e) {
                return Err(format!("prints as {printed:?}, which parses differently"));
            }
            if kind == "condition" {
                Value::Bool(e.holds(values))
            } else {
                e.evaluate(values)
            }
        }
    };
    match want {
        Some(want) if !same(&got, want) => Err(format!(
            "got {got:?}, want {want:?} (parsed as {:?})",
            parsed.map(|e| e.to_string())
        )),
        _ => Ok(()),
    }
}

#[test]
fn survey_core_test_cases() {
    let cases = load(include_str!("data/surveyjs/expressions.json"));
    let cases = cases.as_array().unwrap();
    let mut failures = Vec::new();
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    let mut ran = 0;
    for case in cases {
        if let Some(reason) = skip_reason(case) {
            *skipped.entry(reason).or_default() += 1;
            continue;
        }
        ran += 1;
        let expr = case["expr"].as_str().unwrap();
        let kind = case["kind"].as_str().unwrap();
        let values = case["values"].as_object().unwrap();
        let want = Value::from(&case["expected"]);
        if let Err(e) = run(expr, kind, values, Some(&want)) {
            failures.push(format!(
                "{kind} {expr:?} with {} ({}): {e}",
                case["values"], case["source"]
            ));
        }
    }
    eprintln!(
        "SurveyJS expression cases: {} in total, {ran} run, {} passed, {} skipped:",
        cases.len(),
        ran - failures.len(),
        cases.len() - ran
    );
    for (reason, n) in &skipped {
        eprintln!("  {n:3} skipped: {reason}");
    }
    assert!(ran > cases.len() / 2, "most cases run");
    assert!(
        failures.is_empty(),
        "{} of {ran} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// `{"$undefined": true}` and `{"$number": "NaN"}` encode results JSON cannot carry.
fn probe_value(v: &Json) -> Value {
    if v.get("$undefined").is_some() {
        Value::Undefined
    } else if v.get("$number").is_some() {
        Value::Number(f64::NAN)
    } else {
        Value::from(v)
    }
}

#[test]
fn survey_core_behaviour_probes() {
    let probes = load(include_str!("data/surveyjs/expressions_probes.json"));
    let probes = probes["probes"].as_array().unwrap();
    let mut failures = Vec::new();
    for probe in probes {
        let expr = probe["expr"].as_str().unwrap();
        let kind = probe["kind"].as_str().unwrap();
        let observed = &probe["survey_core_2_5_43"];
        let want = probe_value(&observed["result"]);
        let can_run = observed["canRun"].as_bool().unwrap();
        if Expr::parse(expr).is_ok() != can_run {
            failures.push(format!(
                "{expr:?}: parses here: {}, in survey-core: {can_run}",
                Expr::parse(expr).is_ok()
            ));
            continue;
        }
        let values = probe["values"].as_object().unwrap();
        if let Err(e) = run(expr, kind, values, Some(&want)) {
            failures.push(format!("{kind} {expr:?} with {}: {e}", probe["values"]));
        }
    }
    assert!(!probes.is_empty());
    assert!(
        failures.is_empty(),
        "{} of {} probe(s) failed:\n{}",
        failures.len(),
        probes.len(),
        failures.join("\n")
    );
}

#[test]
fn syntax_errors_say_where() {
    // The position is the furthest character the parser reached, as in survey-core.
    for (text, position) in [("{a} = 'x' or", 12), ("2 @ 2", 2), ("-{a}", 1), ("{a", 2)] {
        let error = Expr::parse(text).expect_err(text);
        assert_eq!(error.position, position, "{text}: {error}");
        assert!(error.message.contains("expected"), "{text}: {error}");
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("{}1{}", "(".repeat(1_000), ")".repeat(1_000));
    let error = Expr::parse(&deep).expect_err("too deep");
    assert!(error.message.contains("nest at most 16"), "{error}");
    let fine = format!("{}1{}", "(".repeat(15), ")".repeat(15));
    assert_eq!(Expr::parse(&fine), Ok(Expr::Number(1.0)));
}

/// A number too large for an `f64` (a long literal, or `0x` and many digits) was printed as
/// `inf`, which reads back as the word "inf" (seen in manyi's own language while fixing what the
/// `condition_manyi` fuzz target found; this printer had the same fault).
#[test]
fn numbers_too_large_for_f64_print_back_as_numbers() {
    let huge = "9".repeat(400);
    for text in [
        format!("{{a}} > {huge}"),
        format!("{{a}} < -{huge}"),
        format!("0x{}", "9".repeat(300)),
    ] {
        let parsed = Expr::parse(&text).expect(&text);
        let printed = parsed.to_string();
        assert_eq!(Expr::parse(&printed), Ok(parsed), "{text} -> {printed}");
    }
}
