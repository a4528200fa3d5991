//! A survey's allowed origins: the sites staff let embed it. The list belongs to the survey
//! id, not to a version, and drives CORS on the public endpoints (`cors.rs`) and
//! `frame-ancestors` on the survey's embed page (`routes/embed.rs`). Also the CORS preflight of
//! `POST /api/v1/responses`, which asks whether any list names the page's origin.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use manyi_api::{
    Action, AllowedOrigins, AuditAction, ErrorBody, ErrorCode, MAX_ORIGINS, OriginsBody,
};
use manyi_core::validate::Problem;
use serde_json::{Value, json};

use crate::auth::Staff;
use crate::cors::{CrossOrigin, allow_origin, normalise_origin, vary_origin};
use crate::db::AuditRecord;
use crate::error::AppError;
use crate::extract::{ApiJson, ApiPath};
use crate::openapi::{PUBLIC, STAFF};
use crate::state::AppState;

/// How long a browser may reuse a preflight answer, in seconds: short, so an origin removed
/// from every list stops working soon.
pub const PREFLIGHT_MAX_AGE: u32 = 600;

/// A whole list checked: the normalised origins (duplicates kept once, in the given order), or
/// every problem with its JSON path.
pub fn validate_origins(entries: &[Value]) -> Result<Vec<String>, Vec<Problem>> {
    let mut problems = Vec::new();
    if entries.len() > MAX_ORIGINS {
        problems.push(Problem {
            path: "$.allowed_origins".to_owned(),
            message: format!(
                "a survey lists at most {MAX_ORIGINS} origins; this list has {}",
                entries.len()
            ),
        });
    }
    let mut origins: Vec<String> = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        let path = format!("$.allowed_origins[{index}]");
        let Some(text) = entry.as_str() else {
            problems.push(Problem {
                path,
                message: format!("{entry} is not a string"),
            });
            continue;
        };
        match normalise_origin(text) {
            Ok(origin) => {
                if !origins.contains(&origin) {
                    origins.push(origin);
                }
            }
            Err(reason) => problems.push(Problem {
                path,
                message: format!("{text:?} {reason}"),
            }),
        }
    }
    if problems.is_empty() {
        Ok(origins)
    } else {
        Err(problems)
    }
}

/// `GET /api/v1/surveys/{id}/origins`. Public: the list is in every embed page's
/// `frame-ancestors` header anyway, and a host site's developer can check it without a token.
#[utoipa::path(
    get,
    path = "/v1/surveys/{id}/origins",
    tag = PUBLIC,
    params(("id" = String, Path, description = "The survey id")),
    responses(
        (status = 200, description = "The survey's allowed origins (empty when it may not be embedded)", body = AllowedOrigins),
        (status = 404, description = "`not_found`: no such survey", body = ErrorBody),
    )
)]
pub async fn get_origins(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<AllowedOrigins>, AppError> {
    if !state.db.survey_exists(&id).await? {
        return Err(AppError::not_found(format!("no survey {id:?}")));
    }
    let allowed_origins = state.db.allowed_origins(&id).await?;
    Ok(Json(AllowedOrigins {
        survey_id: id,
        allowed_origins,
    }))
}

/// `PUT /api/v1/surveys/{id}/origins`: replaces the list (an empty list stops embedding).
#[utoipa::path(
    put,
    path = "/v1/surveys/{id}/origins",
    tag = STAFF,
    security(("staff_token" = [])),
    params(("id" = String, Path, description = "The survey id")),
    request_body = OriginsBody,
    responses(
        (status = 200, description = "The list as stored, normalised", body = AllowedOrigins),
        (status = 400, description = "`malformed_json`, `unreadable_body`, or `malformed_origins` (not `{\"allowed_origins\": [...]}`)", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: the token's role or survey scope does not allow this", body = ErrorBody),
        (status = 404, description = "`not_found`: no such survey", body = ErrorBody),
        (status = 413, description = "`body_too_large`", body = ErrorBody),
        (status = 422, description = "`invalid_origins`: every bad entry in `details` as `{\"path\", \"message\"}`, e.g. `$.allowed_origins[2]`", body = ErrorBody),
    )
)]
pub async fn put_origins(
    staff: Staff,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<AllowedOrigins>, AppError> {
    staff.allow_on(Action::ChangeSettings, &id)?;
    if !state.db.survey_exists(&id).await? {
        return Err(AppError::not_found(format!("no survey {id:?}")));
    }
    let body: OriginsBody = serde_json::from_value(body).map_err(|e| {
        AppError::client(
            StatusCode::BAD_REQUEST,
            ErrorCode::MalformedOrigins,
            format!("send {{\"allowed_origins\": [\"https://…\", …]}}: {e}"),
        )
    })?;
    let origins = validate_origins(&body.allowed_origins).map_err(|problems| {
        AppError::client(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidOrigins,
            format!("the list has {} problem(s)", problems.len()),
        )
        .with_details(json!(problems))
    })?;
    let record = AuditRecord::by(
        &staff,
        AuditAction::SetOrigins,
        Some(&id),
        if origins.is_empty() {
            "no origins".to_owned()
        } else {
            origins.join(" ")
        },
    );
    state.db.set_allowed_origins(&id, &origins, &record).await?;
    tracing::info!(survey = %id, by = %staff.name, origins = origins.len(), "allowed origins replaced");
    Ok(Json(AllowedOrigins {
        survey_id: id,
        allowed_origins: origins,
    }))
}

/// `OPTIONS /api/v1/responses`: the CORS preflight a browser sends before posting JSON from
/// another site. Allowed when some survey lists the origin; which surveys a response may go to
/// is decided per response when it arrives.
#[utoipa::path(
    options,
    path = "/v1/responses",
    tag = PUBLIC,
    params(("Origin" = Option<String>, Header, description = "The page's origin, set by the browser")),
    responses(
        (status = 204, description = "Allowed: `Access-Control-Allow-Origin` (the origin), \
            `-Allow-Methods: POST`, `-Allow-Headers: content-type`, `-Max-Age`. Without a \
            cross-origin `Origin`, a plain answer with `Allow`."),
        (status = 403, description = "`origin_not_allowed`: no survey lists the origin; no CORS headers, so the browser refuses", body = ErrorBody),
    )
)]
pub async fn preflight_responses(
    State(state): State<AppState>,
    CrossOrigin(origin): CrossOrigin,
) -> Result<Response, AppError> {
    let Some(origin) = origin else {
        return Ok((StatusCode::NO_CONTENT, [(header::ALLOW, "OPTIONS, POST")]).into_response());
    };
    let mut response = if state.db.origin_listed(&origin).await? {
        let mut response = (
            StatusCode::NO_CONTENT,
            [
                (header::ACCESS_CONTROL_ALLOW_METHODS, "POST".to_owned()),
                (
                    header::ACCESS_CONTROL_ALLOW_HEADERS,
                    "content-type".to_owned(),
                ),
                (
                    header::ACCESS_CONTROL_MAX_AGE,
                    PREFLIGHT_MAX_AGE.to_string(),
                ),
            ],
        )
            .into_response();
        allow_origin(&mut response, &origin);
        response
    } else {
        origin_refused(&origin).into_response()
    };
    vary_origin(&mut response);
    Ok(response)
}

/// The refusal of a request from an origin that no list names.
fn origin_refused(origin: &str) -> AppError {
    AppError::client(
        StatusCode::FORBIDDEN,
        ErrorCode::OriginNotAllowed,
        format!(
            "no survey accepts requests from {origin}; staff can add it to a survey's allowed origins"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_reports_every_problem_with_its_path_and_keeps_duplicates_once() {
        let list = vec![
            json!("https://a.example"),
            json!("HTTPS://A.example"),
            json!(7),
            json!("https://b.example/"),
        ];
        let problems = validate_origins(&list).unwrap_err();
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["$.allowed_origins[2]", "$.allowed_origins[3]"]);
        assert_eq!(problems[0].message, "7 is not a string");
        assert_eq!(validate_origins(&list[..2]).unwrap(), ["https://a.example"]);
        let too_many: Vec<Value> = (0..=MAX_ORIGINS)
            .map(|i| json!(format!("https://s{i}.example")))
            .collect();
        assert_eq!(
            validate_origins(&too_many).unwrap_err()[0].path,
            "$.allowed_origins"
        );
    }
}
