//! The export is written while it is sent, in pieces: its CSV, JSON and XLSX bodies are what
//! writing every response at once gives (the core's whole-table CSV, one JSON array, the cells
//! of the rows), on data with hundreds of `meta` keys, text that a spreadsheet would misread
//! and enough rows for many pieces; and the two readings an export makes see the same
//! responses, whatever is stored in between.

mod common;

use std::collections::BTreeMap;

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode, header};
use common::*;
use futures_util::TryStreamExt;
use http_body_util::BodyExt;
use manyi_api::AuditAction;
use manyi_core::Response;
use manyi_core::export::{self, Cell, Columns};
use manyi_server::db::AuditRecord;
use manyi_server::export::CHUNK;
use serde_json::{Value, json};
use tower::ServiceExt;

/// A survey with every kind of column: a number, a choice, several choices, text, the rows of a
/// matrix.
const SURVEY: &str = r#"{
  "id": "wide",
  "version": 1,
  "title": {"en": "Wide"},
  "default_locale": "en",
  "locales": ["en"],
  "pages": [{"id": "p1", "questions": [
    {"id": "nps", "kind": "nps", "text": "Recommend?", "metric": "nps"},
    {"id": "channel", "kind": "single_choice", "text": "Channel",
     "options": [{"value": "store", "label": "Store"}, {"value": "web", "label": "Web"}]},
    {"id": "picks", "kind": "multi_choice", "text": "Picks",
     "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]},
    {"id": "comment", "kind": "text", "text": "Comment"},
    {"id": "grid", "kind": "matrix", "text": "Grid", "scale": {"min": 1, "max": 5},
     "rows": [{"id": "r1", "text": "Row 1"}, {"id": "r2", "text": "Row 2"}]},
    {"id": "sat", "kind": "likert", "text": "Satisfied?", "scale": {"min": 1, "max": 7}}
  ]}]
}"#;

/// Text a respondent may send that CSV, JSON or a spreadsheet could misread: formula triggers
/// (and quotes before them), separators, quotes, line ends, XML's special characters, control
/// characters, OOXML's own escape syntax, spaces at the ends, non-Latin text, nothing at all.
const HOSTILE: [&str; 24] = [
    "=HYPERLINK(\"http://evil.example\",\"click\")",
    "+1",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\tcmd",
    "\r=1",
    "'=already quoted",
    "''+twice",
    "'plain quote",
    "a,b,c",
    "two\nlines",
    "crlf\r\nend",
    "\"quoted\" and \"\"doubled\"\"",
    "排队太久, \"slow\"",
    "<b>&amp;</b> & <",
    "_x0000_ and _x005F_ literally",
    "bell\u{7} and nul\u{0}",
    " leading and trailing ",
    "emoji 😀 and 𝕏",
    "\u{feff}a byte-order mark",
    "",
    "fine",
    "1e5",
    "-",
];

/// `meta` keys that are themselves hostile, beside 300 plain ones.
const HOSTILE_KEYS: [&str; 5] = ["=cmd", "a,b", "line\nkey", "引号\"key\"", "-"];

/// The `i`th response: a few of the `meta` keys, hostile text in the text columns, missing
/// answers and times, submission times that repeat (so the order falls back to the id), and
/// every twentieth response a long text.
fn response(i: u32) -> Value {
    let text = |k: u32| HOSTILE[k as usize % HOSTILE.len()].to_owned();
    let mut meta = serde_json::Map::new();
    for j in 0..2 + i % 5 {
        let key = if (i + j).is_multiple_of(17) {
            HOSTILE_KEYS[((i + j) / 17) as usize % HOSTILE_KEYS.len()].to_owned()
        } else {
            format!("k{:03}", (i * 7 + j * 31) % 300)
        };
        meta.insert(key, json!(text(i + j)));
    }
    let mut answers = serde_json::Map::new();
    answers.insert("nps".into(), json!(i % 11));
    answers.insert("channel".into(), json!(text(i / 3)));
    answers.insert("picks".into(), json!([text(i), "b"]));
    if !i.is_multiple_of(4) {
        let long = if i % 20 == 1 {
            "长".repeat(3_000)
        } else {
            String::new()
        };
        answers.insert("comment".into(), json!(text(i * 5) + &long));
    }
    let mut grid = serde_json::Map::new();
    grid.insert("r1".into(), json!(i % 5 + 1));
    if i.is_multiple_of(3) {
        grid.insert("r2".into(), json!(-1.5));
    }
    answers.insert("grid".into(), grid.into());
    if !i.is_multiple_of(6) {
        answers.insert("sat".into(), json!(f64::from(i % 7) + 0.5));
    }
    let mut r = serde_json::Map::new();
    r.insert(
        "id".into(),
        json!(format!(
            "{:08x}-0000-4000-8000-{i:012}",
            i.wrapping_mul(2_654_435_761)
        )),
    );
    r.insert("survey_id".into(), json!("wide"));
    r.insert("survey_version".into(), json!(1));
    if !i.is_multiple_of(23) {
        let offset = ["+08:00", "-05:30", "Z"][i as usize % 3];
        r.insert(
            "submitted_at".into(),
            json!(format!(
                "2026-03-{:02}T{:02}:{:02}:00{offset}",
                1 + i % 28,
                i % 24,
                i % 7
            )),
        );
    }
    if i.is_multiple_of(2) {
        r.insert("started_at".into(), json!("2026-02-28T23:59:59+08:00"));
    }
    if !i.is_multiple_of(5) {
        r.insert(
            "locale".into(),
            json!(["zh-CN", "en", "=1"][i as usize % 3]),
        );
    }
    r.insert("answers".into(), answers.into());
    r.insert("meta".into(), meta.into());
    if i.is_multiple_of(9) {
        r.insert("partial".into(), json!(true));
    }
    r.into()
}

/// Publishes the survey and stores `n` responses as they are (the export must cope with
/// whatever is stored, limits or not).
async fn fill(b: &Backend, n: u32) -> manyi_core::Survey {
    let survey = manyi_core::parse_survey(SURVEY).unwrap();
    let record = AuditRecord::cli(AuditAction::Publish, Some("wide"), "version 1".into());
    b.db.publish(&survey, &record).await.unwrap();
    store(b, (0..n).map(response)).await;
    survey
}

async fn store(b: &Backend, responses: impl Iterator<Item = Value>) {
    let survey = b.db.survey("wide", Some(1)).await.unwrap().unwrap();
    let scored: Vec<_> = responses
        .map(|r| {
            let r: Response = serde_json::from_value(r).unwrap();
            let scores = manyi_core::score_response(&survey, &r);
            (r, scores)
        })
        .collect();
    for batch in scored.chunks(500) {
        b.db.store_responses(batch).await.unwrap();
    }
}

/// A staff GET whose body is kept as the pieces it came in: the content type and the pieces.
async fn pieces(b: &Backend, token: &str, uri: &str) -> (String, Vec<Bytes>) {
    let response = b
        .router
        .clone()
        .oneshot(
            Request::get(uri)
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{}: {uri}", b.name);
    let kind = response.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned();
    let mut body = response.into_body();
    let mut pieces = Vec::new();
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.unwrap().into_data() {
            pieces.push(data);
        }
    }
    (kind, pieces)
}

/// Checks that a body came in pieces of about [`CHUNK`] bytes (each but the last at least that,
/// and no more than a row beyond it) and returns it whole.
fn joined(name: &str, pieces: &[Bytes], longest_row: usize) -> Vec<u8> {
    let (last, full) = pieces.split_last().unwrap();
    for piece in full {
        assert!(
            (CHUNK..CHUNK + longest_row).contains(&piece.len()),
            "{name}: a piece of {} bytes",
            piece.len()
        );
    }
    assert!(last.len() < CHUNK + longest_row, "{name}");
    pieces.concat()
}

/// The responses as the export reads them, all at once: every stored response, in the order
/// the database gives for the export (where a missing submission time sorts is the engine's).
async fn all_responses(b: &Backend) -> Vec<Response> {
    let mut all = Vec::new();
    b.db.each_response("wide", |r| all.push(r.clone()))
        .await
        .unwrap();
    all
}

/// The cells a workbook of `responses` holds: the header, then each response's non-empty cells.
fn expected_cells(columns: &Columns, responses: &[Response]) -> BTreeMap<(u32, u32), SheetCell> {
    let mut cells = BTreeMap::new();
    for (c, name) in columns.header().into_iter().enumerate() {
        cells.insert((0, c as u32), SheetCell::Text(name));
    }
    for (r, response) in responses.iter().enumerate() {
        for (c, cell) in columns.row(response).into_iter().enumerate() {
            let at = (r as u32 + 1, c as u32);
            match cell {
                // A spreadsheet has no empty text: rust_xlsxwriter writes no cell for "".
                Cell::Empty => {}
                Cell::Text(text) if text.is_empty() => {}
                Cell::Text(text) => {
                    cells.insert(at, SheetCell::Text(text.into_owned()));
                }
                Cell::Number(x) => {
                    cells.insert(at, SheetCell::Number(x));
                }
            }
        }
    }
    cells
}

#[tokio::test]
async fn streamed_exports_are_what_writing_every_response_at_once_gives() {
    const N: u32 = 3_000;
    for b in backends().await {
        let token = staff_token(&b).await;
        let survey = fill(&b, N).await;
        let all = all_responses(&b).await;
        assert_eq!(all.len(), N as usize);
        let columns = Columns::of(&survey, &all);
        assert!(columns.meta_columns() > 300, "{}", columns.meta_columns());
        // The longest thing written before a piece is sent: a CSV line (the header's
        // included) or a response's JSON.
        let mut header = String::new();
        export::csv_header(&columns, &mut header);
        let longest_row = all
            .iter()
            .map(|r| {
                let mut line = String::new();
                export::csv_row(&columns.row(r), &mut line);
                line.len().max(serde_json::to_vec(r).unwrap().len() + 1)
            })
            .chain([header.len()])
            .max()
            .unwrap()
            + 1;

        let (kind, csv) = pieces(&b, &token, "/api/v1/surveys/wide/responses?format=csv").await;
        assert_eq!(kind, "text/csv; charset=utf-8");
        assert!(csv.len() > 20, "{}: {} pieces", b.name, csv.len());
        let csv = joined(b.name, &csv, longest_row);
        let expected = export::csv(&survey, &all);
        assert!(
            csv == expected.as_bytes(),
            "{}: the streamed CSV differs from the whole table's, first at byte {:?}",
            b.name,
            csv.iter()
                .zip(expected.as_bytes())
                .position(|(a, b)| a != b)
        );

        let (kind, json) = pieces(&b, &token, "/api/v1/surveys/wide/responses?format=json").await;
        assert_eq!(kind, "application/json");
        assert!(json.len() > 20, "{}: {} pieces", b.name, json.len());
        let json = joined(b.name, &json, longest_row);
        assert!(
            json == serde_json::to_vec(&all).unwrap(),
            "{}: the streamed JSON differs from the array written at once",
            b.name
        );

        let (_, xlsx) = pieces(&b, &token, "/api/v1/surveys/wide/responses?format=xlsx").await;
        assert!(xlsx.len() > 1, "{}: {} pieces", b.name, xlsx.len());
        let files = unzip(&xlsx.concat());
        assert!(
            !files.contains_key("xl/worksheets/sheet2.xml"),
            "{}: within Excel's limits there are no notes",
            b.name
        );
        let cells = sheet_cells(&files["xl/worksheets/sheet1.xml"], None);
        let expected = expected_cells(&columns, &all);
        assert_eq!(cells.len(), expected.len(), "{}", b.name);
        for (at, cell) in &expected {
            assert_eq!(cells.get(at), Some(cell), "{}: the cell at {at:?}", b.name);
        }

        // Each export is in the audit log with its number of responses.
        let (_, log) =
            staff_call(&b.router, &token, "GET", "/api/v1/audit?survey=wide", None).await;
        let details: Vec<&str> = log["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "export")
            .map(|e| e["detail"].as_str().unwrap())
            .collect();
        for format in ["csv", "json", "xlsx"] {
            let detail = format!("{format} of {N} response(s)");
            assert!(
                details.contains(&detail.as_str()),
                "{}: {details:?}",
                b.name
            );
        }
        b.finish().await;
    }
}

#[tokio::test]
async fn an_export_of_no_responses_is_a_header_or_an_empty_array() {
    for b in backends().await {
        let token = staff_token(&b).await;
        let survey = fill(&b, 0).await;
        let (_, csv) = staff_download(
            &b.router,
            &token,
            "/api/v1/surveys/wide/responses?format=csv",
        )
        .await;
        assert_eq!(csv, export::csv(&survey, &[]).as_bytes(), "{}", b.name);
        assert!(csv.ends_with(b",grid.r1,grid.r2,sat\n"));
        let (_, json) = staff_download(
            &b.router,
            &token,
            "/api/v1/surveys/wide/responses?format=json",
        )
        .await;
        assert_eq!(json, "[]", "{}", b.name);
        let (_, xlsx) = staff_download(
            &b.router,
            &token,
            "/api/v1/surveys/wide/responses?format=xlsx",
        )
        .await;
        let cells = sheet_cells(&unzip(&xlsx)["xl/worksheets/sheet1.xml"], None);
        assert_eq!(cells.len(), 4 + 7, "{}: the header alone", b.name);
        b.finish().await;
    }
}

#[tokio::test]
async fn an_exports_two_readings_see_the_same_responses() {
    for b in backends().await {
        fill(&b, 20).await;
        let mut snapshot = b.db.response_snapshot("wide").await.unwrap();
        let (count, keys) = snapshot.meta_keys().await.unwrap();
        assert_eq!(count, 20, "{}", b.name);
        // Stored between the export's first reading (the columns) and its second (the rows):
        // a response with a `meta` key the columns do not have.
        let mut late = response(1_000);
        late["meta"] = json!({"late": "x"});
        store(&b, [late].into_iter()).await;
        let read: Vec<Response> = snapshot.responses().try_collect().await.unwrap();
        assert_eq!(
            read.len(),
            20,
            "{}: the second reading saw a later response",
            b.name
        );
        assert!(!keys.contains("late"));
        drop(snapshot);
        // The next export has it.
        let mut next = b.db.response_snapshot("wide").await.unwrap();
        let (count, keys) = next.meta_keys().await.unwrap();
        assert_eq!(count, 21, "{}", b.name);
        assert!(keys.contains("late"));
        drop(next);
        b.finish().await;
    }
}

#[tokio::test]
async fn a_failure_half_way_cuts_the_body_short() {
    for b in backends().await {
        let token = staff_token(&b).await;
        fill(&b, 2_000).await;
        // A stored row, last in the export's order, whose `meta` reads (so the first reading,
        // which makes the columns, passes) but which is no response: the second reading fails
        // on it after the other rows have been sent.
        sqlx::query(
            "INSERT INTO responses (id, survey_id, survey_version, submitted_at, received_at, \
             body, scores) VALUES ($1, 'wide', 1, '2999-01-01T00:00:00.000Z', \
             '2026-01-01T00:00:00.000Z', $2, '{}')",
        )
        .bind(uuid(99_999))
        .bind(r#"{"id": 7, "meta": {"channel": "web"}}"#)
        .execute(b.db.pool())
        .await
        .unwrap();
        for format in ["csv", "json", "xlsx"] {
            let uri = format!("/api/v1/surveys/wide/responses?format={format}");
            let response = b
                .router
                .clone()
                .oneshot(
                    Request::get(&uri)
                        .header(header::AUTHORIZATION, format!("Bearer {token}"))
                        .body(Body::empty())
                        .unwrap(),
                )
                .await
                .unwrap();
            // The status left before the rows were read.
            assert_eq!(response.status(), StatusCode::OK, "{}: {uri}", b.name);
            let mut body = response.into_body();
            let mut received = 0;
            let mut failed = false;
            while let Some(frame) = body.frame().await {
                match frame {
                    Ok(frame) => received += frame.into_data().map_or(0, |d| d.len()),
                    Err(_) => {
                        failed = true;
                        break;
                    }
                }
            }
            assert!(failed, "{}: {format} ended as if whole", b.name);
            if format == "xlsx" {
                // The workbook is sent only once every row is in it.
                assert_eq!(received, 0, "{}", b.name);
            } else {
                assert!(
                    received > CHUNK,
                    "{}: {format}: {received} bytes first",
                    b.name
                );
            }
        }
        b.finish().await;
    }
}
