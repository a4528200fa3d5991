//! Which questions are shown, given the answers so far.
//!
//! Conditions are parsed once per survey ([`Visibility::new`]) and evaluated in page order. An
//! answer to a question that is hidden counts as absent for the conditions after it, so hiding
//! a question also hides everything that depends only on it, exactly as the runner shows it.

use std::collections::HashSet;

use crate::condition::{Answers, Condition};
use crate::model::{Answer, Survey};

/// The parsed `visible_if` conditions of a survey, in question order.
#[derive(Debug, Clone)]
pub struct Visibility {
    /// (question id, condition); `None` means always visible. A condition that does not parse
    /// also counts as always visible: validation reports it, and showing a question is the
    /// choice that loses no answers.
    conditions: Vec<(String, Option<Condition>)>,
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
        Visibility {
            conditions: survey
                .questions()
                .map(|q| {
                    let condition = q
                        .visible_if
                        .as_deref()
                        .and_then(|text| Condition::parse(text).ok());
                    (q.id.clone(), condition)
                })
                .collect(),
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

    /// Whether any question has a condition (so callers can skip the work when none does).
    pub fn has_conditions(&self) -> bool {
        self.conditions.iter().any(|(_, c)| c.is_some())
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
