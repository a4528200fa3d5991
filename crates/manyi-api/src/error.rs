//! The body of every error reply, and the codes it carries.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::string_enum::string_enum;

/// The body of every error reply. The OpenAPI document describes errors with this type and
/// `AppError` writes it, so the two cannot disagree.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorInfo,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorInfo {
    /// A stable machine-readable code such as `not_found` or `invalid_definition`.
    pub code: ErrorCode,
    /// A sentence for people.
    pub message: String,
    /// More about the problem when there is more, such as every problem of a definition with
    /// its JSON path (`[{"path", "message"}]`); otherwise null.
    // Kept as JSON text so a client that never shows details does not decode them.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<serde_json::Value>))]
    #[serde(default)]
    pub details: Option<Box<RawValue>>,
}

impl ErrorInfo {
    /// An error without details.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ErrorInfo {
        ErrorInfo {
            code,
            message: message.into(),
            details: None,
        }
    }
}

string_enum! {
    /// A stable machine-readable error code. Clients branch on it; the message is for people.
    pub enum ErrorCode {
        /// 404: no such survey, response or endpoint.
        NotFound = "not_found",
        /// 405: the endpoint exists but does not take this method (`Allow` lists those it takes).
        MethodNotAllowed = "method_not_allowed",
        /// 401: no staff token, or one that is unknown or revoked.
        Unauthorized = "unauthorized",
        /// 403: the token's role, or its survey scope, does not allow this; the message says
        /// which roles may.
        Forbidden = "forbidden",
        /// 500: something the client cannot fix; the cause is logged, never sent.
        Internal = "internal",
        /// 400: a query parameter that does not read.
        InvalidQuery = "invalid_query",
        /// 400: a path parameter that does not read.
        InvalidPath = "invalid_path",
        /// 400: a body that is not JSON.
        MalformedJson = "malformed_json",
        /// 400: a body that could not be read.
        UnreadableBody = "unreadable_body",
        /// 413: a body over the server's limit.
        BodyTooLarge = "body_too_large",
        /// 400: a body of the wrong shape (neither a response nor an array of them).
        MalformedBody = "malformed_body",
        /// 400: a batch with no responses.
        EmptyBatch = "empty_batch",
        /// 413: a batch over [`crate::MAX_BATCH`] responses.
        BatchTooLarge = "batch_too_large",
        /// 429: too many requests from one client; wait for `Retry-After`.
        RateLimited = "rate_limited",
        /// 400: a definition not of the definition's shape.
        MalformedDefinition = "malformed_definition",
        /// 422: a definition with problems, each with its JSON path in `details`.
        InvalidDefinition = "invalid_definition",
        /// 409: this version is published with other content.
        VersionExists = "version_exists",
        /// 422: no question of a SurveyJS definition could be imported.
        NothingImported = "nothing_imported",
        /// 422: a strict SurveyJS import would not carry everything over as it was.
        ImportReported = "import_reported",
        /// 400: a targets body of the wrong shape.
        MalformedTargets = "malformed_targets",
        /// 422: targets with problems.
        InvalidTargets = "invalid_targets",
        /// 400: an origins body of the wrong shape.
        MalformedOrigins = "malformed_origins",
        /// 422: origins with problems.
        InvalidOrigins = "invalid_origins",
        /// 403, or one response's refusal: the survey does not take responses from this origin.
        OriginNotAllowed = "origin_not_allowed",
        /// One response's refusal: not of the response's shape.
        MalformedResponse = "malformed_response",
        /// One response's refusal: no such survey version.
        UnknownSurvey = "unknown_survey",
        /// One response's refusal: answers that do not fit the survey (`details`: the core's
        /// response errors).
        InvalidResponse = "invalid_response",
        /// One response's refusal: a different response with this id is stored.
        Conflict = "conflict",
        /// 400: an alert rules body of the wrong shape.
        MalformedAlertRules = "malformed_alert_rules",
        /// 422: alert rules with problems, each in `details` as `{"rule", "path", "position",
        /// "message"}` (`position`: the character of the rule's `when` it points at).
        InvalidAlertRules = "invalid_alert_rules",
        /// 400: a change to a case of the wrong shape.
        MalformedCaseUpdate = "malformed_case_update",
        /// 422: a change no case takes: an empty or over-long text, an end without a
        /// resolution, a resolution on a change to `in_progress`.
        InvalidCaseUpdate = "invalid_case_update",
        /// 409: a change the case's status does not allow now, one from a status the case has
        /// left meanwhile, or an assignment to the owner it has.
        CaseConflict = "case_conflict",
        /// 400: a webhook endpoint body of the wrong shape.
        MalformedWebhook = "malformed_webhook",
        /// 422: a webhook endpoint with problems, each with its JSON path in `details`.
        InvalidWebhook = "invalid_webhook",
    }
}
