//! Follow-up cases: the statuses a case goes through and which changes are allowed, its
//! timeline, the times the loop is measured by, and the loop figures of a period
//! (`docs/domain.md`, "Closing the loop").
//!
//! A case is opened by the server when a response fires an alert rule ([`crate::alerts`]),
//! then staff act on it: notes, assignments, status changes, each an event with who and when.
//! Everything here is a function of the events and of the times passed in: the core reads no
//! clock, so "now" is an argument wherever overdue matters.
//!
//! # Statuses
//!
//! ```text
//! open        → in_progress, resolved, closed
//! in_progress → resolved, closed
//! resolved    → in_progress (reopened)
//! closed      → in_progress (reopened)
//! ```
//!
//! `open` is a case nobody has acted on; `in_progress` one being worked; `resolved` one whose
//! cause was dealt with; `closed` one ended without that (the customer could not be reached, a
//! duplicate, nothing to act on). A case may end from `open` directly (a call that settles
//! it), and both ends need a resolution text, so the timeline always says how a case ended.
//! Either end may be **reopened to `in_progress`**, never to `open`: a customer who calls back
//! is a real need, and a reopened case has been acted on, so `open` keeps meaning "untouched"
//! and the time to first action stays the first one. A reopened case is no longer counted as
//! resolved until it is resolved again, and then at that later time.
//!
//! # What the loop is measured by
//!
//! - **First action**: the first event after the opening (a note, an assignment or a status
//!   change). The owner a rule gives at opening is not an action.
//! - **Resolution**: the time of the last change to `resolved`, for a case that is resolved now.
//! - **Within the service level**: resolved at or before the due time, which is the opening
//!   plus the service hours ([`due_at`]).
//! - **Overdue**: not ended (open or in progress) and past the due time at the given instant.
//! - **Contacted**: a note marked as a conversation with the customer. A case whose respondent
//!   did not agree to be contacted carries no contact details but may still be contacted
//!   another way, and says so the same way.
//!
//! Durations are in seconds, from the opening, never negative: the server's clock stamps the
//! events, and one stepped back must not make a case look acted on before it opened.
//!
//! # Loop figures
//!
//! [`LoopFiguresBuilder`] takes cases one at a time. Every figure of a period is about the
//! **cases opened in the period** (`from` ≤ opened < `to`), as they stand at `as_of`: each case
//! counts in one period, and the figures of a period describe the same cases, so the rates
//! and medians of a period can be compared with each other. A recent period's figures still
//! move as its cases are worked, which the `n` of each figure shows. Open and overdue counts by
//! owner are the exception: they are the backlog at `as_of`, every case not ended whatever its
//! opening, because that is what an owner has to act on.
//!
//! - complaint rate = cases opened ÷ responses received in the period, in percent;
//! - resolved, closed: cases of the period that are resolved, or closed, at `as_of`;
//! - median time to first action over the cases of the period acted on, with their n;
//! - median time to resolution over the cases of the period resolved, with their n;
//! - within service level = resolved within it ÷ resolved, in percent;
//! - closed-loop rate = resolved and contacted ÷ opened, in percent;
//! - by owner: open and overdue cases (no owner: unassigned).
//!
//! A median is the middle value, or the mean of the two middle values for an even count
//! (R's `median`, PostgreSQL's `percentile_cont(0.5)`), so a server that computes medians in
//! SQL gets the same numbers. A rate whose denominator is 0 is `None`, never 0.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, TimeDelta};
use serde::{Deserialize, Serialize};

use crate::limits::{MAX_CASE_TEXT_LENGTH, MAX_OWNER_LENGTH};

/// A point in time, as the formats carry it.
pub type Instant = DateTime<FixedOffset>;

/// Where a case stands (see the module's documentation for the allowed changes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum CaseStatus {
    Open,
    InProgress,
    Resolved,
    Closed,
}

impl CaseStatus {
    /// Every status, in the order a case goes through them.
    pub const ALL: [CaseStatus; 4] = [
        CaseStatus::Open,
        CaseStatus::InProgress,
        CaseStatus::Resolved,
        CaseStatus::Closed,
    ];

    /// The name used in JSON, such as `in_progress`.
    pub fn key(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::InProgress => "in_progress",
            CaseStatus::Resolved => "resolved",
            CaseStatus::Closed => "closed",
        }
    }

    /// The status of a JSON name.
    pub fn from_key(key: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|s| s.key() == key)
    }

    /// Whether the case has ended: resolved or closed.
    pub fn is_ended(self) -> bool {
        matches!(self, CaseStatus::Resolved | CaseStatus::Closed)
    }

    /// Whether a case in this status may change to `to`: forward from `open` to any other,
    /// from `in_progress` to an end, and from an end back to `in_progress` (reopening). Never
    /// to itself and never back to `open`.
    pub fn can_become(self, to: CaseStatus) -> bool {
        use CaseStatus::*;
        matches!(
            (self, to),
            (Open, InProgress | Resolved | Closed)
                | (InProgress, Resolved | Closed)
                | (Resolved | Closed, InProgress)
        )
    }
}

impl std::fmt::Display for CaseStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

/// One entry of a case's timeline: what happened, who did it, when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseEvent {
    #[serde(deserialize_with = "crate::time::deserialize")]
    pub at: Instant,
    /// Who: a staff token's name, or `manyi` for what the server does itself (the opening).
    pub by: String,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// What happened to a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// The server opened the case for a response; always the first event.
    Opened {
        /// The owner the rules gave, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        owner: Option<String>,
        /// The opening plus the shortest service level of the rules that fired ([`due_at`]).
        #[serde(deserialize_with = "crate::time::deserialize")]
        due_at: Instant,
    },
    /// A note; `contacted` when it records a conversation with the customer.
    Note {
        text: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        contacted: bool,
    },
    /// The case was given to an owner, or (`None`) made unassigned.
    Assigned {
        #[serde(default)]
        owner: Option<String>,
    },
    /// The status changed; a change to `resolved` or `closed` says how in `resolution`.
    StatusChanged {
        from: CaseStatus,
        to: CaseStatus,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resolution: Option<String>,
    },
}

/// Why an event cannot be recorded on a case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    /// A timeline must start with the opening.
    #[error("a case's timeline starts with its opening")]
    NotOpened,
    /// An opening after the first event.
    #[error("the case is already open; it is opened once")]
    AlreadyOpened,
    /// A status change from a status the case is no longer in: someone changed it meanwhile.
    #[error("the case is {current} now, not {from}")]
    Stale {
        from: CaseStatus,
        current: CaseStatus,
    },
    /// A change the statuses do not allow.
    #[error("a case that is {from} cannot become {to}")]
    NotAllowed { from: CaseStatus, to: CaseStatus },
    /// A change to `resolved` or `closed` without a resolution text.
    #[error("say how the case ended: a case becomes {to} with a resolution")]
    ResolutionRequired { to: CaseStatus },
    /// A resolution text on a change to `in_progress`.
    #[error("only a change to resolved or closed has a resolution")]
    UnexpectedResolution,
    /// An assignment to the owner the case already has.
    #[error("the case already has this owner")]
    SameOwner,
    /// An empty note, resolution or owner.
    #[error("the {what} is empty")]
    Empty { what: &'static str },
    /// A note, resolution or owner over its limit.
    #[error("a {what} is at most {max} characters")]
    TooLong { what: &'static str, max: usize },
}

/// When a case opened at `opened_at` with a service level of `service_hours` is due.
pub fn due_at(opened_at: Instant, service_hours: u32) -> Instant {
    opened_at + TimeDelta::hours(i64::from(service_hours))
}

/// Seconds from `start` to `end`, 0 when `end` is earlier.
pub fn seconds_between(start: Instant, end: Instant) -> f64 {
    let delta = end - start;
    if delta <= TimeDelta::zero() {
        return 0.0;
    }
    delta.num_seconds() as f64 + f64::from(delta.subsec_nanos()) / 1e9
}

/// What the loop needs to know of a case, folded from its timeline one event at a time (the
/// server keeps these as the case's columns, so the inbox filters and the figures read them
/// without the timeline).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseFacts {
    #[serde(deserialize_with = "crate::time::deserialize")]
    pub opened_at: Instant,
    #[serde(deserialize_with = "crate::time::deserialize")]
    pub due_at: Instant,
    pub status: CaseStatus,
    #[serde(default)]
    pub owner: Option<String>,
    /// The first note, assignment or status change after the opening.
    #[serde(default, deserialize_with = "crate::time::deserialize_option")]
    pub first_action_at: Option<Instant>,
    /// When the case last became resolved or closed; absent while it is not ended (reopening
    /// clears it).
    #[serde(default, deserialize_with = "crate::time::deserialize_option")]
    pub ended_at: Option<Instant>,
    /// How the case ended, while it is ended.
    #[serde(default)]
    pub resolution: Option<String>,
    /// Whether any note records a conversation with the customer.
    #[serde(default)]
    pub contacted: bool,
}

/// A text of a note, a resolution or an owner, checked: not blank, within `max` characters.
fn check_text(what: &'static str, text: &str, max: usize) -> Result<(), CaseError> {
    if text.trim().is_empty() {
        Err(CaseError::Empty { what })
    } else if text.chars().count() > max {
        Err(CaseError::TooLong { what, max })
    } else {
        Ok(())
    }
}

impl CaseFacts {
    /// A case as its opening event makes it.
    pub fn open(event: &CaseEvent) -> Result<CaseFacts, CaseError> {
        let EventKind::Opened { owner, due_at } = &event.kind else {
            return Err(CaseError::NotOpened);
        };
        Ok(CaseFacts {
            opened_at: event.at,
            due_at: *due_at,
            status: CaseStatus::Open,
            owner: owner.clone(),
            first_action_at: None,
            ended_at: None,
            resolution: None,
            contacted: false,
        })
    }

    /// A case folded from its whole timeline, which starts with the opening.
    pub fn from_timeline(events: &[CaseEvent]) -> Result<CaseFacts, CaseError> {
        let (first, rest) = events.split_first().ok_or(CaseError::NotOpened)?;
        let mut facts = CaseFacts::open(first)?;
        for event in rest {
            facts.apply(event)?;
        }
        Ok(facts)
    }

    /// Records a staff event on the case, or says why it cannot be: a status change the
    /// statuses do not allow, or one from a status the case has left; an end without a
    /// resolution; an empty or over-long text; an assignment that changes nothing, which would
    /// otherwise count as a first action. Nothing changes when it fails.
    pub fn apply(&mut self, event: &CaseEvent) -> Result<(), CaseError> {
        match &event.kind {
            EventKind::Opened { .. } => return Err(CaseError::AlreadyOpened),
            EventKind::Note { text, contacted } => {
                check_text("note", text, MAX_CASE_TEXT_LENGTH)?;
                self.contacted |= contacted;
            }
            EventKind::Assigned { owner } => {
                if let Some(owner) = owner {
                    check_text("owner", owner, MAX_OWNER_LENGTH)?;
                }
                if *owner == self.owner {
                    return Err(CaseError::SameOwner);
                }
                self.owner = owner.clone();
            }
            EventKind::StatusChanged {
                from,
                to,
                resolution,
            } => {
                if *from != self.status {
                    return Err(CaseError::Stale {
                        from: *from,
                        current: self.status,
                    });
                }
                if !from.can_become(*to) {
                    return Err(CaseError::NotAllowed {
                        from: *from,
                        to: *to,
                    });
                }
                match (to.is_ended(), resolution) {
                    (true, None) => return Err(CaseError::ResolutionRequired { to: *to }),
                    (true, Some(text)) => check_text("resolution", text, MAX_CASE_TEXT_LENGTH)?,
                    (false, Some(_)) => return Err(CaseError::UnexpectedResolution),
                    (false, None) => {}
                }
                self.status = *to;
                self.ended_at = to.is_ended().then_some(event.at);
                self.resolution = resolution.clone();
            }
        }
        self.first_action_at.get_or_insert(event.at);
        Ok(())
    }

    /// Seconds from the opening to the first action, once there is one.
    pub fn time_to_first_action(&self) -> Option<f64> {
        Some(seconds_between(self.opened_at, self.first_action_at?))
    }

    /// Seconds from the opening to the resolution, for a case resolved now.
    pub fn time_to_resolution(&self) -> Option<f64> {
        Some(seconds_between(self.opened_at, self.resolved_at()?))
    }

    /// When the case was resolved, if it is resolved now.
    pub fn resolved_at(&self) -> Option<Instant> {
        self.ended_at
            .filter(|_| self.status == CaseStatus::Resolved)
    }

    /// For a case resolved now, whether it was resolved at or before its due time.
    pub fn within_service_level(&self) -> Option<bool> {
        Some(self.resolved_at()? <= self.due_at)
    }

    /// Whether the case is not ended and past its due time at `now`.
    pub fn is_overdue(&self, now: Instant) -> bool {
        !self.status.is_ended() && now > self.due_at
    }
}

/// The median of `values` (the mean of the two middle ones for an even count); `None` for
/// none. Sorts `values` in place.
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    })
}

/// A median duration and how many cases it is over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MedianDuration {
    pub n: u64,
    /// In seconds; `None` when `n` is 0.
    pub median_seconds: Option<f64>,
}

/// One owner's backlog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OwnerLoad {
    /// `None` for the unassigned cases.
    pub owner: Option<String>,
    /// Cases not ended (open or in progress).
    pub open: u64,
    /// Of those, the ones past their due time.
    pub overdue: u64,
}

/// The loop figures of a period (see the module's documentation for each definition).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LoopFigures {
    /// The period's first instant.
    #[serde(deserialize_with = "crate::time::deserialize")]
    pub from: Instant,
    /// The instant after the period.
    #[serde(deserialize_with = "crate::time::deserialize")]
    pub to: Instant,
    /// The instant the cases are taken as they stand, and overdue is judged at.
    #[serde(deserialize_with = "crate::time::deserialize")]
    pub as_of: Instant,
    /// Responses received in the period.
    pub responses: u64,
    /// Cases opened in the period.
    pub opened: u64,
    /// Of those, the ones resolved at `as_of`.
    pub resolved: u64,
    /// Of those, the ones closed (ended without a resolution of the cause) at `as_of`.
    pub closed: u64,
    /// opened ÷ responses, in percent.
    pub complaint_pct: Option<f64>,
    /// From opening to the first action, over the cases acted on.
    pub first_action: MedianDuration,
    /// From opening to resolution, over the cases resolved.
    pub resolution: MedianDuration,
    /// Resolved at or before the due time ÷ resolved, in percent.
    pub within_service_level_pct: Option<f64>,
    /// Resolved with the customer contacted ÷ opened, in percent.
    pub closed_loop_pct: Option<f64>,
    /// The backlog at `as_of` by owner, unassigned first, then by owner's name.
    pub owners: Vec<OwnerLoad>,
}

/// The loop figures of a period, from cases given one at a time. It holds counters, one
/// backlog entry per owner, and the durations the two medians need (one number per case of
/// the period acted on, and per case resolved): nothing else grows with the cases.
///
/// Give it every case opened in the period and every case not ended (the backlog); any other
/// case changes nothing, so giving it every case is also right.
#[derive(Debug, Clone)]
pub struct LoopFiguresBuilder {
    from: Instant,
    to: Instant,
    as_of: Instant,
    opened: u64,
    resolved: u64,
    closed: u64,
    within: u64,
    closed_loop: u64,
    first_action: Vec<f64>,
    resolution: Vec<f64>,
    owners: BTreeMap<Option<String>, (u64, u64)>,
}

impl LoopFiguresBuilder {
    /// Figures for cases opened from `from` (included) to `to` (excluded), as they stand at
    /// `as_of`.
    pub fn new(from: Instant, to: Instant, as_of: Instant) -> LoopFiguresBuilder {
        LoopFiguresBuilder {
            from,
            to,
            as_of,
            opened: 0,
            resolved: 0,
            closed: 0,
            within: 0,
            closed_loop: 0,
            first_action: Vec::new(),
            resolution: Vec::new(),
            owners: BTreeMap::new(),
        }
    }

    /// Counts one case.
    pub fn add(&mut self, case: &CaseFacts) {
        if !case.status.is_ended() {
            let (open, overdue) = self.owners.entry(case.owner.clone()).or_default();
            *open += 1;
            *overdue += u64::from(case.is_overdue(self.as_of));
        }
        if case.opened_at < self.from || case.opened_at >= self.to {
            return;
        }
        self.opened += 1;
        match case.status {
            CaseStatus::Resolved => self.resolved += 1,
            CaseStatus::Closed => self.closed += 1,
            _ => {}
        }
        if let Some(seconds) = case.time_to_first_action() {
            self.first_action.push(seconds);
        }
        if let Some(seconds) = case.time_to_resolution() {
            self.resolution.push(seconds);
        }
        self.within += u64::from(case.within_service_level() == Some(true));
        self.closed_loop += u64::from(case.status == CaseStatus::Resolved && case.contacted);
    }

    /// The figures, with the number of responses received in the period.
    pub fn finish(mut self, responses: u64) -> LoopFigures {
        let pct = |part: u64, whole: u64| (whole > 0).then(|| 100.0 * part as f64 / whole as f64);
        let durations = |values: &mut Vec<f64>| MedianDuration {
            n: values.len() as u64,
            median_seconds: median(values),
        };
        LoopFigures {
            from: self.from,
            to: self.to,
            as_of: self.as_of,
            responses,
            opened: self.opened,
            resolved: self.resolved,
            closed: self.closed,
            complaint_pct: pct(self.opened, responses),
            first_action: durations(&mut self.first_action),
            resolution: durations(&mut self.resolution),
            within_service_level_pct: pct(self.within, self.resolved),
            closed_loop_pct: pct(self.closed_loop, self.opened),
            owners: self
                .owners
                .into_iter()
                .map(|(owner, (open, overdue))| OwnerLoad {
                    owner,
                    open,
                    overdue,
                })
                .collect(),
        }
    }
}

/// The loop figures of the cases opened from `from` to `to` (excluded), at `as_of`, with the
/// responses received in the period: [`LoopFiguresBuilder`] over `cases`.
pub fn loop_figures<'a>(
    cases: impl IntoIterator<Item = &'a CaseFacts>,
    from: Instant,
    to: Instant,
    as_of: Instant,
    responses: u64,
) -> LoopFigures {
    let mut builder = LoopFiguresBuilder::new(from, to, as_of);
    for case in cases {
        builder.add(case);
    }
    builder.finish(responses)
}
