//! Hostile and foreign input: what an anonymous respondent, a slow or greedy client or an odd
//! deployment can send, and what the server does with it. In-process (`oneshot`) unless the
//! socket itself is the point.

mod common;

use axum::http::StatusCode;
use common::*;
use manyi_server::limit::{IpRange, Limiter, RateLimit};
use manyi_server::{AppState, app, xlsx};
use serde_json::{Value, json};

/// Stores a response as it is, as one accepted before today's limits would be; the export must
/// cope with whatever is stored.
async fn store_raw(b: &Backend, response: Value) {
    let response: manyi_core::Response = serde_json::from_value(response).unwrap();
    let survey = b.db.survey("nps", Some(1)).await.unwrap().unwrap();
    let scores = manyi_core::score_response(&survey, &response);
    b.db.store_responses(&[(response, scores)]).await.unwrap();
}

#[tokio::test]
async fn formulas_in_answers_and_meta_are_neutralised_in_csv_and_stay_text_in_xlsx() {
    let b = sqlite().await;
    let token = staff_token(&b).await;
    let mut response = nps_response(&uuid(1), 3);
    response["answers"]["improve"] = json!("=HYPERLINK(\"http://evil.example\",\"click\")");
    response["meta"] = json!({"channel": "@SUM(1+1)*cmd|' /C calc'!A0", "ref": "-2+3"});
    let (status, reply) = call(
        &b.router,
        "POST",
        "/api/v1/responses",
        Some(response.to_string()),
    )
    .await;
    assert_eq!((status, &reply["accepted"]), (StatusCode::OK, &json!(1)));

    let (_, bytes) = staff_download(
        &b.router,
        &token,
        "/api/v1/surveys/nps/responses?format=csv",
    )
    .await;
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let row = text.lines().nth(1).unwrap();
    assert!(
        row.contains(",'@SUM(1+1)*cmd|' /C calc'!A0,'-2+3,3,"),
        "{row}"
    );
    assert!(
        row.contains(",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\","),
        "{row}"
    );
    // `manyi score` reads the export back: the answers are what the respondent typed.
    let survey = manyi_core::templates::get("nps").unwrap().unwrap();
    let plan = manyi_core::score::Plan::new(&survey);
    let loaded = manyi::input::read_csv(&bytes, &plan, &Default::default()).unwrap();
    assert!(loaded.bad.is_empty(), "{:?}", loaded.bad);
    let report = loaded.finish();
    assert_eq!(report.nps.unwrap().score, Some(-100.0));

    let (_, bytes) = staff_download(
        &b.router,
        &token,
        "/api/v1/surveys/nps/responses?format=xlsx",
    )
    .await;
    let files = unzip(&bytes);
    let sheet = &files["xl/worksheets/sheet1.xml"];
    assert!(!sheet.contains("<f>"), "no cell is a formula: {sheet}");
    let cells = sheet_cells(sheet, None);
    assert!(
        cells
            .values()
            .any(|cell| *cell
                == SheetCell::Text("=HYPERLINK(\"http://evil.example\",\"click\")".into())),
        "the text is kept as text: {sheet}"
    );
}

#[tokio::test]
async fn one_stored_response_cannot_break_the_xlsx_export() {
    for b in backends().await {
        let token = staff_token(&b).await;
        let mut long = nps_response(&uuid(10), 9);
        long["meta"] = json!({"a_note": "长".repeat(40_000)});
        long["answers"]["liked"] = json!("x".repeat(33_000));
        store_raw(&b, long).await;
        let mut wide = nps_response(&uuid(11), 7);
        wide["meta"] = (0..17_000)
            .map(|i| (format!("k{i:05}"), json!("v")))
            .collect::<serde_json::Map<_, _>>()
            .into();
        store_raw(&b, wide).await;

        let (kind, bytes) = staff_download(
            &b.router,
            &token,
            "/api/v1/surveys/nps/responses?format=xlsx",
        )
        .await;
        assert!(kind.contains("spreadsheetml"), "{}: {kind}", b.name);
        let files = unzip(&bytes);
        // The rows' text is in the cells (the sheet is written in constant memory), the notes'
        // in the shared strings.
        let sheet = &files["xl/worksheets/sheet1.xml"];
        let texts: Vec<String> = sheet_cells(sheet, None)
            .into_values()
            .filter_map(|cell| match cell {
                SheetCell::Text(text) => Some(text),
                SheetCell::Number(_) => None,
            })
            .collect();
        assert!(
            texts.contains(&format!("{}… [truncated]", "长".repeat(32_754))),
            "{}: the long meta value is cut to Excel's limit with the marker",
            b.name
        );
        assert!(texts.contains(&format!("{}… [truncated]", "x".repeat(32_754))));
        // The answers' columns are kept and the meta columns beyond the limit left out: 4 fixed
        // + 4 questions + 16,376 of the 17,001 meta keys.
        assert!(sheet.contains("<dimension ref=\"A1:XFD3\"/>"), "{}", b.name);
        assert!(
            files["xl/workbook.xml"].contains("name=\"notes\""),
            "{}",
            b.name
        );
        let notes: Vec<SheetCell> = sheet_cells(
            &files["xl/worksheets/sheet2.xml"],
            Some(&files["xl/sharedStrings.xml"]),
        )
        .into_values()
        .collect();
        let note = |text: &str| {
            notes
                .iter()
                .any(|note| matches!(note, SheetCell::Text(t) if t.contains(text)))
        };
        assert!(
            note("625 columns are left out: a sheet holds at most 16384 columns"),
            "{}: {notes:?}",
            b.name
        );
        assert!(note("2 cells are truncated to 32767 characters"));

        // The CSV holds everything.
        let (_, csv) = staff_download(
            &b.router,
            &token,
            "/api/v1/surveys/nps/responses?format=csv",
        )
        .await;
        let csv = String::from_utf8(csv.to_vec()).unwrap();
        assert!(csv.contains(&"长".repeat(40_000)));
        assert_eq!(
            csv.lines().next().unwrap().split(',').count(),
            4 + 17_001 + 4
        );
        b.finish().await;
    }
}

/// A workbook of `rows` rows of an id and a number, within `limits`.
fn workbook(rows: u32, limits: xlsx::Limits) -> Vec<u8> {
    use manyi_core::export::Cell;
    let header = ["id", "submitted_at", "started_at", "locale", "nps"].map(str::to_owned);
    let mut sheet = xlsx::Sheet::new(header.to_vec(), 0, limits).unwrap();
    for i in 0..rows {
        let id = uuid(i);
        sheet
            .push(&[
                Cell::Text(id.as_str().into()),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Number(f64::from(i)),
            ])
            .unwrap();
    }
    let mut bytes = Vec::new();
    sheet.finish(&mut bytes).unwrap();
    bytes
}

#[test]
fn responses_beyond_a_sheets_rows_are_left_out_and_counted() {
    let limits = xlsx::Limits {
        rows: 4,
        ..xlsx::Limits::EXCEL
    };
    let files = unzip(&workbook(5, limits));
    let sheet = &files["xl/worksheets/sheet1.xml"];
    assert!(sheet.contains("<row r=\"4\"") && !sheet.contains("<row r=\"5\""));
    assert!(
        files["xl/sharedStrings.xml"].contains(
            "2 responses (the latest submitted) are left out: a sheet holds at most 4 rows"
        )
    );
    // Within the limits there is no notes sheet.
    let files = unzip(&workbook(5, xlsx::Limits::EXCEL));
    assert!(!files.contains_key("xl/worksheets/sheet2.xml"));
}

#[test]
fn a_sheet_that_may_outgrow_a_plain_zip_is_written_with_zip64() {
    // Whether the archive's first entry has ZIP64's extra field (id 1) in its local header:
    // the name's length is at byte 26, the extra fields' at 28, the name from 30, then them.
    let zip64 = |bytes: &[u8]| {
        let at = |i: usize| usize::from(u16::from_le_bytes([bytes[i], bytes[i + 1]]));
        let extra = 30 + at(26);
        at(28) >= 4 && at(extra) == 1
    };
    let plain = workbook(50, xlsx::Limits::EXCEL);
    assert!(!zip64(&plain), "a small sheet keeps the plain format");
    let limits = xlsx::Limits {
        zip_bytes: 10_000,
        ..xlsx::Limits::EXCEL
    };
    let large = workbook(50, limits);
    assert!(zip64(&large));
    // Both read back with the same rows.
    let cells = |bytes: &[u8]| sheet_cells(&unzip(bytes)["xl/worksheets/sheet1.xml"], None);
    assert_eq!(cells(&plain), cells(&large));
    assert_eq!(cells(&plain)[&(50, 4)], SheetCell::Number(49.0));
}

#[tokio::test]
async fn a_method_an_endpoint_does_not_take_gets_the_json_error_with_allow() {
    let b = sqlite().await;
    let dist = temp_dist();
    for router in [b.router.clone(), router_with_app(&b, &dist)] {
        for (method, uri) in [
            ("POST", "/healthz"),
            ("PATCH", "/api/v1/surveys"),
            ("PUT", "/api/v1/responses"),
        ] {
            let reply = request(&router, method, uri, &[], None).await;
            assert_eq!(
                reply.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {uri}"
            );
            assert_eq!(
                reply.json()["error"]["code"],
                "method_not_allowed",
                "{method} {uri}: {:?}",
                reply.text
            );
            assert!(reply.header("allow").is_some_and(|allow| !allow.is_empty()));
            assert_eq!(reply.header("content-type"), Some("application/json"));
        }
    }
}

/// A router whose only limit is `limiter`, for a client at `peer`.
fn limited(b: &Backend, limiter: Limiter, peer: [u8; 4]) -> axum::Router {
    let mut state = AppState::new(b.db.clone(), None);
    state.limiter = limiter;
    with_peer(app(state), peer)
}

#[tokio::test]
async fn a_client_has_a_byte_budget_counted_with_or_without_content_length() {
    let b = sqlite().await;
    let limiter = Limiter::new(None).with_bytes(Some(RateLimit {
        per_second: 1_000.0,
        burst: 10_000.0,
    }));
    let first = limited(&b, limiter.clone(), [10, 0, 0, 1]);
    let other = limited(&b, limiter, [10, 0, 0, 2]);
    // A response padded to 6,000 bytes with JSON whitespace.
    let body = |n: u32| {
        let text = nps_response(&uuid(500 + n), 9).to_string();
        format!("{text}{}", " ".repeat(6_000 - text.len()))
    };
    let length = body(0).len().to_string();
    let declared = [("content-length", length.as_str())];
    let reply = request(
        &first,
        "POST",
        "/api/v1/responses",
        &declared,
        Some(body(0)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    // 4,000 bytes are left: a second body of 6,000 bytes, sent without a length, waits 2 s.
    let reply = request(&first, "POST", "/api/v1/responses", &[], Some(body(1))).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(reply.json()["error"]["code"], "rate_limited");
    assert_eq!(reply.header("retry-after"), Some("2"));
    // Small requests still fit, and another client has its own budget.
    let small = nps_response(&uuid(502), 9).to_string();
    let reply = request(&first, "POST", "/api/v1/responses", &[], Some(small)).await;
    assert_eq!(reply.status, StatusCode::OK);
    let reply = request(&other, "POST", "/api/v1/responses", &[], Some(body(3))).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(b.db.count_responses("nps").await.unwrap(), 3);
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_client_is_read_from_x_forwarded_for() {
    let b = sqlite().await;
    let proxies = vec![
        "10.0.0.0/8".parse().unwrap(),
        "2001:db8::1".parse().unwrap(),
    ];
    let limiter = Limiter::new(Some(RateLimit {
        per_second: 0.001,
        burst: 1.0,
    }))
    .with_trusted_proxies(proxies);
    let via_proxy = limited(&b, limiter.clone(), [10, 1, 2, 3]);
    let direct = limited(&b, limiter, [192, 0, 2, 1]);
    let post = |router: &axum::Router, n: u32, forwarded: &'static str| {
        let router = router.clone();
        async move {
            let headers = [("x-forwarded-for", forwarded)];
            let body = Some(nps_response(&uuid(600 + n), 9).to_string());
            request(&router, "POST", "/api/v1/responses", &headers, body)
                .await
                .status
        }
    };
    // The client is the right-most address that is not a trusted proxy; what the client wrote
    // to its left does not count.
    assert_eq!(
        post(&via_proxy, 0, "1.1.1.1, 203.0.113.7, 10.9.9.9").await,
        StatusCode::OK
    );
    assert_eq!(
        post(&via_proxy, 1, "8.8.8.8, 203.0.113.7").await,
        StatusCode::TOO_MANY_REQUESTS,
        "the same client through the proxy"
    );
    assert_eq!(post(&via_proxy, 2, "198.51.100.1").await, StatusCode::OK);
    // From a peer that is not trusted the header is ignored: it is the peer that is limited.
    assert_eq!(post(&direct, 3, "198.51.100.2").await, StatusCode::OK);
    assert_eq!(
        post(&direct, 4, "198.51.100.3").await,
        StatusCode::TOO_MANY_REQUESTS
    );

    let range: IpRange = "2001:db8::/32".parse().unwrap();
    assert!(range.contains("2001:db8::5".parse().unwrap()));
    assert!(!range.contains("2001:db9::5".parse().unwrap()));
    let v4: IpRange = "10.0.0.0/8".parse().unwrap();
    assert!(v4.contains("::ffff:10.2.3.4".parse().unwrap()));
    assert!(!v4.contains("11.0.0.1".parse().unwrap()));
    for bad in ["10.0.0.0/33", "proxy", "10.0.0.0/"] {
        assert!(bad.parse::<IpRange>().is_err(), "{bad}");
    }
}

#[tokio::test]
async fn hsts_is_sent_when_asked_for() {
    let b = sqlite().await;
    let reply = request(&b.router, "GET", "/healthz", &[], None).await;
    assert_eq!(reply.header("strict-transport-security"), None);
    let mut state = AppState::new(b.db.clone(), None);
    state.hsts = true;
    let router = with_peer(app(state), [127, 0, 0, 1]);
    for uri in ["/healthz", "/api/v1/surveys/nps", "/api/v1/nothing"] {
        let reply = request(&router, "GET", uri, &[], None).await;
        assert_eq!(
            reply.header("strict-transport-security"),
            Some("max-age=31536000"),
            "{uri}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_sharing_responses_in_opposite_orders_are_all_stored() {
    for b in backends().await {
        for round in 0..20u32 {
            let batch: Vec<Value> = (0..40)
                .map(|i| nps_response(&uuid(10_000 + round * 100 + i), 9))
                .collect();
            let forward = json!(batch).to_string();
            let backward = json!(batch.iter().rev().collect::<Vec<_>>()).to_string();
            let (one, two) = tokio::join!(
                call(&b.router, "POST", "/api/v1/responses", Some(forward)),
                call(&b.router, "POST", "/api/v1/responses", Some(backward)),
            );
            for (status, reply) in [one, two] {
                assert_eq!(status, StatusCode::OK, "{} round {round}: {reply}", b.name);
                assert_eq!(reply["rejected"], 0, "{}: {reply}", b.name);
            }
        }
        assert_eq!(
            b.db.count_responses("nps").await.unwrap(),
            20 * 40,
            "{}",
            b.name
        );
        b.finish().await;
    }
}
