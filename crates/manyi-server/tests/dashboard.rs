//! What the staff dashboard needs from the API, on SQLite and PostgreSQL: targets, and the
//! report filtered by a `meta` value with its period comparison.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{Value, json};

async fn targets(
    b: &Backend,
    token: &str,
    method: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    staff_call(
        &b.router,
        token,
        method,
        "/api/v1/surveys/csat/targets",
        body.map(|b| b.to_string()),
    )
    .await
}

#[tokio::test]
async fn staff_set_and_read_targets_with_every_problem_reported() {
    for b in backends().await {
        let token = staff_token(&b).await;
        // None yet.
        assert_eq!(
            targets(&b, &token, "GET", None).await,
            (StatusCode::OK, json!({"targets": []})),
            "{}",
            b.name
        );
        let list = json!({"targets": [
            {"metric": "csat", "target": 85.0, "deadline": "2026-06-30"},
            {"metric": "responses", "target": 200.0, "deadline": "2026-12-31"}
        ]});
        assert_eq!(
            targets(&b, &token, "PUT", Some(list.clone())).await,
            (StatusCode::OK, list.clone()),
            "{}",
            b.name
        );
        assert_eq!(targets(&b, &token, "GET", None).await.1, list, "{}", b.name);

        // Out of range and fractional: both reported with their paths, nothing changed.
        let (status, error) = targets(
            &b,
            &token,
            "PUT",
            Some(json!({"targets": [
                {"metric": "nps", "target": 30, "deadline": "2026-06-30"},
                {"metric": "csat", "target": 120, "deadline": "2026-06-30"},
                {"metric": "responses", "target": 2.5, "deadline": "2026-06-30"}
            ]})),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}: {error}",
            b.name
        );
        assert_eq!(error["error"]["code"], "invalid_targets");
        let paths: Vec<&str> = error["error"]["details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["path"].as_str().unwrap())
            .collect();
        assert_eq!(
            paths,
            ["$.targets[1].target", "$.targets[2].target"],
            "{}",
            b.name
        );
        assert_eq!(targets(&b, &token, "GET", None).await.1, list, "{}", b.name);

        // Not of the shape: an unknown metric, a date that is not one.
        for bad in [
            json!({"targets": [{"metric": "happiness", "target": 1, "deadline": "2026-06-30"}]}),
            json!({"targets": [{"metric": "nps", "target": 1, "deadline": "June"}]}),
            json!([]),
        ] {
            let (status, error) = targets(&b, &token, "PUT", Some(bad)).await;
            assert_eq!(
                (status, error["error"]["code"].as_str()),
                (StatusCode::BAD_REQUEST, Some("malformed_targets")),
                "{}",
                b.name
            );
        }

        // An empty list removes them; unknown surveys and missing tokens are refused.
        assert_eq!(
            targets(&b, &token, "PUT", Some(json!({"targets": []}))).await,
            (StatusCode::OK, json!({"targets": []})),
        );
        let (status, _) = staff_call(
            &b.router,
            &token,
            "GET",
            "/api/v1/surveys/nope/targets",
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = call(&b.router, "GET", "/api/v1/surveys/csat/targets", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        b.finish().await;
    }
}

fn csat(n: u32, score: u8, at: &str, channel: &str) -> Value {
    json!({
        "id": uuid(n),
        "survey_id": "csat",
        "survey_version": 1,
        "submitted_at": at,
        "answers": {"csat": score},
        "meta": {"channel": channel}
    })
}

#[tokio::test]
async fn the_report_filters_by_a_meta_value_in_both_periods() {
    for b in backends().await {
        let token = staff_token(&b).await;
        let feb = "2026-02-10T12:00:00Z";
        let jan = "2026-01-10T12:00:00Z";
        let batch = json!([
            csat(1, 5, feb, "web"),
            csat(2, 4, feb, "web"),
            csat(3, 1, feb, "store"),
            csat(4, 2, jan, "web"),
            csat(5, 5, jan, "web"),
            csat(6, 5, jan, "store"),
        ]);
        let (status, reply) = call(
            &b.router,
            "POST",
            "/api/v1/responses",
            Some(batch.to_string()),
        )
        .await;
        assert_eq!(
            (status, &reply["accepted"]),
            (StatusCode::OK, &json!(6)),
            "{reply}"
        );

        let (status, report) = staff_call(
            &b.router,
            &token,
            "GET",
            "/api/v1/surveys/csat/report?from=2026-02-01&to=2026-03-01&filter=channel:web",
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{}: {report}", b.name);
        // February on the web: 5 and 4, both top-2; January on the web: 2 and 5, one of two.
        assert_eq!(report["n"], 2, "{}", b.name);
        assert_eq!(report["csat"]["top2"], 2);
        let cmp = &report["comparison"];
        assert_eq!(cmp["previous"]["n"], 2);
        assert_eq!(cmp["csat"]["difference"], 50.0);
        assert!(cmp["csat"]["p_value"].is_f64(), "{cmp}");
        assert_eq!(report["meta_keys"], json!(["channel"]));

        let (status, error) = staff_call(
            &b.router,
            &token,
            "GET",
            "/api/v1/surveys/csat/report?filter=channel",
            None,
        )
        .await;
        assert_eq!(
            (status, error["error"]["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_query"))
        );
        b.finish().await;
    }
}

fn nps(n: u32, day: u32, channel: &str, reason: &str) -> Value {
    json!({
        "id": uuid(100 + n),
        "survey_id": "nps",
        "survey_version": 1,
        "submitted_at": format!("2026-03-{day:02}T12:00:00Z"),
        "answers": {"nps": 8, "reason": reason},
        "meta": {"channel": channel}
    })
}

#[tokio::test]
async fn open_text_answers_are_searched_newest_first() {
    for b in backends().await {
        let token = staff_token(&b).await;
        let batch = json!([
            nps(1, 3, "web", "Queue was short"),
            nps(2, 9, "web", "long queue"),
            nps(3, 5, "store", "queue at the store"),
            nps(4, 7, "web", "friendly"),
        ]);
        let (status, reply) = call(
            &b.router,
            "POST",
            "/api/v1/responses",
            Some(batch.to_string()),
        )
        .await;
        assert_eq!(
            (status, &reply["accepted"]),
            (StatusCode::OK, &json!(4)),
            "{reply}"
        );
        let texts = |query: &'static str| {
            let router = b.router.clone();
            let token = token.clone();
            async move {
                staff_call(
                    &router,
                    &token,
                    "GET",
                    &format!("/api/v1/surveys/nps/texts?{query}"),
                    None,
                )
                .await
            }
        };
        let (status, found) = texts("q=QUEUE&filter=channel:web").await;
        assert_eq!(status, StatusCode::OK, "{}: {found}", b.name);
        // Two web answers mention the queue, the newest first; the store's is left out.
        assert_eq!(found["total"], 2, "{found}");
        let listed: Vec<&str> = found["answers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["text"].as_str().unwrap())
            .collect();
        assert_eq!(listed, ["long queue", "Queue was short"]);
        assert_eq!(found["answers"][0]["question"], "reason");
        // The limit shortens the list, not the count; a period selects as the report does.
        let (_, limited) = texts("limit=1").await;
        assert_eq!(
            (
                limited["total"].as_u64(),
                limited["answers"].as_array().unwrap().len()
            ),
            (Some(4), 1)
        );
        let (_, early) = texts("to=2026-03-06").await;
        assert_eq!(early["total"], 2, "{early}");
        let (status, _) = texts("limit=0").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        b.finish().await;
    }
}
