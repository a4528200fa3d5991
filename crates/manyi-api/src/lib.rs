//! manyi-api: the HTTP contract between `manyi serve`, the browser app and the CLI.
//!
//! Every type that crosses HTTP is defined here once: the server serialises it, the app and the
//! CLI deserialise it, and the server's OpenAPI document is derived from it (the `openapi`
//! feature). So is every rule both sides must agree on: the batch limit, how a report's query
//! reads (dates, offsets, buckets, filters), which export formats exist and whether a JSON
//! definition is SurveyJS's. The crate is plain data and pure functions over `manyi-core`'s
//! formats, in the spirit of the `api-boundary` crate of leptos' `login_with_token_csr_only`:
//! no HTTP library, no IO.
//!
//! Enumerations that a newer server may extend ([`ErrorCode`], [`ItemStatus`], [`CaseStatus`],
//! [`CaseEventKind`], [`ContactMethod`], [`WebhookEvent`], [`DeliveryStatus`]) read any value:
//! a code this build does not know is kept as [`ErrorCode::Other`], so an older app never fails
//! to read a newer server's reply.

mod access;
mod cases;
mod error;
mod export;
mod ingest;
mod meta;
#[cfg(feature = "openapi")]
pub mod openapi;
mod query;
mod string_enum;
mod surveys;
mod webhooks;

pub use access::{
    Action, AuditAction, AuditEntry, AuditPage, AuditQuery, DEFAULT_AUDIT_PAGE, MAX_AUDIT_PAGE, Me,
    Role,
};
pub use cases::{
    AlertRules, Case, CaseCursor, CaseEvent, CaseEventKind, CasePage, CaseQuery, CaseStatus,
    CaseSummary, CaseUpdate, CaseView, Contact, ContactMethod, DEFAULT_CASE_PAGE, LoopQuery,
    MAX_CASE_PAGE, OwnerFilter, case_error_code,
};
pub use error::{ErrorBody, ErrorCode, ErrorInfo};
pub use export::ExportFormat;
pub use ingest::{BatchReply, ItemResult, ItemStatus, MAX_BATCH};
pub use meta::{API_BASE, Health, ManyiConfig};
pub use query::{
    DEFAULT_TEXTS, ExportQuery, MAX_TEXTS, QueryError, ReportQuery, TextsQuery, TextsReply,
    parse_filter, parse_instant, parse_offset, too_many_segments,
};
pub use surveys::{
    AllowedOrigins, DefinitionFormat, ImportReport, MAX_ORIGINS, OriginsBody, PublishQuery,
    Published, SurveySummary, Targets, looks_like_surveyjs,
};
pub use webhooks::{
    Delivery, DeliveryPage, DeliveryStatus, MAX_WEBHOOK_ENDPOINTS, MAX_WEBHOOK_URL_LENGTH,
    NewWebhookEndpoint, WEBHOOK_ID_HEADER, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER,
    WebhookEndpoint, WebhookEndpoints, WebhookEvent,
};

/// The loop figures of a period, as the core computes them and the server sends them.
pub use manyi_core::cases::LoopFigures;
