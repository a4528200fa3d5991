//! Targets staff set for a survey (a metric, the value to reach, the deadline) and how far a
//! report is from each.
//!
//! Every metric here is better when higher, so a target is met once the current value reaches
//! it. Today's date is an argument: the core reads no clock.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::report::Report;
use crate::validate::Problem;

/// The headline figure a target is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum TargetMetric {
    /// Net Promoter Score, −100..100.
    Nps,
    /// CSAT top-2-box share, 0..100 %.
    Csat,
    /// CES 2.0 mean, 1..7.
    Ces,
    /// The weighted composite index, 0..100.
    Composite,
    /// The number of responses in the period.
    Responses,
}

impl TargetMetric {
    /// Every metric, in the order the dashboard lists them.
    pub const ALL: [TargetMetric; 5] = [
        TargetMetric::Nps,
        TargetMetric::Csat,
        TargetMetric::Ces,
        TargetMetric::Composite,
        TargetMetric::Responses,
    ];

    /// The metric's lowest and highest possible values (no upper bound for responses).
    pub fn bounds(self) -> (f64, f64) {
        match self {
            TargetMetric::Nps => (-100.0, 100.0),
            TargetMetric::Csat | TargetMetric::Composite => (0.0, 100.0),
            TargetMetric::Ces => (1.0, 7.0),
            TargetMetric::Responses => (0.0, f64::INFINITY),
        }
    }

    /// The metric's current value in `report`, when the survey has it and it can be computed.
    pub fn value(self, report: &Report) -> Option<f64> {
        match self {
            TargetMetric::Nps => report.nps.as_ref()?.score,
            TargetMetric::Csat => report.csat.as_ref()?.top2_pct,
            TargetMetric::Ces => report.ces.as_ref()?.mean,
            TargetMetric::Composite => report.composite.mean,
            TargetMetric::Responses => Some(report.n as f64),
        }
    }

    /// The name used in JSON, such as `nps`.
    pub fn key(self) -> &'static str {
        match self {
            TargetMetric::Nps => "nps",
            TargetMetric::Csat => "csat",
            TargetMetric::Ces => "ces",
            TargetMetric::Composite => "composite",
            TargetMetric::Responses => "responses",
        }
    }
}

/// A value to reach by a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Target {
    pub metric: TargetMetric,
    /// The value to reach, on the metric's own scale.
    pub target: f64,
    /// The last day to reach it.
    pub deadline: NaiveDate,
}

/// The most targets one survey keeps.
pub const MAX_TARGETS: usize = 50;

/// Every problem of a list of targets, with JSON paths from `$` (the list itself): a value
/// outside the metric's range, a fractional response count, too many targets.
pub fn validate_targets(targets: &[Target]) -> Vec<Problem> {
    let mut problems = Vec::new();
    if targets.len() > MAX_TARGETS {
        problems.push(Problem {
            path: "$".to_owned(),
            message: format!("at most {MAX_TARGETS} targets, not {}", targets.len()),
        });
    }
    for (i, t) in targets.iter().enumerate() {
        let (low, high) = t.metric.bounds();
        let path = format!("$[{i}].target");
        if !t.target.is_finite() || t.target < low || t.target > high {
            let range = if high.is_finite() {
                format!("{low} to {high}")
            } else {
                format!("at least {low}")
            };
            problems.push(Problem {
                path,
                message: format!("a {} target is {range}", t.metric.key()),
            });
        } else if t.metric == TargetMetric::Responses && t.target.fract() != 0.0 {
            problems.push(Problem {
                path,
                message: "a responses target is a whole number".to_owned(),
            });
        }
    }
    problems
}

/// Where a report stands against a target on a given day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// The metric's value in the report, `None` when it cannot be computed.
    pub current: Option<f64>,
    /// Whether the current value reaches the target.
    pub met: bool,
    /// How much is still missing (target − current, never negative).
    pub gap: Option<f64>,
    /// The share of the way from the metric's lowest value to the target, 0..1.
    pub share: Option<f64>,
    /// Days from `today` to the deadline (negative once it has passed).
    pub days_left: i64,
}

/// How far `report` is from `target` on `today`.
pub fn progress(target: &Target, report: &Report, today: NaiveDate) -> Progress {
    let current = target.metric.value(report);
    let (low, _) = target.metric.bounds();
    let share = current.map(|c| {
        if target.target <= low {
            1.0
        } else {
            ((c - low) / (target.target - low)).clamp(0.0, 1.0)
        }
    });
    Progress {
        current,
        met: current.is_some_and(|c| c >= target.target),
        gap: current.map(|c| (target.target - c).max(0.0)),
        share,
        days_left: (target.deadline - today).num_days(),
    }
}
