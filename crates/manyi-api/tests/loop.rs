//! The "close the loop" contract: alert rules, cases and their timeline, the changes staff
//! send, the inbox's and the figures' queries, and webhooks, read and written as the server and
//! the app do.

use chrono::{DateTime, FixedOffset};
use manyi_api::{
    AlertRules, Case, CaseCursor, CaseEvent, CaseEventKind, CaseQuery, CaseStatus, CaseUpdate,
    ContactMethod, Delivery, DeliveryStatus, ErrorCode, LoopQuery, NewWebhookEndpoint, OwnerFilter,
    WebhookEndpoint, WebhookEvent, case_error_code,
};
use manyi_core::alerts::{Owner, Severity};
use manyi_core::cases::{self as core, CaseFacts, EventKind};
use serde_json::json;

fn instant(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text).unwrap()
}

#[test]
fn alert_rules_read_with_either_kind_of_owner() {
    let rules: AlertRules = serde_json::from_value(json!({"rules": [
        {"id": "detractor", "name": "贬损者", "when": "nps <= 6", "severity": "high",
         "owner": {"meta": "location"}, "service_hours": 24},
        {"id": "complaint", "name": "投诉", "when": "comment contains \"投诉\"", "severity": "critical",
         "owner": {"fixed": "客服主管"}, "service_hours": 4}
    ]}))
    .unwrap();
    assert_eq!(rules.rules[0].owner, Owner::Meta("location".into()));
    assert_eq!(rules.rules[1].owner, Owner::Fixed("客服主管".into()));
    assert_eq!(rules.rules[1].severity, Severity::Critical);
    let bad = serde_json::from_value::<AlertRules>(json!({"rules": [
        {"id": "a", "name": "A", "when": "nps <= 6", "severity": "urgent",
         "owner": {"fixed": "x"}, "service_hours": 24}
    ]}));
    assert!(bad.is_err(), "an unknown severity is a malformed body");
}

/// A case as the server writes it: the summary's fields and the case's side by side, times as
/// RFC 3339, the timeline's fields only where its kind has them.
#[test]
fn a_case_is_written_flat_and_reads_back() {
    let text = json!({
        "id": "c1", "survey_id": "nps", "response_id": "r1", "status": "resolved",
        "severity": "high", "owner": "b001", "location": "b001",
        "rules": [{"id": "detractor", "name": "贬损者"}],
        "opened_at": "2026-03-02T09:00:00+08:00", "due_at": "2026-03-03T09:00:00+08:00",
        "overdue": false, "has_contact": true,
        "first_action_at": "2026-03-02T09:30:00+08:00", "ended_at": "2026-03-02T11:00:00+08:00",
        "resolution": "已退款", "contacted": true,
        "contact": {"method": "phone", "value": "+86 138 0000 0000"},
        "events": [
            {"at": "2026-03-02T09:00:00+08:00", "by": "manyi", "kind": "opened", "owner": "b001",
             "due_at": "2026-03-03T09:00:00+08:00"},
            {"at": "2026-03-02T09:30:00+08:00", "by": "张三", "kind": "note", "text": "已致电",
             "contacted": true},
            {"at": "2026-03-02T11:00:00+08:00", "by": "张三", "kind": "status_changed",
             "from": "open", "to": "resolved", "resolution": "已退款"}
        ]
    });
    let case: Case = serde_json::from_value(text.clone()).unwrap();
    assert_eq!(case.summary.status, CaseStatus::Resolved);
    assert_eq!(
        case.summary.status.known(),
        Some(core::CaseStatus::Resolved)
    );
    assert_eq!(case.contact.as_ref().unwrap().method, ContactMethod::Phone);
    assert_eq!(case.events[2].kind, CaseEventKind::StatusChanged);
    assert_eq!(serde_json::to_value(&case).unwrap(), text);
}

#[test]
fn the_cores_timeline_is_written_with_each_kinds_fields() {
    let at = instant("2026-03-02T01:00:00Z");
    let event = |kind: EventKind| {
        let event = core::CaseEvent {
            at,
            by: "x".into(),
            kind,
        };
        serde_json::to_value(CaseEvent::from(&event)).unwrap()
    };
    assert_eq!(
        event(EventKind::Opened {
            owner: None,
            due_at: instant("2026-03-02T05:00:00Z")
        }),
        json!({"at": "2026-03-02T01:00:00Z", "by": "x", "kind": "opened",
               "due_at": "2026-03-02T05:00:00Z"})
    );
    assert_eq!(
        event(EventKind::Assigned { owner: None }),
        json!({"at": "2026-03-02T01:00:00Z", "by": "x", "kind": "assigned"})
    );
    assert_eq!(
        event(EventKind::Note {
            text: "n".into(),
            contacted: false
        }),
        json!({"at": "2026-03-02T01:00:00Z", "by": "x", "kind": "note", "text": "n"})
    );
    assert_eq!(
        event(EventKind::StatusChanged {
            from: core::CaseStatus::Resolved,
            to: core::CaseStatus::InProgress,
            resolution: None
        }),
        json!({"at": "2026-03-02T01:00:00Z", "by": "x", "kind": "status_changed",
               "from": "resolved", "to": "in_progress"})
    );
}

#[test]
fn an_older_app_reads_statuses_and_events_a_newer_server_adds() {
    let event: CaseEvent = serde_json::from_value(json!({
        "at": "2026-03-02T01:00:00Z", "by": "manyi", "kind": "escalated", "level": 2,
        "from": "open", "to": "waiting_on_customer"
    }))
    .unwrap();
    assert_eq!(event.kind, CaseEventKind::Other("escalated".into()));
    assert_eq!(
        event.to,
        Some(CaseStatus::Other("waiting_on_customer".into()))
    );
    assert_eq!(event.to.unwrap().known(), None);
}

#[test]
fn an_update_becomes_the_event_the_core_checks() {
    let read = |value: serde_json::Value| serde_json::from_value::<CaseUpdate>(value);
    let current = core::CaseStatus::InProgress;
    assert_eq!(
        read(json!({"kind": "status", "to": "resolved", "resolution": "已退款"}))
            .unwrap()
            .into_event(current),
        EventKind::StatusChanged {
            from: core::CaseStatus::InProgress,
            to: core::CaseStatus::Resolved,
            resolution: Some("已退款".into())
        }
    );
    // A `from` the case has left makes the change stale.
    let stale = read(json!({"kind": "status", "from": "open", "to": "in_progress"}))
        .unwrap()
        .into_event(current);
    assert_eq!(
        stale,
        EventKind::StatusChanged {
            from: core::CaseStatus::Open,
            to: core::CaseStatus::InProgress,
            resolution: None
        }
    );
    assert_eq!(
        read(json!({"kind": "assign"})).unwrap().into_event(current),
        EventKind::Assigned { owner: None }
    );
    assert_eq!(
        read(json!({"kind": "note", "text": "回访", "contacted": true}))
            .unwrap()
            .into_event(current),
        EventKind::Note {
            text: "回访".into(),
            contacted: true
        }
    );
    // A server refuses a status it does not know rather than keep it.
    assert!(read(json!({"kind": "status", "to": "waiting_on_customer"})).is_err());
    assert!(read(json!({"kind": "delete"})).is_err());
}

#[test]
fn each_refusal_of_the_core_has_its_code() {
    let opened = core::CaseEvent {
        at: instant("2026-03-02T01:00:00Z"),
        by: "manyi".into(),
        kind: EventKind::Opened {
            owner: Some("b001".into()),
            due_at: instant("2026-03-02T05:00:00Z"),
        },
    };
    let facts = CaseFacts::open(&opened).unwrap();
    let code = |update: serde_json::Value| {
        let update: CaseUpdate = serde_json::from_value(update).unwrap();
        let event = core::CaseEvent {
            at: instant("2026-03-02T02:00:00Z"),
            by: "x".into(),
            kind: update.into_event(facts.status),
        };
        facts
            .clone()
            .apply(&event)
            .err()
            .map(|e| case_error_code(&e))
    };
    assert_eq!(code(json!({"kind": "note", "text": "ok"})), None);
    assert_eq!(
        code(json!({"kind": "status", "to": "open"})),
        Some(ErrorCode::CaseConflict)
    );
    assert_eq!(
        code(json!({"kind": "status", "from": "in_progress", "to": "resolved", "resolution": "r"})),
        Some(ErrorCode::CaseConflict)
    );
    assert_eq!(
        code(json!({"kind": "assign", "owner": "b001"})),
        Some(ErrorCode::CaseConflict)
    );
    assert_eq!(
        code(json!({"kind": "status", "to": "closed"})),
        Some(ErrorCode::InvalidCaseUpdate)
    );
    assert_eq!(
        code(json!({"kind": "note", "text": ""})),
        Some(ErrorCode::InvalidCaseUpdate)
    );
}

#[test]
fn the_inbox_query_reads_its_filters_and_pages() {
    let query = CaseQuery {
        survey: Some("nps".into()),
        status: Some("open, in_progress".into()),
        location: Some("上海 静安".into()),
        overdue: Some(true),
        limit: Some(200),
        ..CaseQuery::default()
    };
    assert_eq!(
        query.statuses().unwrap(),
        [core::CaseStatus::Open, core::CaseStatus::InProgress]
    );
    assert_eq!(query.owner_filter().unwrap(), None);
    assert_eq!(query.page_size().unwrap(), 200);
    assert_eq!(
        query.to_query_string(),
        "survey=nps&status=open%2C%20in_progress&location=%E4%B8%8A%E6%B5%B7%20%E9%9D%99%E5%AE%89&overdue=true&limit=200"
    );
    assert_eq!(CaseQuery::default().page_size().unwrap(), 50);
    assert!(CaseQuery::default().statuses().unwrap().is_empty());
    for limit in [0, 201] {
        let query = CaseQuery {
            limit: Some(limit),
            ..CaseQuery::default()
        };
        assert!(query.page_size().is_err(), "{limit}");
    }
    let bad = CaseQuery {
        status: Some("open,reopened".into()),
        ..CaseQuery::default()
    };
    assert!(bad.statuses().unwrap_err().0.contains("\"reopened\""));
    let unassigned = CaseQuery {
        unassigned: Some(true),
        ..CaseQuery::default()
    };
    assert_eq!(
        unassigned.owner_filter().unwrap(),
        Some(OwnerFilter::Unassigned)
    );
    let both = CaseQuery {
        owner: Some("b001".into()),
        ..unassigned
    };
    assert!(both.owner_filter().is_err());
}

#[test]
fn a_cursor_keeps_the_exact_due_time_and_the_id() {
    let cursor = CaseCursor {
        due_at: instant("2026-03-02T09:00:00.123456+08:00"),
        id: "case~7".into(),
    };
    let text = cursor.to_string();
    assert_eq!(text, "2026-03-02T01:00:00.123456Z~case~7");
    assert_eq!(CaseCursor::parse(&text).unwrap(), cursor);
    let query = CaseQuery {
        after: Some(text),
        ..CaseQuery::default()
    };
    assert_eq!(query.cursor().unwrap(), Some(cursor));
    for bad in [
        "",
        "2026-03-02T01:00:00Z",
        "2026-03-02T01:00:00Z~",
        "yesterday~c1",
    ] {
        assert!(CaseCursor::parse(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn the_figures_query_needs_a_period_in_order() {
    let query = LoopQuery {
        from: Some("2026-11-01".into()),
        to: Some("2026-12-01".into()),
        utc_offset: Some("+08:00".into()),
        ..LoopQuery::default()
    };
    assert_eq!(
        query.period().unwrap(),
        (
            instant("2026-11-01T00:00:00+08:00"),
            instant("2026-12-01T00:00:00+08:00")
        )
    );
    let reversed = LoopQuery {
        from: query.to.clone(),
        to: query.from.clone(),
        ..LoopQuery::default()
    };
    assert!(
        reversed
            .period()
            .unwrap_err()
            .0
            .contains("must come before")
    );
    let open = LoopQuery {
        to: None,
        ..query.clone()
    };
    assert!(open.period().unwrap_err().0.contains("to is required"));
    assert_eq!(
        query.to_query_string(),
        "from=2026-11-01&to=2026-12-01&utc_offset=%2B08%3A00"
    );
}

#[test]
fn a_webhook_endpoint_takes_https_or_this_machine_and_known_events() {
    let endpoint = |url: &str, events: &[&str]| NewWebhookEndpoint {
        url: url.into(),
        events: events.iter().map(|e| WebhookEvent::from(*e)).collect(),
        survey_id: None,
    };
    let paths = |e: NewWebhookEndpoint| -> Vec<String> {
        e.problems().into_iter().map(|p| p.path).collect()
    };
    for url in [
        "https://crm.example.com/hooks/manyi",
        "https://crm.example.com:8443/hooks?source=manyi",
        "http://localhost:3000/hook",
        "http://127.0.0.1/hook",
        "http://[::1]:8080/hook",
    ] {
        assert!(paths(endpoint(url, &["case.opened"])).is_empty(), "{url}");
    }
    for url in [
        "http://crm.example.com/hook",
        "ftp://crm.example.com/hook",
        "https://",
        "https://user:pass@crm.example.com/hook",
        "https://crm.example.com/hook#frag",
        "https://crm.example.com/a hook",
        "crm.example.com/hook",
    ] {
        assert_eq!(paths(endpoint(url, &["case.opened"])), ["$.url"], "{url}");
    }
    let long = format!("https://crm.example.com/{}", "a".repeat(2_000));
    assert_eq!(paths(endpoint(&long, &["case.opened"])), ["$.url"]);
    let url = "https://crm.example.com/hook";
    assert_eq!(paths(endpoint(url, &[])), ["$.events"]);
    assert_eq!(
        paths(endpoint(
            url,
            &[
                "case.opened",
                "case.closed",
                "case.opened",
                "response.created"
            ]
        )),
        ["$.events[1]", "$.events[2]"]
    );
    let extra = serde_json::from_value::<NewWebhookEndpoint>(json!({
        "url": url, "events": ["case.opened"], "secret": "mine"
    }));
    assert!(extra.is_err(), "a client does not choose the secret");
}

#[test]
fn the_secret_is_written_only_when_there_is_one_and_deliveries_read_back() {
    let mut endpoint = WebhookEndpoint {
        id: "w1".into(),
        url: "https://crm.example.com/hook".into(),
        events: vec![WebhookEvent::CaseOpened, WebhookEvent::CaseUpdated],
        survey_id: None,
        created_at: instant("2026-03-02T01:00:00Z"),
        secret: Some("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into()),
    };
    assert!(serde_json::to_string(&endpoint).unwrap().contains("whsec_"));
    endpoint.secret = None;
    assert_eq!(
        serde_json::to_value(&endpoint).unwrap(),
        json!({"id": "w1", "url": "https://crm.example.com/hook",
               "events": ["case.opened", "case.updated"], "created_at": "2026-03-02T01:00:00Z"})
    );
    let text = json!({
        "id": "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", "endpoint_id": "w1", "event": "case.opened",
        "created_at": "2026-03-02T01:00:00Z", "attempts": 3, "status": "pending",
        "last_error": "HTTP 503", "next_attempt_at": "2026-03-02T01:35:00Z"
    });
    let delivery: Delivery = serde_json::from_value(text.clone()).unwrap();
    assert_eq!(delivery.status, DeliveryStatus::Pending);
    assert_eq!(serde_json::to_value(&delivery).unwrap(), text);
}
