//! The XLSX export: the export table as a workbook that Excel opens whatever the stored
//! responses hold. Excel has hard limits (32,767 characters in a cell, 16,384 columns,
//! 1,048,576 rows) that one anonymous response can exceed with a long `meta` value or many
//! `meta` keys; rather than fail, the workbook truncates such cells with a visible marker, leaves
//! out what does not fit and says so on a second sheet, "notes". The CSV and JSON exports, which
//! have no such limits, hold everything.

use std::collections::BTreeSet;

use manyi_core::export::{Cell, ExportTable};
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
}

impl Limits {
    /// Excel's own limits.
    pub const EXCEL: Limits = Limits {
        rows: 1_048_576,
        columns: 16_384,
        cell_units: 32_767,
    };
}

/// What ends a truncated cell, so nobody mistakes it for the whole text.
pub const TRUNCATION_MARKER: &str = "… [truncated]";

/// The number of `meta` columns of the export of `responses` (they follow the four fixed
/// columns, one per key any response has), so the workbook can tell them from the questions'.
pub fn meta_columns(responses: &[manyi_core::Response]) -> usize {
    responses
        .iter()
        .flat_map(|r| r.meta.keys())
        .collect::<BTreeSet<_>>()
        .len()
}

/// The table as an XLSX workbook within `limits`. `meta_columns` is how many columns after the
/// four fixed ones are `meta` columns: when the columns do not all fit, those are the ones left
/// out (from the last key on), so the answers are always there.
pub fn workbook(
    ExportTable { header, rows }: &ExportTable,
    meta_columns: usize,
    limits: Limits,
) -> Result<Vec<u8>, AppError> {
    let xlsx_error = |e: XlsxError| AppError::Internal(format!("xlsx: {e}"));
    let columns = kept_columns(header.len(), meta_columns, usize::from(limits.columns));
    let room = limits.rows.saturating_sub(1) as usize;
    let kept_rows = &rows[..rows.len().min(room)];
    let mut truncated = 0usize;
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("responses").map_err(xlsx_error)?;
    let mut write_text = |sheet: &mut Worksheet, r: u32, c: u16, text: &str| {
        let fitted = fit(text, limits.cell_units);
        if fitted.is_some() {
            truncated += 1;
        }
        // `write_string` stores text as text: a respondent's "=…" is never a formula.
        sheet
            .write_string(r, c, fitted.as_deref().unwrap_or(text))
            .map(|_| ())
    };
    for (c, &column) in columns.iter().enumerate() {
        write_text(sheet, 0, c as u16, &header[column]).map_err(xlsx_error)?;
    }
    for (r, row) in kept_rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, &column) in columns.iter().enumerate() {
            let c = c as u16;
            match row.get(column) {
                None | Some(Cell::Empty) => {}
                Some(Cell::Text(t)) => write_text(sheet, r, c, t).map_err(xlsx_error)?,
                Some(Cell::Number(x)) => {
                    sheet.write_number(r, c, *x).map_err(xlsx_error)?;
                }
            }
        }
    }
    let notes = notes(
        header,
        &columns,
        rows.len() - kept_rows.len(),
        truncated,
        limits,
    );
    if !notes.is_empty() {
        let sheet = workbook.add_worksheet();
        sheet.set_name("notes").map_err(xlsx_error)?;
        for (r, note) in notes.iter().enumerate() {
            sheet.write_string(r as u32, 0, note).map_err(xlsx_error)?;
        }
    }
    workbook.save_to_buffer().map_err(xlsx_error)
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
