//! Rollups: a survey's statistics kept per time span and per segment, so that a report adds up
//! a few hundred stored aggregates instead of reading every response.
//!
//! # The rule
//! Every response counts in the **row of all responses** of the UTC quarter-hour, hour and day
//! it was submitted in, and, for each declared segment key (`Survey::segment_keys`), in the
//! rows of that key's value (or of the responses without the key) for its UTC hour and day.
//! Undated responses have a row of their own per segment row. A key's values can be many (500
//! branches), so its rows stop at the hour: quarter-hour rows of each value would hold a
//! response or two each and take more room than the responses.
//!
//! A report's period, its previous period and its time buckets are unions of such spans as long
//! as their boundaries fall on the finest grain its rows have: every `YYYY-MM-DD` bound and
//! every day, ISO week and month bucket in an offset of whole hours (+08:00, −05:00) always,
//! and in an offset of whole quarter-hours (+05:30, +05:45) when the report neither filters
//! nor breaks down by a key. The planner ([`plan_reads`]) covers each piece of a report with
//! the coarsest spans that fit, only over the UTC days that hold responses. A boundary inside
//! the finest grain (an RFC 3339 bound with minutes such as `10:07`, or such an offset) makes
//! that quarter-hour (or hour) a **streamed cell**: the report reads its responses one at a
//! time, which is at most an hour of them per boundary.
//!
//! Rollups serve filters and segments on declared keys. A filter or segment on another key,
//! or a filter on one key with a segment on another, is not in the rows; [`plan_reads`] says
//! so, and the report streams the responses instead.
//!
//! This module is pure: which rows a response counts in ([`RollupBatch`]) and which rows a
//! report reads ([`plan_reads`]). Storing and reading the rows is the server's.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Duration, FixedOffset, Months, NaiveDate, TimeZone};

use crate::aggregate::{Aggregate, Part, ScoredRow};
use crate::model::Response;
use crate::report::{BucketSpec, BucketUnit, ReportOptions, bucket_start};
use crate::score::Plan;
use crate::validate::Patterns;

/// The length of a span of time a rollup row covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Grain {
    Quarter,
    Hour,
    Day,
}

impl Grain {
    pub const ALL: [Grain; 3] = [Grain::Quarter, Grain::Hour, Grain::Day];

    /// The span's length in seconds.
    pub fn seconds(self) -> i64 {
        match self {
            Grain::Quarter => 900,
            Grain::Hour => 3_600,
            Grain::Day => 86_400,
        }
    }

    /// The number stored for this grain.
    pub fn code(self) -> i64 {
        match self {
            Grain::Quarter => 0,
            Grain::Hour => 1,
            Grain::Day => 2,
        }
    }
}

/// The code stored as the grain of a row of undated responses.
pub const UNDATED_CODE: i64 = 3;

/// When the responses of a row were submitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum When {
    /// The span of `grain` starting at `start` (Unix seconds, a multiple of the grain's length).
    Span { grain: Grain, start: i64 },
    /// Responses without `submitted_at`.
    Undated,
}

impl When {
    /// The stored columns: the grain's code and the span's start.
    pub fn columns(self) -> (i64, i64) {
        match self {
            When::Span { grain, start } => (grain.code(), start),
            When::Undated => (UNDATED_CODE, 0),
        }
    }

    /// The row's time from its stored columns; `None` for a code that is no grain.
    pub fn from_columns(code: i64, start: i64) -> Option<When> {
        let grain = match code {
            0 => Grain::Quarter,
            1 => Grain::Hour,
            2 => Grain::Day,
            UNDATED_CODE => return Some(When::Undated),
            _ => return None,
        };
        Some(When::Span { grain, start })
    }
}

/// Which responses of a time span a row holds.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Segment {
    /// All of them.
    All,
    /// Those with `value` under the `meta` key `key`, or, for `None`, those without the key.
    Key { key: String, value: Option<String> },
}

impl Segment {
    /// The stored columns: the key (empty for all responses), whether a value is present, and
    /// the value (empty when absent). Declared keys are never empty.
    pub fn columns(&self) -> (&str, bool, &str) {
        match self {
            Segment::All => ("", false, ""),
            Segment::Key { key, value } => (key, value.is_some(), value.as_deref().unwrap_or("")),
        }
    }

    /// The segment from its stored columns.
    pub fn from_columns(key: String, present: bool, value: String) -> Segment {
        if key.is_empty() {
            Segment::All
        } else {
            Segment::Key {
                key,
                value: present.then_some(value),
            }
        }
    }
}

/// The identity of a rollup row within one survey version.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RowKey {
    pub segment: Segment,
    pub when: When,
}

/// The start of the span of `grain` holding the instant `seconds`.
fn floor(seconds: i64, grain: Grain) -> i64 {
    seconds - seconds.rem_euclid(grain.seconds())
}

/// The rows a response submitted at `at` with this `meta` counts in, for the survey's
/// declared segment `keys`.
pub fn row_keys<'m>(
    at: Option<DateTime<FixedOffset>>,
    meta: impl Fn(&str) -> Option<&'m str>,
    keys: &[String],
) -> Vec<RowKey> {
    let whens = |grains: &[Grain]| -> Vec<When> {
        match at {
            None => vec![When::Undated],
            Some(at) => grains
                .iter()
                .map(|&grain| When::Span {
                    grain,
                    start: floor(at.timestamp(), grain),
                })
                .collect(),
        }
    };
    let all = whens(&Grain::ALL).into_iter().map(|when| RowKey {
        segment: Segment::All,
        when,
    });
    let keyed = whens(&[Grain::Hour, Grain::Day]);
    let by_key = keys.iter().flat_map(|key| {
        let segment = Segment::Key {
            key: key.clone(),
            value: meta(key).map(str::to_owned),
        };
        keyed.iter().map(move |&when| RowKey {
            segment: segment.clone(),
            when,
        })
    });
    all.chain(by_key).collect()
}

/// The rollup rows a batch of responses adds to (or, for deletions, takes from): each row's
/// key and the aggregate of the batch's responses in it.
#[derive(Debug)]
pub struct RollupBatch<'p> {
    plan: &'p Plan<'p>,
    keys: Vec<String>,
    patterns: Patterns,
    dimension_items: Vec<Vec<usize>>,
    rows: BTreeMap<RowKey, Aggregate>,
}

impl<'p> RollupBatch<'p> {
    pub fn new(plan: &'p Plan<'p>) -> RollupBatch<'p> {
        RollupBatch {
            plan,
            keys: plan.survey.segment_keys(),
            patterns: Patterns::new(plan.survey),
            dimension_items: (0..plan.dimensions.len())
                .map(|d| Aggregate::dimension_items(plan, d))
                .collect(),
            rows: BTreeMap::new(),
        }
    }

    /// Counts a response in its rows, scored once against the batch's plan.
    pub fn add(&mut self, response: &Response) {
        let plan = self.plan;
        let mut row = ScoredRow::new(plan);
        row.score(plan, &self.patterns, &response.answers);
        let meta = |key: &str| response.meta.get(key).map(String::as_str);
        for key in row_keys(response.submitted_at, meta, &self.keys) {
            self.rows
                .entry(key)
                .or_insert_with(|| Aggregate::new(plan))
                .add(plan, &self.dimension_items, &row);
        }
    }

    /// The rows, in key order: the order every writer locks them in, so two transactions
    /// writing the same rows never wait for each other in a circle.
    pub fn into_rows(self) -> BTreeMap<RowKey, Aggregate> {
        self.rows
    }
}

/// What a stored row is read for in a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The selected period's whole aggregate (the row's full statistics).
    Overall,
    /// The previous period's headline figures.
    Previous,
    /// A segment group's headline figures, by the row's value.
    Segments,
    /// A time bucket's headline figures, by the span's start (or the undated count).
    Buckets,
}

impl Target {
    /// Whether the read needs the row's full statistics rather than its headline.
    pub fn full(self) -> bool {
        self == Target::Overall
    }
}

impl Target {
    /// The part of the report a row read for this target goes to
    /// (`ReportBuilder::merge_stored`), given the row's time and segment.
    pub fn part(self, when: When, segment: &Segment) -> Part<'_> {
        match (self, when) {
            (Target::Overall, _) => Part::Overall,
            (Target::Previous, _) => Part::Previous,
            (Target::Segments, _) => Part::Segment(match segment {
                Segment::Key { value, .. } => value.as_deref(),
                Segment::All => None,
            }),
            (Target::Buckets, When::Span { start, .. }) => Part::Bucket(start),
            (Target::Buckets, When::Undated) => Part::Undated,
        }
    }
}

/// Which segment rows a read takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rows {
    /// One segment row.
    One(Segment),
    /// Every row of a key: each value's, and the row without the key.
    EveryValue(String),
}

/// Consecutive spans of one grain: those starting in `from..to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub grain: Grain,
    pub from: i64,
    pub to: i64,
}

/// One read of stored rows for one part of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    pub target: Target,
    pub rows: Rows,
    pub ranges: Vec<Range>,
    /// Whether the undated row is read too.
    pub undated: bool,
}

/// How to build a report from rollups: the rows to read, and the quarter-hour cells whose
/// responses are read one at a time (Unix seconds, `[start, start + 900)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadPlan {
    pub reads: Vec<Read>,
    pub streamed: Vec<i64>,
    /// The length of a streamed cell: a quarter-hour, or an hour when the report reads the
    /// rows of a segment key, which have no quarter-hours.
    pub cell: Grain,
}

/// A report's bound: on the finest grain of the rows read, or inside the streamed cell (of
/// that grain) that starts at the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Bound {
    At(i64),
    Inside(i64),
}

impl Bound {
    fn of(t: DateTime<FixedOffset>, cell: Grain) -> Bound {
        let seconds = t.timestamp();
        if t.timestamp_subsec_nanos() == 0 && seconds.rem_euclid(cell.seconds()) == 0 {
            Bound::At(seconds)
        } else {
            Bound::Inside(floor(seconds, cell))
        }
    }

    /// Where whole cells start at or after the bound.
    fn ceil(self, cell: Grain) -> i64 {
        match self {
            Bound::At(t) => t,
            Bound::Inside(start) => start + cell.seconds(),
        }
    }

    /// Where whole cells end at or before the bound.
    fn floor(self) -> i64 {
        match self {
            Bound::At(t) | Bound::Inside(t) => t,
        }
    }
}

/// The start of the next bucket after the one starting on `date`.
fn next_bucket(date: NaiveDate, unit: BucketUnit) -> NaiveDate {
    match unit {
        BucketUnit::Day => date + Duration::days(1),
        BucketUnit::Week => date + Duration::days(7),
        BucketUnit::Month => date + Months::new(1),
    }
}

/// The instant a bucket starting on `date` begins.
fn bucket_instant(date: NaiveDate, spec: BucketSpec) -> Option<DateTime<FixedOffset>> {
    spec.utc_offset
        .from_local_datetime(&date.and_hms_opt(0, 0, 0)?)
        .single()
}

/// The bucket boundaries within the UTC day starting at `day` (and at its end).
fn bucket_bounds_in_day(day: i64, spec: BucketSpec, cell: Grain, out: &mut BTreeSet<Bound>) {
    let Some(start) = DateTime::from_timestamp(day, 0) else {
        return;
    };
    let start = start.with_timezone(&spec.utc_offset);
    let mut date = bucket_start(start, spec);
    // The bucket holding the day's start begins at or before it; walk the bucket starts to
    // the day's end (at most two for a day, one per bucket otherwise).
    while let Some(at) = bucket_instant(date, spec) {
        let seconds = at.timestamp();
        if seconds > day + Grain::Day.seconds() {
            break;
        }
        if seconds >= day {
            out.insert(Bound::of(at, cell));
        }
        date = next_bucket(date, spec.unit);
        if date.year() > 9999 {
            break;
        }
    }
}

/// Plans the report of `options` from rollups, for a survey with the declared segment `keys`
/// whose dated responses lie in the UTC days starting at `days` (sorted). `None` when the
/// options need rows that are not kept: a filter or segment on an undeclared key, or a filter
/// and a segment on different keys.
pub fn plan_reads(options: &ReportOptions, keys: &[String], days: &[i64]) -> Option<ReadPlan> {
    let declared = |key: &str| keys.iter().any(|k| k == key);
    let selected = match &options.filter {
        None => Segment::All,
        Some(filter) if declared(&filter.key) => Segment::Key {
            key: filter.key.clone(),
            value: Some(filter.value.clone()),
        },
        Some(_) => return None,
    };
    let segment_rows = match (&options.segment, &options.filter) {
        (None, _) => None,
        (Some(key), _) if !declared(key) => return None,
        (Some(_), None) => Some(Rows::EveryValue(options.segment.clone()?)),
        (Some(key), Some(filter)) if *key == filter.key => Some(Rows::One(selected.clone())),
        (Some(_), Some(_)) => return None,
    };

    let cell = if selected == Segment::All && segment_rows.is_none() {
        Grain::Quarter
    } else {
        Grain::Hour
    };
    let bound = |t: DateTime<FixedOffset>| Bound::of(t, cell);
    let unbounded = options.from.is_none() && options.to.is_none();
    let period = (options.from.map(bound), options.to.map(bound));
    let previous = match (options.from, options.to) {
        (Some(from), Some(to)) if to > from => {
            Some((Some(bound(from - (to - from))), Some(bound(from))))
        }
        _ => None,
    };

    // Every boundary of every part, by UTC day: bucket starts only where there are responses.
    let mut bucket_bounds = BTreeSet::new();
    if let Some(spec) = options.bucket {
        for &day in days {
            bucket_bounds_in_day(day, spec, cell, &mut bucket_bounds);
        }
    }
    let mut streamed = BTreeSet::new();
    let period_bounds = [period.0, period.1];
    let previous_bounds = previous.map_or([None, None], |(a, b)| [a, b]);
    for bound in period_bounds
        .iter()
        .chain(&previous_bounds)
        .flatten()
        .chain(&bucket_bounds)
    {
        if let Bound::Inside(cell) = *bound {
            streamed.insert(cell);
        }
    }

    // Bucket starts inside a quarter-hour are streamed cells; the others split the cover.
    let bucket_splits: BTreeSet<i64> = bucket_bounds
        .iter()
        .filter_map(|bound| match bound {
            Bound::At(t) => Some(*t),
            Bound::Inside(_) => None,
        })
        .collect();
    let cover = |interval: (Option<Bound>, Option<Bound>), splits: &BTreeSet<i64>| {
        cover(interval, splits, &streamed, cell, days)
    };
    let none = BTreeSet::new();
    let mut reads = vec![Read {
        target: Target::Overall,
        rows: Rows::One(selected.clone()),
        ranges: cover(period, &none),
        undated: unbounded,
    }];
    if let Some(previous) = previous {
        reads.push(Read {
            target: Target::Previous,
            rows: Rows::One(selected.clone()),
            ranges: cover(previous, &none),
            undated: false,
        });
    }
    if let Some(rows) = segment_rows {
        reads.push(Read {
            target: Target::Segments,
            rows,
            ranges: cover(period, &none),
            undated: unbounded,
        });
    }
    if options.bucket.is_some() {
        reads.push(Read {
            target: Target::Buckets,
            rows: Rows::One(selected),
            ranges: cover(period, &bucket_splits),
            undated: unbounded,
        });
    }
    Some(ReadPlan {
        reads,
        streamed: streamed.into_iter().collect(),
        cell,
    })
}

/// The spans that cover the whole quarter-hours of `interval` (open ends unbounded) in the
/// given UTC `days`, split at `splits`, leaving out the `streamed` cells (of grain `cell`, the
/// finest the spans may have); grouped in ranges.
fn cover(
    interval: (Option<Bound>, Option<Bound>),
    splits: &BTreeSet<i64>,
    streamed: &BTreeSet<i64>,
    cell: Grain,
    days: &[i64],
) -> Vec<Range> {
    let lo = interval.0.map_or(i64::MIN, |b| b.ceil(cell));
    let hi = interval.1.map_or(i64::MAX, Bound::floor);
    let mut ranges: Vec<Range> = Vec::new();
    let mut push = |grain: Grain, start: i64| match ranges.last_mut() {
        Some(last) if last.grain == grain && last.to == start => last.to = start + grain.seconds(),
        _ => ranges.push(Range {
            grain,
            from: start,
            to: start + grain.seconds(),
        }),
    };
    for &day in days {
        let (a, b) = (lo.max(day), hi.min(day + Grain::Day.seconds()));
        if a >= b {
            continue;
        }
        // The day's pieces between cuts: the split bounds and streamed cells inside it.
        let mut cuts: Vec<(i64, i64)> = splits.range(a..b).map(|&t| (t, t)).collect();
        for &start in streamed.range(floor(a, cell)..b) {
            cuts.push((start, start + cell.seconds()));
        }
        cuts.sort_unstable();
        let mut t = a;
        for (cut_start, cut_end) in cuts.into_iter().chain([(b, b)]) {
            let end = cut_start.min(b);
            while t < end {
                let grain = [Grain::Day, Grain::Hour, Grain::Quarter]
                    .into_iter()
                    .find(|g| t.rem_euclid(g.seconds()) == 0 && t + g.seconds() <= end)
                    .unwrap_or(cell);
                push(grain, t);
                t += grain.seconds();
            }
            t = t.max(cut_end);
        }
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(text).unwrap()
    }

    #[test]
    fn a_day_in_another_offset_is_hours_either_side_of_the_utc_midnight() {
        let days = [
            at("2026-03-01T00:00:00Z").timestamp(),
            at("2026-03-02T00:00:00Z").timestamp(),
        ];
        let options = ReportOptions {
            from: Some(at("2026-03-02T00:00:00+08:00")),
            to: Some(at("2026-03-03T00:00:00+08:00")),
            ..ReportOptions::default()
        };
        let plan = plan_reads(&options, &[], &days).unwrap();
        assert!(plan.streamed.is_empty());
        let overall = &plan.reads[0];
        assert_eq!(overall.target, Target::Overall);
        // 16:00Z on the 1st to 16:00Z on the 2nd: 8 hours, then 16 hours, in one range.
        assert_eq!(
            overall.ranges,
            vec![Range {
                grain: Grain::Hour,
                from: at("2026-03-01T16:00:00Z").timestamp(),
                to: at("2026-03-02T16:00:00Z").timestamp(),
            }]
        );
    }

    #[test]
    fn a_bound_inside_a_quarter_hour_streams_that_cell_and_covers_the_rest() {
        let day = at("2026-03-01T00:00:00Z").timestamp();
        let options = ReportOptions {
            from: Some(at("2026-03-01T10:07:00Z")),
            ..ReportOptions::default()
        };
        let plan = plan_reads(&options, &[], &[day]).unwrap();
        assert_eq!(plan.streamed, vec![at("2026-03-01T10:00:00Z").timestamp()]);
        let q = |t: &str| at(t).timestamp();
        assert_eq!(
            plan.reads[0].ranges,
            vec![
                Range {
                    grain: Grain::Quarter,
                    from: q("2026-03-01T10:15:00Z"),
                    to: q("2026-03-01T11:00:00Z")
                },
                Range {
                    grain: Grain::Hour,
                    from: q("2026-03-01T11:00:00Z"),
                    to: q("2026-03-02T00:00:00Z")
                },
            ]
        );
        assert!(!plan.reads[0].undated);
    }

    #[test]
    fn undeclared_keys_and_mixed_keys_are_not_planned() {
        let keys = vec!["channel".to_owned(), "counter".to_owned()];
        let filter = |key: &str| {
            Some(crate::report::MetaFilter {
                key: key.to_owned(),
                value: "x".to_owned(),
            })
        };
        let with = |segment: Option<&str>, filter| ReportOptions {
            segment: segment.map(str::to_owned),
            filter,
            ..ReportOptions::default()
        };
        assert!(plan_reads(&with(Some("region"), None), &keys, &[]).is_none());
        assert!(plan_reads(&with(None, filter("region")), &keys, &[]).is_none());
        assert!(plan_reads(&with(Some("counter"), filter("channel")), &keys, &[]).is_none());
        let same = plan_reads(&with(Some("channel"), filter("channel")), &keys, &[]).unwrap();
        assert_eq!(
            same.reads[1].rows,
            Rows::One(Segment::Key {
                key: "channel".into(),
                value: Some("x".into())
            })
        );
    }
}
