//! The report from mergeable statistics (`manyi_core::aggregate`) against the column-wise
//! report (`build_report`), over random surveys and responses: reversed and weighted items,
//! half-point and 0–10 scales, matrices, choice and text questions, conditions, missing,
//! invalid and hidden answers, periods, segments, buckets and filters. Each case is drawn from a
//! seeded generator, so a failure names its seed and replays.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, FixedOffset, TimeZone};
use manyi_core::aggregate::{Aggregate, ReportBuilder, TextCollector};
use manyi_core::model::{Answer, Response, Survey};
use manyi_core::report::{BucketSpec, BucketUnit, MetaFilter, ReportOptions, build_report};
use manyi_core::rollup::{Grain, RollupBatch, RowKey, Rows, Segment, When, plan_reads};
use manyi_core::score::Plan;
use manyi_core::validate::parse_survey;
use serde_json::{Value, json};

/// SplitMix64: small, seedable, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// A scale and whether it allows half points.
fn random_scale(rng: &mut Rng) -> Value {
    match rng.below(4) {
        0 => json!({"min": 1, "max": 5}),
        1 => json!({"min": 1, "max": 7}),
        2 => json!({"min": 1, "max": 5, "step": 0.5}),
        _ => json!({"min": 0, "max": 10}),
    }
}

fn random_survey(rng: &mut Rng) -> Survey {
    let dimension_count = 1 + rng.below(3);
    let dimensions: Vec<Value> = (0..dimension_count)
        .map(|d| {
            let mut dimension = json!({"id": format!("d{d}"), "title": format!("D{d}")});
            // Weight 0 keeps a dimension out of the composite, as the rq template does; the
            // first dimension always counts, so there is a composite.
            if d > 0 && rng.chance(30) {
                dimension["weight"] = json!(0.0);
            } else if rng.chance(60) {
                dimension["weight"] = json!(*rng.pick(&[0.25, 0.5, 1.0, 2.0]));
            }
            dimension
        })
        .collect();
    let mut questions = vec![
        json!({"id": "nps", "kind": "nps", "text": "NPS", "metric": "nps"}),
        json!({"id": "csat", "kind": "rating", "text": "CSAT", "metric": "csat",
               "scale": {"min": 1, "max": 5}}),
        json!({"id": "ces", "kind": "likert", "text": "CES", "metric": "ces",
               "scale": {"min": 1, "max": 7}}),
        json!({"id": "channel", "kind": "single_choice", "text": "Channel",
               "options": [{"value": "web", "label": "Web"}, {"value": "store", "label": "Store"},
                           {"value": "phone", "label": "Phone"}]}),
        json!({"id": "picks", "kind": "multi_choice", "text": "Picks",
               "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"},
                           {"value": "c", "label": "C"}]}),
        json!({"id": "comment", "kind": "text", "text": "Comment", "max_length": 20}),
    ];
    // Every dimension needs an item: the first ones are dealt out in turn.
    let item_count = dimension_count + 1 + rng.below(5);
    for i in 0..item_count {
        let mut question = json!({
            "id": format!("q{i}"), "kind": "likert", "text": format!("Q{i}"),
            "scale": random_scale(rng),
        });
        if i < dimension_count {
            question["dimension"] = json!(format!("d{i}"));
        } else if rng.chance(85) {
            question["dimension"] = json!(format!("d{}", rng.below(dimension_count)));
        }
        if rng.chance(30) {
            question["reverse"] = json!(true);
        }
        if rng.chance(30) {
            question["weight"] = json!(*rng.pick(&[0.5, 1.0, 2.0, 3.0]));
        }
        if rng.chance(15) {
            question["visible_if"] = json!("nps >= 7");
        }
        questions.push(question);
    }
    if rng.chance(70) {
        let rows: Vec<Value> = (0..2 + rng.below(3))
            .map(|r| {
                let mut row = json!({"id": format!("r{r}"), "text": format!("R{r}")});
                if rng.chance(70) {
                    row["dimension"] = json!(format!("d{}", rng.below(dimension_count)));
                }
                if rng.chance(30) {
                    row["reverse"] = json!(true);
                }
                row
            })
            .collect();
        questions.push(json!({"id": "grid", "kind": "matrix", "text": "Grid",
                              "scale": random_scale(rng), "rows": rows}));
    }
    let survey = json!({
        "id": "random", "version": 1, "title": "Random", "default_locale": "en",
        "locales": ["en"],
        "dimensions": dimensions,
        "scoring": {"min_coverage": *rng.pick(&[0.01, 0.3, 0.5, 1.0])},
        "pages": [{"id": "p1", "questions": questions}],
    });
    parse_survey(&survey.to_string()).unwrap_or_else(|e| panic!("{e:?}\n{survey}"))
}

/// A value for a scaled item: mostly on the scale, sometimes off it (invalid).
fn scaled_answer(rng: &mut Rng, scale: &Value) -> f64 {
    let (min, max) = (
        scale["min"].as_f64().unwrap(),
        scale["max"].as_f64().unwrap(),
    );
    let step = scale["step"].as_f64().unwrap_or(1.0);
    if rng.chance(5) {
        return max + 1.0;
    }
    let points = ((max - min) / step) as u64 + 1;
    min + step * rng.below(points) as f64
}

fn random_responses(rng: &mut Rng, survey: &Survey, count: usize) -> Vec<Response> {
    let definition = serde_json::to_value(survey).unwrap();
    let questions = definition["pages"][0]["questions"]
        .as_array()
        .unwrap()
        .clone();
    let start: DateTime<FixedOffset> = FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .unwrap();
    (0..count)
        .map(|i| {
            let mut answers = BTreeMap::new();
            for q in &questions {
                if rng.chance(15) {
                    continue;
                }
                let id = q["id"].as_str().unwrap().to_owned();
                let answer = match q["kind"].as_str().unwrap() {
                    "nps" => Answer::Number(rng.below(12) as f64),
                    "likert" | "rating" => Answer::Number(scaled_answer(rng, &q["scale"])),
                    "single_choice" => {
                        Answer::Text(rng.pick(&["web", "store", "phone", "fax"]).to_string())
                    }
                    "multi_choice" => Answer::Choices(
                        ["a", "b", "c"]
                            .iter()
                            .filter(|_| rng.chance(50))
                            .map(|s| s.to_string())
                            .collect(),
                    ),
                    "text" => Answer::Text(rng.pick(&["ok", "slow", "great service"]).to_string()),
                    "matrix" => {
                        let mut rows = BTreeMap::new();
                        for row in q["rows"].as_array().unwrap() {
                            if rng.chance(80) {
                                rows.insert(
                                    row["id"].as_str().unwrap().to_owned(),
                                    scaled_answer(rng, &q["scale"]),
                                );
                            }
                        }
                        Answer::Matrix(rows)
                    }
                    other => panic!("no generator for {other}"),
                };
                answers.insert(id, answer);
            }
            let submitted_at = (!rng.chance(5)).then(|| {
                let at = start + Duration::minutes(rng.below(120 * 24 * 60) as i64);
                // Some clients report other offsets; the instant is what counts.
                let offset = FixedOffset::east_opt(*rng.pick(&[0, 8 * 3600, -5 * 3600])).unwrap();
                at.with_timezone(&offset)
            });
            let mut meta = BTreeMap::new();
            if rng.chance(80) {
                meta.insert(
                    "channel".to_owned(),
                    rng.pick(&["web", "kiosk", "app"]).to_string(),
                );
            }
            if rng.chance(30) {
                meta.insert("branch".to_owned(), rng.pick(&["b1", "b2"]).to_string());
            }
            Response {
                id: format!("00000000-0000-4000-8000-{i:012}"),
                survey_id: survey.id.clone(),
                survey_version: survey.version,
                started_at: None,
                submitted_at,
                locale: None,
                answers,
                meta,
                partial: false,
            }
        })
        .collect()
}

fn random_options(rng: &mut Rng) -> ReportOptions {
    let offset = FixedOffset::east_opt(*rng.pick(&[0, 8 * 3600, -5 * 3600])).unwrap();
    let mut options = ReportOptions::default();
    if rng.chance(50) {
        let from = offset.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap()
            + Duration::days(rng.below(30) as i64);
        options.from = Some(from);
        if rng.chance(80) {
            options.to = Some(from + Duration::days(1 + rng.below(40) as i64));
        }
    }
    if rng.chance(50) {
        options.segment = Some(rng.pick(&["channel", "branch"]).to_string());
    }
    if rng.chance(50) {
        options.bucket = Some(BucketSpec {
            unit: *rng.pick(&[BucketUnit::Day, BucketUnit::Week, BucketUnit::Month]),
            utc_offset: offset,
        });
    }
    if rng.chance(30) {
        options.filter = Some(MetaFilter {
            key: "channel".into(),
            value: rng.pick(&["web", "kiosk"]).to_string(),
        });
    }
    options
}

/// Whether two reports agree: the same shape and text, and every number within 1e-9 of the
/// larger magnitude (or of 1, for figures near zero such as a spread that is zero in exact
/// arithmetic).
fn assert_same(expected: &Value, actual: &Value, path: &str) {
    match (expected, actual) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            let scale = a.abs().max(b.abs()).max(1.0);
            assert!((a - b).abs() <= 1e-9 * scale, "{path}: {a} against {b}");
        }
        (Value::Object(a), Value::Object(b)) => {
            let keys: Vec<&String> = a.keys().collect();
            assert_eq!(keys, b.keys().collect::<Vec<_>>(), "{path}");
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

fn report_json(report: &manyi_core::Report) -> Value {
    serde_json::to_value(report).unwrap()
}

#[test]
fn reports_from_aggregates_equal_the_column_wise_reports() {
    for seed in 0..200 {
        let mut rng = Rng(seed);
        let survey = random_survey(&mut rng);
        let count = rng.below(120) as usize;
        let responses = random_responses(&mut rng, &survey, count);
        let options = random_options(&mut rng);
        let expected = build_report(&survey, &responses, &options);
        let plan = Plan::new(&survey);
        let mut builder = ReportBuilder::new(&plan, options.clone());
        for response in &responses {
            builder.push_response(response);
        }
        assert_same(
            &report_json(&expected),
            &report_json(&builder.finish()),
            &format!("seed {seed}"),
        );
    }
}

#[test]
fn builders_over_parts_merge_in_any_order_into_the_whole() {
    for seed in 1000..1100 {
        let mut rng = Rng(seed);
        let survey = random_survey(&mut rng);
        let responses = random_responses(&mut rng, &survey, 150);
        let options = random_options(&mut rng);
        let expected = build_report(&survey, &responses, &options);
        let plan = Plan::new(&survey);
        // Four parts of random sizes, merged in a random order.
        let mut cuts: Vec<usize> = (0..3).map(|_| rng.below(151) as usize).collect();
        cuts.extend([0, 150]);
        cuts.sort();
        let mut parts: Vec<ReportBuilder> = cuts
            .windows(2)
            .map(|w| {
                let mut builder = ReportBuilder::new(&plan, options.clone());
                responses[w[0]..w[1]]
                    .iter()
                    .for_each(|r| builder.push_response(r));
                builder
            })
            .collect();
        let mut merged = parts.swap_remove(rng.below(parts.len() as u64) as usize);
        while !parts.is_empty() {
            merged.merge(parts.swap_remove(rng.below(parts.len() as u64) as usize));
        }
        assert_same(
            &report_json(&expected),
            &report_json(&merged.finish()),
            &format!("seed {seed}"),
        );
    }
}

#[test]
fn integer_statistics_merge_exactly_and_removal_undoes_addition() {
    for seed in 2000..2050 {
        let mut rng = Rng(seed);
        let survey = random_survey(&mut rng);
        let responses = random_responses(&mut rng, &survey, 100);
        let plan = Plan::new(&survey);
        let of = |list: &[Response]| {
            let mut aggregate = Aggregate::new(&plan);
            list.iter().for_each(|r| aggregate.add_response(&plan, r));
            aggregate
        };
        let cut = rng.below(101) as usize;
        let (head, tail) = (of(&responses[..cut]), of(&responses[cut..]));
        let mut forward = head.clone();
        forward.merge(&tail);
        let mut backward = tail.clone();
        backward.merge(&head);
        let whole = of(&responses);
        // Counts and item sums are integers: equal to the bit whatever the order.
        for aggregate in [&forward, &backward] {
            assert_eq!(aggregate.items, whole.items, "seed {seed}");
            assert_eq!(aggregate.pairs, whole.pairs, "seed {seed}");
            assert_eq!(aggregate.invalid, whole.invalid, "seed {seed}");
            assert_eq!(aggregate.options, whole.options, "seed {seed}");
            assert_eq!(aggregate.headline.n, whole.headline.n, "seed {seed}");
        }
        // A deletion subtracts what its response added.
        let mut removed = whole.clone();
        removed.subtract(&head);
        assert_eq!(removed.items, tail.items, "seed {seed}");
        assert_eq!(removed.pairs, tail.pairs, "seed {seed}");
        assert_same(
            &report_json(&tail.report(&plan)),
            &report_json(&removed.report(&plan)),
            &format!("seed {seed}"),
        );
    }
}

#[test]
fn the_templates_reports_come_out_the_same_from_aggregates() {
    // The built-in templates, rq's 30 items in seven dimensions among them, empty and with
    // random answers over four months, by week and by channel.
    for name in manyi_core::templates::names() {
        let survey = manyi_core::templates::get(name).unwrap().unwrap();
        let plan = Plan::new(&survey);
        assert_same(
            &report_json(&build_report(&survey, &[], &ReportOptions::default())),
            &report_json(&Aggregate::new(&plan).report(&plan)),
            name,
        );
        let mut rng = Rng(7);
        let responses = random_responses(&mut rng, &survey, 400);
        let options = ReportOptions {
            segment: Some("channel".into()),
            bucket: Some(BucketSpec {
                unit: BucketUnit::Week,
                utc_offset: FixedOffset::east_opt(8 * 3600).unwrap(),
            }),
            ..ReportOptions::default()
        };
        let mut builder = ReportBuilder::new(&plan, options.clone());
        responses.iter().for_each(|r| builder.push_response(r));
        assert_same(
            &report_json(&build_report(&survey, &responses, &options)),
            &report_json(&builder.finish()),
            name,
        );
    }
}

#[test]
fn streamed_text_searches_equal_the_table_searches() {
    for seed in 3000..3150 {
        let mut rng = Rng(seed);
        let survey = random_survey(&mut rng);
        let count = rng.below(150) as usize;
        let responses = random_responses(&mut rng, &survey, count);
        let options = random_options(&mut rng);
        let search = *rng.pick(&["", "S", "great", "zzz"]);
        let limit = rng.below(12) as usize;
        let plan = Plan::new(&survey);
        let table = manyi_core::ResponseTable::from_responses(&plan, &responses);
        let expected = manyi_core::report::text_answers(&plan, &table, &options, search, limit);
        let mut collector = TextCollector::new(&plan, options, search, limit);
        responses.iter().for_each(|r| collector.push_response(r));
        assert_eq!(collector.finish(), expected, "seed {seed}");
    }
}

/// Options for a report from rollups: periods with bounds on and off the quarter-hour, offsets
/// of whole hours, of 45 minutes and odd ones, and segments and filters on declared keys and
/// others.
fn random_rollup_options(rng: &mut Rng) -> ReportOptions {
    let minutes = *rng.pick(&[0, 0, 8 * 60, 5 * 60 + 45, -(3 * 60 + 30), 7, -5 * 60]);
    let offset = FixedOffset::east_opt(minutes * 60).unwrap();
    let mut options = random_options(rng);
    let shift = |rng: &mut Rng, t: DateTime<FixedOffset>| {
        let t = t.with_timezone(&offset);
        if rng.chance(30) {
            t + Duration::seconds(rng.below(3 * 86_400) as i64 - 86_400)
        } else {
            t
        }
    };
    options.from = options.from.map(|t| shift(rng, t));
    options.to = options.to.map(|t| shift(rng, t));
    if let Some(spec) = &mut options.bucket {
        spec.utc_offset = offset;
    }
    if rng.chance(20) {
        options.filter = Some(MetaFilter {
            key: rng.pick(&["channel", "branch"]).to_string(),
            value: rng.pick(&["web", "b1"]).to_string(),
        });
    }
    options
}

/// Reads stored rollup rows as a database would for `plan_reads`: the rows of each read's
/// segment rows and ranges, and the responses of the streamed cells.
fn report_from_rollups(
    plan: &Plan<'_>,
    options: &ReportOptions,
    stored: &BTreeMap<RowKey, (Vec<u8>, Vec<u8>)>,
    responses: &[Response],
) -> Option<manyi_core::Report> {
    let days: Vec<i64> = stored
        .keys()
        .filter_map(|key| match key.when {
            When::Span {
                grain: Grain::Day,
                start,
            } if key.segment == Segment::All => Some(start),
            _ => None,
        })
        .collect();
    let reads = plan_reads(options, &plan.survey.segment_keys(), &days)?;
    let mut builder = ReportBuilder::new(plan, options.clone());
    builder.add_meta_keys(responses.iter().flat_map(|r| r.meta.keys().cloned()));
    for read in &reads.reads {
        for (key, (headline, stats)) in stored {
            let segment_read = match (&read.rows, &key.segment) {
                (Rows::One(segment), own) => segment == own,
                (Rows::EveryValue(key), Segment::Key { key: own, .. }) => key == own,
                (Rows::EveryValue(_), Segment::All) => false,
            };
            let time_read = match key.when {
                When::Undated => read.undated,
                When::Span { grain, start } => read
                    .ranges
                    .iter()
                    .any(|r| r.grain == grain && (r.from..r.to).contains(&start)),
            };
            if segment_read && time_read {
                let bytes = if read.target.full() { stats } else { headline };
                builder
                    .merge_stored(read.target.part(key.when, &key.segment), bytes)
                    .unwrap();
            }
        }
    }
    for &cell in &reads.streamed {
        for response in responses {
            if response
                .submitted_at
                .is_some_and(|at| (cell..cell + reads.cell.seconds()).contains(&at.timestamp()))
            {
                builder.push_response(response);
            }
        }
    }
    Some(builder.finish())
}

/// Stores a batch's rows into `stored` the way the server does: read, merge or subtract,
/// write back, and drop a row that holds no response any more.
fn store_rows(
    plan: &Plan<'_>,
    stored: &mut BTreeMap<RowKey, (Vec<u8>, Vec<u8>)>,
    batch: RollupBatch<'_>,
    subtract: bool,
) {
    for (key, delta) in batch.into_rows() {
        let mut row = Aggregate::new(plan);
        if let Some((_, stats)) = stored.get(&key) {
            row.merge_encoded(stats).unwrap();
        }
        if subtract {
            row.subtract(&delta);
        } else {
            row.merge(&delta);
        }
        if row.headline.n == 0 {
            stored.remove(&key);
        } else {
            stored.insert(key, (row.headline.encode(), row.encode()));
        }
    }
}

#[test]
fn reports_from_rollups_equal_the_column_wise_reports() {
    let mut planned = 0;
    for seed in 0..300 {
        let mut rng = Rng(10_000 + seed);
        let mut survey = random_survey(&mut rng);
        survey.segments = match rng.below(3) {
            0 => None,
            1 => Some(vec!["channel".into(), "branch".into()]),
            _ => Some(vec!["branch".into()]),
        };
        let count = rng.below(150) as usize;
        let mut responses = random_responses(&mut rng, &survey, count);
        for response in &mut responses {
            if let Some(at) = &mut response.submitted_at {
                *at += Duration::seconds(rng.below(60) as i64);
            }
        }
        let options = random_rollup_options(&mut rng);
        let plan = Plan::new(&survey);
        // Stored in batches of random sizes, as the server stores them; then some responses
        // are deleted, and a few are stored again after their deletion.
        let mut stored = BTreeMap::new();
        let mut start = 0;
        while start < responses.len() {
            let end = (start + 1 + rng.below(20) as usize).min(responses.len());
            let mut batch = RollupBatch::new(&plan);
            responses[start..end].iter().for_each(|r| batch.add(r));
            store_rows(&plan, &mut stored, batch, false);
            start = end;
        }
        let mut kept = Vec::new();
        for response in responses {
            if rng.chance(15) {
                let mut batch = RollupBatch::new(&plan);
                batch.add(&response);
                store_rows(&plan, &mut stored, batch, true);
            } else {
                kept.push(response);
            }
        }
        let expected = build_report(&survey, &kept, &options);
        let Some(actual) = report_from_rollups(&plan, &options, &stored, &kept) else {
            // Only options on undeclared keys (or on two keys) go unplanned.
            let keys = survey.segment_keys();
            let declared = |key: &String| keys.contains(key);
            assert!(
                !options.segment.iter().all(declared)
                    || !options.filter.iter().all(|f| declared(&f.key))
                    || options
                        .segment
                        .as_ref()
                        .zip(options.filter.as_ref())
                        .is_some_and(|(s, f)| *s != f.key),
                "seed {seed}: {options:?} was not planned"
            );
            continue;
        };
        planned += 1;
        assert_same(
            &report_json(&expected),
            &report_json(&actual),
            &format!("seed {seed} {options:?}"),
        );
    }
    assert!(planned > 150, "only {planned} cases were planned");
}

#[test]
fn stored_statistics_refuse_bytes_of_another_plan() {
    let mut rng = Rng(7);
    let survey = random_survey(&mut rng);
    let responses = random_responses(&mut rng, &survey, 30);
    let plan = Plan::new(&survey);
    let mut aggregate = Aggregate::new(&plan);
    responses
        .iter()
        .for_each(|r| aggregate.add_response(&plan, r));
    let bytes = aggregate.encode();
    let mut copy = Aggregate::new(&plan);
    copy.merge_encoded(&bytes).unwrap();
    assert_eq!(copy, aggregate);
    // Damaged: cut short, a byte more, another format.
    for bad in [
        bytes[..bytes.len() - 1].to_vec(),
        [bytes.as_slice(), &[0]].concat(),
        [&[9u8], &bytes[1..]].concat(),
        Vec::new(),
    ] {
        assert!(Aggregate::new(&plan).merge_encoded(&bad).is_err());
    }
    // Another survey's plan has another shape.
    let other = random_survey(&mut Rng(8));
    let other_plan = Plan::new(&other);
    assert!(Aggregate::new(&other_plan).merge_encoded(&bytes).is_err());
}

#[test]
fn a_segment_key_with_too_many_values_is_cut_and_said() {
    let survey = manyi_core::templates::get("nps").unwrap().unwrap();
    let plan = Plan::new(&survey);
    let options = ReportOptions {
        segment: Some("customer".into()),
        ..ReportOptions::default()
    };
    let limit = manyi_core::limits::MAX_SEGMENT_GROUPS;
    let responses: Vec<Response> = (0..=limit)
        .map(|i| {
            serde_json::from_value(json!({
                "id": format!("00000000-0000-4000-8000-{i:012}"),
                "survey_id": "nps", "survey_version": 1,
                "answers": {"nps": i % 11}, "meta": {"customer": format!("c{i}")},
            }))
            .unwrap()
        })
        .collect();
    // In one builder, and in two merged: the last value is one too many either way.
    let mut whole = ReportBuilder::new(&plan, options.clone());
    responses[..limit]
        .iter()
        .for_each(|r| whole.push_response(r));
    assert!(!whole.segments_overflowed());
    whole.push_response(&responses[limit]);
    assert!(whole.segments_overflowed());
    assert_eq!(whole.finish().segments.unwrap().groups.len(), limit);
    let (mut a, mut b) = (
        ReportBuilder::new(&plan, options.clone()),
        ReportBuilder::new(&plan, options),
    );
    responses[..600].iter().for_each(|r| a.push_response(r));
    responses[600..].iter().for_each(|r| b.push_response(r));
    assert!(!a.segments_overflowed() && !b.segments_overflowed());
    a.merge(b);
    assert!(a.segments_overflowed());
}
