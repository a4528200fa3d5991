//! The outbox state machine: which stored responses to send next, what a server's reply means
//! for each, and how long to wait after a failure. Pure: the app keeps the items in storage,
//! does the HTTP and reads the clock; this module only decides.
//!
//! Rules:
//! - An item leaves the outbox only when the server acknowledged it (`accepted`, or
//!   `duplicate`: already stored with the same content).
//! - `conflict` and `rejected` items stay, marked with the server's reason, and are not sent
//!   again automatically (re-sending the same content would get the same answer); staff see them.
//! - A failed request (no network, timeout, 5xx, a reply that cannot be read) changes no item;
//!   the next attempt waits `min(cap, base · 2^failures)` scaled by a jitter factor in [0.5, 1].

use serde::{Deserialize, Serialize};

use crate::model::{Response, Survey};
use crate::score::{ResponseScores, score_response};

/// Why the server refused an item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refusal {
    /// `conflict`, `invalid_response`, `unknown_survey`, `malformed_response`, …
    pub code: String,
    pub message: String,
}

/// One completed response waiting for the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxItem {
    pub response: Response,
    /// The scores computed on the device (shown to the respondent; the server computes its
    /// own).
    pub scores: ResponseScores,
    #[serde(deserialize_with = "crate::time::deserialize")]
    pub queued_at: chrono::DateTime<chrono::FixedOffset>,
    /// Set when the server refused the item; such items are kept but not re-sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<Refusal>,
}

impl OutboxItem {
    /// `response`, queued at `queued_at`, with the scores `survey` gives it.
    pub fn new(
        survey: &Survey,
        response: Response,
        queued_at: chrono::DateTime<chrono::FixedOffset>,
    ) -> OutboxItem {
        OutboxItem {
            scores: score_response(survey, &response),
            response,
            queued_at,
            refused: None,
        }
    }
}

/// What the server's reply means for one sent item. The wire reply (`manyi_api::BatchReply`)
/// says which, so this module does not depend on how the reply is spelled.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The server has the response (stored now, or already stored identically): it leaves.
    Delivered,
    /// The server refused it: it stays, marked, and is not sent again automatically.
    Refused(Refusal),
    /// Nothing this client understands (a status from a newer server): it is sent again later.
    Unsettled,
}

/// What applying a reply did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// Items removed because the server has them.
    pub delivered: usize,
    /// Items newly marked as refused.
    pub refused: usize,
}

/// The indices of the items to send next: at most `max` of those not refused, oldest first.
pub fn next_batch(items: &[OutboxItem], max: usize) -> Vec<usize> {
    items
        .iter()
        .enumerate()
        .filter(|(_, item)| item.refused.is_none())
        .map(|(i, _)| i)
        .take(max)
        .collect()
}

/// Applies the server's verdicts to the items that were sent (`sent` holds their ids, in the
/// order they were sent; `verdicts` the id each verdict names, when it names one, in the order of
/// the reply). Items are matched by id, so the outbox may have changed meanwhile (a new response
/// queued) without confusion. A reply that does not list a sent id changes nothing for that
/// item: it is sent again later.
pub fn apply_reply(
    items: &mut Vec<OutboxItem>,
    sent: &[String],
    verdicts: &[(Option<&str>, Verdict)],
) -> Applied {
    let mut applied = Applied::default();
    for (id, (named, verdict)) in sent.iter().zip(verdicts) {
        // The verdict must be about this id; a reply in another order is not trusted blindly.
        if named.is_some_and(|v| !v.eq_ignore_ascii_case(id)) {
            continue;
        }
        let Some(index) = items
            .iter()
            .position(|item| item.response.id.eq_ignore_ascii_case(id))
        else {
            continue;
        };
        match verdict {
            Verdict::Delivered => {
                items.remove(index);
                applied.delivered += 1;
            }
            Verdict::Refused(refusal) => {
                items[index].refused = Some(refusal.clone());
                applied.refused += 1;
            }
            Verdict::Unsettled => {}
        }
    }
    applied
}

/// Milliseconds to wait before the next attempt after `failures` failed attempts in a row:
/// `min(cap, base · 2^(failures − 1))` scaled by `0.5 + jitter / 2`, with `jitter` in [0, 1)
/// supplied by the caller (so many devices coming back online do not all retry at once).
pub fn backoff_ms(failures: u32, base_ms: u64, cap_ms: u64, jitter: f64) -> u64 {
    if failures == 0 {
        return 0;
    }
    let exponent = (failures - 1).min(32);
    let delay = base_ms.saturating_mul(1u64 << exponent).min(cap_ms);
    let factor = 0.5 + jitter.clamp(0.0, 1.0) / 2.0;
    (delay as f64 * factor).round() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter_between_half_and_full() {
        assert_eq!(backoff_ms(0, 1000, 60_000, 0.3), 0);
        assert_eq!(backoff_ms(1, 1000, 60_000, 1.0), 1000);
        assert_eq!(backoff_ms(1, 1000, 60_000, 0.0), 500);
        assert_eq!(backoff_ms(4, 1000, 60_000, 1.0), 8000);
        assert_eq!(backoff_ms(10, 1000, 60_000, 1.0), 60_000);
        assert_eq!(backoff_ms(200, 1000, 60_000, 0.0), 30_000);
        assert_eq!(backoff_ms(3, 1000, 60_000, 2.5), 4000, "jitter is clamped");
    }
}
