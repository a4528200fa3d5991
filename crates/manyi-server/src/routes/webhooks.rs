//! Webhooks, for administrators: the endpoints events are sent to, and each one's deliveries,
//! which may be sent again. Sending is `crate::webhooks`'.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use manyi_api::{
    Action, AuditAction, Delivery, DeliveryPage, ErrorBody, ErrorCode, NewWebhookEndpoint,
    WebhookEndpoint, WebhookEndpoints,
};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Staff;
use crate::db::AuditRecord;
use crate::error::AppError;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::openapi::STAFF;
use crate::state::AppState;

/// `GET /api/v1/webhooks`.
#[utoipa::path(
    get,
    path = "/v1/webhooks",
    tag = STAFF,
    security(("staff_token" = [])),
    responses(
        (status = 200, description = "The endpoints, oldest first, without their secrets", body = WebhookEndpoints),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: only admin tokens manage webhooks", body = ErrorBody),
    )
)]
pub async fn list_webhooks(
    staff: Staff,
    State(state): State<AppState>,
) -> Result<Json<WebhookEndpoints>, AppError> {
    staff.allow(Action::ManageWebhooks)?;
    Ok(Json(WebhookEndpoints {
        endpoints: state.db.webhook_endpoints().await?,
    }))
}

/// `POST /api/v1/webhooks`: adds an endpoint. The reply holds its signing secret, which is
/// never shown again.
#[utoipa::path(
    post,
    path = "/v1/webhooks",
    tag = STAFF,
    security(("staff_token" = [])),
    request_body = NewWebhookEndpoint,
    responses(
        (status = 201, description = "The endpoint, with its secret (`whsec_…`) this once", body = WebhookEndpoint),
        (status = 400, description = "`malformed_json`, `unreadable_body`, or `malformed_webhook`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: only admin tokens manage webhooks", body = ErrorBody),
        (status = 422, description = "`invalid_webhook`: every problem in `details` (a URL that is not https, events unknown or repeated), or too many endpoints", body = ErrorBody),
    )
)]
pub async fn add_webhook(
    staff: Staff,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<Value>,
) -> Result<(StatusCode, Json<WebhookEndpoint>), AppError> {
    staff.allow(Action::ManageWebhooks)?;
    let endpoint: NewWebhookEndpoint = serde_json::from_value(body).map_err(|e| {
        AppError::client(
            StatusCode::BAD_REQUEST,
            ErrorCode::MalformedWebhook,
            format!("send {{\"url\", \"events\": [...], \"survey_id\"}}: {e}"),
        )
    })?;
    let problems = endpoint.problems();
    if !problems.is_empty() {
        let details: Vec<Value> = problems
            .iter()
            .map(|p| json!({"path": p.path, "message": p.message}))
            .collect();
        return Err(AppError::client(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidWebhook,
            format!("the endpoint has {} problem(s)", problems.len()),
        )
        .with_details(Value::Array(details)));
    }
    let events: Vec<&str> = endpoint.events.iter().map(|e| e.as_str()).collect();
    let secret = crate::webhooks::sign::new_secret()
        .map_err(|e| AppError::Internal(format!("no randomness from the system: {e}")))?;
    let created = state
        .db
        .add_webhook(&endpoint, secret, |id| {
            AuditRecord::by(
                &staff,
                AuditAction::AddWebhook,
                endpoint.survey_id.as_deref(),
                format!("{id} {} ({})", endpoint.url, events.join(", ")),
            )
        })
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// `DELETE /api/v1/webhooks/{id}`: removes an endpoint and its deliveries; nothing more is
/// sent to it.
#[utoipa::path(
    delete,
    path = "/v1/webhooks/{id}",
    tag = STAFF,
    security(("staff_token" = [])),
    params(("id" = String, Path, description = "The endpoint id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: only admin tokens manage webhooks", body = ErrorBody),
        (status = 404, description = "`not_found`: no such endpoint", body = ErrorBody),
    )
)]
pub async fn remove_webhook(
    staff: Staff,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, AppError> {
    staff.allow(Action::ManageWebhooks)?;
    let removed = state
        .db
        .remove_webhook(&id, |url| {
            AuditRecord::by(
                &staff,
                AuditAction::RemoveWebhook,
                None,
                format!("{id} {url}"),
            )
        })
        .await?;
    match removed {
        Some(_) => Ok(StatusCode::NO_CONTENT),
        None => Err(AppError::not_found(format!("no webhook endpoint {id:?}"))),
    }
}

/// A page of deliveries.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// The previous page's `next`.
    pub after: Option<String>,
}

/// `GET /api/v1/webhooks/{id}/deliveries`: the endpoint's deliveries, newest first, 50 at a
/// time.
#[utoipa::path(
    get,
    path = "/v1/webhooks/{id}/deliveries",
    tag = STAFF,
    security(("staff_token" = [])),
    params(("id" = String, Path, description = "The endpoint id"), DeliveryQuery),
    responses(
        (status = 200, description = "A page of deliveries", body = DeliveryPage),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: only admin tokens manage webhooks", body = ErrorBody),
        (status = 404, description = "`not_found`: no such endpoint", body = ErrorBody),
    )
)]
pub async fn list_deliveries(
    staff: Staff,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<DeliveryQuery>,
) -> Result<Json<DeliveryPage>, AppError> {
    staff.allow(Action::ManageWebhooks)?;
    state
        .db
        .deliveries(&id, query.after.as_deref(), 50)
        .await?
        .map(Json)
        .ok_or_else(|| AppError::not_found(format!("no webhook endpoint {id:?}")))
}

/// `POST /api/v1/webhooks/{id}/deliveries/{delivery}/redeliver`: sends a delivery again now,
/// with its id, whatever became of it.
#[utoipa::path(
    post,
    path = "/v1/webhooks/{id}/deliveries/{delivery}/redeliver",
    tag = STAFF,
    security(("staff_token" = [])),
    params(
        ("id" = String, Path, description = "The endpoint id"),
        ("delivery" = String, Path, description = "The delivery id (its `webhook-id`)"),
    ),
    responses(
        (status = 200, description = "The delivery, pending again", body = Delivery),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: only admin tokens manage webhooks", body = ErrorBody),
        (status = 404, description = "`not_found`: no such delivery of this endpoint", body = ErrorBody),
    )
)]
pub async fn redeliver(
    staff: Staff,
    State(state): State<AppState>,
    ApiPath((id, delivery)): ApiPath<(String, String)>,
) -> Result<Json<Delivery>, AppError> {
    staff.allow(Action::ManageWebhooks)?;
    let record = AuditRecord::by(&staff, AuditAction::Redeliver, None, delivery.clone());
    state
        .db
        .redeliver(&id, &delivery, &record)
        .await?
        .map(Json)
        .ok_or_else(|| AppError::not_found(format!("no delivery {delivery:?} of {id:?}")))
}
