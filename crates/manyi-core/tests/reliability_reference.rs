//! Reliability figures against reference values computed by pandas, scipy and pingouin on
//! public data (R psych's `bfi`, pingouin's `cronbach_alpha` datasets). Provenance and the
//! generating script are in `data/`.

mod common;

use manyi_core::reliability;
use serde_json::Value;

/// Reads a CSV of numbers where an empty cell is missing (`NaN`).
fn read_columns(text: &str, names: &[&str]) -> Vec<Vec<f64>> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let index: Vec<usize> = names
        .iter()
        .map(|n| {
            header
                .iter()
                .position(|h| h == n)
                .unwrap_or_else(|| panic!("no column {n}"))
        })
        .collect();
    let mut columns = vec![Vec::new(); names.len()];
    for line in lines.filter(|l| !l.is_empty()) {
        let cells: Vec<&str> = line.split(',').collect();
        for (c, &i) in index.iter().enumerate() {
            let cell = cells[i].trim();
            columns[c].push(if cell.is_empty() || cell == "NA" {
                f64::NAN
            } else {
                cell.parse().unwrap()
            });
        }
    }
    columns
}

fn data_file(name: &str) -> &'static str {
    match name {
        "psych_bfi.csv" => include_str!("data/psych_bfi.csv"),
        "pingouin_cronbach_alpha.csv" => include_str!("data/pingouin_cronbach_alpha.csv"),
        "pingouin_cronbach_wide_missing.csv" => {
            include_str!("data/pingouin_cronbach_wide_missing.csv")
        }
        other => panic!("unknown data file {other}"),
    }
}

#[test]
fn alpha_matches_pandas_scipy_and_pingouin() {
    let reference: Value =
        serde_json::from_str(include_str!("data/reliability_reference.json")).unwrap();
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in reference["cases"].as_array().unwrap() {
        if case["nan_policy"] == "listwise" {
            // Listwise deletion is pingouin's alternative; the report uses pairwise only.
            continue;
        }
        let name = case["name"].as_str().unwrap();
        let items: Vec<&str> = case["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let reverse: Vec<&str> = case["reverse"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let (min, max) = (
            case["scale_min"].as_f64().unwrap(),
            case["scale_max"].as_f64().unwrap(),
        );
        let mut columns = read_columns(data_file(case["data"].as_str().unwrap()), &items);
        for (column, item) in columns.iter_mut().zip(&items) {
            if reverse.contains(item) {
                column.iter_mut().for_each(|x| *x = min + max - *x);
            }
        }
        let refs: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
        let got = reliability::analyse(&refs);
        let mut check = |what: String, got: Option<f64>, want: &Value, tol: f64| {
            checked += 1;
            match (got, want.as_f64()) {
                (Some(g), Some(w)) if common::close(g, w, tol) => {}
                _ => failures.push(format!("{name} {what}: got {got:?}, want {want}")),
            }
        };
        let alpha = &case["alpha"];
        check("raw".into(), got.alpha.raw, &alpha["raw"], 1e-12);
        // psych 2.5.3 standardises with the pairwise correlation matrix.
        check(
            "std".into(),
            got.alpha.std,
            &alpha["std_pairwise_cor"],
            1e-12,
        );
        // The interval depends on the F quantile, matched to R's qf / scipy to about 1e-10.
        check(
            "ci lower".into(),
            got.alpha.ci95.map(|c| c[0]),
            &alpha["ci95"][0],
            1e-9,
        );
        check(
            "ci upper".into(),
            got.alpha.ci95.map(|c| c[1]),
            &alpha["ci95"][1],
            1e-9,
        );
        assert_eq!(got.alpha.n as u64, case["n"].as_u64().unwrap(), "{name} n");
        for (item, stats) in items.iter().zip(&got.items) {
            let want = &case["items_stats"][item];
            check(
                format!("{item} r_drop"),
                stats.r_drop,
                &want["r_drop"],
                1e-12,
            );
            check(
                format!("{item} alpha_if_deleted"),
                stats.alpha_if_deleted,
                &want["alpha_if_deleted"],
                1e-12,
            );
        }
    }
    assert!(checked > 60, "too few figures checked: {checked}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn published_psych_values_agree_at_their_printed_precision() {
    // psych's vignette prints bfi's agreeableness (A1 reversed) as raw alpha 0.70 and
    // standardised alpha 0.71, to two decimals.
    let columns = {
        let mut c = read_columns(
            include_str!("data/psych_bfi.csv"),
            &["A1", "A2", "A3", "A4", "A5"],
        );
        c[0].iter_mut().for_each(|x| *x = 7.0 - *x);
        c
    };
    let refs: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
    let got = reliability::analyse(&refs);
    assert_eq!(format!("{:.2}", got.alpha.raw.unwrap()), "0.70");
    assert_eq!(format!("{:.2}", got.alpha.std.unwrap()), "0.71");
}

#[test]
fn degenerate_scales_give_null_not_zero() {
    let constant = [3.0, 3.0, 3.0, 3.0];
    let varied = [1.0, 2.0, 4.0, 5.0];
    // One item: no alpha at all.
    let single = reliability::analyse(&[&varied]);
    assert_eq!(single.alpha.raw, None);
    assert_eq!(single.alpha.ci95, None);
    // A zero-variance item: raw alpha exists, the standardised one and that item's r_drop do not.
    let flat = reliability::analyse(&[&constant, &varied, &varied]);
    assert!(flat.alpha.raw.is_some());
    assert_eq!(flat.alpha.std, None);
    assert_eq!(flat.items[0].r_drop, None);
    // Every answer missing: nothing can be computed and n is 0.
    let nan = [f64::NAN; 4];
    let empty = reliability::analyse(&[&nan, &nan]);
    assert_eq!((empty.alpha.raw, empty.alpha.n), (None, 0));
    // Two items: alpha-if-deleted would be the alpha of a single item, which does not exist.
    let two = reliability::analyse(&[&varied, &[2.0, 2.0, 5.0, 4.0]]);
    assert!(two.alpha.raw.is_some());
    assert_eq!(two.items[0].alpha_if_deleted, None);
}
