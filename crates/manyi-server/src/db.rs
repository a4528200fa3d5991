//! Storage: SQLite (embedded, the default) or PostgreSQL, chosen by the database URL.
//!
//! Both go through sqlx's `Any` driver with one set of portable migrations (`migrations/`):
//! the schema uses only TEXT and BIGINT, and queries use `$n` placeholders, which both engines
//! accept. SQLite runs in WAL mode with `synchronous = FULL`, so a response acknowledged to a
//! client has been committed to disk.

mod followup;
mod rollup;

pub use followup::{
    BUNDLE, CaseFilter, Claimed, Followed, Outcome, RowClaim, SERVER_ACTOR, Settled,
};

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::{SecondsFormat, Utc};
use manyi_api::{AuditAction, AuditEntry, AuditPage, Role, SurveySummary};
use manyi_core::report::{Report, ReportOptions};
use manyi_core::score::Plan;
use manyi_core::targets::Target;
use manyi_core::{Response, ResponseScores, Survey};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, Row};

use crate::error::AppError;
use crate::token::{Staff, hex, random};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A staff token as listed (never the token itself).
#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenInfo {
    pub id: String,
    pub name: String,
    pub role: Role,
    /// The surveys the token is limited to; `None` for every survey.
    pub surveys: Option<Vec<String>>,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// Something staff did, to be written to the audit log in the same transaction as the change
/// itself: the change is recorded if and only if it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// The token that acted; `None` for the CLI.
    pub token_id: Option<String>,
    pub actor: String,
    pub action: AuditAction,
    pub survey_id: Option<String>,
    pub detail: String,
}

impl AuditRecord {
    /// A record of something a staff token did.
    pub fn by(
        staff: &Staff,
        action: AuditAction,
        survey_id: Option<&str>,
        detail: String,
    ) -> AuditRecord {
        AuditRecord {
            token_id: Some(staff.id.clone()),
            actor: staff.name.clone(),
            action,
            survey_id: survey_id.map(str::to_owned),
            detail,
        }
    }

    /// A record of something the CLI did with direct access to the database.
    pub fn cli(action: AuditAction, survey_id: Option<&str>, detail: String) -> AuditRecord {
        AuditRecord {
            token_id: None,
            actor: "cli".to_owned(),
            action,
            survey_id: survey_id.map(str::to_owned),
            detail,
        }
    }

    async fn insert(&self, conn: &mut AnyConnection) -> Result<(), AppError> {
        let at = Utc::now();
        // Milliseconds first, so ids sort in time order; a random tail keeps two entries of
        // the same millisecond apart (and in some order, which is all a page needs).
        let id = format!("{:013}-{}", at.timestamp_millis(), hex(&random::<5>()?));
        sqlx::query(
            "INSERT INTO audit_log (id, at, token_id, actor, action, survey_id, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(at.to_rfc3339_opts(SecondsFormat::Millis, true))
        .bind(&self.token_id)
        .bind(&self.actor)
        .bind(self.action.as_str())
        .bind(&self.survey_id)
        .bind(&self.detail)
        .execute(conn)
        .await?;
        Ok(())
    }
}

/// How long the rollup folder lets stored responses gather before it folds them (see
/// [`Db::spawn_folder`]): at 25,000 responses a second, 5,000 pending responses for a report
/// to add at most.
const FOLD_GATHER: std::time::Duration = std::time::Duration::from_millis(200);

/// Which engine a database URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    engine: Engine,
    /// Published definitions by (id, version), which never change: the rollups of every
    /// batch need their survey's, so each is parsed once.
    definitions: Arc<Mutex<Definitions>>,
    /// (survey, `meta` key) pairs known to be listed in `survey_meta_keys`, so a batch lists
    /// only keys it is the first to bring.
    known_meta_keys: Arc<Mutex<HashSet<(String, String)>>>,
    /// The alert rules and webhook endpoints as last read, by `followup_generation`.
    followup: Arc<Mutex<followup::Settings>>,
    /// How many batches are being stored at this moment: the webhook sender gives way while
    /// any is (see `crate::webhooks`).
    storing: Arc<std::sync::atomic::AtomicUsize>,
    /// Woken when a commit queues webhook deliveries, so this process's sender sends them at
    /// once instead of at its next look (other processes' senders find them then).
    webhooks_waiting: Arc<tokio::sync::Notify>,
    /// Woken when a commit lists responses as pending for the rollups, so this process's
    /// folder folds them at once.
    rollups_waiting: Arc<tokio::sync::Notify>,
}

/// Published definitions by survey id and version.
type Definitions = HashMap<(String, u32), Arc<Survey>>;

/// What happened to one response offered for storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// Newly stored.
    Inserted,
    /// Already stored with identical content.
    Duplicate,
    /// Already stored with different content under the same id.
    Conflict,
}

/// The placeholders of a statement with many parameters, in the order they are bound, which
/// must be the order they appear in its text. sqlx binds a SQLite statement's parameters by
/// asking SQLite each one's name, and SQLite finds a numbered parameter's name (`$7`) by
/// scanning a list of all of them: quadratic in their number, which took 42% of a batch's time
/// at 2,000 parameters. Anonymous `?` parameters have no name to look up.
struct Placeholders {
    engine: Engine,
    bound: usize,
}

impl Placeholders {
    fn new(engine: Engine) -> Self {
        Placeholders::after(engine, 0)
    }

    /// Placeholders that continue a statement's first `bound` ones.
    fn after(engine: Engine, bound: usize) -> Self {
        Placeholders { engine, bound }
    }

    fn next(&mut self) -> String {
        self.bound += 1;
        match self.engine {
            Engine::Sqlite => "?".to_owned(),
            Engine::Postgres => format!("${}", self.bound),
        }
    }

    /// The next `n` placeholders, separated by commas: a row of values, or a list for `IN`.
    fn list(&mut self, n: usize) -> String {
        (0..n).map(|_| self.next()).collect::<Vec<_>>().join(", ")
    }
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// An instant as stored: RFC 3339 in UTC to the millisecond, one fixed form, so stored times
/// compare as text in time order.
fn stored_time(t: chrono::DateTime<chrono::FixedOffset>) -> String {
    t.with_timezone(&Utc)
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl Db {
    /// Connects, creating a SQLite file (and its folder) if needed, and runs the migrations. A
    /// URL of another engine, or a SQLite file that cannot be created or opened, is a
    /// configuration error that names the path.
    pub async fn connect(url: &str) -> Result<Db, AppError> {
        sqlx::any::install_default_drivers();
        let engine = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Engine::Postgres
        } else if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else {
            return Err(AppError::Config(format!(
                "unsupported database URL (use sqlite:PATH or postgres://…): {url}"
            )));
        };
        let sqlite_file = (engine == Engine::Sqlite)
            .then(|| sqlite_path(url))
            .flatten();
        if let Some(path) = sqlite_file
            && let Some(parent) = std::path::Path::new(path).parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(|e| {
                AppError::Config(format!(
                    "cannot create the folder {} for the SQLite database: {e}",
                    parent.display()
                ))
            })?;
        }
        // `sqlite:PATH` promises a file created if missing, which SQLite does only in mode
        // `rwc`; a URL that names its own mode keeps it.
        let url = match engine {
            Engine::Sqlite if !url.contains("mode=") => {
                let separator = if url.contains('?') { '&' } else { '?' };
                format!("{url}{separator}mode=rwc")
            }
            _ => url.to_owned(),
        };
        let options: AnyConnectOptions = url
            .parse()
            .map_err(|e| AppError::Config(format!("database URL: {e}")))?;
        let pool = AnyPoolOptions::new()
            // One writer at a time is what SQLite allows anyway; PostgreSQL gets a small pool.
            .max_connections(if engine == Engine::Sqlite { 4 } else { 10 })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if engine == Engine::Sqlite {
                        sqlx::query("PRAGMA journal_mode = WAL")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA synchronous = FULL")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA busy_timeout = 5000")
                            .execute(&mut *conn)
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(|e| match sqlite_file {
                Some(path) => AppError::Config(format!(
                    "cannot open the SQLite database at {path}: {e}; check that it is a file \
                     (or is missing) in a directory that exists and is writable"
                )),
                None => e.into(),
            })?;
        MIGRATOR.run(&pool).await?;
        Ok(Db {
            pool,
            engine,
            definitions: Arc::default(),
            known_meta_keys: Arc::default(),
            followup: Arc::default(),
            storing: Arc::default(),
            webhooks_waiting: Arc::default(),
            rollups_waiting: Arc::default(),
        })
    }

    /// Whether this process is storing a batch at this moment.
    pub fn storing(&self) -> bool {
        self.storing.load(std::sync::atomic::Ordering::Relaxed) > 0
    }

    /// What a sender waits on for deliveries this process queued (see `crate::webhooks`).
    pub fn webhooks_waiting(&self) -> Arc<tokio::sync::Notify> {
        self.webhooks_waiting.clone()
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Stores a survey version unless that version exists; returns whether it was stored. The
    /// audit record is written with it, when it is stored.
    pub async fn publish(&self, survey: &Survey, audit: &AuditRecord) -> Result<bool, AppError> {
        let definition = serde_json::to_string(survey)
            .map_err(|e| AppError::Internal(format!("serialising a survey: {e}")))?;
        let mut tx = self.pool.begin().await?;
        let result = sqlx::query(
            "INSERT INTO surveys (id, version, definition, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id, version) DO NOTHING",
        )
        .bind(&survey.id)
        .bind(i64::from(survey.version))
        .bind(definition)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        let stored = result.rows_affected() == 1;
        if stored {
            // The new version's rollups start empty and are built from the stored responses
            // (`build_rollups`); until then its reports read the responses.
            sqlx::query(
                "INSERT INTO rollup_state (survey_id, version, ready, cursor_at, cursor_id) \
                 VALUES ($1, $2, 0, NULL, NULL) ON CONFLICT (survey_id, version) DO NOTHING",
            )
            .bind(&survey.id)
            .bind(i64::from(survey.version))
            .execute(&mut *tx)
            .await?;
            audit.insert(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(stored)
    }

    /// A survey's given version, or its latest when `version` is `None`.
    pub async fn survey(&self, id: &str, version: Option<u32>) -> Result<Option<Survey>, AppError> {
        let row =
            match version {
                Some(v) => {
                    sqlx::query("SELECT definition FROM surveys WHERE id = $1 AND version = $2")
                        .bind(id)
                        .bind(i64::from(v))
                        .fetch_optional(&self.pool)
                        .await?
                }
                None => sqlx::query(
                    "SELECT definition FROM surveys WHERE id = $1 ORDER BY version DESC LIMIT 1",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
            };
        row.map(|row| {
            let text: String = row.get(0);
            // Stored definitions were validated when published, so a failure here is an
            // internal fault (a manual edit of the database), not the client's.
            serde_json::from_str(&text)
                .map_err(|e| AppError::Internal(format!("stored definition {id}: {e}")))
        })
        .transpose()
    }

    /// A published survey version, parsed once per process: published versions never change,
    /// so every later request for it (each response names its version) is answered from
    /// memory, without a query or a parse of the definition.
    pub async fn published(&self, id: &str, version: u32) -> Result<Option<Arc<Survey>>, AppError> {
        let key = (id.to_owned(), version);
        if let Some(survey) = self.definitions.lock().expect("not poisoned").get(&key) {
            return Ok(Some(survey.clone()));
        }
        let Some(survey) = self.survey(id, Some(version)).await? else {
            return Ok(None);
        };
        let survey = Arc::new(survey);
        self.definitions
            .lock()
            .expect("not poisoned")
            .insert(key, survey.clone());
        Ok(Some(survey))
    }

    /// Stores validated, scored responses in one transaction and says, per response (in the
    /// batch's order), whether it was new, a duplicate or a conflict. Nothing is acknowledged
    /// before the commit.
    ///
    /// Rows are written in the order of their ids, whatever the batch's order: each insert locks
    /// its id until the commit, so two batches sharing ids in opposite orders would otherwise
    /// each wait for the other, and PostgreSQL would end one with "deadlock detected". In one
    /// order, the later batch waits for the earlier and then finds its rows.
    pub async fn store_responses(
        &self,
        batch: &[(Response, ResponseScores)],
    ) -> Result<Vec<Stored>, AppError> {
        let _storing = Storing::new(&self.storing);
        let received = Utc::now();
        let rows = batch
            .iter()
            .map(|(response, scores)| {
                Ok(ResponseRow {
                    id: response.id.to_ascii_lowercase(),
                    survey_id: &response.survey_id,
                    version: i64::from(response.survey_version),
                    submitted_at: response.submitted_at.map(stored_time),
                    body: canonical(response)?,
                    scores: serde_json::to_string(scores)
                        .map_err(|e| AppError::Internal(format!("serialising scores: {e}")))?,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        // The first of each id in the batch is offered for insertion, in the order of the ids;
        // a later one with the same id is settled like a resubmission, against what is stored.
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by(|&a, &b| rows[a].id.cmp(&rows[b].id));
        let mut offered = order.clone();
        offered.dedup_by(|later, first| rows[*later].id == rows[*first].id);

        // The cases the batch would open, worked out before the transaction where this process
        // knows the rules already, so that the transaction only writes them.
        let mut prepared = BTreeMap::new();
        {
            let mut by_survey: BTreeMap<&str, Vec<(&Response, &ResponseScores)>> = BTreeMap::new();
            for (response, scores) in batch {
                by_survey
                    .entry(response.survey_id.as_str())
                    .or_default()
                    .push((response, scores));
            }
            for (survey_id, responses) in by_survey {
                if let Some(openings) = followup::prepare(self, survey_id, &responses, received) {
                    prepared.insert(survey_id, openings?);
                }
            }
        }
        let mut tx = self.pool.begin().await?;
        let received_at = received.to_rfc3339_opts(SecondsFormat::Millis, true);
        let (inserted, generation) =
            insert_responses(&mut tx, self.engine, &rows, &offered, &received_at).await?;
        // What is stored under each id that was not inserted now, to tell a duplicate (the
        // same body) from a conflict; a later copy within the batch compares with the first.
        let mut stored_body: HashMap<&str, String> = HashMap::new();
        let missing: Vec<&str> = offered
            .iter()
            .map(|&i| rows[i].id.as_str())
            .filter(|id| !inserted.contains(*id))
            .collect();
        for chunk in missing.chunks(BODY_CHUNK) {
            let mut next = Placeholders::new(self.engine);
            let list = next.list(chunk.len());
            let sql = format!("SELECT id, body FROM responses WHERE id IN ({})", list);
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(&mut *tx).await? {
                let id: String = row.get(0);
                if let Some(&id) = chunk.iter().find(|c| **c == id) {
                    stored_body.insert(id, row.get(1));
                }
            }
        }
        let mut outcome = vec![Stored::Inserted; rows.len()];
        let mut first = 0;
        for (position, &index) in order.iter().enumerate() {
            let row = &rows[index];
            if position == 0 || rows[order[position - 1]].id != row.id {
                first = index;
                if inserted.contains(&row.id) {
                    continue;
                }
            }
            let existing = if inserted.contains(&row.id) {
                Some(rows[first].body.as_str())
            } else {
                stored_body.get(row.id.as_str()).map(String::as_str)
            };
            outcome[index] = match existing {
                Some(body) if body == row.body => Stored::Duplicate,
                Some(_) => Stored::Conflict,
                None => {
                    return Err(AppError::Internal(format!(
                        "response {} neither inserted nor found",
                        row.id
                    )));
                }
            };
        }

        // The new responses are listed for their surveys' rollups in this transaction: stored
        // and listed together, or neither (a folder adds them to the rollups after the commit;
        // on PostgreSQL the statement that inserted them listed them). So are their cases and
        // webhook deliveries: a response that was stored has had its rules evaluated and its
        // events queued, and a duplicate, stored before, has neither again.
        let mut by_survey: BTreeMap<&str, Vec<(&Response, &ResponseScores)>> = BTreeMap::new();
        for ((response, scores), stored) in batch.iter().zip(&outcome) {
            if *stored == Stored::Inserted {
                by_survey
                    .entry(response.survey_id.as_str())
                    .or_default()
                    .push((response, scores));
            }
        }
        let generation = match generation {
            Some(generation) => generation,
            None if by_survey.is_empty() => 0,
            None => followup::generation(&mut tx).await?,
        };
        let mut listed = Vec::new();
        let mut followed = Followed::default();
        for (survey_id, stored) in by_survey {
            let responses: Vec<&Response> = stored.iter().map(|(r, _)| *r).collect();
            if self.engine == Engine::Sqlite {
                rollup::pend(self, &mut tx, survey_id, &responses).await?;
            }
            listed.extend(rollup::new_meta_keys(self, &mut tx, survey_id, &responses).await?);
            let prepared = prepared.remove(survey_id);
            let f = followup::on_stored(
                self, &mut tx, survey_id, &stored, received, generation, prepared,
            )
            .await?;
            followed.cases += f.cases;
            followed.deliveries += f.deliveries;
        }
        tx.commit().await?;
        if outcome.contains(&Stored::Inserted) {
            self.rollups_waiting.notify_one();
        }
        if followed.deliveries > 0 {
            self.webhooks_waiting.notify_one();
        }
        self.known_meta_keys
            .lock()
            .expect("not poisoned")
            .extend(listed);
        Ok(outcome)
    }

    /// Stores a new token's hash under a name, with its role and survey scope, and records it.
    pub async fn add_token(
        &self,
        staff: &Staff,
        hash: &str,
        audit: &AuditRecord,
    ) -> Result<(), AppError> {
        let surveys = staff
            .surveys
            .as_ref()
            .map(|list| serde_json::to_string(list).expect("a list of strings serialises"));
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO tokens (id, name, hash, created_at, role, surveys) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&staff.id)
        .bind(&staff.name)
        .bind(hash)
        .bind(now())
        .bind(staff.role.as_str())
        .bind(surveys)
        .execute(&mut *tx)
        .await?;
        audit.insert(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every token, oldest first.
    pub async fn tokens(&self) -> Result<Vec<TokenInfo>, AppError> {
        let rows = sqlx::query(
            "SELECT id, name, created_at, revoked_at, role, surveys FROM tokens ORDER BY created_at",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(TokenInfo {
                    id: row.get(0),
                    name: row.get(1),
                    created_at: row.get(2),
                    revoked_at: row.get(3),
                    role: Role::from(row.get::<String, _>(4)),
                    surveys: survey_scope(row.get(5))?,
                })
            })
            .collect()
    }

    /// Revokes a token by id, and records it; returns whether a live token was revoked.
    pub async fn revoke_token(&self, id: &str, audit: &AuditRecord) -> Result<bool, AppError> {
        let mut tx = self.pool.begin().await?;
        let result =
            sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(now())
                .bind(id)
                .execute(&mut *tx)
                .await?;
        let revoked = result.rows_affected() == 1;
        if revoked {
            audit.insert(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(revoked)
    }

    /// The live token with this hash: who it is and what it may do.
    pub async fn staff(&self, hash: &str) -> Result<Option<Staff>, AppError> {
        let row = sqlx::query(
            "SELECT id, name, role, surveys FROM tokens WHERE hash = $1 AND revoked_at IS NULL",
        )
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(Staff {
                id: row.get(0),
                name: row.get(1),
                role: Role::from(row.get::<String, _>(2)),
                surveys: survey_scope(row.get(3))?,
            })
        })
        .transpose()
    }

    /// Writes an audit record on its own, for actions that change nothing stored (exports).
    pub async fn record(&self, audit: &AuditRecord) -> Result<(), AppError> {
        let mut conn = self.pool.acquire().await?;
        audit.insert(&mut conn).await
    }

    /// A page of the audit log, newest first: entries older than `before`, about one survey or
    /// (for a token limited to some surveys) about those, at most `limit`.
    pub async fn audit_page(
        &self,
        before: Option<&str>,
        surveys: Option<&[String]>,
        limit: u32,
    ) -> Result<AuditPage, AppError> {
        // The conditions are added only when present: PostgreSQL cannot type a parameter that
        // is only compared with NULL, so `$1 IS NULL OR …` does not work on both engines.
        let mut conditions = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        if let Some(before) = before {
            binds.push(before.to_owned());
            conditions.push(format!("id < ${}", binds.len()));
        }
        if let Some(surveys) = surveys {
            if surveys.is_empty() {
                return Ok(AuditPage {
                    entries: Vec::new(),
                    next: None,
                });
            }
            let mut placeholders = Vec::new();
            for survey in surveys {
                binds.push(survey.clone());
                placeholders.push(format!("${}", binds.len()));
            }
            conditions.push(format!("survey_id IN ({})", placeholders.join(", ")));
        }
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        // One more than the page, to know whether there is a next one.
        let sql = format!(
            "SELECT id, at, token_id, actor, action, survey_id, detail FROM audit_log {filter} \
             ORDER BY id DESC LIMIT {}",
            u64::from(limit) + 1
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for bind in binds {
            query = query.bind(bind);
        }
        let rows = query.fetch_all(&self.pool).await?;
        let mut entries: Vec<AuditEntry> = rows
            .iter()
            .map(|row| AuditEntry {
                id: row.get(0),
                at: row.get(1),
                token_id: row.get(2),
                actor: row.get(3),
                action: AuditAction::from(row.get::<String, _>(4)),
                survey_id: row.get(5),
                detail: row.get(6),
            })
            .collect();
        let next = if entries.len() > limit as usize {
            entries.truncate(limit as usize);
            entries.last().map(|entry| entry.id.clone())
        } else {
            None
        };
        Ok(AuditPage { entries, next })
    }

    /// Every survey's latest version with its number of versions and responses and its allowed
    /// origins.
    pub async fn surveys(&self) -> Result<Vec<SurveySummary>, AppError> {
        let mut origins: HashMap<String, Vec<String>> = HashMap::new();
        for row in
            sqlx::query("SELECT survey_id, origin FROM survey_origins ORDER BY survey_id, position")
                .fetch_all(&self.pool)
                .await?
        {
            origins.entry(row.get(0)).or_default().push(row.get(1));
        }
        // The count of responses adds up the complete rollups' days (a few hundred rows) and
        // the responses not folded into them yet, and counts the responses only while the
        // rollups are being built.
        let rows = sqlx::query(
            "SELECT s.id, s.definition, v.versions, \
                    CASE WHEN EXISTS (SELECT 1 FROM rollup_state st \
                                      WHERE st.survey_id = s.id AND st.ready = 1) \
                    THEN (SELECT COALESCE(CAST(SUM(r.n) AS BIGINT), 0) FROM rollups r \
                          JOIN rollup_state st ON st.survey_id = r.survey_id \
                            AND st.version = r.version AND st.ready = 1 \
                          WHERE r.survey_id = s.id AND r.seg_key = '' AND r.grain IN (2, 3)) \
                         + (SELECT COUNT(*) FROM rollup_pending p WHERE p.survey_id = s.id) \
                    ELSE (SELECT COUNT(*) FROM responses r WHERE r.survey_id = s.id) END \
             FROM surveys s \
             JOIN (SELECT id, MAX(version) AS latest, COUNT(*) AS versions FROM surveys GROUP BY id) v \
               ON v.id = s.id AND v.latest = s.version \
             ORDER BY s.id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let id: String = row.get(0);
                let definition: String = row.get(1);
                let survey: Survey = serde_json::from_str(&definition)
                    .map_err(|e| AppError::Internal(format!("stored definition {id}: {e}")))?;
                Ok(SurveySummary {
                    allowed_origins: origins.remove(&id).unwrap_or_default(),
                    id,
                    version: survey.version,
                    title: survey.title,
                    versions: row.get(2),
                    responses: row.get(3),
                })
            })
            .collect()
    }

    /// Whether any version of a survey is published.
    pub async fn survey_exists(&self, id: &str) -> Result<bool, AppError> {
        Ok(sqlx::query("SELECT 1 FROM surveys WHERE id = $1 LIMIT 1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .is_some())
    }

    /// A survey's allowed origins, in the order staff gave them; empty when it has none (or
    /// does not exist).
    pub async fn allowed_origins(&self, survey_id: &str) -> Result<Vec<String>, AppError> {
        let rows =
            sqlx::query("SELECT origin FROM survey_origins WHERE survey_id = $1 ORDER BY position")
                .bind(survey_id)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.iter().map(|row| row.get(0)).collect())
    }

    /// Replaces a survey's allowed origins (already validated and normalised) in one
    /// transaction, so a reader sees the old list or the new one, never a mix.
    pub async fn set_allowed_origins(
        &self,
        survey_id: &str,
        origins: &[String],
        audit: &AuditRecord,
    ) -> Result<(), AppError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM survey_origins WHERE survey_id = $1")
            .bind(survey_id)
            .execute(&mut *tx)
            .await?;
        for (position, origin) in origins.iter().enumerate() {
            sqlx::query(
                "INSERT INTO survey_origins (survey_id, origin, position) VALUES ($1, $2, $3)",
            )
            .bind(survey_id)
            .bind(origin)
            .bind(position as i64)
            .execute(&mut *tx)
            .await?;
        }
        audit.insert(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A survey's targets, in the order staff gave them; empty when it has none.
    pub async fn targets(&self, survey_id: &str) -> Result<Vec<Target>, AppError> {
        let row = sqlx::query("SELECT targets FROM survey_targets WHERE survey_id = $1")
            .bind(survey_id)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            None => Ok(Vec::new()),
            Some(row) => {
                let text: String = row.get(0);
                serde_json::from_str(&text)
                    .map_err(|e| AppError::Internal(format!("stored targets: {e}")))
            }
        }
    }

    /// Replaces a survey's targets (already validated), and records it.
    pub async fn set_targets(
        &self,
        survey_id: &str,
        targets: &[Target],
        audit: &AuditRecord,
    ) -> Result<(), AppError> {
        let text = serde_json::to_string(targets)
            .map_err(|e| AppError::Internal(format!("serialising targets: {e}")))?;
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO survey_targets (survey_id, targets, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (survey_id) DO UPDATE SET targets = excluded.targets, \
             updated_at = excluded.updated_at",
        )
        .bind(survey_id)
        .bind(text)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        audit.insert(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether any survey lists an origin.
    pub async fn origin_listed(&self, origin: &str) -> Result<bool, AppError> {
        Ok(
            sqlx::query("SELECT 1 FROM survey_origins WHERE origin = $1 LIMIT 1")
                .bind(origin)
                .fetch_optional(&self.pool)
                .await?
                .is_some(),
        )
    }

    /// Calls `f` with every stored response to a survey (any version), oldest submission
    /// first, one at a time: the rows come from the database as a stream, so memory stays flat
    /// whatever the number of responses.
    pub async fn each_response(
        &self,
        survey_id: &str,
        mut f: impl FnMut(&Response),
    ) -> Result<(), AppError> {
        use futures_util::TryStreamExt;
        let mut rows = sqlx::query(
            "SELECT body FROM responses WHERE survey_id = $1 ORDER BY submitted_at, id",
        )
        .bind(survey_id)
        .fetch(&self.pool);
        while let Some(row) = rows.try_next().await? {
            let body: &str = row.get(0);
            let response: Response = serde_json::from_str(body)
                .map_err(|e| AppError::Internal(format!("stored response: {e}")))?;
            f(&response);
        }
        Ok(())
    }

    /// Calls `f` with the stored responses to a survey, newest submission first (at one
    /// instant by id, descending: the index read backwards; undated ones last, by id), while
    /// it returns true: the responses a search for the newest answers needs. With a bound,
    /// only responses near the period (`f` checks it exactly) and no undated ones.
    pub async fn each_response_newest_first(
        &self,
        survey_id: &str,
        from: Option<chrono::DateTime<chrono::FixedOffset>>,
        to: Option<chrono::DateTime<chrono::FixedOffset>>,
        mut f: impl FnMut(&Response) -> bool,
    ) -> Result<(), AppError> {
        // Pages of a few hundred, each after the last one's (submitted_at, id): a query left
        // unfinished is still read to its end by the driver when its connection is returned,
        // which for an open-ended query is every response.
        const PAGE: i64 = 500;
        // Stored times are cut to the millisecond, so the bounds are cut too and `to` is
        // taken inclusively: the rows read hold every response of the period.
        let from = from.map(stored_time).unwrap_or_default();
        let bounded = !from.is_empty() || to.is_some();
        // Past any stored time: they all start with a four-digit year.
        let mut last = (to.map(stored_time).unwrap_or_else(|| "a".to_owned()), None);
        loop {
            let rows: Vec<(String, String, String)> = match &last {
                (at, None) => {
                    sqlx::query_as(
                        "SELECT submitted_at, id, body FROM responses WHERE survey_id = $1 \
                         AND submitted_at >= $2 AND submitted_at <= $3 \
                         ORDER BY submitted_at DESC, id DESC LIMIT $4",
                    )
                    .bind(survey_id)
                    .bind(&from)
                    .bind(at)
                    .bind(PAGE)
                    .fetch_all(&self.pool)
                    .await?
                }
                (at, Some(id)) => {
                    sqlx::query_as(
                        "SELECT submitted_at, id, body FROM responses WHERE survey_id = $1 \
                         AND submitted_at >= $2 AND submitted_at <= $3 \
                         AND (submitted_at < $3 OR id < $4) \
                         ORDER BY submitted_at DESC, id DESC LIMIT $5",
                    )
                    .bind(survey_id)
                    .bind(&from)
                    .bind(at)
                    .bind(id)
                    .bind(PAGE)
                    .fetch_all(&self.pool)
                    .await?
                }
            };
            let full = rows.len() as i64 == PAGE;
            for (_, _, body) in &rows {
                if !f(&parse_body(body)?) {
                    return Ok(());
                }
            }
            match rows.into_iter().last() {
                Some((at, id, _)) if full => last = (at, Some(id)),
                _ => break,
            }
        }
        if !bounded {
            let mut after = String::new();
            loop {
                let rows: Vec<(String, String)> = sqlx::query_as(
                    "SELECT id, body FROM responses WHERE survey_id = $1 \
                     AND submitted_at IS NULL AND id > $2 ORDER BY id LIMIT $3",
                )
                .bind(survey_id)
                .bind(&after)
                .bind(PAGE)
                .fetch_all(&self.pool)
                .await?;
                let full = rows.len() as i64 == PAGE;
                for (_, body) in &rows {
                    if !f(&parse_body(body)?) {
                        return Ok(());
                    }
                }
                match rows.into_iter().last() {
                    Some((id, _)) if full => after = id,
                    _ => break,
                }
            }
        }
        Ok(())
    }

    /// The survey a stored response answers.
    pub async fn response_survey(&self, id: &str) -> Result<Option<String>, AppError> {
        Ok(sqlx::query("SELECT survey_id FROM responses WHERE id = $1")
            .bind(id.to_ascii_lowercase())
            .fetch_optional(&self.pool)
            .await?
            .map(|row| row.get(0)))
    }

    /// Deletes a response, and records it; returns whether it existed. The response leaves
    /// its survey's rollups (or their pending list) in the same transaction.
    pub async fn delete_response(&self, id: &str, audit: &AuditRecord) -> Result<bool, AppError> {
        let mut tx = self.pool.begin().await?;
        let body: Option<String> =
            sqlx::query_scalar("DELETE FROM responses WHERE id = $1 RETURNING body")
                .bind(id.to_ascii_lowercase())
                .fetch_optional(&mut *tx)
                .await?;
        let Some(body) = body else {
            return Ok(false);
        };
        let response: Response = serde_json::from_str(&body)
            .map_err(|e| AppError::Internal(format!("stored response: {e}")))?;
        rollup::remove(self, &mut tx, &response).await?;
        audit.insert(&mut tx).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The report of `options` from the rollups of the plan's survey version, or `None` when
    /// it must read the responses instead: the rollups are still being built, or the options
    /// filter or break down by a key the survey does not declare.
    pub async fn rollup_report(
        &self,
        plan: &Plan<'_>,
        options: ReportOptions,
    ) -> Result<Option<Report>, AppError> {
        rollup::report(self, plan, options).await
    }

    /// Makes sure every survey's latest version has rollups, and builds those that are not
    /// complete, a step at a time; returns the versions it completed. Several servers may
    /// build at once: each step moves the shared cursor under a lock.
    pub async fn build_rollups(&self) -> Result<Vec<(String, u32)>, AppError> {
        sqlx::query(
            "INSERT INTO rollup_state (survey_id, version, ready, cursor_at, cursor_id) \
             SELECT id, MAX(version), 0, NULL, NULL FROM surveys WHERE true GROUP BY id \
             ON CONFLICT (survey_id, version) DO NOTHING",
        )
        .execute(&self.pool)
        .await?;
        let pending: Vec<(String, i64)> = sqlx::query_as(
            "SELECT survey_id, version FROM rollup_state r WHERE ready = 0 AND version = \
             (SELECT MAX(version) FROM surveys s WHERE s.id = r.survey_id) ORDER BY survey_id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut built = Vec::new();
        for (survey_id, version) in pending {
            let version = u32::try_from(version)
                .map_err(|_| AppError::Internal(format!("stored version {version}")))?;
            while !rollup::step(self, &survey_id, version).await? {}
            built.push((survey_id, version));
        }
        if !built.is_empty() {
            self.analyze_rollups().await?;
        }
        Ok(built)
    }

    /// Runs [`Db::build_rollups`] in the background, logging what it completes, or why it
    /// stopped (reports read the responses until the rollups are complete).
    pub fn spawn_rollup_builds(&self) {
        let db = self.clone();
        tokio::spawn(async move {
            match db.build_rollups().await {
                Ok(built) => {
                    for (survey, version) in built {
                        tracing::info!(%survey, version, "rollups complete");
                    }
                }
                Err(error) => tracing::warn!(
                    %error,
                    "building rollups stopped; reports read the responses until they are \
                     complete (run `manyi rollup rebuild`, or restart the server)"
                ),
            }
        });
    }

    /// Folds every response listed as pending into its survey's rollups; returns how many.
    /// Reports are exact before and after: they add the pending responses themselves.
    pub async fn fold_rollups(&self) -> Result<usize, AppError> {
        rollup::fold_all(self).await
    }

    /// Folds pending responses into the rollups, and so announces them to webhooks, until the
    /// process ends: as soon as this process stores some, and every second (for those other
    /// processes stored and did not fold, for instance because they stopped), at most once
    /// per [`FOLD_GATHER`].
    ///
    /// Under load the responses of many batches gather meanwhile, so one fold takes them all,
    /// writes each busy row once and commits once. Folding at every commit made the folder's
    /// transactions alternate with the batches' (on SQLite each a synced write under the one
    /// write lock), which cost single responses 40% of their rate. A response stored after a
    /// quiet spell is folded, and its `response.created` queued, at once. Reports add what is
    /// pending meanwhile, so the wait costs no exactness.
    pub fn spawn_folder(&self) {
        let db = self.clone();
        tokio::spawn(async move {
            loop {
                let folded = tokio::time::Instant::now();
                if let Err(error) = db.fold_rollups().await {
                    tracing::warn!(%error, "folding responses into the rollups; trying again");
                }
                tokio::select! {
                    () = db.rollups_waiting.notified() => {}
                    () = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
                }
                tokio::time::sleep_until(folded + FOLD_GATHER).await;
            }
        });
    }

    /// Builds a survey's rollups again from its stored responses (for its latest version),
    /// and returns that version.
    pub async fn rebuild_rollups(&self, survey_id: &str) -> Result<u32, AppError> {
        let survey = self
            .survey(survey_id, None)
            .await?
            .ok_or_else(|| AppError::not_found(format!("no survey {survey_id:?}")))?;
        rollup::reset(self, survey_id, survey.version).await?;
        while !rollup::step(self, survey_id, survey.version).await? {}
        rollup::fold_all(self).await?;
        self.analyze_rollups().await?;
        Ok(survey.version)
    }

    /// Refreshes PostgreSQL's statistics of the rollups after a build wrote many rows: without
    /// them it read one branch's rows through the index of all branches (660 ms instead of
    /// 20 ms at 10,000,000 responses). Autovacuum would, later.
    async fn analyze_rollups(&self) -> Result<(), AppError> {
        if self.engine == Engine::Postgres {
            sqlx::query("ANALYZE rollups").execute(&self.pool).await?;
        }
        Ok(())
    }

    async fn definition(
        &self,
        conn: &mut AnyConnection,
        survey_id: &str,
        version: u32,
    ) -> Result<Arc<Survey>, AppError> {
        rollup::definition(self, conn, survey_id, version).await
    }

    pub async fn count_responses(&self, survey_id: &str) -> Result<i64, AppError> {
        Ok(
            sqlx::query("SELECT COUNT(*) FROM responses WHERE survey_id = $1")
                .bind(survey_id)
                .fetch_one(&self.pool)
                .await?
                .get(0),
        )
    }

    /// The stored scores of responses, by id (for checks that the server scored them itself).
    pub async fn stored_scores(
        &self,
        ids: &[&str],
    ) -> Result<HashMap<String, ResponseScores>, AppError> {
        let mut out = HashMap::new();
        for id in ids {
            if let Some(row) = sqlx::query("SELECT scores FROM responses WHERE id = $1")
                .bind(id.to_ascii_lowercase())
                .fetch_optional(&self.pool)
                .await?
            {
                let text: String = row.get(0);
                let scores = serde_json::from_str(&text)
                    .map_err(|e| AppError::Internal(format!("stored scores of {id}: {e}")))?;
                out.insert((*id).to_owned(), scores);
            }
        }
        Ok(out)
    }

    /// A survey's stored responses as one read-only transaction sees them, for an export, which
    /// reads them twice: its columns depend on the `meta` keys of every response, so a response
    /// stored between the two readings must not appear in the second. PostgreSQL is asked for
    /// repeatable read (its default, read committed, gives each statement a newer view); a
    /// SQLite transaction in WAL mode reads one snapshot from its first read to its end. The
    /// snapshot holds one connection of the pool until it is dropped.
    pub async fn response_snapshot(&self, survey_id: &str) -> Result<ResponseSnapshot, AppError> {
        let mut tx = self.pool.begin().await?;
        if self.engine == Engine::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await?;
        }
        Ok(ResponseSnapshot {
            tx,
            survey_id: survey_id.to_owned(),
        })
    }
}

/// A survey's stored responses in one transaction (see [`Db::response_snapshot`]); dropping it
/// ends the transaction, which only read.
pub struct ResponseSnapshot {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    survey_id: String,
}

impl std::fmt::Debug for ResponseSnapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseSnapshot")
            .field("survey_id", &self.survey_id)
            .finish_non_exhaustive()
    }
}

impl ResponseSnapshot {
    /// The number of responses and every `meta` key any of them has. Only the keys are read
    /// from each stored response (its other fields are skipped, not built), and the rows come
    /// as a stream, so memory holds the keys and one row.
    pub async fn meta_keys(
        &mut self,
    ) -> Result<(u64, std::collections::BTreeSet<String>), AppError> {
        use futures_util::TryStreamExt;
        use std::collections::{BTreeMap, BTreeSet};
        #[derive(serde::Deserialize)]
        struct MetaKeys {
            #[serde(default)]
            meta: BTreeMap<String, serde::de::IgnoredAny>,
        }
        let mut rows = sqlx::query("SELECT body FROM responses WHERE survey_id = $1")
            .bind(self.survey_id.as_str())
            .fetch(&mut *self.tx);
        let mut count = 0;
        let mut keys = BTreeSet::new();
        while let Some(row) = rows.try_next().await? {
            let body: &str = row.get(0);
            let MetaKeys { meta } = serde_json::from_str(body)
                .map_err(|e| AppError::Internal(format!("stored response: {e}")))?;
            count += 1;
            for (key, _) in meta {
                if !keys.contains(&key) {
                    keys.insert(key);
                }
            }
        }
        Ok((count, keys))
    }

    /// The responses, oldest submission first, as a stream of rows from the database.
    pub fn responses(
        &mut self,
    ) -> impl futures_util::Stream<Item = Result<Response, AppError>> + Send + '_ {
        use futures_util::StreamExt;
        sqlx::query("SELECT body FROM responses WHERE survey_id = $1 ORDER BY submitted_at, id")
            .bind(self.survey_id.as_str())
            .fetch(&mut *self.tx)
            .map(|row| parse_body(row?.get(0)))
    }
}

/// The response as stored: its fields in a fixed order and its maps sorted, so the same
/// response always gives the same text and re-sends compare equal. The id is lower-cased, as
/// UUIDs compare case-insensitively.
/// Counts a batch being stored for as long as it lives, whichever way storing ends.
struct Storing<'a>(&'a std::sync::atomic::AtomicUsize);

impl<'a> Storing<'a> {
    fn new(count: &'a std::sync::atomic::AtomicUsize) -> Self {
        count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Storing(count)
    }
}

impl Drop for Storing<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// One response as it is stored.
struct ResponseRow<'a> {
    /// Lower case: ids are compared without case.
    id: String,
    survey_id: &'a str,
    version: i64,
    submitted_at: Option<String>,
    body: String,
    scores: String,
}

/// Responses inserted per statement (7 parameters each, far below both engines' limits).
const INSERT_CHUNK: usize = 500;
/// Ids whose stored bodies are read per statement.
const BODY_CHUNK: usize = 500;

/// Inserts the offered rows in the given order (the ids' order), skipping every id already
/// stored, a few statements for the whole batch; returns the ids inserted and the follow-up
/// generation (see `followup::Settings`), read by the same statement (`None` when it inserted
/// nothing, on SQLite). On PostgreSQL that statement also lists the inserted responses as
/// pending for the rollups, so a single response's transaction makes no more round trips than
/// before rollups and follow-up existed.
async fn insert_responses(
    conn: &mut AnyConnection,
    engine: Engine,
    rows: &[ResponseRow<'_>],
    offered: &[usize],
    received_at: &str,
) -> Result<(HashSet<String>, Option<i64>), AppError> {
    let mut inserted = HashSet::with_capacity(offered.len());
    let mut generation = None;
    for chunk in offered.chunks(INSERT_CHUNK) {
        let mut next = Placeholders::new(engine);
        let tuples: Vec<String> = chunk
            .iter()
            .map(|_| format!("({})", next.list(7)))
            .collect();
        let insert = format!(
            "INSERT INTO responses (id, survey_id, survey_version, submitted_at, received_at, body, scores) \
             VALUES {} ON CONFLICT (id) DO NOTHING",
            tuples.join(", ")
        );
        let sql = match engine {
            Engine::Sqlite => format!(
                "{insert} RETURNING id, \
                 (SELECT generation FROM followup_generation WHERE id = 1)"
            ),
            Engine::Postgres => format!(
                "WITH stored AS ({insert} RETURNING id, survey_id), \
                 listed AS (INSERT INTO rollup_pending (survey_id, response_id) \
                   SELECT survey_id, id FROM stored ON CONFLICT (survey_id, response_id) DO NOTHING) \
                 SELECT stored.id, g.generation FROM followup_generation g \
                 LEFT JOIN stored ON TRUE WHERE g.id = 1"
            ),
        };
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for &index in chunk {
            let row = &rows[index];
            query = query
                .bind(&row.id)
                .bind(row.survey_id)
                .bind(row.version)
                .bind(&row.submitted_at)
                .bind(received_at)
                .bind(&row.body)
                .bind(&row.scores);
        }
        for row in query.fetch_all(&mut *conn).await? {
            if let Some(id) = row.get::<Option<String>, _>(0) {
                inserted.insert(id);
            }
            generation = row.get::<Option<i64>, _>(1).or(generation);
        }
    }
    Ok((inserted, generation))
}

fn canonical(response: &Response) -> Result<String, AppError> {
    let mut response = response.clone();
    response.id = response.id.to_ascii_lowercase();
    serde_json::to_string(&response)
        .map_err(|e| AppError::Internal(format!("serialising a response: {e}")))
}

fn parse_body(body: &str) -> Result<Response, AppError> {
    serde_json::from_str(body).map_err(|e| AppError::Internal(format!("stored response: {e}")))
}

/// A token's stored survey scope: a JSON list, or NULL for every survey.
fn survey_scope(stored: Option<String>) -> Result<Option<Vec<String>>, AppError> {
    stored
        .map(|text| {
            serde_json::from_str(&text)
                .map_err(|e| AppError::Internal(format!("stored token scope: {e}")))
        })
        .transpose()
}

fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then_some(path)
}
