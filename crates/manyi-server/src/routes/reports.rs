//! Reports over a survey's stored responses, for staff: the core's aggregate report, and the
//! answers to its text questions. Both read a period and a `meta` filter from the query, so the
//! parsing of those is here too.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, FixedOffset, NaiveDate};
use manyi_core::ResponseTable;
use manyi_core::report::{
    BucketSpec, BucketUnit, MetaFilter, ReportOptions, build_report_from_table,
};
use manyi_core::score::Plan;
use serde::{Deserialize, Serialize};

use crate::auth::Staff;
use crate::error::{AppError, ErrorBody};
use crate::extract::{ApiPath, ApiQuery, invalid_query};
use crate::openapi::{ReportSchema, STAFF};
use crate::routes::surveys::latest;
use crate::state::AppState;

/// The report's options, all optional.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// Only responses submitted at or after this time: RFC 3339, or a `YYYY-MM-DD` date taken
    /// at midnight in `utc_offset`.
    #[param(example = "2026-11-01")]
    from: Option<String>,
    /// Only responses submitted before this time (same forms as `from`); with `from`, the
    /// report compares the period with the one before it.
    to: Option<String>,
    /// A `meta` key (such as `channel`) to break the figures down by.
    #[param(example = "channel")]
    segment: Option<String>,
    /// Figures per `day`, `week` or `month`.
    #[param(example = "week")]
    bucket: Option<String>,
    /// The offset that dates and buckets are taken in, such as `+08:00` or `Z`; default UTC.
    #[param(example = "+08:00")]
    utc_offset: Option<String>,
    /// Only responses with this `meta` value, written `key:value` (split at the first colon);
    /// the previous period of a comparison is filtered the same way.
    #[param(example = "channel:web")]
    filter: Option<String>,
}

/// `key:value` as a filter; the key must not be empty.
fn parse_filter(text: &str) -> Result<MetaFilter, AppError> {
    match text.split_once(':') {
        Some((key, value)) if !key.is_empty() => Ok(MetaFilter {
            key: key.to_owned(),
            value: value.to_owned(),
        }),
        _ => Err(invalid_query(format!(
            "filter {text:?} is not a key:value pair such as channel:web"
        ))),
    }
}

fn parse_offset(text: &str) -> Result<FixedOffset, AppError> {
    if text == "Z" {
        return Ok(FixedOffset::east_opt(0).expect("zero is a valid offset"));
    }
    text.parse().map_err(|_| {
        invalid_query(format!(
            "utc_offset {text:?} is not an offset such as +08:00"
        ))
    })
}

/// An RFC 3339 time, or a date taken at midnight in `offset`.
fn parse_instant(
    name: &str,
    text: &str,
    offset: FixedOffset,
) -> Result<DateTime<FixedOffset>, AppError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|t| t.and_local_timezone(offset).single())
        .ok_or_else(|| {
            invalid_query(format!(
                "{name} {text:?} is neither an RFC 3339 time nor a YYYY-MM-DD date"
            ))
        })
}

/// The options that select responses: a period and a `meta` filter.
fn selection(
    from: Option<&str>,
    to: Option<&str>,
    filter: Option<&str>,
    offset: FixedOffset,
) -> Result<ReportOptions, AppError> {
    Ok(ReportOptions {
        from: from.map(|t| parse_instant("from", t, offset)).transpose()?,
        to: to.map(|t| parse_instant("to", t, offset)).transpose()?,
        filter: filter.map(parse_filter).transpose()?,
        ..ReportOptions::default()
    })
}

/// `GET /api/v1/surveys/{id}/report`: the core's report over every stored response, scored
/// against the latest version (answers that no longer fit count as invalid).
#[utoipa::path(
    get,
    path = "/v1/surveys/{id}/report",
    tag = STAFF,
    security(("staff_token" = [])),
    params(("id" = String, Path, description = "The survey id"), ReportQuery),
    responses(
        (status = 200, description = "The report", body = ReportSchema),
        (status = 400, description = "`invalid_query`: an option that does not read", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such survey", body = ErrorBody),
    )
)]
pub async fn report(
    _staff: Staff,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Json<manyi_core::Report>, AppError> {
    let offset = parse_offset(query.utc_offset.as_deref().unwrap_or("+00:00"))?;
    let options = ReportOptions {
        segment: query.segment,
        bucket: query
            .bucket
            .as_deref()
            .map(|b| b.parse::<BucketUnit>().map_err(invalid_query))
            .transpose()?
            .map(|unit| BucketSpec {
                unit,
                utc_offset: offset,
            }),
        ..selection(
            query.from.as_deref(),
            query.to.as_deref(),
            query.filter.as_deref(),
            offset,
        )?
    };
    let survey = latest(&state, &id).await?;
    let responses = state.db.responses(&id).await?;
    let plan = Plan::new(&survey);
    let table = ResponseTable::from_responses(&plan, &responses);
    Ok(Json(build_report_from_table(&plan, &table, &options)))
}

/// Which open-text answers to list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TextsQuery {
    /// Only answers containing this text, compared case-insensitively; all when absent.
    q: Option<String>,
    /// How many answers to list (1–1000; default 100). `total` counts them all.
    limit: Option<usize>,
    /// As for the report.
    from: Option<String>,
    /// As for the report.
    to: Option<String>,
    /// As for the report.
    utc_offset: Option<String>,
    /// As for the report: `key:value`.
    filter: Option<String>,
}

/// The most open-text answers one request lists.
pub const MAX_TEXTS: usize = 1000;

/// The reply: how many answers match and the newest of them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TextsReply {
    pub total: usize,
    /// `{"question", "text", "submitted_at"}`, newest first.
    #[schema(value_type = Vec<Object>)]
    pub answers: Vec<manyi_core::report::TextAnswer>,
}

/// `GET /api/v1/surveys/{id}/texts`: the answers to the survey's text questions, searched,
/// over the responses a period and a filter select.
#[utoipa::path(
    get,
    path = "/v1/surveys/{id}/texts",
    tag = STAFF,
    security(("staff_token" = [])),
    params(("id" = String, Path, description = "The survey id"), TextsQuery),
    responses(
        (status = 200, description = "The matching answers, newest first", body = TextsReply),
        (status = 400, description = "`invalid_query`: an option that does not read, or a limit outside 1–1000", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such survey", body = ErrorBody),
    )
)]
pub async fn texts(
    _staff: Staff,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<TextsQuery>,
) -> Result<Json<TextsReply>, AppError> {
    let offset = parse_offset(query.utc_offset.as_deref().unwrap_or("+00:00"))?;
    let options = selection(
        query.from.as_deref(),
        query.to.as_deref(),
        query.filter.as_deref(),
        offset,
    )?;
    let limit = query.limit.unwrap_or(100);
    if !(1..=MAX_TEXTS).contains(&limit) {
        return Err(invalid_query(format!(
            "limit {limit} is outside 1–{MAX_TEXTS}"
        )));
    }
    let survey = latest(&state, &id).await?;
    let responses = state.db.responses(&id).await?;
    let plan = Plan::new(&survey);
    let table = ResponseTable::from_responses(&plan, &responses);
    let found = manyi_core::report::text_answers(
        &plan,
        &table,
        &options,
        query.q.as_deref().unwrap_or(""),
        limit,
    );
    Ok(Json(TextsReply {
        total: found.total,
        answers: found.answers,
    }))
}
