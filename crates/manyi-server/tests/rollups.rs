//! Rollups in the database against the responses they count, on SQLite and PostgreSQL: the
//! report read from rollups equals the report streamed from the responses for periods, offsets,
//! buckets, segments and filters; duplicates add nothing and deletions subtract; a rebuild
//! gives the same; a new version gets its own; and concurrent batches from several servers,
//! during a rebuild, lose no update.

mod common;

use axum::http::StatusCode;
use chrono::{DateTime, FixedOffset};
use common::{Backend, backends, call, staff_call, staff_token, uuid, with_peer};
use manyi_api::TextsReply;
use manyi_core::aggregate::{ReportBuilder, TextCollector};
use manyi_core::report::{BucketSpec, BucketUnit, MetaFilter, ReportOptions};
use manyi_core::score::Plan;
use manyi_server::{AppState, Db, app};
use serde_json::{Value, json};

fn survey(version: u32) -> Value {
    let mut questions = vec![
        json!({"id": "nps", "kind": "nps", "text": "Recommend?", "metric": "nps"}),
        json!({"id": "csat", "kind": "rating", "text": "Satisfied?", "metric": "csat",
               "scale": {"min": 1, "max": 5}}),
        json!({"id": "s1", "kind": "likert", "text": "S1", "dimension": "service",
               "scale": {"min": 1, "max": 7}}),
        json!({"id": "s2", "kind": "likert", "text": "S2", "dimension": "service",
               "reverse": true, "scale": {"min": 1, "max": 7}}),
        json!({"id": "s3", "kind": "likert", "text": "S3", "dimension": "service",
               "scale": {"min": 1, "max": 7}}),
        json!({"id": "why", "kind": "text", "text": "Why?"}),
    ];
    if version > 1 {
        questions.push(json!({"id": "s4", "kind": "likert", "text": "S4",
                              "dimension": "service", "scale": {"min": 1, "max": 7}}));
    }
    json!({
        "id": "counter", "version": version, "title": "Counter", "default_locale": "en",
        "dimensions": [{"id": "service", "title": "Service"}],
        "segments": ["channel", "counter"],
        "pages": [{"id": "p", "questions": questions}],
    })
}

/// SplitMix64, so every case replays.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % n
    }
}

const WHY: [&str; 3] = ["slow", "kind staff", "ok"];

/// Response `n`: answers, a time over 70 days in several offsets (some undated), and `meta`
/// on declared keys and an undeclared one.
fn response(rng: &mut Rng, n: u32) -> Value {
    let mut answers = json!({
        "nps": rng.below(11),
        "csat": 1 + rng.below(5),
        "s1": 1 + rng.below(7),
        "s2": 1 + rng.below(7),
        "why": WHY[rng.below(3) as usize],
    });
    if rng.below(4) > 0 {
        answers["s3"] = json!(1 + rng.below(7));
    }
    let channel = ["web", "kiosk"][rng.below(2) as usize];
    let region = ["north", "south"][rng.below(2) as usize];
    let mut meta = json!({"channel": channel, "region": region});
    if rng.below(3) > 0 {
        meta["counter"] = json!(format!("c{}", rng.below(3)));
    }
    let mut body = json!({
        "id": uuid(n), "survey_id": "counter", "survey_version": 1,
        "answers": answers, "meta": meta,
    });
    if rng.below(20) > 0 {
        let seconds = 1_767_225_600 + rng.below(70 * 86_400) as i64;
        let offset =
            FixedOffset::east_opt([0, 8 * 3600, -5 * 3600][rng.below(3) as usize]).unwrap();
        let at = DateTime::from_timestamp(seconds, 0)
            .unwrap()
            .with_timezone(&offset);
        body["submitted_at"] = json!(at.to_rfc3339());
    }
    body
}

async fn post(router: &axum::Router, batch: &[Value]) {
    let (status, reply) = call(
        router,
        "POST",
        "/api/v1/responses",
        Some(Value::from(batch.to_vec()).to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["rejected"], 0, "{reply}");
}

async fn publish(b: &Backend, token: &str, version: u32) {
    let (status, reply) = staff_call(
        &b.router,
        token,
        "POST",
        "/api/v1/surveys",
        Some(survey(version).to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
}

fn at(text: &str) -> Option<DateTime<FixedOffset>> {
    Some(DateTime::parse_from_rfc3339(text).unwrap())
}

/// Report options on declared keys, each of which the rollups serve.
fn declared_options() -> Vec<ReportOptions> {
    let offset = |minutes: i32| FixedOffset::east_opt(minutes * 60).unwrap();
    let bucket = |unit, minutes| {
        Some(BucketSpec {
            unit,
            utc_offset: offset(minutes),
        })
    };
    let filter = |key: &str, value: &str| {
        Some(MetaFilter {
            key: key.into(),
            value: value.into(),
        })
    };
    vec![
        ReportOptions::default(),
        ReportOptions {
            bucket: bucket(BucketUnit::Week, 8 * 60),
            segment: Some("counter".into()),
            ..ReportOptions::default()
        },
        ReportOptions {
            from: at("2026-02-01T00:00:00+08:00"),
            to: at("2026-03-01T00:00:00+08:00"),
            bucket: bucket(BucketUnit::Day, 8 * 60),
            ..ReportOptions::default()
        },
        ReportOptions {
            from: at("2026-01-20T10:07:31+05:45"),
            to: at("2026-02-17T23:59:00+05:45"),
            bucket: bucket(BucketUnit::Month, 5 * 60 + 45),
            filter: filter("channel", "web"),
            ..ReportOptions::default()
        },
        ReportOptions {
            from: at("2026-01-15T00:00:00Z"),
            segment: Some("channel".into()),
            filter: filter("channel", "kiosk"),
            bucket: bucket(BucketUnit::Week, 7),
            ..ReportOptions::default()
        },
        ReportOptions {
            to: at("2026-02-10T00:00:00-05:00"),
            filter: filter("counter", "c1"),
            ..ReportOptions::default()
        },
    ]
}

/// Checks the open-text answers without a search (`limit`, and `query` selecting `options`)
/// against a search of every stored response, and returns the reply.
async fn check_texts(
    b: &Backend,
    token: &str,
    limit: usize,
    query: &str,
    options: ReportOptions,
) -> Value {
    let survey = b.db.survey("counter", None).await.unwrap().unwrap();
    let plan = Plan::new(&survey);
    let mut collector = TextCollector::new(&plan, options, "", limit);
    b.db.each_response("counter", |r| collector.push_response(r))
        .await
        .unwrap();
    let expected = serde_json::to_value(TextsReply::from(collector.finish())).unwrap();
    let (status, reply) = staff_call(
        &b.router,
        token,
        "GET",
        &format!("/api/v1/surveys/counter/texts?limit={limit}{query}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(reply, expected, "{}: texts{query}", b.name);
    reply
}

/// Open-text queries and the options they select.
fn texts_queries() -> Vec<(&'static str, ReportOptions)> {
    let filter = Some(MetaFilter {
        key: "channel".into(),
        value: "web".into(),
    });
    vec![
        ("", ReportOptions::default()),
        (
            "&from=2026-02-01&to=2026-02-15&utc_offset=%2B08:00",
            ReportOptions {
                from: at("2026-02-01T00:00:00+08:00"),
                to: at("2026-02-15T00:00:00+08:00"),
                ..ReportOptions::default()
            },
        ),
        (
            "&filter=channel:web",
            ReportOptions {
                filter,
                ..ReportOptions::default()
            },
        ),
    ]
}

/// The report streamed from every stored response, as the server computes it without rollups.
async fn streamed(db: &Db, plan: &Plan<'_>, options: &ReportOptions) -> Value {
    let mut builder = ReportBuilder::new(plan, options.clone());
    db.each_response("counter", |r| builder.push_response(r))
        .await
        .unwrap();
    serde_json::to_value(builder.finish()).unwrap()
}

/// Every figure within 1e-9 relative (sums merge in another order), the rest equal.
fn assert_same(expected: &Value, actual: &Value, path: &str) {
    match (expected, actual) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            assert!(
                (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0),
                "{path}: {a} against {b}"
            );
        }
        (Value::Object(a), Value::Object(b)) => {
            assert_eq!(
                a.keys().collect::<Vec<_>>(),
                b.keys().collect::<Vec<_>>(),
                "{path}"
            );
            for (key, value) in a {
                assert_same(value, &b[key], &format!("{path}.{key}"));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "{path}");
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                assert_same(x, y, &format!("{path}[{i}]"));
            }
        }
        (a, b) => assert_eq!(a, b, "{path}"),
    }
}

/// Checks every declared option's report from rollups against the streamed one, and returns
/// the reports.
async fn check_reports(b: &Backend, version: u32, context: &str) -> Vec<Value> {
    let survey =
        b.db.survey("counter", Some(version))
            .await
            .unwrap()
            .unwrap();
    let plan = Plan::new(&survey);
    let mut reports = Vec::new();
    for options in declared_options() {
        let from_rollups =
            b.db.rollup_report(&plan, options.clone())
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("{}: {context}: {options:?} not from rollups", b.name));
        let from_rollups = serde_json::to_value(from_rollups).unwrap();
        assert_same(
            &streamed(&b.db, &plan, &options).await,
            &from_rollups,
            &format!("{}: {context}: {options:?}", b.name),
        );
        reports.push(from_rollups);
    }
    reports
}

async fn pending(db: &Db) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM rollup_pending")
        .fetch_one(db.pool())
        .await
        .unwrap()
}

async fn rollup_rows(db: &Db) -> Vec<(i64, String, i64, String, i64, i64)> {
    sqlx::query_as(
        "SELECT version, seg_key, seg_present, seg_value, grain, span_start FROM rollups \
         WHERE survey_id = 'counter' ORDER BY version, seg_key, seg_present, seg_value, grain, \
         span_start",
    )
    .fetch_all(db.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn reports_from_rollups_equal_the_streamed_reports_through_duplicates_deletions_and_rebuilds()
{
    for b in backends().await {
        let token = staff_token(&b).await;
        publish(&b, &token, 1).await;
        b.db.build_rollups().await.unwrap();
        let mut rng = Rng(1);
        let responses: Vec<Value> = (0..400).map(|n| response(&mut rng, n)).collect();
        // The first half is folded into the rollups; the second stays on the pending list,
        // which reports add (no folder runs in these tests unless they call one).
        for batch in responses[..200].chunks(37) {
            post(&b.router, batch).await;
        }
        assert_eq!(b.db.fold_rollups().await.unwrap(), 200, "{}", b.name);
        for batch in responses[200..].chunks(37) {
            post(&b.router, batch).await;
        }
        // A re-sent batch is stored once.
        post(&b.router, &responses[..50]).await;
        post(&b.router, &responses[350..]).await;
        assert_eq!(pending(&b.db).await, 200, "{}", b.name);
        let first = check_reports(&b, 1, "after storing, half of it pending").await;
        assert_eq!(first[0]["n"], 400, "{}", b.name);

        for n in (0..400).step_by(9) {
            let (status, _) = staff_call(
                &b.router,
                &token,
                "DELETE",
                &format!("/api/v1/responses/{}", uuid(n)),
                None,
            )
            .await;
            assert_eq!(status, StatusCode::NO_CONTENT);
        }
        // Deleted responses were folded (those before 200) or pending (the rest).
        let after_delete = check_reports(&b, 1, "after deleting").await;
        assert_eq!(after_delete[0]["n"], 400 - 45, "{}", b.name);
        assert_eq!(pending(&b.db).await, 200 - 22, "{}", b.name);
        // The survey list counts them from the rollups' days and the pending list.
        let listed = b.db.surveys().await.unwrap();
        let counter = listed.iter().find(|s| s.id == "counter").unwrap();
        assert_eq!(counter.responses, 400 - 45, "{}", b.name);
        assert_eq!(b.db.fold_rollups().await.unwrap(), 200 - 22, "{}", b.name);
        assert_eq!(pending(&b.db).await, 0, "{}", b.name);
        let folded = check_reports(&b, 1, "after folding").await;
        for (a, f) in after_delete.iter().zip(&folded) {
            assert_same(a, f, b.name);
        }
        let listed = b.db.surveys().await.unwrap();
        let counter = listed.iter().find(|s| s.id == "counter").unwrap();
        assert_eq!(counter.responses, 400 - 45, "{}", b.name);

        // The HTTP report is the rollups' report.
        let (status, report) = staff_call(
            &b.router,
            &token,
            "GET",
            "/api/v1/surveys/counter/report?segment=counter&bucket=week&utc_offset=%2B08:00",
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_same(&after_delete[1], &report, b.name);
        assert_eq!(report["meta_keys"], json!(["channel", "counter", "region"]));

        // Open-text answers without a search: the newest read newest first, the total from
        // the rollups; the same as searching every response.
        for (query, options) in texts_queries() {
            let reply = check_texts(&b, &token, 7, query, options).await;
            assert!(reply["total"].as_u64().unwrap() > 7, "{reply}");
        }

        // A rebuild from the responses gives the same rows and reports.
        let rows = rollup_rows(&b.db).await;
        assert_eq!(b.db.rebuild_rollups("counter").await.unwrap(), 1);
        assert_eq!(rollup_rows(&b.db).await, rows, "{}", b.name);
        let rebuilt = check_reports(&b, 1, "after a rebuild").await;
        for (a, r) in after_delete.iter().zip(&rebuilt) {
            assert_same(a, r, b.name);
        }

        // An undeclared key is not in the rollups: the report streams, with the same answer.
        let survey = b.db.survey("counter", None).await.unwrap().unwrap();
        let plan = Plan::new(&survey);
        let region = ReportOptions {
            segment: Some("region".into()),
            ..ReportOptions::default()
        };
        assert!(b.db.rollup_report(&plan, region).await.unwrap().is_none());
        let (status, report) = staff_call(
            &b.router,
            &token,
            "GET",
            "/api/v1/surveys/counter/report?segment=region",
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(report["segments"]["groups"].as_array().unwrap().len(), 2);

        // A new version gets rollups of its own, scored against it; the old ones go.
        publish(&b, &token, 2).await;
        let v2 = b.db.survey("counter", Some(2)).await.unwrap().unwrap();
        let v2_plan = Plan::new(&v2);
        b.db.build_rollups().await.unwrap();
        check_reports(&b, 2, "after publishing version 2").await;
        assert!(rollup_rows(&b.db).await.iter().all(|row| row.0 == 2));
        assert!(
            b.db.rollup_report(&v2_plan, ReportOptions::default())
                .await
                .unwrap()
                .is_some()
        );
        b.finish().await;
    }
}

#[tokio::test]
async fn concurrent_batches_from_several_servers_during_a_rebuild_lose_no_update() {
    for b in backends().await {
        let token = staff_token(&b).await;
        publish(&b, &token, 1).await;
        b.db.build_rollups().await.unwrap();
        let mut rng = Rng(2);
        let responses: Vec<Value> = (0..600).map(|n| response(&mut rng, 10_000 + n)).collect();
        for batch in responses[..200].chunks(50) {
            post(&b.router, batch).await;
        }
        assert_eq!(b.db.fold_rollups().await.unwrap(), 200, "{}", b.name);
        // The rollups start over, as `manyi rollup rebuild` starts them, and are built while
        // four servers, each with its own connections, store the rest in small batches; two
        // of them send the same responses.
        sqlx::query("UPDATE rollup_state SET ready = 0, cursor_at = NULL, cursor_id = NULL")
            .execute(b.db.pool())
            .await
            .unwrap();
        sqlx::query("DELETE FROM rollups")
            .execute(b.db.pool())
            .await
            .unwrap();
        let mut tasks = Vec::new();
        for server in 0..4 {
            let db = Db::connect(&b.url).await.unwrap();
            let router = with_peer(app(AppState::new(db, None)), [127, 0, 0, 1]);
            let part: Vec<Value> = match server {
                0 | 1 => responses[200..400].to_vec(),
                2 => responses[400..500].to_vec(),
                _ => responses[500..].to_vec(),
            };
            tasks.push(tokio::spawn(async move {
                for batch in part.chunks(5) {
                    post(&router, batch).await;
                }
            }));
        }
        let builder = Db::connect(&b.url).await.unwrap();
        tasks.push(tokio::spawn(async move {
            builder.build_rollups().await.unwrap();
        }));
        // Two servers' folders fold whatever is pending until the batches are all stored.
        let stored = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut folders = Vec::new();
        for _ in 0..2 {
            let db = Db::connect(&b.url).await.unwrap();
            let stored = stored.clone();
            folders.push(tokio::spawn(async move {
                let mut folded = 0;
                while !stored.load(std::sync::atomic::Ordering::SeqCst) {
                    folded += db.fold_rollups().await.unwrap();
                }
                folded
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        stored.store(true, std::sync::atomic::Ordering::SeqCst);
        let mut folded = 0;
        for folder in folders {
            folded += folder.await.unwrap();
        }
        folded += b.db.fold_rollups().await.unwrap();
        // Every response stored after the restart was pending once and folded once.
        assert_eq!(folded, 400, "{}", b.name);
        b.db.build_rollups().await.unwrap();
        let reports = check_reports(&b, 1, "after concurrent batches").await;
        assert_eq!(reports[0]["n"], 600, "{}", b.name);
        // The rows are those a rebuild from the responses makes.
        let rows = rollup_rows(&b.db).await;
        b.db.rebuild_rollups("counter").await.unwrap();
        assert_eq!(rollup_rows(&b.db).await, rows, "{}", b.name);
        // Every answer, newest first: more than one page of the newest-first read, then the
        // undated ones.
        let token = staff_token(&b).await;
        let reply = check_texts(&b, &token, 1000, "", ReportOptions::default()).await;
        assert_eq!(reply["total"], 600, "{}", b.name);
        b.finish().await;
    }
}

#[tokio::test]
async fn a_segment_key_with_more_than_a_thousand_values_is_refused_not_held() {
    for b in backends().await {
        let token = staff_token(&b).await;
        let mut definition = survey(1);
        definition["segments"] = json!(["customer"]);
        let (status, reply) = staff_call(
            &b.router,
            &token,
            "POST",
            "/api/v1/surveys",
            Some(definition.to_string()),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{reply}");
        b.db.build_rollups().await.unwrap();
        let responses: Vec<Value> = (0..1001)
            .map(|n| {
                json!({
                    "id": uuid(50_000 + n), "survey_id": "counter", "survey_version": 1,
                    "submitted_at": "2026-03-01T10:00:00Z",
                    "answers": {"nps": n % 11},
                    "meta": {"customer": format!("c{n}"), "ref": format!("r{n}")},
                })
            })
            .collect();
        for batch in responses.chunks(500) {
            post(&b.router, batch).await;
        }
        // From the rollups (a declared key) and from the responses (another key).
        for key in ["customer", "ref"] {
            let (status, reply) = staff_call(
                &b.router,
                &token,
                "GET",
                &format!("/api/v1/surveys/counter/report?segment={key}"),
                None,
            )
            .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{}: {reply}", b.name);
            assert_eq!(reply["error"]["code"], "invalid_query");
            let message = reply["error"]["message"].as_str().unwrap();
            assert!(message.contains("more than 1000 values"), "{message}");
        }
        b.finish().await;
    }
}
