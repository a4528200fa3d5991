//! The XLSX export: the export's rows as a workbook that Excel opens whatever the stored
//! responses hold. Excel has hard limits (32,767 characters in a cell, 16,384 columns,
//! 1,048,576 rows) that one anonymous response can exceed with a long `meta` value or many
//! `meta` keys; rather than fail, the workbook truncates such cells with a visible marker, leaves
//! out what does not fit and says so on a second sheet, "notes". The CSV and JSON exports, which
//! have no such limits, hold everything.
//!
//! The sheet is written a row at a time in rust_xlsxwriter's constant-memory mode: each row goes
//! to a temporary file (in `TMPDIR`) once the next one starts, and the cells' text is stored in
//! the cells (inline strings) rather than in a table of shared strings that would grow with the
//! rows. Memory stays flat whatever the number of rows; the temporary file holds the sheet's XML.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::io::Write;

use manyi_core::export::Cell;
use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

use crate::error::AppError;

/// How much of a table a workbook can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Rows of a sheet, the header's included.
    pub rows: u32,
    /// Columns of a sheet.
    pub columns: u16,
    /// Characters of a cell, counted in UTF-16 code units as Excel counts them.
    pub cell_units: usize,
    /// The largest sheet (its XML, uncompressed) a plain zip archive holds; a sheet that may be
    /// larger is written with the ZIP64 extensions, which Excel reads, rather than fail.
    pub zip_bytes: u64,
}

impl Limits {
    /// Excel's own limits, and the zip format's 4 GiB without ZIP64.
    pub const EXCEL: Limits = Limits {
        rows: 1_048_576,
        columns: 16_384,
        cell_units: 32_767,
        zip_bytes: u32::MAX as u64,
    };
}

/// What ends a truncated cell, so nobody mistakes it for the whole text.
pub const TRUNCATION_MARKER: &str = "… [truncated]";

/// An upper bound of the XML of a cell beside its text (`<c r="XFD1048576" t="inlineStr"><is><t
/// xml:space="preserve">`, its end, a number's digits), and of a row's own tags.
const CELL_XML: u64 = 96;
/// Each byte of text takes at most this many bytes of XML: a control character is written as
/// `_xHHHH_`.
const TEXT_XML_PER_BYTE: u64 = 7;
/// An upper bound of the sheet's XML around its rows (the dimension, the views, the columns).
const SHEET_XML: u64 = 64 * 1024;

/// A workbook being written, one row at a time, within `limits`.
pub struct Sheet {
    workbook: Workbook,
    header: Vec<String>,
    /// The indices of the rows' cells that are written, in order.
    columns: Vec<usize>,
    limits: Limits,
    /// Rows written so far, the header's included.
    rows: u32,
    rows_left_out: usize,
    truncated: usize,
    /// An upper bound of the sheet's XML so far.
    xml_bytes: u64,
}

impl std::fmt::Debug for Sheet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sheet")
            .field("rows", &self.rows)
            .field("rows_left_out", &self.rows_left_out)
            .finish_non_exhaustive()
    }
}

fn xlsx_error(e: XlsxError) -> AppError {
    AppError::Internal(format!("xlsx: {e}"))
}

impl Sheet {
    /// A workbook whose sheet "responses" starts with `header`. `meta_columns` is how many
    /// columns after the four fixed ones are `meta` columns: when the columns do not all fit,
    /// those are the ones left out (from the last key on), so the answers are always there.
    pub fn new(
        header: Vec<String>,
        meta_columns: usize,
        limits: Limits,
    ) -> Result<Sheet, AppError> {
        let columns = kept_columns(header.len(), meta_columns, usize::from(limits.columns));
        let mut workbook = Workbook::new();
        workbook
            .add_worksheet_with_constant_memory()
            .and_then(|sheet| sheet.set_name("responses"))
            .map_err(xlsx_error)?;
        let mut sheet = Sheet {
            workbook,
            header: Vec::new(),
            columns,
            limits,
            rows: 0,
            rows_left_out: 0,
            truncated: 0,
            xml_bytes: SHEET_XML,
        };
        let names: Vec<Cell> = header
            .iter()
            .map(|name| Cell::Text(Cow::Borrowed(name)))
            .collect();
        sheet.write(&names)?;
        sheet.header = header;
        Ok(sheet)
    }

    /// Adds a row after the last; beyond the sheet's last row it is only counted, for the notes.
    pub fn push(&mut self, row: &[Cell]) -> Result<(), AppError> {
        if self.rows >= self.limits.rows {
            self.rows_left_out += 1;
            return Ok(());
        }
        self.write(row)
    }

    /// Writes `row` as the next row of the sheet.
    fn write(&mut self, row: &[Cell]) -> Result<(), AppError> {
        let r = self.rows;
        let sheet: &mut Worksheet = self.workbook.worksheet_from_index(0).map_err(xlsx_error)?;
        self.xml_bytes += CELL_XML;
        for (c, &column) in self.columns.iter().enumerate() {
            let c = c as u16;
            match row.get(column) {
                None | Some(Cell::Empty) => {}
                Some(Cell::Text(text)) => {
                    let fitted = fit(text, self.limits.cell_units);
                    if fitted.is_some() {
                        self.truncated += 1;
                    }
                    let text = fitted.as_deref().unwrap_or(text);
                    self.xml_bytes += CELL_XML + TEXT_XML_PER_BYTE * text.len() as u64;
                    // `write_string` stores text as text: a respondent's "=…" is never a
                    // formula.
                    sheet.write_string(r, c, text).map_err(xlsx_error)?;
                }
                Some(Cell::Number(x)) => {
                    self.xml_bytes += CELL_XML;
                    sheet.write_number(r, c, *x).map_err(xlsx_error)?;
                }
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// Adds the notes sheet when something was left out or shortened, and writes the workbook
    /// to `out` (which need not seek: the zip archive is written front to back).
    pub fn finish(mut self, out: impl Write + Send) -> Result<(), AppError> {
        let notes = notes(
            &self.header,
            &self.columns,
            self.rows_left_out,
            self.truncated,
            self.limits,
        );
        if !notes.is_empty() {
            let sheet = self.workbook.add_worksheet();
            sheet.set_name("notes").map_err(xlsx_error)?;
            for (r, note) in notes.iter().enumerate() {
                sheet.write_string(r as u32, 0, note).map_err(xlsx_error)?;
            }
        }
        self.workbook
            .use_zip_large_file(self.xml_bytes > self.limits.zip_bytes)
            .save_to_writer(out)
            .map_err(xlsx_error)
    }
}

/// `None` when `text` fits in `units` UTF-16 code units; otherwise its longest prefix (whole
/// characters) that fits with [`TRUNCATION_MARKER`] after it, followed by the marker.
fn fit(text: &str, units: usize) -> Option<String> {
    if text.encode_utf16().count() <= units {
        return None;
    }
    let budget = units.saturating_sub(TRUNCATION_MARKER.encode_utf16().count());
    let mut used = 0;
    let end = text
        .char_indices()
        .find(|(_, ch)| {
            used += ch.len_utf16();
            used > budget
        })
        .map_or(text.len(), |(i, _)| i);
    Some(format!("{}{TRUNCATION_MARKER}", &text[..end]))
}

/// The indices of the columns that fit in `room`: the four fixed ones, the questions', then as
/// many `meta` columns as are left room for, in the table's order.
fn kept_columns(total: usize, meta: usize, room: usize) -> Vec<usize> {
    let fixed = total.min(4);
    let meta = meta.min(total - fixed);
    let questions = total - fixed - meta;
    let kept_fixed = fixed.min(room);
    let kept_questions = questions.min(room - kept_fixed);
    let kept_meta = meta.min(room - kept_fixed - kept_questions);
    (0..kept_fixed)
        .chain(fixed..fixed + kept_meta)
        .chain(fixed + meta..fixed + meta + kept_questions)
        .collect()
}

/// The notes sheet's lines: what the workbook leaves out or shortens; empty when nothing.
fn notes(
    header: &[String],
    kept: &[usize],
    rows_left_out: usize,
    truncated: usize,
    limits: Limits,
) -> Vec<String> {
    let mut notes = Vec::new();
    let columns_left_out = header.len() - kept.len();
    if columns_left_out > 0 {
        let kept: BTreeSet<usize> = kept.iter().copied().collect();
        let names: Vec<&str> = (0..header.len())
            .filter(|c| !kept.contains(c))
            .map(|c| header[c].as_str())
            .collect();
        notes.push(format!(
            "{columns_left_out} columns are left out: a sheet holds at most {} columns. The \
             first left out is {:?}, the last {:?}. The CSV and JSON exports hold them all.",
            limits.columns,
            shorten(names[0]),
            shorten(names[names.len() - 1]),
        ));
    }
    if rows_left_out > 0 {
        notes.push(format!(
            "{rows_left_out} responses (the latest submitted) are left out: a sheet holds at \
             most {} rows. The CSV and JSON exports hold them all.",
            limits.rows
        ));
    }
    if truncated > 0 {
        notes.push(format!(
            "{truncated} cells are truncated to {} characters and end with \"{TRUNCATION_MARKER}\". \
             The CSV and JSON exports hold the whole texts.",
            limits.cell_units
        ));
    }
    notes
}

/// A column name short enough to quote in a note.
fn shorten(name: &str) -> String {
    fit(name, 200).unwrap_or_else(|| name.to_owned())
}
