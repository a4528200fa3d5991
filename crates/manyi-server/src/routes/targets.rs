//! Targets staff set for a survey: a metric, the value to reach and the deadline. The core
//! validates them (`manyi_core::targets`) and the dashboard measures progress against the
//! report; the server only keeps the list.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use manyi_api::{Action, AuditAction, ErrorBody, ErrorCode, Targets};
use manyi_core::targets::validate_targets;
use serde_json::{Value, json};

use crate::auth::Staff;
use crate::db::AuditRecord;
use crate::error::AppError;
use crate::extract::{ApiJson, ApiPath};
use crate::openapi::STAFF;
use crate::state::AppState;

/// `GET /api/v1/surveys/{id}/targets`.
#[utoipa::path(
    get,
    path = "/v1/surveys/{id}/targets",
    tag = STAFF,
    security(("staff_token" = [])),
    params(("id" = String, Path, description = "The survey id")),
    responses(
        (status = 200, description = "The survey's targets, in the order staff gave them (empty when none)", body = Targets),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: the token's role or survey scope does not allow this", body = ErrorBody),
        (status = 404, description = "`not_found`: no such survey", body = ErrorBody),
    )
)]
pub async fn get_targets(
    staff: Staff,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Targets>, AppError> {
    staff.allow_on(Action::ReadSettings, &id)?;
    if !state.db.survey_exists(&id).await? {
        return Err(AppError::not_found(format!("no survey {id:?}")));
    }
    Ok(Json(Targets {
        targets: state.db.targets(&id).await?,
    }))
}

/// `PUT /api/v1/surveys/{id}/targets`: replaces the list (an empty list removes every target).
#[utoipa::path(
    put,
    path = "/v1/surveys/{id}/targets",
    tag = STAFF,
    security(("staff_token" = [])),
    params(("id" = String, Path, description = "The survey id")),
    request_body = Targets,
    responses(
        (status = 200, description = "The list as stored", body = Targets),
        (status = 400, description = "`malformed_json`, `unreadable_body`, or `malformed_targets` (not `{\"targets\": [{\"metric\", \"target\", \"deadline\"}]}`)", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: the token's role or survey scope does not allow this", body = ErrorBody),
        (status = 404, description = "`not_found`: no such survey", body = ErrorBody),
        (status = 413, description = "`body_too_large`", body = ErrorBody),
        (status = 422, description = "`invalid_targets`: every problem in `details` as `{\"path\", \"message\"}`, e.g. `$.targets[1].target`", body = ErrorBody),
    )
)]
pub async fn put_targets(
    staff: Staff,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Targets>, AppError> {
    staff.allow_on(Action::ChangeSettings, &id)?;
    if !state.db.survey_exists(&id).await? {
        return Err(AppError::not_found(format!("no survey {id:?}")));
    }
    let Targets { targets } = serde_json::from_value(body).map_err(|e| {
        AppError::client(StatusCode::BAD_REQUEST, ErrorCode::MalformedTargets,
            format!(
                "send {{\"targets\": [{{\"metric\", \"target\", \"deadline\"}}]}} with a metric of nps, csat, ces, composite or responses and a YYYY-MM-DD deadline: {e}"
            ),
        )
    })?;
    let problems = validate_targets(&targets);
    if !problems.is_empty() {
        // The core's paths start at the list; here the list is the body's `targets`.
        let details: Vec<Value> = problems
            .iter()
            .map(|p| {
                json!({
                    "path": p.path.replacen('$', "$.targets", 1),
                    "message": p.message,
                })
            })
            .collect();
        return Err(AppError::client(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidTargets,
            format!("the targets have {} problem(s)", problems.len()),
        )
        .with_details(Value::Array(details)));
    }
    let record = AuditRecord::by(
        &staff,
        AuditAction::SetTargets,
        Some(&id),
        format!("{} target(s)", targets.len()),
    );
    state.db.set_targets(&id, &targets, &record).await?;
    Ok(Json(Targets { targets }))
}
