//! The API in-process (`oneshot`), on SQLite and on PostgreSQL. PostgreSQL is the server at
//! 127.0.0.1:5432 (or `MANYI_TEST_POSTGRES`); each run gets a fresh database. When none is
//! reachable the PostgreSQL half says so loudly and is skipped.

mod common;

use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode, header};
use common::*;
use http_body_util::BodyExt;
use manyi_server::{AppState, app};
use serde_json::{Value, json};
use tower::ServiceExt;

#[tokio::test]
async fn health_and_published_surveys() {
    for b in backends().await {
        let (status, body) = call(&b.router, "GET", "/healthz", None).await;
        assert_eq!(
            (status, body),
            (StatusCode::OK, json!({"status": "ok"})),
            "{}",
            b.name
        );
        let (status, survey) = call(&b.router, "GET", "/api/v1/surveys/rq", None).await;
        assert_eq!(status, StatusCode::OK, "{}", b.name);
        assert_eq!(survey["id"], "rq");
        assert_eq!(survey["dimensions"][0]["weight"], 0.4);
        let (status, error) = call(&b.router, "GET", "/api/v1/surveys/nope", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{}", b.name);
        assert_eq!(error["error"]["code"], "not_found");
        assert_eq!(error["error"]["message"], "no survey \"nope\"");
        let (status, error) = call(&b.router, "GET", "/api/v2/anything", None).await;
        assert_eq!(
            (status, &error["error"]["code"]),
            (StatusCode::NOT_FOUND, &json!("not_found"))
        );
        b.finish().await;
    }
}

#[tokio::test]
async fn ingestion_is_idempotent_by_id() {
    for b in backends().await {
        let first = nps_response(&uuid(1), 9);
        let (status, reply) = call(
            &b.router,
            "POST",
            "/api/v1/responses",
            Some(first.to_string()),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{}: {reply}", b.name);
        assert_eq!(reply["results"][0]["status"], "accepted", "{}", b.name);
        // The identical re-send succeeds without a second row, also with an upper-case id.
        let mut again = first.clone();
        again["id"] = json!(uuid(1).to_uppercase());
        let (_, reply) = call(
            &b.router,
            "POST",
            "/api/v1/responses",
            Some(again.to_string()),
        )
        .await;
        assert_eq!(
            reply["results"][0]["status"], "duplicate",
            "{}: {reply}",
            b.name
        );
        // The same id with other content is a conflict, and the stored row stays as it was.
        let changed = nps_response(&uuid(1), 3);
        let (_, reply) = call(
            &b.router,
            "POST",
            "/api/v1/responses",
            Some(changed.to_string()),
        )
        .await;
        assert_eq!(
            reply["results"][0]["status"], "conflict",
            "{}: {reply}",
            b.name
        );
        assert_eq!(reply["results"][0]["error"]["code"], "conflict");
        assert_eq!(b.db.count_responses("nps").await.unwrap(), 1, "{}", b.name);
        let scores = b.db.stored_scores(&[&uuid(1)]).await.unwrap();
        assert_eq!(
            scores[&uuid(1)].nps.as_ref().unwrap().value,
            9.0,
            "{}",
            b.name
        );
        b.finish().await;
    }
}

/// A batch is stored in a few statements; each response still gets its own outcome, whether
/// its id is new, stored before (with the same or other content, in any case), or repeated
/// within the batch.
#[tokio::test]
async fn a_batch_settles_every_id_against_what_is_stored_and_itself() {
    for b in backends().await {
        let stored = json!([nps_response(&uuid(1), 9), nps_response(&uuid(2), 9)]);
        let (status, _) = call(
            &b.router,
            "POST",
            "/api/v1/responses",
            Some(stored.to_string()),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let mut shouted = nps_response(&uuid(1), 9);
        shouted["id"] = json!(uuid(1).to_uppercase());
        let batch = json!([
            nps_response(&uuid(4), 7),
            shouted,
            nps_response(&uuid(2), 3),
            nps_response(&uuid(3), 10),
            nps_response(&uuid(4), 2),
            nps_response(&uuid(3), 10),
        ]);
        let (status, reply) = call(
            &b.router,
            "POST",
            "/api/v1/responses",
            Some(batch.to_string()),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{}: {reply}", b.name);
        assert_eq!(
            statuses(&reply),
            [
                "accepted",
                "duplicate",
                "conflict",
                "accepted",
                "conflict",
                "duplicate"
            ],
            "{}",
            b.name
        );
        assert_eq!(b.db.count_responses("nps").await.unwrap(), 4, "{}", b.name);
        let scores = b.db.stored_scores(&[&uuid(2), &uuid(4)]).await.unwrap();
        let nps = |id: u32| scores[&uuid(id)].nps.as_ref().unwrap().value;
        assert_eq!((nps(2), nps(4)), (9.0, 7.0), "{}", b.name);
        b.finish().await;
    }
}

#[tokio::test]
async fn a_batch_gets_one_result_per_response_in_order() {
    for b in backends().await {
        let mut out_of_range = nps_response(&uuid(11), 9);
        out_of_range["answers"]["nps"] = json!(11);
        let mut unknown = nps_response(&uuid(12), 9);
        unknown["survey_id"] = json!("nope");
        let batch = json!([
            nps_response(&uuid(10), 10),
            out_of_range,
            {"id": uuid(13), "survey_id": "nps"},
            unknown,
            nps_response(&uuid(14), 0),
            // The same response twice in one batch: the second is a duplicate of the first.
            nps_response(&uuid(14), 0),
        ]);
        let (status, reply) = call(
            &b.router,
            "POST",
            "/api/v1/responses",
            Some(batch.to_string()),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{}: {reply}", b.name);
        assert_eq!(
            statuses(&reply),
            [
                "accepted",
                "rejected",
                "rejected",
                "rejected",
                "accepted",
                "duplicate"
            ],
            "{}",
            b.name
        );
        let codes: Vec<&Value> = reply["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| &r["error"]["code"])
            .collect();
        assert_eq!(codes[1], "invalid_response");
        assert_eq!(
            reply["results"][1]["error"]["details"][0]["code"],
            "out_of_range"
        );
        assert_eq!(
            reply["results"][1]["error"]["message"],
            "\"nps\": 11 is outside the scale 0–10"
        );
        assert_eq!(codes[2], "malformed_response");
        assert_eq!(codes[3], "unknown_survey");
        assert_eq!(
            (
                reply["accepted"].as_u64(),
                reply["rejected"].as_u64(),
                reply["duplicate"].as_u64()
            ),
            (Some(2), Some(3), Some(1))
        );
        assert_eq!(b.db.count_responses("nps").await.unwrap(), 2, "{}", b.name);
        b.finish().await;
    }
}

#[tokio::test]
async fn the_server_scores_for_itself() {
    for b in backends().await {
        let mut lying = nps_response(&uuid(20), 2);
        lying["scores"] = json!({"nps": {"value": 10, "category": "promoter"}});
        let (_, reply) = call(
            &b.router,
            "POST",
            "/api/v1/responses",
            Some(lying.to_string()),
        )
        .await;
        assert_eq!(
            reply["results"][0]["status"], "accepted",
            "{}: {reply}",
            b.name
        );
        let scores = b.db.stored_scores(&[&uuid(20)]).await.unwrap();
        let nps = scores[&uuid(20)].nps.as_ref().unwrap();
        assert_eq!(
            (nps.value, nps.category),
            (2.0, manyi_core::score::NpsCategory::Detractor),
            "{}",
            b.name
        );
        b.finish().await;
    }
}

#[tokio::test]
async fn bad_requests_get_the_error_shape_and_leak_nothing() {
    for b in backends().await {
        let (status, error) = call(
            &b.router,
            "POST",
            "/api/v1/responses",
            Some("{\"id\": ".into()),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{}", b.name);
        assert_eq!(error["error"]["code"], "malformed_json");
        assert!(
            error["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("the body is not valid JSON")
        );

        let (status, error) = call(&b.router, "POST", "/api/v1/responses", Some("42".into())).await;
        assert_eq!(
            (status, &error["error"]["code"]),
            (StatusCode::BAD_REQUEST, &json!("malformed_body"))
        );

        let (status, error) = call(&b.router, "POST", "/api/v1/responses", Some("[]".into())).await;
        assert_eq!(
            (status, &error["error"]["code"]),
            (StatusCode::BAD_REQUEST, &json!("empty_batch"))
        );

        let too_many: Vec<Value> = (0..501).map(|i| nps_response(&uuid(1000 + i), 9)).collect();
        let (status, error) = call(
            &b.router,
            "POST",
            "/api/v1/responses",
            Some(json!(too_many).to_string()),
        )
        .await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{}", b.name);
        assert_eq!(error["error"]["code"], "batch_too_large");
        assert_eq!(
            b.db.count_responses("nps").await.unwrap(),
            0,
            "nothing of a refused batch is stored"
        );

        let huge = format!(
            "{{\"padding\": \"{}\"}}",
            "x".repeat(manyi_server::policy::MAX_BODY_BYTES)
        );
        let (status, error) = call(&b.router, "POST", "/api/v1/responses", Some(huge)).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{}", b.name);
        assert_eq!(error["error"]["code"], "body_too_large");
        // No error message names the database, a file or a Rust type.
        for text in [error.to_string()] {
            for leak in ["sqlx", "sqlite", "postgres", ".rs", "panicked"] {
                assert!(!text.to_lowercase().contains(leak), "{text}");
            }
        }
        b.finish().await;
    }
}

#[tokio::test]
async fn security_headers_are_on_every_response() {
    let b = sqlite().await;
    let response = b
        .router
        .clone()
        .oneshot(Request::get("/healthz").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let headers = response.headers();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(
        headers["referrer-policy"],
        "strict-origin-when-cross-origin"
    );
    let csp = headers["content-security-policy"].to_str().unwrap();
    let script_src = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src"))
        .unwrap_or_default();
    assert_eq!(script_src, "script-src 'self' 'wasm-unsafe-eval'", "{csp}");
}

#[tokio::test]
async fn the_app_is_served_with_client_routes_and_the_api_keeps_its_errors() {
    let dist = temp_dist();
    let b = sqlite().await;
    let router = router_with_app(&b, &dist);
    let get = |uri: &'static str| {
        let router = router.clone();
        async move {
            let response = router
                .oneshot(Request::get(uri).body(Body::empty()).unwrap())
                .await
                .unwrap();
            let status = response.status();
            let kind = response.headers()[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .to_owned();
            let body = response.into_body().collect().await.unwrap().to_bytes();
            (status, kind, String::from_utf8_lossy(&body).into_owned())
        }
    };
    let (status, kind, body) = get("/s/nps?lang=en").await;
    assert_eq!(status, StatusCode::OK, "a client route loads the app");
    assert!(kind.starts_with("text/html") && body.contains("<title>manyi</title>"));
    let (status, kind, _) = get("/main.css").await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "text/css"));
    let (status, kind, body) = get("/api/v9/nothing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        kind.starts_with("application/json") && body.contains("\"not_found\""),
        "{body}"
    );
    std::fs::remove_dir_all(&dist).unwrap();
}

#[tokio::test]
async fn app_files_are_served_from_their_precompressed_copies_when_the_browser_accepts_them() {
    let dist = temp_dist();
    let wasm: Vec<u8> = (0..4096u32).flat_map(|i| (i % 7).to_le_bytes()).collect();
    std::fs::write(dist.join("app_bg.wasm"), &wasm).unwrap();
    std::fs::write(dist.join("app_bg.wasm.br"), b"brotli copy").unwrap();
    std::fs::write(dist.join("app_bg.wasm.gz"), b"gzip copy").unwrap();
    let b = sqlite().await;
    let router = router_with_app(&b, &dist);
    let get = |accept: Option<&'static str>| {
        let router = router.clone();
        async move {
            let mut request = Request::get("/app_bg.wasm");
            if let Some(accept) = accept {
                request = request.header(header::ACCEPT_ENCODING, accept);
            }
            let response = router
                .oneshot(request.body(Body::empty()).unwrap())
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            let headers = response.headers().clone();
            assert_eq!(headers[header::CONTENT_TYPE], "application/wasm");
            // Caches must keep one copy per encoding.
            assert_eq!(headers[header::VARY], "accept-encoding");
            let encoding = headers
                .get(header::CONTENT_ENCODING)
                .map(|v| v.to_str().unwrap().to_owned());
            let body = response.into_body().collect().await.unwrap().to_bytes();
            (encoding, body.to_vec())
        }
    };
    assert_eq!(
        get(Some("gzip, deflate, br")).await,
        (Some("br".to_owned()), b"brotli copy".to_vec())
    );
    assert_eq!(
        get(Some("gzip")).await,
        (Some("gzip".to_owned()), b"gzip copy".to_vec())
    );
    assert_eq!(get(None).await, (None, wasm.clone()));
    // A file without copies is served as it is, whatever the browser accepts.
    let (status, kind, encoding) = {
        let response = router
            .clone()
            .oneshot(
                Request::get("/main.css")
                    .header(header::ACCEPT_ENCODING, "br")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        (
            response.status(),
            response.headers()[header::CONTENT_TYPE].clone(),
            response.headers().get(header::CONTENT_ENCODING).cloned(),
        )
    };
    assert_eq!(
        (status, kind.to_str().unwrap(), encoding),
        (StatusCode::OK, "text/css", None)
    );
    std::fs::remove_dir_all(&dist).unwrap();
}

#[tokio::test]
async fn app_files_are_revalidated_before_a_cached_copy_is_used() {
    let dist = temp_dist();
    std::fs::write(dist.join("app_bg.wasm"), b"\0asm release one").unwrap();
    let b = sqlite().await;
    let router = router_with_app(&b, &dist);
    let get = |path: &'static str, since: Option<HeaderValue>| {
        let router = router.clone();
        async move {
            let mut request = Request::get(path);
            if let Some(since) = since {
                request = request.header(header::IF_MODIFIED_SINCE, since);
            }
            let response = router
                .oneshot(request.body(Body::empty()).unwrap())
                .await
                .unwrap();
            let status = response.status();
            let headers = response.headers().clone();
            let body = response.into_body().collect().await.unwrap().to_bytes();
            (status, headers, body.len())
        }
    };
    // Files by name, and the page every client route gets, must be revalidated: their names do
    // not change between releases.
    for path in ["/app_bg.wasm", "/main.css", "/results"] {
        let (status, headers, _) = get(path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(headers[header::CACHE_CONTROL], "no-cache", "{path}");
        let modified = headers[header::LAST_MODIFIED].clone();
        // Unchanged since the browser's copy: an answer without a body.
        let (status, _, length) = get(path, Some(modified)).await;
        assert_eq!((status, length), (StatusCode::NOT_MODIFIED, 0), "{path}");
    }
    // A survey's page is written per request: revalidated by its digest.
    let page = request(&router, "GET", "/s/nps", &[], None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.header("cache-control"), Some("no-cache"));
    let tag = page.header("etag").unwrap().to_owned();
    let again = request(&router, "GET", "/s/nps", &[("if-none-match", &tag)], None).await;
    assert_eq!(
        (again.status, again.text.as_str()),
        (StatusCode::NOT_MODIFIED, "")
    );
    assert_eq!(again.header("etag"), Some(tag.as_str()));
    // The API's replies are not files and keep their own caching rules.
    let (status, headers, _) = get("/api/v1/surveys/nps", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers.get(header::CACHE_CONTROL), None);
    std::fs::remove_dir_all(&dist).unwrap();
}

#[tokio::test]
async fn staff_endpoints_need_a_live_token() {
    for b in backends().await {
        let (status, error) = call(&b.router, "GET", "/api/v1/surveys", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{}", b.name);
        assert_eq!(error["error"]["code"], "unauthorized");
        let (status, _) = staff_call(
            &b.router,
            "manyi_not-a-token",
            "GET",
            "/api/v1/surveys",
            None,
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let token = staff_token(&b).await;
        let (status, list) = staff_call(&b.router, &token, "GET", "/api/v1/surveys", None).await;
        assert_eq!(status, StatusCode::OK, "{}", b.name);
        let ids: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["ces", "csat", "nps", "rq"]);
        // Revoked, the same token no longer opens anything.
        let (status, me) = staff_call(&b.router, &token, "GET", "/api/v1/me", None).await;
        assert_eq!(status, StatusCode::OK, "{}", b.name);
        let id = me["token_id"].as_str().unwrap();
        let record = manyi_server::db::AuditRecord::cli(
            manyi_api::AuditAction::RevokeToken,
            None,
            format!("token {id}"),
        );
        assert!(b.db.revoke_token(id, &record).await.unwrap());
        let (status, _) = staff_call(&b.router, &token, "GET", "/api/v1/surveys", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{}", b.name);
        b.finish().await;
    }
}

#[tokio::test]
async fn definitions_are_published_as_rising_versions_with_every_problem_reported() {
    for b in backends().await {
        let token = staff_token(&b).await;
        let mut survey: Value =
            serde_json::from_str(manyi_core::templates::json("csat").unwrap()).unwrap();
        survey["id"] = json!("after_visit");
        let (status, reply) = staff_call(
            &b.router,
            &token,
            "POST",
            "/api/v1/surveys",
            Some(survey.to_string()),
        )
        .await;
        assert_eq!(
            (status, &reply["created"]),
            (StatusCode::CREATED, &json!(true)),
            "{}: {reply}",
            b.name
        );
        // The same version again, unchanged: accepted as a no-op.
        let (status, reply) = staff_call(
            &b.router,
            &token,
            "POST",
            "/api/v1/surveys",
            Some(survey.to_string()),
        )
        .await;
        assert_eq!((status, &reply["created"]), (StatusCode::OK, &json!(false)));
        // The same version with other content: refused, with the next version to use.
        let mut changed = survey.clone();
        changed["show_scores"] = json!(true);
        let (status, error) = staff_call(
            &b.router,
            &token,
            "POST",
            "/api/v1/surveys",
            Some(changed.to_string()),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{}", b.name);
        assert!(
            error["error"]["message"]
                .as_str()
                .unwrap()
                .ends_with("publish it as version 2")
        );
        changed["version"] = json!(2);
        let (status, _) = staff_call(
            &b.router,
            &token,
            "POST",
            "/api/v1/surveys",
            Some(changed.to_string()),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        let (_, latest) = call(&b.router, "GET", "/api/v1/surveys/after_visit", None).await;
        assert_eq!(latest["version"], 2);
        // Every problem, with its path.
        let mut broken = survey.clone();
        broken["version"] = json!(3);
        broken["pages"][0]["questions"][0]["scale"] = json!({"min": 5, "max": 1});
        broken["pages"][0]["questions"][2]["visible_if"] = json!("csat <=");
        let (status, error) = staff_call(
            &b.router,
            &token,
            "POST",
            "/api/v1/surveys",
            Some(broken.to_string()),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{}", b.name);
        assert_eq!(error["error"]["code"], "invalid_definition");
        let paths: Vec<&str> = error["error"]["details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["path"].as_str().unwrap())
            .collect();
        assert_eq!(
            paths,
            [
                "$.pages[0].questions[0].scale",
                "$.pages[0].questions[2].visible_if"
            ]
        );
        let (status, error) = staff_call(
            &b.router,
            &token,
            "POST",
            "/api/v1/surveys",
            Some(json!({"id": "x", "version": "one"}).to_string()),
        )
        .await;
        assert_eq!(
            (status, &error["error"]["code"]),
            (StatusCode::BAD_REQUEST, &json!("malformed_definition"))
        );
        assert_eq!(error["error"]["details"][0]["path"], "$.version");
        b.finish().await;
    }
}

#[tokio::test]
async fn report_export_and_delete() {
    for b in backends().await {
        let token = staff_token(&b).await;
        let mut batch = Vec::new();
        for (i, score) in [10u8, 9, 8, 3, 10].iter().enumerate() {
            let mut r = nps_response(&uuid(100 + i as u32), *score);
            r["meta"] = json!({"channel": if i % 2 == 0 { "web" } else { "store" }});
            if *score <= 6 {
                r["answers"]["improve"] = json!("排队太久, \"slow\"");
            }
            batch.push(r);
        }
        let (_, reply) = call(
            &b.router,
            "POST",
            "/api/v1/responses",
            Some(json!(batch).to_string()),
        )
        .await;
        assert_eq!(reply["accepted"], 5, "{}: {reply}", b.name);

        let (status, report) = staff_call(
            &b.router,
            &token,
            "GET",
            "/api/v1/surveys/nps/report?segment=channel&bucket=day&utc_offset=%2B08:00",
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{}: {report}", b.name);
        assert_eq!(report["n"], 5);
        // 3 promoters, 1 passive, 1 detractor: NPS 40.
        assert_eq!(report["questions"]["nps"]["nps"]["score"], 40.0);
        let groups: Vec<(&str, u64)> = report["segments"]["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| (g["value"].as_str().unwrap(), g["n"].as_u64().unwrap()))
            .collect();
        assert_eq!(groups, [("store", 2), ("web", 3)]);
        assert_eq!(report["buckets"]["buckets"][0]["key"], "2026-11-22");
        let (status, error) = staff_call(
            &b.router,
            &token,
            "GET",
            "/api/v1/surveys/nps/report?bucket=year",
            None,
        )
        .await;
        assert_eq!(
            (status, &error["error"]["code"]),
            (StatusCode::BAD_REQUEST, &json!("invalid_query"))
        );
        let (status, report) = staff_call(
            &b.router,
            &token,
            "GET",
            "/api/v1/surveys/nps/report?from=2026-11-23",
            None,
        )
        .await;
        assert_eq!((status, &report["n"]), (StatusCode::OK, &json!(0)));

        let (status, list) = staff_call(
            &b.router,
            &token,
            "GET",
            "/api/v1/surveys/nps/responses",
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(list.as_array().unwrap().len(), 5);

        let (kind, bytes) = staff_download(
            &b.router,
            &token,
            "/api/v1/surveys/nps/responses?format=csv",
        )
        .await;
        assert_eq!(kind, "text/csv; charset=utf-8");
        assert!(
            bytes.starts_with(b"\xEF\xBB\xBF"),
            "CSV starts with a byte-order mark for Excel"
        );
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next().unwrap(),
            "id,submitted_at,started_at,locale,meta.channel,nps,reason,improve,liked"
        );
        assert_eq!(text.lines().count(), 6);
        assert!(
            text.contains("\"排队太久, \"\"slow\"\"\""),
            "quoted as CSV: {text}"
        );
        // The export reads back into the CLI's scorer: same survey, same NPS.
        let survey = manyi_core::templates::get("nps").unwrap().unwrap();
        let plan = manyi_core::score::Plan::new(&survey);
        let loaded = manyi::input::read_csv(&bytes, &plan, &Default::default()).unwrap();
        assert!(loaded.bad.is_empty(), "{:?}", loaded.bad);
        let again = loaded.finish();
        assert_eq!(again.nps.unwrap().score, Some(40.0));

        // XLSX: the same columns, numbers as numbers, Chinese intact.
        let (kind, bytes) = staff_download(
            &b.router,
            &token,
            "/api/v1/surveys/nps/responses?format=xlsx",
        )
        .await;
        assert_eq!(
            kind,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let mut read = |name: &str| {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut archive.by_name(name).unwrap(), &mut text).unwrap();
            text
        };
        let sheet = read("xl/worksheets/sheet1.xml");
        assert!(
            sheet.contains("<row r=\"6\"") && !sheet.contains("<row r=\"7\""),
            "a header and 5 rows"
        );
        assert!(sheet.contains("<v>10</v>"), "NPS answers are numbers");
        assert!(
            sheet_cells(&sheet, None)
                .values()
                .any(|cell| matches!(cell, SheetCell::Text(t) if t.contains("排队太久"))),
            "{sheet}"
        );
        let (status, error) = staff_call(
            &b.router,
            &token,
            "GET",
            "/api/v1/surveys/nps/responses?format=pdf",
            None,
        )
        .await;
        assert_eq!(
            (status, &error["error"]["code"]),
            (StatusCode::BAD_REQUEST, &json!("invalid_query"))
        );

        let (status, _) = staff_call(
            &b.router,
            &token,
            "DELETE",
            &format!("/api/v1/responses/{}", uuid(103)),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{}", b.name);
        let (status, error) = staff_call(
            &b.router,
            &token,
            "DELETE",
            &format!("/api/v1/responses/{}", uuid(103)),
            None,
        )
        .await;
        assert_eq!(
            (status, &error["error"]["code"]),
            (StatusCode::NOT_FOUND, &json!("not_found"))
        );
        assert_eq!(b.db.count_responses("nps").await.unwrap(), 4);
        b.finish().await;
    }
}

#[tokio::test]
async fn public_writes_are_rate_limited_per_client() {
    let b = sqlite().await;
    let mut state = AppState::new(b.db.clone(), None);
    state.limiter = manyi_server::limit::Limiter::new(Some(manyi_server::limit::RateLimit {
        per_second: 0.5,
        burst: 2.0,
    }));
    let first = with_peer(app(state.clone()), [10, 0, 0, 1]);
    let other = with_peer(app(state), [10, 0, 0, 2]);
    let body = |n: u32| Some(nps_response(&uuid(300 + n), 9).to_string());
    for n in 0..2 {
        let (status, _) = call(&first, "POST", "/api/v1/responses", body(n)).await;
        assert_eq!(status, StatusCode::OK, "within the burst");
    }
    let response = first
        .clone()
        .oneshot(
            Request::post("/api/v1/responses")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body(2).unwrap()))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()[header::RETRY_AFTER], "2");
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let error: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(error["error"]["code"], "rate_limited");
    // Another client is not affected, and reads are never limited.
    let (status, _) = call(&other, "POST", "/api/v1/responses", body(3)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(&first, "GET", "/api/v1/surveys/nps", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        b.db.count_responses("nps").await.unwrap(),
        3,
        "the refused request stored nothing"
    );
}

#[tokio::test]
async fn unreadable_paths_and_queries_get_the_error_shape() {
    for b in backends().await {
        let token = staff_token(&b).await;
        // A repeated parameter and a path that is not UTF-8 once decoded: axum's own
        // rejections would answer these in plain text.
        for (uri, code) in [
            (
                "/api/v1/surveys/nps/responses?format=csv&format=csv",
                "invalid_query",
            ),
            (
                "/api/v1/surveys/nps/report?bucket=day&bucket=week",
                "invalid_query",
            ),
            ("/api/v1/surveys/%FF/report", "invalid_path"),
        ] {
            let (status, error) = staff_call(&b.router, &token, "GET", uri, None).await;
            assert_eq!(
                (status, &error["error"]["code"]),
                (StatusCode::BAD_REQUEST, &json!(code)),
                "{}: {uri}",
                b.name
            );
        }
        let (status, error) = call(&b.router, "GET", "/api/v1/surveys/%FF", None).await;
        assert_eq!(
            (status, &error["error"]["code"]),
            (StatusCode::BAD_REQUEST, &json!("invalid_path"))
        );
        b.finish().await;
    }
}

/// A SurveyJS definition as `POST /api/v1/surveys?format=surveyjs` takes it: a rating, a text
/// question shown by a SurveyJS condition, a name compared case-insensitively, and a file
/// upload manyi cannot import.
fn surveyjs_visit() -> Value {
    json!({
        "title": {"default": "After your visit", "zh-cn": "到访之后"},
        "pages": [{"name": "p1", "elements": [
            {"type": "rating", "name": "NPS", "rateMin": 0, "rateMax": 10, "isRequired": true},
            {"type": "text", "name": "who"},
            {"type": "comment", "name": "why", "visibleIf": "{nps} <= 6 or {who} = 'bob'"},
            {"type": "file", "name": "photo"}
        ]}]
    })
}

#[tokio::test]
async fn surveyjs_definitions_are_imported_published_and_evaluated_with_surveyjs_semantics() {
    for b in backends().await {
        let token = staff_token(&b).await;
        let body = Some(surveyjs_visit().to_string());
        let uri = "/api/v1/surveys?format=surveyjs&id=visit&version=3";
        let (status, reply) = staff_call(&b.router, &token, "POST", uri, body.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{}: {reply}", b.name);
        assert_eq!(
            (&reply["id"], &reply["version"]),
            (&json!("visit"), &json!(3))
        );
        let reports = reply["reports"].as_array().unwrap();
        let paths: Vec<&str> = reports
            .iter()
            .map(|r| r["path"].as_str().unwrap())
            .collect();
        assert_eq!(
            paths,
            ["$.pages[0].elements[0].name", "$.pages[0].elements[3]"],
            "{reply}"
        );
        assert_eq!(reports[1]["kind"], "element");
        assert!(
            reports[1]["message"]
                .as_str()
                .unwrap()
                .contains("file element \"photo\"")
        );
        // Publishing the same document again changes nothing.
        let (status, _) = staff_call(&b.router, &token, "POST", uri, body).await;
        assert_eq!(status, StatusCode::OK, "{}", b.name);

        // The definition keeps the condition in SurveyJS's language, renamed to the new id.
        let (_, survey) = call(&b.router, "GET", "/api/v1/surveys/visit", None).await;
        assert_eq!(survey["title"]["zh-CN"], "到访之后");
        assert_eq!(
            survey["pages"][0]["questions"][2]["visible_if"],
            json!({"surveyjs": "{nps} <= 6 or {who} = 'bob'"})
        );
        // Responses are checked with SurveyJS's semantics: 'BOB ' equals 'bob', so `why` is
        // shown and may be answered; with a 9 and another name it is hidden.
        let response = |n: u32, nps: u8, who: &str| {
            json!({"id": uuid(n), "survey_id": "visit", "survey_version": 3,
                   "answers": {"nps": nps, "who": who, "why": "slow"}})
        };
        let batch = json!([response(500, 9, "BOB "), response(501, 9, "ann")]);
        let (status, reply) = call(
            &b.router,
            "POST",
            "/api/v1/responses",
            Some(batch.to_string()),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{}: {reply}", b.name);
        assert_eq!(
            reply["results"][0]["status"], "accepted",
            "{}: {reply}",
            b.name
        );
        assert_eq!(
            reply["results"][1]["status"], "rejected",
            "{}: {reply}",
            b.name
        );
        assert!(
            reply["results"][1]["error"]
                .to_string()
                .contains("answered_hidden"),
            "{reply}"
        );
        b.finish().await;
    }
}

#[tokio::test]
async fn surveyjs_imports_that_lose_something_can_be_refused() {
    for b in backends().await {
        let token = staff_token(&b).await;
        let body = Some(surveyjs_visit().to_string());
        // strict: every report is a reason to refuse, and nothing is published.
        let uri = "/api/v1/surveys?format=surveyjs&id=visit_strict&strict=true";
        let (status, error) = staff_call(&b.router, &token, "POST", uri, body.clone()).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}: {error}",
            b.name
        );
        assert_eq!(error["error"]["code"], "import_reported");
        assert_eq!(
            error["error"]["details"][1]["path"],
            "$.pages[0].elements[3]"
        );
        let (status, _) = call(&b.router, "GET", "/api/v1/surveys/visit_strict", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // Nothing to answer: refused with every element reported.
        let files = json!({"elements": [{"type": "file", "name": "a"}, {"type": "signaturepad", "name": "b"}]});
        let (status, error) = staff_call(
            &b.router,
            &token,
            "POST",
            "/api/v1/surveys?format=surveyjs",
            Some(files.to_string()),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}: {error}",
            b.name
        );
        assert_eq!(error["error"]["code"], "nothing_imported");
        assert_eq!(error["error"]["details"].as_array().unwrap().len(), 2);
        // A SurveyJS document sent as a manyi definition: refused, with a hint.
        let (status, error) =
            staff_call(&b.router, &token, "POST", "/api/v1/surveys", body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{}: {error}", b.name);
        assert!(
            error["error"]["message"]
                .as_str()
                .unwrap()
                .contains("?format=surveyjs"),
            "{error}"
        );
        // The import's options belong to format=surveyjs.
        let (status, error) =
            staff_call(&b.router, &token, "POST", "/api/v1/surveys?id=x", body).await;
        assert_eq!(
            (status, &error["error"]["code"]),
            (StatusCode::BAD_REQUEST, &json!("invalid_query"))
        );
        b.finish().await;
    }
}

/// Each result's status in a batch's reply, in order.
fn statuses(reply: &Value) -> Vec<&str> {
    reply["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect()
}
