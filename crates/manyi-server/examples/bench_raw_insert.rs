//! The raw insert rate of the rows ingestion writes, into the same database through the same
//! storage layer (`Db::store_responses`: one transaction per batch), with no HTTP, parsing or
//! validation in front. `bench/ingest.sh` prints it next to the API's rate.
//!
//! The responses come in time order, one every two seconds, from 500 branches' counters over
//! three channels. With `--origin mixed` (the default) consecutive responses come from different
//! branches, so a batch of 500 holds all of them, as an import of a branch network's history
//! does; with `--origin kiosk` each batch comes from one branch's counter, as a kiosk's outbox
//! does. With `--rollups off` the survey has no rollups, so storing does what it did before
//! rollups existed; with `--rollups on` (the default) every batch also lists its responses as
//! pending and a folder (`Db::spawn_folder`, as `manyi serve` runs one) folds them into the
//! rollups meanwhile; the clock stops once the last of them is folded, so the two runs give the
//! cost of keeping them. With `--followup on` the survey also has an alert rule
//! (every detractor opens a case) and a webhook endpoint for every event, whose deliveries are
//! queued (no sender runs), so the two runs give the cost of closing the loop at ingestion.
//!
//! ```sh
//! cargo run --profile bench-fast -p manyi-server --example bench_raw_insert -- \
//!     --database sqlite:///tmp/raw.db?mode=rwc --rows 100000 --batch 500 --rollups on \
//!     --origin mixed --followup off
//! ```

use std::time::Instant;

use manyi_core::{Response, score_response};
use manyi_server::{Db, publish_templates};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut database = None;
    let (mut rows, mut batch) = (100_000usize, 500usize);
    let mut rollups = true;
    let mut kiosk = false;
    let mut followup = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--database" => database = args.next(),
            "--rows" => rows = args.next().ok_or("--rows N")?.parse()?,
            "--batch" => batch = args.next().ok_or("--batch N")?.parse()?,
            "--rollups" => {
                rollups = match args.next().as_deref() {
                    Some("on") => true,
                    Some("off") => false,
                    _ => return Err("--rollups on|off".into()),
                }
            }
            "--followup" => {
                followup = match args.next().as_deref() {
                    Some("on") => true,
                    Some("off") => false,
                    _ => return Err("--followup on|off".into()),
                }
            }
            "--origin" => {
                kiosk = match args.next().as_deref() {
                    Some("kiosk") => true,
                    Some("mixed") => false,
                    _ => return Err("--origin mixed|kiosk".into()),
                }
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let db = Db::connect(&database.ok_or("--database URL")?).await?;
    publish_templates(&db).await?;
    if rollups {
        db.build_rollups().await?;
    } else {
        sqlx::query("DELETE FROM rollup_state")
            .execute(db.pool())
            .await?;
    }
    let survey = manyi_core::templates::get("nps").ok_or("no nps template")??;
    if followup {
        let record = || {
            manyi_server::db::AuditRecord::cli(
                manyi_api::AuditAction::SetAlertRules,
                None,
                String::new(),
            )
        };
        let rules: Vec<manyi_core::alerts::AlertRule> = serde_json::from_str(
            r#"[{"id": "detractor", "name": "detractor", "when": "nps <= 6", "severity": "high",
                 "owner": {"meta": "location"}, "service_hours": 24}]"#,
        )?;
        db.set_alert_rules("nps", &rules, &record()).await?;
        let endpoint: manyi_api::NewWebhookEndpoint = serde_json::from_str(
            r#"{"url": "https://crm.example.com/hook",
                "events": ["response.created", "case.opened", "case.updated"]}"#,
        )?;
        db.add_webhook(&endpoint, "whsec_AAAA".to_owned(), |_| record())
            .await?;
    }
    // The rows are built before the clock starts: only storing is measured.
    let start = chrono::DateTime::parse_from_rfc3339("2026-11-22T08:00:00+08:00")?;
    let items: Vec<(Response, manyi_core::ResponseScores)> = (0..rows)
        .map(|i| {
            let at = start + chrono::Duration::seconds(2 * i as i64);
            // A kiosk's batch shares its origin: the batch's number picks it.
            let source = if kiosk { i / batch } else { i };
            let channel = ["kiosk", "web", "app"][source % 3];
            let response: Response = serde_json::from_value(serde_json::json!({
                "id": format!("{:08x}-0000-4000-8000-{:012x}", std::process::id(), i),
                "survey_id": "nps", "survey_version": 1,
                "submitted_at": at.to_rfc3339(), "locale": "en",
                "answers": {"nps": i % 11},
                "meta": {
                    "channel": channel,
                    "location": format!("b{:03}", (source * 7919) % 500),
                    "counter": format!("c{}", source % 5),
                }
            }))
            .expect("a valid response");
            let scores = score_response(&survey, &response);
            (response, scores)
        })
        .collect();
    let start = Instant::now();
    if rollups {
        db.spawn_folder();
    }
    for chunk in items.chunks(batch) {
        db.store_responses(chunk).await?;
    }
    if rollups {
        db.fold_rollups().await?;
    }
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "RAW rows={rows} batch={batch} origin={} rollups={} followup={} seconds={seconds:.3} \
         rows_per_s={:.0}",
        if kiosk { "kiosk" } else { "mixed" },
        if rollups { "on" } else { "off" },
        if followup { "on" } else { "off" },
        rows as f64 / seconds
    );
    Ok(())
}
