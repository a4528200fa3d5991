//! Per-survey allowed origins on SQLite and PostgreSQL: the staff API, CORS on the public
//! endpoints, and `frame-ancestors` on embed pages.

mod common;

use axum::Router;
use axum::http::StatusCode;
use common::*;
use manyi_server::policy::APP_CSP;
use serde_json::{Value, json};

const PORTAL: &str = "https://portal.example.com";
const DEV: &str = "http://127.0.0.1:5173";
const OTHER: &str = "https://elsewhere.example.net";
/// The server's own host in these tests.
const HOST: &str = "survey.example.org";

/// Replaces a survey's list as staff; the reply's status and body.
async fn put_origins(b: &Backend, token: &str, survey: &str, body: Value) -> (StatusCode, Value) {
    staff_call(
        &b.router,
        token,
        "PUT",
        &format!("/api/v1/surveys/{survey}/origins"),
        Some(body.to_string()),
    )
    .await
}

/// A public request from a page at `origin` (none: not from a page) to this server.
async fn from_origin(
    router: &Router,
    origin: Option<&str>,
    method: &str,
    uri: &str,
    body: Option<String>,
) -> Reply {
    let mut headers = vec![("host", HOST)];
    headers.extend(origin.map(|origin| ("origin", origin)));
    request(router, method, uri, &headers, body).await
}

fn csat_response(id: &str) -> Value {
    json!({
        "id": id,
        "survey_id": "csat",
        "survey_version": 1,
        "submitted_at": "2026-11-22T10:01:30+08:00",
        "answers": {"csat": 4}
    })
}

fn statuses_and_codes(reply: &Value) -> Vec<(String, String)> {
    reply["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["status"].as_str().unwrap().to_owned(),
                r["error"]["code"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

/// The sources of a policy's `frame-ancestors` directive.
fn frame_ancestors(csp: &str) -> Vec<&str> {
    csp.split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix("frame-ancestors "))
        .unwrap_or_else(|| panic!("no frame-ancestors in {csp}"))
        .split_whitespace()
        .collect()
}

#[tokio::test]
async fn staff_set_read_and_replace_a_surveys_origins() {
    for b in backends().await {
        let token = staff_token(&b).await;
        let (status, list) = call(&b.router, "GET", "/api/v1/surveys/nps/origins", None).await;
        assert_eq!(
            (status, list),
            (
                StatusCode::OK,
                json!({"survey_id": "nps", "allowed_origins": []})
            ),
            "{}",
            b.name
        );

        let body = json!({"allowed_origins": [PORTAL, DEV]});
        let (status, error) = call(
            &b.router,
            "PUT",
            "/api/v1/surveys/nps/origins",
            Some(body.to_string()),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{}", b.name);
        assert_eq!(error["error"]["code"], "unauthorized");

        // Stored normalised (lower case, no default port), duplicates once, in the given order.
        let (status, reply) = put_origins(
            &b,
            &token,
            "nps",
            json!({"allowed_origins": ["HTTPS://Portal.Example.com:443", DEV, PORTAL]}),
        )
        .await;
        let expected = json!({"survey_id": "nps", "allowed_origins": [PORTAL, DEV]});
        assert_eq!((status, &reply), (StatusCode::OK, &expected), "{}", b.name);
        let (_, list) = call(&b.router, "GET", "/api/v1/surveys/nps/origins", None).await;
        assert_eq!(list, expected, "{}", b.name);

        // The staff listing shows every survey's list.
        let (_, surveys) = staff_call(&b.router, &token, "GET", "/api/v1/surveys", None).await;
        let lists: Vec<(&str, &Value)> = surveys
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["id"].as_str().unwrap(), &s["allowed_origins"]))
            .collect();
        assert_eq!(
            lists,
            [
                ("ces", &json!([])),
                ("csat", &json!([])),
                ("nps", &json!([PORTAL, DEV])),
                ("rq", &json!([]))
            ],
            "{}",
            b.name
        );

        // A new version keeps the list: it belongs to the survey, not to a version.
        let mut next: Value =
            serde_json::from_str(manyi_core::templates::json("nps").unwrap()).unwrap();
        next["version"] = json!(2);
        let (status, _) = staff_call(
            &b.router,
            &token,
            "POST",
            "/api/v1/surveys",
            Some(next.to_string()),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{}", b.name);
        let (_, list) = call(&b.router, "GET", "/api/v1/surveys/nps/origins", None).await;
        assert_eq!(list["allowed_origins"], json!([PORTAL, DEV]), "{}", b.name);

        // Replacing replaces; an empty list ends embedding.
        let (_, reply) = put_origins(&b, &token, "nps", json!({"allowed_origins": [OTHER]})).await;
        assert_eq!(reply["allowed_origins"], json!([OTHER]), "{}", b.name);
        let (_, list) = call(&b.router, "GET", "/api/v1/surveys/nps/origins", None).await;
        assert_eq!(list["allowed_origins"], json!([OTHER]), "{}", b.name);
        let (_, reply) = put_origins(&b, &token, "nps", json!({"allowed_origins": []})).await;
        assert_eq!(reply["allowed_origins"], json!([]), "{}", b.name);

        // Unknown surveys.
        let (status, error) =
            put_origins(&b, &token, "nope", json!({"allowed_origins": [PORTAL]})).await;
        assert_eq!(
            (status, &error["error"]["code"]),
            (StatusCode::NOT_FOUND, &json!("not_found")),
            "{}",
            b.name
        );
        let (status, _) = call(&b.router, "GET", "/api/v1/surveys/nope/origins", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{}", b.name);
        b.finish().await;
    }
}

#[tokio::test]
async fn bad_origin_lists_are_refused_with_every_entry_and_its_path() {
    for b in backends().await {
        let token = staff_token(&b).await;
        put_origins(&b, &token, "nps", json!({"allowed_origins": [PORTAL]})).await;
        let (status, error) = put_origins(
            &b,
            &token,
            "nps",
            json!({"allowed_origins": [
                DEV,
                "https://portal.example.com/",
                "https://*.example.com",
                "https://portal.example.com/embed",
                "ftp://files.example.com",
                "https://portal.example.com?x=1",
                42,
                "portal.example.com",
                "https://portal.example.com:99999",
            ]}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{}", b.name);
        assert_eq!(error["error"]["code"], "invalid_origins");
        assert_eq!(error["error"]["message"], "the list has 8 problem(s)");
        let details = error["error"]["details"].as_array().unwrap();
        let found: Vec<(&str, &str)> = details
            .iter()
            .map(|p| (p["path"].as_str().unwrap(), p["message"].as_str().unwrap()))
            .collect();
        let expected = [
            ("$.allowed_origins[1]", "ends with a slash"),
            ("$.allowed_origins[2]", "has a wildcard"),
            ("$.allowed_origins[3]", "has a path (/embed)"),
            ("$.allowed_origins[4]", "has the scheme \"ftp\""),
            ("$.allowed_origins[5]", "has a query"),
            ("$.allowed_origins[6]", "42 is not a string"),
            ("$.allowed_origins[7]", "has no scheme"),
            ("$.allowed_origins[8]", "has the port \"99999\""),
        ];
        assert_eq!(found.len(), expected.len(), "{found:?}");
        for ((path, message), (want_path, want_message)) in found.iter().zip(expected) {
            assert_eq!(*path, want_path);
            assert!(message.contains(want_message), "{path}: {message}");
        }
        // Nothing of a refused list is stored.
        let (_, list) = call(&b.router, "GET", "/api/v1/surveys/nps/origins", None).await;
        assert_eq!(list["allowed_origins"], json!([PORTAL]), "{}", b.name);

        let too_many: Vec<String> = (0..51).map(|i| format!("https://s{i}.example")).collect();
        let (status, error) =
            put_origins(&b, &token, "nps", json!({"allowed_origins": too_many})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{}", b.name);
        assert_eq!(error["error"]["details"][0]["path"], "$.allowed_origins");

        for body in [
            json!([PORTAL]),
            json!({"allowed_origin": [PORTAL]}),
            json!({"allowed_origins": PORTAL}),
        ] {
            let (status, error) = put_origins(&b, &token, "nps", body.clone()).await;
            assert_eq!(
                (status, &error["error"]["code"]),
                (StatusCode::BAD_REQUEST, &json!("malformed_origins")),
                "{body}"
            );
        }
        b.finish().await;
    }
}

#[tokio::test]
async fn a_survey_is_readable_only_from_its_allowed_origins() {
    for b in backends().await {
        let token = staff_token(&b).await;
        put_origins(&b, &token, "nps", json!({"allowed_origins": [PORTAL, DEV]})).await;

        let reply = from_origin(&b.router, Some(DEV), "GET", "/api/v1/surveys/nps", None).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", b.name);
        assert_eq!(reply.header("access-control-allow-origin"), Some(DEV));
        assert_eq!(reply.header("vary"), Some("origin"));
        assert_eq!(reply.json()["id"], "nps");

        // An unlisted origin, or a survey without that origin, gets no CORS headers at all.
        for (origin, survey) in [(OTHER, "nps"), (PORTAL, "csat"), ("null", "nps")] {
            let reply = from_origin(
                &b.router,
                Some(origin),
                "GET",
                &format!("/api/v1/surveys/{survey}"),
                None,
            )
            .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", b.name);
            assert_eq!(
                reply.cors_headers(),
                Vec::<&str>::new(),
                "{origin} reading {survey}"
            );
        }
        let reply = from_origin(&b.router, None, "GET", "/api/v1/surveys/nps", None).await;
        assert_eq!(reply.cors_headers(), Vec::<&str>::new());

        // Staff routes never answer CORS, even to a listed origin.
        for uri in [
            "/api/v1/surveys",
            "/api/v1/surveys/nps/report",
            "/api/v1/surveys/nps/responses",
        ] {
            let authorization = format!("Bearer {token}");
            let reply = request(
                &b.router,
                "GET",
                uri,
                &[
                    ("host", HOST),
                    ("origin", PORTAL),
                    ("authorization", &authorization),
                ],
                None,
            )
            .await;
            assert_eq!(reply.status, StatusCode::OK, "{uri}");
            assert_eq!(reply.cors_headers(), Vec::<&str>::new(), "{uri}");
        }
        b.finish().await;
    }
}

#[tokio::test]
async fn the_response_preflight_is_allowed_for_listed_origins_only() {
    for b in backends().await {
        let token = staff_token(&b).await;
        put_origins(&b, &token, "csat", json!({"allowed_origins": [PORTAL]})).await;
        let preflight = |origin: &'static str| {
            let router = b.router.clone();
            async move {
                request(
                    &router,
                    "OPTIONS",
                    "/api/v1/responses",
                    &[
                        ("host", HOST),
                        ("origin", origin),
                        ("access-control-request-method", "POST"),
                        ("access-control-request-headers", "content-type"),
                    ],
                    None,
                )
                .await
            }
        };
        let reply = preflight(PORTAL).await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", b.name);
        assert_eq!(reply.header("access-control-allow-origin"), Some(PORTAL));
        assert_eq!(reply.header("access-control-allow-methods"), Some("POST"));
        assert_eq!(
            reply.header("access-control-allow-headers"),
            Some("content-type")
        );
        assert_eq!(reply.header("access-control-max-age"), Some("600"));

        let reply = preflight(OTHER).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", b.name);
        assert_eq!(reply.json()["error"]["code"], "origin_not_allowed");
        assert_eq!(reply.cors_headers(), Vec::<&str>::new());

        // A plain OPTIONS (no Origin) is answered without CORS.
        let reply = request(&b.router, "OPTIONS", "/api/v1/responses", &[], None).await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT);
        assert_eq!(reply.header("allow"), Some("OPTIONS, POST"));
        assert_eq!(reply.cors_headers(), Vec::<&str>::new());
        b.finish().await;
    }
}

#[tokio::test]
async fn a_cross_origin_batch_is_taken_only_for_surveys_that_list_the_origin() {
    for b in backends().await {
        let token = staff_token(&b).await;
        put_origins(&b, &token, "nps", json!({"allowed_origins": [PORTAL]})).await;
        let mut invalid = nps_response(&uuid(3), 9);
        invalid["answers"]["nps"] = json!(11);
        let batch = json!([
            nps_response(&uuid(1), 9),
            csat_response(&uuid(2)),
            invalid,
            csat_response(&uuid(4)),
        ])
        .to_string();

        let reply = from_origin(
            &b.router,
            Some(PORTAL),
            "POST",
            "/api/v1/responses",
            Some(batch.clone()),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", b.name);
        assert_eq!(reply.header("access-control-allow-origin"), Some(PORTAL));
        let body = reply.json();
        let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
            list.iter()
                .map(|(s, c)| (s.to_string(), c.to_string()))
                .collect()
        };
        assert_eq!(
            statuses_and_codes(&body),
            pairs(&[
                ("accepted", ""),
                ("rejected", "origin_not_allowed"),
                ("rejected", "invalid_response"),
                ("rejected", "origin_not_allowed"),
            ]),
            "{}: {body}",
            b.name
        );
        assert_eq!(
            body["results"][1]["error"]["message"],
            format!(
                "survey \"csat\" does not take responses from {PORTAL}; staff can add it to the survey's allowed origins"
            )
        );
        assert_eq!(
            (body["accepted"].as_u64(), body["rejected"].as_u64()),
            (Some(1), Some(3))
        );
        assert_eq!(b.db.count_responses("nps").await.unwrap(), 1, "{}", b.name);
        assert_eq!(b.db.count_responses("csat").await.unwrap(), 0, "{}", b.name);

        // An origin no survey lists: everything is refused, and the browser may not read why.
        let reply = from_origin(
            &b.router,
            Some(OTHER),
            "POST",
            "/api/v1/responses",
            Some(json!([nps_response(&uuid(5), 7), csat_response(&uuid(6))]).to_string()),
        )
        .await;
        assert_eq!(
            statuses_and_codes(&reply.json()),
            pairs(&[
                ("rejected", "origin_not_allowed"),
                ("rejected", "origin_not_allowed")
            ])
        );
        assert_eq!(reply.cors_headers(), Vec::<&str>::new());
        assert_eq!(b.db.count_responses("nps").await.unwrap(), 1, "{}", b.name);

        // A listed site can read a whole-request error too.
        let reply = from_origin(
            &b.router,
            Some(PORTAL),
            "POST",
            "/api/v1/responses",
            Some("{".into()),
        )
        .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert_eq!(reply.header("access-control-allow-origin"), Some(PORTAL));
        b.finish().await;
    }
}

#[tokio::test]
async fn same_origin_and_originless_posts_are_unaffected() {
    for b in backends().await {
        let token = staff_token(&b).await;
        // Lists exist, but neither names this server itself.
        put_origins(&b, &token, "nps", json!({"allowed_origins": [PORTAL]})).await;
        for (n, origin) in [
            (1, None),
            (2, Some("https://survey.example.org")),
            (3, Some("http://SURVEY.example.org")),
        ] {
            let reply = from_origin(
                &b.router,
                origin,
                "POST",
                "/api/v1/responses",
                Some(json!([csat_response(&uuid(n)), nps_response(&uuid(10 + n), 8)]).to_string()),
            )
            .await;
            assert_eq!(
                statuses_and_codes(&reply.json()),
                [
                    ("accepted".to_owned(), String::new()),
                    ("accepted".to_owned(), String::new())
                ],
                "{}: {origin:?}",
                b.name
            );
            assert_eq!(reply.cors_headers(), Vec::<&str>::new(), "{origin:?}");
        }
        assert_eq!(b.db.count_responses("csat").await.unwrap(), 3, "{}", b.name);
        b.finish().await;
    }
}

#[tokio::test]
async fn embed_pages_may_be_framed_by_exactly_the_listed_origins() {
    let dist = temp_dist();
    for b in backends().await {
        let router = router_with_app(&b, &dist);
        let token = staff_token(&b).await;
        put_origins(&b, &token, "nps", json!({"allowed_origins": [PORTAL, DEV]})).await;

        let page = request(&router, "GET", "/embed/nps?lang=en", &[], None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", b.name);
        assert!(
            page.header("content-type")
                .unwrap()
                .starts_with("text/html")
        );
        assert!(page.text.contains("<title>manyi</title>"), "the app's page");
        let csp = page.header("content-security-policy").unwrap();
        assert_eq!(frame_ancestors(csp), ["'self'", PORTAL, DEV], "{csp}");
        // Everything but frame-ancestors is the app's usual policy.
        let rest = |csp: &str| -> Vec<String> {
            csp.split(';')
                .map(|d| d.trim().to_owned())
                .filter(|d| !d.starts_with("frame-ancestors"))
                .collect()
        };
        assert_eq!(rest(csp), rest(APP_CSP));
        assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(
            page.header("referrer-policy"),
            Some("strict-origin-when-cross-origin")
        );

        // Every other page may be framed only by the app itself.
        for uri in ["/", "/s/nps", "/embed", "/main.css"] {
            let other = request(&router, "GET", uri, &[], None).await;
            assert_eq!(other.status, StatusCode::OK, "{uri}");
            let csp = other.header("content-security-policy").unwrap();
            assert_eq!(frame_ancestors(csp), ["'self'"], "{uri}");
        }

        // A survey without a list: a refusal that shows inside any frame, without the app.
        let refused = request(&router, "GET", "/embed/csat", &[], None).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", b.name);
        assert_eq!(
            refused.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        let csp = refused.header("content-security-policy").unwrap();
        assert_eq!(frame_ancestors(csp), ["*"], "{csp}");
        assert!(!csp.contains("script-src"), "{csp}");
        for text in [
            "此问卷未开放嵌入。",
            "此問卷未開放嵌入。",
            "This survey is not enabled for embedding on other sites.",
        ] {
            assert!(refused.text.contains(text), "{}", refused.text);
        }
        assert!(!refused.text.contains("<script"));
        assert!(
            !refused.text.contains("<title>manyi</title>"),
            "not the app"
        );
        assert_eq!(refused.header("x-content-type-options"), Some("nosniff"));

        // An unknown survey: 404, also framable so the message shows.
        let unknown = request(&router, "GET", "/embed/nope", &[], None).await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", b.name);
        assert_eq!(
            frame_ancestors(unknown.header("content-security-policy").unwrap()),
            ["*"]
        );
        assert!(unknown.text.contains("This survey does not exist."));

        // Emptying the list ends embedding at once.
        put_origins(&b, &token, "nps", json!({"allowed_origins": []})).await;
        let page = request(&router, "GET", "/embed/nps", &[], None).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", b.name);
        b.finish().await;
    }
    std::fs::remove_dir_all(&dist).unwrap();
}

#[tokio::test]
async fn the_loader_is_served_to_any_site_with_short_caching() {
    let dist = temp_dist();
    let b = sqlite().await;
    let router = router_with_app(&b, &dist);
    // Not built: a JSON 404 that says so, not the app's page.
    let missing = request(&router, "GET", "/embed.js", &[], None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json()["error"]["code"], "not_found");

    std::fs::write(dist.join("embed.js"), "(() => {})();\n").unwrap();
    let loader = request(&router, "GET", "/embed.js", &[("origin", PORTAL)], None).await;
    assert_eq!(loader.status, StatusCode::OK);
    assert_eq!(loader.text, "(() => {})();\n");
    assert_eq!(
        loader.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(loader.header("cache-control"), Some("public, max-age=600"));
    assert_eq!(loader.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        loader.header("cross-origin-resource-policy"),
        Some("cross-origin")
    );
    assert_eq!(loader.header("x-content-type-options"), Some("nosniff"));
    // Revalidation answers 304 with the same caching.
    let modified = loader.header("last-modified").unwrap().to_owned();
    let again = request(
        &router,
        "GET",
        "/embed.js",
        &[("if-modified-since", &modified)],
        None,
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert_eq!(again.header("cache-control"), Some("public, max-age=600"));
    b.finish().await;
    std::fs::remove_dir_all(&dist).unwrap();
}
