//! Responses as a flat table for export: one row per response, one column per question (per row
//! of a matrix), and that table as CSV. The server writes it as CSV or XLSX, the browser's
//! local-only dashboard as CSV, so both give the same columns.
//!
//! The columns depend on every response (one per `meta` key any of them has), so they are made
//! first, from the keys alone; then each response becomes a row on its own. That lets the server
//! write an export of any size a row at a time, in two passes over its stored responses, with
//! memory that does not grow with their number.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::model::{Answer, QuestionKind, Response, Survey};

/// One exported cell. Text borrows from the response it was read from where it can, so a row
/// costs no copy of the answers it holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    Empty,
    Text(Cow<'a, str>),
    Number(f64),
}

/// The columns of an export: id, times, locale, every `meta` key (sorted), then one column per
/// question (per row for a matrix, named `question.row`; multiple choices joined with `;`; a
/// contact question's `question.agreed`, `true` or `false`, `question.method` and
/// `question.value`). This is the layout `manyi score` reads back.
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    meta_keys: Vec<String>,
    questions: Vec<QuestionColumn>,
}

/// A question's column, or a matrix row's, or a part of a contact answer's.
#[derive(Debug, Clone, PartialEq)]
struct QuestionColumn {
    name: String,
    question: String,
    part: Part,
}

/// What of an answer a column holds.
#[derive(Debug, Clone, PartialEq)]
enum Part {
    Whole,
    Row(String),
    Contact(ContactPart),
}

/// The parts of a contact answer, each a column of the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactPart {
    Agreed,
    Method,
    Value,
}

impl ContactPart {
    pub const ALL: [ContactPart; 3] =
        [ContactPart::Agreed, ContactPart::Method, ContactPart::Value];

    /// The part's name, after the question's id and a dot in the column's name.
    pub fn name(self) -> &'static str {
        match self {
            ContactPart::Agreed => "agreed",
            ContactPart::Method => "method",
            ContactPart::Value => "value",
        }
    }

    /// The part named `name` as [`ContactPart::name`] writes it.
    pub fn from_name(name: &str) -> Option<ContactPart> {
        ContactPart::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// The columns that come before the `meta` ones.
const FIXED: [&str; 4] = ["id", "submitted_at", "started_at", "locale"];

impl Columns {
    /// The columns of an export of `survey`'s responses whose `meta` keys are `meta_keys` (all
    /// the keys of all the responses to be exported: a response with a key that is not among
    /// them loses that value).
    pub fn new(survey: &Survey, meta_keys: BTreeSet<String>) -> Columns {
        let mut questions = Vec::new();
        for q in survey.questions() {
            if q.kind == QuestionKind::Contact {
                for part in ContactPart::ALL {
                    questions.push(QuestionColumn {
                        name: format!("{}.{}", q.id, part.name()),
                        question: q.id.clone(),
                        part: Part::Contact(part),
                    });
                }
            } else if q.rows.is_empty() {
                questions.push(QuestionColumn {
                    name: q.id.clone(),
                    question: q.id.clone(),
                    part: Part::Whole,
                });
            } else {
                for row in &q.rows {
                    questions.push(QuestionColumn {
                        name: format!("{}.{}", q.id, row.id),
                        question: q.id.clone(),
                        part: Part::Row(row.id.clone()),
                    });
                }
            }
        }
        Columns {
            meta_keys: meta_keys.into_iter().collect(),
            questions,
        }
    }

    /// The columns of an export of `responses`, which are all in memory.
    pub fn of(survey: &Survey, responses: &[Response]) -> Columns {
        let keys = responses
            .iter()
            .flat_map(|r| r.meta.keys().cloned())
            .collect();
        Columns::new(survey, keys)
    }

    /// The columns' names, in order.
    pub fn header(&self) -> Vec<String> {
        let fixed = FIXED.into_iter().map(str::to_owned);
        let meta = self.meta_keys.iter().map(|k| format!("meta.{k}"));
        let questions = self.questions.iter().map(|c| c.name.clone());
        fixed.chain(meta).chain(questions).collect()
    }

    /// How many `meta` columns follow the four fixed ones.
    pub fn meta_columns(&self) -> usize {
        self.meta_keys.len()
    }

    /// A response as a row of these columns.
    pub fn row<'r>(&self, r: &'r Response) -> Vec<Cell<'r>> {
        let text = |s: Option<Cow<'r, str>>| s.map_or(Cell::Empty, Cell::Text);
        let mut record =
            Vec::with_capacity(FIXED.len() + self.meta_keys.len() + self.questions.len());
        record.extend([
            Cell::Text(Cow::Borrowed(&r.id)),
            text(r.submitted_at.map(|t| Cow::Owned(t.to_rfc3339()))),
            text(r.started_at.map(|t| Cow::Owned(t.to_rfc3339()))),
            text(r.locale.as_deref().map(Cow::Borrowed)),
        ]);
        record.extend(
            self.meta_keys
                .iter()
                .map(|k| text(r.meta.get(k).map(|v| Cow::Borrowed(v.as_str())))),
        );
        for column in &self.questions {
            record.push(match (r.answers.get(&column.question), &column.part) {
                (Some(Answer::Matrix(rows)), Part::Row(row)) => {
                    rows.get(row).map_or(Cell::Empty, |x| Cell::Number(*x))
                }
                (Some(Answer::Contact(contact)), Part::Contact(part)) => match part {
                    ContactPart::Agreed => {
                        Cell::Text(Cow::Borrowed(if contact.agreed { "true" } else { "false" }))
                    }
                    ContactPart::Method => text(contact.method.map(|m| Cow::Borrowed(m.as_str()))),
                    ContactPart::Value => text(contact.value.as_deref().map(Cow::Borrowed)),
                },
                (Some(Answer::Number(x)), Part::Whole) => Cell::Number(*x),
                (Some(Answer::Text(t)), Part::Whole) => Cell::Text(Cow::Borrowed(t)),
                (Some(Answer::Choices(list)), Part::Whole) => {
                    Cell::Text(Cow::Owned(list.join(";")))
                }
                _ => Cell::Empty,
            });
        }
        record
    }
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
/// [`csv_row`] adds to neutralise a formula is taken off again. Readers of the export (`manyi
/// score`) read every text cell through this, so it is offered to the compiler for inlining.
#[inline]
pub fn csv_text(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_quote_prefix(rest) => rest,
        _ => cell,
    }
}

/// Appends one text field: with a leading `'` when a spreadsheet would run it as a formula, and
/// quoted when it holds a comma, a quote or a line break.
fn push_text(out: &mut String, text: &str) {
    let quoted = text.contains([',', '"', '\n', '\r']);
    if quoted {
        out.push('"');
    }
    if needs_quote_prefix(text) {
        out.push('\'');
    }
    if quoted {
        // Only the quotes need doubling; the text is copied between them in runs.
        let mut parts = text.split('"');
        out.push_str(parts.next().unwrap_or_default());
        for part in parts {
            out.push_str("\"\"");
            out.push_str(part);
        }
        out.push('"');
    } else {
        out.push_str(text);
    }
}

/// Appends one CSV line of `fields` and its line end.
fn push_line(out: &mut String, fields: &[Cell]) {
    for (i, cell) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match cell {
            Cell::Empty => {}
            Cell::Text(t) => push_text(out, t),
            // Writing to a `String` cannot fail.
            Cell::Number(x) => {
                let _ = write!(out, "{x}");
            }
        }
    }
    out.push('\n');
}

/// The start of the CSV export: a UTF-8 byte-order mark, so Excel shows Chinese, and the header
/// line. Header names are `meta.` and a respondent's key, or ids from the definition: they are
/// neutralised like any text, so no cell of the file is a formula.
///
/// The CSV is RFC 4180: comma-separated, CRLF-free `\n` line ends as most tools write, fields
/// quoted when they hold a comma, a quote or a line break. Text that a spreadsheet would run as
/// a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`,
/// which [`csv_text`] removes; numbers are written as numbers, negative ones included.
pub fn csv_header(columns: &Columns, out: &mut String) {
    out.push('\u{feff}');
    let header: Vec<Cell> = columns
        .header()
        .into_iter()
        .map(|name| Cell::Text(Cow::Owned(name)))
        .collect();
    push_line(out, &header);
}

/// Appends one row of the CSV export (see [`csv_header`]).
pub fn csv_row(row: &[Cell], out: &mut String) {
    push_line(out, row);
}

/// The CSV export of `responses`, all in memory (the browser's local-only dashboard): the same
/// text as [`csv_header`] followed by [`csv_row`] for each response.
pub fn csv(survey: &Survey, responses: &[Response]) -> String {
    let columns = Columns::of(survey, responses);
    let mut out = String::new();
    csv_header(&columns, &mut out);
    for r in responses {
        csv_row(&columns.row(r), &mut out);
    }
    out
}
