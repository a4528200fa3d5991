//! Closing the loop: a survey's alert rules, the follow-up cases they open, the inbox's query
//! and pages, the changes staff make to a case, and the loop figures' query.
//!
//! The rules, the statuses and their changes, the timeline and the figures' definitions are the
//! core's (`manyi_core::alerts`, `manyi_core::cases`); this module is how they cross HTTP. What
//! a newer server may extend is open here ([`CaseStatus`], [`CaseEventKind`], [`ContactMethod`]),
//! so an older app still reads its inbox; what the app sends ([`CaseUpdate`]) uses the core's
//! closed enumerations, so a server refuses a change it does not know.

use chrono::{DateTime, FixedOffset, SecondsFormat};
use manyi_core::alerts::{AlertRule, FiredRule, Severity};
use manyi_core::cases::{self as core, CaseError, EventKind};
use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;
use crate::query::{QueryError, parse_instant, parse_offset, query_string};
use crate::string_enum::string_enum;

/// A survey's alert rules, kept with its settings as its targets are: the body that replaces
/// the list (an empty list removes every rule) and the reply that reads it, in the order staff
/// gave them, which is the order a case's owner is taken in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertRules {
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<crate::openapi::AlertRuleSchema>, example = json!([{"id": "detractor", "name": "贬损者回访", "when": "nps <= 6", "severity": "high", "owner": {"meta": "location"}, "service_hours": 24}])))]
    pub rules: Vec<AlertRule>,
}

string_enum! {
    /// Where a case stands: `open` (nobody has acted on it), `in_progress`, `resolved` (the
    /// cause was dealt with) or `closed` (ended without that).
    pub enum CaseStatus {
        Open = "open",
        InProgress = "in_progress",
        Resolved = "resolved",
        Closed = "closed",
    }
}

impl CaseStatus {
    /// The core's status, when this build knows the value.
    pub fn known(&self) -> Option<core::CaseStatus> {
        core::CaseStatus::from_key(self.as_str())
    }
}

impl From<core::CaseStatus> for CaseStatus {
    fn from(status: core::CaseStatus) -> CaseStatus {
        CaseStatus::from(status.key())
    }
}

string_enum! {
    /// How the customer agreed to be contacted.
    pub enum ContactMethod {
        Phone = "phone",
        Email = "email",
    }
}

/// The customer's contact, on a case whose respondent agreed to be contacted; a case without
/// that consent carries none (the team still acts on the cause).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contact {
    pub method: ContactMethod,
    /// The phone number or e-mail address, as the respondent gave it.
    pub value: String,
}

string_enum! {
    /// What an entry of a case's timeline records: `opened` (by the server, with the owner the
    /// rules gave and the due time), `note` (with `text`, and `contacted` when it records a
    /// conversation with the customer), `assigned` (`owner`, absent for unassigned) or
    /// `status_changed` (`from`, `to`, and `resolution` for an end).
    pub enum CaseEventKind {
        Opened = "opened",
        Note = "note",
        Assigned = "assigned",
        StatusChanged = "status_changed",
    }
}

/// One entry of a case's timeline. The fields after `kind` are those of its kind, absent for
/// the others, so a kind a newer server adds still reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseEvent {
    #[serde(deserialize_with = "manyi_core::time::deserialize")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: DateTime<FixedOffset>,
    /// Who: a staff token's name, or `manyi` for the server itself.
    pub by: String,
    pub kind: CaseEventKind,
    /// `note`: the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// `note`: whether it records a conversation with the customer.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub contacted: bool,
    /// `opened`, `assigned`: the owner; absent for none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// `opened`: when the case is due.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "manyi_core::time::deserialize_option"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub due_at: Option<DateTime<FixedOffset>>,
    /// `status_changed`: the status before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<CaseStatus>,
    /// `status_changed`: the status after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<CaseStatus>,
    /// `status_changed` to `resolved` or `closed`: how the case ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
}

impl From<&core::CaseEvent> for CaseEvent {
    fn from(event: &core::CaseEvent) -> CaseEvent {
        let blank = CaseEvent {
            at: event.at,
            by: event.by.clone(),
            kind: CaseEventKind::Note,
            text: None,
            contacted: false,
            owner: None,
            due_at: None,
            from: None,
            to: None,
            resolution: None,
        };
        match &event.kind {
            EventKind::Opened { owner, due_at } => CaseEvent {
                kind: CaseEventKind::Opened,
                owner: owner.clone(),
                due_at: Some(*due_at),
                ..blank
            },
            EventKind::Note { text, contacted } => CaseEvent {
                kind: CaseEventKind::Note,
                text: Some(text.clone()),
                contacted: *contacted,
                ..blank
            },
            EventKind::Assigned { owner } => CaseEvent {
                kind: CaseEventKind::Assigned,
                owner: owner.clone(),
                ..blank
            },
            EventKind::StatusChanged {
                from,
                to,
                resolution,
            } => CaseEvent {
                kind: CaseEventKind::StatusChanged,
                from: Some((*from).into()),
                to: Some((*to).into()),
                resolution: resolution.clone(),
                ..blank
            },
        }
    }
}

/// A case in the inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseSummary {
    /// Made by the server.
    pub id: String,
    pub survey_id: String,
    /// The response that opened the case (one case per response at most).
    pub response_id: String,
    pub status: CaseStatus,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::SeveritySchema))]
    pub severity: Severity,
    /// Absent while the case is unassigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The response's `meta` value under `location`, if it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The rules that opened the case, in their list's order.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<crate::openapi::FiredRuleSchema>))]
    pub rules: Vec<FiredRule>,
    #[serde(deserialize_with = "manyi_core::time::deserialize")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub opened_at: DateTime<FixedOffset>,
    #[serde(deserialize_with = "manyi_core::time::deserialize")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub due_at: DateTime<FixedOffset>,
    /// Not ended and past `due_at` when the reply was made.
    pub overdue: bool,
    /// Whether the case carries the customer's contact.
    pub has_contact: bool,
}

/// A case with its timeline: the reply that reads one case, and the reply to a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Case {
    #[serde(flatten)]
    pub summary: CaseSummary,
    /// The first note, assignment or status change.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "manyi_core::time::deserialize_option"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub first_action_at: Option<DateTime<FixedOffset>>,
    /// When the case last became resolved or closed, while it is.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "manyi_core::time::deserialize_option"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub ended_at: Option<DateTime<FixedOffset>>,
    /// How the case ended, while it is ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
    /// Whether a note records a conversation with the customer.
    pub contacted: bool,
    /// The customer's contact, when the respondent agreed to be contacted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    /// The timeline, oldest first; it starts with `opened`.
    pub events: Vec<CaseEvent>,
}

/// `GET /api/v1/cases/{id}`: a case with the response that opened it and the scores the
/// server computed for that response, so whoever handles it sees what the customer said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseView {
    #[serde(flatten)]
    pub case: Case,
    /// Absent when the response was deleted since (the case and its timeline stay).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::openapi::ResponseSchema>))]
    pub response: Option<manyi_core::Response>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::openapi::ResponseScoresSchema>))]
    pub scores: Option<manyi_core::ResponseScores>,
}

/// One change staff make to a case, recorded as an event with the token's name and the
/// server's time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CaseUpdate {
    /// Give the case to an owner, or (no `owner`) make it unassigned.
    Assign {
        #[serde(default)]
        owner: Option<String>,
    },
    /// Change the status. `resolution` says how a case ended, and is required for `resolved`
    /// and `closed` (only for those). With `from`, the change is refused (`case_conflict`)
    /// when the case has meanwhile left that status, so two people do not both act on it.
    Status {
        #[cfg_attr(feature = "openapi", schema(value_type = CaseStatus))]
        to: core::CaseStatus,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "openapi", schema(value_type = Option<CaseStatus>))]
        from: Option<core::CaseStatus>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resolution: Option<String>,
    },
    /// Add a note; `contacted` when it records a conversation with the customer.
    Note {
        text: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        contacted: bool,
    },
}

impl CaseUpdate {
    /// The event this update records on a case whose status is `current`; the core's
    /// `CaseFacts::apply` then accepts or refuses it.
    pub fn into_event(self, current: core::CaseStatus) -> EventKind {
        match self {
            CaseUpdate::Assign { owner } => EventKind::Assigned { owner },
            CaseUpdate::Status {
                to,
                from,
                resolution,
            } => EventKind::StatusChanged {
                from: from.unwrap_or(current),
                to,
                resolution,
            },
            CaseUpdate::Note { text, contacted } => EventKind::Note { text, contacted },
        }
    }
}

/// The error code of a change the core refuses: `case_conflict` (409) for a change the case's
/// status does not allow now (including one from a status it has left, and an assignment to
/// the owner it has), `invalid_case_update` (422) for a change no case takes (an empty or
/// over-long text, an end without a resolution, a resolution on a change to `in_progress`).
/// The opening errors never come from a client; they are `internal`.
pub fn case_error_code(error: &CaseError) -> ErrorCode {
    match error {
        CaseError::Stale { .. } | CaseError::NotAllowed { .. } | CaseError::SameOwner => {
            ErrorCode::CaseConflict
        }
        CaseError::ResolutionRequired { .. }
        | CaseError::UnexpectedResolution
        | CaseError::Empty { .. }
        | CaseError::TooLong { .. } => ErrorCode::InvalidCaseUpdate,
        CaseError::NotOpened | CaseError::AlreadyOpened => ErrorCode::Internal,
    }
}

/// The largest page of cases one request reads.
pub const MAX_CASE_PAGE: u32 = 200;
/// The page size when none is asked for.
pub const DEFAULT_CASE_PAGE: u32 = 50;

/// The inbox's query: cases most urgent first (by due time, then by id), a page at a time.
/// Every filter is optional; those given all apply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct CaseQuery {
    /// Only this survey's cases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survey: Option<String>,
    /// Only cases in these statuses, separated by commas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(example = "open,in_progress"))]
    pub status: Option<String>,
    /// Only this owner's cases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// `true`: only unassigned cases (not with `owner`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unassigned: Option<bool>,
    /// Only cases whose response's `meta` has this `location`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// `true`: only overdue cases; `false`: only cases that are not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overdue: Option<bool>,
    /// The cases after this one (the previous page's `next`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// How many cases (1–200; default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// Whose cases a [`CaseQuery`] asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnerFilter {
    Owner(String),
    Unassigned,
}

impl CaseQuery {
    /// The statuses asked for; empty for every status.
    pub fn statuses(&self) -> Result<Vec<core::CaseStatus>, QueryError> {
        let Some(text) = &self.status else {
            return Ok(Vec::new());
        };
        text.split(',')
            .map(|name| {
                core::CaseStatus::from_key(name.trim()).ok_or_else(|| {
                    QueryError(format!(
                        "status {name:?} is none of open, in_progress, resolved, closed"
                    ))
                })
            })
            .collect()
    }

    /// Whose cases are asked for, if anyone's in particular.
    pub fn owner_filter(&self) -> Result<Option<OwnerFilter>, QueryError> {
        match (&self.owner, self.unassigned) {
            (Some(_), Some(true)) => Err(QueryError(
                "owner and unassigned=true exclude each other".to_owned(),
            )),
            (Some(owner), _) => Ok(Some(OwnerFilter::Owner(owner.clone()))),
            (None, Some(true)) => Ok(Some(OwnerFilter::Unassigned)),
            (None, _) => Ok(None),
        }
    }

    /// The page size asked for, within 1–[`MAX_CASE_PAGE`].
    pub fn page_size(&self) -> Result<u32, QueryError> {
        match self.limit {
            None => Ok(DEFAULT_CASE_PAGE),
            Some(n @ 1..=MAX_CASE_PAGE) => Ok(n),
            Some(n) => Err(QueryError(format!(
                "limit must be between 1 and {MAX_CASE_PAGE}, not {n}"
            ))),
        }
    }

    /// Where the page starts: after the case `after` names.
    pub fn cursor(&self) -> Result<Option<CaseCursor>, QueryError> {
        self.after.as_deref().map(CaseCursor::parse).transpose()
    }

    /// The query as the app sends it (without `?`), read back by the server's deserialisation
    /// of this type.
    pub fn to_query_string(&self) -> String {
        let flag = |b: Option<bool>| b.map(|b| if b { "true" } else { "false" });
        let limit = self.limit.map(|n| n.to_string());
        query_string(&[
            ("survey", self.survey.as_deref()),
            ("status", self.status.as_deref()),
            ("owner", self.owner.as_deref()),
            ("unassigned", flag(self.unassigned)),
            ("location", self.location.as_deref()),
            ("overdue", flag(self.overdue)),
            ("after", self.after.as_deref()),
            ("limit", limit.as_deref()),
        ])
    }
}

/// Where a page of the inbox ends: the last case's due time and id, the key the inbox is
/// sorted by. Its text (`next`, then `after`) is the due time in UTC with every digit of its
/// fraction, `~`, and the id; clients pass it back without reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseCursor {
    pub due_at: DateTime<FixedOffset>,
    pub id: String,
}

impl CaseCursor {
    /// Reads a cursor a server wrote.
    pub fn parse(text: &str) -> Result<CaseCursor, QueryError> {
        text.split_once('~')
            .and_then(|(due, id)| {
                let due_at = manyi_core::time::parse_datetime(due)?;
                (!id.is_empty()).then(|| CaseCursor {
                    due_at,
                    id: id.to_owned(),
                })
            })
            .ok_or_else(|| QueryError(format!("after {text:?} is not a page's `next`")))
    }
}

impl std::fmt::Display for CaseCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let due = self
            .due_at
            .to_utc()
            .to_rfc3339_opts(SecondsFormat::AutoSi, true);
        write!(f, "{due}~{}", self.id)
    }
}

/// A page of the inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CasePage {
    pub cases: Vec<CaseSummary>,
    /// Pass as `after` for the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// The loop figures' query: the figures (`manyi_core::cases::LoopFigures`) of the cases opened
/// in a period, as they stand when the reply is made.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct LoopQuery {
    /// The period's start: RFC 3339, or a `YYYY-MM-DD` date taken at midnight in `utc_offset`.
    #[cfg_attr(feature = "openapi", param(example = "2026-11-01"))]
    pub from: Option<String>,
    /// The instant after the period (same forms as `from`).
    #[cfg_attr(feature = "openapi", param(example = "2026-12-01"))]
    pub to: Option<String>,
    /// The offset dates are taken in, such as `+08:00` or `Z`; default UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utc_offset: Option<String>,
    /// Only this survey's cases and responses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survey: Option<String>,
    /// Only the cases and responses with this `meta` `location`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

impl LoopQuery {
    /// The period, `from` (included) to `to` (excluded); both are required, `from` first.
    pub fn period(&self) -> Result<(DateTime<FixedOffset>, DateTime<FixedOffset>), QueryError> {
        let offset = match self.utc_offset.as_deref() {
            Some(text) => parse_offset(text)?,
            None => FixedOffset::east_opt(0).expect("zero is a valid offset"),
        };
        let read = |name: &str, text: &Option<String>| {
            let text = text
                .as_deref()
                .ok_or_else(|| QueryError(format!("{name} is required, such as 2026-11-01")))?;
            parse_instant(name, text, offset)
        };
        let (from, to) = (read("from", &self.from)?, read("to", &self.to)?);
        if from >= to {
            return Err(QueryError(format!(
                "from ({}) must come before to ({})",
                self.from.as_deref().unwrap_or_default(),
                self.to.as_deref().unwrap_or_default()
            )));
        }
        Ok((from, to))
    }

    /// The query as the dashboard sends it (without `?`).
    pub fn to_query_string(&self) -> String {
        query_string(&[
            ("from", self.from.as_deref()),
            ("to", self.to.as_deref()),
            ("utc_offset", self.utc_offset.as_deref()),
            ("survey", self.survey.as_deref()),
            ("location", self.location.as_deref()),
        ])
    }
}
