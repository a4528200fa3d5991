//! Report rules on small, hand-checked data: NPS conventions, CSAT/CES, missing and invalid
//! answers, segments, time buckets and period comparison.

mod common;

use std::collections::BTreeMap;

use chrono::FixedOffset;
use manyi_core::model::{Answer, Response};
use manyi_core::report::{
    BucketSpec, BucketUnit, MetaFilter, NpsStats, ReportOptions, build_report, compare_nps,
    compare_proportions,
};
use serde_json::{Value, json};

fn resp(i: usize, answers: Value, submitted_at: Option<&str>, meta: &[(&str, &str)]) -> Response {
    Response {
        id: format!("00000000-0000-4000-8000-{i:012}"),
        survey_id: "base".into(),
        survey_version: 1,
        started_at: None,
        submitted_at: submitted_at.map(|t| t.parse().unwrap()),
        locale: None,
        answers: serde_json::from_value::<BTreeMap<String, Answer>>(answers).unwrap(),
        meta: meta
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect(),
        partial: false,
    }
}

fn nps_responses(scores: &[f64]) -> Vec<Response> {
    scores
        .iter()
        .enumerate()
        .map(|(i, &s)| resp(i, json!({"nps": s}), None, &[]))
        .collect()
}

#[test]
fn nps_follows_the_cran_nps_conventions() {
    // 5 promoters, 3 passives, 2 detractors of 10: NPS 30, variance (0.5 + 0.2) − 0.3² = 0.61.
    let survey = common::base_survey();
    let report = build_report(
        &survey,
        &nps_responses(&[10., 9., 9., 10., 9., 8., 7., 7., 6., 0.]),
        &ReportOptions::default(),
    );
    let nps = report.questions.get("nps").unwrap().nps.as_ref().unwrap();
    assert_eq!(
        (nps.n, nps.promoters, nps.passives, nps.detractors),
        (10, 5, 3, 2)
    );
    let se = 100.0 * (0.61f64 / 10.0).sqrt();
    assert!(common::close(nps.score.unwrap(), 30.0, 1e-12));
    assert!(common::close(nps.se.unwrap(), se, 1e-12));
    assert!(common::close(nps.moe95.unwrap(), 1.96 * se, 1e-12));
    assert!(common::close(nps.ci95.unwrap()[0], 30.0 - 1.96 * se, 1e-12));
    // The headline figure is the same question's.
    assert_eq!(report.nps.as_ref(), Some(nps));
}

#[test]
fn answers_failing_a_validator_are_counted_as_invalid() {
    let mut survey = common::base_survey();
    let comment = survey.pages[0]
        .questions
        .iter_mut()
        .find(|q| q.id == "comment")
        .unwrap();
    comment.validators =
        serde_json::from_value(json!([{"check": {"pattern": {"regex": "^[a-z]+$"}}}])).unwrap();
    let responses = vec![
        resp(1, json!({"nps": 9, "comment": "fine"}), None, &[]),
        resp(2, json!({"nps": 9, "comment": "Not fine!"}), None, &[]),
    ];
    let report = build_report(&survey, &responses, &ReportOptions::default());
    let comment = report.questions.get("comment").unwrap();
    assert_eq!((comment.n, comment.invalid), (1, 1));
}

#[test]
fn nps_interval_is_not_clamped_and_one_category_has_zero_error() {
    // 2 promoters, 0 detractors, 0 passives: NPS 100 with no spread.
    let all = NpsStats::from_counts(2, 0, 0);
    assert_eq!(
        (all.score, all.se, all.ci95),
        (Some(100.0), Some(0.0), Some([100.0, 100.0]))
    );
    // 3 promoters and 1 passive: 75 ± 1.96·100·sqrt((0.75 − 0.5625)/4) = 75 ± 42.4, upper bound
    // above 100, reported as is.
    let high = NpsStats::from_counts(3, 1, 0);
    let upper = high.ci95.unwrap()[1];
    assert!(upper > 100.0, "{upper}");
    assert!(common::close(
        upper,
        75.0 + 1.96 * 100.0 * (0.1875f64 / 4.0).sqrt(),
        1e-12
    ));
    // No valid answers: no score, not 0.
    let none = NpsStats::from_counts(0, 0, 0);
    assert_eq!(
        (none.score, none.se, none.promoters_pct),
        (None, None, None)
    );
}

#[test]
fn invalid_and_missing_answers_are_counted_apart() {
    let survey = common::base_survey();
    let responses = vec![
        resp(
            1,
            json!({"nps": 10, "csat": 5, "channel": "web"}),
            None,
            &[],
        ),
        resp(
            2,
            json!({"nps": 11, "csat": 4, "channel": "fax"}),
            None,
            &[],
        ),
        resp(3, json!({"nps": 7.5, "csat": "five"}), None, &[]),
        resp(4, json!({"csat": 1, "picks": ["a", "b"]}), None, &[]),
    ];
    let report = build_report(&survey, &responses, &ReportOptions::default());
    let nps = report.questions.get("nps").unwrap();
    assert_eq!((nps.n, nps.invalid), (1, 2));
    let csat = report.questions.get("csat").unwrap();
    assert_eq!((csat.n, csat.invalid), (3, 1));
    let c = csat.csat.as_ref().unwrap();
    assert_eq!(c.top2, 2);
    assert!(common::close(c.top2_pct.unwrap(), 200.0 / 3.0, 1e-12));
    assert!(common::close(c.mean.unwrap(), 10.0 / 3.0, 1e-12));
    let channel = report.questions.get("channel").unwrap();
    assert_eq!((channel.n, channel.invalid), (1, 1));
    let picks = report.questions.get("picks").unwrap();
    let counts: Vec<usize> = picks.distribution.iter().map(|c| c.count).collect();
    assert_eq!(counts, [1, 1, 0]);
    // Distribution of a scale lists every point, including empty ones.
    assert_eq!(csat.distribution.len(), 5);
    assert_eq!(csat.distribution[0].value, json!(1));
}

#[test]
fn a_report_with_no_responses_lists_every_question_with_nulls() {
    let survey = common::base_survey();
    let report = build_report(&survey, &[], &ReportOptions::default());
    assert_eq!(report.n, 0);
    let ids: Vec<&str> = report.questions.iter().map(|(k, _)| k).collect();
    assert_eq!(
        ids,
        [
            "nps", "csat", "channel", "picks", "comment", "grid", "sat1", "sat2", "loy1", "follow"
        ]
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["questions"]["nps"]["nps"]["score"], Value::Null);
    assert_eq!(json["questions"]["csat"]["csat"]["top2_pct"], Value::Null);
    assert_eq!(json["dimensions"]["sat"]["alpha"]["raw"], Value::Null);
    assert_eq!(json["dimensions"]["sat"]["score"], Value::Null);
    assert_eq!(json["composite"]["mean"], Value::Null);
    assert_eq!(json["questions"]["grid"]["rows"]["r1"]["n"], json!(0));
}

#[test]
fn reversed_items_are_reversed_in_reliability_and_scores() {
    // Only sat1 and the reversed sat2 in the dimension (the matrix rows leave it), so the pair
    // has answers for every covariance.
    let doc = common::patched(
        common::BASE_SURVEY,
        None,
        Some(&json!([
            "/pages/0/questions/5/rows/0/dimension",
            "/pages/0/questions/5/rows/1/dimension"
        ])),
    );
    let survey = manyi_core::parse_survey(&doc.to_string()).unwrap();
    // sat2 is reversed: answering it opposite to sat1 makes the two agree after coding.
    let rows = [(7, 1), (6, 2), (5, 3), (2, 6), (1, 7)];
    let responses: Vec<Response> = rows
        .iter()
        .enumerate()
        .map(|(i, (a, b))| resp(i, json!({"nps": 8, "sat1": a, "sat2": b}), None, &[]))
        .collect();
    let report = build_report(&survey, &responses, &ReportOptions::default());
    let sat = report.dimensions.get("sat").unwrap();
    assert_eq!(sat.items.len(), 2);
    let sat2 = sat.items.get("sat2").unwrap();
    assert!(sat2.reverse);
    assert!(
        common::close(sat2.r_drop.unwrap(), 1.0, 1e-12),
        "{:?}",
        sat2.r_drop
    );
    assert!(common::close(sat.alpha.raw.unwrap(), 1.0, 1e-12));
    // Mean of the coded sat2 values (7, 6, 5, 2, 1) is 4.2.
    assert!(common::close(sat2.mean.unwrap(), 4.2, 1e-12));

    // An item nobody answered leaves its covariances undefined: alpha is null, not a guess.
    let with_rows = build_report(
        &common::base_survey(),
        &responses,
        &ReportOptions::default(),
    );
    assert_eq!(with_rows.dimensions.get("sat").unwrap().alpha.raw, None);
}

#[test]
fn segments_group_by_meta_with_missing_last() {
    let survey = common::base_survey();
    let responses = vec![
        resp(1, json!({"nps": 10}), None, &[("channel", "web")]),
        resp(2, json!({"nps": 0}), None, &[("channel", "store")]),
        resp(3, json!({"nps": 9}), None, &[("channel", "web")]),
        resp(4, json!({"nps": 8}), None, &[]),
    ];
    let options = ReportOptions {
        segment: Some("channel".into()),
        ..Default::default()
    };
    let report = build_report(&survey, &responses, &options);
    let segments = report.segments.unwrap();
    let got: Vec<(Option<&str>, usize, Option<f64>)> = segments
        .groups
        .iter()
        .map(|g| {
            (
                g.value.as_deref(),
                g.summary.n,
                g.summary.nps.as_ref().and_then(|n| n.score),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (Some("store"), 1, Some(-100.0)),
            (Some("web"), 2, Some(100.0)),
            (None, 1, Some(0.0))
        ]
    );
}

#[test]
fn buckets_use_the_requested_offset_and_iso_weeks() {
    let survey = common::base_survey();
    let at = [
        "2026-12-31T15:30:00Z", // 2026-12-31 23:30 at +08:00: Thursday of ISO week 2026-W53
        "2026-12-31T16:30:00Z", // 2027-01-01 00:30 at +08:00: still ISO week 2026-W53
        "2027-01-04T01:00:00+08:00", // Monday: 2027-W01
    ];
    let responses: Vec<Response> = at
        .iter()
        .enumerate()
        .map(|(i, t)| resp(i, json!({"nps": 9}), Some(t), &[]))
        .collect();
    let mut undated = responses.clone();
    undated.push(resp(9, json!({"nps": 9}), None, &[]));
    let offset = FixedOffset::east_opt(8 * 3600).unwrap();
    let buckets = |unit| {
        let options = ReportOptions {
            bucket: Some(BucketSpec {
                unit,
                utc_offset: offset,
            }),
            ..Default::default()
        };
        let b = build_report(&survey, &undated, &options).buckets.unwrap();
        assert_eq!(b.undated, 1);
        b.buckets
            .iter()
            .map(|b| (b.key.clone(), b.start.to_string(), b.summary.n))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        buckets(BucketUnit::Week),
        [
            ("2026-W53".into(), "2026-12-28".into(), 2),
            ("2027-W01".into(), "2027-01-04".into(), 1)
        ]
    );
    assert_eq!(
        buckets(BucketUnit::Month),
        [
            ("2026-12".into(), "2026-12-01".into(), 1),
            ("2027-01".into(), "2027-01-01".into(), 2)
        ]
    );
    assert_eq!(buckets(BucketUnit::Day).len(), 3);
}

#[test]
fn a_period_is_compared_with_the_one_before_by_a_z_test() {
    let survey = common::base_survey();
    let mut responses = Vec::new();
    // January: 6 promoters, 2 detractors of 10. December: 3 promoters, 5 detractors of 10.
    for (i, s) in [10, 10, 9, 9, 9, 9, 8, 8, 3, 5].iter().enumerate() {
        responses.push(resp(
            i,
            json!({"nps": s}),
            Some("2026-01-10T10:00:00+08:00"),
            &[],
        ));
    }
    for (i, s) in [10, 9, 9, 8, 8, 0, 1, 2, 3, 4].iter().enumerate() {
        responses.push(resp(
            100 + i,
            json!({"nps": s}),
            Some("2025-12-10T10:00:00+08:00"),
            &[],
        ));
    }
    let options = ReportOptions {
        from: Some("2026-01-01T00:00:00+08:00".parse().unwrap()),
        to: Some("2026-02-01T00:00:00+08:00".parse().unwrap()),
        ..Default::default()
    };
    let report = build_report(&survey, &responses, &options);
    assert_eq!(report.n, 10);
    let cmp = report.comparison.unwrap();
    assert_eq!(cmp.previous.n, 10);
    assert_eq!(cmp.previous_from.to_rfc3339(), "2025-12-01T00:00:00+08:00");
    let nps = cmp.nps.unwrap();
    // NPS 40 vs −20; se² = 100²·((0.8 − 0.16)/10 + (0.8 − 0.04)/10) = 1400.
    assert!(common::close(nps.difference, 60.0, 1e-12));
    assert!(common::close(nps.se, 1400f64.sqrt(), 1e-12));
    let z = 60.0 / 1400f64.sqrt();
    assert!(common::close(nps.z.unwrap(), z, 1e-12));
    // Two-sided p for z = 1.6035674514745462 is 0.10880943 (scipy: 2 * norm.sf(z)).
    assert!(
        common::close(nps.p_value.unwrap(), 0.10880943004054568, 1e-9),
        "{:?}",
        nps.p_value
    );
    // Same figures through the public helper.
    assert_eq!(
        compare_nps(
            report.nps.as_ref().unwrap(),
            cmp.previous.nps.as_ref().unwrap()
        )
        .unwrap(),
        nps
    );
}

#[test]
fn a_filter_keeps_one_segment_in_both_periods() {
    let survey = common::base_survey();
    let at = |month: u32| format!("2026-{month:02}-10T10:00:00+08:00");
    // (month, channel, nps, csat): two web and one store response in each month.
    let rows = [
        (2, "web", 10, 5),
        (2, "web", 9, 4),
        (2, "store", 0, 1),
        (1, "web", 3, 2),
        (1, "web", 9, 5),
        (1, "store", 10, 5),
    ];
    let mut responses: Vec<Response> = rows
        .iter()
        .enumerate()
        .map(|(i, (month, channel, nps, csat))| {
            resp(
                i,
                json!({"nps": nps, "csat": csat}),
                Some(&at(*month)),
                &[("channel", channel)],
            )
        })
        .collect();
    responses.push(resp(
        9,
        json!({"nps": 10}),
        Some(&at(2)),
        &[("counter", "7")],
    ));
    let options = ReportOptions {
        from: Some("2026-02-01T00:00:00+08:00".parse().unwrap()),
        to: Some("2026-03-01T00:00:00+08:00".parse().unwrap()),
        filter: Some(MetaFilter {
            key: "channel".into(),
            value: "web".into(),
        }),
        ..Default::default()
    };
    let report = build_report(&survey, &responses, &options);
    // February on the web: 10 and 9 (NPS 100, CSAT 2 of 2); January on the web: 3 and 9.
    assert_eq!(report.n, 2);
    assert_eq!(report.nps.as_ref().unwrap().score, Some(100.0));
    assert_eq!(report.csat.as_ref().unwrap().top2, 2);
    let cmp = report.comparison.unwrap();
    assert_eq!(cmp.previous.n, 2);
    assert_eq!(cmp.previous.nps.as_ref().unwrap().score, Some(0.0));
    // CSAT 2 of 2 against 1 of 2, through the same test as the public helper.
    assert_eq!(cmp.csat, compare_proportions(2, 2, 1, 2));
    assert!(common::close(cmp.csat.unwrap().difference, 50.0, 1e-12));
    // The keys are those of every response, whatever the filter keeps.
    assert_eq!(report.meta_keys, ["channel", "counter"]);

    // A value nobody has selects nothing; so does a key nobody has.
    for (key, value) in [("channel", "phone"), ("branch", "web")] {
        let options = ReportOptions {
            filter: Some(MetaFilter {
                key: key.into(),
                value: value.into(),
            }),
            ..Default::default()
        };
        assert_eq!(build_report(&survey, &responses, &options).n, 0, "{key}");
    }
}

#[test]
fn ces_agreement_is_five_to_seven() {
    let ces = manyi_core::templates::get("ces").unwrap().unwrap();
    let responses: Vec<Response> = [1, 4, 5, 6, 7, 7]
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let mut r = resp(i, json!({"ces": x}), None, &[]);
            r.survey_id = "ces".into();
            r
        })
        .collect();
    let report = build_report(&ces, &responses, &ReportOptions::default());
    let c = report.ces.unwrap();
    assert_eq!((c.n, c.agree), (6, 4));
    assert!(common::close(c.mean.unwrap(), 5.0, 1e-12));
    assert!(common::close(c.agree_pct.unwrap(), 400.0 / 6.0, 1e-12));
}

#[test]
fn composite_mean_has_a_t_interval() {
    let survey = common::base_survey();
    // sat1, the reversed sat2 and loy1 all code to the same point, so each response's
    // composite is that point's percent: 0, 50 and 100 (coverage 2.5 of 4).
    let responses: Vec<Response> = [1, 4, 7]
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let r = 8 - x;
            resp(
                i,
                json!({"nps": 5, "sat1": x, "sat2": r, "loy1": x}),
                None,
                &[],
            )
        })
        .collect();
    let report = build_report(&survey, &responses, &ReportOptions::default());
    let c = report.composite;
    assert_eq!(c.n, 3);
    assert!(common::close(c.mean.unwrap(), 50.0, 1e-12));
    assert!(common::close(c.sd.unwrap(), 50.0, 1e-12));
    // t(0.975, 2) = 4.302652729749464 (R: qt(0.975, 2)).
    let half = 4.302652729749464 * 50.0 / 3f64.sqrt();
    let ci = c.ci95.unwrap();
    assert!(
        common::close(ci[0], 50.0 - half, 1e-10) && common::close(ci[1], 50.0 + half, 1e-10),
        "{ci:?}"
    );
}

#[test]
fn text_answers_are_searched_in_the_selected_responses_newest_first() {
    let survey = common::base_survey();
    let plan = manyi_core::Plan::new(&survey);
    let at = |day: u32| format!("2026-02-{day:02}T10:00:00+08:00");
    let responses = vec![
        resp(
            1,
            json!({"nps": 9, "comment": "Fast"}),
            Some(&at(3)),
            &[("channel", "web")],
        ),
        resp(
            2,
            json!({"nps": 3, "comment": "too SLOW"}),
            Some(&at(5)),
            &[("channel", "web")],
        ),
        resp(
            3,
            json!({"nps": 5, "comment": "slow"}),
            Some(&at(4)),
            &[("channel", "store")],
        ),
        resp(
            4,
            json!({"nps": 5, "comment": "slowish"}),
            None,
            &[("channel", "web")],
        ),
    ];
    let table = manyi_core::ResponseTable::from_responses(&plan, &responses);
    let texts = |options: &ReportOptions, search: &str, limit: usize| {
        let found = manyi_core::report::text_answers(&plan, &table, options, search, limit);
        let listed: Vec<String> = found.answers.iter().map(|a| a.text.clone()).collect();
        (found.total, listed)
    };
    // Case-insensitive, newest first, the undated answer last; the limit cuts the list only.
    assert_eq!(
        texts(&ReportOptions::default(), "slow", 10),
        (3, vec!["too SLOW".into(), "slow".into(), "slowish".into()])
    );
    assert_eq!(
        texts(&ReportOptions::default(), "slow", 1),
        (3, vec!["too SLOW".into()])
    );
    assert_eq!(texts(&ReportOptions::default(), "", 10).0, 4);
    // The filter and the period select responses as the report does.
    let web = ReportOptions {
        filter: Some(MetaFilter {
            key: "channel".into(),
            value: "web".into(),
        }),
        from: Some(at(4).parse().unwrap()),
        ..Default::default()
    };
    assert_eq!(texts(&web, "slow", 10), (1, vec!["too SLOW".into()]));
}

#[test]
fn a_report_reads_back_from_its_json() {
    // The dashboard reads the server's report as JSON; every part of it must read back,
    // including questions without a distribution (text questions).
    let survey = common::base_survey();
    let responses: Vec<Response> = (0..6)
        .map(|i| {
            resp(
                i,
                json!({"nps": i + 4, "csat": 1 + i % 5, "comment": "ok", "sat1": 1 + i % 7}),
                Some(&format!("2026-0{}-10T10:00:00+08:00", 1 + i % 2)),
                &[("channel", if i % 2 == 0 { "web" } else { "store" })],
            )
        })
        .collect();
    let options = ReportOptions {
        from: Some("2026-02-01T00:00:00+08:00".parse().unwrap()),
        to: Some("2026-03-01T00:00:00+08:00".parse().unwrap()),
        segment: Some("channel".into()),
        bucket: Some(BucketSpec {
            unit: BucketUnit::Week,
            utc_offset: FixedOffset::east_opt(8 * 3600).unwrap(),
        }),
        ..Default::default()
    };
    let report = build_report(&survey, &responses, &options);
    let text = serde_json::to_string(&report).unwrap();
    let back: manyi_core::Report = serde_json::from_str(&text).unwrap();
    assert_eq!(serde_json::to_string(&back).unwrap(), text);
}
