//! The `manyi` binary end to end: real process, real files, exit codes and output checked.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn manyi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_manyi"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("the binary runs")
}

/// The words of `line`, as arguments for [`manyi`].
fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A file in a per-test temporary directory.
/// What a command that has no figure to give writes: it exits with 1 and prints nothing on
/// stdout, so the reason on stderr is returned.
fn refused(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(out.stdout.is_empty());
    text(&out.stderr)
}

fn temp_file(test: &str, name: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("manyi-cli-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

#[test]
fn validate_accepts_a_template_and_lists_every_problem_of_a_bad_file() {
    let good = temp_file(
        "validate",
        "good.json",
        manyi_core::templates::json("csat").unwrap(),
    );
    let out = manyi(&["validate", good.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("valid (csat v1, 3 questions)"));

    let mut doc: Value =
        serde_json::from_str(manyi_core::templates::json("csat").unwrap()).unwrap();
    doc["version"] = 0.into();
    doc["pages"][0]["questions"][0]["scale"]["min"] = 9.into();
    doc["pages"][0]["questions"][2]["visible_if"] = "csat <=".into();
    let bad = temp_file("validate", "bad.json", &doc.to_string());
    let out = manyi(&["validate", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("3 problem(s)"), "{err}");
    assert!(err.contains("$.version: version starts at 1"), "{err}");
    assert!(
        err.contains("$.pages[0].questions[0].scale: scale min (9) must be below max (5)"),
        "{err}"
    );
    assert!(
        err.contains("$.pages[0].questions[2].visible_if: syntax error"),
        "{err}"
    );

    let malformed = temp_file(
        "validate",
        "malformed.json",
        "{\"id\": \"x\", \"version\": \"one\"}",
    );
    let out = manyi(&["validate", malformed.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("$.version: invalid type"),
        "{}",
        text(&out.stderr)
    );

    let out = manyi(&["validate", "/nonexistent/survey.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read /nonexistent/survey.json"));
}

#[test]
fn templates_are_listed_and_shown() {
    let out = manyi(&["template", "list"]);
    assert_eq!(out.status.code(), Some(0));
    let names: Vec<String> = text(&out.stdout)
        .lines()
        .map(|l| l.split('\t').next().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["nps", "csat", "ces", "rq"]);
    let out = manyi(&["template", "show", "rq"]);
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["id"], "rq");
    let out = manyi(&["template", "show", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown template \"nope\"; available: nps, csat, ces, rq"));
}

#[test]
fn score_csv_reports_bad_rows_by_line_and_skips_them() {
    let out = manyi(&[
        "score",
        "--survey",
        "template:rq",
        "--responses",
        "examples/rq-responses.csv",
        "--segment",
        "channel",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("line 9: \"sat_overall\": 9 is outside the scale 1–7"),
        "{err}"
    );
    assert!(
        err.contains("line 14: trust_reliable: \"high\" is not a number"),
        "{err}"
    );
    assert!(err.contains("skipped 2 bad row(s); scored 38"), "{err}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["n"], 38);
    assert_eq!(report["questions"]["sat_overall"]["n"], 38);
    let alpha = &report["dimensions"]["satisfaction"]["alpha"];
    assert!(alpha["raw"].as_f64().unwrap() > 0.5, "{alpha}");
    assert!(alpha["ci95"][0].as_f64().unwrap() < alpha["raw"].as_f64().unwrap());
    assert!(report["dimensions"]["satisfaction"]["items"]["sat_disappointed"]["r_drop"].is_f64());
    assert!(report["composite"]["mean"].is_f64());
    let groups = report["segments"]["groups"].as_array().unwrap();
    let total: u64 = groups.iter().map(|g| g["n"].as_u64().unwrap()).sum();
    assert_eq!(total, 38);

    let strict = manyi(&[
        "score",
        "--survey",
        "template:rq",
        "--responses",
        "examples/rq-responses.csv",
        "--strict",
    ]);
    assert_eq!(strict.status.code(), Some(1));
    assert!(strict.stdout.is_empty());
    assert!(text(&strict.stderr).contains("2 bad row(s); --strict stops here"));
}

#[test]
fn score_json_with_buckets_and_a_period_comparison() {
    let out = manyi(&[
        "score",
        "--survey",
        "template:nps",
        "--responses",
        "examples/nps-responses.json",
        "--bucket",
        "month",
        "--utc-offset",
        "+08:00",
        "--from",
        "2026-10-01",
        "--to",
        "2026-11-01",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let buckets = report["buckets"]["buckets"].as_array().unwrap();
    assert_eq!(buckets.len(), 1, "only October is in the period");
    assert_eq!(buckets[0]["key"], "2026-10");
    // The previous period has the same length: October's 31 days reach back to 31 August.
    assert_eq!(
        report["comparison"]["previous_from"],
        "2026-08-31T00:00:00+08:00"
    );
    let october = report["n"].as_u64().unwrap();
    let september = report["comparison"]["previous"]["n"].as_u64().unwrap();
    assert_eq!(october + september, 60);
    let nps = &report["questions"]["nps"]["nps"];
    for key in [
        "score",
        "promoters",
        "passives",
        "detractors",
        "se",
        "moe95",
        "ci95",
    ] {
        assert!(!nps[key].is_null(), "nps.{key} is null");
    }
    assert!(report["comparison"]["nps"]["p_value"].is_f64());
}

#[test]
fn score_csv_edge_cases() {
    // A header and no rows is a valid input: a report with n = 0.
    let empty = temp_file("edge", "empty.csv", "id,submitted_at,nps\n");
    let out = manyi(&[
        "score",
        "--survey",
        "template:nps",
        "--responses",
        empty.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["n"], 0);
    assert_eq!(report["questions"]["nps"]["nps"]["score"], Value::Null);

    // Excel's byte-order mark, CRLF line ends and quoted cells with commas are read as they are.
    let excel = temp_file(
        "edge",
        "excel.csv",
        "\u{feff}nps,reason,meta.channel\r\n10,\"fast, friendly\",web\r\n3,,store\r\n",
    );
    let out = manyi(&[
        "score",
        "--survey",
        "template:nps",
        "--responses",
        excel.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["questions"]["nps"]["nps"]["score"], 0.0);
    assert_eq!(report["questions"]["reason"]["n"], 1);

    // A column that is not in the survey stops the run with a clear message.
    let wrong = temp_file("edge", "wrong.csv", "nps,rating\n9,4\n");
    let out = manyi(&[
        "score",
        "--survey",
        "template:nps",
        "--responses",
        wrong.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("column \"rating\" is not a question of survey \"nps\""));

    // Multiple choice separated by `;`, matrix rows as qid.row, a row with too many fields.
    let survey = temp_file(
        "edge",
        "survey.json",
        r#"{"id":"m","version":1,"title":"M","default_locale":"en",
        "dimensions":[{"id":"d","title":"D"}],
        "pages":[{"id":"p","questions":[
          {"id":"picks","kind":"multi_choice","text":"P","options":[{"value":"a","label":"A"},{"value":"b","label":"B"}]},
          {"id":"grid","kind":"matrix","text":"G","rows":[{"id":"r1","text":"R1","dimension":"d"},{"id":"r2","text":"R2","dimension":"d","reverse":true}]}]}]}"#,
    );
    let data = temp_file(
        "edge",
        "m.csv",
        "picks,grid.r1,grid.r2\na;b,5,1\nb,,\na,1,2,3\n",
    );
    let out = manyi(&[
        "score",
        "--survey",
        survey.to_str().unwrap(),
        "--responses",
        data.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("line 4:"),
        "{}",
        text(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["n"], 2);
    let counts: Vec<u64> = report["questions"]["picks"]["distribution"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["count"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [1, 2]);
    assert_eq!(report["dimensions"]["d"]["score"], 100.0);
    assert_eq!(report["questions"]["grid"]["rows"]["r2"]["mean"], 1.0);
}

#[test]
fn published_schema_is_up_to_date() {
    let out = manyi(&["schema"]);
    assert_eq!(out.status.code(), Some(0));
    let generated: Value = serde_json::from_slice(&out.stdout).unwrap();
    let published: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("docs/survey.schema.json"))
            .expect("docs/survey.schema.json exists"),
    )
    .unwrap();
    assert!(
        generated == published,
        "docs/survey.schema.json is stale: run `cargo run -p manyi -- schema > docs/survey.schema.json`"
    );
    // The schema describes the real format.
    assert_eq!(generated["properties"]["pages"]["type"], "array");
}

#[test]
fn check_expr_prints_the_tree_and_the_result_of_reference_cases() {
    // Cases from survey-core's own tests (see crates/manyi-core/tests/data/README.md): the
    // printed value must be the expected one.
    let cases: Value = serde_json::from_str(include_str!(
        "../../manyi-core/tests/data/surveyjs/expressions.json"
    ))
    .unwrap();
    let picked: Vec<&Value> = cases
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            let expr = c["expr"].as_str().unwrap();
            c["kind"] == "expression"
                && !c["values"].as_object().unwrap().is_empty()
                && (expr.starts_with("iif(") || expr.contains("contains"))
                || expr == "{a} + {b}"
        })
        .collect();
    assert!(picked.len() >= 5, "{}", picked.len());
    for case in picked {
        let expr = case["expr"].as_str().unwrap();
        let out = manyi(&["check-expr", expr, "--values", &case["values"].to_string()]);
        assert_eq!(out.status.code(), Some(0), "{expr}: {}", text(&out.stderr));
        let stdout = text(&out.stdout);
        assert!(stdout.contains("tree:\n"), "{stdout}");
        let value = stdout
            .lines()
            .find_map(|l| l.strip_prefix("value:"))
            .unwrap_or_else(|| panic!("{expr}: no value in {stdout}"));
        let got: Value = serde_json::from_str(value.trim()).unwrap();
        assert_eq!(got, case["expected"], "{expr} with {}", case["values"]);
    }
}

#[test]
fn check_expr_points_at_a_syntax_error() {
    let out = manyi(&["check-expr", "{nps} <= 6 and"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    let mut lines = err.lines();
    assert_eq!(lines.next(), Some("{nps} <= 6 and"));
    // The caret sits under the end of the text, where the right operand is missing.
    let caret = lines.next().unwrap();
    assert_eq!(caret.find('^'), Some("{nps} <= 6 and".len()), "{err}");
    assert!(caret.contains("expected a value"), "{err}");
    let out = manyi(&[
        "check-expr",
        "nps <= 6",
        "--syntax",
        "manyi",
        "--values",
        "{\"nps\": 3}",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("condition: true"));
}

#[test]
fn import_surveyjs_of_a_locale_with_a_non_ascii_part_does_not_panic() {
    // `en-éab`: its last part is four bytes, which once was capitalised by slicing its first
    // byte, inside the `é`, and the import panicked (exit 101).
    let surveyjs = serde_json::json!({
        "locale": "en-éab",
        "title": {"default": "Hi", "en-éab": "Salut"},
        "elements": [{"type": "text", "name": "q"}]
    });
    let input = temp_file("locale", "locale.surveyjs.json", &surveyjs.to_string());
    let output = input.with_file_name("locale.json");
    let _ = std::fs::remove_file(&output);
    let (from, to) = (input.to_str().unwrap(), output.to_str().unwrap());
    let out = manyi(&["import", "surveyjs", from, "-o", to]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("imported as"), "{stderr}");
    let survey = manyi_core::parse_survey(&std::fs::read_to_string(&output).unwrap())
        .expect("a valid definition");
    assert_eq!(survey.default_locale, "en-éab");
}

#[test]
fn import_surveyjs_writes_a_definition_and_reports_what_it_could_not_import() {
    let surveyjs = serde_json::json!({
        "title": "Visit",
        "pages": [{"name": "p1", "elements": [
            {"type": "rating", "name": "nps", "rateMin": 0, "rateMax": 10},
            {"type": "comment", "name": "why", "visibleIf": "{nps} <= 6"},
            {"type": "file", "name": "photo"}
        ]}]
    });
    let input = temp_file("import", "visit.surveyjs.json", &surveyjs.to_string());
    let output = input.with_file_name("visit.json");
    let _ = std::fs::remove_file(&output);
    let out = manyi(&[
        "import",
        "surveyjs",
        input.to_str().unwrap(),
        "-o",
        output.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("$.pages[0].elements[2]: file element \"photo\" not imported"),
        "{err}"
    );
    assert!(
        err.contains("imported as visit v1 (2 questions, 1 report(s))"),
        "{err}"
    );
    let definition = std::fs::read_to_string(&output).unwrap();
    let survey = manyi_core::parse_survey(&definition).expect("a valid definition");
    assert_eq!(survey.questions().count(), 2);
    // `manyi validate` accepts it too.
    let out = manyi(&["validate", output.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    // --strict: the report fails the import, and nothing is written.
    std::fs::remove_file(&output).unwrap();
    let out = manyi(&[
        "import",
        "surveyjs",
        "--strict",
        input.to_str().unwrap(),
        "-o",
        output.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("1 report(s); --strict writes nothing"));
    assert!(!output.exists());

    // An id manyi cannot use is a problem of the result.
    let out = manyi(&[
        "import",
        "surveyjs",
        input.to_str().unwrap(),
        "--id",
        "Bad Id",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("$.id: survey id \"Bad Id\""),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn export_surveyjs_round_trips_a_template_through_the_cli() {
    let exported = temp_file("export", "rq.surveyjs.json", "");
    let out = manyi(&[
        "export",
        "surveyjs",
        "template:rq",
        "-o",
        exported.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&exported).unwrap()).unwrap();
    assert_eq!(json["pages"][0]["elements"][0]["type"], "rating");
    let out = manyi(&["import", "surveyjs", "--strict", exported.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let back: Value = serde_json::from_slice(&out.stdout).unwrap();
    let original: Value = serde_json::from_str(manyi_core::templates::json("rq").unwrap()).unwrap();
    let back: manyi_core::Survey = serde_json::from_value(back).unwrap();
    let original: manyi_core::Survey = serde_json::from_value(original).unwrap();
    assert_eq!(back, original);
}

#[test]
fn crm_retention_and_churn_print_the_rates_and_refuse_figures_that_have_none() {
    // 1,000 customers at the start and 950 at the end, 100 of them new: 850 were kept, so
    // retention is 850 / 1000 = 0.85; 150 lost of 1,000 is a churn rate of 0.15.
    let out = manyi(&words("crm retention --start 1000 --end 950 --new 100"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "retention rate: 0.85 (85.00 %)\n");
    let out = manyi(&["crm", "churn", "--start", "1000", "--lost", "150", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown, serde_json::json!({"churn_rate": 0.15}));

    // Two of three kept: the text rounds the percentage (66.666… to 66.67), the JSON does not.
    let out = manyi(&words("crm retention --start 3 --end 2 --new 0"));
    assert_eq!(
        text(&out.stdout),
        "retention rate: 0.6666666666666666 (66.67 %)\n"
    );
    let out = manyi(&words("crm retention --start 3 --end 2 --new 0 --json"));
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["retention_rate"], 2.0 / 3.0);

    // No customers at the start, or more lost than there were: no rate, and what it needs.
    let out = manyi(&words("crm retention --start 0 --end 10 --new 10"));
    let err = refused(&out);
    assert!(
        err.contains("no retention rate: it needs customers at the start (--start above 0)"),
        "{err}"
    );
    let out = manyi(&["crm", "churn", "--start", "10", "--lost", "11"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("no churn rate"), "{err}");
    assert!(err.contains("--lost at most --start"), "{err}");
}

#[test]
fn crm_clv_by_the_simple_model_and_by_discounted_cash_flow() {
    // Simple retention model: m·r / (1 + d − r) = 100 · 0.75 / (1 + 0.25 − 0.75) = 75 / 0.5 = 150.
    let simple = [
        "crm",
        "clv",
        "--margin",
        "100",
        "--retention",
        "0.75",
        "--discount",
        "0.25",
    ];
    let out = manyi(&simple);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "CLV: 150.00 (simple retention model, m·r / (1 + d − r))\n"
    );
    let out = manyi(&[&simple[..], &["--json"]].concat());
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown, serde_json::json!({"model": "simple", "clv": 150.0}));

    // Discounted cash flow over 2 periods after acquisition. Period 0: everyone pays 10,
    // undiscounted. Period 1: half remain and pay 20, 10 expected, worth 10 / 1.25 = 8 now.
    // Period 2: a quarter remain, 5 expected, worth 5 / 1.25² = 3.2. CLV = 10 + 8 + 3.2 = 21.2.
    let out = manyi(&words(
        "crm clv --initial-margin 10 --margin 20 --retention 0.5 --discount 0.25 --periods 2 --json",
    ));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["model"], "discounted_cash_flow");
    assert!(
        (shown["clv"].as_f64().unwrap() - 21.2).abs() < 1e-12,
        "{shown}"
    );
    let periods = shown["periods"].as_array().unwrap();
    assert_eq!(periods.len(), 3);
    assert_eq!(periods[0]["present_value"], 10.0);
    assert_eq!(periods[1]["present_value"], 8.0);
    assert_eq!(periods[2]["survival"], 0.25);
    assert_eq!(periods[2]["expected"], 5.0);

    // The same schedule given as lists, one value per period, printed as a table.
    let out = manyi(&words(
        "crm clv --initial-margin 10 --margin 20,20 --retention 0.5,0.5 --discount 0.25",
    ));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{stdout}");
    assert_eq!(
        lines[3].split_whitespace().collect::<Vec<_>>(),
        ["2", "0.2500", "20.00", "5.00", "3.20"]
    );
    assert_eq!(
        lines[4],
        "CLV: 21.20 (discounted cash flow over 2 periods after acquisition)"
    );

    // The literature's magazine case: a 5.90 margin in the first year, 45.90 on renewal, 15 %
    // discount, renewal rates rising from 30 %. By hand (Python): 5.9 + Σ 45.9·S_t / 1.15^t
    // = 30.4704…
    let out = manyi(&words(
        "crm clv --initial-margin 5.9 --margin 45.9 --retention 0.30,0.50,0.60,0.70,0.75,0.80,0.80,0.85,0.85 --discount 0.15",
    ));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout)
            .ends_with("CLV: 30.47 (discounted cash flow over 9 periods after acquisition)\n"),
        "{}",
        text(&out.stdout)
    );

    // Figures with no meaningful answer: exit 1, and what the model needs.
    let out = manyi(&words("crm clv --margin 100 --retention 1 --discount 0.1"));
    let err = refused(&out);
    assert!(
        err.contains("no CLV: the simple retention model needs"),
        "{err}"
    );
    let out = manyi(&words(
        "crm clv --margin 20 --retention 0.5 --discount -0.1 --periods 3",
    ));
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("no CLV: discounted cash flow needs"), "{err}");

    // Arguments that do not fit together: exit 2.
    let out = manyi(&words(
        "crm clv --margin 20,20,20 --retention 0.5,0.5 --discount 0.1",
    ));
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("--retention has 2 values; give one, or one for each of the 3 periods"),
        "{err}"
    );
    let out = manyi(&words(
        "crm clv --initial-margin 5 --margin 20 --retention 0.5 --discount 0.1",
    ));
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("--initial-margin needs a schedule"), "{err}");
}

#[test]
fn score_reads_a_contact_question_back_from_the_export_and_refuses_details_without_consent() {
    // The core's CSV export of two responses, then a row with a number but no consent, and
    // one whose consent is no word the export writes.
    let survey = manyi_core::parse_survey(
        &std::fs::read_to_string(repo().join("examples/follow-up.json")).unwrap(),
    )
    .unwrap();
    let responses: Vec<manyi_core::Response> = serde_json::from_value(serde_json::json!([
        {"id": "00000000-0000-4000-8000-000000000001", "survey_id": "follow-up",
         "survey_version": 1, "answers": {"nps": 2, "contact":
            {"agreed": true, "method": "phone", "value": "+86 138 1234 5678"},
            "best_time": "evening"}},
        {"id": "00000000-0000-4000-8000-000000000002", "survey_id": "follow-up",
         "survey_version": 1, "answers": {"nps": 5, "contact": {"agreed": false}}}
    ]))
    .unwrap();
    let mut csv = manyi_core::export::csv(&survey, &responses);
    csv.push_str("00000000-0000-4000-8000-000000000003,,,,4,,,phone,13812345678,\n");
    csv.push_str("00000000-0000-4000-8000-000000000004,,,,4,,yes,,,\n");
    let data = temp_file("contact", "follow-up.csv", &csv);
    let out = manyi(&[
        "score",
        "--survey",
        "examples/follow-up.json",
        "--responses",
        data.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains(
            "line 4: \"contact\": contact details were given without consent to be contacted"
        ),
        "{err}"
    );
    assert!(
        err.contains("line 5: contact.agreed: \"yes\" is neither true nor false"),
        "{err}"
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["n"], 2);
    assert_eq!(report["questions"]["contact"]["n"], 2);
    assert_eq!(report["questions"]["best_time"]["n"], 1);
    assert_eq!(report["questions"]["nps"]["nps"]["score"], -100.0);

    // The bare question as a column names the columns to give instead.
    let bare = temp_file("contact", "bare.csv", "nps,contact\n3,true\n");
    let out = manyi(&[
        "score",
        "--survey",
        "examples/follow-up.json",
        "--responses",
        bare.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("contact.agreed, contact.method and contact.value"));
}
