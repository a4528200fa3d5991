//! `POST /api/v1/responses`: the batch limit and the reply, one result per response.

use manyi_core::outbox::{Refusal, Verdict};
use serde::{Deserialize, Serialize};

use crate::error::{ErrorCode, ErrorInfo};
use crate::string_enum::string_enum;

/// The most responses one request may carry; the app's outbox sends batches of this size.
pub const MAX_BATCH: usize = 500;

string_enum! {
    /// What became of one response of a batch: `accepted` (stored now), `duplicate` (already
    /// stored with identical content; nothing changed), `conflict` (already stored with
    /// different content under this id; the stored one stays) or `rejected` (not stored;
    /// `error` says why).
    pub enum ItemStatus {
        Accepted = "accepted",
        Duplicate = "duplicate",
        Conflict = "conflict",
        Rejected = "rejected",
    }
}

/// The outcome for one response of a batch.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemResult {
    /// The response's id, when it had a readable one.
    pub id: Option<String>,
    pub status: ItemStatus,
    /// For `conflict` and `rejected`: `malformed_response`, `unknown_survey`,
    /// `invalid_response` (details: the core's response errors), `origin_not_allowed` or
    /// `conflict`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
}

/// The reply to a batch: counts, and one result per response in the order sent.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchReply {
    pub accepted: usize,
    pub duplicate: usize,
    pub conflict: usize,
    pub rejected: usize,
    pub results: Vec<ItemResult>,
}

impl BatchReply {
    /// The reply for `results`, with the counts made from them.
    pub fn new(results: Vec<ItemResult>) -> BatchReply {
        let count = |status: ItemStatus| results.iter().filter(|r| r.status == status).count();
        BatchReply {
            accepted: count(ItemStatus::Accepted),
            duplicate: count(ItemStatus::Duplicate),
            conflict: count(ItemStatus::Conflict),
            rejected: count(ItemStatus::Rejected),
            results,
        }
    }

    /// What each result means for the outbox, with the id it names, in the order sent.
    pub fn verdicts(&self) -> Vec<(Option<&str>, Verdict)> {
        self.results
            .iter()
            .map(|result| (result.id.as_deref(), result.verdict()))
            .collect()
    }
}

impl ItemResult {
    /// What this result means for the client's copy: acknowledged responses leave the outbox,
    /// refused ones stay with the reason, and a status this build does not know settles
    /// nothing (the response is sent again later).
    pub fn verdict(&self) -> Verdict {
        match &self.status {
            ItemStatus::Accepted | ItemStatus::Duplicate => Verdict::Delivered,
            ItemStatus::Conflict | ItemStatus::Rejected => {
                let (code, message) = match &self.error {
                    Some(error) => (error.code.clone(), error.message.clone()),
                    None => (ErrorCode::from(self.status.as_str()), String::new()),
                };
                Verdict::Refused(Refusal {
                    code: code.as_str().to_owned(),
                    message,
                })
            }
            ItemStatus::Other(_) => Verdict::Unsettled,
        }
    }
}
