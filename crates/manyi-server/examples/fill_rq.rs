//! Fills a database with `rq` responses (30 items in seven dimensions, with NPS) spread over a
//! year, through the storage layer the server writes with, for the report benchmark
//! (`bench/report_server.sh`). Answers come from a fixed-seed generator, so every run stores
//! the same responses.
//!
//! ```sh
//! cargo run --profile bench-fast -p manyi-server --example fill_rq -- \
//!     --database 'sqlite:///tmp/rq.db' --rows 100000
//! ```

use manyi_core::{Response, score_response};
use manyi_server::{Db, publish_templates};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut database = None;
    let mut rows = 100_000usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--database" => database = args.next(),
            "--rows" => rows = args.next().ok_or("--rows N")?.parse()?,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let db = Db::connect(&database.ok_or("--database URL")?).await?;
    publish_templates(&db).await?;
    let survey = manyi_core::templates::get("rq").ok_or("no rq template")??;
    let definition = serde_json::to_value(&survey)?;
    // (question id, kind, rows of a matrix) of every question.
    let mut questions = Vec::new();
    for page in definition["pages"].as_array().ok_or("pages")? {
        for q in page["questions"].as_array().ok_or("questions")? {
            questions.push(q.clone());
        }
    }
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |n: u64| {
        // xorshift64*: a fixed stream of pseudo-random numbers, the same on every run.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    };
    let start = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00+08:00")?;
    let mut batch = Vec::with_capacity(500);
    for i in 0..rows {
        let mut answers = serde_json::Map::new();
        // A respondent's general mood, so items correlate as real answers do.
        let mood = 1 + next(7) as i64;
        for q in &questions {
            let id = q["id"].as_str().ok_or("id")?;
            let value = match q["kind"].as_str().ok_or("kind")? {
                "nps" => serde_json::json!((mood * 10 / 7 + next(3) as i64 - 1).clamp(0, 10)),
                "likert" | "rating" => {
                    let max = q["scale"]["max"].as_i64().unwrap_or(7);
                    serde_json::json!((mood + next(3) as i64 - 1).clamp(1, max))
                }
                _ => continue,
            };
            if next(20) != 0 {
                answers.insert(id.to_owned(), value);
            }
        }
        let at = start + chrono::Duration::seconds(next(365 * 86_400) as i64);
        let channel = ["web", "kiosk", "app"][next(3) as usize];
        let response: Response = serde_json::from_value(serde_json::json!({
            "id": format!("{:08x}-0000-4000-8000-{:012x}", 0x5eed, i),
            "survey_id": "rq", "survey_version": 1,
            "submitted_at": at.to_rfc3339(), "locale": "zh-CN",
            "answers": answers,
            "meta": {
                "channel": channel,
                "location": format!("b{:03}", next(500)),
            }
        }))?;
        let scores = score_response(&survey, &response);
        batch.push((response, scores));
        if batch.len() == 500 || i + 1 == rows {
            db.store_responses(&batch).await?;
            batch.clear();
        }
    }
    println!("stored {rows} rq responses");
    Ok(())
}
