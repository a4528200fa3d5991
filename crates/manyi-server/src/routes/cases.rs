//! Closing the loop, for staff: a survey's alert rules, the follow-up cases they open (the
//! inbox, one case, changes to it), and the loop's figures. The core validates rules
//! (`manyi_core::alerts`) and decides what a change to a case may be (`manyi_core::cases`);
//! the server keeps them and writes every change with its webhook deliveries.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use manyi_api::{
    Action, AlertRules, AuditAction, CasePage, CaseQuery, CaseUpdate, CaseView, ErrorBody,
    ErrorCode, LoopFigures, LoopQuery,
};
use manyi_core::cases::LoopFiguresBuilder;
use manyi_core::report::{MetaFilter, ReportOptions};
use serde_json::{Value, json};

use crate::auth::Staff;
use crate::db::{AuditRecord, CaseFilter};
use crate::error::AppError;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::openapi::STAFF;
use crate::routes::surveys::latest;
use crate::state::AppState;

/// `GET /api/v1/surveys/{id}/alerts`.
#[utoipa::path(
    get,
    path = "/v1/surveys/{id}/alerts",
    tag = STAFF,
    security(("staff_token" = [])),
    params(("id" = String, Path, description = "The survey id")),
    responses(
        (status = 200, description = "The survey's alert rules, in their order (empty when none)", body = AlertRules),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: the token's role or survey scope does not allow this", body = ErrorBody),
        (status = 404, description = "`not_found`: no such survey", body = ErrorBody),
    )
)]
pub async fn get_alert_rules(
    staff: Staff,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<AlertRules>, AppError> {
    staff.allow_on(Action::ReadSettings, &id)?;
    if !state.db.survey_exists(&id).await? {
        return Err(AppError::not_found(format!("no survey {id:?}")));
    }
    Ok(Json(AlertRules {
        rules: state.db.alert_rules(&id).await?,
    }))
}

/// `PUT /api/v1/surveys/{id}/alerts`: replaces the rules (an empty list removes them), checked
/// against the survey's latest version. A rule that does not read is refused with its
/// position and never stored.
#[utoipa::path(
    put,
    path = "/v1/surveys/{id}/alerts",
    tag = STAFF,
    security(("staff_token" = [])),
    params(("id" = String, Path, description = "The survey id")),
    request_body = AlertRules,
    responses(
        (status = 200, description = "The rules as stored", body = AlertRules),
        (status = 400, description = "`malformed_json`, `unreadable_body`, or `malformed_alert_rules` (not `{\"rules\": [...]}` of rules)", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: the token's role or survey scope does not allow this", body = ErrorBody),
        (status = 404, description = "`not_found`: no such survey", body = ErrorBody),
        (status = 413, description = "`body_too_large`", body = ErrorBody),
        (status = 422, description = "`invalid_alert_rules`: every problem in `details` as `{\"path\", \"message\", \"position\"}`, e.g. `$.rules[1].when` at character 7", body = ErrorBody),
    )
)]
pub async fn put_alert_rules(
    staff: Staff,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<AlertRules>, AppError> {
    staff.allow_on(Action::ChangeSettings, &id)?;
    let survey = latest(&state, &id).await?;
    let AlertRules { rules } = serde_json::from_value(body).map_err(|e| {
        AppError::client(
            StatusCode::BAD_REQUEST,
            ErrorCode::MalformedAlertRules,
            format!(
                "send {{\"rules\": [{{\"id\", \"name\", \"when\", \"severity\", \"owner\", \
                 \"service_hours\"}}]}}: {e}"
            ),
        )
    })?;
    if let Err(problems) = manyi_core::alerts::validate_rules(&survey, &rules) {
        // The core's paths start at the list; here the list is the body's `rules`.
        let details: Vec<Value> = problems
            .iter()
            .map(|p| {
                json!({
                    "path": p.path.replacen('$', "$.rules", 1),
                    "message": p.message,
                    "position": p.position,
                })
            })
            .collect();
        return Err(AppError::client(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidAlertRules,
            format!("the alert rules have {} problem(s)", problems.len()),
        )
        .with_details(Value::Array(details)));
    }
    let record = AuditRecord::by(
        &staff,
        AuditAction::SetAlertRules,
        Some(&id),
        format!("{} rule(s)", rules.len()),
    );
    state.db.set_alert_rules(&id, &rules, &record).await?;
    Ok(Json(AlertRules { rules }))
}

/// `GET /api/v1/cases`: the inbox, in due order, a page at a time, over the surveys the token
/// covers.
#[utoipa::path(
    get,
    path = "/v1/cases",
    tag = STAFF,
    security(("staff_token" = [])),
    params(CaseQuery),
    responses(
        (status = 200, description = "A page of cases; `next` is the `after` of the next page", body = CasePage),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: the token's role or survey scope does not allow this", body = ErrorBody),
    )
)]
pub async fn list_cases(
    staff: Staff,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<CaseQuery>,
) -> Result<Json<CasePage>, AppError> {
    match &query.survey {
        Some(survey) => staff.allow_on(Action::ReadCases, survey)?,
        None => staff.allow(Action::ReadCases)?,
    }
    let filter = CaseFilter {
        scope: staff.surveys.clone(),
        survey: query.survey.clone(),
        statuses: query.statuses()?,
        owner: query.owner_filter()?,
        location: query.location.clone(),
        overdue: query.overdue,
        after: query.cursor()?,
        limit: query.page_size()?,
    };
    Ok(Json(state.db.cases(&filter).await?))
}

/// `GET /api/v1/cases/{id}`: a case with its timeline, the response that opened it and that
/// response's scores.
#[utoipa::path(
    get,
    path = "/v1/cases/{id}",
    tag = STAFF,
    security(("staff_token" = [])),
    params(("id" = String, Path, description = "The case id")),
    responses(
        (status = 200, description = "The case", body = CaseView),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: the token's role or survey scope does not allow this", body = ErrorBody),
        (status = 404, description = "`not_found`: no such case", body = ErrorBody),
    )
)]
pub async fn get_case(
    staff: Staff,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<CaseView>, AppError> {
    staff.allow(Action::ReadCases)?;
    let view = state
        .db
        .case(&id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no case {id:?}")))?;
    staff.allow_on(Action::ReadCases, &view.case.summary.survey_id)?;
    Ok(Json(view))
}

/// `POST /api/v1/cases/{id}/events`: assigns the case, adds a note, or changes its status, as
/// the token's name; the change and its `case.updated` deliveries are written together.
#[utoipa::path(
    post,
    path = "/v1/cases/{id}/events",
    tag = STAFF,
    security(("staff_token" = [])),
    params(("id" = String, Path, description = "The case id")),
    request_body = CaseUpdate,
    responses(
        (status = 200, description = "The case after the change", body = CaseView),
        (status = 400, description = "`malformed_json`, `unreadable_body`, or `malformed_case_update` (not one of the three kinds)", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: the token's role or survey scope does not allow this", body = ErrorBody),
        (status = 404, description = "`not_found`: no such case", body = ErrorBody),
        (status = 409, description = "`case_conflict`: the case is no longer in the status the change starts from, the statuses do not allow the change, or the owner is the same", body = ErrorBody),
        (status = 422, description = "`invalid_case_update`: an empty or over-long text, or a resolution missing or out of place", body = ErrorBody),
    )
)]
pub async fn post_case_event(
    staff: Staff,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<CaseView>, AppError> {
    staff.allow(Action::HandleCases)?;
    let update: CaseUpdate = serde_json::from_value(body).map_err(|e| {
        AppError::client(
            StatusCode::BAD_REQUEST,
            ErrorCode::MalformedCaseUpdate,
            format!(
                "send {{\"kind\": \"assign\", \"owner\"}}, {{\"kind\": \"note\", \"text\", \
                 \"contacted\"}} or {{\"kind\": \"status\", \"to\", \"from\", \"resolution\"}}: {e}"
            ),
        )
    })?;
    // The scope is checked on the case's survey before anything is written.
    let survey = state
        .db
        .case(&id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no case {id:?}")))?
        .case
        .summary
        .survey_id;
    staff.allow_on(Action::HandleCases, &survey)?;
    let (view, _) = state.db.update_case(&id, &staff.name, update).await?;
    Ok(Json(view))
}

/// `GET /api/v1/loop`: the loop's figures for a period: complaint rate, cases opened, resolved
/// and closed, median times to first action and to resolution, the share resolved within the
/// service level, the closed-loop rate, and the open and overdue cases by owner now.
#[utoipa::path(
    get,
    path = "/v1/loop",
    tag = STAFF,
    security(("staff_token" = [])),
    params(LoopQuery),
    responses(
        (status = 200, description = "The figures", body = manyi_api::openapi::LoopFiguresSchema),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: the token's role or survey scope does not allow this", body = ErrorBody),
        (status = 404, description = "`not_found`: no such survey", body = ErrorBody),
    )
)]
pub async fn loop_figures(
    staff: Staff,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<LoopQuery>,
) -> Result<Json<LoopFigures>, AppError> {
    match &query.survey {
        Some(survey) => staff.allow_on(Action::ReadCases, survey)?,
        None => staff.allow(Action::ReadCases)?,
    }
    let (from, to) = query.period()?;
    // Responses received in the period: each survey's report over it, which its rollups
    // answer without reading the responses.
    let surveys: Vec<String> = match &query.survey {
        Some(survey) => vec![survey.clone()],
        None => state
            .db
            .surveys()
            .await?
            .into_iter()
            .map(|s| s.id)
            .filter(|id| staff.covers(id))
            .collect(),
    };
    let mut responses = 0u64;
    for survey in &surveys {
        let options = ReportOptions {
            from: Some(from),
            to: Some(to),
            filter: query.location.as_ref().map(|value| MetaFilter {
                key: "location".to_owned(),
                value: value.clone(),
            }),
            ..ReportOptions::default()
        };
        responses += crate::routes::reports::build(&state, survey, options)
            .await?
            .n as u64;
    }
    let now = chrono::Utc::now().fixed_offset();
    let mut builder = LoopFiguresBuilder::new(from, to, now);
    state
        .db
        .each_loop_case(
            from,
            to,
            staff.surveys.as_deref(),
            query.survey.as_deref(),
            query.location.as_deref(),
            |case| builder.add(case),
        )
        .await?;
    Ok(Json(builder.finish(responses)))
}
