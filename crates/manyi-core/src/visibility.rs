//! Which questions are shown, given the answers so far, and which of them are read-only or
//! required by a condition.
//!
//! Conditions are parsed once per survey ([`Visibility::new`]) and evaluated in page order. An
//! answer to a question that is hidden counts as absent for the conditions after it, so hiding
//! a question also hides everything that depends only on it, exactly as the runner shows it.
//! This holds for SurveyJS expressions too: their operators keep SurveyJS's semantics, but the
//! cascade is manyi's (SurveyJS keeps a hidden question's value until the survey completes).

use std::collections::HashSet;

use crate::condition::Rule;
use crate::model::{Answer, Answers, ConditionText, Survey};

/// The parsed `visible_if` conditions of a survey, in question order.
#[derive(Debug, Clone)]
pub struct Visibility {
    /// (question id, condition); `None` means always visible. A condition that does not parse
    /// also counts as always visible: validation reports it, and showing a question is the
    /// choice that loses no answers.
    conditions: Vec<(String, Option<Rule>)>,
    /// `enable_if` and `required_if` conditions, only of the questions that have one. One that
    /// does not parse is left out, which leaves the question enabled and not required.
    enable: Vec<(String, Rule)>,
    require: Vec<(String, Rule)>,
}

struct Filtered<'a> {
    answers: &'a dyn Answers,
    hidden: &'a HashSet<String>,
}

impl Answers for Filtered<'_> {
    fn answer(&self, question: &str) -> Option<&Answer> {
        if self.hidden.contains(question) {
            None
        } else {
            self.answers.answer(question)
        }
    }
}

impl Visibility {
    pub fn new(survey: &Survey) -> Visibility {
        let parse = |c: &Option<ConditionText>| c.as_ref().and_then(|c| Rule::parse(c).ok());
        let listed = |pick: fn(&crate::model::Question) -> &Option<ConditionText>| {
            survey
                .questions()
                .filter_map(|q| Some((q.id.clone(), parse(pick(q))?)))
                .collect()
        };
        Visibility {
            conditions: survey
                .questions()
                .map(|q| (q.id.clone(), parse(&q.visible_if)))
                .collect(),
            enable: listed(|q| &q.enable_if),
            require: listed(|q| &q.required_if),
        }
    }

    /// The ids of the questions hidden by their conditions.
    pub fn hidden(&self, answers: &dyn Answers) -> HashSet<String> {
        let mut hidden = HashSet::new();
        for (id, condition) in &self.conditions {
            if let Some(condition) = condition {
                let view = Filtered {
                    answers,
                    hidden: &hidden,
                };
                if !condition.eval(&view) {
                    hidden.insert(id.clone());
                }
            }
        }
        hidden
    }

    /// Whether any question has a `visible_if` condition (so callers can skip the work when
    /// none does).
    pub fn has_conditions(&self) -> bool {
        self.conditions.iter().any(|(_, c)| c.is_some())
    }

    /// Whether any question has an `enable_if` or `required_if` condition.
    pub fn has_answer_conditions(&self) -> bool {
        !self.enable.is_empty() || !self.require.is_empty()
    }

    /// The ids of the questions whose `enable_if` does not hold, given the hidden ones
    /// (whose answers count as absent).
    pub fn disabled(&self, answers: &dyn Answers, hidden: &HashSet<String>) -> HashSet<String> {
        Self::matching(&self.enable, answers, hidden, false)
    }

    /// The ids of the questions whose `required_if` holds, given the hidden ones.
    pub fn required(&self, answers: &dyn Answers, hidden: &HashSet<String>) -> HashSet<String> {
        Self::matching(&self.require, answers, hidden, true)
    }

    fn matching(
        rules: &[(String, Rule)],
        answers: &dyn Answers,
        hidden: &HashSet<String>,
        want: bool,
    ) -> HashSet<String> {
        let view = Filtered { answers, hidden };
        rules
            .iter()
            .filter(|(_, rule)| rule.eval(&view) == want)
            .map(|(id, _)| id.clone())
            .collect()
    }
}

/// The ids of the visible questions, for one-off use; build a [`Visibility`] to evaluate many
/// answer sets.
pub fn visible<'s>(survey: &'s Survey, answers: &dyn Answers) -> HashSet<&'s str> {
    let hidden = Visibility::new(survey).hidden(answers);
    survey
        .questions()
        .map(|q| q.id.as_str())
        .filter(|id| !hidden.contains(*id))
        .collect()
}
