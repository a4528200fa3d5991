//! Reports over a survey's stored responses, for staff: the core's aggregate report, and the
//! answers to its text questions. Their queries, and how those read, are the contract's
//! (`manyi_api::ReportQuery`, `manyi_api::TextsQuery`).

use axum::Json;
use axum::extract::State;
use manyi_api::openapi::ReportSchema;
use manyi_api::{Action, ErrorBody, ReportQuery, TextsQuery, TextsReply};
use manyi_core::aggregate::{ReportBuilder, TextCollector};
use manyi_core::model::QuestionKind;
use manyi_core::report::ReportOptions;
use manyi_core::score::Plan;

use crate::auth::Staff;
use crate::error::AppError;
use crate::extract::{ApiPath, ApiQuery};
use crate::openapi::STAFF;
use crate::routes::surveys::latest;
use crate::state::AppState;

/// `GET /api/v1/surveys/{id}/report`: the core's report over every stored response, scored
/// against the latest version (answers that no longer fit count as invalid). It adds up the
/// version's stored rollups (`manyi_core::rollup`) when they are complete and the options
/// filter and break down by declared segment keys; otherwise the responses are read as a
/// stream into the report's mergeable statistics (`manyi_core::aggregate`), never held
/// together.
#[utoipa::path(
    get,
    path = "/v1/surveys/{id}/report",
    tag = STAFF,
    security(("staff_token" = [])),
    params(("id" = String, Path, description = "The survey id"), ReportQuery),
    responses(
        (status = 200, description = "The report", body = ReportSchema),
        (status = 400, description = "`invalid_query`: an option that does not read, or a segment key with more than 1,000 values", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: the token's role or survey scope does not allow this", body = ErrorBody),
        (status = 404, description = "`not_found`: no such survey", body = ErrorBody),
    )
)]
pub async fn report(
    staff: Staff,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Json<manyi_core::Report>, AppError> {
    staff.allow_on(Action::ReadReports, &id)?;
    let options = query.options()?;
    Ok(Json(build(&state, &id, options).await?))
}

/// A survey's report: from its rollups when they serve the options, otherwise from its
/// responses read as a stream.
pub(crate) async fn build(
    state: &AppState,
    id: &str,
    options: ReportOptions,
) -> Result<manyi_core::Report, AppError> {
    let survey = latest(state, id).await?;
    let plan = Plan::new(&survey);
    if let Some(report) = state.db.rollup_report(&plan, options.clone()).await? {
        return Ok(report);
    }
    let segment = options.segment.clone();
    let mut builder = ReportBuilder::new(&plan, options);
    state
        .db
        .each_response(id, |response| builder.push_response(response))
        .await?;
    if builder.segments_overflowed() {
        return Err(manyi_api::too_many_segments(&segment.unwrap_or_default()).into());
    }
    Ok(builder.finish())
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
        (status = 403, description = "`forbidden`: the token's role or survey scope does not allow this", body = ErrorBody),
        (status = 404, description = "`not_found`: no such survey", body = ErrorBody),
    )
)]
pub async fn texts(
    staff: Staff,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<TextsQuery>,
) -> Result<Json<TextsReply>, AppError> {
    staff.allow_on(Action::ReadAnswers, &id)?;
    let options = query.options()?;
    let limit = query.limit()?;
    let survey = latest(&state, &id).await?;
    let plan = Plan::new(&survey);
    let search = query.q.as_deref().unwrap_or("");
    let mut collector = TextCollector::new(&plan, options.clone(), search, limit);
    // Without a search, every answer matches: the rollups count them, and the newest are the
    // first read newest first, so reading stops once as many are kept as asked for, or once
    // every answer there is has been seen (none, for a survey without text questions). A
    // search reads every response in the period.
    if search.trim().is_empty()
        && let Some(report) = state.db.rollup_report(&plan, options.clone()).await?
    {
        let total = report
            .questions
            .0
            .iter()
            .filter(|(_, q)| q.kind == QuestionKind::Text)
            .map(|(_, q)| q.n)
            .sum();
        state
            .db
            .each_response_newest_first(&id, options.from, options.to, |response| {
                // Read newest first, an undated one is older than every answer kept, and the
                // ids of undated ones ascend, so a full search takes none of them.
                let closed = match response.submitted_at {
                    Some(at) => collector.closed_to(Some(at)),
                    None => collector.is_full(),
                };
                if closed || collector.seen() >= total {
                    return false;
                }
                // The order at one instant is the ids' (as in `each_response`), whatever the
                // order they are read in.
                collector.push_response_as(response, uuid_order(&response.id));
                true
            })
            .await?;
        let mut found = collector.finish();
        found.total = total;
        return Ok(Json(TextsReply::from(found)));
    }
    state
        .db
        .each_response(&id, |response| collector.push_response(response))
        .await?;
    Ok(Json(TextsReply::from(collector.finish())))
}

/// A response's UUID as a number, which orders ids as their text does (lower-case hex in fixed
/// places); an id that is not a UUID, which validation never lets in, sorts last.
fn uuid_order(id: &str) -> u128 {
    let hex: String = id.chars().filter(|c| *c != '-').collect();
    u128::from_str_radix(&hex, 16).unwrap_or(u128::MAX)
}
