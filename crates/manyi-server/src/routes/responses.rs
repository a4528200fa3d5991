//! Responses: ingestion (`POST /api/v1/responses`, public, where every response is validated
//! and scored again before it is stored), and for staff the export and the deletion of one
//! response.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use manyi_api::openapi::{BinarySchema, ResponseBatchSchema, ResponseSchema};
use manyi_api::{
    Action, AuditAction, BatchReply, ErrorBody, ErrorCode, ErrorInfo, ExportFormat, ExportQuery,
    ItemResult, ItemStatus, MAX_BATCH,
};
use manyi_core::export;
use manyi_core::score::Plan;
use manyi_core::validate::Validator;
use manyi_core::{ResponseScores, Survey};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::auth::Staff;
use crate::cors::CrossOrigin;
use crate::db::{AuditRecord, Stored};
use crate::error::AppError;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::openapi::{PUBLIC, STAFF};
use crate::routes::surveys::latest;
use crate::state::AppState;

/// `POST /api/v1/responses`: one response or an array of up to [`MAX_BATCH`].
///
/// Every response is validated against the survey version it names and scored again here; a
/// score sent by the client is ignored. The reply is 200 with one result per response, in
/// order, so a client knows exactly which to drop (accepted, duplicate) and which to keep
/// (conflict, rejected — with the reason).
///
/// From another site's page (an `Origin` other than the server's own), only responses to
/// surveys that list that origin are taken; the others are rejected with `origin_not_allowed`.
///
/// Limits (`manyi_core::limits`), each a rejection with `invalid_response` naming what is over:
/// at most 1000 answers; a text answer of at most 10000 characters (or the question's own
/// smaller `max_length`); `meta` of at most 50 keys, each key at most 64 characters and each
/// value at most 1000 characters.
#[utoipa::path(
    post,
    path = "/v1/responses",
    tag = PUBLIC,
    params(("Origin" = Option<String>, Header, description = "From another site, responses \
        are taken only for surveys that list this origin; the reply carries \
        `Access-Control-Allow-Origin` when some survey lists it")),
    request_body = ResponseBatchSchema,
    responses(
        (status = 200, description = "One result per response, in order", body = BatchReply),
        (status = 400, description = "`malformed_json`, `unreadable_body`, `malformed_body` or `empty_batch`", body = ErrorBody),
        (status = 413, description = "`batch_too_large` (over 500 responses) or `body_too_large` (over 8 MiB)", body = ErrorBody),
        (status = 429, description = "`rate_limited`: wait for the seconds in `Retry-After`", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until a request is accepted again"))),
    )
)]
pub async fn post_responses(
    State(state): State<AppState>,
    CrossOrigin(origin): CrossOrigin,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<BatchReply>, AppError> {
    let items = match body {
        Value::Array(items) => items,
        object @ Value::Object(_) => vec![object],
        _ => {
            return Err(AppError::client(
                StatusCode::BAD_REQUEST,
                ErrorCode::MalformedBody,
                "send one response object or an array of them",
            ));
        }
    };
    if items.is_empty() {
        return Err(AppError::client(
            StatusCode::BAD_REQUEST,
            ErrorCode::EmptyBatch,
            "the batch holds no responses",
        ));
    }
    if items.len() > MAX_BATCH {
        return Err(AppError::client(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::BatchTooLarge,
            format!(
                "a batch holds at most {MAX_BATCH} responses, this one {}",
                items.len()
            ),
        ));
    }

    let mut results: Vec<ItemResult> = Vec::with_capacity(items.len());
    // First the checks that need the database (the origin, the survey version), each made
    // once per survey; the versions found are then validated against and scored with one
    // validator and one scoring plan each, built once for the whole batch.
    let mut parsed: Vec<(usize, manyi_core::Response)> = Vec::with_capacity(items.len());
    let mut surveys: HashMap<(String, u32), Option<Arc<Survey>>> = HashMap::new();
    // For a cross-origin request: whether each survey met so far lists the origin.
    let mut origin_allowed: HashMap<String, bool> = HashMap::new();
    for (index, item) in items.into_iter().enumerate() {
        let id = item.get("id").and_then(Value::as_str).map(str::to_owned);
        results.push(ItemResult {
            id,
            status: ItemStatus::Accepted,
            error: None,
        });
        let response: manyi_core::Response = match serde_json::from_value(item) {
            Ok(r) => r,
            Err(e) => {
                reject(
                    &mut results[index],
                    ErrorCode::MalformedResponse,
                    e.to_string(),
                    None,
                );
                continue;
            }
        };
        if let Some(origin) = &origin {
            if !origin_allowed.contains_key(&response.survey_id) {
                let listed = state.db.allowed_origins(&response.survey_id).await?;
                origin_allowed.insert(response.survey_id.clone(), listed.contains(origin));
            }
            if !origin_allowed[&response.survey_id] {
                let message = format!(
                    "survey {:?} does not take responses from {origin}; staff can add it to the survey's allowed origins",
                    response.survey_id
                );
                reject(
                    &mut results[index],
                    ErrorCode::OriginNotAllowed,
                    message,
                    None,
                );
                continue;
            }
        }
        let key = (response.survey_id.clone(), response.survey_version);
        if !surveys.contains_key(&key) {
            let survey = state.db.published(&key.0, key.1).await?;
            surveys.insert(key.clone(), survey);
        }
        if surveys[&key].is_none() {
            let message = format!("no survey {:?} version {}", key.0, key.1);
            reject(&mut results[index], ErrorCode::UnknownSurvey, message, None);
            continue;
        }
        parsed.push((index, response));
    }

    let checkers: HashMap<&(String, u32), (Validator<'_>, Plan<'_>)> = surveys
        .iter()
        .filter_map(|(key, survey)| {
            let survey = survey.as_deref()?;
            Some((key, (Validator::new(survey), Plan::new(survey))))
        })
        .collect();
    let mut accepted: Vec<usize> = Vec::with_capacity(parsed.len());
    let mut batch: Vec<(manyi_core::Response, ResponseScores)> = Vec::with_capacity(parsed.len());
    for (index, response) in parsed {
        let (validator, plan) = &checkers[&(response.survey_id.clone(), response.survey_version)];
        if let Err(errors) = validator.response(&response) {
            let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
            reject(
                &mut results[index],
                ErrorCode::InvalidResponse,
                messages.join("; "),
                // The core's errors are plain data, so writing them cannot fail.
                serde_json::value::to_raw_value(&errors).ok(),
            );
            continue;
        }
        let scores = plan.score(&response);
        accepted.push(index);
        batch.push((response, scores));
    }

    let stored = state.db.store_responses(&batch).await?;
    for (index, outcome) in accepted.iter().zip(stored) {
        match outcome {
            Stored::Inserted => {}
            Stored::Duplicate => results[*index].status = ItemStatus::Duplicate,
            Stored::Conflict => {
                results[*index].status = ItemStatus::Conflict;
                results[*index].error = Some(ErrorInfo::new(
                    ErrorCode::Conflict,
                    "a different response with this id is already stored",
                ));
            }
        }
    }
    Ok(Json(BatchReply::new(results)))
}

/// Marks one response of a batch as rejected, with the reason.
fn reject(
    result: &mut ItemResult,
    code: ErrorCode,
    message: String,
    details: Option<Box<RawValue>>,
) {
    result.status = ItemStatus::Rejected;
    result.error = Some(ErrorInfo {
        code,
        message,
        details,
    });
}

/// `GET /api/v1/surveys/{id}/responses?format=json|csv|xlsx`. CSV is UTF-8 with a byte-order
/// mark so Excel shows Chinese, in the column layout `manyi score` reads back, with text that
/// would start a formula prefixed by `'`; XLSX has the same columns with numbers as numbers,
/// within Excel's limits (see `xlsx`).
///
/// The body is written while it is sent, from the stored responses read as a stream (see
/// `export`), so an export of any size takes the same memory. A failure half-way cuts the
/// transfer short; the file never looks whole when it is not.
#[utoipa::path(
    get,
    path = "/v1/surveys/{id}/responses",
    tag = STAFF,
    security(("staff_token" = [])),
    params(("id" = String, Path, description = "The survey id"), ExportQuery),
    responses(
        (status = 200, description = "The stored responses, oldest submission first; CSV and XLSX as attachments. \
            The body is streamed: a transfer that ends unfinished is a failed export",
            content(
                (Vec<ResponseSchema> = "application/json"),
                (String = "text/csv; charset=utf-8"),
                (BinarySchema = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            )),
        (status = 400, description = "`invalid_query`: an unknown format", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: the token's role or survey scope does not allow this", body = ErrorBody),
        (status = 404, description = "`not_found`: no such survey", body = ErrorBody),
    )
)]
pub async fn export_responses(
    staff: Staff,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<Response, AppError> {
    staff.allow_on(Action::ReadAnswers, &id)?;
    let survey = latest(&state, &id).await?;
    let format = query.format()?;
    // The responses are read twice, in one transaction: first for the columns (every `meta`
    // key) and their number, then row by row into the body.
    let mut snapshot = state.db.response_snapshot(&id).await?;
    let (count, meta_keys) = snapshot.meta_keys().await?;
    // Recorded before the file is written: an export that fails half-way has still shown
    // answers to someone.
    state
        .db
        .record(&AuditRecord::by(
            &staff,
            AuditAction::Export,
            Some(&id),
            format!("{} of {count} response(s)", format.as_str()),
        ))
        .await?;
    let columns = export::Columns::new(&survey, meta_keys);
    let body = crate::export::body(format, columns, snapshot);
    let content_type = (header::CONTENT_TYPE, format.media_type().to_owned());
    Ok(match format {
        ExportFormat::Json => ([content_type], body).into_response(),
        ExportFormat::Csv | ExportFormat::Xlsx => (
            [
                content_type,
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"{id}-responses.{}\"",
                        format.as_str()
                    ),
                ),
            ],
            body,
        )
            .into_response(),
    })
}

/// `DELETE /api/v1/responses/{id}`: 204, or 404 when there is no such response.
#[utoipa::path(
    delete,
    path = "/v1/responses/{id}",
    tag = STAFF,
    security(("staff_token" = [])),
    params(("id" = String, Path, description = "The response's UUID (any case)")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: the token's role or survey scope does not allow this", body = ErrorBody),
        (status = 404, description = "`not_found`: no such response", body = ErrorBody),
    )
)]
pub async fn delete_response(
    staff: Staff,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, AppError> {
    staff.allow(Action::DeleteResponses)?;
    let not_found = || AppError::not_found(format!("no response {id:?}"));
    let survey = state.db.response_survey(&id).await?.ok_or_else(not_found)?;
    staff.allow_on(Action::DeleteResponses, &survey)?;
    let record = AuditRecord::by(
        &staff,
        AuditAction::DeleteResponse,
        Some(&survey),
        format!("response {}", id.to_ascii_lowercase()),
    );
    if state.db.delete_response(&id, &record).await? {
        tracing::info!(response = %id, by = %staff.name, "response deleted");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found())
    }
}
