//! The outbox state machine driven by the server's replies as they are written on the wire: what
//! leaves, what stays, what is sent next.

use manyi_api::{BatchReply, ItemResult};
use manyi_core::outbox::{OutboxItem, apply_reply, next_batch};
use serde_json::json;

fn item(n: u32) -> OutboxItem {
    let survey = manyi_core::templates::get("nps").unwrap().unwrap();
    let response: manyi_core::Response = serde_json::from_value(json!({
        "id": format!("00000000-0000-4000-8000-{n:012}"),
        "survey_id": "nps", "survey_version": 1, "answers": {"nps": 9}
    }))
    .unwrap();
    OutboxItem::new(
        &survey,
        response,
        "2026-11-22T10:00:00+08:00".parse().unwrap(),
    )
}

fn id(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

fn reply(results: serde_json::Value) -> BatchReply {
    // Read from text, as a client reads it (error details are kept as raw JSON text).
    BatchReply::new(serde_json::from_str::<Vec<ItemResult>>(&results.to_string()).unwrap())
}

#[test]
fn acknowledged_items_leave_refused_ones_stay_with_their_reason() {
    let mut items: Vec<OutboxItem> = (1..=5).map(item).collect();
    let sent: Vec<String> = next_batch(&items, 4)
        .iter()
        .map(|&i| items[i].response.id.clone())
        .collect();
    assert_eq!(sent, [id(1), id(2), id(3), id(4)]);
    let applied = apply_reply(
        &mut items,
        &sent,
        &reply(json!([
            {"id": id(1), "status": "accepted"},
            {"id": id(2).to_uppercase(), "status": "duplicate"},
            {"id": id(3), "status": "rejected", "error": {"code": "invalid_response", "message": "\"nps\" is required"}},
            {"id": id(4), "status": "conflict", "error": {"code": "conflict", "message": "a different response with this id is already stored"}},
        ])).verdicts(),
    );
    assert_eq!((applied.delivered, applied.refused), (2, 2));
    let left: Vec<(&str, Option<&str>)> = items
        .iter()
        .map(|i| {
            (
                i.response.id.as_str(),
                i.refused.as_ref().map(|r| r.code.as_str()),
            )
        })
        .collect();
    assert_eq!(
        left,
        [
            (id(3).as_str(), Some("invalid_response")),
            (id(4).as_str(), Some("conflict")),
            (id(5).as_str(), None)
        ]
    );
    // Refused items are not sent again; the next batch is only what is still pending.
    assert_eq!(next_batch(&items, 500), [2]);
}

#[test]
fn a_reply_that_does_not_match_changes_nothing() {
    let mut items: Vec<OutboxItem> = (1..=3).map(item).collect();
    let sent = vec![id(1), id(2)];
    // Wrong ids, an unknown status, and a short reply: nothing may be dropped on a guess.
    let applied = apply_reply(
        &mut items,
        &sent,
        &reply(json!([
            {"id": id(9), "status": "accepted"},
            {"id": id(2), "status": "queued"},
        ]))
        .verdicts(),
    );
    assert_eq!((applied.delivered, applied.refused), (0, 0));
    assert_eq!(items.len(), 3);
    assert!(items.iter().all(|i| i.refused.is_none()));
}

#[test]
fn items_queued_while_a_batch_was_in_flight_are_kept() {
    let mut items: Vec<OutboxItem> = (1..=2).map(item).collect();
    let sent = vec![id(1), id(2)];
    // A third response is queued (at the front, say, by another tab) before the reply arrives.
    items.insert(0, item(3));
    apply_reply(
        &mut items,
        &sent,
        &reply(json!([{"id": id(1), "status": "accepted"}, {"id": id(2), "status": "accepted"}]))
            .verdicts(),
    );
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].response.id, id(3));
}
