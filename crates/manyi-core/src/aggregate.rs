//! Reports from statistics that merge.
//!
//! An [`Aggregate`] holds the sufficient statistics of a set of responses to one survey: every
//! figure of the report can be computed from it, a response can be added to it or removed from
//! it, and two aggregates merge into the aggregate of both sets (associative and commutative,
//! with [`Aggregate::new`] as the empty set). So a report over a million responses needs the
//! responses one at a time and a few kilobytes besides, and stored aggregates of parts (a day, a
//! branch) add up to the report of the whole without reading the responses again.
//!
//! What it keeps:
//! - per scaled item, the count of each scale point: the item's n, mean, spread and
//!   distribution, and NPS, CSAT and CES, come from those counts;
//! - per pair of items of a dimension, over the responses that answered both, n and the sums
//!   Σu, Σv, Σuv, Σu², Σv² of the items' positions on their scales (integers), from which the
//!   pairwise covariances and correlations, and so raw and standardised alpha, r_drop,
//!   alpha-if-deleted and the Feldt interval, come out as the column-wise report computes them;
//! - per dimension and for the composite index, n, Σs and Σs² of the response scores, in
//!   double-double precision, so the order of additions does not show in the figures;
//! - per question, the invalid answers; per choice question, the count of each option; per
//!   matrix, the respondents who answered any row; per other question, the answers.
//!
//! Counts and item sums are integers, so merging in any order cannot change a bit of them; they
//! wrap on removal of what was never added, which is the caller's error to avoid.
//!
//! [`ReportBuilder`] feeds responses into the aggregates a report with options needs (the
//! period, the previous period, segments and time buckets) and builds the [`Report`].

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::limits::MAX_SEGMENT_GROUPS;
use crate::model::{Answer, Bounds, QuestionKind, Response, Scale, is_whole};
use crate::ordered::OrderedMap;
use crate::reliability::{self, CovMatrix};
use crate::report::{
    Bucket, Buckets, CesStats, Count, CsatStats, DimensionItem, DimensionReport, ItemStats,
    MeanStats, NpsStats, PeriodComparison, QuestionReport, Report, ReportOptions, SegmentGroup,
    Segments, Summary, TextAnswers, TextSearch, bucket_of, bucket_start, compare_means,
    compare_nps, compare_proportions, number_value,
};
use crate::score::{NpsCategory, Plan, is_agree, is_top2};
use crate::table::{TableRow, walk_row};
use crate::validate::Patterns;

/// A sum of floats in double-double precision (`hi + lo`, about 32 significant digits): sums
/// of the same numbers in any order agree to far below what a report shows, and a spread
/// computed from Σx and Σx² does not cancel away.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct WideSum {
    hi: f64,
    lo: f64,
}

/// `a + b` as an exact pair (Knuth's two-sum).
fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

/// `a · b` as an exact pair (with a fused multiply-add).
fn two_product(a: f64, b: f64) -> (f64, f64) {
    let p = a * b;
    (p, a.mul_add(b, -p))
}

impl WideSum {
    pub fn add(&mut self, x: f64) {
        let (s, e) = two_sum(self.hi, x);
        let (hi, lo) = two_sum(s, e + self.lo);
        self.hi = hi;
        self.lo = lo;
    }

    /// Adds `x · y` without rounding the product first.
    pub fn add_product(&mut self, x: f64, y: f64) {
        let (p, e) = two_product(x, y);
        self.add(p);
        self.add(e);
    }

    pub fn merge(&mut self, other: &WideSum) {
        self.add(other.hi);
        self.add(other.lo);
    }

    pub fn subtract(&mut self, other: &WideSum) {
        self.add(-other.hi);
        self.add(-other.lo);
    }

    pub fn value(&self) -> f64 {
        self.hi + self.lo
    }
}

/// n, Σx and Σx² of a set of numbers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    pub n: u64,
    pub sum: WideSum,
    pub sum_sq: WideSum,
}

impl Moments {
    /// Adds `x` unless it is `NaN` (missing).
    pub fn add(&mut self, x: f64) {
        if !x.is_nan() {
            self.n += 1;
            self.sum.add(x);
            self.sum_sq.add_product(x, x);
        }
    }

    pub fn merge(&mut self, other: &Moments) {
        self.n = self.n.wrapping_add(other.n);
        self.sum.merge(&other.sum);
        self.sum_sq.merge(&other.sum_sq);
    }

    pub fn subtract(&mut self, other: &Moments) {
        self.n = self.n.wrapping_sub(other.n);
        self.sum.subtract(&other.sum);
        self.sum_sq.subtract(&other.sum_sq);
    }

    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum.value() / self.n as f64)
    }

    /// n, mean, standard deviation and 95 % interval, as the report shows them.
    pub fn stats(&self) -> MeanStats {
        let n = self.n as usize;
        if n == 0 {
            return MeanStats::empty();
        }
        let count = self.n as f64;
        // n·Σx² − (Σx)², both sides in double-double, then divided by n: the sum of squared
        // deviations without the cancellation of the one-pass formula in plain floats.
        let mut spread = WideSum::default();
        spread.add_product(self.sum_sq.hi, count);
        spread.add_product(self.sum_sq.lo, count);
        spread.add_product(-self.sum.hi, self.sum.hi);
        spread.add_product(-2.0 * self.sum.hi, self.sum.lo);
        let ss = (spread.value() / count).max(0.0);
        MeanStats::finish(n, self.sum.value() / count, ss)
    }
}

/// The count of each point of an item's scale.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointCounts {
    pub counts: Vec<u64>,
}

impl PointCounts {
    fn new(scale: &Scale) -> PointCounts {
        PointCounts {
            counts: vec![0; scale.points().len()],
        }
    }

    fn add(&mut self, index: usize) {
        if let Some(count) = self.counts.get_mut(index) {
            *count += 1;
        }
    }

    fn merge(&mut self, other: &PointCounts, subtract: bool) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a = if subtract {
                a.wrapping_sub(*b)
            } else {
                a.wrapping_add(*b)
            };
        }
    }

    /// n, Σi and Σi² of the positions on the scale, exactly.
    fn index_sums(&self) -> (u128, u128, u128) {
        let (mut n, mut s, mut ss) = (0u128, 0u128, 0u128);
        for (i, &c) in self.counts.iter().enumerate() {
            let (i, c) = (i as u128, u128::from(c));
            n += c;
            s += i * c;
            ss += i * i * c;
        }
        (n, s, ss)
    }

    /// The raw answers' n, mean, spread and interval.
    fn mean_stats(&self, scale: &Scale) -> MeanStats {
        let (n, s, ss) = self.index_sums();
        if n == 0 {
            return MeanStats::empty();
        }
        let step = scale.step();
        // n·Σi² − (Σi)² is an exact integer; the squared deviations are it times step² / n.
        let spread = (n * ss - s * s) as f64;
        let count = n as f64;
        MeanStats::finish(
            n as usize,
            scale.min + step * (s as f64 / count),
            step * step * spread / count,
        )
    }

    fn item_stats(&self, scale: &Scale) -> ItemStats {
        let stats = self.mean_stats(scale);
        ItemStats {
            n: stats.n,
            mean: stats.mean,
            sd: stats.sd,
            distribution: scale
                .points()
                .iter()
                .zip(&self.counts)
                .map(|(&value, &count)| Count {
                    value: number_value(value),
                    count: count as usize,
                    pct: (stats.n > 0).then(|| 100.0 * count as f64 / stats.n as f64),
                })
                .collect(),
        }
    }

    /// Counts and Σx of the points for which `hit` holds.
    fn count_where(&self, scale: &Scale, hit: impl Fn(f64) -> bool) -> (usize, usize, f64) {
        let (mut n, mut hits, mut sum) = (0usize, 0usize, WideSum::default());
        for (&x, &c) in scale.points().iter().zip(&self.counts) {
            n += c as usize;
            if hit(x) {
                hits += c as usize;
            }
            sum.add_product(x, c as f64);
        }
        (n, hits, sum.value())
    }

    fn nps(&self, scale: &Scale) -> NpsStats {
        let mut counts = [0usize; 3];
        for (&x, &c) in scale.points().iter().zip(&self.counts) {
            match NpsCategory::of(x) {
                Some(NpsCategory::Promoter) => counts[0] += c as usize,
                Some(NpsCategory::Passive) => counts[1] += c as usize,
                Some(NpsCategory::Detractor) => counts[2] += c as usize,
                None => {}
            }
        }
        NpsStats::from_counts(counts[0], counts[1], counts[2])
    }

    fn csat(&self, scale: &Scale) -> CsatStats {
        let (n, top2, sum) = self.count_where(scale, |x| is_top2(scale, x));
        CsatStats {
            n,
            top2_pct: (n > 0).then(|| 100.0 * top2 as f64 / n as f64),
            top2,
            mean: (n > 0).then(|| sum / n as f64),
        }
    }

    fn ces(&self, scale: &Scale) -> CesStats {
        let (n, agree, sum) = self.count_where(scale, |x| is_agree(scale, x));
        CesStats {
            n,
            mean: (n > 0).then(|| sum / n as f64),
            agree_pct: (n > 0).then(|| 100.0 * agree as f64 / n as f64),
            agree,
        }
    }
}

/// Sums over the responses that answered both items of a pair: n, Σu, Σv, Σuv, Σu², Σv² of
/// their positions on their scales.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairSums {
    pub n: u64,
    pub u: u64,
    pub v: u64,
    pub uv: u128,
    pub uu: u128,
    pub vv: u128,
}

impl PairSums {
    fn add(&mut self, u: u64, v: u64) {
        self.n += 1;
        self.u += u;
        self.v += v;
        self.uv += u128::from(u * v);
        self.uu += u128::from(u * u);
        self.vv += u128::from(v * v);
    }

    fn merge(&mut self, other: &PairSums, subtract: bool) {
        if subtract {
            self.n = self.n.wrapping_sub(other.n);
            self.u = self.u.wrapping_sub(other.u);
            self.v = self.v.wrapping_sub(other.v);
            self.uv = self.uv.wrapping_sub(other.uv);
            self.uu = self.uu.wrapping_sub(other.uu);
            self.vv = self.vv.wrapping_sub(other.vv);
        } else {
            self.n = self.n.wrapping_add(other.n);
            self.u = self.u.wrapping_add(other.u);
            self.v = self.v.wrapping_add(other.v);
            self.uv = self.uv.wrapping_add(other.uv);
            self.uu = self.uu.wrapping_add(other.uu);
            self.vv = self.vv.wrapping_add(other.vv);
        }
    }

    /// Covariance and correlation of the positions, as `reliability::pairwise` computes them
    /// on the values (`NaN` below two pairs or, for the correlation, without spread).
    fn moments(&self) -> (f64, f64) {
        if self.n < 2 {
            return (f64::NAN, f64::NAN);
        }
        let n = i128::from(self.n);
        let (u, v) = (self.u as i128, self.v as i128);
        let cross = n * self.uv as i128 - u * v;
        let su = n * self.uu as i128 - u * u;
        let sv = n * self.vv as i128 - v * v;
        let count = self.n as f64;
        let covariance = cross as f64 / (count * (count - 1.0));
        let denominator = (su as f64).sqrt() * (sv as f64).sqrt();
        let r = if denominator > 0.0 {
            cross as f64 / denominator
        } else {
            f64::NAN
        };
        (covariance, r)
    }
}

/// The headline figures' statistics: what a segment, a time bucket or the previous period
/// shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Headline {
    pub n: u64,
    /// The NPS, CSAT and CES questions' point counts, when the survey has them.
    pub nps: Option<PointCounts>,
    pub csat: Option<PointCounts>,
    pub ces: Option<PointCounts>,
    /// Per dimension, the response scores.
    pub dimensions: Vec<Moments>,
    pub composite: Moments,
}

/// One metric question's item, when the survey has that question.
fn metric_item(plan: &Plan<'_>, question: Option<usize>) -> Option<usize> {
    plan.question_items[question?].first().copied()
}

/// The position of a valid raw answer on its item's scale.
fn position(scale: &Scale, x: f64) -> usize {
    let k = Bounds::of(scale).steps_from_min(x);
    // A valid answer's k is a whole number, which rounds to itself.
    if k >= 0.0 && is_whole(k) {
        return k as usize;
    }
    k.round().max(0.0) as usize
}

impl Headline {
    pub fn new(plan: &Plan<'_>) -> Headline {
        let counts = |q| metric_item(plan, q).map(|ii| PointCounts::new(&plan.items[ii].scale));
        Headline {
            n: 0,
            nps: counts(plan.nps_question),
            csat: counts(plan.csat_question),
            ces: counts(plan.ces_question),
            dimensions: vec![Moments::default(); plan.dimensions.len()],
            composite: Moments::default(),
        }
    }

    fn add(&mut self, plan: &Plan<'_>, row: &ScoredRow<'_>) {
        self.n += 1;
        for (counts, question) in [
            (&mut self.nps, plan.nps_question),
            (&mut self.csat, plan.csat_question),
            (&mut self.ces, plan.ces_question),
        ] {
            if let (Some(counts), Some(ii)) = (counts, metric_item(plan, question)) {
                let x = row.items[ii];
                if !x.is_nan() {
                    counts.add(position(&plan.items[ii].scale, x));
                }
            }
        }
        for (moments, &x) in self.dimensions.iter_mut().zip(&row.dimensions) {
            moments.add(x);
        }
        self.composite.add(row.composite);
    }

    fn combine(&mut self, other: &Headline, subtract: bool) {
        self.n = if subtract {
            self.n.wrapping_sub(other.n)
        } else {
            self.n.wrapping_add(other.n)
        };
        for (a, b) in [
            (&mut self.nps, &other.nps),
            (&mut self.csat, &other.csat),
            (&mut self.ces, &other.ces),
        ] {
            if let (Some(a), Some(b)) = (a, b) {
                a.merge(b, subtract);
            }
        }
        for (a, b) in self.dimensions.iter_mut().zip(&other.dimensions) {
            if subtract { a.subtract(b) } else { a.merge(b) }
        }
        if subtract {
            self.composite.subtract(&other.composite);
        } else {
            self.composite.merge(&other.composite);
        }
    }

    pub fn merge(&mut self, other: &Headline) {
        self.combine(other, false);
    }

    pub fn subtract(&mut self, other: &Headline) {
        self.combine(other, true);
    }

    fn scale<'p>(plan: &'p Plan<'_>, question: Option<usize>) -> Option<&'p Scale> {
        metric_item(plan, question).map(|ii| &plan.items[ii].scale)
    }

    /// The headline figures.
    pub fn summary(&self, plan: &Plan<'_>) -> Summary {
        fn with_scale<'a>(
            counts: &'a Option<PointCounts>,
            plan: &'a Plan<'_>,
            question: Option<usize>,
        ) -> Option<(&'a PointCounts, &'a Scale)> {
            counts.as_ref().zip(Headline::scale(plan, question))
        }
        Summary {
            n: self.n as usize,
            nps: with_scale(&self.nps, plan, plan.nps_question).map(|(c, s)| c.nps(s)),
            csat: with_scale(&self.csat, plan, plan.csat_question).map(|(c, s)| c.csat(s)),
            ces: with_scale(&self.ces, plan, plan.ces_question).map(|(c, s)| c.ces(s)),
            dimensions: OrderedMap(
                plan.dimensions
                    .iter()
                    .zip(&self.dimensions)
                    .map(|(d, m)| (d.clone(), m.mean()))
                    .collect(),
            ),
            composite: self.composite.stats(),
        }
    }

    /// The CES answers' mean statistics, for comparing periods.
    fn ces_stats(&self, plan: &Plan<'_>) -> Option<MeanStats> {
        let scale = Headline::scale(plan, plan.ces_question)?;
        Some(self.ces.as_ref()?.mean_stats(scale))
    }
}

/// Everything a report shows of a set of responses. See the module's documentation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Aggregate {
    pub headline: Headline,
    /// Per question, answers present that did not count.
    pub invalid: Vec<u64>,
    /// Per plan item, its scale points' counts.
    pub items: Vec<PointCounts>,
    /// Per question: for a matrix, the responses with a valid answer to any row; for a choice
    /// question, the responses that answered it (with `options`); for any other unscaled
    /// question, its valid answers. 0 for scaled questions, whose n is their item's.
    pub answered: Vec<u64>,
    /// Per question, its options' counts (empty for questions without options).
    pub options: Vec<Vec<u64>>,
    /// Per dimension, the responses that answered any of its items.
    pub dimension_any: Vec<u64>,
    /// Per dimension, its items' pairs `(a, b)` with `a < b` in the order of
    /// [`Aggregate::dimension_items`], row by row.
    pub pairs: Vec<Vec<PairSums>>,
}

impl Aggregate {
    /// The aggregate of no responses.
    pub fn new(plan: &Plan<'_>) -> Aggregate {
        let pairs = (0..plan.dimensions.len())
            .map(|d| {
                let k = Aggregate::dimension_items(plan, d).len();
                vec![PairSums::default(); k * k.saturating_sub(1) / 2]
            })
            .collect();
        Aggregate {
            headline: Headline::new(plan),
            invalid: vec![0; plan.questions.len()],
            items: plan
                .items
                .iter()
                .map(|item| PointCounts::new(&item.scale))
                .collect(),
            answered: vec![0; plan.questions.len()],
            options: plan
                .questions
                .iter()
                .map(|q| match q.kind {
                    QuestionKind::SingleChoice | QuestionKind::MultiChoice => {
                        vec![0; q.options.len()]
                    }
                    _ => Vec::new(),
                })
                .collect(),
            dimension_any: vec![0; plan.dimensions.len()],
            pairs,
        }
    }

    /// The plan items of dimension `d`, in plan order.
    pub fn dimension_items(plan: &Plan<'_>, d: usize) -> Vec<usize> {
        (0..plan.items.len())
            .filter(|&i| plan.items[i].dimension == Some(d))
            .collect()
    }

    /// Adds one response. (Its validators' patterns are compiled for the call; a caller adding
    /// many responses does better with a [`ReportBuilder`], which compiles them once.)
    pub fn add_response(&mut self, plan: &Plan<'_>, response: &Response) {
        let mut row = ScoredRow::new(plan);
        row.score(plan, &Patterns::new(plan.survey), &response.answers);
        let dimension_items: Vec<Vec<usize>> = (0..plan.dimensions.len())
            .map(|d| Aggregate::dimension_items(plan, d))
            .collect();
        self.add(plan, &dimension_items, &row);
    }

    /// Adds a scored row; `dimension_items` is [`Aggregate::dimension_items`] of every
    /// dimension, worked out once by the caller rather than once per row.
    pub(crate) fn add(
        &mut self,
        plan: &Plan<'_>,
        dimension_items: &[Vec<usize>],
        row: &ScoredRow<'_>,
    ) {
        self.headline.add(plan, row);
        for &qi in &row.invalid {
            self.invalid[qi] += 1;
        }
        // Each answered item's position on its scale, worked out once for its count and for
        // every pair it is in (on the stack for up to 64 items).
        let mut stack = [None; 64];
        let mut heap = Vec::new();
        let positions: &mut [Option<u64>] = if row.items.len() <= stack.len() {
            &mut stack[..row.items.len()]
        } else {
            heap.resize(row.items.len(), None);
            &mut heap
        };
        for (ii, (slot, &x)) in positions.iter_mut().zip(&row.items).enumerate() {
            *slot = (!x.is_nan()).then(|| position(&plan.items[ii].scale, x) as u64);
        }
        for (counts, &at) in self.items.iter_mut().zip(positions.iter()) {
            if let Some(at) = at {
                counts.add(at as usize);
            }
        }
        for (qi, q) in plan.questions.iter().enumerate() {
            if q.kind == QuestionKind::Matrix
                && plan.question_items[qi]
                    .iter()
                    .any(|&ii| !row.items[ii].is_nan())
            {
                self.answered[qi] += 1;
            }
        }
        for &(qi, answer) in &row.others {
            self.answered[qi] += 1;
            let options = &plan.questions[qi].options;
            let mut count = |value: &str| {
                if let Some(i) = options.iter().position(|o| o.value == value) {
                    self.options[qi][i] += 1;
                }
            };
            match (plan.questions[qi].kind, answer) {
                (QuestionKind::SingleChoice, Answer::Text(value)) => count(value),
                (
                    QuestionKind::SingleChoice | QuestionKind::MultiChoice,
                    Answer::Choices(values),
                ) => values.iter().for_each(|v| count(v)),
                _ => {}
            }
        }
        for (d, own) in dimension_items.iter().enumerate() {
            if own.iter().any(|&ii| !row.items[ii].is_nan()) {
                self.dimension_any[d] += 1;
            }
            let mut p = 0;
            for (a, &ia) in own.iter().enumerate() {
                for &ib in &own[a + 1..] {
                    if let (Some(u), Some(v)) = (positions[ia], positions[ib]) {
                        self.pairs[d][p].add(u, v);
                    }
                    p += 1;
                }
            }
        }
    }

    fn combine(&mut self, other: &Aggregate, subtract: bool) {
        let op = |a: &mut u64, b: &u64| {
            *a = if subtract {
                a.wrapping_sub(*b)
            } else {
                a.wrapping_add(*b)
            }
        };
        self.headline.combine(&other.headline, subtract);
        self.invalid
            .iter_mut()
            .zip(&other.invalid)
            .for_each(|(a, b)| op(a, b));
        for (a, b) in self.items.iter_mut().zip(&other.items) {
            a.merge(b, subtract);
        }
        self.answered
            .iter_mut()
            .zip(&other.answered)
            .for_each(|(a, b)| op(a, b));
        for (a, b) in self.options.iter_mut().zip(&other.options) {
            a.iter_mut().zip(b).for_each(|(a, b)| op(a, b));
        }
        self.dimension_any
            .iter_mut()
            .zip(&other.dimension_any)
            .for_each(|(a, b)| op(a, b));
        for (a, b) in self.pairs.iter_mut().zip(&other.pairs) {
            for (a, b) in a.iter_mut().zip(b) {
                a.merge(b, subtract);
            }
        }
    }

    /// Adds every response of `other` (an aggregate over the same plan).
    pub fn merge(&mut self, other: &Aggregate) {
        self.combine(other, false);
    }

    /// Removes every response of `other`, which must have been added.
    pub fn subtract(&mut self, other: &Aggregate) {
        self.combine(other, true);
    }

    fn question_reports(&self, plan: &Plan<'_>) -> OrderedMap<QuestionReport> {
        let mut out = OrderedMap::default();
        for (qi, q) in plan.questions.iter().enumerate() {
            let mut report = QuestionReport {
                kind: q.kind,
                n: 0,
                invalid: self.invalid[qi] as usize,
                mean: None,
                sd: None,
                distribution: Vec::new(),
                nps: None,
                csat: None,
                ces: None,
                rows: None,
            };
            match q.kind {
                QuestionKind::Matrix => {
                    let mut rows = OrderedMap::default();
                    for &ii in &plan.question_items[qi] {
                        let item = &plan.items[ii];
                        rows.insert(
                            item.row.clone().unwrap_or_default(),
                            self.items[ii].item_stats(&item.scale),
                        );
                    }
                    report.n = self.answered[qi] as usize;
                    report.rows = Some(rows);
                }
                kind if kind.is_scaled() => {
                    let ii = plan.question_items[qi][0];
                    let scale = &plan.items[ii].scale;
                    let counts = &self.items[ii];
                    let stats = counts.item_stats(scale);
                    report.n = stats.n;
                    report.mean = stats.mean;
                    report.sd = stats.sd;
                    report.distribution = stats.distribution;
                    if kind == QuestionKind::Nps {
                        report.nps = Some(counts.nps(scale));
                    }
                    match q.metric {
                        Some(crate::model::Metric::Csat) => report.csat = Some(counts.csat(scale)),
                        Some(crate::model::Metric::Ces) => report.ces = Some(counts.ces(scale)),
                        _ => {}
                    }
                }
                QuestionKind::SingleChoice | QuestionKind::MultiChoice => {
                    let n = self.answered[qi] as usize;
                    report.n = n;
                    report.distribution = q
                        .options
                        .iter()
                        .zip(&self.options[qi])
                        .map(|(o, &count)| Count {
                            value: serde_json::Value::from(o.value.clone()),
                            count: count as usize,
                            pct: (n > 0).then(|| 100.0 * count as f64 / n as f64),
                        })
                        .collect();
                }
                _ => report.n = self.answered[qi] as usize,
            }
            out.insert(q.id.clone(), report);
        }
        out
    }

    fn dimension_reports(&self, plan: &Plan<'_>) -> OrderedMap<DimensionReport> {
        let mut out = OrderedMap::default();
        for (d, dimension) in plan.survey.dimensions.iter().enumerate() {
            let own = Aggregate::dimension_items(plan, d);
            let k = own.len();
            // The covariances of the reverse-coded answers: an item's coded answer is
            // `min + step · i` (or `max − step · i` when reversed) for its position `i`, so the
            // positions' covariances scale by the steps, signed by the coding.
            let slope = |ii: usize| {
                let item = &plan.items[ii];
                item.scale.step() * if item.reverse { -1.0 } else { 1.0 }
            };
            let mut cov = vec![f64::NAN; k * k];
            let mut cor = vec![f64::NAN; k * k];
            for (a, &ia) in own.iter().enumerate() {
                let counts = &self.items[ia];
                let (n, s, ss) = counts.index_sums();
                if n >= 2 {
                    let spread = (n * ss - s * s) as f64;
                    let count = n as f64;
                    let step = plan.items[ia].scale.step();
                    cov[a * k + a] = step * step * spread / (count * (count - 1.0));
                    cor[a * k + a] = if spread > 0.0 { 1.0 } else { f64::NAN };
                }
            }
            let mut p = 0;
            for a in 0..k {
                for b in a + 1..k {
                    let (c, r) = self.pairs[d][p].moments();
                    let sign = slope(own[a]) * slope(own[b]);
                    cov[a * k + b] = sign * c;
                    cov[b * k + a] = sign * c;
                    let r = r * sign.signum();
                    cor[a * k + b] = r;
                    cor[b * k + a] = r;
                    p += 1;
                }
            }
            let reliability = reliability::analyse_matrices(
                &CovMatrix { k, values: cov },
                &CovMatrix { k, values: cor },
                self.dimension_any[d] as usize,
            );
            let score = self.headline.dimensions[d].stats();
            let items = own
                .iter()
                .zip(reliability.items)
                .map(|(&ii, rel)| {
                    let item = &plan.items[ii];
                    let raw = self.items[ii].mean_stats(&item.scale);
                    (
                        item.key.clone(),
                        DimensionItem {
                            r_drop: rel.r_drop,
                            alpha_if_deleted: rel.alpha_if_deleted,
                            reverse: item.reverse,
                            mean: raw.mean.map(|m| item.code(m)),
                            sd: raw.sd,
                            n: raw.n,
                        },
                    )
                })
                .collect();
            out.insert(
                dimension.id.clone(),
                DimensionReport {
                    score: score.mean,
                    n: score.n,
                    sd: score.sd,
                    ci95: score.ci95,
                    weight: dimension.effective_weight(),
                    alpha: reliability.alpha,
                    items: OrderedMap(items),
                },
            );
        }
        out
    }

    /// The report of these responses, without segments, buckets or a comparison.
    pub fn report(&self, plan: &Plan<'_>) -> Report {
        let summary = self.headline.summary(plan);
        Report {
            survey_id: plan.survey.id.clone(),
            survey_version: plan.survey.version,
            n: summary.n,
            questions: self.question_reports(plan),
            dimensions: self.dimension_reports(plan),
            composite: summary.composite,
            nps: summary.nps,
            csat: summary.csat,
            ces: summary.ces,
            segments: None,
            buckets: None,
            comparison: None,
            meta_keys: Vec::new(),
        }
    }
}

/// One response as the aggregates count it: its items' valid values, dimension scores and
/// composite, the questions whose answers did not count, and the valid answers to unscaled
/// questions. Reused from response to response.
pub(crate) struct ScoredRow<'a> {
    items: Vec<f64>,
    dimensions: Vec<f64>,
    composite: f64,
    invalid: Vec<usize>,
    others: Vec<(usize, &'a Answer)>,
}

impl<'a> ScoredRow<'a> {
    pub(crate) fn new(plan: &Plan<'_>) -> ScoredRow<'a> {
        ScoredRow {
            items: vec![f64::NAN; plan.items.len()],
            dimensions: vec![f64::NAN; plan.dimensions.len()],
            composite: f64::NAN,
            invalid: Vec::new(),
            others: Vec::new(),
        }
    }

    pub(crate) fn score(
        &mut self,
        plan: &Plan<'_>,
        patterns: &Patterns,
        answers: &'a dyn TableRow,
    ) {
        self.invalid.clear();
        self.others.clear();
        let (invalid, others) = (&mut self.invalid, &mut self.others);
        walk_row(
            plan,
            answers,
            &mut self.items,
            patterns,
            |qi, answer| others.push((qi, answer)),
            |qi| invalid.push(qi),
        );
        self.composite = plan.score_row(&self.items, &mut self.dimensions).composite;
    }
}

/// The part of a report a stored aggregate is added to ([`ReportBuilder::merge_stored`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part<'a> {
    /// The selected period's aggregate.
    Overall,
    /// The previous period's headline.
    Previous,
    /// The headline of the segment group of this value (`None`: without the key).
    Segment(Option<&'a str>),
    /// The headline of the time bucket holding the instant (Unix seconds).
    Bucket(i64),
    /// The undated responses, which buckets count apart.
    Undated,
}

/// Builds a report with options from responses fed one at a time, holding only aggregates: the
/// selected period's, the previous period's (when both ends of a period are set), one per
/// segment value and one per time bucket. Builders over parts of the responses merge.
#[derive(Debug)]
pub struct ReportBuilder<'p> {
    plan: &'p Plan<'p>,
    /// The survey's validator patterns, compiled once.
    patterns: Patterns,
    options: ReportOptions,
    overall: Aggregate,
    /// The previous period's bounds and figures.
    previous: Option<(DateTime<FixedOffset>, DateTime<FixedOffset>, Headline)>,
    /// Per value of the segment key; the responses without the key apart.
    segments: BTreeMap<String, Headline>,
    segment_missing: Option<Headline>,
    /// Whether the segment key had more values than [`MAX_SEGMENT_GROUPS`], whose groups were
    /// left out.
    segments_overflowed: bool,
    buckets: BTreeMap<NaiveDate, (String, Headline)>,
    /// Each dimension's items, worked out once.
    dimension_items: Vec<Vec<usize>>,
    /// Buffers lent to each response's scoring: item values, dimension scores, invalid
    /// questions.
    scratch: (Vec<f64>, Vec<f64>, Vec<usize>),
    undated: u64,
    meta_keys: BTreeSet<String>,
}

impl<'p> ReportBuilder<'p> {
    pub fn new(plan: &'p Plan<'p>, options: ReportOptions) -> ReportBuilder<'p> {
        let previous = match (options.from, options.to) {
            (Some(from), Some(to)) if to > from => {
                Some((from - (to - from), from, Headline::new(plan)))
            }
            _ => None,
        };
        ReportBuilder {
            plan,
            patterns: Patterns::new(plan.survey),
            overall: Aggregate::new(plan),
            previous,
            segments: BTreeMap::new(),
            segment_missing: None,
            segments_overflowed: false,
            buckets: BTreeMap::new(),
            dimension_items: (0..plan.dimensions.len())
                .map(|d| Aggregate::dimension_items(plan, d))
                .collect(),
            scratch: (
                vec![f64::NAN; plan.items.len()],
                vec![f64::NAN; plan.dimensions.len()],
                Vec::new(),
            ),
            undated: 0,
            meta_keys: BTreeSet::new(),
            options,
        }
    }

    pub fn push_response(&mut self, response: &Response) {
        self.push(
            &response.answers,
            response.submitted_at,
            &mut response.meta.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        );
    }

    /// Adds one response given as its answers, submission time and `meta`.
    pub fn push<'m>(
        &mut self,
        answers: &dyn TableRow,
        submitted_at: Option<DateTime<FixedOffset>>,
        meta: &mut dyn Iterator<Item = (&'m str, &'m str)>,
    ) {
        let plan = self.plan;
        let mut segment_value: Option<&str> = None;
        let mut passes = self.options.filter.is_none();
        for (key, value) in meta {
            if !self.meta_keys.contains(key) {
                self.meta_keys.insert(key.to_owned());
            }
            if self.options.segment.as_deref() == Some(key) {
                segment_value = Some(value);
            }
            if let Some(filter) = &self.options.filter
                && filter.key == key
                && filter.value == value
            {
                passes = true;
            }
        }
        if !passes {
            return;
        }
        let selected = in_period(submitted_at, self.options.from, self.options.to);
        let in_previous = self
            .previous
            .as_ref()
            .is_some_and(|(from, to, _)| in_period(submitted_at, Some(*from), Some(*to)));
        if !selected && !in_previous {
            return;
        }
        // The row's buffers are the builder's, lent for this response: no allocation per row.
        let mut row = ScoredRow {
            items: std::mem::take(&mut self.scratch.0),
            dimensions: std::mem::take(&mut self.scratch.1),
            composite: f64::NAN,
            invalid: std::mem::take(&mut self.scratch.2),
            others: Vec::new(),
        };
        row.score(plan, &self.patterns, answers);
        if in_previous && let Some((_, _, headline)) = &mut self.previous {
            headline.add(plan, &row);
        }
        if selected {
            self.overall.add(plan, &self.dimension_items, &row);
            if self.options.segment.is_some()
                && let Some(group) = self.group(segment_value)
            {
                group.add(plan, &row);
            }
            if let Some(spec) = self.options.bucket {
                match submitted_at {
                    Some(at) => {
                        // The key is formatted once per bucket, not once per response.
                        self.buckets
                            .entry(bucket_start(at, spec))
                            .or_insert_with(|| (bucket_of(at, spec).0, Headline::new(plan)))
                            .1
                            .add(plan, &row);
                    }
                    None => self.undated += 1,
                }
            }
        }
        self.scratch = (row.items, row.dimensions, row.invalid);
    }

    /// Adds a stored rollup row (see `crate::rollup`) to a part of the report: `bytes` is the
    /// row's full statistics for [`Part::Overall`] and its headline otherwise. The caller reads
    /// the rows `rollup::plan_reads` lists for these options, each once, so that every response
    /// counts where `push` would have counted it.
    pub fn merge_stored(&mut self, part: Part<'_>, bytes: &[u8]) -> Result<(), DecodeError> {
        let plan = self.plan;
        match part {
            Part::Overall => self.overall.merge_encoded(bytes),
            Part::Previous => match &mut self.previous {
                Some((_, _, headline)) => headline.merge_encoded(bytes),
                None => Ok(()),
            },
            Part::Segment(value) => match self.group(value) {
                Some(group) => group.merge_encoded(bytes),
                None => Ok(()),
            },
            Part::Bucket(start) => {
                let Some(spec) = self.options.bucket else {
                    return Ok(());
                };
                let at = DateTime::from_timestamp(start, 0)
                    .map(|t| t.fixed_offset())
                    .ok_or(DecodeError::OUT_OF_RANGE)?;
                self.buckets
                    .entry(bucket_start(at, spec))
                    .or_insert_with(|| (bucket_of(at, spec).0, Headline::new(plan)))
                    .1
                    .merge_encoded(bytes)
            }
            Part::Undated => {
                let mut headline = Headline::new(plan);
                headline.merge_encoded(bytes)?;
                self.undated += headline.n;
                Ok(())
            }
        }
    }

    /// The segment group of a value (`None`: the responses without the key), made when
    /// missing; `None` when the key already has [`MAX_SEGMENT_GROUPS`] values.
    fn group(&mut self, value: Option<&str>) -> Option<&mut Headline> {
        let plan = self.plan;
        let Some(value) = value else {
            return Some(
                self.segment_missing
                    .get_or_insert_with(|| Headline::new(plan)),
            );
        };
        if !self.segments.contains_key(value) {
            if self.segments.len() >= MAX_SEGMENT_GROUPS {
                self.segments_overflowed = true;
                return None;
            }
            self.segments.insert(value.to_owned(), Headline::new(plan));
        }
        self.segments.get_mut(value)
    }

    /// Whether the segment key had more than [`MAX_SEGMENT_GROUPS`] values, so groups are
    /// missing from the report: a caller should refuse the report rather than show it.
    pub fn segments_overflowed(&self) -> bool {
        self.segments_overflowed
    }

    /// Adds `meta` keys to the report's list of them, for a report built from stored rows,
    /// which hold no `meta`.
    pub fn add_meta_keys(&mut self, keys: impl IntoIterator<Item = String>) {
        self.meta_keys.extend(keys);
    }

    /// Adds everything `other` (a builder with the same plan and options) was given.
    pub fn merge(&mut self, other: ReportBuilder<'p>) {
        self.overall.merge(&other.overall);
        if let (Some((_, _, a)), Some((_, _, b))) = (&mut self.previous, &other.previous) {
            a.merge(b);
        }
        self.segments_overflowed |= other.segments_overflowed;
        for (value, headline) in other.segments {
            let full = self.segments.len() >= MAX_SEGMENT_GROUPS;
            match self.segments.get_mut(&value) {
                Some(mine) => mine.merge(&headline),
                None if full => self.segments_overflowed = true,
                None => {
                    self.segments.insert(value, headline);
                }
            }
        }
        match (&mut self.segment_missing, other.segment_missing) {
            (Some(mine), Some(theirs)) => mine.merge(&theirs),
            (mine @ None, theirs) => *mine = theirs,
            (Some(_), None) => {}
        }
        for (start, (key, headline)) in other.buckets {
            match self.buckets.get_mut(&start) {
                Some((_, mine)) => mine.merge(&headline),
                None => {
                    self.buckets.insert(start, (key, headline));
                }
            }
        }
        self.undated += other.undated;
        self.meta_keys.extend(other.meta_keys);
    }

    pub fn finish(self) -> Report {
        let plan = self.plan;
        let mut report = self.overall.report(plan);
        report.segments = self.options.segment.clone().map(|key| {
            // Named groups first in byte order (the map's), the group lacking the key last.
            let groups: Vec<(Option<String>, Headline)> = self
                .segments
                .into_iter()
                .map(|(value, headline)| (Some(value), headline))
                .chain(self.segment_missing.map(|headline| (None, headline)))
                .collect();
            Segments {
                key,
                groups: groups
                    .into_iter()
                    .map(|(value, headline)| SegmentGroup {
                        value,
                        summary: headline.summary(plan),
                    })
                    .collect(),
            }
        });
        report.buckets = self.options.bucket.map(|spec| Buckets {
            unit: spec.unit,
            utc_offset: spec.utc_offset.to_string(),
            buckets: self
                .buckets
                .into_iter()
                .map(|(start, (key, headline))| Bucket {
                    key,
                    start,
                    summary: headline.summary(plan),
                })
                .collect(),
            undated: self.undated as usize,
        });
        report.comparison = self.previous.map(|(previous_from, previous_to, headline)| {
            let previous = headline.summary(plan);
            let current = &self.overall.headline;
            PeriodComparison {
                previous_from,
                previous_to,
                nps: report
                    .nps
                    .as_ref()
                    .zip(previous.nps.as_ref())
                    .and_then(|(a, b)| compare_nps(a, b)),
                csat: report
                    .csat
                    .as_ref()
                    .zip(previous.csat.as_ref())
                    .and_then(|(a, b)| compare_proportions(a.top2, a.n, b.top2, b.n)),
                ces: current
                    .ces_stats(plan)
                    .zip(headline.ces_stats(plan))
                    .and_then(|(a, b)| compare_means(&a, &b)),
                composite: compare_means(&report.composite, &previous.composite),
                previous,
            }
        });
        report.meta_keys = self.meta_keys.into_iter().collect();
        report
    }
}

/// Whether a response submitted at `at` is in the period `[from, to)`: every response when
/// neither end is set, and only dated ones otherwise.
fn in_period(
    at: Option<DateTime<FixedOffset>>,
    from: Option<DateTime<FixedOffset>>,
    to: Option<DateTime<FixedOffset>>,
) -> bool {
    (from.is_none() && to.is_none())
        || at.is_some_and(|at| from.is_none_or(|f| at >= f) && to.is_none_or(|t| at < t))
}

/// Searches the open-text answers of responses fed one at a time, as `report::text_answers`
/// does over a table: the responses the options' period and filter select, the newest `limit`
/// matches kept and every match counted.
#[derive(Debug)]
pub struct TextCollector<'p> {
    plan: &'p Plan<'p>,
    patterns: Patterns,
    options: ReportOptions,
    search: TextSearch,
    seq: u128,
    items: Vec<f64>,
}

impl<'p> TextCollector<'p> {
    pub fn new(plan: &'p Plan<'p>, options: ReportOptions, search: &str, limit: usize) -> Self {
        TextCollector {
            plan,
            patterns: Patterns::new(plan.survey),
            options,
            search: TextSearch::new(search, limit),
            seq: 0,
            items: vec![f64::NAN; plan.items.len()],
        }
    }

    pub fn push_response(&mut self, response: &Response) {
        self.push(
            &response.answers,
            response.submitted_at,
            &mut response.meta.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        );
    }

    /// Adds a response whose place among those submitted at the same instant is `seq`
    /// (smaller first) rather than the order it comes in: for a caller reading responses in
    /// another order than the one its answers are meant to have, such as newest first.
    pub fn push_response_as(&mut self, response: &Response, seq: u128) {
        self.push_with(
            seq,
            &response.answers,
            response.submitted_at,
            &mut response.meta.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        );
    }

    pub fn push<'m>(
        &mut self,
        answers: &dyn TableRow,
        submitted_at: Option<DateTime<FixedOffset>>,
        meta: &mut dyn Iterator<Item = (&'m str, &'m str)>,
    ) {
        let seq = self.seq;
        self.seq += 1;
        self.push_with(seq, answers, submitted_at, meta);
    }

    fn push_with<'m>(
        &mut self,
        seq: u128,
        answers: &dyn TableRow,
        submitted_at: Option<DateTime<FixedOffset>>,
        meta: &mut dyn Iterator<Item = (&'m str, &'m str)>,
    ) {
        if let Some(filter) = &self.options.filter {
            let mut passes = false;
            for (key, value) in meta {
                passes |= key == filter.key && value == filter.value;
            }
            if !passes {
                return;
            }
        }
        if !in_period(submitted_at, self.options.from, self.options.to) {
            return;
        }
        let plan = self.plan;
        let search = &mut self.search;
        walk_row(
            plan,
            answers,
            &mut self.items,
            &self.patterns,
            |qi, answer| {
                if let (QuestionKind::Text, Answer::Text(text)) = (plan.questions[qi].kind, answer)
                {
                    search.offer((seq, qi), submitted_at, &plan.questions[qi].id, text);
                }
            },
            |_| {},
        );
    }

    /// Whether as many answers as asked for are kept.
    pub fn is_full(&self) -> bool {
        self.search.is_full()
    }

    /// Whether no answer submitted at `at` can be kept any more (see
    /// [`TextSearch::closed_to`]). A caller feeding responses newest first may stop at the
    /// first such response; `total` is then only what was seen, and the caller takes it from
    /// elsewhere (the rollups' answer counts).
    pub fn closed_to(&self, at: Option<DateTime<FixedOffset>>) -> bool {
        self.search.closed_to(at)
    }

    /// How many matching answers it was given so far.
    pub fn seen(&self) -> usize {
        self.search.seen()
    }

    pub fn finish(self) -> TextAnswers {
        self.search.finish()
    }
}

// The stored form of aggregates, for rollups kept in a database.
//
// An aggregate's shape (how many questions, items, scale points, pairs) comes from the survey's
// plan, so the stored form is only its numbers, in the order [`Aggregate::new`] lays them out:
// counts and integer sums as LEB128 varints, double-double sums as two little-endian `f64`. A
// leading format byte and the count of numbers let a reader refuse bytes written for another
// plan instead of misreading them. Decoding adds into an existing aggregate, so merging
// hundreds of stored rows allocates nothing per row.

/// The format's version, the first byte of every stored aggregate.
const FORMAT: u8 = 1;

/// Stored bytes that are not an aggregate of this plan (written by another version of the
/// survey, or damaged).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("stored statistics do not fit the survey's plan: {0}")]
pub struct DecodeError(&'static str);

impl DecodeError {
    /// A row's time that no calendar holds.
    pub(crate) const OUT_OF_RANGE: DecodeError = DecodeError("a span starts outside the calendar");
}

/// Something done to every number of an aggregate, in its stored order.
trait Visit {
    fn count(&mut self, x: &mut u64);
    fn wide_count(&mut self, x: &mut u128);
    fn sum(&mut self, x: &mut WideSum);
}

impl Moments {
    fn walk(&mut self, v: &mut impl Visit) {
        v.count(&mut self.n);
        v.sum(&mut self.sum);
        v.sum(&mut self.sum_sq);
    }
}

impl PointCounts {
    fn walk(&mut self, v: &mut impl Visit) {
        self.counts.iter_mut().for_each(|c| v.count(c));
    }
}

impl PairSums {
    fn walk(&mut self, v: &mut impl Visit) {
        v.count(&mut self.n);
        v.count(&mut self.u);
        v.count(&mut self.v);
        v.wide_count(&mut self.uv);
        v.wide_count(&mut self.uu);
        v.wide_count(&mut self.vv);
    }
}

impl Headline {
    fn walk(&mut self, v: &mut impl Visit) {
        v.count(&mut self.n);
        for counts in [&mut self.nps, &mut self.csat, &mut self.ces]
            .into_iter()
            .flatten()
        {
            counts.walk(v);
        }
        self.dimensions.iter_mut().for_each(|m| m.walk(v));
        self.composite.walk(v);
    }

    /// The stored form.
    pub fn encode(&self) -> Vec<u8> {
        encode(|v| self.clone().walk(v))
    }

    /// Adds the aggregate stored as `bytes` (see [`Headline::encode`]) to this one.
    pub fn merge_encoded(&mut self, bytes: &[u8]) -> Result<(), DecodeError> {
        decode(bytes, self.numbers(), |v| self.walk(v))
    }

    /// How many numbers the stored form holds, counted from the shape rather than by walking
    /// a copy: a report merges hundreds of rows, and this runs once per row.
    fn numbers(&self) -> u64 {
        let metric: usize = [&self.nps, &self.csat, &self.ces]
            .into_iter()
            .flatten()
            .map(|c| c.counts.len())
            .sum();
        (1 + metric + 3 * (self.dimensions.len() + 1)) as u64
    }
}

impl Aggregate {
    fn walk(&mut self, v: &mut impl Visit) {
        self.headline.walk(v);
        self.invalid.iter_mut().for_each(|c| v.count(c));
        self.items.iter_mut().for_each(|c| c.walk(v));
        self.answered.iter_mut().for_each(|c| v.count(c));
        self.options.iter_mut().flatten().for_each(|c| v.count(c));
        self.dimension_any.iter_mut().for_each(|c| v.count(c));
        self.pairs.iter_mut().flatten().for_each(|p| p.walk(v));
    }

    /// The stored form.
    pub fn encode(&self) -> Vec<u8> {
        encode(|v| self.clone().walk(v))
    }

    /// Adds the aggregate stored as `bytes` (see [`Aggregate::encode`]) to this one.
    pub fn merge_encoded(&mut self, bytes: &[u8]) -> Result<(), DecodeError> {
        decode(bytes, self.numbers(), |v| self.walk(v))
    }

    /// How many numbers the stored form holds.
    fn numbers(&self) -> u64 {
        let items: usize = self.items.iter().map(|c| c.counts.len()).sum();
        let options: usize = self.options.iter().map(Vec::len).sum();
        let pairs: usize = self.pairs.iter().map(Vec::len).sum();
        self.headline.numbers()
            + (self.invalid.len()
                + items
                + self.answered.len()
                + options
                + self.dimension_any.len()
                + 6 * pairs) as u64
    }
}

fn encode(walk: impl FnOnce(&mut Encoder)) -> Vec<u8> {
    let mut counter = Encoder {
        out: Vec::new(),
        numbers: 0,
    };
    walk(&mut counter);
    let mut out = Vec::with_capacity(counter.out.len() + 6);
    out.push(FORMAT);
    put_varint(&mut out, u128::from(counter.numbers));
    out.extend_from_slice(&counter.out);
    out
}

struct Encoder {
    out: Vec<u8>,
    numbers: u64,
}

fn put_varint(out: &mut Vec<u8>, mut x: u128) {
    loop {
        let byte = (x & 0x7f) as u8;
        x >>= 7;
        if x == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

impl Visit for Encoder {
    fn count(&mut self, x: &mut u64) {
        self.numbers += 1;
        put_varint(&mut self.out, u128::from(*x));
    }
    fn wide_count(&mut self, x: &mut u128) {
        self.numbers += 1;
        put_varint(&mut self.out, *x);
    }
    fn sum(&mut self, x: &mut WideSum) {
        self.numbers += 1;
        self.out.extend_from_slice(&x.hi.to_le_bytes());
        self.out.extend_from_slice(&x.lo.to_le_bytes());
    }
}

/// Reads the stored numbers and adds each to the one visited. After the first fault it adds
/// nothing more and keeps the fault.
struct Adder<'b> {
    bytes: &'b [u8],
    fault: Option<&'static str>,
}

impl Adder<'_> {
    fn varint(&mut self) -> u128 {
        let mut x = 0u128;
        for shift in (0..128).step_by(7) {
            let Some((&byte, rest)) = self.bytes.split_first() else {
                self.fault.get_or_insert("the bytes end inside a number");
                return 0;
            };
            self.bytes = rest;
            x |= u128::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return x;
            }
        }
        self.fault.get_or_insert("a number is longer than 128 bits");
        0
    }

    fn float(&mut self) -> f64 {
        match self.bytes.split_first_chunk::<8>() {
            Some((bytes, rest)) => {
                self.bytes = rest;
                f64::from_le_bytes(*bytes)
            }
            None => {
                self.fault.get_or_insert("the bytes end inside a sum");
                0.0
            }
        }
    }
}

impl Visit for Adder<'_> {
    fn count(&mut self, x: &mut u64) {
        if self.fault.is_none() {
            let y = self.varint();
            match u64::try_from(y) {
                Ok(y) => *x = x.wrapping_add(y),
                Err(_) => {
                    self.fault.get_or_insert("a count is larger than 64 bits");
                }
            }
        }
    }
    fn wide_count(&mut self, x: &mut u128) {
        if self.fault.is_none() {
            *x = x.wrapping_add(self.varint());
        }
    }
    fn sum(&mut self, x: &mut WideSum) {
        if self.fault.is_none() {
            let hi = self.float();
            let lo = self.float();
            x.merge(&WideSum { hi, lo });
        }
    }
}

fn decode(
    bytes: &[u8],
    numbers: u64,
    walk: impl FnOnce(&mut Adder<'_>),
) -> Result<(), DecodeError> {
    let (&format, rest) = bytes
        .split_first()
        .ok_or(DecodeError("the bytes are empty"))?;
    if format != FORMAT {
        return Err(DecodeError("an unknown format"));
    }
    let mut adder = Adder {
        bytes: rest,
        fault: None,
    };
    if adder.varint() != u128::from(numbers) || adder.fault.is_some() {
        return Err(DecodeError("another number of figures"));
    }
    walk(&mut adder);
    if let Some(fault) = adder.fault {
        return Err(DecodeError(fault));
    }
    if !adder.bytes.is_empty() {
        return Err(DecodeError("bytes are left over"));
    }
    Ok(())
}
