//! Rollups in the database: the rows `manyi_core::rollup` describes, kept up to date by folding
//! in the responses each batch lists as pending, rebuilt from the stored responses in steps,
//! and read by reports, which add the pending responses read in the same snapshot.
//!
//! A stored response is listed in `rollup_pending` in the transaction that stores it, and a
//! folder in each server adds the listed responses to the rows in large batches. Every writer
//! of a survey's rows — a fold, a deletion, a rebuild step — first locks all of the survey's
//! `rollup_state` rows (on PostgreSQL `FOR UPDATE`; SQLite has one writer at a time anyway),
//! and only then reads the pending list or the rows. So one survey's rows have one writer at a
//! time, a response is folded once, and a step sees a fold's list before or after it, never
//! during. Storing takes no such lock: batches write their own rows and the list, so they never
//! wait for each other there.
//!
//! A response is in exactly one of three places for each rollup: folded into its rows, on the
//! pending list, or (for a rollup still being built) past its cursor, where a step reads it
//! once it is off the list. Reports of a complete rollup read the rows and the list.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use futures_util::TryStreamExt;
use manyi_core::aggregate::{Aggregate, ReportBuilder};
use manyi_core::report::{Report, ReportOptions};
use manyi_core::rollup::{Grain, RollupBatch, RowKey, Rows, Segment, When, plan_reads};
use manyi_core::score::Plan;
use manyi_core::{Response, Survey};
use sqlx::{AnyConnection, Row};

use super::{Db, Engine, Placeholders, followup, stored_time};
use crate::error::AppError;

/// How many responses one rebuild step reads. A step holds the survey's state rows (and on
/// SQLite the database's write lock) while it runs, so batches of that survey wait for it; on
/// SQLite every writer waits, at most its busy timeout (5 s), so steps stay well under a
/// second there. Longer steps write each row fewer times: a day's row of one of 500 branches is
/// written once per step that holds one of its responses.
fn step_size(engine: Engine) -> i64 {
    match engine {
        Engine::Sqlite => 5_000,
        Engine::Postgres => 20_000,
    }
}

/// A survey version's rollups: complete, or built up to a cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct State {
    pub version: u32,
    pub ready: bool,
    /// The last response the rows hold, as (`submitted_at` as stored or '' when undated, id);
    /// `None` before the first step.
    pub cursor: Option<(String, String)>,
}

impl State {
    /// Whether the rows hold a response at this position (see [`position`]).
    fn covers(&self, position: (&str, &str)) -> bool {
        self.ready
            || self
                .cursor
                .as_ref()
                .is_some_and(|(at, id)| position <= (at.as_str(), id.as_str()))
    }
}

/// Where a response falls in a rebuild's order: its stored `submitted_at` ('' when undated,
/// which sorts first) and its lower-case id. Stored times all have one fixed RFC 3339 form in
/// UTC and ids are UUIDs, so byte order here is the database's order too.
fn position(response: &Response) -> (String, String) {
    (
        response.submitted_at.map(stored_time).unwrap_or_default(),
        response.id.to_ascii_lowercase(),
    )
}

/// The rollup states of a survey, by version, locked for the caller: the survey's rollups are
/// then the caller's alone until it commits.
pub(super) async fn states(
    conn: &mut AnyConnection,
    engine: Engine,
    survey_id: &str,
) -> Result<Vec<State>, AppError> {
    let lock = match engine {
        Engine::Sqlite => "",
        Engine::Postgres => " FOR UPDATE",
    };
    let sql = format!(
        "SELECT version, ready, cursor_at, cursor_id FROM rollup_state WHERE survey_id = $1 \
         ORDER BY version{lock}"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(survey_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|row| {
            let cursor_at: Option<String> = row.get(2);
            let cursor_id: Option<String> = row.get(3);
            Ok(State {
                version: version_of(row.get(0))?,
                ready: row.get::<i64, _>(1) != 0,
                cursor: cursor_at.zip(cursor_id),
            })
        })
        .collect()
}

fn version_of(stored: i64) -> Result<u32, AppError> {
    u32::try_from(stored).map_err(|_| AppError::Internal(format!("stored version {stored}")))
}

/// Lists responses just stored (all to one survey, new) as pending for its rollups, in the
/// storing transaction, for the folder ([`fold`]) to add. (On PostgreSQL the statement that
/// stores them lists them.)
///
/// Nothing here touches the survey's state rows, so concurrent batches do not queue on them:
/// when each batch merged itself into the rollups, concurrent single responses on PostgreSQL
/// took turns at the state lock until each one's commit (0.16× the rate without rollups).
pub(super) async fn pend(
    db: &Db,
    conn: &mut AnyConnection,
    survey_id: &str,
    responses: &[&Response],
) -> Result<(), AppError> {
    for chunk in responses.chunks(CHUNK) {
        let mut next = Placeholders::new(db.engine);
        let tuples: Vec<String> = chunk
            .iter()
            .map(|_| format!("({}, {})", next.next(), next.next()))
            .collect();
        let sql = format!(
            "INSERT INTO rollup_pending (survey_id, response_id) VALUES {} \
             ON CONFLICT (survey_id, response_id) DO NOTHING",
            tuples.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for response in chunk {
            query = query
                .bind(survey_id.to_owned())
                .bind(response.id.to_ascii_lowercase());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Lists the `meta` keys responses just stored (all to one survey, new) bring that are not yet
/// known to be listed, in the storing transaction, and returns them, for the caller to mark as
/// known once its transaction commits.
pub(super) async fn new_meta_keys(
    db: &Db,
    conn: &mut AnyConnection,
    survey_id: &str,
    responses: &[&Response],
) -> Result<Vec<(String, String)>, AppError> {
    let new: Vec<(String, String)> = {
        let known = db.known_meta_keys.lock().expect("not poisoned");
        let keys: BTreeSet<&str> = responses
            .iter()
            .flat_map(|r| r.meta.keys().map(String::as_str))
            .collect();
        keys.into_iter()
            .map(|key| (survey_id.to_owned(), key.to_owned()))
            .filter(|pair| !known.contains(pair))
            .collect()
    };
    insert_meta_keys(
        conn,
        survey_id,
        new.iter().map(|(_, key)| key.as_str()).collect(),
    )
    .await?;
    Ok(new)
}

/// Takes a response just deleted out of its survey's rollups, in the deleting transaction: a
/// pending one only leaves the pending list, a folded one is subtracted from every rollup
/// that holds it.
pub(super) async fn remove(
    db: &Db,
    conn: &mut AnyConnection,
    response: &Response,
) -> Result<(), AppError> {
    let survey_id = response.survey_id.as_str();
    // The states first, as every writer of the rollups: a folder holding them has either
    // folded this response and committed (the pending row is gone) or not begun.
    let states = states(conn, db.engine, survey_id).await?;
    let unfolded =
        sqlx::query("DELETE FROM rollup_pending WHERE survey_id = $1 AND response_id = $2")
            .bind(survey_id)
            .bind(response.id.to_ascii_lowercase())
            .execute(&mut *conn)
            .await?
            .rows_affected()
            > 0;
    if unfolded {
        return Ok(());
    }
    subtract(db, conn, survey_id, &states, response).await
}

/// Takes a folded response out of every rollup among `states` that holds it by its cursor.
/// The caller holds the states ([`states`]).
async fn subtract(
    db: &Db,
    conn: &mut AnyConnection,
    survey_id: &str,
    states: &[State],
    response: &Response,
) -> Result<(), AppError> {
    let (at, id) = position(response);
    for state in states.iter().filter(|state| state.covers((&at, &id))) {
        let survey = db.definition(conn, survey_id, state.version).await?;
        let plan = Plan::new(&survey);
        let mut batch = RollupBatch::new(&plan);
        batch.add(response);
        apply(conn, db.engine, &plan, batch.into_rows(), true).await?;
    }
    Ok(())
}

/// Folds up to a step's worth ([`step_size`]) of a survey's pending responses into its
/// rollups, announces them to the webhook endpoints that want them ([`followup::Announcer`])
/// and takes them off the pending list, in one transaction under the survey's states;
/// returns how many it took. A pending response that a rollup still being built has not
/// reached is left to the rebuild, which reads it once it is off the list.
pub(super) async fn fold(db: &Db, survey_id: &str) -> Result<usize, AppError> {
    let mut tx = db.pool.begin().await?;
    match db.engine {
        // The write lock first (see `step`).
        Engine::Sqlite => {
            sqlx::query("UPDATE rollup_state SET ready = ready WHERE survey_id = $1")
                .bind(survey_id)
                .execute(&mut *tx)
                .await?;
        }
        // The list starts empty and grows fast: a plan PostgreSQL cached for these statements
        // while it was small (a sequential scan) took 216 ms per 200 ids at 100,000 pending.
        // Planned afresh each time, they use the indexes.
        Engine::Postgres => {
            sqlx::query("SET LOCAL plan_cache_mode = force_custom_plan")
                .execute(&mut *tx)
                .await?;
        }
    }
    let states = states(&mut tx, db.engine, survey_id).await?;
    // The rollups the responses go to, one batch of rows per state.
    let mut surveys = Vec::with_capacity(states.len());
    for state in &states {
        surveys.push(db.definition(&mut tx, survey_id, state.version).await?);
    }
    let plans: Vec<Plan> = surveys.iter().map(|survey| Plan::new(survey)).collect();
    let mut batches: Vec<RollupBatch> = plans.iter().map(RollupBatch::new).collect();
    // Each response is added to the rows of every state whose cursor has reached it, as it is
    // read, and dropped: a fold holds its rows and one response, whatever they weigh.
    let mut add = |body: &str| -> Result<(), AppError> {
        let response = parse_stored(body)?;
        let (at, id) = position(&response);
        for (state, batch) in states.iter().zip(batches.iter_mut()) {
            if state.covers((&at, &id)) {
                batch.add(&response);
            }
        }
        Ok(())
    };
    // The responses leave the list announced to the webhook endpoints that want them.
    let mut announcer = followup::Announcer::new(&mut tx, db.engine, survey_id).await?;
    // Read after the states are held: on PostgreSQL this statement's snapshot then sees what
    // a folder that held them before committed, so no response is folded twice.
    // The first pending responses are taken off the list and read in one statement (on
    // SQLite two): deleting them by id afterwards took a statement per 200 ids. A pending row
    // outlives its response only if something deleted the response without `remove`; it
    // leaves the list with nothing to fold.
    let step = step_size(db.engine);
    let mut taken = 0usize;
    match db.engine {
        Engine::Postgres => {
            let mut rows = sqlx::query_as::<_, (String, Option<String>, Option<String>)>(
                "WITH taken AS (DELETE FROM rollup_pending WHERE ctid = ANY(ARRAY( \
                 SELECT ctid FROM rollup_pending WHERE survey_id = $1 \
                 ORDER BY response_id LIMIT $2)) RETURNING response_id) \
                 SELECT t.response_id, r.body, r.received_at FROM taken t \
                 LEFT JOIN responses r ON r.id = t.response_id",
            )
            .bind(survey_id)
            .bind(step)
            .fetch(&mut *tx);
            while let Some((id, body, received_at)) = rows.try_next().await? {
                taken += 1;
                if let (Some(body), Some(received_at)) = (body, received_at) {
                    add(&body)?;
                    announcer.add(&id, &received_at);
                }
            }
        }
        Engine::Sqlite => {
            let ids: Vec<String> = sqlx::query_scalar(
                "DELETE FROM rollup_pending WHERE rowid IN (SELECT rowid FROM rollup_pending \
                 WHERE survey_id = $1 ORDER BY response_id LIMIT $2) RETURNING response_id",
            )
            .bind(survey_id)
            .bind(step)
            .fetch_all(&mut *tx)
            .await?;
            taken = ids.len();
            let list = serde_json::to_string(&ids)
                .map_err(|e| AppError::Internal(format!("pending ids: {e}")))?;
            let mut rows = sqlx::query_as::<_, (String, String, String)>(
                "SELECT id, body, received_at FROM responses \
                 WHERE id IN (SELECT value FROM json_each($1))",
            )
            .bind(list)
            .fetch(&mut *tx);
            while let Some((id, body, received_at)) = rows.try_next().await? {
                add(&body)?;
                announcer.add(&id, &received_at);
            }
        }
    }
    for (plan, batch) in plans.iter().zip(batches) {
        apply(&mut tx, db.engine, plan, batch.into_rows(), false).await?;
    }
    let announced = announcer.queue(&mut tx, db.engine).await?;
    tx.commit().await?;
    if announced > 0 {
        db.webhooks_waiting.notify_one();
    }
    Ok(taken)
}

/// Folds every survey's pending responses ([`fold`]) until none is left; returns how many.
pub(super) async fn fold_all(db: &Db) -> Result<usize, AppError> {
    let surveys: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT survey_id FROM rollup_pending ORDER BY survey_id")
            .fetch_all(&db.pool)
            .await?;
    let step = usize::try_from(step_size(db.engine)).unwrap_or(usize::MAX);
    let mut folded = 0;
    for survey_id in surveys {
        loop {
            let n = fold(db, &survey_id).await?;
            folded += n;
            if n < step {
                break;
            }
        }
    }
    Ok(folded)
}

async fn insert_meta_keys(
    conn: &mut AnyConnection,
    survey_id: &str,
    keys: BTreeSet<&str>,
) -> Result<(), AppError> {
    for key in keys {
        sqlx::query(
            "INSERT INTO survey_meta_keys (survey_id, meta_key) VALUES ($1, $2) \
             ON CONFLICT (survey_id, meta_key) DO NOTHING",
        )
        .bind(survey_id)
        .bind(key)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Rows per statement when reading or inserting in bulk: well under both engines' limits on
/// bound parameters (32,766 for SQLite, 65,535 for PostgreSQL).
const CHUNK: usize = 200;

/// Adds (or takes away) each row's aggregate to the stored row: the existing rows read in
/// bulk and merged, then new and changed rows written in bulk. A row left holding no
/// response is deleted, so it reads as absent, as it was before. The caller holds the
/// survey's state rows ([`states`]), so no other transaction writes these rows meanwhile.
async fn apply(
    conn: &mut AnyConnection,
    engine: Engine,
    plan: &Plan<'_>,
    rows: BTreeMap<RowKey, Aggregate>,
    subtract: bool,
) -> Result<(), AppError> {
    let survey = plan.survey;
    let version = i64::from(survey.version);
    let fault = |e: manyi_core::aggregate::DecodeError| {
        AppError::Internal(format!("rollup of {}: {e}", survey.id))
    };
    let rows: Vec<(RowKey, Aggregate)> = rows.into_iter().collect();
    let mut writes: Vec<(&RowKey, u64, Vec<u8>, Vec<u8>)> = Vec::new();
    for chunk in rows.chunks(CHUNK) {
        // The keys as a table, each looked up in the rollups' primary key. For a row-value
        // `IN` list SQLite scans the whole survey instead, and for an inner join it may too
        // (3.51 scans with a Bloom filter on the keys, which grows with the table); a CROSS
        // JOIN is SQLite's way of keeping the keys as the outer loop. PostgreSQL plans it as
        // an inner join, with an index lookup per key.
        let mut next = Placeholders::new(engine);
        let tuples: Vec<String> = (0..chunk.len())
            .map(|_| {
                format!(
                    "(CAST({} AS TEXT), CAST({} AS BIGINT), CAST({} AS TEXT), \
                     CAST({} AS BIGINT), CAST({} AS BIGINT))",
                    next.next(),
                    next.next(),
                    next.next(),
                    next.next(),
                    next.next()
                )
            })
            .collect();
        let lookup = format!(
            "r.survey_id = {} AND r.version = {} AND r.seg_key = k.seg_key \
             AND r.seg_present = k.seg_present AND r.seg_value = k.seg_value \
             AND r.grain = k.grain AND r.span_start = k.span_start",
            next.next(),
            next.next()
        );
        let join = match engine {
            Engine::Sqlite => format!("k CROSS JOIN rollups r WHERE {lookup}"),
            // PostgreSQL chose a hash join over the survey's rows for a few hundred keys; a
            // lateral subquery with a LIMIT (at most one row has a key anyway) is not merged
            // into the join, so it runs once per key, on the index.
            Engine::Postgres => {
                format!("k CROSS JOIN LATERAL (SELECT r.* FROM rollups r WHERE {lookup} LIMIT 1) r")
            }
        };
        let sql = format!(
            "WITH k (seg_key, seg_present, seg_value, grain, span_start) AS (VALUES {}) \
             SELECT r.seg_key, r.seg_present, r.seg_value, r.grain, r.span_start, r.stats \
             FROM {join}",
            tuples.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (key, _) in chunk {
            query = bind_key(query, key);
        }
        let query = query.bind(survey.id.clone()).bind(version);
        let mut stored: HashMap<RowKey, Vec<u8>> = HashMap::new();
        for row in query.fetch_all(&mut *conn).await? {
            let when = When::from_columns(row.get(3), row.get(4))
                .ok_or_else(|| AppError::Internal("a stored rollup's grain".to_owned()))?;
            let segment = Segment::from_columns(row.get(0), row.get::<i64, _>(1) != 0, row.get(2));
            stored.insert(RowKey { segment, when }, row.get(5));
        }
        for (key, delta) in chunk {
            let mut row = delta.clone();
            match stored.get(key) {
                Some(bytes) if subtract => {
                    row = Aggregate::new(plan);
                    row.merge_encoded(bytes).map_err(fault)?;
                    row.subtract(delta);
                }
                Some(bytes) => row.merge_encoded(bytes).map_err(fault)?,
                None if subtract => {
                    return Err(AppError::Internal(format!(
                        "a rollup row of {} is missing; run `manyi rollup rebuild`",
                        survey.id
                    )));
                }
                None => {}
            }
            if row.headline.n == 0 {
                let sql = format!("DELETE FROM rollups WHERE {KEY}");
                bind_key(
                    sqlx::query(sqlx::AssertSqlSafe(sql))
                        .bind(survey.id.clone())
                        .bind(version),
                    key,
                )
                .execute(&mut *conn)
                .await?;
            } else {
                writes.push((key, row.headline.n, row.headline.encode(), row.encode()));
            }
        }
    }
    // New and changed rows in one statement per chunk.
    for chunk in writes.chunks(CHUNK) {
        let mut next = Placeholders::new(engine);
        let tuples: Vec<String> = (0..chunk.len())
            .map(|_| format!("({})", next.list(10)))
            .collect();
        let sql = format!(
            "INSERT INTO rollups (survey_id, version, seg_key, seg_present, seg_value, grain, \
             span_start, n, headline, stats) VALUES {} ON CONFLICT (survey_id, version, \
             seg_key, seg_present, seg_value, grain, span_start) DO UPDATE SET \
             n = excluded.n, headline = excluded.headline, stats = excluded.stats",
            tuples.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (key, n, headline, stats) in chunk {
            let n = i64::try_from(*n).map_err(|_| AppError::Internal("a count".to_owned()))?;
            query = bind_key(query.bind(survey.id.clone()).bind(version), key)
                .bind(n)
                .bind(headline.clone())
                .bind(stats.clone());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The conditions on a row's key after the survey and version (`$1`, `$2`).
const KEY: &str = "survey_id = $1 AND version = $2 AND seg_key = $3 AND seg_present = $4 \
                   AND seg_value = $5 AND grain = $6 AND span_start = $7";

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// Binds a row's key after the survey and version: segment key, whether a value is present,
/// the value, the grain and the span's start.
fn bind_key<'q>(query: AnyQuery<'q>, key: &RowKey) -> AnyQuery<'q> {
    let (seg_key, present, value) = key.segment.columns();
    let (grain, start) = key.when.columns();
    query
        .bind(seg_key.to_owned())
        .bind(i64::from(present))
        .bind(value.to_owned())
        .bind(grain)
        .bind(start)
}

/// One rebuild step of a survey version's rollups: the responses after the cursor, at most
/// [`step_size`], added to the rows with the cursor moved past them, in one transaction. It
/// leaves out pending responses: the folder adds those the cursor has passed, and the others
/// are read by a later step once folding has taken them off the list. Returns
/// whether the rollups are complete; the step that completes them deletes the rollups of the
/// survey's older versions, which reports no longer read.
pub(super) async fn step(db: &Db, survey_id: &str, version: u32) -> Result<bool, AppError> {
    let mut tx = db.pool.begin().await?;
    if db.engine == Engine::Sqlite {
        // The write lock first: a SQLite transaction that reads before it writes fails at its
        // first write if another connection wrote in between.
        sqlx::query("UPDATE rollup_state SET ready = ready WHERE survey_id = $1")
            .bind(survey_id)
            .execute(&mut *tx)
            .await?;
    }
    let states = states(&mut tx, db.engine, survey_id).await?;
    let Some(state) = states.into_iter().find(|s| s.version == version) else {
        return Ok(true);
    };
    if state.ready {
        return Ok(true);
    }
    let survey = db.definition(&mut tx, survey_id, version).await?;
    let plan = Plan::new(&survey);
    let step = step_size(db.engine);
    let (at, id) = state.cursor.unwrap_or_default();
    // The responses are read as a stream and added one at a time, so a step holds the rows
    // it builds and one response, whatever the responses weigh (one may be megabytes).
    let mut taken = Taken {
        batch: RollupBatch::new(&plan),
        keys: BTreeSet::new(),
        read: 0,
        last: None,
    };
    if at.is_empty() {
        // The undated responses first, by id: their position sorts before every dated one.
        let mut rows = sqlx::query_scalar::<_, String>(
            "SELECT body FROM responses WHERE survey_id = $1 AND submitted_at IS NULL \
             AND id > $2 AND NOT EXISTS (SELECT 1 FROM rollup_pending p \
             WHERE p.survey_id = $1 AND p.response_id = responses.id) ORDER BY id LIMIT $3",
        )
        .bind(survey_id)
        .bind(&id)
        .bind(step)
        .fetch(&mut *tx);
        while let Some(body) = rows.try_next().await? {
            taken.add(&body)?;
        }
    }
    let dated = taken.last.is_none();
    if dated {
        let mut rows = sqlx::query_scalar::<_, String>(
            "SELECT body FROM responses WHERE survey_id = $1 AND submitted_at IS NOT NULL \
             AND submitted_at >= $2 AND (submitted_at > $2 OR id > $3) \
             AND NOT EXISTS (SELECT 1 FROM rollup_pending p \
             WHERE p.survey_id = $1 AND p.response_id = responses.id) \
             ORDER BY submitted_at, id LIMIT $4",
        )
        .bind(survey_id)
        .bind(&at)
        .bind(&id)
        .bind(step)
        .fetch(&mut *tx);
        while let Some(body) = rows.try_next().await? {
            taken.add(&body)?;
        }
    }
    let Taken {
        batch,
        keys,
        read,
        last,
    } = taken;
    apply(&mut tx, db.engine, &plan, batch.into_rows(), false).await?;
    insert_meta_keys(
        &mut tx,
        survey_id,
        keys.iter().map(String::as_str).collect(),
    )
    .await?;
    let done = dated && read < usize::try_from(step).unwrap_or(usize::MAX);
    if done {
        sqlx::query(
            "UPDATE rollup_state SET ready = 1, cursor_at = NULL, cursor_id = NULL \
             WHERE survey_id = $1 AND version = $2",
        )
        .bind(survey_id)
        .bind(i64::from(version))
        .execute(&mut *tx)
        .await?;
        for table in ["rollups", "rollup_state"] {
            let sql = format!("DELETE FROM {table} WHERE survey_id = $1 AND version < $2");
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(survey_id)
                .bind(i64::from(version))
                .execute(&mut *tx)
                .await?;
        }
    } else if let Some((at, id)) = last {
        sqlx::query(
            "UPDATE rollup_state SET cursor_at = $3, cursor_id = $4 \
             WHERE survey_id = $1 AND version = $2",
        )
        .bind(survey_id)
        .bind(i64::from(version))
        .bind(at)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(done)
}

/// A rebuild step's responses, each added to the step's rows as it is read and then dropped.
struct Taken<'p> {
    batch: RollupBatch<'p>,
    /// The `meta` keys they bring.
    keys: BTreeSet<String>,
    read: usize,
    /// The position of the last one read ([`position`]).
    last: Option<(String, String)>,
}

impl Taken<'_> {
    fn add(&mut self, body: &str) -> Result<(), AppError> {
        let response = parse_stored(body)?;
        self.batch.add(&response);
        self.keys.extend(response.meta.keys().cloned());
        self.read += 1;
        self.last = Some(position(&response));
        Ok(())
    }
}

/// Starts a survey version's rollups over: no rows, a rebuild from the first response.
pub(super) async fn reset(db: &Db, survey_id: &str, version: u32) -> Result<(), AppError> {
    let mut tx = db.pool.begin().await?;
    // On SQLite the delete, a write, comes first and so takes the write lock.
    if db.engine == Engine::Postgres {
        states(&mut tx, db.engine, survey_id).await?;
    }
    sqlx::query("DELETE FROM rollups WHERE survey_id = $1 AND version = $2")
        .bind(survey_id)
        .bind(i64::from(version))
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO rollup_state (survey_id, version, ready, cursor_at, cursor_id) \
         VALUES ($1, $2, 0, NULL, NULL) ON CONFLICT (survey_id, version) \
         DO UPDATE SET ready = 0, cursor_at = NULL, cursor_id = NULL",
    )
    .bind(survey_id)
    .bind(i64::from(version))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

fn parse_stored(body: &str) -> Result<Response, AppError> {
    serde_json::from_str(body).map_err(|e| AppError::Internal(format!("stored response: {e}")))
}

/// The report of `options` from the rollups of the plan's version, read in one snapshot;
/// `None` when they are not complete or the options need rows that are not kept (see
/// `manyi_core::rollup::plan_reads`), and the report must read the responses.
pub(super) async fn report(
    db: &Db,
    plan: &Plan<'_>,
    options: ReportOptions,
) -> Result<Option<Report>, AppError> {
    let survey = plan.survey;
    let version = i64::from(survey.version);
    let mut tx = db.pool.begin().await?;
    if db.engine == Engine::Postgres {
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .execute(&mut *tx)
            .await?;
    }
    let ready: Option<i64> =
        sqlx::query_scalar("SELECT ready FROM rollup_state WHERE survey_id = $1 AND version = $2")
            .bind(&survey.id)
            .bind(version)
            .fetch_optional(&mut *tx)
            .await?;
    if ready != Some(1) {
        return Ok(None);
    }
    let days: Vec<i64> = sqlx::query_scalar(
        "SELECT span_start FROM rollups WHERE survey_id = $1 AND version = $2 AND seg_key = '' \
         AND seg_present = 0 AND seg_value = '' AND grain = $3 ORDER BY span_start",
    )
    .bind(&survey.id)
    .bind(version)
    .bind(Grain::Day.code())
    .fetch_all(&mut *tx)
    .await?;
    let Some(reads) = plan_reads(&options, &survey.segment_keys(), &days) else {
        return Ok(None);
    };
    let options_segment = options.segment.clone();
    let mut builder = ReportBuilder::new(plan, options);
    let keys: Vec<String> = sqlx::query_scalar(
        "SELECT meta_key FROM survey_meta_keys WHERE survey_id = $1 ORDER BY meta_key",
    )
    .bind(&survey.id)
    .fetch_all(&mut *tx)
    .await?;
    builder.add_meta_keys(keys);
    let fault = |e: manyi_core::aggregate::DecodeError| {
        AppError::Internal(format!("rollup of {}: {e}", survey.id))
    };
    for read in &reads.reads {
        let column = if read.target.full() {
            "stats"
        } else {
            "headline"
        };
        let mut spans: Vec<(i64, i64, i64)> = read
            .ranges
            .iter()
            .map(|r| (r.grain.code(), r.from, r.to))
            .collect();
        if read.undated {
            spans.push((When::Undated.columns().0, 0, 1));
        }
        for (grain, from, to) in spans {
            let (sql, segment) = match &read.rows {
                Rows::One(segment) => (
                    format!(
                        "SELECT span_start, {column} FROM rollups WHERE survey_id = $1 AND \
                         version = $2 AND seg_key = $3 AND seg_present = $4 AND seg_value = $5 \
                         AND grain = $6 AND span_start >= $7 AND span_start < $8"
                    ),
                    Some(segment),
                ),
                Rows::EveryValue(_) => (
                    format!(
                        "SELECT span_start, {column}, seg_present, seg_value FROM rollups \
                         WHERE survey_id = $1 AND version = $2 AND seg_key = $3 AND grain = $4 \
                         AND span_start >= $5 AND span_start < $6"
                    ),
                    None,
                ),
            };
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(survey.id.clone())
                .bind(version);
            query = match &read.rows {
                Rows::One(segment) => {
                    let (key, present, value) = segment.columns();
                    query
                        .bind(key.to_owned())
                        .bind(i64::from(present))
                        .bind(value.to_owned())
                }
                Rows::EveryValue(key) => query.bind(key.clone()),
            };
            let mut rows = query.bind(grain).bind(from).bind(to).fetch(&mut *tx);
            while let Some(row) = rows.try_next().await? {
                let when = When::from_columns(grain, row.get(0))
                    .ok_or_else(|| AppError::Internal(format!("rollup grain {grain}")))?;
                let bytes: &[u8] = row.get(1);
                match (segment, &read.rows) {
                    (Some(segment), _) => {
                        builder.merge_stored(read.target.part(when, segment), bytes)
                    }
                    (None, Rows::EveryValue(key)) => {
                        let segment = Segment::from_columns(
                            key.clone(),
                            row.get::<i64, _>(2) != 0,
                            row.get(3),
                        );
                        builder.merge_stored(read.target.part(when, &segment), bytes)
                    }
                    (None, Rows::One(_)) => unreachable!("one segment row is always given"),
                }
                .map_err(fault)?;
            }
        }
    }
    for &cell in &reads.streamed {
        let bound = |t: i64| {
            chrono::DateTime::from_timestamp(t, 0)
                .map(|t| stored_time(t.fixed_offset()))
                .ok_or_else(|| AppError::Internal(format!("a cell at {t}")))
        };
        let mut rows = sqlx::query_scalar::<_, String>(
            "SELECT body FROM responses WHERE survey_id = $1 AND submitted_at >= $2 \
             AND submitted_at < $3",
        )
        .bind(survey.id.clone())
        .bind(bound(cell)?)
        .bind(bound(cell + reads.cell.seconds())?)
        .fetch(&mut *tx);
        while let Some(body) = rows.try_next().await? {
            builder.push_response(&parse_stored(&body)?);
        }
    }
    // The responses stored since the last fold, which the rows do not hold yet, read in the
    // same snapshot as the rows; those in a streamed cell were just read with it.
    let streamed: Vec<(i64, i64)> = reads
        .streamed
        .iter()
        .map(|&cell| (cell, cell + reads.cell.seconds()))
        .collect();
    let mut rows = sqlx::query_scalar::<_, String>(
        "SELECT r.body FROM rollup_pending p JOIN responses r ON r.id = p.response_id \
         WHERE p.survey_id = $1",
    )
    .bind(survey.id.clone())
    .fetch(&mut *tx);
    while let Some(body) = rows.try_next().await? {
        let response = parse_stored(&body)?;
        let in_streamed_cell = response.submitted_at.is_some_and(|t| {
            let t = t.timestamp();
            streamed.iter().any(|&(from, to)| from <= t && t < to)
        });
        if !in_streamed_cell {
            builder.push_response(&response);
        }
    }
    drop(rows);
    if builder.segments_overflowed() {
        let key = options_segment.unwrap_or_default();
        return Err(manyi_api::too_many_segments(&key).into());
    }
    Ok(Some(builder.finish()))
}

/// A survey version's definition, which never changes once published, so it is read once.
pub(super) async fn definition(
    db: &Db,
    conn: &mut AnyConnection,
    survey_id: &str,
    version: u32,
) -> Result<Arc<Survey>, AppError> {
    let key = (survey_id.to_owned(), version);
    if let Some(survey) = db.definitions.lock().expect("not poisoned").get(&key) {
        return Ok(survey.clone());
    }
    let text: String =
        sqlx::query_scalar("SELECT definition FROM surveys WHERE id = $1 AND version = $2")
            .bind(survey_id)
            .bind(i64::from(version))
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| {
                AppError::Internal(format!("rollups of {survey_id} v{version} without it"))
            })?;
    let survey: Arc<Survey> = Arc::new(
        serde_json::from_str(&text)
            .map_err(|e| AppError::Internal(format!("stored definition {survey_id}: {e}")))?,
    );
    db.definitions
        .lock()
        .expect("not poisoned")
        .insert(key, survey.clone());
    Ok(survey)
}
