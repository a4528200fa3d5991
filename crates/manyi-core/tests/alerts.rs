//! Alert rules, from the cases in `data/alerts.json`: which rules fire on hand-made responses
//! to the `nps`, `csat` and `rq` templates (the scores worked out by hand in each case's name),
//! the one case each response opens, and rules refused with their index, path and position.

use std::collections::BTreeMap;

use manyi_core::Plan;
use manyi_core::alerts::{AlertRule, RuleError, Severity, case_for, evaluate, validate_rules};
use manyi_core::limits::MAX_ALERT_RULES;
use manyi_core::model::{Answer, Response};
use manyi_core::templates;
use serde::Deserialize;

#[derive(Deserialize)]
struct Cases {
    evaluation: Vec<Evaluation>,
    valid: Vec<Valid>,
    invalid: Vec<Invalid>,
}

#[derive(Deserialize)]
struct Evaluation {
    template: String,
    rules: Vec<AlertRule>,
    responses: Vec<ResponseCase>,
}

#[derive(Deserialize)]
struct ResponseCase {
    name: String,
    answers: BTreeMap<String, Answer>,
    meta: BTreeMap<String, String>,
    fires: Vec<String>,
    case: Option<ExpectedCase>,
}

#[derive(Deserialize, Debug, PartialEq)]
struct ExpectedCase {
    severity: Severity,
    owner: Option<String>,
    service_hours: u32,
}

#[derive(Deserialize)]
struct Valid {
    template: String,
    when: Vec<String>,
}

#[derive(Deserialize)]
struct Invalid {
    name: String,
    template: String,
    rules: Vec<AlertRule>,
    errors: Vec<ExpectedError>,
}

#[derive(Deserialize, Debug)]
struct ExpectedError {
    rule: Option<usize>,
    path: String,
    #[serde(default)]
    position: Option<usize>,
    message: String,
}

fn cases() -> Cases {
    serde_json::from_str(include_str!("data/alerts.json")).expect("cases parse")
}

fn template(name: &str) -> manyi_core::Survey {
    templates::get(name).unwrap().unwrap()
}

fn rule(when: &str) -> AlertRule {
    AlertRule {
        id: "r".into(),
        name: "R".into(),
        when: when.into(),
        severity: Severity::Low,
        owner: manyi_core::alerts::Owner::Fixed("x".into()),
        service_hours: 1,
    }
}

#[test]
fn rules_fire_on_the_answers_the_scores_and_meta() {
    let mut failures = Vec::new();
    for group in cases().evaluation {
        let survey = template(&group.template);
        validate_rules(&survey, &group.rules).unwrap_or_else(|e| {
            panic!("the {} rules are valid: {e:?}", group.template);
        });
        let plan = Plan::new(&survey);
        for case in group.responses {
            let response = Response {
                id: "00000000-0000-4000-8000-000000000000".into(),
                survey_id: survey.id.clone(),
                survey_version: survey.version,
                started_at: None,
                submitted_at: None,
                locale: None,
                answers: case.answers,
                meta: case.meta,
                partial: false,
            };
            let firings = evaluate(&plan, &response, &group.rules);
            let fired: Vec<&str> = firings.iter().map(|f| f.id.as_str()).collect();
            if fired != case.fires {
                failures.push(format!(
                    "{}: fired {fired:?}, want {:?}",
                    case.name, case.fires
                ));
            }
            for firing in &firings {
                if group.rules[firing.rule].id != firing.id {
                    failures.push(format!("{}: {} has the wrong index", case.name, firing.id));
                }
            }
            let opening = case_for(&firings);
            let got = opening.as_ref().map(|o| ExpectedCase {
                severity: o.severity,
                owner: o.owner.clone(),
                service_hours: o.service_hours,
            });
            if got != case.case {
                failures.push(format!("{}: case {got:?}, want {:?}", case.name, case.case));
            }
            if let Some(opening) = opening {
                let ids: Vec<&str> = opening.rules.iter().map(|r| r.id.as_str()).collect();
                if ids != case.fires {
                    failures.push(format!("{}: the case names {ids:?}", case.name));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn rules_that_read_what_the_survey_has_are_valid() {
    for group in cases().valid {
        let survey = template(&group.template);
        for when in group.when {
            if let Err(errors) = validate_rules(&survey, &[rule(&when)]) {
                panic!("{when:?} on {}: {errors:?}", group.template);
            }
        }
    }
}

#[test]
fn bad_rules_are_refused_with_their_index_path_and_position() {
    let mut failures = Vec::new();
    for case in cases().invalid {
        let survey = template(&case.template);
        let errors: Vec<RuleError> = match validate_rules(&survey, &case.rules) {
            Ok(()) => {
                failures.push(format!("{}: accepted", case.name));
                continue;
            }
            Err(errors) => errors,
        };
        let matches = |got: &RuleError, want: &ExpectedError| {
            got.rule == want.rule
                && got.path == want.path
                && got.position == want.position
                && got.message.contains(&want.message)
        };
        if errors.len() != case.errors.len()
            || !errors.iter().zip(&case.errors).all(|(g, w)| matches(g, w))
        {
            let got: Vec<String> = errors.iter().map(|e| format!("{e:?}")).collect();
            failures.push(format!(
                "{}:\n  got  {}\n  want {:?}",
                case.name,
                got.join("\n       "),
                case.errors
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_list_of_more_rules_than_the_limit_is_refused_as_a_whole() {
    let survey = template("nps");
    let rules: Vec<AlertRule> = (0..=MAX_ALERT_RULES)
        .map(|i| AlertRule {
            id: format!("r{i}"),
            ..rule("nps <= 6")
        })
        .collect();
    let errors = validate_rules(&survey, &rules).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].rule, None);
    assert_eq!(errors[0].path, "$");
    assert!(validate_rules(&survey, &rules[..MAX_ALERT_RULES]).is_ok());
}

#[test]
fn an_error_reads_with_its_path_and_character() {
    let errors = validate_rules(&template("nps"), &[rule("nps <= 6 and nsp == 1")]).unwrap_err();
    assert_eq!(
        errors[0].to_string(),
        "$[0].when: \"nsp\" is no question of this survey and no score; the scores are nps, \
         nps_category, csat, ces, composite, and `meta.KEY` reads the response's meta (at \
         character 14)"
    );
}

#[test]
fn a_rule_for_another_version_reads_what_is_missing_as_absent() {
    // Saved against a survey with a `comment` question and evaluated on the NPS template,
    // which has none: the comparison is false, and the rule that does not read it still fires.
    let survey = template("nps");
    let plan = Plan::new(&survey);
    let rules = [
        AlertRule {
            id: "a".into(),
            ..rule("comment contains \"投诉\" or loyalty < 20")
        },
        AlertRule {
            id: "b".into(),
            ..rule("nps <= 6")
        },
    ];
    let response: Response = serde_json::from_value(serde_json::json!({
        "id": "00000000-0000-4000-8000-000000000001", "survey_id": "nps", "survey_version": 1,
        "answers": {"nps": 1, "comment": "投诉"}
    }))
    .unwrap();
    let fired: Vec<String> = evaluate(&plan, &response, &rules)
        .into_iter()
        .map(|f| f.id)
        .collect();
    assert_eq!(fired, ["b"]);
}
