//! Webhooks: the endpoints staff register to hear of new responses and of cases, and the
//! deliveries made to them.
//!
//! A delivery is signed as the Standard Webhooks specification says (standardwebhooks.com), so
//! a receiver can use any of its libraries: the headers [`WEBHOOK_ID_HEADER`],
//! [`WEBHOOK_TIMESTAMP_HEADER`] and [`WEBHOOK_SIGNATURE_HEADER`], the signature an HMAC-SHA256
//! of `{id}.{timestamp}.{body}` with the endpoint's secret. The id is the delivery's and stays
//! the same on every attempt, so a receiver that has seen it drops the repeat.

use chrono::{DateTime, FixedOffset};
use manyi_core::Problem;
use serde::{Deserialize, Serialize};

use crate::string_enum::string_enum;

/// The header that carries a delivery's id, the same on every attempt.
pub const WEBHOOK_ID_HEADER: &str = "webhook-id";
/// The header that carries an attempt's time, in seconds since the Unix epoch.
pub const WEBHOOK_TIMESTAMP_HEADER: &str = "webhook-timestamp";
/// The header that carries the attempt's signatures (`v1,{base64}`, separated by spaces).
pub const WEBHOOK_SIGNATURE_HEADER: &str = "webhook-signature";

/// The most endpoints one server keeps: each event is delivered to each endpoint that takes it.
pub const MAX_WEBHOOK_ENDPOINTS: usize = 20;
/// The most characters of an endpoint's URL.
pub const MAX_WEBHOOK_URL_LENGTH: usize = 2_000;

string_enum! {
    /// What an endpoint hears of: `response.created` (a response was stored), `case.opened`
    /// (a response opened a follow-up case) or `case.updated` (staff changed a case).
    pub enum WebhookEvent {
        ResponseCreated = "response.created",
        CaseOpened = "case.opened",
        CaseUpdated = "case.updated",
    }
}

/// The body that registers an endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewWebhookEndpoint {
    /// Where deliveries are posted: `https://…`, or `http://` to this machine (`localhost`,
    /// `127.0.0.1`, `[::1]`) for trying it out; no user name or password, no fragment.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "https://crm.example.com/hooks/manyi")
    )]
    pub url: String,
    /// The events it hears of: at least one, each once.
    #[cfg_attr(feature = "openapi", schema(example = json!(["case.opened", "case.updated"])))]
    pub events: Vec<WebhookEvent>,
    /// Only this survey's events; absent for every survey's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survey_id: Option<String>,
}

impl NewWebhookEndpoint {
    /// Every problem of the body, with JSON paths from `$`: the URL's form (the server may
    /// refuse more, such as addresses of its own network), no events, an unknown or repeated
    /// event.
    pub fn problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut push = |path: String, message: String| problems.push(Problem { path, message });
        if let Err(message) = check_url(&self.url) {
            push("$.url".to_owned(), message);
        }
        if self.events.is_empty() {
            push(
                "$.events".to_owned(),
                "name at least one event: response.created, case.opened or case.updated".to_owned(),
            );
        }
        for (i, event) in self.events.iter().enumerate() {
            if let WebhookEvent::Other(name) = event {
                push(
                    format!("$.events[{i}]"),
                    format!(
                        "{name:?} is no event; they are response.created, case.opened and \
                         case.updated"
                    ),
                );
            } else if self.events[..i].contains(event) {
                push(format!("$.events[{i}]"), format!("{event} is named twice"));
            }
        }
        problems
    }
}

/// Whether `url` may receive deliveries; the reason when not.
fn check_url(url: &str) -> Result<(), String> {
    if url.chars().count() > MAX_WEBHOOK_URL_LENGTH {
        return Err(format!(
            "a URL is at most {MAX_WEBHOOK_URL_LENGTH} characters"
        ));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("a URL has no spaces or control characters".to_owned());
    }
    let (secure, rest) = if let Some(rest) = url.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = url.strip_prefix("http://") {
        (false, rest)
    } else {
        return Err(format!("{url:?} is not an https:// URL"));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err("a URL carries no user name or password: the secret signs deliveries".into());
    }
    if url.contains('#') {
        return Err("a URL has no fragment (#…), which is never sent".to_owned());
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    if host.is_empty() {
        return Err(format!("{url:?} names no host"));
    }
    let loopback = host.eq_ignore_ascii_case("localhost") || host == "127.0.0.1" || host == "::1";
    if !secure && !loopback {
        return Err(format!(
            "{url:?} is not an https:// URL; http:// is only for this machine (localhost)"
        ));
    }
    Ok(())
}

/// A registered endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookEndpoint {
    /// Made by the server.
    pub id: String,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    /// Only this survey's events; absent for every survey's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survey_id: Option<String>,
    #[serde(deserialize_with = "manyi_core::time::deserialize")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: DateTime<FixedOffset>,
    /// The signing secret (`whsec_` and base64), only in the reply to the endpoint's
    /// creation: the server keeps it to sign deliveries and never shows it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// The registered endpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookEndpoints {
    pub endpoints: Vec<WebhookEndpoint>,
}

string_enum! {
    /// Where a delivery stands: `pending` (not yet received; another attempt is due at
    /// `next_attempt_at`), `delivered` (the endpoint answered 2xx) or `failed` (given up).
    pub enum DeliveryStatus {
        Pending = "pending",
        Delivered = "delivered",
        Failed = "failed",
    }
}

/// One event's delivery to one endpoint, over all its attempts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Delivery {
    /// The `webhook-id` every attempt carries.
    pub id: String,
    pub endpoint_id: String,
    pub event: WebhookEvent,
    /// When the event happened.
    #[serde(deserialize_with = "manyi_core::time::deserialize")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: DateTime<FixedOffset>,
    /// Attempts made so far.
    pub attempts: u32,
    pub status: DeliveryStatus,
    /// Why the last attempt failed (a status code, a timeout), if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// When the next attempt is due, while the delivery is pending.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "manyi_core::time::deserialize_option"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub next_attempt_at: Option<DateTime<FixedOffset>>,
}

/// A page of deliveries, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryPage {
    pub deliveries: Vec<Delivery>,
    /// Pass back for the next (older) page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}
