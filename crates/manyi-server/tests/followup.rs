//! Closing the loop through the API, on SQLite and PostgreSQL: alert rules checked and kept,
//! cases opened in the storing transaction (once per response), handled through their
//! statuses, the loop's figures, and webhooks delivered to a real receiver on loopback, signed,
//! through failures and timeouts, by one sender or two.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::*;
use hmac::{Hmac, KeyInit, Mac};
use manyi_api::Role;
use manyi_server::webhooks::{WebhookConfig, spawn_sender};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::sync::mpsc;

fn detractor(id: &str, score: u8, location: &str) -> Value {
    let mut response = nps_response(id, score);
    response["meta"]["location"] = json!(location);
    response
}

const RULES: &str = r#"{"rules": [
    {"id": "detractor", "name": "贬损者回访", "when": "nps <= 6", "severity": "high",
     "owner": {"meta": "location"}, "service_hours": 24},
    {"id": "angry", "name": "Very unhappy", "when": "nps <= 2 or reason contains \"投诉\"", "severity": "critical",
     "owner": {"fixed": "hq"}, "service_hours": 4}
]}"#;

#[tokio::test]
async fn rules_open_one_case_per_response_and_staff_handle_it() {
    for b in backends().await {
        let admin = staff_token(&b).await;
        let r = &b.router;

        // A rule that does not read is refused with where, and nothing is stored.
        let (status, body) = staff_call(
            r,
            &admin,
            "PUT",
            "/api/v1/surveys/nps/alerts",
            Some(r#"{"rules": [{"id": "x", "name": "x", "when": "nps <= ", "severity": "low", "owner": {"fixed": "a"}, "service_hours": 1}]}"#.into()),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["code"], "invalid_alert_rules");
        assert_eq!(body["error"]["details"][0]["path"], "$.rules[0].when");
        assert!(body["error"]["details"][0]["position"].is_u64(), "{body}");
        let (_, body) = staff_call(r, &admin, "GET", "/api/v1/surveys/nps/alerts", None).await;
        assert_eq!(body["rules"], json!([]));
        let (status, body) = staff_call(
            r,
            &admin,
            "PUT",
            "/api/v1/surveys/nps/alerts",
            Some(r#"{"rules": [{"id": "x", "name": "x", "when": "mood <= 2", "severity": "low", "owner": {"fixed": "a"}, "service_hours": 1}]}"#.into()),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

        let (status, body) = staff_call(
            r,
            &admin,
            "PUT",
            "/api/v1/surveys/nps/alerts",
            Some(RULES.into()),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // An endpoint for every event, with no sender running: its deliveries stay queued.
        let (_, endpoint) = add_endpoint(
            r,
            &admin,
            "https://crm.example.com/hook",
            &["response.created", "case.opened", "case.updated"],
        )
        .await;
        let deliveries_uri = format!(
            "/api/v1/webhooks/{}/deliveries",
            endpoint["id"].as_str().unwrap()
        );
        let queued = |events: &Value| -> Vec<String> {
            let mut kinds: Vec<String> = events["deliveries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["event"].as_str().unwrap().to_owned())
                .collect();
            kinds.sort();
            kinds
        };

        // A detractor, a promoter, and the detractor again (a retried batch).
        let batch = json!([
            detractor(&uuid(1), 3, "b001"),
            detractor(&uuid(2), 9, "b001"),
        ]);
        let (status, _) = call(r, "POST", "/api/v1/responses", Some(batch.to_string())).await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = call(
            r,
            "POST",
            "/api/v1/responses",
            Some(detractor(&uuid(1), 3, "b001").to_string()),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, page) = staff_call(r, &admin, "GET", "/api/v1/cases", None).await;
        let cases = page["cases"].as_array().unwrap();
        assert_eq!(cases.len(), 1, "{page}");
        // `response.created` is queued as the responses leave the pending list.
        b.db.fold_rollups().await.unwrap();
        // The duplicate queued nothing either.
        let (_, events) = staff_call(r, &admin, "GET", &deliveries_uri, None).await;
        assert_eq!(
            queued(&events),
            ["case.opened", "response.created", "response.created"]
        );
        let case = &cases[0];
        assert_eq!(case["response_id"], uuid(1));
        assert_eq!(case["status"], "open");
        assert_eq!(case["severity"], "high");
        assert_eq!(case["owner"], "b001");
        assert_eq!(case["location"], "b001");
        assert_eq!(
            case["rules"],
            json!([{"id": "detractor", "name": "贬损者回访"}])
        );
        let opened =
            chrono::DateTime::parse_from_rfc3339(case["opened_at"].as_str().unwrap()).unwrap();
        let due = chrono::DateTime::parse_from_rfc3339(case["due_at"].as_str().unwrap()).unwrap();
        assert_eq!(due - opened, chrono::TimeDelta::hours(24));
        let id = case["id"].as_str().unwrap().to_owned();

        // Filters: by owner, unassigned, status, overdue.
        for (query, expected) in [
            ("owner=b001", 1),
            ("owner=b002", 0),
            ("unassigned=true", 0),
            ("status=open,in_progress", 1),
            ("status=resolved", 0),
            ("overdue=true", 0),
            ("location=b001&survey=nps", 1),
        ] {
            let (status, page) =
                staff_call(r, &admin, "GET", &format!("/api/v1/cases?{query}"), None).await;
            assert_eq!(status, StatusCode::OK, "{query}: {page}");
            assert_eq!(page["cases"].as_array().unwrap().len(), expected, "{query}");
        }
        let (status, body) = staff_call(r, &admin, "GET", "/api/v1/cases?status=lost", None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

        // Roles: an analyst reads but does not handle; a case handler of another survey
        // neither.
        let analyst = token_with(&b, "ana", Role::Analyst, None).await;
        let other = token_with(&b, "csat-desk", Role::CaseHandler, Some(&["csat"])).await;
        let handler = token_with(&b, "alice", Role::CaseHandler, Some(&["nps"])).await;
        let case_uri = format!("/api/v1/cases/{id}");
        let events_uri = format!("/api/v1/cases/{id}/events");
        let note = r#"{"kind": "note", "text": "打电话了，客户说排队一小时", "contacted": true}"#;
        assert_eq!(
            staff_call(r, &analyst, "GET", &case_uri, None).await.0,
            StatusCode::OK
        );
        assert_eq!(
            staff_call(r, &analyst, "POST", &events_uri, Some(note.into()))
                .await
                .0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            staff_call(r, &other, "GET", &case_uri, None).await.0,
            StatusCode::FORBIDDEN
        );
        let (_, page) = staff_call(r, &other, "GET", "/api/v1/cases", None).await;
        assert_eq!(page["cases"], json!([]));

        // The case handled: assigned, noted, resolved; refusals on the way change nothing.
        let step = |body: &'static str| {
            let (r, handler, events_uri) = (r.clone(), handler.clone(), events_uri.clone());
            async move { staff_call(&r, &handler, "POST", &events_uri, Some(body.into())).await }
        };
        let (status, view) = step(r#"{"kind": "assign", "owner": "alice"}"#).await;
        assert_eq!(status, StatusCode::OK, "{view}");
        assert_eq!(view["owner"], "alice");
        assert!(view["first_action_at"].is_string());
        let (status, body) = step(r#"{"kind": "assign", "owner": "alice"}"#).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (StatusCode::CONFLICT, Some("case_conflict"))
        );
        assert_eq!(step(note).await.0, StatusCode::OK);
        let (status, body) = step(r#"{"kind": "status", "to": "resolved"}"#).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("invalid_case_update")
            )
        );
        let (status, body) = step(r#"{"kind": "status", "to": "reopened"}"#).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let (status, view) = step(
            r#"{"kind": "status", "from": "open", "to": "resolved", "resolution": "加开窗口"}"#,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{view}");
        assert_eq!(view["status"], "resolved");
        assert_eq!(view["resolution"], "加开窗口");
        assert_eq!(view["contacted"], true);
        let (status, _) = step(r#"{"kind": "status", "from": "open", "to": "in_progress"}"#).await;
        assert_eq!(status, StatusCode::CONFLICT);

        // Each accepted change queued a `case.updated`; the refused ones nothing.
        let (_, events) = staff_call(r, &admin, "GET", &deliveries_uri, None).await;
        assert_eq!(
            queued(&events)
                .iter()
                .filter(|e| *e == "case.updated")
                .count(),
            3
        );
        let (status, view) = staff_call(r, &analyst, "GET", &case_uri, None).await;
        assert_eq!(status, StatusCode::OK);
        let kinds: Vec<&str> = view["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["opened", "assigned", "note", "status_changed"]);
        assert_eq!(view["events"][0]["by"], "manyi");
        assert_eq!(view["events"][1]["by"], "alice");
        assert_eq!(view["response"]["answers"]["nps"], 3.0);
        assert_eq!(view["scores"]["nps"]["category"], "detractor");

        // The loop's figures over a period holding the two responses (submitted 2026-11-22)
        // and the case (opened now).
        let now = chrono::Utc::now();
        let uri = format!(
            "/api/v1/loop?from=2026-11-01&to={}",
            (now + chrono::TimeDelta::days(1)).format("%Y-%m-%d")
        );
        let (status, figures) = staff_call(r, &analyst, "GET", &uri, None).await;
        assert_eq!(status, StatusCode::OK, "{figures}");
        assert_eq!(figures["opened"], 1);
        assert_eq!(figures["resolved"], 1);
        assert_eq!(figures["responses"], 2, "{figures}");
        assert_eq!(figures["complaint_pct"], 50.0);
        assert_eq!(figures["first_action"]["n"], 1);
        assert_eq!(figures["resolution"]["n"], 1);
        assert_eq!(figures["within_service_level_pct"], 100.0);
        assert_eq!(figures["closed_loop_pct"], 100.0);
        b.finish().await;
    }
}

/// What the receiver heard: each request's headers and body, in order.
type Heard = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// A webhook receiver on loopback: per `webhook-id`, the first `fail` requests get a 500, the
/// next one (when `hang`) no answer at all, and the rest a 200. Every request is kept and
/// announced on the channel.
async fn receiver(fail: usize, hang: bool) -> (String, Heard, mpsc::UnboundedReceiver<()>) {
    let heard: Heard = Arc::default();
    let (tell, told) = mpsc::unbounded_channel();
    let seen: Arc<Mutex<BTreeMap<String, usize>>> = Arc::default();
    let handler = {
        let heard = heard.clone();
        move |headers: HeaderMap, body: String| {
            let (heard, seen, tell) = (heard.clone(), seen.clone(), tell.clone());
            async move {
                let id = headers["webhook-id"].to_str().unwrap().to_owned();
                let count = {
                    let mut seen = seen.lock().unwrap();
                    let n = seen.entry(id).or_default();
                    *n += 1;
                    *n
                };
                heard.lock().unwrap().push((headers, body));
                let _ = tell.send(());
                if count <= fail {
                    return StatusCode::INTERNAL_SERVER_ERROR;
                }
                if hang && count == fail + 1 {
                    std::future::pending::<()>().await;
                }
                StatusCode::NO_CONTENT
            }
        }
    };
    let app = axum::Router::new().route("/hook", axum::routing::post(handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://localhost:{}/hook",
        listener.local_addr().unwrap().port()
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, heard, told)
}

/// Waits (up to 30 s) until `done` holds of what was heard, waking on each request.
async fn until(
    heard: &Heard,
    told: &mut mpsc::UnboundedReceiver<()>,
    done: impl Fn(&[(HeaderMap, String)]) -> bool,
) {
    tokio::time::timeout(Duration::from_secs(30), async {
        while !done(&heard.lock().unwrap()) {
            told.recv().await.unwrap();
        }
    })
    .await
    .unwrap_or_else(|_| panic!("the receiver heard only {:?}", heard.lock().unwrap().len()));
}

/// The Standard Webhooks check, written here independently of the server's signer.
fn verify(secret: &str, headers: &HeaderMap, body: &str) -> bool {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    let signed = format!(
        "{}.{}.{body}",
        headers["webhook-id"].to_str().unwrap(),
        headers["webhook-timestamp"].to_str().unwrap()
    );
    mac.update(signed.as_bytes());
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    headers["webhook-signature"]
        .to_str()
        .unwrap()
        .split(' ')
        .any(|s| s == expected)
}

/// An endpoint's deliveries as staff read them, once `done` holds of them (within 10 s): the
/// sender records an attempt's outcome after the receiver has heard it.
async fn deliveries_when(
    router: &axum::Router,
    token: &str,
    uri: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let (_, page) = staff_call(router, token, "GET", uri, None).await;
            if done(&page) {
                break page;
            }
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the deliveries reached the state in time")
}

/// Adds a webhook endpoint through the API: the reply's status and body.
async fn add_endpoint(
    router: &axum::Router,
    token: &str,
    url: &str,
    events: &[&str],
) -> (StatusCode, Value) {
    let body = json!({"url": url, "events": events}).to_string();
    staff_call(router, token, "POST", "/api/v1/webhooks", Some(body)).await
}

fn fast(allow_private: bool) -> WebhookConfig {
    WebhookConfig {
        allow_private,
        timeout: Duration::from_millis(500),
        retry_base: Duration::from_millis(50),
    }
}

#[tokio::test]
async fn deliveries_survive_refusals_and_a_timeout_with_their_ids_and_signatures() {
    for b in backends().await {
        let admin = staff_token(&b).await;
        let r = &b.router;
        let (url, heard, mut told) = receiver(3, true).await;
        let (status, endpoint) =
            add_endpoint(r, &admin, &url, &["response.created", "case.opened"]).await;
        assert_eq!(status, StatusCode::CREATED, "{endpoint}");
        let secret = endpoint["secret"].as_str().unwrap().to_owned();
        let (_, listed) = staff_call(r, &admin, "GET", "/api/v1/webhooks", None).await;
        assert!(listed["endpoints"][0].get("secret").is_none(), "{listed}");
        staff_call(
            r,
            &admin,
            "PUT",
            "/api/v1/surveys/nps/alerts",
            Some(RULES.into()),
        )
        .await;
        b.db.spawn_folder();
        spawn_sender(b.db.clone(), fast(true));

        let (status, _) = call(
            r,
            "POST",
            "/api/v1/responses",
            Some(detractor(&uuid(7), 1, "b002").to_string()),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        // Each of the two events: three refusals, a timeout, then accepted: five requests.
        until(&heard, &mut told, |h| h.len() >= 10).await;
        let heard = heard.lock().unwrap().clone();
        let mut by_id: BTreeMap<String, Vec<&(HeaderMap, String)>> = BTreeMap::new();
        for request in &heard {
            let id = request.0["webhook-id"].to_str().unwrap().to_owned();
            by_id.entry(id).or_default().push(request);
        }
        assert_eq!(by_id.len(), 2, "{by_id:?}");
        let mut types = Vec::new();
        for (id, requests) in &by_id {
            assert_eq!(requests.len(), 5, "{id}");
            for (headers, body) in requests {
                assert!(verify(&secret, headers, body), "{id}: {body}");
                // Every attempt sends the same body.
                assert_eq!(body, &requests[0].1);
            }
            let body: Value = serde_json::from_str(&requests[0].1).unwrap();
            types.push(body["type"].as_str().unwrap().to_owned());
            match body["type"].as_str().unwrap() {
                "response.created" => assert_eq!(body["data"]["response"]["id"], uuid(7)),
                "case.opened" => {
                    assert_eq!(body["data"]["severity"], "critical");
                    assert_eq!(body["data"]["owner"], "b002");
                }
                other => panic!("{other}"),
            }
        }
        types.sort();
        assert_eq!(types, ["case.opened", "response.created"]);

        // The deliveries as staff see them, once the last attempt is recorded.
        let deliveries_uri = format!(
            "/api/v1/webhooks/{}/deliveries",
            endpoint["id"].as_str().unwrap()
        );
        let page = deliveries_when(r, &admin, &deliveries_uri, |page| {
            page["deliveries"]
                .as_array()
                .unwrap()
                .iter()
                .all(|d| d["status"] == "delivered")
        })
        .await;
        for delivery in page["deliveries"].as_array().unwrap() {
            assert_eq!(delivery["attempts"], 5, "{delivery}");
            assert!(by_id.contains_key(delivery["id"].as_str().unwrap()));
        }
        b.finish().await;
    }
}

#[tokio::test]
async fn loopback_endpoints_are_refused_unless_allowed() {
    let b = sqlite().await;
    let admin = staff_token(&b).await;
    let (url, heard, _told) = receiver(0, false).await;
    let (_, endpoint) = add_endpoint(&b.router, &admin, &url, &["response.created"]).await;
    // A URL that is not https (and not this machine) is refused when added.
    let (status, body) = add_endpoint(
        &b.router,
        &admin,
        "http://10.0.0.7/hook",
        &["response.created"],
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_webhook"))
    );
    b.db.spawn_folder();
    spawn_sender(b.db.clone(), fast(false));
    call(
        &b.router,
        "POST",
        "/api/v1/responses",
        Some(nps_response(&uuid(9), 8).to_string()),
    )
    .await;
    let uri = format!(
        "/api/v1/webhooks/{}/deliveries",
        endpoint["id"].as_str().unwrap()
    );
    let page = deliveries_when(&b.router, &admin, &uri, |page| {
        let delivery = &page["deliveries"][0];
        delivery["attempts"].as_u64().unwrap_or(0) >= 1 && delivery["last_error"].is_string()
    })
    .await;
    let delivery = &page["deliveries"][0];
    assert!(
        delivery["last_error"]
            .as_str()
            .unwrap()
            .contains("no public address"),
        "{delivery}"
    );
    assert!(heard.lock().unwrap().is_empty());
}

/// Two servers' senders over one PostgreSQL database: every delivery is sent once.
#[tokio::test]
async fn two_senders_never_send_one_delivery_twice() {
    let Some(b) = postgres().await else { return };
    let admin = staff_token(&b).await;
    let (url, heard, mut told) = receiver(0, false).await;
    add_endpoint(&b.router, &admin, &url, &["response.created"]).await;
    let second = manyi_server::Db::connect(&b.url).await.unwrap();
    // Both servers fold and send.
    b.db.spawn_folder();
    second.spawn_folder();
    spawn_sender(b.db.clone(), fast(true));
    spawn_sender(second, fast(true));
    for batch in 0..4u32 {
        let responses: Vec<Value> = (0..25)
            .map(|i| nps_response(&uuid(100 + batch * 25 + i), 5))
            .collect();
        let (status, _) = call(
            &b.router,
            "POST",
            "/api/v1/responses",
            Some(Value::Array(responses).to_string()),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    }
    until(&heard, &mut told, |h| h.len() >= 100).await;
    let heard = heard.lock().unwrap().clone();
    let mut ids: Vec<&str> = heard
        .iter()
        .map(|(h, _)| h["webhook-id"].to_str().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!((heard.len(), ids.len()), (100, 100));
    b.finish().await;
}

/// A case carries the customer's contact only when they agreed to be contacted.
#[tokio::test]
async fn a_case_carries_the_contact_the_customer_agreed_to() {
    for b in backends().await {
        let admin = staff_token(&b).await;
        let r = &b.router;
        let definition = include_str!("../../../examples/follow-up.json");
        let (status, body) = staff_call(
            r,
            &admin,
            "POST",
            "/api/v1/surveys",
            Some(definition.into()),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let rules = r#"{"rules": [{"id": "d", "name": "d", "when": "nps <= 6", "severity": "high",
            "owner": {"fixed": "desk"}, "service_hours": 8}]}"#;
        let (status, body) = staff_call(
            r,
            &admin,
            "PUT",
            "/api/v1/surveys/follow-up/alerts",
            Some(rules.into()),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let answer = |n: u32, contact: Value| {
            json!({"id": uuid(n), "survey_id": "follow-up", "survey_version": 1,
                   "submitted_at": "2026-11-22T10:00:00+08:00",
                   "answers": {"nps": 2, "contact": contact}})
        };
        let batch = json!([
            answer(
                21,
                json!({"agreed": true, "method": "phone", "value": "+86 138 1234 5678"})
            ),
            answer(22, json!({"agreed": false})),
        ]);
        let (status, reply) = call(r, "POST", "/api/v1/responses", Some(batch.to_string())).await;
        assert_eq!(
            (status, reply["accepted"].as_u64()),
            (StatusCode::OK, Some(2)),
            "{reply}"
        );
        let (_, page) = staff_call(r, &admin, "GET", "/api/v1/cases?survey=follow-up", None).await;
        let mut contacts = BTreeMap::new();
        for case in page["cases"].as_array().unwrap() {
            let (_, view) = staff_call(
                r,
                &admin,
                "GET",
                &format!("/api/v1/cases/{}", case["id"].as_str().unwrap()),
                None,
            )
            .await;
            assert_eq!(case["has_contact"], view.get("contact").is_some());
            contacts.insert(
                view["response_id"].as_str().unwrap().to_owned(),
                view.get("contact").cloned(),
            );
        }
        assert_eq!(
            contacts,
            BTreeMap::from([
                (
                    uuid(21),
                    Some(json!({"method": "phone", "value": "+86 138 1234 5678"}))
                ),
                (uuid(22), None),
            ])
        );
        b.finish().await;
    }
}

/// Each server keeps the rules and endpoints it last read; a change made through another
/// server over the same database applies to the very next response it stores.
#[tokio::test]
async fn a_change_on_one_server_applies_at_once_on_another() {
    for b in backends().await {
        let admin = staff_token(&b).await;
        let a = &b.router;
        let other = with_peer(
            manyi_server::app(manyi_server::AppState::new(
                manyi_server::Db::connect(&b.url).await.unwrap(),
                None,
            )),
            [127, 0, 0, 1],
        );
        let post = |n: u32| {
            let other = other.clone();
            async move {
                let (status, body) = call(
                    &other,
                    "POST",
                    "/api/v1/responses",
                    Some(detractor(&uuid(n), 1, "b001").to_string()),
                )
                .await;
                assert_eq!(status, StatusCode::OK, "{body}");
                assert_eq!(body["results"][0]["status"], "accepted", "{body}");
            }
        };
        let cases = || async {
            let (_, page) = staff_call(a, &admin, "GET", "/api/v1/cases", None).await;
            let mut ids: Vec<String> = page["cases"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["response_id"].as_str().unwrap().to_owned())
                .collect();
            ids.sort();
            ids
        };

        // The other server stores a detractor while there is no rule, and so knows of none.
        post(1).await;
        assert!(cases().await.is_empty(), "{}", b.name);
        let (status, _) = staff_call(
            a,
            &admin,
            "PUT",
            "/api/v1/surveys/nps/alerts",
            Some(RULES.into()),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        post(2).await;
        assert_eq!(cases().await, [uuid(2)], "{}", b.name);

        let (_, endpoint) = add_endpoint(
            a,
            &admin,
            "https://crm.example.com/hook",
            &["response.created"],
        )
        .await;
        let deliveries_uri = format!(
            "/api/v1/webhooks/{}/deliveries",
            endpoint["id"].as_str().unwrap()
        );
        post(3).await;
        // Folded, the responses stored before the endpoint was added are not announced to it.
        b.db.fold_rollups().await.unwrap();
        let (_, events) = staff_call(a, &admin, "GET", &deliveries_uri, None).await;
        assert_eq!(
            events["deliveries"].as_array().unwrap().len(),
            1,
            "{}: {events}",
            b.name
        );

        // Rules emptied and the endpoint removed: the other server opens and queues nothing.
        let (status, _) = staff_call(
            a,
            &admin,
            "PUT",
            "/api/v1/surveys/nps/alerts",
            Some(r#"{"rules": []}"#.into()),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = staff_call(
            a,
            &admin,
            "DELETE",
            &format!("/api/v1/webhooks/{}", endpoint["id"].as_str().unwrap()),
            None,
        )
        .await;
        assert!(status.is_success(), "{status}");
        post(4).await;
        b.db.fold_rollups().await.unwrap();
        assert_eq!(cases().await, [uuid(2), uuid(3)], "{}", b.name);
        let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_deliveries")
            .fetch_one(b.db.pool())
            .await
            .unwrap();
        assert_eq!(pending, 0, "{}", b.name);
        b.finish().await;
    }
}

/// A claimed delivery the sender gives back unsent (too little of its lease left to start an
/// attempt) is claimable again at once, its attempt uncounted; given back after its lease ran
/// out and another claim took it, it stays with that claim.
#[tokio::test]
async fn a_delivery_given_back_unsent_is_claimed_again_uncounted() {
    use manyi_server::db::Outcome;
    for b in backends().await {
        let admin = staff_token(&b).await;
        add_endpoint(
            &b.router,
            &admin,
            "https://crm.example.com/hook",
            &["response.created"],
        )
        .await;
        call(
            &b.router,
            "POST",
            "/api/v1/responses",
            Some(nps_response(&uuid(1), 9).to_string()),
        )
        .await;
        b.db.fold_rollups().await.unwrap();
        let lease = chrono::Utc::now() + chrono::TimeDelta::seconds(30);
        let (first, _) = b.db.claim_deliveries(&[], 10, lease).await.unwrap();
        assert_eq!(first.len(), 1, "{}", b.name);
        assert_eq!(first[0].attempts, 1);
        assert!(first[0].body.contains(&uuid(1)), "{}", first[0].body);
        // Claimed: nobody else takes it.
        assert!(
            b.db.claim_deliveries(&[], 10, lease)
                .await
                .unwrap()
                .0
                .is_empty()
        );
        let given_back = vec![first[0].row.settle(vec![(
            first[0].index,
            Outcome::Released {
                lease: first[0].row.lease.clone(),
            },
        )])];
        b.db.finish_deliveries(&given_back).await.unwrap();
        let (second, _) =
            b.db.claim_deliveries(&[], 10, lease + chrono::TimeDelta::seconds(1))
                .await
                .unwrap();
        assert_eq!((second.len(), second[0].attempts), (1, 1), "{}", b.name);
        // The first claim's release, late (recorded here with the next claim), leaves the
        // second claim alone.
        assert!(
            b.db.claim_deliveries(&given_back, 10, lease)
                .await
                .unwrap()
                .0
                .is_empty(),
            "{}",
            b.name
        );
        b.finish().await;
    }
}

/// A receiver on loopback that refuses the first attempt of each message whose `webhook-id`
/// ends in a multiple of three (`…-00`, `…-03`, …) and takes every other: what it heard, by
/// `webhook-id`, with each request's headers and body.
async fn choosy_receiver() -> (String, Heard, mpsc::UnboundedReceiver<()>) {
    let heard: Heard = Arc::default();
    let (tell, told) = mpsc::unbounded_channel();
    let handler = {
        let heard = heard.clone();
        move |headers: HeaderMap, body: String| {
            let (heard, tell) = (heard.clone(), tell.clone());
            async move {
                let id = headers["webhook-id"].to_str().unwrap().to_owned();
                let place: Option<u32> = id.rsplit_once('-').and_then(|(_, k)| k.parse().ok());
                let first = {
                    let mut heard = heard.lock().unwrap();
                    let first = !heard.iter().any(|(h, _)| h["webhook-id"] == id.as_str());
                    heard.push((headers, body));
                    first
                };
                let _ = tell.send(());
                if first && place.is_some_and(|k| k.is_multiple_of(3)) {
                    StatusCode::SERVICE_UNAVAILABLE
                } else {
                    StatusCode::NO_CONTENT
                }
            }
        }
    };
    let app = axum::Router::new().route("/hook", axum::routing::post(handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, heard, told)
}

/// A fold's responses go to an endpoint 64 to an outbox row, and each is still a message of
/// its own: its own `webhook-id`, body and signature, listed and paged one by one. A row some
/// of whose messages were refused sends only those again, and one message of a delivered row
/// can be sent again alone.
#[tokio::test]
async fn messages_sharing_an_outbox_row_are_sent_listed_and_redelivered_one_by_one() {
    for b in backends().await {
        let admin = staff_token(&b).await;
        let r = &b.router;
        let (url, heard, mut told) = choosy_receiver().await;
        let (_, endpoint) = add_endpoint(r, &admin, &url, &["response.created"]).await;
        let secret = endpoint["secret"].as_str().unwrap().to_owned();
        let uri = format!(
            "/api/v1/webhooks/{}/deliveries",
            endpoint["id"].as_str().unwrap()
        );
        let responses: Vec<Value> = (0..70).map(|i| nps_response(&uuid(200 + i), 8)).collect();
        let (status, _) = call(
            r,
            "POST",
            "/api/v1/responses",
            Some(Value::Array(responses).to_string()),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        b.db.fold_rollups().await.unwrap();
        let rows: Vec<(i64,)> = sqlx::query_as("SELECT messages FROM webhook_deliveries")
            .fetch_all(b.db.pool())
            .await
            .unwrap();
        let mut sizes: Vec<i64> = rows.into_iter().map(|(n,)| n).collect();
        sizes.sort();
        assert_eq!(sizes, [6, 64], "{}", b.name);

        // Listed one by one, 50 to a page, across the rows.
        let all_pages = || async {
            let mut listed: Vec<Value> = Vec::new();
            let mut page_uri = uri.clone();
            loop {
                let (status, page) = staff_call(r, &admin, "GET", &page_uri, None).await;
                assert_eq!(status, StatusCode::OK, "{page}");
                listed.extend(page["deliveries"].as_array().unwrap().iter().cloned());
                match page["next"].as_str() {
                    Some(next) => page_uri = format!("{uri}?after={next}"),
                    None => break listed,
                }
            }
        };
        let listed = all_pages().await;
        let mut ids: Vec<&str> = listed.iter().map(|d| d["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), 70, "{}", b.name);
        ids.dedup();
        assert_eq!(ids.len(), 70, "{}: newest first, each once", b.name);
        assert!(listed.iter().all(|d| d["status"] == "pending"));

        b.db.spawn_folder();
        spawn_sender(b.db.clone(), fast(true));
        // The 24 refused messages (ids ending -00, -03, … in each row) are heard twice.
        until(&heard, &mut told, |h| h.len() >= 70 + 24).await;
        let listed = all_delivered(&all_pages).await;
        let requests = heard.lock().unwrap().clone();
        let mut by_id: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (headers, body) in &requests {
            assert!(verify(&secret, headers, body), "{body}");
            let id = headers["webhook-id"].to_str().unwrap().to_owned();
            by_id.entry(id).or_default().push(body.clone());
        }
        assert_eq!(
            requests.len(),
            94,
            "{}: only the refused were sent again",
            b.name
        );
        let mut answered: Vec<String> = Vec::new();
        for (id, bodies) in &by_id {
            let k: u32 = id.rsplit_once('-').unwrap().1.parse().unwrap();
            assert_eq!(
                bodies.len(),
                if k.is_multiple_of(3) { 2 } else { 1 },
                "{id}"
            );
            assert!(bodies.iter().all(|body| body == &bodies[0]), "{id}");
            let body: Value = serde_json::from_str(&bodies[0]).unwrap();
            answered.push(body["data"]["response"]["id"].as_str().unwrap().to_owned());
        }
        answered.sort();
        let expected: Vec<String> = (0..70).map(|i| uuid(200 + i)).collect();
        assert_eq!(answered, expected, "{}: each response once", b.name);
        // Attempts are counted by row, and every row held a refused message.
        assert!(listed.iter().all(|d| d["attempts"] == 2), "{}", b.name);

        // One message of a delivered row, sent again alone, with its id.
        let again = listed[10]["id"].as_str().unwrap().to_owned();
        let (status, delivery) =
            staff_call(r, &admin, "POST", &format!("{uri}/{again}/redeliver"), None).await;
        assert_eq!(status, StatusCode::OK, "{delivery}");
        assert_eq!(
            (delivery["id"].as_str(), delivery["status"].as_str()),
            (Some(again.as_str()), Some("pending"))
        );
        until(&heard, &mut told, |h| h.len() >= 95).await;
        all_delivered(&all_pages).await;
        let requests = heard.lock().unwrap().clone();
        assert_eq!(requests.len(), 95, "{}", b.name);
        assert_eq!(requests[94].0["webhook-id"].to_str().unwrap(), again);
        b.finish().await;
    }
}

/// Every delivery `pages` lists, once all are recorded as delivered (within 10 s).
async fn all_delivered<F: Future<Output = Vec<Value>>>(pages: &impl Fn() -> F) -> Vec<Value> {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let listed = pages().await;
            if listed.iter().all(|d| d["status"] == "delivered") {
                break listed;
            }
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("every delivery was recorded in time")
}

/// A case opened before migration 0010 has its opening in its timeline (`seq` 0) rather than
/// in its row: its timeline shows that opening once, and its `case.opened` is made from it.
#[tokio::test]
async fn a_case_opened_with_a_timeline_entry_keeps_that_opening() {
    for b in backends().await {
        let admin = staff_token(&b).await;
        let (_, endpoint) = add_endpoint(
            &b.router,
            &admin,
            "https://crm.example.com/hook",
            &["case.opened"],
        )
        .await;
        let due = "2026-11-23T08:00:00.000Z";
        let statements = [
            format!(
                "INSERT INTO cases (id, response_id, survey_id, severity, rules, location, \
                 opened_at, due_at, status, owner, contacted, events) VALUES ('case_old', \
                 '{}', 'nps', 'high', '[{{\"id\":\"d\",\"name\":\"d\"}}]', 'b009', \
                 '2026-11-22T08:00:00.000Z', '{due}', 'in_progress', 'b010', 0, 2)",
                uuid(1)
            ),
            format!(
                "INSERT INTO case_events (case_id, seq, at, actor, body) VALUES ('case_old', 0, \
                 '2026-11-22T08:00:00.000Z', 'manyi', \
                 '{{\"kind\":\"opened\",\"owner\":\"b009\",\"due_at\":\"{due}\"}}')"
            ),
            "INSERT INTO case_events (case_id, seq, at, actor, body) VALUES ('case_old', 1, \
             '2026-11-22T09:00:00.000Z', 'amy', '{\"kind\":\"assigned\",\"owner\":\"b010\"}')"
                .to_owned(),
            format!(
                "INSERT INTO webhook_deliveries (id, endpoint_id, event, subject, created_at, \
                 next_attempt_at, status, attempts) VALUES ('msg_old', '{}', 'case.opened', \
                 'case_old', '2026-11-22T08:00:00.000Z', '2026-11-22T08:00:00.000Z', \
                 'pending', 0)",
                endpoint["id"].as_str().unwrap()
            ),
        ];
        for sql in statements {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(b.db.pool())
                .await
                .unwrap();
        }
        let (status, view) =
            staff_call(&b.router, &admin, "GET", "/api/v1/cases/case_old", None).await;
        assert_eq!(status, StatusCode::OK, "{view}");
        let kinds: Vec<(&str, &str)> = view["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["kind"].as_str().unwrap(), e["owner"].as_str().unwrap()))
            .collect();
        assert_eq!(
            kinds,
            [("opened", "b009"), ("assigned", "b010")],
            "{}",
            b.name
        );
        let lease = chrono::Utc::now() + chrono::TimeDelta::seconds(30);
        let (claimed, _) = b.db.claim_deliveries(&[], 10, lease).await.unwrap();
        assert_eq!(claimed.len(), 1, "{}", b.name);
        let body: Value = serde_json::from_str(&claimed[0].body).unwrap();
        // As it was opened: open, with the owner the rules gave.
        assert_eq!(
            (&body["data"]["status"], &body["data"]["owner"]),
            (&json!("open"), &json!("b009")),
            "{}",
            b.name
        );
        b.finish().await;
    }
}

/// A case as the next test reads it: id, response, status, owner and owner when opened.
type CaseRow = (String, String, String, Option<String>, Option<String>);

/// A batch that opens more cases than one insert statement or one outbox row holds writes
/// each case once and, for each endpoint that wants them, each `case.opened` once, in rows of
/// up to 64: all of it in the storing transaction, beside a response that opens none and
/// one stored before (which opens none again).
#[tokio::test]
async fn a_batch_opening_many_cases_queues_each_case_opened_once_per_endpoint() {
    for b in backends().await {
        let admin = staff_token(&b).await;
        let r = &b.router;
        let (status, body) = staff_call(
            r,
            &admin,
            "PUT",
            "/api/v1/surveys/nps/alerts",
            Some(RULES.into()),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let mut endpoints = Vec::new();
        for host in ["crm", "helpdesk"] {
            let url = format!("https://{host}.example.com/hook");
            let (status, endpoint) = add_endpoint(r, &admin, &url, &["case.opened"]).await;
            assert_eq!(status, StatusCode::CREATED, "{endpoint}");
            endpoints.push(endpoint["id"].as_str().unwrap().to_owned());
        }
        let (status, _) = call(
            r,
            "POST",
            "/api/v1/responses",
            Some(detractor(&uuid(1), 3, "north").to_string()),
        )
        .await;
        assert_eq!(status, StatusCode::OK);

        let mut batch: Vec<Value> = (0..130)
            .map(|i| detractor(&uuid(10 + i), u8::try_from(i % 7).unwrap(), "south"))
            .collect();
        batch.push(nps_response(&uuid(500), 10));
        batch.push(detractor(&uuid(1), 3, "north"));
        let (status, reply) = call(
            r,
            "POST",
            "/api/v1/responses",
            Some(Value::Array(batch).to_string()),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{reply}");

        let cases: Vec<CaseRow> = sqlx::query_as(
            "SELECT id, response_id, status, owner, opened_owner FROM cases \
                 ORDER BY response_id",
        )
        .fetch_all(b.db.pool())
        .await
        .unwrap();
        assert_eq!(cases.len(), 131, "{}", b.name);
        let mut responses: Vec<&str> = cases.iter().map(|c| c.1.as_str()).collect();
        responses.dedup();
        assert_eq!(responses.len(), 131, "{}: one case per response", b.name);
        assert!(!responses.contains(&uuid(500).as_str()));
        for (id, response, status, owner, opened_owner) in &cases {
            assert_eq!(status, "open", "{id}");
            let location = if *response == uuid(1) {
                "north"
            } else {
                "south"
            };
            // Scores 0 to 2 are very unhappy: the fixed owner of that rule wins.
            assert!(
                [Some("hq"), Some(location)].contains(&owner.as_deref()),
                "{id}: {owner:?}"
            );
            assert_eq!(owner, opened_owner, "{id}");
        }

        let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
            "SELECT endpoint_id, event, subject, messages FROM webhook_deliveries \
             ORDER BY endpoint_id, id",
        )
        .fetch_all(b.db.pool())
        .await
        .unwrap();
        let mut expected: Vec<String> = cases.iter().map(|c| c.0.clone()).collect();
        expected.sort();
        for endpoint in &endpoints {
            let mine: Vec<&(String, String, String, i64)> =
                rows.iter().filter(|row| &row.0 == endpoint).collect();
            assert!(mine.iter().all(|row| row.1 == "case.opened"));
            // The first response's case alone, then the batch's 130 in rows of 64, 64 and 2.
            let mut sizes: Vec<i64> = mine.iter().map(|row| row.3).collect();
            sizes.sort();
            assert_eq!(sizes, [1, 2, 64, 64], "{}", b.name);
            let mut subjects: Vec<String> = Vec::new();
            for (_, _, subject, messages) in mine {
                if *messages == 1 {
                    subjects.push(subject.clone());
                } else {
                    let list: Vec<String> = serde_json::from_str(subject).unwrap();
                    assert_eq!(list.len(), usize::try_from(*messages).unwrap());
                    subjects.extend(list);
                }
            }
            subjects.sort();
            assert_eq!(subjects, expected, "{}", b.name);
        }
        b.finish().await;
    }
}
