//! What closing the loop costs at ingestion, and how soon a webhook follows a response, through
//! the real HTTP stack (the router `manyi serve` runs, called in process with
//! `tower::ServiceExt::oneshot`, with the rate limit off) into a fresh database per run.
//!
//! The first figure is the ingestion rate with follow-up off and on, in the same run: rounds
//! alternate off, on, then on, off (`--rounds` pairs), each on its own database and its own
//! runtime. Off has no alert rule and no webhook endpoint; on has the rule `nps <= 6` (high
//! severity, owned by the response's `location`, 24 h) and one endpoint for `response.created`,
//! `case.opened` and `case.updated` at a receiver on 127.0.0.1 in this process, which answers
//! 204 (`--followup rules` or `--followup webhooks` sets up only one of them). Both run the
//! rollup folder and the webhook sender, as `manyi serve` always does (`--sender off` leaves
//! the deliveries queued, and skips the lag phase). `--rows` responses (one every two seconds
//! from 500 branches; `--detractors` percent of them, 64 by default, score 0 to 6 and open a
//! case) are posted `--batch` at a time (one branch's outbox per batch; a lone response is
//! sent as an object) by `--concurrency` tasks. The clock runs from the first request to the last
//! reply (`replied_rows_per_s`, the rate clients see) and on until the folder has folded every
//! response and the outbox holds no delivery left to send (polled every 10 ms; `rows_per_s`,
//! which includes sending; the outbox counts messages, up to 64 to a row). Each round prints a
//! line; the summary gives the median of each pair's on/off ratio.
//!
//! The second figure is the delivery lag with the receiver up, on a third fresh database set up
//! as on: single responses are posted at `--rate` per second for `--seconds`, each timed from
//! just before its request to its reply, and the lag of each is the instant its
//! `response.created` reached the receiver less the instant of its reply (median, p90, p99 and
//! max, in ms; negative when the webhook arrived before the reply was read).
//!
//! With `--database postgres` the databases are made afresh from the admin URL in
//! `MANYI_BENCH_POSTGRES` (default `postgres://postgres@127.0.0.1:5432/test`) and dropped after.
//!
//! ```sh
//! cargo run --profile bench-fast -p manyi-server --example bench_followup -- \
//!     --database sqlite --rows 50000 --batch 1 --concurrency 8 --rounds 2 --rate 50 --seconds 20
//! ```

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use manyi_api::AuditAction;
use manyi_server::db::AuditRecord;
use manyi_server::limit::Limiter;
use manyi_server::webhooks::spawn_sender;
use manyi_server::{AppState, Db, app, publish_templates};
use serde_json::{Value, json};
use sqlx::{AssertSqlSafe, Executor};
use tower::ServiceExt;

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

#[derive(Clone, Copy)]
struct Opts {
    postgres: bool,
    rows: usize,
    batch: usize,
    concurrency: usize,
    rounds: usize,
    rate: f64,
    seconds: f64,
    /// The share of responses, in percent, that score 0 to 6 (detractors, who open a case).
    detractors: u64,
    /// What "on" sets up: the alert rule, the webhook endpoint, or both.
    rules: bool,
    webhooks: bool,
    /// Whether the webhook sender runs (off: deliveries are queued and left unsent).
    sender: bool,
}

/// When each response's `response.created` first reached the receiver, by response id.
type Heard = Mutex<HashMap<String, Instant>>;

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut flags = HashMap::new();
    for pair in args.chunks(2) {
        let [key, value] = pair else {
            return Err(format!("{} needs a value", pair[0]).into());
        };
        flags.insert(key.as_str(), value.as_str());
    }
    let mut get =
        |key, default: f64| -> Res<f64> { Ok(flags.remove(key).map_or(Ok(default), str::parse)?) };
    let o = Opts {
        rows: get("--rows", 50_000.0)? as usize,
        batch: get("--batch", 1.0)? as usize,
        concurrency: get("--concurrency", 8.0)? as usize,
        rounds: get("--rounds", 2.0)? as usize,
        rate: get("--rate", 50.0)?,
        seconds: get("--seconds", 20.0)?,
        detractors: get("--detractors", 64.0)?.clamp(0.0, 100.0) as u64,
        rules: matches!(
            flags.get("--followup").copied(),
            None | Some("both" | "rules")
        ),
        webhooks: matches!(
            flags.get("--followup").copied(),
            None | Some("both" | "webhooks")
        ),
        sender: match flags.remove("--sender").unwrap_or("on") {
            "on" => true,
            "off" => false,
            _ => return Err("--sender on|off".into()),
        },
        postgres: match flags.remove("--database").unwrap_or("sqlite") {
            "sqlite" => false,
            "postgres" => true,
            _ => return Err("--database sqlite|postgres".into()),
        },
    };
    if !matches!(
        flags.remove("--followup"),
        None | Some("both" | "rules" | "webhooks")
    ) {
        return Err("--followup both|rules|webhooks".into());
    }
    if let Some(unknown) = flags.keys().next() {
        return Err(format!("unknown argument {unknown}").into());
    }
    let (rows, batch, concurrency, rounds) = (o.rows, o.batch, o.concurrency, o.rounds);
    let engine = if o.postgres { "postgres" } else { "sqlite" };
    std::fs::create_dir_all(dir())?;
    sqlx::any::install_default_drivers();
    // The receiver has a runtime of its own, which outlives each round's.
    let receiver_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let heard = Arc::new(Heard::default());
    let url = receiver_runtime.block_on(receiver(heard.clone()))?;
    let bodies: Arc<Vec<Bytes>> = Arc::new(bodies(o)?);
    // Per configuration (off, on): the rates clients saw, and the rates with the drain.
    let mut rates: [[Vec<f64>; 2]; 2] = Default::default();
    for pair in 1..=rounds {
        for on in [pair % 2 == 0, pair % 2 == 1] {
            let label = ["off", "on"][usize::from(on)];
            let name = format!("manyi_bench_followup_{label}_{pair}");
            let (replied, drained, line) = run(ingest(o, name, on, &url, &heard, bodies.clone()))?;
            rates[usize::from(on)][0].push(replied);
            rates[usize::from(on)][1].push(drained);
            println!("FOLLOWUP phase=ingest database={engine} pair={pair} {line}");
        }
    }
    let mut summary = Vec::new();
    for (which, name) in ["replied_rows_per_s", "rows_per_s"].iter().enumerate() {
        // Each pair's on/off ratio (pairs push one rate to each list).
        let mut ratios: Vec<f64> = rates[1][which]
            .iter()
            .zip(&rates[0][which])
            .map(|(on, off)| on / off)
            .collect();
        let off = median(&mut rates[0][which].clone());
        let on = median(&mut rates[1][which].clone());
        let ratio = median(&mut ratios);
        summary.push(format!(
            "off_{name}={off:.0} on_{name}={on:.0} ratio_{name}={ratio:.3}"
        ));
    }
    println!(
        "FOLLOWUP phase=ingest-summary database={engine} rows={rows} batch={batch} \
         concurrency={concurrency} pairs={rounds} {}",
        summary.join(" ")
    );
    if o.sender {
        let line = run(lag(o, &url, &heard))?;
        println!("FOLLOWUP phase=lag database={engine} {line}");
    }
    std::fs::remove_dir_all(dir())?;
    Ok(())
}

/// Runs a phase on a runtime of its own: dropping it stops the phase's folder and sender.
fn run<T>(phase: impl Future<Output = Res<T>>) -> Res<T> {
    tokio::runtime::Runtime::new()?.block_on(phase)
}

/// Where the SQLite databases go.
fn dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("manyi-bench-followup-{}", std::process::id()))
}

/// The webhook receiver on 127.0.0.1: notes when each `response.created` arrives, answers 204.
async fn receiver(heard: Arc<Heard>) -> Res<String> {
    let hook = move |body: Bytes| {
        let heard = heard.clone();
        async move {
            let at = Instant::now();
            let event: Value = serde_json::from_slice(&body).unwrap_or_default();
            if event["type"] == "response.created"
                && let Some(id) = event["data"]["response"]["id"].as_str()
            {
                let mut heard = heard.lock().expect("not poisoned");
                heard.entry(id.to_owned()).or_insert(at);
            }
            StatusCode::NO_CONTENT
        }
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/hook", listener.local_addr()?);
    let router = Router::new().route("/hook", axum::routing::post(hook));
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ok(url)
}

/// The request bodies of the ingestion rounds, made before any clock starts.
fn bodies(o: Opts) -> Res<Vec<Bytes>> {
    let start = chrono::DateTime::parse_from_rfc3339("2026-11-22T08:00:00+08:00")?;
    let items: Vec<Value> = (0..o.rows)
        .map(|i| {
            let at = (start + chrono::Duration::seconds(2 * i as i64)).to_rfc3339();
            let id = format!("{:08x}-0000-4000-8000-{i:012x}", std::process::id());
            // Spread evenly: the first `detractors` of every hundred score 0 to 6, the rest 7
            // to 10, each range in turn.
            let i64 = i as u64;
            let nps = if (i64 * 37) % 100 < o.detractors {
                i64 % 7
            } else {
                7 + i64 % 4
            };
            response(id, at, nps as usize, i / o.batch)
        })
        .collect();
    let body = |chunk: &[Value]| match chunk {
        [one] => one.to_string(),
        many => Value::from(many.to_vec()).to_string(),
    };
    Ok(items
        .chunks(o.batch)
        .map(|c| Bytes::from(body(c)))
        .collect())
}

fn response(id: String, submitted_at: String, nps: usize, source: usize) -> Value {
    let channel = ["kiosk", "web", "app"][source % 3];
    json!({
        "id": id, "survey_id": "nps", "survey_version": 1, "submitted_at": submitted_at,
        "locale": "en", "answers": {"nps": nps},
        "meta": {
            "channel": channel,
            "location": format!("b{:03}", (source * 7919) % 500),
            "counter": format!("c{}", source % 5),
        }
    })
}

/// A fresh database, set up as `manyi serve` sets one up, closing the loop when `on`, and the
/// router over it with the folder and the sender running.
async fn fresh(o: Opts, name: &str, on: bool, url: &str) -> Res<(Db, Router)> {
    let db = if o.postgres {
        let (admin, base) = postgres_admin(name).await?;
        admin
            .execute(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await?;
        admin.close().await;
        Db::connect(&base).await?
    } else {
        let path = dir().join(format!("{name}.db"));
        Db::connect(&format!("sqlite://{}?mode=rwc", path.display())).await?
    };
    publish_templates(&db).await?;
    db.build_rollups().await?;
    let record = || AuditRecord::cli(AuditAction::SetAlertRules, None, String::new());
    if on && o.rules {
        let rules: Vec<manyi_core::alerts::AlertRule> = serde_json::from_value(json!([{
            "id": "detractor", "name": "detractor", "when": "nps <= 6", "severity": "high",
            "owner": {"meta": "location"}, "service_hours": 24}]))?;
        db.set_alert_rules("nps", &rules, &record()).await?;
    }
    if on && o.webhooks {
        let endpoint = serde_json::from_value(json!({"url": url,
            "events": ["response.created", "case.opened", "case.updated"]}))?;
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".to_owned();
        db.add_webhook(&endpoint, secret, |_| record()).await?;
    }
    let mut state = AppState::new(db.clone(), None);
    state.limiter = Limiter::new(None).with_bytes(None);
    state.webhooks.allow_private = true;
    db.spawn_folder();
    if o.sender {
        spawn_sender(db.clone(), state.webhooks);
    }
    let peer = SocketAddr::from(([127, 0, 0, 1], 40_000));
    Ok((db, app(state).layer(MockConnectInfo(peer))))
}

/// The admin pool, with `name` dropped if it exists, and the URL of `name`.
async fn postgres_admin(name: &str) -> Res<(sqlx::AnyPool, String)> {
    let admin = std::env::var("MANYI_BENCH_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let pool = sqlx::AnyPool::connect(&admin).await?;
    let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    pool.execute(AssertSqlSafe(drop)).await?;
    let base = &admin[..admin.rfind('/').ok_or("the admin URL ends in /DATABASE")?];
    Ok((pool, format!("{base}/{name}")))
}

/// Closes the database and, on PostgreSQL, drops it.
async fn finish(o: Opts, db: Db, name: &str) -> Res<()> {
    db.pool().close().await;
    if o.postgres {
        postgres_admin(name).await?.0.close().await;
    }
    Ok(())
}

async fn count(db: &Db, sql: &'static str) -> Res<i64> {
    Ok(sqlx::query_scalar(sql).fetch_one(db.pool()).await?)
}

/// One request, its reply read to the end; an error unless 200.
async fn post(router: &Router, body: Bytes) -> Res<()> {
    let request = Request::post("/api/v1/responses")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))?;
    let reply = router.clone().oneshot(request).await?;
    let status = reply.status();
    let bytes = reply.into_body().collect().await?.to_bytes();
    if status != StatusCode::OK {
        return Err(format!("{status}: {}", String::from_utf8_lossy(&bytes)).into());
    }
    Ok(())
}

/// Waits, polling every 10 ms, until the folder has folded every response and (when the
/// sender runs) the outbox holds nothing left to send.
async fn drained(db: &Db, sender: bool) -> Res<()> {
    loop {
        let failed = "SELECT COUNT(*) FROM webhook_deliveries WHERE last_error IS NOT NULL";
        if count(db, failed).await? > 0 {
            return Err("a delivery failed; is the receiver up and loopback allowed?".into());
        }
        let left = "SELECT COUNT(*) FROM webhook_deliveries WHERE status <> 'delivered'";
        let unfolded = "SELECT COUNT(*) FROM rollup_pending";
        if (!sender || count(db, left).await? == 0) && count(db, unfolded).await? == 0 {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// One ingestion round: its rates (rows per second to the last reply, and until folded and
/// delivered) and its line.
async fn ingest(
    o: Opts,
    name: String,
    on: bool,
    url: &str,
    heard: &Heard,
    bodies: Arc<Vec<Bytes>>,
) -> Res<(f64, f64, String)> {
    let (rows, batch, concurrency) = (o.rows, o.batch, o.concurrency);
    let (db, router) = fresh(o, &name, on, url).await?;
    heard.lock().expect("not poisoned").clear();
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (router, bodies, next) = (router.clone(), bodies.clone(), next.clone());
        tasks.spawn(async move {
            while let Some(body) = bodies.get(next.fetch_add(1, Ordering::Relaxed)) {
                post(&router, body.clone()).await?;
            }
            Res::Ok(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    let replied = start.elapsed().as_secs_f64();
    drained(&db, o.sender).await?;
    let seconds = start.elapsed().as_secs_f64();
    let stored = count(&db, "SELECT COUNT(*) FROM responses").await?;
    let cases = count(&db, "SELECT COUNT(*) FROM cases").await?;
    let deliveries = count(
        &db,
        "SELECT CAST(COALESCE(SUM(messages), 0) AS BIGINT) FROM webhook_deliveries",
    )
    .await?;
    let expected = if on && o.webhooks { stored + cases } else { 0 };
    if stored != rows as i64 || deliveries != expected {
        return Err(format!("stored {stored} of {rows}, {deliveries} deliveries").into());
    }
    finish(o, db, &name).await?;
    let (rate, followup) = (rows as f64 / seconds, if on { "on" } else { "off" });
    let line = format!(
        "followup={followup} rows={rows} batch={batch} concurrency={concurrency} \
         seconds={seconds:.3} replies_s={replied:.3} replied_rows_per_s={:.0} \
         rows_per_s={rate:.0} cases={cases} deliveries={deliveries}",
        rows as f64 / replied
    );
    Ok((rows as f64 / replied, rate, line))
}

/// The lag phase: paced single responses; the reply times and the webhook lags.
async fn lag(o: Opts, url: &str, heard: &Heard) -> Res<String> {
    let name = "manyi_bench_followup_lag";
    let (db, router) = fresh(o, name, true, url).await?;
    heard.lock().expect("not poisoned").clear();
    let total = (o.rate * o.seconds).round() as usize;
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / o.rate));
    let mut tasks = tokio::task::JoinSet::new();
    for k in 0..total {
        tick.tick().await;
        let router = router.clone();
        let id = format!("{:08x}-0000-4000-9000-{k:012x}", std::process::id());
        let now = chrono::Utc::now().to_rfc3339();
        let body = Bytes::from(response(id.clone(), now, k % 11, k).to_string());
        tasks.spawn(async move {
            let sent = Instant::now();
            post(&router, body).await?;
            Res::Ok((id, sent, Instant::now()))
        });
    }
    let mut replies = Vec::with_capacity(total);
    while let Some(done) = tasks.join_next().await {
        replies.push(done??);
    }
    let waited = Instant::now();
    while heard.lock().expect("not poisoned").len() < total {
        if waited.elapsed() > Duration::from_secs(120) {
            return Err("not every response.created arrived within 120 s".into());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let created = std::mem::take(&mut *heard.lock().expect("not poisoned"));
    finish(o, db, name).await?;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let (mut reply_ms, mut lag_ms) = (Vec::new(), Vec::new());
    for (id, sent, replied) in &replies {
        let at = created[id];
        reply_ms.push(ms(*replied - *sent));
        lag_ms.push(ms(at.saturating_duration_since(*replied)) - ms(*replied - at.min(*replied)));
    }
    let early = lag_ms.iter().filter(|l| **l < 0.0).count();
    Ok(format!(
        "rate={} seconds={} requests={total} {} {} before_reply={early}",
        o.rate,
        o.seconds,
        quantiles("reply", &mut reply_ms),
        quantiles("lag", &mut lag_ms)
    ))
}

/// The median, p90, p99 (nearest rank) and maximum of milliseconds, as `key=value` pairs.
fn quantiles(name: &str, values: &mut [f64]) -> String {
    values.sort_by(f64::total_cmp);
    let rank = |q: f64| values[((q * values.len() as f64).ceil() as usize).max(1) - 1];
    let (p50, p90, p99, max) = (rank(0.5), rank(0.9), rank(0.99), rank(1.0));
    format!(
        "{name}_ms_p50={p50:.2} {name}_ms_p90={p90:.2} {name}_ms_p99={p99:.2} \
             {name}_ms_max={max:.2}"
    )
}

/// The median, halfway between the middle two of an even count.
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    (values[(n - 1) / 2] + values[n / 2]) / 2.0
}
