//! The aggregate report over many responses.
//!
//! Numbers are unrounded; rounding is for display only (the app rounds half away from zero to
//! the shown precision). Percentages are 0–100, NPS figures are in NPS points (−100..100), and a
//! statistic that cannot be computed is `null`, never 0. Every question of the definition
//! appears, in definition order.
//!
//! The report works on columns: one `f64` array per scaled item with `NaN` for a missing or
//! invalid answer. That layout keeps a million responses in a few tens of megabytes and lets
//! every statistic run as a tight loop.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::model::{QuestionKind, Response, Scale, Survey};
use crate::ordered::OrderedMap;
use crate::reliability::{self, AlphaStats};
use crate::score::{NpsCategory, Plan, is_agree, is_top2};
use crate::stats;
use crate::table::{MetaColumn, ResponseTable};

/// What to compute besides the overall figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportOptions {
    /// Only responses submitted at or after this instant (responses without `submitted_at`
    /// are left out when a period is set).
    pub from: Option<DateTime<FixedOffset>>,
    /// Only responses submitted before this instant.
    pub to: Option<DateTime<FixedOffset>>,
    /// Break the headline figures down by this `meta` key.
    pub segment: Option<String>,
    /// Group the headline figures into time buckets.
    pub bucket: Option<BucketSpec>,
    /// Only responses whose `meta` has this value under this key (the previous period of a
    /// comparison is filtered the same way).
    pub filter: Option<MetaFilter>,
}

/// A `meta` key and the value a response must have under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaFilter {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BucketSpec {
    pub unit: BucketUnit,
    /// Calendar days, weeks and months are taken in this offset from UTC.
    pub utc_offset: FixedOffset,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BucketUnit {
    Day,
    /// ISO 8601 week (Monday first, week 1 holds the year's first Thursday).
    Week,
    Month,
}

impl BucketUnit {
    pub const ALL: [BucketUnit; 3] = [BucketUnit::Day, BucketUnit::Week, BucketUnit::Month];

    /// The unit's name, as the report's query and the CLI's `--bucket` write it.
    pub fn as_str(self) -> &'static str {
        match self {
            BucketUnit::Day => "day",
            BucketUnit::Week => "week",
            BucketUnit::Month => "month",
        }
    }
}

impl std::str::FromStr for BucketUnit {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        BucketUnit::ALL
            .into_iter()
            .find(|unit| unit.as_str() == s)
            .ok_or_else(|| format!("unknown bucket {s:?}: use day, week or month"))
    }
}

/// n, mean, standard deviation (denominator n − 1) and the t-based 95 % interval of a mean.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeanStats {
    pub n: usize,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    /// `mean ± t(0.975, n − 1) · sd / √n`.
    pub ci95: Option<[f64; 2]>,
}

impl MeanStats {
    /// The statistics of no values.
    pub(crate) fn empty() -> MeanStats {
        MeanStats {
            n: 0,
            mean: None,
            sd: None,
            ci95: None,
        }
    }

    /// From the count, the mean and the sum of squared deviations.
    pub(crate) fn finish(n: usize, mean: f64, ss: f64) -> MeanStats {
        let sd = (n >= 2).then(|| (ss / (n - 1) as f64).sqrt());
        let ci95 = sd.map(|sd| {
            let half = stats::t_quantile(0.975, (n - 1) as f64) * sd / (n as f64).sqrt();
            [mean - half, mean + half]
        });
        MeanStats {
            n,
            mean: Some(mean),
            sd,
            ci95,
        }
    }
}

/// Count of one scale point or option.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Count {
    pub value: serde_json::Value,
    pub count: usize,
    /// Share of the valid answers, 0–100; `null` when there are none.
    pub pct: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NpsStats {
    pub n: usize,
    /// `100 · (promoters − detractors) / n`.
    pub score: Option<f64>,
    pub promoters: usize,
    pub passives: usize,
    pub detractors: usize,
    pub promoters_pct: Option<f64>,
    pub passives_pct: Option<f64>,
    pub detractors_pct: Option<f64>,
    /// `100 · sqrt(((p + d) − (p − d)²) / n)`, in NPS points.
    pub se: Option<f64>,
    /// `1.96 · se`.
    pub moe95: Option<f64>,
    /// `score ± moe95`, not clamped to ±100.
    pub ci95: Option<[f64; 2]>,
}

impl NpsStats {
    pub fn from_counts(promoters: usize, passives: usize, detractors: usize) -> NpsStats {
        let n = promoters + passives + detractors;
        let share = |c: usize| (n > 0).then(|| c as f64 / n as f64);
        let (p, d) = (share(promoters), share(detractors));
        let score = p.zip(d).map(|(p, d)| 100.0 * (p - d));
        let se = p.zip(d).map(|(p, d)| {
            let variance = (p + d) - (p - d) * (p - d);
            // Rounding can leave a tiny negative variance when every answer is in one
            // category; the true value is 0.
            100.0 * (variance.max(0.0) / n as f64).sqrt()
        });
        let moe95 = se.map(|se| 1.96 * se);
        NpsStats {
            n,
            score,
            promoters,
            passives,
            detractors,
            promoters_pct: share(promoters).map(|s| s * 100.0),
            passives_pct: share(passives).map(|s| s * 100.0),
            detractors_pct: share(detractors).map(|s| s * 100.0),
            se,
            moe95,
            ci95: score.zip(moe95).map(|(s, m)| [s - m, s + m]),
        }
    }

    fn of(values: &[f64], rows: &Rows) -> NpsStats {
        let mut counts = [0usize; 3];
        rows.for_each(|r| match NpsCategory::of(values[r]) {
            Some(NpsCategory::Promoter) => counts[0] += 1,
            Some(NpsCategory::Passive) => counts[1] += 1,
            Some(NpsCategory::Detractor) => counts[2] += 1,
            None => {}
        });
        NpsStats::from_counts(counts[0], counts[1], counts[2])
    }
}

/// Over the present values of `values` at `rows`: how many, how many satisfy `hit`, their sum.
fn count_where(values: &[f64], rows: &Rows, hit: impl Fn(f64) -> bool) -> (usize, usize, f64) {
    let (mut n, mut hits, mut sum) = (0usize, 0usize, 0.0);
    rows.for_each(|r| {
        let x = values[r];
        if !x.is_nan() {
            n += 1;
            sum += x;
            hits += usize::from(hit(x));
        }
    });
    (n, hits, sum)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CsatStats {
    pub n: usize,
    /// Share of answers in the top two points of the scale, 0–100.
    pub top2_pct: Option<f64>,
    pub top2: usize,
    pub mean: Option<f64>,
}

impl CsatStats {
    fn of(values: &[f64], scale: &Scale, rows: &Rows) -> CsatStats {
        let (n, top2, sum) = count_where(values, rows, |x| is_top2(scale, x));
        CsatStats {
            n,
            top2_pct: (n > 0).then(|| 100.0 * top2 as f64 / n as f64),
            top2,
            mean: (n > 0).then(|| sum / n as f64),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CesStats {
    pub n: usize,
    pub mean: Option<f64>,
    /// Share of answers above the midpoint (5–7 on the 1–7 scale), 0–100.
    pub agree_pct: Option<f64>,
    pub agree: usize,
}

impl CesStats {
    fn of(values: &[f64], scale: &Scale, rows: &Rows) -> CesStats {
        let (n, agree, sum) = count_where(values, rows, |x| is_agree(scale, x));
        CesStats {
            n,
            mean: (n > 0).then(|| sum / n as f64),
            agree_pct: (n > 0).then(|| 100.0 * agree as f64 / n as f64),
            agree,
        }
    }
}

/// Statistics of one scaled item (a question or a matrix row), on the raw answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemStats {
    pub n: usize,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub distribution: Vec<Count>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionReport {
    pub kind: QuestionKind,
    /// Valid answers.
    pub n: usize,
    /// Answers present but not counted: out of range, of the wrong type, or given to a hidden
    /// question.
    pub invalid: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sd: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub distribution: Vec<Count>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nps: Option<NpsStats>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csat: Option<CsatStats>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ces: Option<CesStats>,
    /// Per row, for matrix questions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<OrderedMap<ItemStats>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DimensionItem {
    /// Corrected item–total correlation.
    pub r_drop: Option<f64>,
    pub alpha_if_deleted: Option<f64>,
    pub reverse: bool,
    /// Mean of the reverse-coded answers.
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub n: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DimensionReport {
    /// Mean 0–100 score over the responses that answered at least one of its items.
    pub score: Option<f64>,
    pub n: usize,
    pub sd: Option<f64>,
    pub ci95: Option<[f64; 2]>,
    pub weight: f64,
    pub alpha: AlphaStats,
    pub items: OrderedMap<DimensionItem>,
}

/// Headline figures of a group of responses (a segment, a time bucket, a period).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub n: usize,
    pub nps: Option<NpsStats>,
    pub csat: Option<CsatStats>,
    pub ces: Option<CesStats>,
    /// Dimension id → mean 0–100 score (`null` when no answers).
    pub dimensions: OrderedMap<Option<f64>>,
    pub composite: MeanStats,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentGroup {
    /// The `meta` value; `null` groups the responses that lack the key.
    pub value: Option<String>,
    #[serde(flatten)]
    pub summary: Summary,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segments {
    pub key: String,
    pub groups: Vec<SegmentGroup>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bucket {
    /// `2026-03-14` (day), `2026-W11` (ISO week) or `2026-03` (month).
    pub key: String,
    /// The first day of the bucket, in the requested offset.
    pub start: NaiveDate,
    #[serde(flatten)]
    pub summary: Summary,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Buckets {
    pub unit: BucketUnit,
    pub utc_offset: String,
    /// Non-empty buckets in chronological order.
    pub buckets: Vec<Bucket>,
    /// Responses without `submitted_at`, which no bucket can hold.
    pub undated: usize,
}

/// The difference of two NPS figures with a two-sample z-test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NpsComparison {
    /// Current minus previous, in NPS points.
    pub difference: f64,
    /// `sqrt(se₁² + se₂²)`, in points.
    pub se: f64,
    pub z: Option<f64>,
    /// Two-sided p-value of the z-test.
    pub p_value: Option<f64>,
}

/// Compares two NPS figures: `z = (a − b) / sqrt(se_a² + se_b²)`, two-sided normal p-value.
pub fn compare_nps(current: &NpsStats, previous: &NpsStats) -> Option<NpsComparison> {
    let (a, b) = (current.score?, previous.score?);
    let (sa, sb) = (current.se?, previous.se?);
    let se = (sa * sa + sb * sb).sqrt();
    let difference = a - b;
    let z = (se > 0.0).then(|| difference / se);
    Some(NpsComparison {
        difference,
        se,
        z,
        p_value: z.map(|z| 2.0 * stats::normal_sf(z.abs())),
    })
}

/// The difference of two proportions with the pooled two-proportion z-test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProportionComparison {
    /// Current minus previous share, in percentage points.
    pub difference: f64,
    pub z: Option<f64>,
    /// Two-sided p-value of the z-test.
    pub p_value: Option<f64>,
}

/// Compares `hits_a` of `n_a` with `hits_b` of `n_b`: `z = (p_a − p_b) / sqrt(p̂ (1 − p̂)
/// (1/n_a + 1/n_b))` with the pooled share `p̂`, two-sided normal p-value (the usual
/// two-proportion z-test, as statsmodels' `proportions_ztest`). `None` when either side has no
/// answers; `z` is `None` when every answer on both sides is a hit, or none is.
pub fn compare_proportions(
    hits_a: usize,
    n_a: usize,
    hits_b: usize,
    n_b: usize,
) -> Option<ProportionComparison> {
    if n_a == 0 || n_b == 0 {
        return None;
    }
    let (na, nb) = (n_a as f64, n_b as f64);
    let (pa, pb) = (hits_a as f64 / na, hits_b as f64 / nb);
    let pooled = (hits_a + hits_b) as f64 / (na + nb);
    let se = (pooled * (1.0 - pooled) * (1.0 / na + 1.0 / nb)).sqrt();
    let z = (se > 0.0).then(|| (pa - pb) / se);
    Some(ProportionComparison {
        difference: 100.0 * (pa - pb),
        z,
        p_value: z.map(|z| 2.0 * stats::normal_sf(z.abs())),
    })
}

/// The difference of two means with Welch's t-test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeanComparison {
    /// Current minus previous mean.
    pub difference: f64,
    /// `sqrt(sd₁²/n₁ + sd₂²/n₂)`.
    pub se: f64,
    pub t: Option<f64>,
    /// Welch–Satterthwaite degrees of freedom.
    pub df: Option<f64>,
    /// Two-sided p-value of the t-test.
    pub p_value: Option<f64>,
}

/// Compares two means with Welch's unequal-variance t-test (scipy's `ttest_ind(...,
/// equal_var=False)`). `None` unless both sides have a standard deviation (two answers or
/// more); `t`, `df` and `p_value` are `None` when both spreads are zero.
pub fn compare_means(current: &MeanStats, previous: &MeanStats) -> Option<MeanComparison> {
    let (a, b) = (current.mean?, previous.mean?);
    let (sa, sb) = (current.sd?, previous.sd?);
    let (na, nb) = (current.n as f64, previous.n as f64);
    let (va, vb) = (sa * sa / na, sb * sb / nb);
    let se = (va + vb).sqrt();
    let difference = a - b;
    let t = (se > 0.0).then(|| difference / se);
    let df = t.map(|_| (va + vb).powi(2) / (va * va / (na - 1.0) + vb * vb / (nb - 1.0)));
    Some(MeanComparison {
        difference,
        se,
        t,
        df,
        p_value: t.zip(df).map(|(t, df)| 2.0 * stats::t_cdf(-t.abs(), df)),
    })
}

/// A comparison of the selected period with the one of equal length just before it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodComparison {
    #[serde(deserialize_with = "crate::time::deserialize")]
    pub previous_from: DateTime<FixedOffset>,
    #[serde(deserialize_with = "crate::time::deserialize")]
    pub previous_to: DateTime<FixedOffset>,
    pub previous: Summary,
    pub nps: Option<NpsComparison>,
    /// The CSAT top-2-box shares.
    #[serde(default)]
    pub csat: Option<ProportionComparison>,
    /// The CES means.
    #[serde(default)]
    pub ces: Option<MeanComparison>,
    /// The composite index means.
    #[serde(default)]
    pub composite: Option<MeanComparison>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub survey_id: String,
    pub survey_version: u32,
    /// Responses included.
    pub n: usize,
    pub questions: OrderedMap<QuestionReport>,
    pub dimensions: OrderedMap<DimensionReport>,
    /// The weighted 0–100 index over the responses that have one.
    pub composite: MeanStats,
    pub nps: Option<NpsStats>,
    pub csat: Option<CsatStats>,
    pub ces: Option<CesStats>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segments: Option<Segments>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buckets: Option<Buckets>,
    /// Present when both `from` and `to` are set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comparison: Option<PeriodComparison>,
    /// Every `meta` key of the responses (before any filter), sorted: what a report can be
    /// segmented or filtered by.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub meta_keys: Vec<String>,
}

/// A subset of row indices, or all rows.
enum Rows<'a> {
    All(usize),
    Some(&'a [usize]),
}

impl Rows<'_> {
    fn for_each(&self, mut f: impl FnMut(usize)) {
        match self {
            Rows::All(n) => (0..*n).for_each(f),
            Rows::Some(list) => list.iter().for_each(|&r| f(r)),
        }
    }

    fn len(&self) -> usize {
        match self {
            Rows::All(n) => *n,
            Rows::Some(list) => list.len(),
        }
    }

    /// The values of `column` at these rows, as one contiguous column.
    fn gather(&self, column: &[f64], map: impl Fn(f64) -> f64) -> Vec<f64> {
        match self {
            Rows::All(n) => column[..*n].iter().map(|&x| map(x)).collect(),
            Rows::Some(list) => list.iter().map(|&r| map(column[r])).collect(),
        }
    }
}

/// Mean statistics of the present (non-`NaN`) values of `column` over `rows`. Plain loops over
/// a slice or an index list: this runs over every column of a million-response report.
fn column_stats(column: &[f64], rows: &Rows) -> MeanStats {
    let (mut n, mut sum) = (0usize, 0.0f64);
    let mut accumulate = |x: f64| {
        if !x.is_nan() {
            n += 1;
            sum += x;
        }
    };
    match rows {
        Rows::All(len) => column[..*len].iter().for_each(|&x| accumulate(x)),
        Rows::Some(list) => list.iter().for_each(|&r| accumulate(column[r])),
    }
    if n == 0 {
        return MeanStats {
            n,
            mean: None,
            sd: None,
            ci95: None,
        };
    }
    let mean = sum / n as f64;
    let mut ss = 0.0;
    let mut deviations = |x: f64| {
        if !x.is_nan() {
            ss += (x - mean) * (x - mean);
        }
    };
    match rows {
        Rows::All(len) => column[..*len].iter().for_each(|&x| deviations(x)),
        Rows::Some(list) => list.iter().for_each(|&r| deviations(column[r])),
    }
    MeanStats::finish(n, mean, ss)
}

fn item_stats(column: &[f64], scale: &Scale, rows: &Rows) -> ItemStats {
    let stats = column_stats(column, rows);
    let points = scale.points();
    let mut counts = vec![0usize; points.len()];
    let step = scale.step();
    rows.for_each(|r| {
        let x = column[r];
        if !x.is_nan() {
            let i = ((x - scale.min) / step).round() as usize;
            if let Some(c) = counts.get_mut(i) {
                *c += 1;
            }
        }
    });
    ItemStats {
        n: stats.n,
        mean: stats.mean,
        sd: stats.sd,
        distribution: points
            .iter()
            .zip(counts)
            .map(|(&value, count)| Count {
                value: number_value(value),
                count,
                pct: (stats.n > 0).then(|| 100.0 * count as f64 / stats.n as f64),
            })
            .collect(),
    }
}

/// A scale point as JSON: an integer when it is one, so `7` is not printed as `7.0`.
pub(crate) fn number_value(x: f64) -> serde_json::Value {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        serde_json::Value::from(x as i64)
    } else {
        serde_json::Value::from(x)
    }
}

fn summary(plan: &Plan<'_>, table: &ResponseTable, rows: &Rows) -> Summary {
    let metric_column = |qi: Option<usize>| {
        let ii = *plan.question_items[qi?].first()?;
        Some((&table.items[ii], &plan.items[ii].scale))
    };
    Summary {
        n: rows.len(),
        nps: metric_column(plan.nps_question).map(|(col, _)| NpsStats::of(col, rows)),
        csat: metric_column(plan.csat_question).map(|(col, s)| CsatStats::of(col, s, rows)),
        ces: metric_column(plan.ces_question).map(|(col, s)| CesStats::of(col, s, rows)),
        dimensions: OrderedMap(
            plan.dimensions
                .iter()
                .zip(&table.dimensions)
                .map(|(d, col)| (d.clone(), column_stats(col, rows).mean))
                .collect(),
        ),
        composite: column_stats(&table.composite, rows),
    }
}

/// The rows submitted in `[from, to)` that pass `filter`; `None` when nothing restricts them
/// (every row). Rows without `submitted_at` are outside every period; rows without the
/// filter's key do not pass it.
fn select_rows(
    table: &ResponseTable,
    from: Option<DateTime<FixedOffset>>,
    to: Option<DateTime<FixedOffset>>,
    filter: Option<&MetaFilter>,
) -> Option<Vec<usize>> {
    if from.is_none() && to.is_none() && filter.is_none() {
        return None;
    }
    // The filter's value as the key's dictionary code, so each row costs one integer compare;
    // `None` when no row has that value.
    let wanted = filter.map(|f| {
        table.meta.get(&f.key).and_then(|column| {
            let code = column.values.iter().position(|v| *v == f.value)?;
            Some((column, code as u32))
        })
    });
    let in_period = |r: usize| {
        (from.is_none() && to.is_none())
            || table.submitted_at[r]
                .is_some_and(|at| from.is_none_or(|f| at >= f) && to.is_none_or(|t| at < t))
    };
    let passes = |r: usize| match wanted {
        None => true,
        Some(None) => false,
        Some(Some((column, code))) => column.codes[r] == code,
    };
    Some(
        (0..table.len())
            .filter(|&r| passes(r) && in_period(r))
            .collect(),
    )
}

/// The first day of an instant's bucket, without formatting its key.
pub(crate) fn bucket_start(at: DateTime<FixedOffset>, spec: BucketSpec) -> NaiveDate {
    let local = at.with_timezone(&spec.utc_offset).date_naive();
    match spec.unit {
        BucketUnit::Day => local,
        BucketUnit::Week => local - Duration::days(local.weekday().num_days_from_monday() as i64),
        BucketUnit::Month => local.with_day(1).expect("every month has a first day"),
    }
}

/// The bucket of an instant: its key and first day.
pub fn bucket_of(at: DateTime<FixedOffset>, spec: BucketSpec) -> (String, NaiveDate) {
    let local = at.with_timezone(&spec.utc_offset).date_naive();
    let key = match spec.unit {
        BucketUnit::Day => local.format("%Y-%m-%d").to_string(),
        BucketUnit::Week => {
            let week = local.iso_week();
            format!("{}-W{:02}", week.year(), week.week())
        }
        BucketUnit::Month => local.format("%Y-%m").to_string(),
    };
    (key, bucket_start(at, spec))
}

/// Builds the report for `responses`, all answers to `survey`. Answers that do not fit the
/// definition are counted as invalid, not scored.
pub fn build_report(survey: &Survey, responses: &[Response], options: &ReportOptions) -> Report {
    let plan = Plan::new(survey);
    let table = ResponseTable::from_responses(&plan, responses);
    build_report_from_table(&plan, &table, options)
}

/// Builds the report from a table already holding the responses (see [`ResponseTable`]).
pub fn build_report_from_table(
    plan: &Plan<'_>,
    table: &ResponseTable,
    options: &ReportOptions,
) -> Report {
    let survey = plan.survey;
    let selected = select_rows(table, options.from, options.to, options.filter.as_ref());
    let rows = match &selected {
        Some(list) => Rows::Some(list),
        None => Rows::All(table.len()),
    };
    // Membership of each row in the selection, for the sparse per-question data.
    let mask: Option<Vec<bool>> = selected.as_ref().map(|list| {
        let mut mask = vec![false; table.len()];
        list.iter().for_each(|&r| mask[r] = true);
        mask
    });

    let questions = question_reports(plan, table, &rows, mask.as_deref());

    let mut dimensions = OrderedMap::default();
    for (d, dim) in survey.dimensions.iter().enumerate() {
        let item_ids: Vec<usize> = (0..plan.items.len())
            .filter(|&i| plan.items[i].dimension == Some(d))
            .collect();
        // Reliability works on the reverse-coded raw answers, as psych does after keying.
        let coded: Vec<Vec<f64>> = item_ids
            .iter()
            .map(|&i| {
                let item = &plan.items[i];
                rows.gather(&table.items[i], |x| item.code(x))
            })
            .collect();
        let refs: Vec<&[f64]> = coded.iter().map(Vec::as_slice).collect();
        let reliability = reliability::analyse(&refs);
        let score = column_stats(&table.dimensions[d], &rows);
        let items = item_ids
            .iter()
            .zip(reliability.items)
            .map(|(&i, rel)| {
                // Reverse coding is `min + max − x`: the coded mean mirrors the raw one and the
                // spread is unchanged, so the raw item's statistics serve.
                let item = &plan.items[i];
                let raw = column_stats(&table.items[i], &rows);
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
        dimensions.insert(
            dim.id.clone(),
            DimensionReport {
                score: score.mean,
                n: score.n,
                sd: score.sd,
                ci95: score.ci95,
                weight: dim.effective_weight(),
                alpha: reliability.alpha,
                items: OrderedMap(items),
            },
        );
    }

    let overall = summary(plan, table, &rows);

    let segments = options.segment.as_ref().map(|key| {
        let column = table.meta.get(key);
        // Rows grouped by the key's dictionary code; the rows lacking the key form one group.
        let mut groups: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
        rows.for_each(|r| {
            let code = column.map_or(MetaColumn::MISSING, |c| c.codes[r]);
            groups.entry(code).or_default().push(r);
        });
        let value_of = |code: u32| {
            (code != MetaColumn::MISSING)
                .then(|| column.map(|c| c.values[code as usize].clone()))
                .flatten()
        };
        let mut ordered: Vec<(Option<String>, Vec<usize>)> = groups
            .into_iter()
            .map(|(code, rows)| (value_of(code), rows))
            .collect();
        // Named groups first in byte order, the group lacking the key last.
        ordered.sort_by(|(a, _), (b, _)| (a.is_none(), a).cmp(&(b.is_none(), b)));
        Segments {
            key: key.clone(),
            groups: ordered
                .into_iter()
                .map(|(value, rows)| SegmentGroup {
                    value,
                    summary: summary(plan, table, &Rows::Some(&rows)),
                })
                .collect(),
        }
    });

    let buckets = options.bucket.map(|spec| {
        // Grouped by the bucket's first day; its key is formatted once per bucket, not once
        // per response.
        let mut groups: BTreeMap<NaiveDate, (DateTime<FixedOffset>, Vec<usize>)> = BTreeMap::new();
        let mut undated = 0;
        rows.for_each(|r| match table.submitted_at[r] {
            Some(at) => {
                let start = bucket_start(at, spec);
                groups
                    .entry(start)
                    .or_insert_with(|| (at, Vec::new()))
                    .1
                    .push(r);
            }
            None => undated += 1,
        });
        Buckets {
            unit: spec.unit,
            utc_offset: spec.utc_offset.to_string(),
            buckets: groups
                .into_iter()
                .map(|(start, (first, rows))| Bucket {
                    key: bucket_of(first, spec).0,
                    start,
                    summary: summary(plan, table, &Rows::Some(&rows)),
                })
                .collect(),
            undated,
        }
    });

    let comparison = match (options.from, options.to) {
        (Some(from), Some(to)) if to > from => {
            let previous_from = from - (to - from);
            let previous_rows = select_rows(
                table,
                Some(previous_from),
                Some(from),
                options.filter.as_ref(),
            )
            .expect("both bounds are set");
            let previous_rows = Rows::Some(&previous_rows);
            let previous = summary(plan, table, &previous_rows);
            let nps = overall
                .nps
                .as_ref()
                .zip(previous.nps.as_ref())
                .and_then(|(a, b)| compare_nps(a, b));
            let csat = overall
                .csat
                .as_ref()
                .zip(previous.csat.as_ref())
                .and_then(|(a, b)| compare_proportions(a.top2, a.n, b.top2, b.n));
            // The CES summary keeps no spread, so the test reads the column itself.
            let ces = plan.ces_question.and_then(|qi| {
                let ii = *plan.question_items[qi].first()?;
                let column = &table.items[ii];
                compare_means(
                    &column_stats(column, &rows),
                    &column_stats(column, &previous_rows),
                )
            });
            let composite = compare_means(&overall.composite, &previous.composite);
            Some(PeriodComparison {
                previous_from,
                previous_to: from,
                previous,
                nps,
                csat,
                ces,
                composite,
            })
        }
        _ => None,
    };

    Report {
        survey_id: survey.id.clone(),
        survey_version: survey.version,
        n: rows.len(),
        questions,
        dimensions,
        composite: overall.composite,
        nps: overall.nps,
        csat: overall.csat,
        ces: overall.ces,
        segments,
        buckets,
        comparison,
        meta_keys: table.meta.keys().cloned().collect(),
    }
}

fn question_reports(
    plan: &Plan<'_>,
    table: &ResponseTable,
    rows: &Rows,
    mask: Option<&[bool]>,
) -> OrderedMap<QuestionReport> {
    let mut out = OrderedMap::default();
    for (qi, q) in plan.questions.iter().enumerate() {
        let invalid = table.invalid[qi]
            .iter()
            .filter(|&&r| mask.is_none_or(|m| m[r as usize]))
            .count();
        let mut report = QuestionReport {
            kind: q.kind,
            n: 0,
            invalid,
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
                let mut row_reports = OrderedMap::default();
                let own = &plan.question_items[qi];
                for &ii in own {
                    let item = &plan.items[ii];
                    let stats = item_stats(&table.items[ii], &item.scale, rows);
                    row_reports.insert(item.row.clone().unwrap_or_default(), stats);
                }
                // A respondent counts once when any row of the matrix has a valid answer.
                let mut answered = 0;
                rows.for_each(|r| {
                    answered += usize::from(own.iter().any(|&ii| !table.items[ii][r].is_nan()));
                });
                report.n = answered;
                report.rows = Some(row_reports);
            }
            kind if kind.is_scaled() => {
                let ii = plan.question_items[qi][0];
                let item = &plan.items[ii];
                let column = &table.items[ii];
                let stats = item_stats(column, &item.scale, rows);
                report.n = stats.n;
                report.mean = stats.mean;
                report.sd = stats.sd;
                report.distribution = stats.distribution;
                if kind == QuestionKind::Nps {
                    report.nps = Some(NpsStats::of(column, rows));
                }
                match q.metric {
                    Some(crate::model::Metric::Csat) => {
                        report.csat = Some(CsatStats::of(column, &item.scale, rows));
                    }
                    Some(crate::model::Metric::Ces) => {
                        report.ces = Some(CesStats::of(column, &item.scale, rows));
                    }
                    _ => {}
                }
            }
            QuestionKind::SingleChoice | QuestionKind::MultiChoice => {
                let (counts, n) = table.option_counts(qi, q.kind, mask);
                report.n = n;
                report.distribution = q
                    .options
                    .iter()
                    .map(|o| {
                        let count = counts.get(o.value.as_str()).copied().unwrap_or(0);
                        Count {
                            value: serde_json::Value::from(o.value.clone()),
                            count,
                            // For multiple choice, the share of respondents who picked it.
                            pct: (n > 0).then(|| 100.0 * count as f64 / n as f64),
                        }
                    })
                    .collect();
            }
            _ => {
                report.n = table.others[qi]
                    .iter()
                    .filter(|(r, _)| mask.is_none_or(|m| m[*r as usize]))
                    .count();
            }
        }
        out.insert(q.id.clone(), report);
    }
    out
}

/// One open-text answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextAnswer {
    /// The question's id.
    pub question: String,
    pub text: String,
    // `default`: a field read by a function of its own is no longer optional by itself.
    #[serde(default, deserialize_with = "crate::time::deserialize_option")]
    pub submitted_at: Option<DateTime<FixedOffset>>,
}

/// The open-text answers that match a search, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextAnswers {
    /// How many answers match (all of them, not only those listed).
    pub total: usize,
    /// At most the requested number of them, newest first (undated ones last).
    pub answers: Vec<TextAnswer>,
}

/// A search of open-text answers that keeps only the newest `limit` matches, so it can run over
/// any number of answers offered one at a time. Answers are ordered newest first, undated ones
/// last, and among equals by the order they were offered in (their `seq`).
#[derive(Debug)]
pub struct TextSearch {
    needle: String,
    limit: usize,
    total: usize,
    /// The newest matches so far, the oldest of them on top.
    kept: std::collections::BinaryHeap<std::cmp::Reverse<Found>>,
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Found {
    // Field order is the ordering: dated before undated, then later, then offered earlier.
    dated: bool,
    at: Option<DateTime<FixedOffset>>,
    seq: std::cmp::Reverse<(u128, usize)>,
    question: String,
    text: String,
}

impl TextSearch {
    /// Matches answers containing `search`, compared case-insensitively (an empty search
    /// matches every answer).
    pub fn new(search: &str, limit: usize) -> TextSearch {
        TextSearch {
            needle: search.trim().to_lowercase(),
            limit,
            total: 0,
            kept: std::collections::BinaryHeap::new(),
        }
    }

    /// Offers one answer; `seq` (the response's position, then the question's) orders answers
    /// submitted at the same instant, smaller first.
    pub fn offer(
        &mut self,
        seq: (u128, usize),
        at: Option<DateTime<FixedOffset>>,
        question: &str,
        text: &str,
    ) {
        if !(self.needle.is_empty() || text.to_lowercase().contains(&self.needle)) {
            return;
        }
        self.total += 1;
        if self.limit == 0 {
            return;
        }
        let found = Found {
            dated: at.is_some(),
            at,
            seq: std::cmp::Reverse(seq),
            question: String::new(),
            text: String::new(),
        };
        if self.kept.len() == self.limit {
            // Full: the answer replaces the oldest kept one only if it is newer.
            let std::cmp::Reverse(oldest) = self.kept.peek().expect("limit > 0");
            if found <= *oldest {
                return;
            }
            self.kept.pop();
        }
        self.kept.push(std::cmp::Reverse(Found {
            question: question.to_owned(),
            text: text.to_owned(),
            ..found
        }));
    }

    /// Whether `limit` answers are kept: an answer offered from now on replaces one only if
    /// it is newer than the oldest kept.
    pub fn is_full(&self) -> bool {
        self.kept.len() >= self.limit
    }

    /// Whether no answer submitted at `at` can be kept any more: `limit` answers are kept, all
    /// submitted later (dated ones count as later than undated ones).
    pub fn closed_to(&self, at: Option<DateTime<FixedOffset>>) -> bool {
        self.is_full()
            && self
                .kept
                .peek()
                .is_some_and(|oldest| (oldest.0.dated, oldest.0.at) > (at.is_some(), at))
    }

    /// How many matching answers were offered so far.
    pub fn seen(&self) -> usize {
        self.total
    }

    pub fn finish(self) -> TextAnswers {
        let mut kept: Vec<Found> = self.kept.into_iter().map(|r| r.0).collect();
        kept.sort_by(|a, b| b.cmp(a));
        TextAnswers {
            total: self.total,
            answers: kept
                .into_iter()
                .map(|found| TextAnswer {
                    question: found.question,
                    text: found.text,
                    submitted_at: found.at,
                })
                .collect(),
        }
    }
}

/// The answers to text questions of the responses `options` selects (period and filter; its
/// segment and buckets do not apply) that contain `search`, compared case-insensitively (an
/// empty search matches every answer); at most `limit` are listed.
pub fn text_answers(
    plan: &Plan<'_>,
    table: &ResponseTable,
    options: &ReportOptions,
    search: &str,
    limit: usize,
) -> TextAnswers {
    let selected = select_rows(table, options.from, options.to, options.filter.as_ref());
    let mask: Option<Vec<bool>> = selected.map(|list| {
        let mut mask = vec![false; table.len()];
        list.iter().for_each(|&r| mask[r] = true);
        mask
    });
    let mut search = TextSearch::new(search, limit);
    for (qi, q) in plan.questions.iter().enumerate() {
        if q.kind != QuestionKind::Text {
            continue;
        }
        for (row, answer) in &table.others[qi] {
            let crate::model::Answer::Text(text) = answer else {
                continue;
            };
            if mask.as_ref().is_some_and(|m| !m[*row as usize]) {
                continue;
            }
            search.offer(
                (u128::from(*row), qi),
                table.submitted_at[*row as usize],
                &q.id,
                text,
            );
        }
    }
    search.finish()
}
