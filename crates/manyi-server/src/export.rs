//! The body of the staff export (`GET /api/v1/surveys/{id}/responses`), written while it is
//! sent, so that the server's memory does not grow with the number of responses.
//!
//! A task of its own reads the stored responses as a stream of rows (the second reading of a
//! [`ResponseSnapshot`]; the first gave the columns) and writes them in pieces of about
//! [`CHUNK`] bytes into a channel of a few pieces, which the body reads: a slow client slows
//! the reading down rather than letting the pieces pile up. The XLSX workbook is written by a
//! blocking thread in rust_xlsxwriter's constant-memory mode and sent once its rows are all
//! written, since the archive's sheet is complete only then.
//!
//! The status and headers have left by the time the rows are read, so an error half-way (a
//! database failure) can only cut the body short: the client sees an incomplete transfer, never
//! a file that looks whole, and the error is logged. The body ends normally only on an explicit
//! end from the writing task, so a task that stops any other way (a panic included) cuts it
//! short too.

use std::io;

use axum::body::{Body, Bytes};
use futures_util::TryStreamExt;
use manyi_api::ExportFormat;
use manyi_core::Response;
use manyi_core::export::{self, Columns};
use tokio::sync::mpsc::{self, Sender};

use crate::db::ResponseSnapshot;
use crate::error::AppError;
use crate::xlsx;

/// About how many bytes one piece of the body holds: large enough that the per-piece costs
/// (a channel message, a write to the socket) are small beside the writing of the rows.
pub const CHUNK: usize = 64 * 1024;

/// How many pieces may wait for the client; with the one being filled, the body holds at most
/// this many plus one pieces (and one row) in memory.
const QUEUED: usize = 4;

/// How many responses may wait for the XLSX writer.
const QUEUED_ROWS: usize = 64;

/// What the writing task sends the body.
#[derive(Debug)]
enum Out {
    Piece(Bytes),
    /// Everything was sent; without it, the body ends with an error.
    End,
}

/// Why writing the body stopped before its end.
#[derive(Debug)]
enum Stop {
    /// The client went away (the body was dropped): nothing is wrong.
    Gone,
    Failed(AppError),
}

impl From<AppError> for Stop {
    fn from(error: AppError) -> Stop {
        Stop::Failed(error)
    }
}

/// The export of the responses `snapshot` reads, in `format` with `columns` (made from the
/// snapshot's first reading), as a body written while it is sent. The snapshot, and with it a
/// database connection, is held until the rows are all read.
pub fn body(format: ExportFormat, columns: Columns, snapshot: ResponseSnapshot) -> Body {
    let (pieces, received) = mpsc::channel::<Out>(QUEUED);
    tokio::spawn(async move {
        let written = match format {
            ExportFormat::Json => json(snapshot, &pieces).await,
            ExportFormat::Csv => csv(&columns, snapshot, &pieces).await,
            ExportFormat::Xlsx => workbook(columns, snapshot, pieces.clone()).await,
        };
        match written {
            Ok(()) => {
                let _ = pieces.send(Out::End).await;
            }
            Err(Stop::Gone) => {
                tracing::info!(
                    format = format.as_str(),
                    "export stopped: the client went away"
                );
            }
            Err(Stop::Failed(error)) => {
                // The sender is dropped without an end, which cuts the body short.
                tracing::error!(
                    format = format.as_str(),
                    %error,
                    "export failed half-way; its body is cut short"
                );
            }
        }
    });
    // An error as the body's last item makes hyper end the transfer unfinished.
    Body::from_stream(futures_util::stream::unfold(
        Some(received),
        |received| async move {
            let mut received = received?;
            match received.recv().await {
                Some(Out::Piece(bytes)) => Some((Ok(bytes), Some(received))),
                Some(Out::End) => None,
                None => Some((
                    Err(io::Error::other("the export stopped before its end")),
                    None,
                )),
            }
        },
    ))
}

/// Bytes waiting to be sent as one piece of the body.
struct Pending<'a> {
    bytes: Vec<u8>,
    pieces: &'a Sender<Out>,
}

impl<'a> Pending<'a> {
    fn new(pieces: &'a Sender<Out>) -> Pending<'a> {
        Pending {
            // A row more than a piece may be written before the piece is sent.
            bytes: Vec::with_capacity(CHUNK + CHUNK / 4),
            pieces,
        }
    }

    /// Sends what is waiting once it fills a piece.
    async fn send_if_full(&mut self) -> Result<(), Stop> {
        if self.bytes.len() >= CHUNK {
            self.send().await?;
        }
        Ok(())
    }

    /// Sends what is waiting, if anything, waiting for room in the channel.
    async fn send(&mut self) -> Result<(), Stop> {
        if self.bytes.is_empty() {
            return Ok(());
        }
        let piece = std::mem::replace(&mut self.bytes, Vec::with_capacity(CHUNK + CHUNK / 4));
        self.pieces
            .send(Out::Piece(Bytes::from(piece)))
            .await
            .map_err(|_| Stop::Gone)
    }
}

/// The JSON array of the stored responses, byte for byte what serialising them all at once
/// writes: `[`, the responses separated by `,`, `]`.
async fn json(mut snapshot: ResponseSnapshot, pieces: &Sender<Out>) -> Result<(), Stop> {
    let mut out = Pending::new(pieces);
    out.bytes.push(b'[');
    let mut responses = snapshot.responses();
    let mut first = true;
    while let Some(response) = responses.try_next().await? {
        if !first {
            out.bytes.push(b',');
        }
        first = false;
        serde_json::to_writer(&mut out.bytes, &response)
            .map_err(|e| AppError::Internal(format!("serialising a response: {e}")))?;
        out.send_if_full().await?;
    }
    out.bytes.push(b']');
    out.send().await
}

/// The CSV export (see `manyi_core::export::csv_header`).
async fn csv(
    columns: &Columns,
    mut snapshot: ResponseSnapshot,
    pieces: &Sender<Out>,
) -> Result<(), Stop> {
    let mut out = Pending::new(pieces);
    // The core writes text; each line is copied into the piece being filled.
    let mut line = String::new();
    export::csv_header(columns, &mut line);
    out.bytes.extend_from_slice(line.as_bytes());
    let mut responses = snapshot.responses();
    while let Some(response) = responses.try_next().await? {
        line.clear();
        export::csv_row(&columns.row(&response), &mut line);
        out.bytes.extend_from_slice(line.as_bytes());
        out.send_if_full().await?;
    }
    out.send().await
}

/// What the reading task hands the XLSX writer. The end is said explicitly, so that a reading
/// that stops early (an error, a panic) can never look like the last row to the writer.
#[derive(Debug)]
enum Feed {
    Row(Response),
    End,
}

/// The XLSX export: the rows are read here and written by a blocking thread (rust_xlsxwriter
/// writes to temporary files), which then writes the workbook into the body.
async fn workbook(
    columns: Columns,
    mut snapshot: ResponseSnapshot,
    pieces: Sender<Out>,
) -> Result<(), Stop> {
    let (feed, rows) = mpsc::channel::<Feed>(QUEUED_ROWS);
    let writer = tokio::task::spawn_blocking(move || write_workbook(&columns, rows, pieces));
    let read = async {
        let mut responses = snapshot.responses();
        while let Some(response) = responses.try_next().await? {
            if feed.send(Feed::Row(response)).await.is_err() {
                // The writer stopped; what stopped it is its own result.
                return Ok(());
            }
        }
        let _ = feed.send(Feed::End).await;
        Ok::<(), Stop>(())
    }
    .await;
    // The rows are all read: the connection goes back to the pool now, not after the workbook
    // has been written out at the client's pace.
    drop(snapshot);
    drop(feed);
    let written = writer
        .await
        .map_err(|e| AppError::Internal(format!("the XLSX writer stopped: {e}")))?;
    read.and(written)
}

/// Writes the workbook of the rows `rows` brings (on a blocking thread), then sends it.
fn write_workbook(
    columns: &Columns,
    mut rows: mpsc::Receiver<Feed>,
    pieces: Sender<Out>,
) -> Result<(), Stop> {
    let mut sheet = xlsx::Sheet::new(
        columns.header(),
        columns.meta_columns(),
        xlsx::Limits::EXCEL,
    )?;
    loop {
        // Rows are worth writing only for a client still there to receive the workbook.
        if pieces.is_closed() {
            return Err(Stop::Gone);
        }
        match rows.blocking_recv() {
            Some(Feed::Row(response)) => sheet.push(&columns.row(&response))?,
            Some(Feed::End) => break,
            None => {
                return Err(Stop::Failed(AppError::Internal(
                    "the export's rows stopped before their end".to_owned(),
                )));
            }
        }
    }
    let mut out = BlockingPieces {
        bytes: Vec::with_capacity(CHUNK),
        pieces,
    };
    match sheet.finish(&mut out) {
        Err(_) if out.pieces.is_closed() => Err(Stop::Gone),
        Err(error) => Err(Stop::Failed(error)),
        Ok(()) => out.send_rest(),
    }
}

/// The body's channel as a writer for a blocking thread, sending a piece whenever one is full.
struct BlockingPieces {
    bytes: Vec<u8>,
    pieces: Sender<Out>,
}

impl BlockingPieces {
    fn send_piece(&mut self) -> io::Result<()> {
        let piece = std::mem::replace(&mut self.bytes, Vec::with_capacity(CHUNK));
        self.pieces
            .blocking_send(Out::Piece(Bytes::from(piece)))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }

    /// Sends the last, partly filled piece, if anything is left.
    fn send_rest(mut self) -> Result<(), Stop> {
        if self.bytes.is_empty() {
            return Ok(());
        }
        self.send_piece().map_err(|_| Stop::Gone)
    }
}

impl io::Write for BlockingPieces {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bytes.extend_from_slice(buf);
        if self.bytes.len() >= CHUNK {
            self.send_piece()?;
        }
        Ok(buf.len())
    }

    /// Pieces leave when they are full, or at the end by `send_rest`: a flush asked for by the
    /// zip writer in between would only make pieces smaller.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
