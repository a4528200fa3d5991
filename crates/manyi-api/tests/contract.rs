//! The wire contract read and written as the server, the app and the CLI do.

use chrono::{DateTime, FixedOffset};
use manyi_api::{
    BatchReply, ErrorBody, ErrorCode, ExportFormat, ExportQuery, ItemResult, ItemStatus,
    ReportQuery, TextsQuery, looks_like_surveyjs, parse_offset,
};
use manyi_core::outbox::Verdict;
use manyi_core::report::{BucketUnit, MetaFilter};
use serde_json::json;

fn instant(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text).unwrap()
}

#[test]
fn every_known_code_and_status_reads_back_as_itself() {
    for code in ErrorCode::KNOWN {
        let text = serde_json::to_string(code).unwrap();
        assert_eq!(text, format!("\"{}\"", code.as_str()));
        assert_eq!(&serde_json::from_str::<ErrorCode>(&text).unwrap(), code);
        assert!(!matches!(code, ErrorCode::Other(_)));
    }
    assert_eq!(ErrorCode::KNOWN.len(), 35);
    for status in ItemStatus::KNOWN {
        let text = serde_json::to_string(status).unwrap();
        assert_eq!(&serde_json::from_str::<ItemStatus>(&text).unwrap(), status);
    }
}

#[test]
fn values_a_newer_server_adds_are_kept_as_they_were_sent() {
    let code: ErrorCode = serde_json::from_str("\"quota_exceeded\"").unwrap();
    assert_eq!(code, ErrorCode::Other("quota_exceeded".to_owned()));
    assert_eq!(serde_json::to_string(&code).unwrap(), "\"quota_exceeded\"");
    let status: ItemStatus = serde_json::from_str("\"queued\"").unwrap();
    assert_eq!(status, ItemStatus::Other("queued".to_owned()));
}

#[test]
fn an_error_body_keeps_its_details_as_json_text() {
    let text = r#"{"error":{"code":"invalid_definition","message":"the definition has 1 problem(s)","details":[{"path":"$.id","message":"is empty"}]}}"#;
    let body: ErrorBody = serde_json::from_str(text).unwrap();
    assert_eq!(body.error.code, ErrorCode::InvalidDefinition);
    assert_eq!(
        body.error.details.as_ref().map(|d| d.get()),
        Some(r#"[{"path":"$.id","message":"is empty"}]"#)
    );
    assert_eq!(serde_json::to_string(&body).unwrap(), text);
    let bare: ErrorBody = serde_json::from_str(
        r#"{"error":{"code":"not_found","message":"no survey","details":null}}"#,
    )
    .unwrap();
    assert!(bare.error.details.is_none());
}

#[test]
fn a_batch_reply_counts_its_results_and_says_what_each_means_for_the_outbox() {
    let results: Vec<ItemResult> = serde_json::from_str(
        &json!([
            {"id": "a", "status": "accepted"},
            {"id": "b", "status": "duplicate"},
            {"id": "c", "status": "rejected", "error": {"code": "invalid_response", "message": "bad", "details": [1]}},
            {"id": "d", "status": "conflict"},
            {"id": null, "status": "queued"},
        ])
        .to_string(),
    )
    .unwrap();
    let reply = BatchReply::new(results);
    assert_eq!(
        (
            reply.accepted,
            reply.duplicate,
            reply.conflict,
            reply.rejected
        ),
        (1, 1, 1, 1)
    );
    let verdicts = reply.verdicts();
    let ids: Vec<Option<&str>> = verdicts.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, [Some("a"), Some("b"), Some("c"), Some("d"), None]);
    assert_eq!(verdicts[0].1, Verdict::Delivered);
    assert_eq!(verdicts[1].1, Verdict::Delivered);
    let Verdict::Refused(refusal) = &verdicts[2].1 else {
        panic!("a rejected response is refused: {:?}", verdicts[2].1)
    };
    assert_eq!(
        (refusal.code.as_str(), refusal.message.as_str()),
        ("invalid_response", "bad")
    );
    // A refusal without an error body is refused under its status's name.
    let Verdict::Refused(refusal) = &verdicts[3].1 else {
        panic!("a conflict is refused: {:?}", verdicts[3].1)
    };
    assert_eq!(refusal.code, "conflict");
    assert_eq!(verdicts[4].1, Verdict::Unsettled);
}

#[test]
fn a_report_query_reads_dates_offsets_buckets_and_filters() {
    let query = ReportQuery {
        from: Some("2026-11-01".to_owned()),
        to: Some("2026-12-01T00:00:00Z".to_owned()),
        segment: Some("channel".to_owned()),
        bucket: Some("month".to_owned()),
        utc_offset: Some("+08:00".to_owned()),
        filter: Some("store:上海:静安".to_owned()),
    };
    let options = query.options().unwrap();
    assert_eq!(options.from, Some(instant("2026-11-01T00:00:00+08:00")));
    assert_eq!(options.to, Some(instant("2026-12-01T00:00:00Z")));
    assert_eq!(options.segment.as_deref(), Some("channel"));
    let bucket = options.bucket.unwrap();
    assert_eq!(bucket.unit, BucketUnit::Month);
    assert_eq!(bucket.utc_offset.local_minus_utc(), 8 * 3600);
    assert_eq!(
        options.filter,
        Some(MetaFilter {
            key: "store".to_owned(),
            value: "上海:静安".to_owned()
        })
    );
    // Dates are taken in UTC when no offset is given.
    let utc = ReportQuery {
        from: Some("2026-11-01".to_owned()),
        ..ReportQuery::default()
    };
    assert_eq!(
        utc.options().unwrap().from,
        Some(instant("2026-11-01T00:00:00Z"))
    );
    for (text, seconds) in [("Z", 0), ("z", 0), ("-05:30", -19_800), ("+0800", 28_800)] {
        assert_eq!(
            parse_offset(text).unwrap().local_minus_utc(),
            seconds,
            "{text}"
        );
    }
}

#[test]
fn a_report_query_that_does_not_read_names_the_option_and_the_value() {
    let cases = [
        (
            ReportQuery {
                from: Some("yesterday".to_owned()),
                ..ReportQuery::default()
            },
            r#"from "yesterday" is neither an RFC 3339 time nor a YYYY-MM-DD date"#,
        ),
        (
            ReportQuery {
                to: Some("2026-02-30".to_owned()),
                ..ReportQuery::default()
            },
            r#"to "2026-02-30" is neither an RFC 3339 time nor a YYYY-MM-DD date"#,
        ),
        (
            ReportQuery {
                bucket: Some("year".to_owned()),
                ..ReportQuery::default()
            },
            r#"unknown bucket "year": use day, week or month"#,
        ),
        (
            ReportQuery {
                utc_offset: Some("Asia/Shanghai".to_owned()),
                ..ReportQuery::default()
            },
            r#"utc_offset "Asia/Shanghai" is not an offset such as +08:00"#,
        ),
        (
            ReportQuery {
                filter: Some(":web".to_owned()),
                ..ReportQuery::default()
            },
            r#"filter ":web" is not a key:value pair such as channel:web"#,
        ),
    ];
    for (query, message) in cases {
        assert_eq!(query.options().unwrap_err().to_string(), message);
    }
}

#[test]
fn a_query_string_encodes_what_a_url_cannot_carry() {
    let query = ReportQuery {
        from: Some("2026-11-01".to_owned()),
        segment: Some("门店".to_owned()),
        bucket: Some(BucketUnit::Week.as_str().to_owned()),
        utc_offset: Some("+08:00".to_owned()),
        filter: Some("channel:web & app".to_owned()),
        ..ReportQuery::default()
    };
    assert_eq!(
        query.to_query_string(),
        "from=2026-11-01&segment=%E9%97%A8%E5%BA%97&bucket=week&utc_offset=%2B08%3A00\
         &filter=channel%3Aweb%20%26%20app"
    );
    assert_eq!(ReportQuery::default().to_query_string(), "");
    let texts = TextsQuery {
        q: Some("排队".to_owned()),
        limit: Some(50),
        ..TextsQuery::default()
    };
    assert_eq!(texts.to_query_string(), "q=%E6%8E%92%E9%98%9F&limit=50");
}

#[test]
fn the_texts_limit_is_between_one_and_a_thousand() {
    let with = |limit| {
        TextsQuery {
            limit,
            ..TextsQuery::default()
        }
        .limit()
    };
    assert_eq!(with(None), Ok(100));
    assert_eq!(with(Some(1)), Ok(1));
    assert_eq!(with(Some(1000)), Ok(1000));
    assert_eq!(
        with(Some(0)).unwrap_err().to_string(),
        "limit 0 is outside 1–1000"
    );
    assert!(with(Some(1001)).is_err());
}

#[test]
fn export_formats_read_by_name_and_default_to_json() {
    let format = |f: Option<&str>| {
        ExportQuery {
            format: f.map(str::to_owned),
        }
        .format()
    };
    assert_eq!(format(None), Ok(ExportFormat::Json));
    assert_eq!(format(Some("csv")), Ok(ExportFormat::Csv));
    assert_eq!(format(Some("xlsx")), Ok(ExportFormat::Xlsx));
    assert_eq!(
        format(Some("CSV")).unwrap_err().to_string(),
        r#"format "CSV" is not one of json, csv, xlsx"#
    );
    for f in ExportFormat::ALL {
        assert_eq!(serde_json::to_value(f).unwrap(), json!(f.as_str()));
    }
}

#[test]
fn surveyjs_definitions_are_told_from_manyi_ones() {
    let manyi = serde_json::from_str::<serde_json::Value>(
        manyi_core::templates::json("nps").expect("the nps template exists"),
    )
    .unwrap();
    let cases = [
        (json!({"elements": [{"type": "rating", "name": "q"}]}), true),
        (json!({"pages": [{"name": "p", "elements": []}]}), true),
        (json!({"questions": [{"type": "text", "name": "q"}]}), true),
        // SurveyJS has no numeric version; a string one is some tool's label.
        (json!({"version": "2.1", "pages": [{"elements": []}]}), true),
        (
            json!({"id": "x", "version": 1, "pages": [{"elements": []}]}),
            false,
        ),
        (json!({"pages": [{"questions": []}]}), false),
        (json!([{"elements": []}]), false),
        (json!("elements"), false),
        (manyi, false),
    ];
    for (definition, expected) in cases {
        assert_eq!(looks_like_surveyjs(&definition), expected, "{definition}");
    }
}
