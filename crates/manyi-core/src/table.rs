//! Responses as columns: the form the report computes on.
//!
//! A [`ResponseTable`] holds, for one survey, one `f64` column per scaled item (`NaN` when
//! missing), the valid answers of choice and text questions, the submission times and the
//! metadata as dictionary-coded columns. Validity and visibility are applied as rows go in, so
//! everything in a table counts; what did not count is tallied per question as `invalid`.
//!
//! A million responses as `Response` values are about 2.5 GB of small allocations; as a table
//! they are about 200 MB of flat arrays, and every statistic becomes a loop over a slice. Rows
//! come from responses ([`ResponseTable::push_response`]) or straight from a reader that never
//! builds `Response` values ([`ResponseTable::push_row`] with an [`AnswerRow`]); both are a
//! [`TableRow`], walked by the plan's question index.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, FixedOffset};

use crate::model::{Answer, AnswerSet, Answers, QuestionKind, Response};
use crate::score::Plan;
use crate::validate::{Patterns, check_answer_in, is_answered};

/// A metadata key's values, dictionary-coded: one small integer per row.
#[derive(Debug, Clone, Default)]
pub struct MetaColumn {
    /// Per row, an index into `values`, or [`MetaColumn::MISSING`].
    pub codes: Vec<u32>,
    pub values: Vec<String>,
    lookup: HashMap<String, u32>,
}

impl MetaColumn {
    pub const MISSING: u32 = u32::MAX;

    fn push(&mut self, value: Option<&str>) {
        let code = match value {
            None => Self::MISSING,
            Some(v) => match self.lookup.get(v) {
                Some(&code) => code,
                None => {
                    let code = self.values.len() as u32;
                    self.values.push(v.to_owned());
                    self.lookup.insert(v.to_owned(), code);
                    code
                }
            },
        };
        self.codes.push(code);
    }
}

/// Answers of one row, indexed by question, reused from row to row by readers that do not
/// build `Response` values (such as the CLI's CSV reader).
#[derive(Debug, Clone)]
pub struct AnswerRow<'p> {
    ids: Vec<&'p str>,
    index: &'p HashMap<&'p str, usize>,
    values: Vec<Option<Answer>>,
}

impl<'p> AnswerRow<'p> {
    pub fn new(plan: &'p Plan<'p>) -> AnswerRow<'p> {
        AnswerRow {
            ids: plan.questions.iter().map(|q| q.id.as_str()).collect(),
            index: &plan.question_index,
            values: vec![None; plan.questions.len()],
        }
    }

    /// Forgets every answer, keeping the allocation.
    pub fn clear(&mut self) {
        for value in &mut self.values {
            match value {
                // A number owns nothing to free; taking it without a drop saves a call per
                // answer, which a million-row file makes twenty million times.
                Some(Answer::Number(_)) => std::mem::forget(value.take()),
                _ => *value = None,
            }
        }
    }

    /// Sets the answer to the question with index `question` in the plan.
    pub fn set(&mut self, question: usize, answer: Answer) {
        self.values[question] = Some(answer);
    }

    /// Sets a number answer, as [`AnswerRow::set`] does. Into an empty slot (as after
    /// [`AnswerRow::clear`]) the number is written in place: `set` builds the answer on the
    /// stack and copies it over in a way that stalls the processor, once per cell of a file.
    pub fn set_number(&mut self, question: usize, x: f64) {
        let slot = &mut self.values[question];
        if slot.is_none() {
            *slot = Some(Answer::Number(x));
        } else {
            self.set(question, Answer::Number(x));
        }
    }

    /// The answer slot of `question`, for readers that fill a matrix row by row.
    pub fn slot(&mut self, question: usize) -> &mut Option<Answer> {
        &mut self.values[question]
    }
}

impl Answers for AnswerRow<'_> {
    fn answer(&self, question: &str) -> Option<&Answer> {
        self.values[*self.index.get(question)?].as_ref()
    }
}

impl AnswerSet for AnswerRow<'_> {
    fn each_raw<'a>(&'a self, f: &mut dyn FnMut(&'a str, &'a Answer)) {
        for (qi, value) in self.values.iter().enumerate() {
            if let Some(answer) = value {
                f(self.ids[qi], answer);
            }
        }
    }

    /// A row is indexed in survey order already, so no lookup by id is needed.
    fn answer_at(&self, index: usize, _id: &str) -> Option<&Answer> {
        self.values[index].as_ref()
    }

    fn answer_count(&self) -> usize {
        self.values.iter().filter(|v| v.is_some()).count()
    }

    fn by_place(&self) -> Option<(&[&str], &[Option<Answer>])> {
        Some((&self.ids, &self.values))
    }
}

/// Answers the table takes a row from: a response's map or an [`AnswerRow`], each walked by
/// the plan's question index in the way that is fastest for it.
pub trait TableRow: AnswerSet {
    /// Calls `f(question index, id, answer)` for every answer to a question of the plan.
    fn each_answer<'a>(&'a self, plan: &Plan<'_>, f: &mut dyn FnMut(usize, &'a str, &'a Answer));
}

impl TableRow for BTreeMap<String, Answer> {
    fn each_answer<'a>(&'a self, plan: &Plan<'_>, f: &mut dyn FnMut(usize, &'a str, &'a Answer)) {
        plan.for_each_answer(self, f);
    }
}

impl TableRow for AnswerRow<'_> {
    fn each_answer<'a>(&'a self, _plan: &Plan<'_>, f: &mut dyn FnMut(usize, &'a str, &'a Answer)) {
        for (qi, value) in self.values.iter().enumerate() {
            if let Some(answer) = value {
                f(qi, self.ids[qi], answer);
            }
        }
    }
}

/// Walks one row's answers as every report counts them: the valid, visible answers of scaled
/// questions are written into `row` (one value per plan item, `NaN` when missing), those of
/// other questions are passed to `other`, and `invalid` is told of each question whose answer is
/// present but does not count (out of range, of the wrong type, or given to a hidden question).
/// The table and the aggregate both count through it, so they cannot disagree.
pub(crate) fn walk_row<'a>(
    plan: &Plan<'_>,
    answers: &'a dyn TableRow,
    row: &mut [f64],
    patterns: &Patterns,
    mut other: impl FnMut(usize, &'a Answer),
    mut invalid: impl FnMut(usize),
) {
    row.fill(f64::NAN);
    let hidden = plan
        .visibility
        .has_conditions()
        .then(|| plan.visibility.hidden(answers));
    let mut visit = |qi: usize, id: &str, answer: &'a Answer| {
        if !is_answered(answer) {
            return;
        }
        let counted = hidden.as_ref().is_none_or(|h| !h.contains(id)) && {
            let q = plan.questions[qi];
            if q.kind.is_scaled() {
                plan.fill_question(qi, answer, row)
            } else if check_answer_in(q, answer, patterns).is_ok() {
                other(qi, answer);
                true
            } else {
                false
            }
        };
        if !counted {
            invalid(qi);
        }
    };
    match answers.by_place() {
        // A row indexed by question is in plan order (the plan lists the survey's questions).
        Some((ids, values)) => {
            for (qi, (id, value)) in ids.iter().zip(values).enumerate() {
                if let Some(answer) = value {
                    visit(qi, id, answer);
                }
            }
        }
        None => answers.each_answer(plan, &mut visit),
    }
}

/// Responses to one survey, by column. Build it with the survey's [`Plan`].
#[derive(Debug, Clone)]
pub struct ResponseTable {
    len: usize,
    /// One column per plan item: valid, visible raw answers; `NaN` otherwise.
    pub(crate) items: Vec<Vec<f64>>,
    /// One column per dimension: the response's 0–100 score, `NaN` when missing.
    pub(crate) dimensions: Vec<Vec<f64>>,
    /// The composite index per response, `NaN` when missing.
    pub(crate) composite: Vec<f64>,
    /// Per question: (row, answer) for valid, visible answers of choice and text questions.
    pub(crate) others: Vec<Vec<(u32, Answer)>>,
    /// Per question: the rows that gave an answer which does not count (invalid, or given to a
    /// hidden question). Usually empty.
    pub(crate) invalid: Vec<Vec<u32>>,
    pub(crate) submitted_at: Vec<Option<DateTime<FixedOffset>>>,
    pub(crate) meta: BTreeMap<String, MetaColumn>,
    /// Scratch space for one row's item values and dimension scores.
    row: Vec<f64>,
    dims: Vec<f64>,
    /// The survey's pattern validators, compiled once for every row.
    patterns: Patterns,
}

impl ResponseTable {
    pub fn new(plan: &Plan<'_>) -> ResponseTable {
        ResponseTable {
            len: 0,
            items: vec![Vec::new(); plan.items.len()],
            dimensions: vec![Vec::new(); plan.dimensions.len()],
            composite: Vec::new(),
            others: vec![Vec::new(); plan.questions.len()],
            invalid: vec![Vec::new(); plan.questions.len()],
            submitted_at: Vec::new(),
            meta: BTreeMap::new(),
            row: vec![f64::NAN; plan.items.len()],
            dims: vec![f64::NAN; plan.dimensions.len()],
            patterns: Patterns::new(plan.survey),
        }
    }

    /// The table of `responses`, in order.
    pub fn from_responses(plan: &Plan<'_>, responses: &[Response]) -> ResponseTable {
        let mut table = ResponseTable::new(plan);
        table.reserve(responses.len());
        for response in responses {
            table.push_response(plan, response);
        }
        table
    }

    pub fn reserve(&mut self, rows: usize) {
        for column in self.items.iter_mut().chain(self.dimensions.iter_mut()) {
            column.reserve(rows);
        }
        self.composite.reserve(rows);
        self.submitted_at.reserve(rows);
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn push_response(&mut self, plan: &Plan<'_>, response: &Response) {
        let meta = response.meta.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        self.push_row(plan, &response.answers, response.submitted_at, meta);
    }

    /// Adds one row. Answers that are invalid, or given to a question its condition hides, are
    /// counted as present but not stored.
    pub fn push_row<'m>(
        &mut self,
        plan: &Plan<'_>,
        answers: &dyn TableRow,
        submitted_at: Option<DateTime<FixedOffset>>,
        meta: impl Iterator<Item = (&'m str, &'m str)>,
    ) {
        let r = self.len;
        let (invalid, others) = (&mut self.invalid, &mut self.others);
        walk_row(
            plan,
            answers,
            &mut self.row,
            &self.patterns,
            |qi, answer| others[qi].push((r as u32, answer.clone())),
            |qi| invalid[qi].push(r as u32),
        );
        let scores = plan.score_row(&self.row, &mut self.dims);
        for (column, &x) in self.items.iter_mut().zip(&self.row) {
            column.push(x);
        }
        for (column, &x) in self.dimensions.iter_mut().zip(&self.dims) {
            column.push(x);
        }
        self.composite.push(scores.composite);
        self.submitted_at.push(submitted_at);
        let mut seen = 0;
        for (key, value) in meta {
            // Look the key up before inserting, so a known key costs no allocation per row.
            if !self.meta.contains_key(key) {
                let column = MetaColumn {
                    // A key first seen now is missing on every earlier row.
                    codes: vec![MetaColumn::MISSING; r],
                    ..MetaColumn::default()
                };
                self.meta.insert(key.to_owned(), column);
            }
            let column = self.meta.get_mut(key).expect("inserted above");
            if column.codes.len() == r {
                column.push(Some(value));
                seen += 1;
            }
        }
        if seen < self.meta.len() {
            for column in self.meta.values_mut() {
                if column.codes.len() == r {
                    column.push(None);
                }
            }
        }
        self.len += 1;
    }

    /// Option value → count over the stored answers of a choice question, restricted to the
    /// rows where `keep` is true when given; also the number of answers counted.
    pub(crate) fn option_counts(
        &self,
        question: usize,
        kind: QuestionKind,
        keep: Option<&[bool]>,
    ) -> (HashMap<&str, usize>, usize) {
        let mut counts = HashMap::new();
        let mut n = 0;
        for (r, answer) in &self.others[question] {
            if keep.is_some_and(|keep| !keep[*r as usize]) {
                continue;
            }
            n += 1;
            match answer {
                Answer::Text(value) if kind == QuestionKind::SingleChoice => {
                    *counts.entry(value.as_str()).or_default() += 1;
                }
                Answer::Choices(values) => {
                    for value in values {
                        *counts.entry(value.as_str()).or_default() += 1;
                    }
                }
                _ => {}
            }
        }
        (counts, n)
    }
}
