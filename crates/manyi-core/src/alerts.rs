//! Alert rules: when a response should open a follow-up case, how urgent it is, who owns it and
//! how soon it is due (the "act" of the loop in `docs/domain.md`, "Closing the loop").
//!
//! A survey keeps its rules with its settings, as it keeps its targets, and staff replace the
//! list as a whole. The server evaluates the rules once per response, at ingestion, on the
//! scores it computed itself ([`crate::score`]), so a rule never reads a number a client sent.
//!
//! # What a rule reads
//!
//! A rule's `when` is a condition in manyi's own language ([`Condition`]), the one `visible_if`
//! is written in, so `nps <= 6` or `csat <= 2 or comment contains "投诉"` read as they would in
//! a definition. A variable is one of:
//!
//! - a question id of the survey (`comment`), or a matrix row (`service.speed`): the answer,
//!   as in the definition's own conditions;
//! - a score of the response, by name: `nps` (the NPS question's 0–10 answer), `nps_category`
//!   (`"detractor"`, `"passive"` or `"promoter"`), `csat` (the CSAT question's point), `ces`
//!   (the CES question's point), `composite` (the weighted 0–100 index) and each dimension's id
//!   (its 0–100 score). A score is absent when the response has none (no valid answer, the
//!   composite below its coverage), and a comparison with an absent value is false, as with an
//!   unanswered question;
//! - `score.NAME`, the same scores by a name no question can take;
//! - `meta.KEY`, the response's `meta` value under `KEY` (text; a number written as text
//!   compares as a number). Keys a rule reads are made of letters, digits and `_`, as the
//!   condition language reads names.
//!
//! A bare name is a question's when the survey has a question of that id, and a score's
//! otherwise: the definition's conditions read names that way, and in the built-in templates
//! the NPS and CSAT questions are called `nps` and `csat`, so both readings give the same number.
//! `score.NAME` reaches a score that a question's id hides. `meta.` and `score.` always mean
//! the metadata and the scores, even in a survey with a matrix question called `meta` or
//! `score`.
//!
//! [`validate_rules`] refuses a rule that reads anything else, or a score the survey cannot
//! have (`nps` without an NPS question, `composite` without dimensions), pointing at the
//! variable. Rules are checked against the survey's latest definition when they are saved; a
//! response to another version is evaluated on its own version's plan, where a question or a
//! dimension that version lacks is simply absent.
//!
//! # One case per response
//!
//! [`RuleSet::evaluate`] lists every rule that fires, in the list's order. A response opens at
//! most one case, whatever fires ([`case_for`]): the case carries the highest severity of the
//! firing rules, the owner of the first firing rule (in the order staff listed them) whose owner
//! resolves, the shortest service level, and every firing rule's id and name. One customer's
//! answers are one conversation to follow up, so the team gets one case to act on, as urgent and
//! as soon due as the most demanding rule says, and staff order the rules to say whose it is.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::condition::{Condition, Operand, ParseError, VarRef};
use crate::limits::{
    MAX_ALERT_RULE_ID_LENGTH, MAX_ALERT_RULE_NAME_LENGTH, MAX_ALERT_RULES, MAX_META_KEY_LENGTH,
    MAX_OWNER_LENGTH, MAX_SERVICE_HOURS,
};
use crate::model::{Answer, Answers, QuestionKind, Response, Survey};
use crate::score::{NpsCategory, Plan, ResponseScores};

/// How urgent a case is. The order is the urgency: a response that fires several rules opens
/// one case with the highest of their severities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// Every severity, from the least urgent.
    pub const ALL: [Severity; 4] = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The name used in JSON, such as `high`.
    pub fn key(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// Who owns the cases a rule opens: `{"fixed": "客服一组"}`, or `{"meta": "location"}` for the
/// owner named by the response's `meta` value under that key (a counter, a branch), so one rule
/// serves every branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Owner {
    /// This owner, whatever the response.
    Fixed(String),
    /// The response's `meta` value under this key; no owner (the case is unassigned) when the
    /// response has no such value or an empty one.
    Meta(String),
}

impl Owner {
    /// The owner of a case this response opens, `None` when it names none.
    pub fn resolve(&self, response: &Response) -> Option<String> {
        match self {
            Owner::Fixed(name) => Some(name.clone()),
            Owner::Meta(key) => response
                .meta
                .get(key)
                .map(|value| value.trim())
                .filter(|value| !value.is_empty())
                .map(str::to_owned),
        }
    }
}

/// When a response opens a case, and what the case is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AlertRule {
    /// Unique among the survey's rules: a–z, 0–9, `_` and `-`. Cases keep it to say which rules
    /// opened them, so renaming a rule does not lose that.
    pub id: String,
    /// What the rule is about, in staff's words, shown on every case it opens.
    pub name: String,
    /// The condition, in manyi's condition language, on the answers, the scores and `meta`
    /// (see the module's documentation), such as `nps <= 6`.
    pub when: String,
    pub severity: Severity,
    pub owner: Owner,
    /// How many hours after opening the case is due (1 to a year's 8,760).
    pub service_hours: u32,
}

/// The names of the scores a rule reads besides the dimension ids.
pub const SCORE_NAMES: [&str; 5] = ["nps", "nps_category", "csat", "ces", "composite"];

/// The prefix of a `meta` variable (`meta.location`).
const META: &str = "meta";
/// The prefix of a score variable by its own name (`score.nps`).
const SCORE: &str = "score";

/// A problem with one alert rule, or with the list as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleError {
    /// The rule's index in the list; absent for a problem of the list itself (too many rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<usize>,
    /// Where, as a JSON path from `$`, the list (as targets' problems are): `$[2].when`.
    pub path: String,
    /// For a problem in the condition, the character (0-based) of `when` it points at: the
    /// syntax error's, or the variable's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<usize>,
    /// What is wrong, in plain words.
    pub message: String,
}

impl std::fmt::Display for RuleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)?;
        if let Some(position) = self.position {
            write!(f, " (at character {})", position + 1)?;
        }
        Ok(())
    }
}

/// Every problem of a survey's alert rules, each with the rule's index and path, and a
/// condition's with its position: the list's length, each rule's id (unique), name, owner and
/// service level, and its condition's syntax and what it reads. `Ok` when there is none.
pub fn validate_rules(survey: &Survey, rules: &[AlertRule]) -> Result<(), Vec<RuleError>> {
    let plan = Plan::new(survey);
    let mut errors = Vec::new();
    if rules.len() > MAX_ALERT_RULES {
        errors.push(RuleError {
            rule: None,
            path: "$".to_owned(),
            position: None,
            message: format!("at most {MAX_ALERT_RULES} alert rules, not {}", rules.len()),
        });
    }
    let mut ids: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, rule) in rules.iter().enumerate() {
        let mut push = |field: &str, position: Option<usize>, message: String| {
            errors.push(RuleError {
                rule: Some(i),
                path: format!("$[{i}].{field}"),
                position,
                message,
            })
        };
        let id_ok = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-';
        if rule.id.is_empty() || !rule.id.bytes().all(id_ok) {
            push(
                "id",
                None,
                format!(
                    "rule id {:?} must be made of a–z, 0–9, `_` and `-`",
                    rule.id
                ),
            );
        } else if rule.id.len() > MAX_ALERT_RULE_ID_LENGTH {
            push(
                "id",
                None,
                format!("a rule id is at most {MAX_ALERT_RULE_ID_LENGTH} characters"),
            );
        } else if let Some(first) = ids.insert(&rule.id, i) {
            ids.insert(&rule.id, first);
            push(
                "id",
                None,
                format!("rule id {:?} is already used by $[{first}]", rule.id),
            );
        }
        if rule.name.trim().is_empty() {
            push("name", None, "the name is empty".to_owned());
        } else if rule.name.chars().count() > MAX_ALERT_RULE_NAME_LENGTH {
            push(
                "name",
                None,
                format!("a name is at most {MAX_ALERT_RULE_NAME_LENGTH} characters"),
            );
        }
        match &rule.owner {
            Owner::Fixed(name) if name.trim().is_empty() => {
                push("owner.fixed", None, "the owner's name is empty".to_owned())
            }
            Owner::Fixed(name) if name.chars().count() > MAX_OWNER_LENGTH => push(
                "owner.fixed",
                None,
                format!("an owner's name is at most {MAX_OWNER_LENGTH} characters"),
            ),
            Owner::Meta(key) if key.is_empty() => {
                push("owner.meta", None, "the meta key is empty".to_owned())
            }
            Owner::Meta(key) if key.chars().count() > MAX_META_KEY_LENGTH => push(
                "owner.meta",
                None,
                format!("a meta key is at most {MAX_META_KEY_LENGTH} characters"),
            ),
            _ => {}
        }
        if !(1..=MAX_SERVICE_HOURS).contains(&rule.service_hours) {
            push(
                "service_hours",
                None,
                format!(
                    "the service level is 1 to {MAX_SERVICE_HOURS} hours, not {}",
                    rule.service_hours
                ),
            );
        }
        let mut problems = Vec::new();
        compile(&plan, &rule.when, &mut problems);
        for (position, message) in problems {
            push("when", Some(position), message);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// A score a rule reads.
#[derive(Debug, Clone, PartialEq)]
enum Score {
    Nps,
    NpsCategory,
    Csat,
    Ces,
    Composite,
    /// A dimension's 0–100 score, by its id.
    Dimension(String),
}

impl Score {
    /// The score called `name` in the plan's survey. Every name is known even when the survey
    /// cannot have the score, so a rule saved for one version reads an absent value in another;
    /// [`Score::missing`] says when validation should refuse it.
    fn named(plan: &Plan, name: &str) -> Option<Score> {
        Some(match name {
            "nps" => Score::Nps,
            "nps_category" => Score::NpsCategory,
            "csat" => Score::Csat,
            "ces" => Score::Ces,
            "composite" => Score::Composite,
            _ if plan.dimensions.iter().any(|d| d == name) => Score::Dimension(name.to_owned()),
            _ => return None,
        })
    }

    /// Why the plan's survey never has this score, if it never does.
    fn missing(&self, plan: &Plan) -> Option<&'static str> {
        match self {
            Score::Nps | Score::NpsCategory if plan.nps_question.is_none() => {
                Some("this survey has no NPS question")
            }
            Score::Csat if plan.csat_question.is_none() => Some("this survey has no CSAT question"),
            Score::Ces if plan.ces_question.is_none() => Some("this survey has no CES question"),
            Score::Composite if plan.total_weight <= 0.0 => {
                Some("this survey has no weighted dimensions, so no composite")
            }
            _ => None,
        }
    }

    /// The score's own name, as `score.NAME` writes it.
    fn name(&self) -> &str {
        match self {
            Score::Nps => "nps",
            Score::NpsCategory => "nps_category",
            Score::Csat => "csat",
            Score::Ces => "ces",
            Score::Composite => "composite",
            Score::Dimension(id) => id,
        }
    }

    fn value(&self, scores: &ResponseScores) -> Option<Answer> {
        let number = |x: Option<f64>| x.map(Answer::Number);
        match self {
            Score::Nps => number(scores.nps.as_ref().map(|s| s.value)),
            Score::NpsCategory => scores
                .nps
                .as_ref()
                .map(|s| Answer::Text(category_key(s.category).to_owned())),
            Score::Csat => number(scores.csat.as_ref().map(|s| s.value)),
            Score::Ces => number(scores.ces.as_ref().map(|s| s.value)),
            Score::Composite => number(scores.composite),
            Score::Dimension(id) => number(scores.dimensions.get(id).copied()),
        }
    }
}

/// The name `nps_category` gives a category, as its JSON does.
fn category_key(category: NpsCategory) -> &'static str {
    match category {
        NpsCategory::Promoter => "promoter",
        NpsCategory::Passive => "passive",
        NpsCategory::Detractor => "detractor",
    }
}

/// What a variable of a rule reads.
#[derive(Debug, Clone, PartialEq)]
enum Source {
    /// The answer to a question of the survey, as the condition language reads it.
    Question,
    Score(Score),
    /// The response's `meta` value under this key.
    Meta(String),
}

/// What `var` reads in the plan's survey, or why it reads nothing.
fn resolve(plan: &Plan, var: &VarRef) -> Result<Source, String> {
    let question = plan
        .question_index
        .get(var.question.as_str())
        .map(|&i| plan.questions[i]);
    match (&var.row, question) {
        (Some(key), _) if var.question == META => Ok(Source::Meta(key.clone())),
        (Some(name), _) if var.question == SCORE => Score::named(plan, name)
            .map(Source::Score)
            .ok_or_else(|| format!("there is no score {name:?}; {}", known_scores(plan))),
        (Some(row), Some(q)) if q.kind == QuestionKind::Matrix => {
            if q.rows.iter().any(|r| &r.id == row) {
                Ok(Source::Question)
            } else {
                Err(format!("question {:?} has no row {row:?}", q.id))
            }
        }
        (Some(_), Some(q)) => Err(format!(
            "{var} names a row, but {:?} is not a matrix question",
            q.id
        )),
        (Some(_), None) => Err(format!("{var} reads unknown question {:?}", var.question)),
        (None, Some(q)) if q.kind == QuestionKind::Matrix => Err(format!(
            "compare a matrix row ({}.ROW), not the whole matrix",
            q.id
        )),
        (None, Some(_)) => Ok(Source::Question),
        (None, None) => match Score::named(plan, &var.question) {
            Some(score) => Ok(Source::Score(score)),
            None if var.question == META => {
                Err("`meta` alone reads nothing: write `meta.KEY`, such as `meta.location`".into())
            }
            None => Err(format!(
                "{:?} is no question of this survey and no score; {}, and `meta.KEY` reads the \
                 response's meta",
                var.question,
                known_scores(plan)
            )),
        },
    }
}

/// The score names a rule may read in the plan's survey, in words.
fn known_scores(plan: &Plan) -> String {
    let mut names: Vec<&str> = SCORE_NAMES.to_vec();
    names.extend(plan.dimensions.iter().map(String::as_str));
    format!("the scores are {}", names.join(", "))
}

/// A rule's condition ready to evaluate: its variables renamed to where they read.
#[derive(Debug, Clone)]
struct Compiled {
    condition: Condition,
    /// (the name the renamed variable reads in the evaluation's scope, what it reads)
    reads: Vec<(String, Source)>,
}

/// Parses `when` and points its variables at what they read in the plan's survey. Every
/// problem (a syntax error, or a variable that reads nothing or a score the survey never has,
/// or a string compared with a choice question that is not one of its options) is pushed with
/// its position; a condition that does not parse gives `None`, and a variable that reads
/// nothing in this version is absent whatever the response holds.
fn compile(plan: &Plan, when: &str, problems: &mut Vec<(usize, String)>) -> Option<Compiled> {
    let (mut condition, positions) = match Condition::parse_located(when) {
        Ok(parsed) => parsed,
        Err(ParseError { position, message }) => {
            problems.push((position, message));
            return None;
        }
    };
    let variables = condition.variables();
    let mut sources = Vec::with_capacity(variables.len());
    for (var, &position) in variables.iter().zip(&positions) {
        let source = resolve(plan, var);
        match &source {
            Err(message) => problems.push((position, message.clone())),
            Ok(Source::Score(score)) => {
                if let Some(why) = score.missing(plan) {
                    problems.push((position, format!("{var} is never set: {why}")));
                }
            }
            Ok(_) => {}
        }
        sources.push(source.ok());
    }
    for (var, literal) in condition.literal_comparisons() {
        let Operand::Text(value) = literal else {
            continue;
        };
        let Some(i) = variables.iter().position(|v| std::ptr::eq(*v, var)) else {
            continue;
        };
        let at = positions[i];
        match &sources[i] {
            Some(Source::Question) => {
                let q = plan.questions[plan.question_index[var.question.as_str()]];
                if matches!(
                    q.kind,
                    QuestionKind::SingleChoice | QuestionKind::MultiChoice
                ) && !q.options.iter().any(|o| &o.value == value)
                {
                    problems.push((at, format!("{value:?} is not an option of {:?}", q.id)));
                }
            }
            Some(Source::Score(Score::NpsCategory))
                if !["detractor", "passive", "promoter"].contains(&value.as_str()) =>
            {
                problems.push((
                    at,
                    format!(
                        "{value:?} is no NPS category; they are \"detractor\", \"passive\" and \
                         \"promoter\""
                    ),
                ));
            }
            _ => {}
        }
    }
    // Scores and `meta` values are put into the evaluation's scope under names with a dot,
    // which no question id has, so they never meet an answer; a variable that reads nothing
    // gets such a name too, under which nothing is put.
    let mut reads = Vec::new();
    let mut sources = sources.into_iter();
    condition.for_each_variable_mut(&mut |var| {
        let source = sources.next().flatten();
        let key = match &source {
            Some(Source::Question) => return,
            Some(Source::Score(score)) => format!("{SCORE}.{}", score.name()),
            Some(Source::Meta(key)) => format!("{META}.{key}"),
            None => format!("?.{var}"),
        };
        *var = VarRef {
            question: key.clone(),
            row: None,
        };
        if let Some(source) = source
            && !reads.iter().any(|(k, _)| *k == key)
        {
            reads.push((key, source));
        }
    });
    Some(Compiled { condition, reads })
}

/// A survey's rules compiled for one version's plan: build it once, evaluate any number of
/// responses to that version.
#[derive(Debug, Clone)]
pub struct RuleSet {
    /// Each rule that compiled, with its index in the list.
    rules: Vec<(usize, AlertRule, Compiled)>,
    /// Every score and `meta` value any rule reads, once.
    reads: Vec<(String, Source)>,
}

impl RuleSet {
    /// Compiles the rules for the plan's survey. A rule whose condition does not parse never
    /// fires, and a variable that reads nothing in this version is absent: the rules were
    /// checked by [`validate_rules`] when they were saved, and a response to another version
    /// of the survey must still be evaluated.
    pub fn new(plan: &Plan, rules: &[AlertRule]) -> RuleSet {
        let mut compiled = Vec::with_capacity(rules.len());
        let mut reads: Vec<(String, Source)> = Vec::new();
        for (index, rule) in rules.iter().enumerate() {
            let Some(c) = compile(plan, &rule.when, &mut Vec::new()) else {
                continue;
            };
            for (key, source) in &c.reads {
                if !reads.iter().any(|(k, _)| k == key) {
                    reads.push((key.clone(), source.clone()));
                }
            }
            compiled.push((index, rule.clone(), c));
        }
        RuleSet {
            rules: compiled,
            reads,
        }
    }

    /// Every rule that fires for the response, in the list's order, with its owner resolved
    /// for this response. `scores` are the response's scores by the same plan
    /// ([`Plan::score`]), which the server has computed anyway.
    pub fn evaluate(&self, response: &Response, scores: &ResponseScores) -> Vec<Firing> {
        let mut values = BTreeMap::new();
        for (key, source) in &self.reads {
            let value = match source {
                Source::Score(score) => score.value(scores),
                Source::Meta(key) => response.meta.get(key).cloned().map(Answer::Text),
                Source::Question => None,
            };
            if let Some(value) = value {
                values.insert(key.as_str(), value);
            }
        }
        let scope = Scope {
            answers: &response.answers,
            values: &values,
        };
        self.rules
            .iter()
            .filter(|(_, _, c)| c.condition.eval(&scope))
            .map(|(index, rule, _)| Firing {
                rule: *index,
                id: rule.id.clone(),
                name: rule.name.clone(),
                severity: rule.severity,
                owner: rule.owner.resolve(response),
                service_hours: rule.service_hours,
            })
            .collect()
    }
}

/// The answers of a response with the scores and `meta` values its rules read.
struct Scope<'a> {
    answers: &'a BTreeMap<String, Answer>,
    values: &'a BTreeMap<&'a str, Answer>,
}

impl Answers for Scope<'_> {
    fn answer(&self, name: &str) -> Option<&Answer> {
        if name.contains('.') {
            self.values.get(name)
        } else {
            self.answers.get(name)
        }
    }
}

/// Every rule that fires for one response, scored by the plan: [`RuleSet::new`] then
/// [`RuleSet::evaluate`], for a single response.
pub fn evaluate(plan: &Plan, response: &Response, rules: &[AlertRule]) -> Vec<Firing> {
    RuleSet::new(plan, rules).evaluate(response, &plan.score(response))
}

/// A rule that fired for a response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Firing {
    /// The rule's index in the list.
    pub rule: usize,
    pub id: String,
    pub name: String,
    pub severity: Severity,
    /// The owner resolved for this response; `None` when the rule reads it from a `meta` key
    /// the response does not have.
    pub owner: Option<String>,
    pub service_hours: u32,
}

/// A rule named on a case: which rules opened it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FiredRule {
    pub id: String,
    /// The rule's name when it fired.
    pub name: String,
}

/// The one case a response opens (see "One case per response" in the module's documentation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseOpening {
    /// The highest severity of the firing rules.
    pub severity: Severity,
    /// The owner of the first firing rule whose owner resolves; `None` (unassigned) when none
    /// does.
    pub owner: Option<String>,
    /// The shortest service level of the firing rules: the case is due that many hours after
    /// it opens.
    pub service_hours: u32,
    /// Every firing rule, in the list's order.
    pub rules: Vec<FiredRule>,
}

/// The case the firing rules of one response open; `None` when no rule fired.
pub fn case_for(firings: &[Firing]) -> Option<CaseOpening> {
    Some(CaseOpening {
        severity: firings.iter().map(|f| f.severity).max()?,
        owner: firings.iter().find_map(|f| f.owner.clone()),
        service_hours: firings.iter().map(|f| f.service_hours).min()?,
        rules: firings
            .iter()
            .map(|f| FiredRule {
                id: f.id.clone(),
                name: f.name.clone(),
            })
            .collect(),
    })
}
