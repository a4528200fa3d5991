//! Least privilege: what each role may do over HTTP, tokens limited to some surveys, and the
//! audit log of staff actions, on SQLite and PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::*;
use manyi_api::Role;
use serde_json::{Value, json};

/// Every staff request a token might make, and whether it was refused as forbidden.
async fn forbidden(b: &Backend, token: &str) -> Vec<(&'static str, bool)> {
    let requests: [(&str, &str, &str, Option<Value>); 16] = [
        ("list", "GET", "/api/v1/surveys", None),
        (
            "publish",
            "POST",
            "/api/v1/surveys",
            Some(renamed("csat", "visit")),
        ),
        ("read origins", "GET", "/api/v1/surveys/nps/targets", None),
        (
            "set origins",
            "PUT",
            "/api/v1/surveys/nps/origins",
            Some(json!({"allowed_origins": []})),
        ),
        (
            "set targets",
            "PUT",
            "/api/v1/surveys/nps/targets",
            Some(json!({"targets": []})),
        ),
        ("report", "GET", "/api/v1/surveys/nps/report", None),
        ("texts", "GET", "/api/v1/surveys/nps/texts", None),
        (
            "export",
            "GET",
            "/api/v1/surveys/nps/responses?format=csv",
            None,
        ),
        (
            "delete",
            "DELETE",
            &format!("/api/v1/responses/{}", uuid(999)),
            None,
        ),
        ("audit", "GET", "/api/v1/audit", None),
        ("alerts", "GET", "/api/v1/surveys/nps/alerts", None),
        (
            "set alerts",
            "PUT",
            "/api/v1/surveys/nps/alerts",
            Some(json!({"rules": []})),
        ),
        ("cases", "GET", "/api/v1/cases", None),
        (
            "loop",
            "GET",
            "/api/v1/loop?from=2026-01-01&to=2026-02-01",
            None,
        ),
        ("webhooks", "GET", "/api/v1/webhooks", None),
        ("me", "GET", "/api/v1/me", None),
    ]
    .map(|(name, method, uri, body)| (name, method, leak(uri), body));
    let mut out = Vec::new();
    for (name, method, uri, body) in requests {
        let (status, reply) =
            staff_call(&b.router, token, method, uri, body.map(|b| b.to_string())).await;
        assert_ne!(status, StatusCode::UNAUTHORIZED, "{name}: {reply}");
        assert!(!status.is_server_error(), "{name}: {reply}");
        if status == StatusCode::FORBIDDEN {
            assert_eq!(reply["error"]["code"], "forbidden", "{name}: {reply}");
        }
        out.push((name, status == StatusCode::FORBIDDEN));
    }
    out
}

fn leak(text: &str) -> &'static str {
    Box::leak(text.to_owned().into_boxed_str())
}

/// A built-in template under another id, as a new survey to publish.
fn renamed(template: &str, id: &str) -> Value {
    let mut survey: Value =
        serde_json::from_str(manyi_core::templates::json(template).unwrap()).unwrap();
    survey["id"] = json!(id);
    survey
}

fn refused(table: &[(&'static str, bool)]) -> Vec<&'static str> {
    table
        .iter()
        .filter(|(_, refused)| *refused)
        .map(|(name, _)| *name)
        .collect()
}

#[tokio::test]
async fn each_role_may_do_its_part_and_is_refused_the_rest() {
    for b in backends().await {
        let expected: [(Role, &[&str]); 4] = [
            (Role::Admin, &[]),
            (
                Role::Editor,
                &[
                    "texts", "export", "delete", "audit", "cases", "loop", "webhooks",
                ],
            ),
            (
                Role::Analyst,
                &[
                    "publish",
                    "set origins",
                    "set targets",
                    "delete",
                    "audit",
                    "set alerts",
                    "webhooks",
                ],
            ),
            (
                Role::CaseHandler,
                &[
                    "publish",
                    "read origins",
                    "set origins",
                    "set targets",
                    "report",
                    "texts",
                    "export",
                    "delete",
                    "audit",
                    "alerts",
                    "set alerts",
                    "webhooks",
                ],
            ),
        ];
        for (role, refusals) in expected {
            let token = token_with(&b, role.as_str(), role.clone(), None).await;
            let table = forbidden(&b, &token).await;
            assert_eq!(refused(&table), refusals, "{role} on {}", b.name);
        }
        b.finish().await;
    }
}

#[tokio::test]
async fn a_refusal_says_which_roles_may() {
    let b = sqlite().await;
    let token = token_with(&b, "reports", Role::Analyst, None).await;
    let (status, reply) = staff_call(
        &b.router,
        &token,
        "POST",
        "/api/v1/surveys",
        Some(renamed("csat", "visit").to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        reply["error"]["message"],
        "a token with the role analyst may not publish survey definitions; a token with the role admin or editor may"
    );
    // Nothing was published.
    let admin = staff_token(&b).await;
    let (status, _) = staff_call(
        &b.router,
        &admin,
        "GET",
        "/api/v1/surveys/visit/report",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_token_limited_to_some_surveys_sees_and_changes_only_those() {
    for b in backends().await {
        let (status, _) = call(
            &b.router,
            "POST",
            "/api/v1/responses",
            Some(json!([nps_response(&uuid(1), 9)]).to_string()),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let token = token_with(&b, "csat team", Role::Admin, Some(&["csat", "visit"])).await;

        let (_, list) = staff_call(&b.router, &token, "GET", "/api/v1/surveys", None).await;
        let ids: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["csat"], "{}", b.name);

        for (method, uri) in [
            ("GET", "/api/v1/surveys/nps/report"),
            ("GET", "/api/v1/surveys/nps/responses?format=json"),
            ("GET", "/api/v1/audit?survey=nps"),
        ] {
            let (status, reply) = staff_call(&b.router, &token, method, uri, None).await;
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "{uri} on {}: {reply}",
                b.name
            );
            assert!(
                reply["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("limited to the surveys csat, visit"),
                "{reply}"
            );
        }
        // Publishing names its survey in the body: a new one in scope is allowed, one outside
        // it is not, even as a new survey.
        let (status, _) = staff_call(
            &b.router,
            &token,
            "POST",
            "/api/v1/surveys",
            Some(renamed("csat", "visit").to_string()),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{}", b.name);
        let (status, _) = staff_call(
            &b.router,
            &token,
            "POST",
            "/api/v1/surveys",
            Some(renamed("csat", "elsewhere").to_string()),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{}", b.name);
        // A response to a survey outside the scope cannot be deleted, and stays.
        let (status, _) = staff_call(
            &b.router,
            &token,
            "DELETE",
            &format!("/api/v1/responses/{}", uuid(1)),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{}", b.name);
        assert_eq!(b.db.count_responses("nps").await.unwrap(), 1);
        b.finish().await;
    }
}

#[tokio::test]
async fn me_reports_the_tokens_identity_with_an_id_apart_from_its_secret() {
    let b = sqlite().await;
    let token = token_with(&b, "kiosk fleet", Role::Editor, Some(&["rq"])).await;
    let (status, me) = staff_call(&b.router, &token, "GET", "/api/v1/me", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["name"], "kiosk fleet");
    assert_eq!(me["role"], "editor");
    assert_eq!(me["surveys"], json!(["rq"]));
    let id = me["token_id"].as_str().unwrap();
    assert_eq!(id.len(), 12);
    assert!(!token.contains(id), "the id is not part of the token");
}

#[tokio::test]
async fn tokens_made_before_roles_keep_doing_everything_as_administrators() {
    for b in backends().await {
        // A row as the CLI wrote it before the access migration: no role, no scope.
        let token = "manyi_old0000000000000000000000000000000000000000000000000000000000";
        sqlx::query("INSERT INTO tokens (id, name, hash, created_at) VALUES ($1, $2, $3, $4)")
            .bind("0ld0ld0l")
            .bind("old dashboard")
            .bind(manyi_server::token::hash_token(token))
            .bind("2026-11-01T00:00:00.000Z")
            .execute(b.db.pool())
            .await
            .unwrap();
        let (status, me) = staff_call(&b.router, token, "GET", "/api/v1/me", None).await;
        assert_eq!(status, StatusCode::OK, "{}", b.name);
        assert_eq!(me["role"], "admin");
        assert!(me.get("surveys").is_none(), "{me}");
        b.finish().await;
    }
}

#[tokio::test]
async fn the_audit_log_records_who_changed_exported_and_deleted_and_pages_newest_first() {
    for b in backends().await {
        let (status, _) = call(
            &b.router,
            "POST",
            "/api/v1/responses",
            Some(json!([nps_response(&uuid(1), 9), nps_response(&uuid(2), 3)]).to_string()),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let editor = token_with(&b, "ana (editor)", Role::Editor, None).await;
        let admin = token_with(&b, "bo (admin)", Role::Admin, None).await;
        let analyst = token_with(&b, "cy (analyst)", Role::Analyst, None).await;
        let steps: [(&str, &str, &str, Option<Value>, StatusCode); 7] = [
            (
                &editor,
                "POST",
                "/api/v1/surveys",
                Some(renamed("csat", "visit")),
                StatusCode::CREATED,
            ),
            // Re-publishing the same content changes nothing, so it is not recorded.
            (
                &editor,
                "POST",
                "/api/v1/surveys",
                Some(renamed("csat", "visit")),
                StatusCode::OK,
            ),
            // Nor is a refused definition.
            (
                &editor,
                "POST",
                "/api/v1/surveys",
                Some(json!({"id": "x"})),
                StatusCode::BAD_REQUEST,
            ),
            (
                &editor,
                "PUT",
                "/api/v1/surveys/visit/origins",
                Some(json!({"allowed_origins": ["https://shop.example"]})),
                StatusCode::OK,
            ),
            (
                &editor,
                "PUT",
                "/api/v1/surveys/nps/targets",
                Some(
                    json!({"targets": [{"metric": "nps", "target": 40, "deadline": "2027-06-30"}]}),
                ),
                StatusCode::OK,
            ),
            (
                &analyst,
                "GET",
                "/api/v1/surveys/nps/responses?format=csv",
                None,
                StatusCode::OK,
            ),
            (
                &admin,
                "DELETE",
                leak(&format!("/api/v1/responses/{}", uuid(2).to_uppercase())),
                None,
                StatusCode::NO_CONTENT,
            ),
        ];
        for (token, method, uri, body, expected) in steps {
            let (status, reply) =
                staff_call(&b.router, token, method, uri, body.map(|b| b.to_string())).await;
            assert_eq!(status, expected, "{method} {uri} on {}: {reply}", b.name);
        }

        let (status, page) = staff_call(&b.router, &admin, "GET", "/api/v1/audit", None).await;
        assert_eq!(status, StatusCode::OK, "{}", b.name);
        let staff_entries: Vec<(&str, &str, &str, &str)> = page["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e.get("token_id").is_some())
            .map(|e| {
                (
                    e["actor"].as_str().unwrap(),
                    e["action"].as_str().unwrap(),
                    e["survey_id"].as_str().unwrap(),
                    e["detail"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            staff_entries,
            [
                (
                    "bo (admin)",
                    "delete_response",
                    "nps",
                    leak(&format!("response {}", uuid(2)))
                ),
                ("cy (analyst)", "export", "nps", "csv of 2 response(s)"),
                ("ana (editor)", "set_targets", "nps", "1 target(s)"),
                (
                    "ana (editor)",
                    "set_origins",
                    "visit",
                    "https://shop.example"
                ),
                (
                    "ana (editor)",
                    "publish",
                    "visit",
                    "version 1 (manyi definition, 0 import report(s))"
                ),
            ],
            "{}",
            b.name
        );

        // Pages of two, newest first, until the end; together they are the whole log.
        let mut seen = Vec::new();
        let mut uri = "/api/v1/audit?limit=2".to_owned();
        loop {
            let (status, page) = staff_call(&b.router, &admin, "GET", &uri, None).await;
            assert_eq!(status, StatusCode::OK);
            let entries = page["entries"].as_array().unwrap();
            assert!(entries.len() <= 2);
            seen.extend(entries.iter().map(|e| e["id"].as_str().unwrap().to_owned()));
            match page["next"].as_str() {
                Some(next) => uri = format!("/api/v1/audit?limit=2&before={next}"),
                None => break,
            }
        }
        let all: Vec<String> = page["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(seen, all, "{}", b.name);
        let mut sorted = seen.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(seen, sorted, "newest first");

        // One survey's entries, and a limit out of range.
        let (_, page) =
            staff_call(&b.router, &admin, "GET", "/api/v1/audit?survey=visit", None).await;
        let actions: Vec<&str> = page["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, ["set_origins", "publish"], "{}", b.name);
        let (status, reply) =
            staff_call(&b.router, &admin, "GET", "/api/v1/audit?limit=0", None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(reply["error"]["code"], "invalid_query");
        b.finish().await;
    }
}
