//! Surveys: the list staff see, publishing a definition as a new version (a manyi definition,
//! or a SurveyJS one imported first), and the latest published definition, which respondents
//! and embedding pages read.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use manyi_api::openapi::SurveySchema;
use manyi_api::{
    Action, AuditAction, DefinitionFormat, ErrorBody, ErrorCode, ImportReport, PublishQuery,
    Published, SurveySummary, looks_like_surveyjs,
};
use manyi_core::Survey;
use manyi_core::surveyjs;
use manyi_core::validate::{DefinitionError, parse_survey};
use serde_json::{Value, json};

use crate::auth::Staff;
use crate::cors::{CrossOrigin, allow_origin, vary_origin};
use crate::db::AuditRecord;
use crate::error::AppError;
use crate::extract::{ApiJson, ApiPath, ApiQuery, invalid_query};
use crate::openapi::{PUBLIC, STAFF};
use crate::state::AppState;

/// `GET /api/v1/surveys`: every survey's latest version (of the surveys the token covers).
#[utoipa::path(
    get,
    path = "/v1/surveys",
    tag = STAFF,
    security(("staff_token" = [])),
    responses(
        (status = 200, description = "Every survey's latest version, with its number of versions and responses and its allowed origins", body = Vec<SurveySummary>),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: the token's role or survey scope does not allow this", body = ErrorBody),
    )
)]
pub async fn list_surveys(
    staff: Staff,
    State(state): State<AppState>,
) -> Result<Json<Vec<SurveySummary>>, AppError> {
    staff.allow(Action::ListSurveys)?;
    let mut surveys = state.db.surveys().await?;
    surveys.retain(|survey| staff.covers(&survey.id));
    Ok(Json(surveys))
}

/// `POST /api/v1/surveys`: publishes a definition as a new version. Every problem comes back
/// with its JSON path. Versions only go up: re-publishing the same version with the same content
/// is a no-op (200), with other content a conflict (409). With `format=surveyjs` the body is a
/// SurveyJS definition, imported first; the reply lists what was not imported as it was.
#[utoipa::path(
    post,
    path = "/v1/surveys",
    tag = STAFF,
    security(("staff_token" = [])),
    params(PublishQuery),
    request_body(
        content = SurveySchema,
        description = "A manyi definition; with `format=surveyjs`, a SurveyJS JSON definition instead"
    ),
    responses(
        (status = 200, description = "This version is already published with this content; nothing changed", body = Published),
        (status = 201, description = "Published as a new version", body = Published),
        (status = 400, description = "`malformed_json`, `unreadable_body`, `invalid_query`, or `malformed_definition` (not of the definition's shape; `details`: `[{\"path\", \"message\"}]`)", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: the token's role or survey scope does not allow this", body = ErrorBody),
        (status = 409, description = "`version_exists`: this version is published with other content; the message names the next version", body = ErrorBody),
        (status = 413, description = "`body_too_large`", body = ErrorBody),
        (status = 422, description = "`invalid_definition`: every problem in `details` as `{\"path\", \"message\"}`; with `format=surveyjs` also `nothing_imported` (no question could be imported) and, with `strict=true`, `import_reported`, each with the import reports in `details`", body = ErrorBody),
    )
)]
pub async fn publish_survey(
    staff: Staff,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<PublishQuery>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, AppError> {
    staff.allow(Action::Publish)?;
    let (survey, reports) = match query.format {
        DefinitionFormat::Manyi => {
            if query.id.is_some() || query.version.is_some() || query.strict {
                return Err(invalid_query(
                    "id, version and strict apply only to format=surveyjs",
                ));
            }
            let survey = parse_survey(&body.to_string())
                .map_err(|error| definition_error(error, looks_like_surveyjs(&body)))?;
            (survey, Vec::new())
        }
        DefinitionFormat::Surveyjs => import_surveyjs(&body, &query)?,
    };
    staff.allow_on(Action::Publish, &survey.id)?;
    if let Some(latest) = state.db.survey(&survey.id, None).await? {
        if survey.version == latest.version && survey == latest {
            return Ok((StatusCode::OK, Json(published(&survey, false, reports))).into_response());
        }
        if survey.version <= latest.version {
            return Err(AppError::client(
                StatusCode::CONFLICT,
                ErrorCode::VersionExists,
                format!(
                    "version {} of {:?} is already published (the latest is {}); publish it as version {}",
                    survey.version,
                    survey.id,
                    latest.version,
                    latest.version + 1
                ),
            ));
        }
    }
    let record = AuditRecord::by(
        &staff,
        AuditAction::Publish,
        Some(&survey.id),
        format!(
            "version {} ({} definition, {} import report(s))",
            survey.version,
            query.format.as_str(),
            reports.len()
        ),
    );
    state.db.publish(&survey, &record).await?;
    state.db.spawn_rollup_builds();
    Ok((StatusCode::CREATED, Json(published(&survey, true, reports))).into_response())
}

fn definition_error(error: DefinitionError, surveyjs_like: bool) -> AppError {
    let (status, code) = match error {
        DefinitionError::Malformed { .. } => {
            (StatusCode::BAD_REQUEST, ErrorCode::MalformedDefinition)
        }
        DefinitionError::Invalid(_) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidDefinition,
        ),
    };
    let problems = error.problems();
    let hint = if surveyjs_like {
        " (this looks like a SurveyJS definition: publish it with ?format=surveyjs)"
    } else {
        ""
    };
    AppError::client(
        status,
        code,
        format!("the definition has {} problem(s){hint}", problems.len()),
    )
    .with_details(json!(problems))
}

fn import_surveyjs(
    body: &Value,
    query: &PublishQuery,
) -> Result<(Survey, Vec<ImportReport>), AppError> {
    let options = surveyjs::Options {
        id: query.id.clone(),
        version: query.version,
    };
    let reported = |reports: &[surveyjs::Report]| -> Vec<ImportReport> {
        reports.iter().map(ImportReport::from).collect()
    };
    match surveyjs::import_with(body, &options) {
        Ok(import) if query.strict && !import.reports.is_empty() => Err(AppError::client(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::ImportReported,
            format!(
                "{} part(s) of the SurveyJS definition would not be imported as they are (strict)",
                import.reports.len()
            ),
        )
        .with_details(json!(reported(&import.reports)))),
        Ok(import) => Ok((import.survey, reported(&import.reports))),
        Err(surveyjs::ImportError::NotAnObject(found)) => Err(AppError::client(
            StatusCode::BAD_REQUEST,
            ErrorCode::MalformedDefinition,
            format!("a SurveyJS definition is a JSON object, not {found}"),
        )),
        Err(surveyjs::ImportError::NothingImported { reports }) => Err(AppError::client(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::NothingImported,
            "no question of the SurveyJS definition could be imported",
        )
        .with_details(json!(reported(&reports)))),
        Err(surveyjs::ImportError::Invalid { problems, .. }) => {
            Err(definition_error(DefinitionError::Invalid(problems), false))
        }
    }
}

fn published(survey: &Survey, created: bool, reports: Vec<ImportReport>) -> Published {
    Published {
        id: survey.id.clone(),
        version: survey.version,
        created,
        reports,
    }
}

/// `GET /api/v1/surveys/{id}`: the latest published definition. A page on one of the survey's
/// allowed origins may read it (CORS).
#[utoipa::path(
    get,
    path = "/v1/surveys/{id}",
    tag = PUBLIC,
    params(
        ("id" = String, Path, description = "The survey id"),
        ("Origin" = Option<String>, Header, description = "When it is on the survey's allowed \
            origins, the reply carries `Access-Control-Allow-Origin` with it"),
    ),
    responses(
        (status = 200, description = "The latest published version", body = SurveySchema),
        (status = 404, description = "`not_found`: no such survey", body = ErrorBody),
    )
)]
pub async fn get_survey(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    CrossOrigin(origin): CrossOrigin,
) -> Result<Response, AppError> {
    let survey = latest(&state, &id).await?;
    let mut response = Json(survey).into_response();
    if let Some(origin) = origin
        && state.db.allowed_origins(&id).await?.contains(&origin)
    {
        allow_origin(&mut response, &origin);
    }
    vary_origin(&mut response);
    Ok(response)
}

/// The latest published version of survey `id`, or 404.
pub async fn latest(state: &AppState, id: &str) -> Result<Survey, AppError> {
    state
        .db
        .survey(id, None)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no survey {id:?}")))
}
