//! Reading definitions and responses from files: the CLI's only IO besides stdout and stderr.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, FixedOffset};
use manyi_core::Report;
use manyi_core::aggregate::ReportBuilder;
use manyi_core::model::{Answer, QuestionKind, Response, Survey};
use manyi_core::report::ReportOptions;
use manyi_core::score::Plan;
use manyi_core::table::AnswerRow;
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

/// Responses read from a file into the report's statistics, with the rows that were skipped.
#[derive(Debug)]
pub struct Loaded<'p> {
    pub report: ReportBuilder<'p>,
    /// Responses scored.
    pub scored: usize,
    pub bad: Vec<BadRow>,
}

impl<'p> Loaded<'p> {
    fn new(plan: &'p Plan<'p>, options: &ReportOptions) -> Loaded<'p> {
        Loaded {
            report: ReportBuilder::new(plan, options.clone()),
            scored: 0,
            bad: Vec::new(),
        }
    }

    /// Adds what another part of the same file gave (the parts in file order).
    fn merge(&mut self, other: Loaded<'p>) {
        self.report.merge(other.report);
        self.scored += other.scored;
        self.bad.extend(other.bad);
    }

    pub fn finish(self) -> Report {
        self.report.finish()
    }
}

/// Reads responses from a `.csv` file or a JSON file (an array of responses) into the report
/// `options` asks for.
pub fn load_responses<'p>(
    path: &Path,
    plan: &'p Plan<'p>,
    options: &ReportOptions,
) -> Result<Loaded<'p>> {
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    if is_csv {
        read_csv(&bytes, plan, options)
    } else {
        read_json(&bytes, plan, options)
    }
}

/// Reads a JSON array of responses. Each element is checked on its own, so one malformed
/// element is reported and skipped without losing the others.
pub fn read_json<'p>(
    bytes: &[u8],
    plan: &'p Plan<'p>,
    options: &ReportOptions,
) -> Result<Loaded<'p>> {
    let values: Vec<serde_json::Value> =
        serde_json::from_slice(bytes).context("the responses file is not a JSON array")?;
    let validator = Validator::new(plan.survey);
    let mut loaded = Loaded::new(plan, options);
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
            loaded.report.push_response(&response);
            loaded.scored += 1;
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
/// Reads a CSV file in the export's layout. The file is cut into as many parts as the machine
/// has cores, at record boundaries, and each part is read and scored on its own thread into
/// statistics of its own; the parts' statistics then merge, in file order, into the report.
pub fn read_csv<'p>(
    bytes: &[u8],
    plan: &'p Plan<'p>,
    options: &ReportOptions,
) -> Result<Loaded<'p>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let boundaries = record_boundaries(bytes, threads);
    let header_end = boundaries.first().map_or(bytes.len(), |b| b.offset);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(&bytes[..header_end]);
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
    let width = columns.len();
    let columns = &columns;
    let parts: Vec<Loaded<'p>> = std::thread::scope(|scope| {
        let workers: Vec<_> = boundaries
            .windows(2)
            .map(|pair| {
                let (start, end) = (pair[0], pair[1]);
                let part = &bytes[start.offset..end.offset];
                scope.spawn(move || read_csv_part(part, start.line, width, columns, plan, options))
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("a CSV worker does not panic"))
            .collect()
    });
    let mut loaded = Loaded::new(plan, options);
    for part in parts {
        loaded.merge(part);
    }
    Ok(loaded)
}

/// A place in a CSV file where a record starts: its byte offset and its 1-based line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Boundary {
    offset: usize,
    line: u64,
}

/// The end of the header and `parts − 1` record starts spread evenly over the file, and its
/// end: where parts may start, found with one pass that knows quoted fields (a quoted field may
/// hold line breaks, which end no record).
fn record_boundaries(bytes: &[u8], parts: usize) -> Vec<Boundary> {
    let parts = parts.max(1);
    let mut out = Vec::with_capacity(parts + 1);
    let (mut quoted, mut line) = (false, 1u64);
    let mut next_target = 0usize;
    for (i, &byte) in bytes.iter().enumerate() {
        match byte {
            b'"' => quoted = !quoted,
            // Lines are counted as the CSV reader counts them, quoted line breaks included.
            b'\n' if quoted => line += 1,
            b'\n' => {
                line += 1;
                // The first boundary is the header's end; the others are the first record
                // starts at or after each part's share of the file.
                if i + 1 >= next_target && i + 1 < bytes.len() {
                    out.push(Boundary {
                        offset: i + 1,
                        line,
                    });
                    if out.len() == parts {
                        next_target = usize::MAX;
                    } else {
                        next_target = bytes.len() / parts * out.len();
                    }
                }
            }
            _ => {}
        }
    }
    if quoted {
        // An unbalanced quote: the scan's idea of where records start cannot be trusted, so
        // the file is read as one part and the CSV reader reports the problem where it is.
        out.truncate(1);
    }
    if out.is_empty() {
        // A header without records (or without a final line break).
        out.push(Boundary {
            offset: bytes.len(),
            line,
        });
    }
    out.push(Boundary {
        offset: bytes.len(),
        line,
    });
    out
}

/// Reads and scores one part of a CSV file: records only, starting at line `first_line`.
fn read_csv_part<'p>(
    bytes: &[u8],
    first_line: u64,
    width: usize,
    columns: &[Column],
    plan: &'p Plan<'p>,
    options: &ReportOptions,
) -> Loaded<'p> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .has_headers(false)
        .from_reader(bytes);
    let validator = Validator::new(plan.survey);
    let mut loaded = Loaded::new(plan, options);
    let mut row = AnswerRow::new(plan);
    let mut meta: Vec<(&str, String)> = Vec::new();
    let mut record = csv::StringRecord::new();
    // The part's lines counted from the file's start.
    let at_line = |line: u64| line + first_line - 1;
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) if record.len() != width => {
                // Without the header, the reader cannot tell a short record; the count is the
                // header's, as a reader with the header would insist.
                loaded.bad.push(BadRow {
                    location: format!("line {}", at_line(line)),
                    reason: format!(
                        "found record with {} fields, but the previous record has {width} fields",
                        record.len()
                    ),
                });
                continue;
            }
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line());
                loaded.bad.push(BadRow {
                    location: format!("line {}", at_line(line)),
                    reason: e.to_string(),
                });
                // A structural CSV error (such as a wrong field count) affects only this row.
                continue;
            }
        }
        let line = record.position().map_or(line, |p| p.line());
        row.clear();
        meta.clear();
        match read_row(&record, columns, plan, &validator, &mut row, &mut meta) {
            Ok(submitted_at) => {
                loaded.report.push(
                    &row,
                    submitted_at,
                    &mut meta.iter().map(|(k, v)| (*k, v.as_str())),
                );
                loaded.scored += 1;
            }
            Err(reason) => loaded.bad.push(BadRow {
                location: format!("line {}", at_line(line)),
                reason,
            }),
        }
    }
    loaded
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_start_at_records_never_inside_a_quoted_field() {
        let text =
            "id,comment\n1,\"two\nlines\"\n2,plain\n3,\"a \"\"quote\"\"\nand a break\"\n4,x\n";
        let bytes = text.as_bytes();
        for parts in 1..=6 {
            let boundaries = record_boundaries(bytes, parts);
            assert_eq!(boundaries[0].offset, "id,comment\n".len(), "{parts}");
            assert_eq!(boundaries.last().unwrap().offset, bytes.len());
            assert!(boundaries.len() <= parts + 1);
            for b in &boundaries[..boundaries.len() - 1] {
                // Every part starts a record: a digit, and the line the record is on.
                assert!(bytes[b.offset].is_ascii_digit(), "{parts}: {b:?}");
                let line = 1 + text[..b.offset].matches('\n').count() as u64;
                assert_eq!(b.line, line);
            }
        }
        // An unbalanced quote leaves the records to the CSV reader, in one part.
        assert_eq!(record_boundaries(b"a\n\"1\n2\n3\n", 4).len(), 2);
    }

    #[test]
    fn a_file_read_in_parts_scores_as_one_and_names_bad_lines_in_the_file() {
        let survey = manyi_core::templates::get("nps").unwrap().unwrap();
        let plan = Plan::new(&survey);
        let mut text = String::from("id,submitted_at,nps,meta.channel\n");
        let mut expected = Vec::new();
        for i in 0..4000u32 {
            let score = i % 11;
            let at = format!("2026-03-{:02}T10:00:00+08:00", 1 + i % 28);
            if i == 3100 {
                // A bad row late in the file, in the last part on any machine.
                text.push_str(&format!("r{i},{at},eleven,\"web\nshop\"\n"));
                continue;
            }
            text.push_str(&format!("r{i},{at},{score},\"web\nshop\"\n"));
            expected.push(
                serde_json::from_value::<Response>(serde_json::json!({
                    "id": format!("r{i}"), "survey_id": "nps", "survey_version": 1,
                    "submitted_at": at, "answers": {"nps": score},
                    "meta": {"channel": "web\nshop"}
                }))
                .unwrap(),
            );
        }
        let options = ReportOptions {
            segment: Some("channel".into()),
            ..ReportOptions::default()
        };
        let loaded = read_csv(text.as_bytes(), &plan, &options).unwrap();
        assert_eq!(loaded.scored, 3999);
        // The header is line 1 and each record takes two lines.
        assert_eq!(
            loaded
                .bad
                .iter()
                .map(|b| b.location.as_str())
                .collect::<Vec<_>>(),
            ["line 6202"]
        );
        let report = loaded.finish();
        // The same responses in one piece: the statistics are integers, so equal to the bit.
        let mut whole = ReportBuilder::new(&plan, options);
        expected.iter().for_each(|r| whole.push_response(r));
        let reference = whole.finish();
        assert_eq!(
            serde_json::to_value(&report).unwrap(),
            serde_json::to_value(&reference).unwrap()
        );
    }
}
