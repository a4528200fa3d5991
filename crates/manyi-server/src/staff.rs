//! Staff endpoints, each behind a bearer token ([`Staff`]): publishing definitions, the list of
//! surveys, the report, exports and deleting a response.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset, NaiveDate};
use manyi_core::export::{self, Cell, ExportTable};
use manyi_core::report::{
    BucketSpec, BucketUnit, MetaFilter, ReportOptions, build_report_from_table,
};
use manyi_core::score::Plan;
use manyi_core::surveyjs;
use manyi_core::validate::{DefinitionError, parse_survey};
use manyi_core::{ResponseTable, Survey};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::app::{ApiPath, ApiQuery, AppState, JsonBody};
use crate::auth::Staff;
use crate::db::SurveySummary;
use crate::error::{AppError, ErrorBody};
use crate::openapi::{BinarySchema, ReportSchema, ResponseSchema, STAFF, SurveySchema};

/// `GET /api/v1/surveys`: every survey's latest version.
#[utoipa::path(
    get,
    path = "/v1/surveys",
    tag = STAFF,
    security(("staff_token" = [])),
    responses(
        (status = 200, description = "Every survey's latest version, with its number of versions and responses and its allowed origins", body = Vec<SurveySummary>),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
    )
)]
pub async fn list_surveys(
    _staff: Staff,
    State(state): State<AppState>,
) -> Result<Json<Vec<SurveySummary>>, AppError> {
    Ok(Json(state.db.surveys().await?))
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
        (status = 409, description = "`version_exists`: this version is published with other content; the message names the next version", body = ErrorBody),
        (status = 413, description = "`body_too_large`", body = ErrorBody),
        (status = 422, description = "`invalid_definition`: every problem in `details` as `{\"path\", \"message\"}`; with `format=surveyjs` also `nothing_imported` (no question could be imported) and, with `strict=true`, `import_reported`, each with the import reports in `details`", body = ErrorBody),
    )
)]
pub async fn publish_survey(
    _staff: Staff,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<PublishQuery>,
    JsonBody(body): JsonBody,
) -> Result<Response, AppError> {
    let (survey, reports) = match query.format {
        DefinitionFormat::Manyi => {
            if query.id.is_some() || query.version.is_some() || query.strict {
                return Err(AppError::client(
                    StatusCode::BAD_REQUEST,
                    "invalid_query",
                    "id, version and strict apply only to format=surveyjs",
                ));
            }
            let survey = parse_survey(&body.to_string())
                .map_err(|error| definition_error(error, looks_like_surveyjs(&body)))?;
            (survey, Vec::new())
        }
        DefinitionFormat::Surveyjs => import_surveyjs(&body, &query)?,
    };
    if let Some(latest) = state.db.survey(&survey.id, None).await? {
        if survey.version == latest.version && survey == latest {
            return Ok((StatusCode::OK, Json(published(&survey, false, reports))).into_response());
        }
        if survey.version <= latest.version {
            return Err(AppError::client(
                StatusCode::CONFLICT,
                "version_exists",
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
    state.db.publish(&survey).await?;
    Ok((StatusCode::CREATED, Json(published(&survey, true, reports))).into_response())
}

/// How the body of `POST /api/v1/surveys` is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DefinitionFormat {
    /// A manyi definition.
    #[default]
    Manyi,
    /// A SurveyJS JSON definition, imported into a manyi definition first.
    Surveyjs,
}

/// How to read a published definition.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublishQuery {
    /// `manyi` (the default) or `surveyjs`.
    #[serde(default)]
    #[param(inline)]
    format: DefinitionFormat,
    /// With `format=surveyjs`: the survey id (default: made from the title).
    id: Option<String>,
    /// With `format=surveyjs`: the version (default: 1).
    version: Option<u32>,
    /// With `format=surveyjs`: refuse the import (422 `import_reported`) when anything is
    /// reported, instead of publishing what could be imported.
    #[serde(default)]
    strict: bool,
}

fn definition_error(error: DefinitionError, surveyjs_like: bool) -> AppError {
    let (status, code) = match error {
        DefinitionError::Malformed { .. } => (StatusCode::BAD_REQUEST, "malformed_definition"),
        DefinitionError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_definition"),
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

/// Whether a body that is not a manyi definition has SurveyJS's shape: elements rather than
/// questions, and no manyi id or version.
fn looks_like_surveyjs(body: &Value) -> bool {
    let has_elements = body.get("elements").is_some()
        || body["pages"]
            .as_array()
            .is_some_and(|pages| pages.iter().any(|p| p.get("elements").is_some()));
    has_elements && body.get("version").is_none()
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
            "import_reported",
            format!(
                "{} part(s) of the SurveyJS definition would not be imported as they are (strict)",
                import.reports.len()
            ),
        )
        .with_details(json!(reported(&import.reports)))),
        Ok(import) => Ok((import.survey, reported(&import.reports))),
        Err(surveyjs::ImportError::NotAnObject(found)) => Err(AppError::client(
            StatusCode::BAD_REQUEST,
            "malformed_definition",
            format!("a SurveyJS definition is a JSON object, not {found}"),
        )),
        Err(surveyjs::ImportError::NothingImported { reports }) => Err(AppError::client(
            StatusCode::UNPROCESSABLE_ENTITY,
            "nothing_imported",
            "no question of the SurveyJS definition could be imported",
        )
        .with_details(json!(reported(&reports)))),
        Err(surveyjs::ImportError::Invalid { problems, .. }) => {
            Err(definition_error(DefinitionError::Invalid(problems), false))
        }
    }
}

/// Something in a SurveyJS definition that was not imported as it was.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// A JSON path into the SurveyJS definition, such as `$.pages[0].elements[3].visibleIf`.
    pub path: String,
    /// `element` (not imported), `property` (not imported), `condition` (not imported; the
    /// question behaves as without it) or `changed` (imported with a change).
    pub kind: String,
    /// What happened and why.
    pub message: String,
}

impl From<&surveyjs::Report> for ImportReport {
    fn from(r: &surveyjs::Report) -> ImportReport {
        let kind = serde_json::to_value(r.kind)
            .ok()
            .and_then(|k| k.as_str().map(str::to_owned))
            .unwrap_or_default();
        ImportReport {
            path: r.path.clone(),
            kind,
            message: r.message.clone(),
        }
    }
}

/// The reply to a publication.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Published {
    pub id: String,
    pub version: u32,
    /// Whether this request stored the version (false: it was already there, identical).
    pub created: bool,
    /// With `format=surveyjs`: what was not imported as it was (absent when nothing).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reports: Vec<ImportReport>,
}

fn published(survey: &Survey, created: bool, reports: Vec<ImportReport>) -> Published {
    Published {
        id: survey.id.clone(),
        version: survey.version,
        created,
        reports,
    }
}

async fn latest(state: &AppState, id: &str) -> Result<Survey, AppError> {
    state
        .db
        .survey(id, None)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no survey {id:?}")))
}

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

fn invalid_query(message: String) -> AppError {
    AppError::client(StatusCode::BAD_REQUEST, "invalid_query", message)
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

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum ExportFormat {
    Json,
    Csv,
    Xlsx,
}

impl std::str::FromStr for ExportFormat {
    type Err = String;

    fn from_str(text: &str) -> Result<ExportFormat, String> {
        match text {
            "json" => Ok(ExportFormat::Json),
            "csv" => Ok(ExportFormat::Csv),
            "xlsx" => Ok(ExportFormat::Xlsx),
            other => Err(format!("format {other:?} is not one of json, csv, xlsx")),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `json` (the default), `csv` or `xlsx`. Read here rather than by serde so an unknown
    /// format gets the API's error.
    #[param(inline, value_type = Option<ExportFormat>)]
    format: Option<String>,
}

/// `GET /api/v1/surveys/{id}/responses?format=json|csv|xlsx`. CSV is UTF-8 with a byte-order
/// mark so Excel shows Chinese, in the column layout `manyi score` reads back; XLSX has the same
/// columns with numbers as numbers.
#[utoipa::path(
    get,
    path = "/v1/surveys/{id}/responses",
    tag = STAFF,
    security(("staff_token" = [])),
    params(("id" = String, Path, description = "The survey id"), ExportQuery),
    responses(
        (status = 200, description = "The stored responses, oldest submission first; CSV and XLSX as attachments",
            content(
                (Vec<ResponseSchema> = "application/json"),
                (String = "text/csv; charset=utf-8"),
                (BinarySchema = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            )),
        (status = 400, description = "`invalid_query`: an unknown format", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such survey", body = ErrorBody),
    )
)]
pub async fn export_responses(
    _staff: Staff,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<Response, AppError> {
    let survey = latest(&state, &id).await?;
    let responses = state.db.responses(&id).await?;
    let attachment = |content_type: &str, extension: &str, body: Vec<u8>| {
        (
            [
                (header::CONTENT_TYPE, content_type.to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{id}-responses.{extension}\""),
                ),
            ],
            body,
        )
            .into_response()
    };
    let format = match query.format.as_deref() {
        None => ExportFormat::Json,
        Some(text) => text.parse().map_err(invalid_query)?,
    };
    match format {
        ExportFormat::Json => Ok(Json(responses).into_response()),
        ExportFormat::Csv => Ok(attachment(
            "text/csv; charset=utf-8",
            "csv",
            export::csv(&export::table(&survey, &responses)).into_bytes(),
        )),
        ExportFormat::Xlsx => Ok(attachment(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
            to_xlsx(&export::table(&survey, &responses))?,
        )),
    }
}

fn to_xlsx(ExportTable { header, rows }: &ExportTable) -> Result<Vec<u8>, AppError> {
    let xlsx_error = |e: rust_xlsxwriter::XlsxError| AppError::Internal(format!("xlsx: {e}"));
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("responses").map_err(xlsx_error)?;
    for (c, name) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, name).map_err(xlsx_error)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Empty => {}
                Cell::Text(t) => {
                    sheet.write_string(r, c, t).map_err(xlsx_error)?;
                }
                Cell::Number(x) => {
                    sheet.write_number(r, c, *x).map_err(xlsx_error)?;
                }
            }
        }
    }
    workbook.save_to_buffer().map_err(xlsx_error)
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
        (status = 404, description = "`not_found`: no such response", body = ErrorBody),
    )
)]
pub async fn delete_response(
    staff: Staff,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, AppError> {
    if state.db.delete_response(&id).await? {
        tracing::info!(response = %id, by = %staff.name, "response deleted");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::not_found(format!("no response {id:?}")))
    }
}
