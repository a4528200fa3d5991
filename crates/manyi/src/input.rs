//! Reading definitions and responses from files: the CLI's only IO besides stdout and stderr.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, FixedOffset};
use manyi_core::Report;
use manyi_core::aggregate::ReportBuilder;
use manyi_core::export::ContactPart;
use manyi_core::model::{Answer, Contact, ContactMethod, QuestionKind, Response, Survey};
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
    if is_csv {
        // A CSV file is read in parts straight from the file, never whole into memory.
        return read_csv_file(path, plan, options);
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    read_json(&bytes, plan, options)
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
    ContactPart { index: usize, part: ContactPart },
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
        if kind == QuestionKind::Contact {
            return Err(format!(
                "column {header:?} is a contact question; give its parts as {header}.agreed, \
                 {header}.method and {header}.value"
            ));
        }
        return Ok(Column::Question { index, kind });
    }
    if let Some((qid, part)) = header.split_once('.')
        && let Some(&index) = plan.question_index.get(qid)
        && plan.questions[index].kind == QuestionKind::Contact
        && let Some(part) = ContactPart::from_name(part)
    {
        return Ok(Column::ContactPart { index, part });
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

// Called for nearly every cell; left to itself, the compiler keeps it (and `is_blank`) out of
// line since the record reader became generic, which cost more than the reader saved.
#[inline(always)]
fn parse_number(column: &str, cell: &str) -> Result<f64, String> {
    // Most cells are a few plain digits (a point of a scale). Up to 15 digits the integer is
    // exact in an `f64`, and `str::parse` reads it as exactly that value, so it is read here
    // directly; anything else (spaces, a sign, a fraction, an exponent) goes to `str::parse`.
    let digits = cell.as_bytes();
    if (1..=15).contains(&digits.len()) && digits.iter().all(u8::is_ascii_digit) {
        let value = digits
            .iter()
            .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'));
        return Ok(value as f64);
    }
    cell.trim()
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| format!("{column}: {cell:?} is not a number"))
}

/// Whether a cell is blank, as `cell.trim().is_empty()` tells, without trimming the usual
/// cell: one that starts with an ASCII character other than white space is not blank.
#[inline(always)]
fn is_blank(cell: &str) -> bool {
    match cell.as_bytes().first() {
        None => true,
        Some(&b) if b.is_ascii() && !b.is_ascii_whitespace() && b != 0x0B => false,
        Some(_) => cell.trim().is_empty(),
    }
}

fn parse_time(column: &str, cell: &str) -> Result<DateTime<FixedOffset>, String> {
    let text = cell.trim();
    if let Some(time) = parse_plain_rfc3339(text) {
        return Ok(time);
    }
    DateTime::parse_from_rfc3339(text)
        .map_err(|e| format!("{column}: {cell:?} is not an RFC 3339 time with offset ({e})"))
}

/// The commonest form of RFC 3339, `YYYY-MM-DDTHH:MM:SS` with `Z` or `±HH:MM` and no fraction,
/// read as `DateTime::parse_from_rfc3339` reads it, with the same checks of each field: a
/// timestamp per row made chrono's general path (which first works out which form it has) a
/// noticeable share of reading a file. `None` for anything else, which chrono then reads (or
/// explains); that includes a leap second, which chrono reads in its own way.
fn parse_plain_rfc3339(text: &str) -> Option<DateTime<FixedOffset>> {
    let b = text.as_bytes();
    if b.len() != 20 && b.len() != 25 {
        return None;
    }
    let number = |range: std::ops::Range<usize>| {
        b[range].iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let separators = b[4] == b'-'
        && b[7] == b'-'
        && matches!(b[10], b'T' | b't' | b' ')
        && b[13] == b':'
        && b[16] == b':';
    if !separators {
        return None;
    }
    let offset = match (b.len(), b[19]) {
        (20, b'Z' | b'z') => 0,
        (25, sign @ (b'+' | b'-')) if b[22] == b':' => {
            let (hours, minutes) = (number(20..22)?, number(23..25)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = (hours * 3600 + minutes * 60) as i32;
            if sign == b'-' { -seconds } else { seconds }
        }
        _ => return None,
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if second > 59 {
        return None;
    }
    let local = chrono::NaiveDate::from_ymd_opt(year as i32, month, day)?
        .and_hms_opt(hour, minute, second)?;
    use chrono::TimeZone;
    FixedOffset::east_opt(offset)?
        .from_local_datetime(&local)
        .single()
}

/// Reads a CSV export: one row per response, a header of question ids (matrix rows as
/// `qid.row`, multiple choices separated by `;`) and optional `id`, `submitted_at`,
/// `started_at`, `locale` and `meta.KEY` columns. An empty cell is unanswered. A leading UTF-8
/// byte-order mark (as Excel writes) is ignored, and so is the `'` the export puts before a
/// cell that would otherwise start a formula.
///
/// The file is cut into parts at record boundaries (a few per core) and the cores read and
/// score the parts, each into statistics of its own; the parts' statistics then merge, in file
/// order, into the report. Rows go straight into the statistics through one reused
/// [`AnswerRow`] per part, without building a `Response` per row: this is what keeps a
/// million-row file fast.
pub fn read_csv<'p>(
    bytes: &[u8],
    plan: &'p Plan<'p>,
    options: &ReportOptions,
) -> Result<Loaded<'p>> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let boundaries = record_boundaries(bytes, part_count());
    let header = &bytes[..boundaries[0].offset];
    let open = |start: usize, end: usize| Ok(&bytes[start..end]);
    read_parts(header, &boundaries, plan, options, open, true).map_err(PartsError::into_anyhow)
}

/// [`read_csv`] on a file, read in its parts by the cores that score them: the file is never
/// held whole in memory (for a file of 100 MB, allocating and filling that memory alone cost
/// more than a tenth of a second before any row was read).
pub fn read_csv_file<'p>(
    path: &Path,
    plan: &'p Plan<'p>,
    options: &ReportOptions,
) -> Result<Loaded<'p>> {
    let cannot_read = || format!("cannot read {}", path.display());
    let file = std::fs::File::open(path).with_context(cannot_read)?;
    let (text, boundaries, header) = (|| {
        let mut start = [0u8; BOM.len()];
        let got = read_fully_at(&file, &mut start, 0)?;
        let base = if start[..got] == *BOM { BOM.len() } else { 0 };
        let len = usize::try_from(file.metadata()?.len()).map_err(std::io::Error::other)?;
        let text = FileText {
            file: &file,
            base: base as u64,
            len: len.saturating_sub(base),
        };
        let boundaries = text.record_boundaries(part_count())?;
        let mut header = vec![0u8; boundaries[0].offset];
        text.read_exactly(&mut header, 0)?;
        std::io::Result::Ok((text, boundaries, header))
    })()
    .with_context(cannot_read)?;
    let open = |start: usize, end: usize| Ok(text.range(start, end));
    read_parts(&header, &boundaries, plan, options, open, true).map_err(|e| match e {
        PartsError::Io(e) => anyhow::Error::new(e).context(cannot_read()),
        PartsError::Other(e) => e,
    })
}

/// Why [`read_parts`] failed: the file could not be read, or (for any other reason) the text
/// cannot be used.
enum PartsError {
    Io(std::io::Error),
    Other(anyhow::Error),
}

impl PartsError {
    /// The error as it is, for text in memory (which cannot fail to be read).
    fn into_anyhow(self) -> anyhow::Error {
        match self {
            PartsError::Io(e) => e.into(),
            PartsError::Other(e) => e,
        }
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How many bytes a part's CSV reader buffers, so it asks the file for that much at a time.
const READ_BUFFER: usize = 256 * 1024;

/// How many parts a CSV file is cut into: a few per core, which the cores take in turn, so a
/// core that another program slows down leaves the others more parts rather than making them
/// wait for its one.
fn part_count() -> usize {
    4 * threads()
}

fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Reads the header, then the parts between `boundaries` (records only) on every core; `open`
/// gives the bytes between two offsets. `plain_lines` lets plain lines be read without the CSV
/// reader (see [`read_csv_part`]); tests turn it off to compare.
fn read_parts<'p, R: std::io::Read>(
    header: &[u8],
    boundaries: &[Boundary],
    plan: &'p Plan<'p>,
    options: &ReportOptions,
    open: impl Fn(usize, usize) -> std::io::Result<R> + Sync,
    plain_lines: bool,
) -> Result<Loaded<'p>, PartsError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(header);
    let headers = reader
        .headers()
        .context("cannot read the CSV header")
        .map_err(PartsError::Other)?
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
        return Err(PartsError::Other(anyhow::anyhow!(
            "the CSV header does not fit the survey:\n  {}",
            header_errors.join("\n  ")
        )));
    }
    let validator = Validator::new(plan.survey);
    let parts = boundaries.len() - 1;
    // The next part a core takes.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let read_part = |i: usize| -> std::io::Result<Loaded<'p>> {
        let (start, end) = (boundaries[i], boundaries[i + 1]);
        let open = || open(start.offset, end.offset);
        read_csv_part(
            open,
            start.line,
            &columns,
            plan,
            &validator,
            options,
            plain_lines,
        )
    };
    let mut done: Vec<(usize, std::io::Result<Loaded<'p>>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads().min(parts))
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if i >= parts {
                            break done;
                        }
                        done.push((i, read_part(i)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().expect("a CSV worker does not panic"))
            .collect()
    });
    // Whichever core read a part, the parts merge in file order.
    done.sort_by_key(|(i, _)| *i);
    let mut loaded = Loaded::new(plan, options);
    for (_, part) in done {
        loaded.merge(part.map_err(PartsError::Io)?);
    }
    Ok(loaded)
}

/// Reads from `offset` without moving the file's cursor, so several threads read one file.
fn read_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    #[cfg(unix)]
    return std::os::unix::fs::FileExt::read_at(file, buf, offset);
    #[cfg(windows)]
    return std::os::windows::fs::FileExt::seek_read(file, buf, offset);
}

/// Reads into `buf` from `offset` until it is full or the file ends; returns how much it read.
fn read_fully_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match read_at(file, &mut buf[filled..], offset + filled as u64) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// A file's text after its byte-order mark: `len` bytes from `base`. Offsets are the text's.
#[derive(Clone, Copy)]
struct FileText<'f> {
    file: &'f std::fs::File,
    base: u64,
    len: usize,
}

impl<'f> FileText<'f> {
    /// Fills `buf` from `offset`; the file must not end before.
    fn read_exactly(&self, buf: &mut [u8], offset: usize) -> std::io::Result<()> {
        let got = read_fully_at(self.file, buf, self.base + offset as u64)?;
        if got < buf.len() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the file became shorter while it was read",
            ));
        }
        Ok(())
    }

    /// The bytes from `start` to `end`, as a reader.
    fn range(&self, start: usize, end: usize) -> FileRange<'f> {
        FileRange {
            text: *self,
            at: start,
            end,
        }
    }

    /// [`record_boundaries`] of the text, without holding it: the cores count the quotes and
    /// line breaks of one stretch each (so the state at the start of every stretch is known),
    /// then only the bytes from each part's share of the file to the next record start are
    /// read again, one by one.
    fn record_boundaries(&self, parts: usize) -> std::io::Result<Vec<Boundary>> {
        let parts = parts.max(1);
        let len = self.len;
        // The stretches start where `record_boundaries` starts looking for each boundary.
        let target = |k: usize| if k == 0 { 0 } else { len / parts * k };
        let cuts: Vec<usize> = (0..parts)
            .map(|k| target(k).saturating_sub(1))
            .chain([len])
            .collect();
        let counts: Vec<std::io::Result<(u64, u64)>> = std::thread::scope(|scope| {
            let workers: Vec<_> = cuts
                .windows(2)
                .map(|pair| {
                    let (start, end) = (pair[0], pair[1]);
                    scope.spawn(move || {
                        let mut reader = self.range(start, end);
                        let mut buf = vec![0u8; READ_BUFFER];
                        let (mut quotes, mut breaks) = (0u64, 0u64);
                        loop {
                            let n = std::io::Read::read(&mut reader, &mut buf)?;
                            if n == 0 {
                                break Ok((quotes, breaks));
                            }
                            let (q, b) = count_quotes_and_breaks(&buf[..n]);
                            quotes += q;
                            breaks += b;
                        }
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|worker| worker.join().expect("a counting worker does not panic"))
                .collect()
        });
        // Before each cut: (quotes, line breaks) from the start of the text.
        let mut before = Vec::with_capacity(cuts.len());
        let (mut quotes, mut breaks) = (0u64, 0u64);
        before.push((0, 0));
        for count in counts {
            let (q, b) = count?;
            quotes += q;
            breaks += b;
            before.push((quotes, breaks));
        }
        let mut out = Vec::with_capacity(parts + 1);
        // The state after `..at`: inside a quoted field or not, and the line `at` is on.
        let (mut at, mut quoted, mut line) = (0usize, false, 1u64);
        let mut window = vec![0u8; 64 * 1024];
        while out.len() < parts && at < len {
            let k = out.len();
            if cuts[k] > at {
                at = cuts[k];
                quoted = before[k].0 % 2 == 1;
                line = 1 + before[k].1;
            }
            // Byte by byte to the next line break outside quotes.
            let mut found = false;
            while at < len && !found {
                let n = window.len().min(len - at);
                self.read_exactly(&mut window[..n], at)?;
                for &byte in &window[..n] {
                    let i = at;
                    at += 1;
                    match byte {
                        b'"' => quoted = !quoted,
                        b'\n' if quoted => line += 1,
                        b'\n' => {
                            line += 1;
                            if i + 1 < len {
                                out.push(Boundary {
                                    offset: i + 1,
                                    line,
                                });
                            }
                            found = true;
                            break;
                        }
                        _ => {}
                    }
                }
            }
        }
        let (quotes, breaks) = before[parts];
        if quotes % 2 == 1 {
            // An unbalanced quote: read as one part (see `record_boundaries`).
            out.truncate(1);
        }
        let end = Boundary {
            offset: len,
            line: 1 + breaks,
        };
        if out.is_empty() {
            out.push(end);
        }
        out.push(end);
        Ok(out)
    }
}

/// The bytes of a [`FileText`] between two offsets, read as they are asked for.
struct FileRange<'f> {
    text: FileText<'f>,
    at: usize,
    end: usize,
}

impl std::io::Read for FileRange<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.end - self.at);
        if n == 0 {
            return Ok(0);
        }
        let got = read_at(
            self.text.file,
            &mut buf[..n],
            self.text.base + self.at as u64,
        )?;
        if got == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the file became shorter while it was read",
            ));
        }
        self.at += got;
        Ok(got)
    }
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
///
/// The pass runs before any part can start, so it counts quotes and line breaks a stretch at
/// a time (a loop the compiler vectorises) and looks at bytes one by one only from each part's
/// share of the file to the next record start.
fn record_boundaries(bytes: &[u8], parts: usize) -> Vec<Boundary> {
    let parts = parts.max(1);
    let mut out = Vec::with_capacity(parts + 1);
    // The state after `bytes[..at]`: inside a quoted field or not, and the line `at` is on.
    let (mut at, mut quoted, mut line) = (0usize, false, 1u64);
    let mut next_target = 0usize;
    while out.len() < parts && at < bytes.len() {
        // A record start at `i + 1` counts once `i + 1 >= next_target`: the bytes before
        // `next_target − 1` hold none, so they are only counted.
        let skip_to = next_target.saturating_sub(1).clamp(at, bytes.len());
        let (quotes, breaks) = count_quotes_and_breaks(&bytes[at..skip_to]);
        quoted ^= quotes % 2 == 1;
        line += breaks;
        at = skip_to;
        // Then byte by byte to the next line break outside quotes.
        let mut found = false;
        while at < bytes.len() && !found {
            let i = at;
            at += 1;
            match bytes[i] {
                b'"' => quoted = !quoted,
                // Lines are counted as the CSV reader counts them, quoted line breaks included.
                b'\n' if quoted => line += 1,
                b'\n' => {
                    line += 1;
                    // The first boundary is the header's end; the others are the first record
                    // starts at or after each part's share of the file.
                    if i + 1 < bytes.len() {
                        out.push(Boundary {
                            offset: i + 1,
                            line,
                        });
                        next_target = bytes.len() / parts * out.len();
                    }
                    found = true;
                }
                _ => {}
            }
        }
    }
    let (quotes, breaks) = count_quotes_and_breaks(&bytes[at..]);
    quoted ^= quotes % 2 == 1;
    line += breaks;
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

/// The number of `"` and of `\n` in `bytes`.
fn count_quotes_and_breaks(bytes: &[u8]) -> (u64, u64) {
    let (mut quotes, mut breaks) = (0u64, 0u64);
    // Counted in blocks small enough for byte-wide counters, which the compiler keeps in
    // vector registers.
    for block in bytes.chunks(255) {
        let (mut q, mut b) = (0u8, 0u8);
        for &byte in block {
            q += u8::from(byte == b'"');
            b += u8::from(byte == b'\n');
        }
        quotes += u64::from(q);
        breaks += u64::from(b);
    }
    (quotes, breaks)
}

/// Reads and scores one part of a CSV file: records only, starting at line `first_line`. Only
/// an error reading the file is an error; a bad record is a [`BadRow`]. `open` gives the
/// part's bytes, as often as asked.
///
/// Lines that are plainly records (no quote, no carriage return, not empty, valid UTF-8, as
/// many commas as the header) are cut at their commas here, which is what the CSV reader
/// would do with them, at a fraction of its cost. At the first line that is anything else,
/// the part is read again by the CSV reader from its start: the records already scored are
/// read and passed over, so the reader is in exactly the state it would have been in, and it
/// reads the rest as it always did.
fn read_csv_part<'p, R: std::io::Read>(
    open: impl Fn() -> std::io::Result<R>,
    first_line: u64,
    columns: &[Column],
    plan: &'p Plan<'p>,
    validator: &Validator<'_>,
    options: &ReportOptions,
    plain_lines: bool,
) -> std::io::Result<Loaded<'p>> {
    let mut part = Part {
        columns,
        plan,
        validator,
        loaded: Loaded::new(plan, options),
        row: AnswerRow::new(plan),
        meta: Vec::new(),
        first_line,
    };
    let scored = if plain_lines {
        part.read_plain_lines(open()?)?
    } else {
        Some(0)
    };
    if let Some(scored) = scored {
        part.read_with_csv(open()?, scored)?;
    }
    Ok(part.loaded)
}

/// What reading one part keeps from record to record.
struct Part<'c, 'p, 'v> {
    columns: &'c [Column],
    plan: &'p Plan<'p>,
    validator: &'v Validator<'v>,
    loaded: Loaded<'p>,
    row: AnswerRow<'p>,
    meta: Vec<(&'c str, usize)>,
    first_line: u64,
}

impl Part<'_, '_, '_> {
    /// The line of the file that is line `line` of the part.
    fn at_line(&self, line: u64) -> u64 {
        line + self.first_line - 1
    }

    /// Scores one record of as many fields as the header, found at `line` of the part.
    fn score(&mut self, record: &impl Record, line: u64) {
        self.row.clear();
        self.meta.clear();
        let read = read_row(
            record,
            self.columns,
            self.plan,
            self.validator,
            &mut self.row,
            &mut self.meta,
        );
        match read {
            Ok(submitted_at) => {
                self.loaded.report.push(
                    &self.row,
                    submitted_at,
                    &mut self.meta.iter().map(|&(key, field)| {
                        (key, manyi_core::export::csv_text(record.field(field)))
                    }),
                );
                self.loaded.scored += 1;
            }
            Err(reason) => {
                let location = format!("line {}", self.at_line(line));
                self.loaded.bad.push(BadRow { location, reason });
            }
        }
    }

    /// Scores the part's lines while they are plainly records; returns `None` when that was
    /// all of them, or how many records it scored before a line that is not plainly one.
    fn read_plain_lines(&mut self, mut bytes: impl std::io::Read) -> std::io::Result<Option<u64>> {
        let width = self.columns.len();
        let mut buf = vec![0u8; READ_BUFFER];
        // The unread bytes are `buf[at..filled]`; `ended` once the part has no more.
        let (mut at, mut filled, mut ended) = (0usize, 0usize, false);
        let mut commas: Vec<usize> = Vec::with_capacity(width);
        let mut records = 0u64;
        loop {
            commas.clear();
            let mut line_break = None;
            for (i, &byte) in buf[at..filled].iter().enumerate() {
                match byte {
                    b',' => commas.push(i),
                    b'\n' => {
                        line_break = Some(at + i);
                        break;
                    }
                    b'"' | b'\r' => return Ok(Some(records)),
                    _ => {}
                }
            }
            let end = match line_break {
                Some(end) => end,
                // The part's end ends a last line without a line break, as it ends a record
                // for the CSV reader.
                None if ended && at < filled => filled,
                None if ended => return Ok(None),
                // A line longer than the buffer.
                None if at == 0 && filled == buf.len() => return Ok(Some(records)),
                None => {
                    buf.copy_within(at..filled, 0);
                    filled -= at;
                    at = 0;
                    let n = loop {
                        match bytes.read(&mut buf[filled..]) {
                            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                            result => break result?,
                        }
                    };
                    filled += n;
                    ended = n == 0;
                    continue;
                }
            };
            if end == at || commas.len() + 1 != width {
                // An empty line (which the CSV reader passes over) or a wrong number of fields.
                return Ok(Some(records));
            }
            let Ok(text) = std::str::from_utf8(&buf[at..end]) else {
                return Ok(Some(records));
            };
            records += 1;
            // Every record before this one took one line.
            let line = PlainLine {
                text,
                commas: &commas,
            };
            self.score(&line, records);
            at = (end + 1).min(filled);
        }
    }

    /// Scores the part with the CSV reader, after passing over the first `scored` records
    /// (which `read_plain_lines` scored).
    fn read_with_csv(&mut self, bytes: impl std::io::Read, scored: u64) -> std::io::Result<()> {
        let width = self.columns.len();
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .has_headers(false)
            .buffer_capacity(READ_BUFFER)
            .from_reader(bytes);
        let mut record = csv::StringRecord::new();
        let io_error = |e: csv::Error| match e.into_kind() {
            csv::ErrorKind::Io(e) => e,
            other => std::io::Error::other(format!("{other:?}")),
        };
        for _ in 0..scored {
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => {
                    return Err(std::io::Error::other("the file changed while it was read"));
                }
                Err(e) if e.is_io_error() => return Err(io_error(e)),
                Err(_) => return Err(std::io::Error::other("the file changed while it was read")),
            }
        }
        loop {
            let line = reader.position().line();
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) if record.len() != width => {
                    // Without the header, the reader cannot tell a short record; the count is
                    // the header's, as a reader with the header would insist.
                    self.loaded.bad.push(BadRow {
                        location: format!("line {}", self.at_line(line)),
                        reason: format!(
                            "found record with {} fields, but the previous record has {width} fields",
                            record.len()
                        ),
                    });
                    continue;
                }
                Ok(true) => {}
                // Reading again would fail again: the file, not a record, is at fault.
                Err(e) if e.is_io_error() => return Err(io_error(e)),
                Err(e) => {
                    let line = e.position().map_or(line, |p| p.line());
                    self.loaded.bad.push(BadRow {
                        location: format!("line {}", self.at_line(line)),
                        reason: e.to_string(),
                    });
                    // A structural CSV error (such as a wrong field count) affects only this
                    // row.
                    continue;
                }
            }
            let line = record.position().map_or(line, |p| p.line());
            self.score(&record, line);
        }
        Ok(())
    }
}

/// A record's fields, as [`read_row`] reads them.
trait Record {
    fn field(&self, i: usize) -> &str;
    fn fields(&self) -> impl Iterator<Item = &str>;
}

impl Record for csv::StringRecord {
    fn field(&self, i: usize) -> &str {
        &self[i]
    }

    fn fields(&self) -> impl Iterator<Item = &str> {
        self.iter()
    }
}

/// A line without quotes or carriage returns, whose fields are what lies between its commas
/// (at the offsets `commas`), exactly as the CSV reader reads such a line.
struct PlainLine<'a> {
    text: &'a str,
    commas: &'a [usize],
}

impl Record for PlainLine<'_> {
    fn field(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.commas[i - 1] + 1 };
        let end = self.commas.get(i).copied().unwrap_or(self.text.len());
        &self.text[start..end]
    }

    fn fields(&self) -> impl Iterator<Item = &str> {
        let mut start = 0;
        let ends = self.commas.iter().copied().chain([self.text.len()]);
        ends.map(move |end| {
            let field = &self.text[start..end];
            start = end + 1;
            field
        })
    }
}

/// Fills `row` and `meta` (each key with the number of the field holding its value, which the
/// caller reads through `csv_text`, so no value is copied) from one record and validates the
/// answers; returns the submission time, or every problem of the row.
fn read_row<'c>(
    record: &impl Record,
    columns: &'c [Column],
    plan: &Plan<'_>,
    validator: &Validator<'_>,
    row: &mut AnswerRow<'_>,
    meta: &mut Vec<(&'c str, usize)>,
) -> Result<Option<DateTime<FixedOffset>>, String> {
    let (mut started_at, mut submitted_at) = (None, None);
    let mut problems = Vec::new();
    for (field, (cell, column)) in record.fields().zip(columns).enumerate() {
        // The export neutralises cells a spreadsheet would run as formulas with a leading `'`;
        // the answer is the text without it.
        let cell = manyi_core::export::csv_text(cell);
        if is_blank(cell) {
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
                meta.push((key.as_str(), field));
                Ok(())
            }
            Column::Question { index, kind } => {
                let id = &plan.questions[*index].id;
                let answer = match kind {
                    // A number goes into the row as soon as it is read: passing it on as an
                    // `Answer` copies it through the stack in a way that stalls the processor.
                    QuestionKind::Nps | QuestionKind::Rating | QuestionKind::Likert => {
                        match parse_number(id, cell) {
                            Ok(x) => {
                                row.set_number(*index, x);
                                continue;
                            }
                            Err(e) => Err(e),
                        }
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
            Column::ContactPart { index, part } => {
                match row
                    .slot(*index)
                    .get_or_insert_with(|| Answer::Contact(Contact::declined()))
                {
                    Answer::Contact(contact) => {
                        read_contact_part(&plan.questions[*index].id, *part, cell, contact)
                    }
                    _ => Ok(()),
                }
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

/// Sets one part of a contact answer from its cell, as the export writes it (`true` or
/// `false`, a method's name, the value as it is). A blank `agreed` beside a method or a value
/// leaves the answer a refusal, which validation then refuses for carrying details.
fn read_contact_part(
    question: &str,
    part: ContactPart,
    cell: &str,
    contact: &mut Contact,
) -> Result<(), String> {
    let column = || format!("{question}.{}", part.name());
    match part {
        ContactPart::Agreed => {
            contact.agreed = match cell.trim() {
                "true" => true,
                "false" => false,
                other => return Err(format!("{}: {other:?} is neither true nor false", column())),
            }
        }
        ContactPart::Method => {
            let name = cell.trim();
            contact.method = Some(
                ContactMethod::from_name(name)
                    .ok_or_else(|| format!("{}: {name:?} is not phone or email", column()))?,
            );
        }
        ContactPart::Value => contact.value = Some(cell.to_owned()),
    }
    Ok(())
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
    fn plain_timestamps_read_as_chrono_reads_them() {
        let mut cases: Vec<String> = vec![
            "2026-03-01T10:00:00+08:00".into(),
            "2026-03-01t10:00:00z".into(),
            "2026-03-01 10:00:00Z".into(),
            "2024-02-29T23:59:59-00:00".into(),
            "2023-02-29T00:00:00Z".into(),
            "2026-12-31T24:00:00Z".into(),
            "2026-12-31T23:60:00Z".into(),
            "2026-12-31T23:59:60Z".into(),
            "2026-12-31T23:59:60+01:00".into(),
            "0000-01-01T00:00:00+23:59".into(),
            "9999-12-31T23:59:59-23:59".into(),
            "2026-01-01T00:00:00+24:00".into(),
            "2026-01-01T00:00:00+01:60".into(),
            "2026-01-01T00:00:00+0100".into(),
            "2026-01-01T00:00:00.5Z".into(),
            "2026-01-01T00:00:00.123+08:00".into(),
            "2026-1-01T00:00:00Z".into(),
            "2026-13-01T00:00:00Z".into(),
            "2026-00-10T00:00:00Z".into(),
            "2026-04-31T00:00:00Z".into(),
            "2026-01-01T00:00:00\u{2212}01:00".into(),
            "+2026-01-01T00:00:00Z".into(),
        ];
        // Every one-byte change of a few plain timestamps, over the bytes that matter.
        let seeds = ["2026-03-01T10:00:00+08:00", "2026-12-31T23:59:59Z"];
        let bytes = b"0123456789+-:TtZz .x";
        for seed in seeds {
            for i in 0..seed.len() {
                for &b in bytes {
                    let mut v = seed.as_bytes().to_vec();
                    v[i] = b;
                    cases.push(String::from_utf8(v).unwrap());
                }
            }
        }
        let mut plain = 0;
        for case in &cases {
            let chrono = DateTime::parse_from_rfc3339(case).ok();
            let fast = parse_plain_rfc3339(case);
            if let Some(fast) = fast {
                plain += 1;
                let chrono = chrono.unwrap_or_else(|| panic!("{case:?}: chrono refuses it"));
                assert_eq!(fast, chrono, "{case:?}");
                assert_eq!(fast.offset(), chrono.offset(), "{case:?}");
            }
            // What chrono reads, `parse_time` reads the same; what it refuses, it refuses.
            assert_eq!(parse_time("t", case).ok(), chrono, "{case:?}");
        }
        assert!(plain > 200, "{plain}");
    }

    /// `read_csv` with plain lines read by hand (`true`) or every record by the CSV reader.
    fn read_both_ways<'p>(
        bytes: &[u8],
        plan: &'p Plan<'p>,
        options: &ReportOptions,
        parts: usize,
    ) -> [Result<Loaded<'p>, String>; 2] {
        [true, false].map(|plain_lines| {
            let boundaries = record_boundaries(bytes, parts);
            let header = &bytes[..boundaries[0].offset];
            let open = |start: usize, end: usize| Ok(&bytes[start..end]);
            read_parts(header, &boundaries, plan, options, open, plain_lines)
                .map_err(|e| format!("{:#}", e.into_anyhow()))
        })
    }

    #[test]
    fn plain_lines_read_as_the_csv_reader_reads_them() {
        let survey = manyi_core::parse_survey(
            r#"{"id":"m","version":1,"title":"M","default_locale":"en",
            "dimensions":[{"id":"d","title":"D"}],
            "pages":[{"id":"p","questions":[
              {"id":"q1","kind":"likert","text":"Q","dimension":"d","scale":{"min":1,"max":7}},
              {"id":"q2","kind":"nps","text":"N"},
              {"id":"q3","kind":"single_choice","text":"S","options":[{"value":"a","label":"A"},{"value":"b","label":"B"}]},
              {"id":"q4","kind":"multi_choice","text":"P","options":[{"value":"a","label":"A"},{"value":"b","label":"B"}]},
              {"id":"q5","kind":"text","text":"T"}]}]}"#,
        )
        .unwrap();
        let plan = Plan::new(&survey);
        let options = ReportOptions {
            segment: Some("channel".into()),
            ..ReportOptions::default()
        };
        let mut state = 0x853C_49E6_748F_EA9Bu64;
        let mut next = move |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        // Cells, mostly plain, sometimes what only the CSV reader reads right.
        let cells: [&[&[u8]]; 8] = [
            &[b"", b"1", b"7", b"4", b"x", b" 3", b"3.0", b"9"],
            &[b"", b"0", b"10", b"6", b"11", b"-1"],
            &[b"", b"a", b"b", b"c", b" a"],
            &[b"", b"a", b"a;b", b"b;a;", b"a;a"],
            &[
                b"",
                b"fine",
                b"'=1+1",
                b"\"a, b\"",
                b"\"two\nlines\"",
                b"\"q\"\"q\"",
                b"\xFF",
            ],
            &[
                b"",
                b"2026-03-01T10:00:00+08:00",
                b"2026-03-01T10:00:00Z",
                b"2026-02-30T10:00:00Z",
                b"soon",
            ],
            &[b"", b"web", b"shop", b"\"web\""],
            &[b"r1", b"r2", b""],
        ];
        let mut texts = 0;
        for case in 0..300 {
            let mut text: Vec<u8> = b"q1,q2,q3,q4,q5,submitted_at,meta.channel,id\n".to_vec();
            let rows = next(if case % 10 == 0 { 3000 } else { 40 });
            // Most texts are plain but for a few rows; some are anything but.
            let oddity = [0, 2, 20, 200][case % 4];
            for _ in 0..rows {
                let odd = |next: &mut dyn FnMut(u64) -> u64| next(1000) < oddity;
                if odd(&mut next) {
                    match next(4) {
                        0 => text.push(b'\n'),
                        1 => text.extend_from_slice(b"1,2\n"),
                        2 => text.extend_from_slice(b"1,2,a,a,x,,web,r,extra\n"),
                        _ => text.extend_from_slice(b"1,2,a,a,x,,web,r\r\n"),
                    }
                    continue;
                }
                for (i, choices) in cells.iter().enumerate() {
                    if i > 0 {
                        text.push(b',');
                    }
                    // The first few cells of each column are plain.
                    let plain = if odd(&mut next) {
                        choices.len()
                    } else {
                        choices.len().min(4)
                    };
                    text.extend_from_slice(choices[next(plain as u64) as usize]);
                }
                text.push(b'\n');
            }
            if next(5) == 0 {
                // No line break at the end.
                text.pop();
            }
            texts += 1;
            for parts in [1, 3, 8] {
                let [plain, csv] = read_both_ways(&text, &plan, &options, parts);
                let context = || {
                    format!(
                        "case {case}, {parts} parts: {:?}",
                        String::from_utf8_lossy(&text)
                    )
                };
                match (plain, csv) {
                    (Ok(plain), Ok(csv)) => {
                        assert_eq!(plain.scored, csv.scored, "{}", context());
                        assert_eq!(plain.bad, csv.bad, "{}", context());
                        assert_eq!(
                            serde_json::to_value(plain.finish()).unwrap(),
                            serde_json::to_value(csv.finish()).unwrap(),
                            "{}",
                            context()
                        );
                    }
                    (plain, csv) => assert_eq!(
                        plain.map(|l| l.scored),
                        csv.map(|l| l.scored),
                        "{}",
                        context()
                    ),
                }
            }
        }
        assert_eq!(texts, 300);
    }

    #[test]
    fn a_line_longer_than_the_buffer_is_read_by_the_csv_reader() {
        let survey = manyi_core::templates::get("nps").unwrap().unwrap();
        let plan = Plan::new(&survey);
        let long = "x".repeat(READ_BUFFER + 10);
        let text = format!("nps,meta.note\n7,short\n8,{long}\n9,short\n10,\"q\"\n");
        let [plain, csv] = read_both_ways(text.as_bytes(), &plan, &ReportOptions::default(), 1);
        let (plain, csv) = (plain.unwrap(), csv.unwrap());
        assert_eq!((plain.scored, csv.scored), (4, 4));
        assert_eq!(
            serde_json::to_value(plain.finish()).unwrap(),
            serde_json::to_value(csv.finish()).unwrap()
        );
    }

    #[test]
    fn an_empty_line_is_no_record_even_with_one_column() {
        let survey = manyi_core::templates::get("nps").unwrap().unwrap();
        let plan = Plan::new(&survey);
        let text = "nps\n7\n\n8\n\n";
        let [plain, csv] = read_both_ways(text.as_bytes(), &plan, &ReportOptions::default(), 1);
        let (plain, csv) = (plain.unwrap(), csv.unwrap());
        assert_eq!((plain.scored, csv.scored), (2, 2));
        assert_eq!((plain.bad, csv.bad), (vec![], vec![]));
    }

    /// The byte-by-byte scan `record_boundaries` replaced, kept as its reference.
    fn boundaries_byte_by_byte(bytes: &[u8], parts: usize) -> Vec<Boundary> {
        let parts = parts.max(1);
        let mut out = Vec::with_capacity(parts + 1);
        let (mut quoted, mut line) = (false, 1u64);
        let mut next_target = 0usize;
        for (i, &byte) in bytes.iter().enumerate() {
            match byte {
                b'"' => quoted = !quoted,
                b'\n' if quoted => line += 1,
                b'\n' => {
                    line += 1;
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
            out.truncate(1);
        }
        if out.is_empty() {
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

    /// A file in the temporary directory holding `bytes`, removed when dropped.
    struct TempFile(std::path::PathBuf);

    impl TempFile {
        fn new(name: &str, bytes: &[u8]) -> TempFile {
            let path = std::env::temp_dir().join(format!("manyi-{}-{name}", std::process::id()));
            std::fs::write(&path, bytes).unwrap();
            TempFile(path)
        }
    }

    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    #[test]
    fn a_file_is_cut_where_its_bytes_are() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for case in 0..200 {
            let len = (next() % if case % 5 == 0 { 600_000 } else { 200 }) as usize;
            // Quotes from none to many, and so rare that a quoted field outlasts the windows
            // the boundaries are looked for in.
            let quote_rate = [0, 1, 2500, 5000][case % 4];
            let mut text: Vec<u8> = (0..len)
                .map(|_| match next() % 100_000 {
                    r if r < quote_rate => b'"',
                    r if r < quote_rate + 15_000 => b'\n',
                    _ => b'x',
                })
                .collect();
            if case % 3 == 0 {
                text.splice(0..0, BOM.iter().copied());
            }
            let file = TempFile::new(&format!("cut-{case}.csv"), &text);
            let file = std::fs::File::open(&file.0).unwrap();
            let base = if text.starts_with(BOM) { BOM.len() } else { 0 };
            let view = FileText {
                file: &file,
                base: base as u64,
                len: text.len() - base,
            };
            for parts in [1, 2, 3, 8, 13] {
                assert_eq!(
                    view.record_boundaries(parts).unwrap(),
                    record_boundaries(&text[base..], parts),
                    "case {case}, {parts} parts"
                );
            }
        }
    }

    #[test]
    fn a_file_reads_as_its_bytes() {
        let survey = manyi_core::templates::get("nps").unwrap().unwrap();
        let plan = Plan::new(&survey);
        let mut text = String::from("\u{feff}id,submitted_at,nps,meta.channel\n");
        for i in 0..3000u32 {
            let at = format!("2026-03-{:02}T10:00:00+08:00", 1 + i % 28);
            let score = if i % 700 == 5 {
                "x".to_owned()
            } else {
                (i % 11).to_string()
            };
            text.push_str(&format!("r{i},{at},{score},\"web\nshop\"\n"));
        }
        let options = ReportOptions {
            segment: Some("channel".into()),
            ..ReportOptions::default()
        };
        let from_bytes = read_csv(text.as_bytes(), &plan, &options).unwrap();
        let file = TempFile::new("reads.csv", text.as_bytes());
        let from_file = load_responses(&file.0, &plan, &options).unwrap();
        assert_eq!(from_file.scored, from_bytes.scored);
        assert_eq!(from_file.bad, from_bytes.bad);
        assert_eq!(from_file.bad.len(), 5);
        assert_eq!(
            serde_json::to_value(from_file.finish()).unwrap(),
            serde_json::to_value(from_bytes.finish()).unwrap()
        );
    }

    #[test]
    fn boundaries_are_those_of_the_byte_by_byte_scan() {
        // Random texts over the bytes that matter (quotes, line breaks) and a filler, long
        // enough for the counted stretches to span several blocks of 255 bytes.
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for case in 0..3000 {
            let len = (next() % if case % 10 == 0 { 3000 } else { 60 }) as usize;
            let quote_rate = next() % 4;
            let text: Vec<u8> = (0..len)
                .map(|_| match next() % 40 {
                    r if r < quote_rate => b'"',
                    r if r < 8 => b'\n',
                    _ => b'x',
                })
                .collect();
            for parts in 1..=9 {
                assert_eq!(
                    record_boundaries(&text, parts),
                    boundaries_byte_by_byte(&text, parts),
                    "{parts} parts of {:?}",
                    String::from_utf8_lossy(&text)
                );
            }
        }
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
