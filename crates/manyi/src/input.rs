//! Reading definitions and responses from files: the CLI's only IO besides stdout and stderr.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, FixedOffset};
use manyi_core::model::{Answer, QuestionKind, Response, Survey};
use manyi_core::score::Plan;
use manyi_core::table::{AnswerRow, ResponseTable};
use manyi_core::validate::{DefinitionError, Validator, parse_survey};

/// Loads a definition from `template:NAME` or a JSON file. A definition that does not validate
/// is an error listing every problem.
pub fn load_survey(spec: &str) -> Result<Survey> {
    let result = if let Some(name) = spec.strip_prefix("template:") {
        match manyi_core::templates::get(name) {
            Some(result) => result,
            None => bail!(
                "unknown template {name:?}; available: {}",
                manyi_core::templates::names()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    } else {
        let text = std::fs::read_to_string(spec).with_context(|| format!("cannot read {spec}"))?;
        parse_survey(&text)
    };
    result.map_err(|e| anyhow::anyhow!(format_definition_error(spec, &e)))
}

/// Every problem of a definition, one per line.
pub fn format_definition_error(source: &str, error: &DefinitionError) -> String {
    let problems = error.problems();
    let mut out = format!("{source}: {} problem(s)", problems.len());
    for p in problems {
        out.push_str(&format!("\n  {}: {}", p.path, p.message));
    }
    out
}

/// A row or record that could not be used, with where it was.
#[derive(Debug, Clone, PartialEq)]
pub struct BadRow {
    /// 1-based line number for CSV; 1-based position in the array for JSON.
    pub location: String,
    pub reason: String,
}

/// Responses read from a file into a table, with the rows that were skipped.
#[derive(Debug)]
pub struct Loaded {
    pub table: ResponseTable,
    pub bad: Vec<BadRow>,
}

/// Reads responses from a `.csv` file or a JSON file (an array of responses).
pub fn load_responses(path: &Path, plan: &Plan<'_>) -> Result<Loaded> {
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    if is_csv {
        read_csv(&bytes, plan)
    } else {
        read_json(&bytes, plan)
    }
}

/// Reads a JSON array of responses. Each element is checked on its own, so one malformed
/// element is reported and skipped without losing the others.
pub fn read_json(bytes: &[u8], plan: &Plan<'_>) -> Result<Loaded> {
    let values: Vec<serde_json::Value> =
        serde_json::from_slice(bytes).context("the responses file is not a JSON array")?;
    let validator = Validator::new(plan.survey);
    let mut loaded = Loaded {
        table: ResponseTable::new(plan),
        bad: Vec::new(),
    };
    loaded.table.reserve(values.len());
    for (i, value) in values.into_iter().enumerate() {
        let location = format!("response {}", i + 1);
        let response: Response = match serde_json::from_value(value) {
            Ok(r) => r,
            Err(e) => {
                loaded.bad.push(BadRow {
                    location,
                    reason: e.to_string(),
                });
                continue;
            }
        };
        // A file may hold responses to earlier versions of the survey; the report counts
        // answers that no longer fit as invalid, so only a version mismatch is tolerated here.
        let errors: Vec<String> = match validator.response(&response) {
            Ok(()) => Vec::new(),
            Err(errors) => errors
                .into_iter()
                .filter(|e| !matches!(e, manyi_core::ResponseError::WrongVersion { .. }))
                .map(|e| e.to_string())
                .collect(),
        };
        if errors.is_empty() {
            loaded.table.push_response(plan, &response);
        } else {
            loaded.bad.push(BadRow {
                location,
                reason: errors.join("; "),
            });
        }
    }
    Ok(loaded)
}

/// How one CSV column maps onto a response.
enum Column {
    Id,
    SubmittedAt,
    StartedAt,
    Locale,
    Meta(String),
    Question { index: usize, kind: QuestionKind },
    MatrixRow { index: usize, row: String },
}

fn map_header(header: &str, plan: &Plan<'_>) -> Result<Column, String> {
    match header {
        "id" => return Ok(Column::Id),
        "submitted_at" => return Ok(Column::SubmittedAt),
        "started_at" => return Ok(Column::StartedAt),
        "locale" => return Ok(Column::Locale),
        _ => {}
    }
    if let Some(key) = header.strip_prefix("meta.") {
        return Ok(Column::Meta(key.to_owned()));
    }
    if let Some(&index) = plan.question_index.get(header) {
        let kind = plan.questions[index].kind;
        if kind == QuestionKind::Matrix {
            return Err(format!(
                "column {header:?} is a matrix question; give one column per row as {header}.ROW"
            ));
        }
        return Ok(Column::Question { index, kind });
    }
    if let Some((qid, row)) = header.split_once('.')
        && let Some(&index) = plan.question_index.get(qid)
        && plan.questions[index].kind == QuestionKind::Matrix
        && plan.questions[index].rows.iter().any(|r| r.id == row)
    {
        return Ok(Column::MatrixRow {
            index,
            row: row.to_owned(),
        });
    }
    Err(format!(
        "column {header:?} is not a question of survey {:?} (nor id, submitted_at, started_at, locale or meta.KEY)",
        plan.survey.id
    ))
}

fn parse_number(column: &str, cell: &str) -> Result<f64, String> {
    cell.trim()
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| format!("{column}: {cell:?} is not a number"))
}

fn parse_time(column: &str, cell: &str) -> Result<DateTime<FixedOffset>, String> {
    DateTime::parse_from_rfc3339(cell.trim())
        .map_err(|e| format!("{column}: {cell:?} is not an RFC 3339 time with offset ({e})"))
}

/// Reads a CSV export: one row per response, a header of question ids (matrix rows as
/// `qid.row`, multiple choices separated by `;`) and optional `id`, `submitted_at`,
/// `started_at`, `locale` and `meta.KEY` columns. An empty cell is unanswered. A leading UTF-8
/// byte-order mark (as Excel writes) is ignored, and so is the `'` the export puts before a
/// cell that would otherwise start a formula.
///
/// Rows go straight into the table through one reused [`AnswerRow`], without building a
/// `Response` per row: this is what keeps a million-row file fast.
pub fn read_csv(bytes: &[u8], plan: &Plan<'_>) -> Result<Loaded> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
    let headers = reader
        .headers()
        .context("cannot read the CSV header")?
        .clone();
    let mut columns = Vec::with_capacity(headers.len());
    let mut header_errors = Vec::new();
    for header in headers.iter() {
        match map_header(manyi_core::export::csv_text(header.trim()), plan) {
            Ok(c) => columns.push(c),
            Err(e) => header_errors.push(e),
        }
    }
    if !header_errors.is_empty() {
        bail!(
            "the CSV header does not fit the survey:\n  {}",
            header_errors.join("\n  ")
        );
    }
    let validator = Validator::new(plan.survey);
    let mut loaded = Loaded {
        table: ResponseTable::new(plan),
        bad: Vec::new(),
    };
    let mut row = AnswerRow::new(plan);
    let mut meta: Vec<(&str, String)> = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line() + 1;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line());
                loaded.bad.push(BadRow {
                    location: format!("line {line}"),
                    reason: e.to_string(),
                });
                // A structural CSV error (such as a wrong field count) affects only this row.
                continue;
            }
        }
        let line = record.position().map_or(line, |p| p.line());
        row.clear();
        meta.clear();
        match read_row(&record, &columns, plan, &validator, &mut row, &mut meta) {
            Ok(submitted_at) => loaded.table.push_row(
                plan,
                &row,
                submitted_at,
                meta.iter().map(|(k, v)| (*k, v.as_str())),
            ),
            Err(reason) => loaded.bad.push(BadRow {
                location: format!("line {line}"),
                reason,
            }),
        }
    }
    Ok(loaded)
}

/// Fills `row` and `meta` from one record and validates the answers; returns the submission
/// time, or every problem of the row.
fn read_row<'c>(
    record: &csv::StringRecord,
    columns: &'c [Column],
    plan: &Plan<'_>,
    validator: &Validator<'_>,
    row: &mut AnswerRow<'_>,
    meta: &mut Vec<(&'c str, String)>,
) -> Result<Option<DateTime<FixedOffset>>, String> {
    let (mut started_at, mut submitted_at) = (None, None);
    let mut problems = Vec::new();
    for (cell, column) in record.iter().zip(columns) {
        // The export neutralises cells a spreadsheet would run as formulas with a leading `'`;
        // the answer is the text without it.
        let cell = manyi_core::export::csv_text(cell);
        if cell.trim().is_empty() {
            continue;
        }
        let result: Result<(), String> = match column {
            // The CSV path does not keep response ids or locales: the report does not use them.
            Column::Id | Column::Locale => Ok(()),
            Column::SubmittedAt => parse_time("submitted_at", cell).map(|t| {
                submitted_at = Some(t);
            }),
            Column::StartedAt => parse_time("started_at", cell).map(|t| {
                started_at = Some(t);
            }),
            Column::Meta(key) => {
                meta.push((key.as_str(), cell.to_owned()));
                Ok(())
            }
            Column::Question { index, kind } => {
                let id = &plan.questions[*index].id;
                let answer = match kind {
                    QuestionKind::Nps | QuestionKind::Rating | QuestionKind::Likert => {
                        parse_number(id, cell).map(Answer::Number)
                    }
                    QuestionKind::MultiChoice => Ok(Answer::Choices(
                        cell.split(';')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(str::to_owned)
                            .collect(),
                    )),
                    QuestionKind::SingleChoice => Ok(Answer::Text(cell.trim().to_owned())),
                    _ => Ok(Answer::Text(cell.to_owned())),
                };
                answer.map(|a| row.set(*index, a))
            }
            Column::MatrixRow { index, row: row_id } => {
                let name = format!("{}.{row_id}", plan.questions[*index].id);
                parse_number(&name, cell).map(|x| {
                    let slot = row.slot(*index);
                    if let Answer::Matrix(rows) =
                        slot.get_or_insert_with(|| Answer::Matrix(BTreeMap::new()))
                    {
                        rows.insert(row_id.clone(), x);
                    }
                })
            }
        };
        if let Err(e) = result {
            problems.push(e);
        }
    }
    if let (Some(started), Some(submitted)) = (started_at, submitted_at)
        && submitted < started
    {
        problems.push("submitted_at is before started_at".to_owned());
    }
    if let Err(errors) = validator.answers(row, false) {
        problems.extend(errors.into_iter().map(|e| e.to_string()));
    }
    if problems.is_empty() {
        Ok(submitted_at)
    } else {
        Err(problems.join("; "))
    }
}
