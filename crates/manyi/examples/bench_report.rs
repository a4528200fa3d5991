//! Benchmark: the full report for N responses × 20 items in 4 dimensions, in Rust and in
//! numpy/pandas (`bench/report_pandas.py`) on the same CSV file in the same run.
//!
//! ```sh
//! cargo run --profile bench-fast -p manyi --example bench_report -- --rows 1000000
//! ```
//!
//! It generates the data (deterministic, fixed seed) and writes the survey beside it
//! (`target/bench/survey.json`, so `manyi score` can be timed on the same files), times the
//! Rust side (CSV → the report's statistics, read and scored in parallel parts, and statistics
//! → report, each the median of several runs), runs the Python script, checks that every
//! figure agrees to 1e-9 relative, and prints both times and their ratio. It exits non-zero if
//! any figure disagrees, so a fast wrong answer never counts.

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use chrono::FixedOffset;
use manyi_core::report::{BucketSpec, BucketUnit, ReportOptions};
use manyi_core::score::Plan;
use serde_json::{Value, json};

/// SplitMix64: a tiny, well-distributed generator, enough for synthetic benchmark data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A standard normal draw (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u = self.unit().max(1e-300);
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

fn survey_json() -> Value {
    let weights = [0.4, 0.3, 0.2, 0.1];
    let dimensions: Vec<Value> = (1..=4)
        .map(|d| json!({"id": format!("d{d}"), "title": format!("D{d}"), "weight": weights[d - 1]}))
        .collect();
    let questions: Vec<Value> = (1..=20)
        .map(|i| {
            json!({
                "id": format!("q{i:02}"),
                "kind": "likert",
                "text": format!("Item {i}"),
                "dimension": format!("d{}", (i - 1) / 5 + 1),
                "reverse": i % 5 == 0,
                "scale": {"min": 1, "max": 7}
            })
        })
        .collect();
    json!({
        "id": "bench", "version": 1, "title": "Benchmark", "default_locale": "en",
        "dimensions": dimensions,
        "pages": [{"id": "p1", "questions": questions}]
    })
}

fn write_csv(path: &PathBuf, rows: usize) -> std::io::Result<()> {
    let mut rng = Rng(0x6D61_6E79_6932_3032);
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    write!(out, "id,submitted_at,meta.channel")?;
    for i in 1..=20 {
        write!(out, ",q{i:02}")?;
    }
    writeln!(out)?;
    let channels = ["store", "phone", "web", "app"];
    let offsets = ["+08:00", "+08:00", "+08:00", "Z"];
    for r in 0..rows {
        // Times spread over 2026, some written in UTC, so month buckets at +08:00 differ from
        // the calendar months of the text.
        let second = rng.next() % (365 * 86_400);
        let offset = offsets[(rng.next() % 4) as usize];
        let shift = if offset == "Z" { 0 } else { 8 * 3600 };
        let t = chrono::DateTime::from_timestamp(1_767_225_600 + second as i64 - shift, 0)
            .expect("a 2026 timestamp");
        let local = t.naive_utc() + chrono::Duration::seconds(shift);
        write!(
            out,
            "{:08x}-0000-4000-8000-{:012x},{}{},{}",
            r,
            r,
            local.format("%Y-%m-%dT%H:%M:%S"),
            offset,
            channels[(rng.next() % 4) as usize]
        )?;
        for _dimension in 0..4 {
            let latent = 4.5 + 1.2 * rng.normal();
            for i in 0..5 {
                if rng.unit() < 0.05 {
                    write!(out, ",")?;
                    continue;
                }
                let x = latent + 0.9 * rng.normal();
                let x = if i == 4 { 8.0 - x } else { x };
                write!(out, ",{}", x.round().clamp(1.0, 7.0) as i64)?;
            }
        }
        writeln!(out)?;
    }
    out.flush()
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Compares `rust` to `reference` recursively on the reference's keys; numbers to 1e-9
/// relative. Returns the paths that disagree.
fn compare(path: &str, rust: &Value, reference: &Value, out: &mut Vec<String>) {
    match (rust, reference) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            if (a - b).abs() > 1e-9 * b.abs().max(1.0) {
                out.push(format!("{path}: rust {a} vs pandas {b}"));
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                compare(&format!("{path}[{i}]"), x, y, out);
            }
        }
        (Value::Object(_), Value::Object(b)) => {
            for (k, y) in b {
                compare(&format!("{path}.{k}"), &rust[k.as_str()], y, out);
            }
        }
        (a, b) if a == b => {}
        (a, b) => out.push(format!("{path}: rust {a} vs pandas {b}")),
    }
}

/// The Rust report reshaped to the reference script's layout.
fn comparable(report: &Value) -> Value {
    let mut questions = serde_json::Map::new();
    for (q, v) in report["questions"].as_object().unwrap() {
        let distribution: Vec<Value> = v["distribution"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["count"].clone())
            .collect();
        questions.insert(
            q.clone(),
            json!({"n": v["n"], "mean": v["mean"], "sd": v["sd"], "distribution": distribution}),
        );
    }
    let mut dimensions = serde_json::Map::new();
    for (d, v) in report["dimensions"].as_object().unwrap() {
        dimensions.insert(
            d.clone(),
            json!({
                "score": v["score"], "n": v["n"], "sd": v["sd"],
                "alpha": {"raw": v["alpha"]["raw"], "std": v["alpha"]["std"], "ci95": v["alpha"]["ci95"]},
                "items": v["items"],
            }),
        );
    }
    let group = |g: &Value| json!({"n": g["n"], "mean": g["composite"]["mean"]});
    let segments: serde_json::Map<String, Value> = report["segments"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["value"].as_str().unwrap_or("null").to_owned(), group(g)))
        .collect();
    let buckets: serde_json::Map<String, Value> = report["buckets"]["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["key"].as_str().unwrap().to_owned(), group(b)))
        .collect();
    json!({
        "n": report["n"], "questions": questions, "dimensions": dimensions,
        "composite": report["composite"], "segments": segments, "buckets": buckets,
    })
}

fn main() -> anyhow::Result<()> {
    let mut rows = 1_000_000usize;
    let mut python = "python3".to_owned();
    let mut runs = 3usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--rows" => rows = args.next().expect("--rows N").parse()?,
            "--python" => python = args.next().expect("--python PATH"),
            "--runs" => runs = args.next().expect("--runs N").parse()?,
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = root.join("target/bench");
    std::fs::create_dir_all(&dir)?;
    let csv = dir.join(format!("responses-{rows}.csv"));
    if !csv.exists() {
        eprintln!("writing {} rows to {}", rows, csv.display());
        write_csv(&csv, rows)?;
    }
    let size = std::fs::metadata(&csv)?.len();
    std::fs::write(
        dir.join("survey.json"),
        serde_json::to_string_pretty(&survey_json())?,
    )?;

    let survey = manyi_core::parse_survey(&survey_json().to_string())
        .map_err(|e| anyhow::anyhow!("benchmark survey: {e}"))?;
    let options = ReportOptions {
        segment: Some("channel".into()),
        bucket: Some(BucketSpec {
            unit: BucketUnit::Month,
            utc_offset: FixedOffset::east_opt(8 * 3600).expect("valid offset"),
        }),
        ..Default::default()
    };

    let (mut load_times, mut compute_times) = (Vec::new(), Vec::new());
    let mut report = None;
    for _ in 0..runs {
        let plan = Plan::new(&survey);
        let t0 = Instant::now();
        // Reading now includes scoring into the report's statistics, in parallel parts.
        let loaded = manyi::input::load_responses(&csv, &plan, &options)?;
        let t1 = Instant::now();
        anyhow::ensure!(
            loaded.bad.is_empty(),
            "bad rows in benchmark data: {:?}",
            &loaded.bad[..1]
        );
        let r = loaded.finish();
        let t2 = Instant::now();
        load_times.push((t1 - t0).as_secs_f64());
        compute_times.push((t2 - t1).as_secs_f64());
        report = Some(r);
    }
    let report = serde_json::to_value(report.expect("at least one run"))?;
    let (rust_load, rust_compute) = (median(load_times), median(compute_times));

    let script = root.join("bench/report_pandas.py");
    let output = Command::new(&python).arg(&script).arg(&csv).output()?;
    anyhow::ensure!(
        output.status.success(),
        "{} failed: {}",
        script.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let pandas: Value = serde_json::from_slice(&output.stdout)?;
    let mut reference = pandas.clone();
    let timing = reference
        .as_object_mut()
        .unwrap()
        .remove("timing")
        .unwrap_or_default();
    let implementation = reference.as_object_mut().unwrap().remove("implementation");
    let mut disagreements = Vec::new();
    compare("$", &comparable(&report), &reference, &mut disagreements);

    let (py_load, py_compute) = (
        timing["load_s"].as_f64().unwrap(),
        timing["compute_s"].as_f64().unwrap(),
    );
    println!(
        "manyi report benchmark: {rows} responses × 20 items in 4 dimensions ({:.1} MB CSV)",
        size as f64 / 1e6
    );
    println!("segments by channel, month buckets at +08:00; Rust medians of {runs} runs");
    println!(
        "{:<22}{:>12}{:>12}{:>12}",
        "", "load (s)", "report (s)", "total (s)"
    );
    println!(
        "{:<22}{:>12.3}{:>12.3}{:>12.3}",
        "Rust (manyi-core)",
        rust_load,
        rust_compute,
        rust_load + rust_compute
    );
    println!(
        "{:<22}{:>12.3}{:>12.3}{:>12.3}",
        "numpy/pandas",
        py_load,
        py_compute,
        py_load + py_compute
    );
    println!(
        "ratio Rust/pandas: report {:.3}, total {:.3}",
        rust_compute / py_compute,
        (rust_load + rust_compute) / (py_load + py_compute)
    );
    if let Some(imp) = implementation {
        println!("python side: {imp}");
    }
    if disagreements.is_empty() {
        println!("figures agree to 1e-9 relative");
        Ok(())
    } else {
        for d in disagreements.iter().take(20) {
            eprintln!("DISAGREE {d}");
        }
        anyhow::bail!("{} figure(s) disagree", disagreements.len())
    }
}
