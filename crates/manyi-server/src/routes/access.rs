//! Access: what the request's token is and may do, and the audit log of what staff did.

use axum::Json;
use axum::extract::State;
use manyi_api::{Action, AuditPage, AuditQuery, ErrorBody, Me};

use crate::auth::Staff;
use crate::error::AppError;
use crate::extract::ApiQuery;
use crate::openapi::STAFF;
use crate::state::AppState;

/// `GET /api/v1/me`: the token's id, name, role and survey scope, so a client offers only what
/// the token may do.
#[utoipa::path(
    get,
    path = "/v1/me",
    tag = STAFF,
    security(("staff_token" = [])),
    responses(
        (status = 200, description = "What the token is and may do", body = Me),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
    )
)]
pub async fn me(staff: Staff) -> Json<Me> {
    Json(staff.me())
}

/// `GET /api/v1/audit`: who published, changed origins or targets, exported or deleted, newest
/// first, a page at a time. Administrators only; one limited to some surveys reads only the
/// entries about them.
#[utoipa::path(
    get,
    path = "/v1/audit",
    tag = STAFF,
    security(("staff_token" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "A page of the audit log, newest first", body = AuditPage),
        (status = 400, description = "`invalid_query`: a limit outside 1–500", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an administrator's token, or a survey outside its scope", body = ErrorBody),
    )
)]
pub async fn audit(
    staff: Staff,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<AuditPage>, AppError> {
    staff.allow(Action::ReadAudit)?;
    let limit = query.page_size()?;
    let surveys: Option<Vec<String>> = match (&query.survey, &staff.surveys) {
        (Some(survey), _) => {
            staff.allow_on(Action::ReadAudit, survey)?;
            Some(vec![survey.clone()])
        }
        (None, scope) => scope.clone(),
    };
    Ok(Json(
        state
            .db
            .audit_page(query.before.as_deref(), surveys.as_deref(), limit)
            .await?,
    ))
}
