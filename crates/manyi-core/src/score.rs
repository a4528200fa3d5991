//! Per-response scoring.
//!
//! Rules, in the order they apply:
//! 1. Only valid answers count: an answer that fails [`crate::validate::check_answer`] is
//!    treated as missing, so one bad value never poisons a score.
//! 2. A reversed item `x` is coded `min + max − x` on its question's declared scale.
//! 3. Every scaled item is rescaled linearly to 0–100: `(coded − min) / (max − min) · 100`.
//! 4. A dimension's score is the weighted mean of its answered items' 0–100 values, item
//!    weights taken from `weight` (default 1).
//! 5. The composite gives item `i` of dimension `d` the weight `W_d · w_i / Σ_{j∈d} w_j` and is
//!    the weighted mean over the answered items, re-normalised over what was answered. When the
//!    answered items carry less than `scoring.min_coverage` of the total weight (default 0.5),
//!    the composite is missing.
//! 6. NPS: 9–10 promoter, 7–8 passive, 0–6 detractor. CSAT: top-2-box is one of the two highest
//!    points of the scale. CES: agreement is a point above the scale's midpoint (5–7 on 1–7).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::model::{Answer, Metric, Question, QuestionKind, Response, Scale, Survey};
use crate::visibility::Visibility;

/// A scaled item: a question, or one row of a matrix question.
#[derive(Debug, Clone)]
pub struct Item {
    /// `qid` for a question, `qid.row` for a matrix row.
    pub key: String,
    /// Index of the owning question in [`Plan::questions`].
    pub question: usize,
    /// The row id, for matrix rows.
    pub row: Option<String>,
    pub scale: Scale,
    pub reverse: bool,
    /// Index into [`Plan::dimensions`].
    pub dimension: Option<usize>,
    /// Weight in the composite (already includes the dimension weight); 0 when the item is in
    /// no dimension or a weight-0 dimension.
    pub composite_weight: f64,
    /// Weight within its dimension.
    pub dimension_weight: f64,
}

impl Item {
    /// The reverse-coded value (identity for items that are not reversed).
    pub fn code(&self, x: f64) -> f64 {
        if self.reverse {
            self.scale.reverse(x)
        } else {
            x
        }
    }
}

/// A survey compiled for scoring: items resolved, weights normalised, conditions parsed. Build
/// it once and score any number of responses with it.
#[derive(Debug, Clone)]
pub struct Plan<'s> {
    pub survey: &'s Survey,
    pub questions: Vec<&'s Question>,
    pub items: Vec<Item>,
    /// Dimension ids in definition order.
    pub dimensions: Vec<String>,
    /// For each question, its items (one for scaled questions, one per row for a matrix).
    pub question_items: Vec<Vec<usize>>,
    pub question_index: HashMap<&'s str, usize>,
    /// (question id, index) sorted by id, to walk a response's sorted answers in one merge.
    sorted_questions: Vec<(&'s str, usize)>,
    pub visibility: Visibility,
    pub nps_question: Option<usize>,
    pub csat_question: Option<usize>,
    pub ces_question: Option<usize>,
    /// Σ of all composite weights (the denominator of coverage).
    pub total_weight: f64,
}

impl<'s> Plan<'s> {
    pub fn new(survey: &'s Survey) -> Plan<'s> {
        let questions: Vec<&Question> = survey.questions().collect();
        let dimensions: Vec<String> = survey.dimensions.iter().map(|d| d.id.clone()).collect();
        let dim_index = |id: &Option<String>| {
            id.as_ref()
                .and_then(|id| dimensions.iter().position(|d| d == id))
        };
        let mut items = Vec::new();
        let mut question_items = Vec::with_capacity(questions.len());
        for (qi, q) in questions.iter().enumerate() {
            let mut own = Vec::new();
            if let Some(scale) = q.effective_scale() {
                if q.kind == QuestionKind::Matrix {
                    for row in &q.rows {
                        own.push(items.len());
                        items.push(Item {
                            key: format!("{}.{}", q.id, row.id),
                            question: qi,
                            row: Some(row.id.clone()),
                            scale: scale.clone(),
                            reverse: row.reverse,
                            dimension: dim_index(&row.dimension),
                            composite_weight: 0.0,
                            dimension_weight: row.weight.unwrap_or(1.0),
                        });
                    }
                } else {
                    own.push(items.len());
                    items.push(Item {
                        key: q.id.clone(),
                        question: qi,
                        row: None,
                        scale,
                        reverse: q.reverse,
                        dimension: dim_index(&q.dimension),
                        composite_weight: 0.0,
                        dimension_weight: q.weight.unwrap_or(1.0),
                    });
                }
            }
            question_items.push(own);
        }
        // Normalise item weights within each dimension, then scale by the dimension weight, so
        // a dimension's share of the composite does not depend on how many items it has.
        for (d, dim) in survey.dimensions.iter().enumerate() {
            let sum: f64 = items
                .iter()
                .filter(|i| i.dimension == Some(d))
                .map(|i| i.dimension_weight)
                .sum();
            if sum > 0.0 {
                for item in items.iter_mut().filter(|i| i.dimension == Some(d)) {
                    item.composite_weight = dim.effective_weight() * item.dimension_weight / sum;
                }
            }
        }
        let total_weight = items.iter().map(|i| i.composite_weight).sum();
        let find_metric = |metric: Metric| {
            questions
                .iter()
                .position(|q| q.metric == Some(metric))
                .or_else(|| {
                    // A survey that does not mark its NPS question still has one if it has
                    // exactly one question of kind nps.
                    (metric == Metric::Nps).then_some(())?;
                    let mut nps = questions
                        .iter()
                        .enumerate()
                        .filter(|(_, q)| q.kind == QuestionKind::Nps);
                    match (nps.next(), nps.next()) {
                        (Some((i, _)), None) => Some(i),
                        _ => None,
                    }
                })
        };
        let mut sorted_questions: Vec<(&str, usize)> = questions
            .iter()
            .enumerate()
            .map(|(i, q)| (q.id.as_str(), i))
            .collect();
        sorted_questions.sort_unstable();
        Plan {
            survey,
            question_index: sorted_questions.iter().copied().collect(),
            sorted_questions,
            nps_question: find_metric(Metric::Nps),
            csat_question: find_metric(Metric::Csat),
            ces_question: find_metric(Metric::Ces),
            questions,
            items,
            dimensions,
            question_items,
            visibility: Visibility::new(survey),
            total_weight,
        }
    }

    /// Calls `f(question index, answer)` for every answer to a question of the survey, in id
    /// order. Answers and questions are both sorted by id, so one merge pass finds them all
    /// without hashing: this is the inner loop of a report over a million responses.
    pub fn for_each_answer<'r>(
        &self,
        answers: &'r BTreeMap<String, Answer>,
        mut f: impl FnMut(usize, &'r str, &'r Answer),
    ) {
        let mut questions = self.sorted_questions.iter().peekable();
        for (id, answer) in answers {
            while let Some(&&(qid, qi)) = questions.peek() {
                match qid.cmp(id.as_str()) {
                    std::cmp::Ordering::Less => {
                        questions.next();
                    }
                    std::cmp::Ordering::Equal => {
                        f(qi, id, answer);
                        questions.next();
                        break;
                    }
                    std::cmp::Ordering::Greater => break,
                }
            }
        }
    }

    /// The valid raw values of every item for one response (`NaN` for missing or invalid),
    /// written into `out` (length = number of items). Answers that fail validation, and answers
    /// to questions hidden by their conditions, are left missing.
    pub fn item_values(&self, response: &Response, out: &mut [f64]) {
        out.fill(f64::NAN);
        let hidden = if self.visibility.has_conditions() {
            Some(self.visibility.hidden(&response.answers))
        } else {
            None
        };
        self.for_each_answer(&response.answers, |qi, id, answer| {
            if hidden.as_ref().is_none_or(|h| !h.contains(id)) {
                self.fill_question(qi, answer, out);
            }
        });
    }

    /// Writes the valid values of one answer into `out`; returns whether any value was valid.
    pub fn fill_question(&self, qi: usize, answer: &Answer, out: &mut [f64]) -> bool {
        let mut any = false;
        match (self.questions[qi].kind, answer) {
            (QuestionKind::Matrix, Answer::Matrix(rows)) => {
                for &ii in &self.question_items[qi] {
                    let item = &self.items[ii];
                    if let Some(&x) = item.row.as_ref().and_then(|r| rows.get(r))
                        && item.scale.contains(x)
                    {
                        out[ii] = x;
                        any = true;
                    }
                }
            }
            (QuestionKind::Matrix, _) => {}
            (_, Answer::Number(x)) => {
                // The item's scale is the question's effective scale, so this is the same test
                // as `check_answer` without re-deriving the scale for every answer.
                if let Some(&ii) = self.question_items[qi].first()
                    && self.items[ii].scale.contains(*x)
                {
                    out[ii] = *x;
                    any = true;
                }
            }
            _ => {}
        }
        any
    }
}

/// NPS category of a 0–10 answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum NpsCategory {
    Promoter,
    Passive,
    Detractor,
}

impl NpsCategory {
    /// The category of an integer answer 0–10; `None` for anything else.
    pub fn of(x: f64) -> Option<NpsCategory> {
        if !(0.0..=10.0).contains(&x) || x.fract() != 0.0 {
            None
        } else if x >= 9.0 {
            Some(NpsCategory::Promoter)
        } else if x >= 7.0 {
            Some(NpsCategory::Passive)
        } else {
            Some(NpsCategory::Detractor)
        }
    }
}

/// Whether `x` is in the top two points of `scale` (CSAT top-2-box).
pub fn is_top2(scale: &Scale, x: f64) -> bool {
    x >= scale.max - scale.step() - 1e-9
}

/// Whether `x` is above the scale's midpoint (CES agreement: 5–7 on 1–7).
pub fn is_agree(scale: &Scale, x: f64) -> bool {
    x > (scale.min + scale.max) / 2.0
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NpsScore {
    pub value: f64,
    pub category: NpsCategory,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CsatScore {
    pub value: f64,
    pub top2: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CesScore {
    pub value: f64,
    pub agree: bool,
}

/// The scores of one response, as shown on a thank-you screen and stored by the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ResponseScores {
    /// Item key → 0–100 after reverse coding.
    pub items: BTreeMap<String, f64>,
    pub nps: Option<NpsScore>,
    pub csat: Option<CsatScore>,
    pub ces: Option<CesScore>,
    /// Dimension id → 0–100; absent when none of its items was answered.
    pub dimensions: BTreeMap<String, f64>,
    /// The weighted 0–100 index; `None` below the coverage threshold or without dimensions.
    pub composite: Option<f64>,
    /// Share of the total composite weight carried by answered items (0–1).
    pub coverage: f64,
}

/// Per-response results in plain arrays, as the report consumes them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowScores {
    pub composite: f64,
}

impl Plan<'_> {
    /// Dimension scores (NaN when missing) and the composite for one row of item values,
    /// written into `dims` (length = number of dimensions).
    pub(crate) fn score_row(&self, values: &[f64], dims: &mut [f64]) -> RowScores {
        let n_dims = dims.len();
        // Accumulate (Σ w·pct, Σ w) per dimension on the stack for the common small case.
        let mut num = [0.0f64; 16];
        let mut den = [0.0f64; 16];
        let mut heap_num;
        let mut heap_den;
        let (num, den): (&mut [f64], &mut [f64]) = if n_dims <= 16 {
            (&mut num[..n_dims], &mut den[..n_dims])
        } else {
            heap_num = vec![0.0; n_dims];
            heap_den = vec![0.0; n_dims];
            (&mut heap_num, &mut heap_den)
        };
        let (mut c_num, mut c_den) = (0.0, 0.0);
        for (item, &x) in self.items.iter().zip(values) {
            if x.is_nan() {
                continue;
            }
            let Some(d) = item.dimension else { continue };
            let pct = item.scale.to_percent(item.code(x));
            num[d] += item.dimension_weight * pct;
            den[d] += item.dimension_weight;
            c_num += item.composite_weight * pct;
            c_den += item.composite_weight;
        }
        for d in 0..n_dims {
            dims[d] = if den[d] > 0.0 {
                num[d] / den[d]
            } else {
                f64::NAN
            };
        }
        let coverage = if self.total_weight > 0.0 {
            c_den / self.total_weight
        } else {
            0.0
        };
        // The tolerance keeps a share that is exactly the threshold in decimal (say 0.5 made
        // of 0.3 + 0.2) from falling just below it in binary.
        let composite = if c_den > 0.0 && coverage >= self.survey.scoring.min_coverage - 1e-12 {
            c_num / c_den
        } else {
            f64::NAN
        };
        RowScores { composite }
    }

    /// Scores one response.
    pub fn score(&self, response: &Response) -> ResponseScores {
        let mut values = vec![f64::NAN; self.items.len()];
        self.item_values(response, &mut values);
        let mut dims = vec![f64::NAN; self.dimensions.len()];
        let row = self.score_row(&values, &mut dims);
        let value_of = |qi: Option<usize>| {
            let qi = qi?;
            let &ii = self.question_items[qi].first()?;
            let x = values[ii];
            (!x.is_nan()).then_some((x, &self.items[ii].scale))
        };
        let answered_weight: f64 = self
            .items
            .iter()
            .zip(&values)
            .filter(|(_, x)| !x.is_nan())
            .map(|(i, _)| i.composite_weight)
            .sum();
        // The maps are filled by inserts: `collect` into a map sorts first, which costs the
        // browser's bundle a sort of its own.
        let mut items = BTreeMap::new();
        for (item, &x) in self.items.iter().zip(&values) {
            if !x.is_nan() {
                items.insert(item.key.clone(), item.scale.to_percent(item.code(x)));
            }
        }
        let mut dimensions = BTreeMap::new();
        for (d, &s) in self.dimensions.iter().zip(&dims) {
            if !s.is_nan() {
                dimensions.insert(d.clone(), s);
            }
        }
        ResponseScores {
            items,
            nps: value_of(self.nps_question).and_then(|(x, _)| {
                NpsCategory::of(x).map(|category| NpsScore { value: x, category })
            }),
            csat: value_of(self.csat_question).map(|(x, scale)| CsatScore {
                value: x,
                top2: is_top2(scale, x),
            }),
            ces: value_of(self.ces_question).map(|(x, scale)| CesScore {
                value: x,
                agree: is_agree(scale, x),
            }),
            dimensions,
            composite: (!row.composite.is_nan()).then_some(row.composite),
            coverage: if self.total_weight > 0.0 {
                answered_weight / self.total_weight
            } else {
                0.0
            },
        }
    }
}

/// Scores one response against its survey (compile a [`Plan`] to score many).
pub fn score_response(survey: &Survey, response: &Response) -> ResponseScores {
    Plan::new(survey).score(response)
}
