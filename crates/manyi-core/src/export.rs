//! Responses as a flat table for export: one row per response, one column per question (per row
//! of a matrix), and that table as CSV. The server writes it as CSV or XLSX, the browser's
//! local-only dashboard as CSV, so both give the same columns.

use std::collections::BTreeSet;

use crate::model::{Answer, Response, Survey};

/// One exported cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
}

/// The export as a header and rows.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportTable {
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// The columns: id, times, locale, every `meta` key (sorted), then one column per question (per
/// row for a matrix, named `question.row`; multiple choices joined with `;`). This is the layout
/// `manyi score` reads back.
pub fn table(survey: &Survey, responses: &[Response]) -> ExportTable {
    let meta_keys: BTreeSet<&str> = responses
        .iter()
        .flat_map(|r| r.meta.keys().map(String::as_str))
        .collect();
    let mut columns: Vec<(String, &str, Option<&str>)> = Vec::new();
    for q in survey.questions() {
        if q.rows.is_empty() {
            columns.push((q.id.clone(), &q.id, None));
        } else {
            for row in &q.rows {
                columns.push((format!("{}.{}", q.id, row.id), &q.id, Some(&row.id)));
            }
        }
    }
    let mut header: Vec<String> = ["id", "submitted_at", "started_at", "locale"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    header.extend(meta_keys.iter().map(|k| format!("meta.{k}")));
    header.extend(columns.iter().map(|(name, _, _)| name.clone()));
    let text = |s: Option<String>| s.map_or(Cell::Empty, Cell::Text);
    let rows = responses
        .iter()
        .map(|r| {
            let mut record = vec![
                Cell::Text(r.id.clone()),
                text(r.submitted_at.map(|t| t.to_rfc3339())),
                text(r.started_at.map(|t| t.to_rfc3339())),
                text(r.locale.clone()),
            ];
            record.extend(meta_keys.iter().map(|k| text(r.meta.get(*k).cloned())));
            for (_, question, row) in &columns {
                record.push(match (r.answers.get(*question), row) {
                    (Some(Answer::Matrix(rows)), Some(row)) => {
                        rows.get(*row).map_or(Cell::Empty, |x| Cell::Number(*x))
                    }
                    (Some(Answer::Number(x)), None) => Cell::Number(*x),
                    (Some(Answer::Text(t)), None) => Cell::Text(t.clone()),
                    (Some(Answer::Choices(list)), None) => Cell::Text(list.join(";")),
                    _ => Cell::Empty,
                });
            }
            record
        })
        .collect();
    ExportTable { header, rows }
}

/// The first characters that make a spreadsheet read a cell as a formula (OWASP's list for CSV
/// injection): a respondent's text or `meta` value starting with one of them would run as a
/// formula in the staff member's spreadsheet.
const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether a text cell is written with a leading `'`: when it starts with a formula trigger, as
/// OWASP recommends, and also when it already starts with quotes followed by a trigger, so that
/// [`csv_text`] can tell the two apart and every text reads back exactly as it was.
fn needs_quote_prefix(text: &str) -> bool {
    text.trim_start_matches('\'').starts_with(FORMULA_TRIGGERS)
}

/// A text cell of the CSV export as it was before it was written: the leading `'` that
/// [`csv`] adds to neutralise a formula is taken off again. Readers of the export (`manyi
/// score`) read every text cell through this.
pub fn csv_text(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_quote_prefix(rest) => rest,
        _ => cell,
    }
}

/// The table as CSV (RFC 4180: comma-separated, CRLF-free `\n` line ends as most tools write,
/// fields quoted when they hold a comma, a quote or a line break), UTF-8 with a byte-order mark
/// so Excel shows Chinese. Text that a spreadsheet would run as a formula (starting with `=`,
/// `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`, which [`csv_text`] removes;
/// numbers are written as numbers, negative ones included.
pub fn csv(table: &ExportTable) -> String {
    let mut out = String::from('\u{feff}');
    let mut line = |fields: &mut dyn Iterator<Item = String>| {
        let mut first = true;
        for field in fields {
            if !first {
                out.push(',');
            }
            first = false;
            if field.contains([',', '"', '\n', '\r']) {
                out.push('"');
                out.push_str(&field.replace('"', "\"\""));
                out.push('"');
            } else {
                out.push_str(&field);
            }
        }
        out.push('\n');
    };
    let text = |t: &str| {
        if needs_quote_prefix(t) {
            format!("'{t}")
        } else {
            t.to_owned()
        }
    };
    // Header names are `meta.` and a respondent's key, or ids from the definition: neutralised
    // too, so no cell of the file is a formula.
    line(&mut table.header.iter().map(|h| text(h)));
    for row in &table.rows {
        line(&mut row.iter().map(|cell| match cell {
            Cell::Empty => String::new(),
            Cell::Text(t) => text(t),
            Cell::Number(x) => x.to_string(),
        }));
    }
    out
}
