//! Storage: SQLite (embedded, the default) or PostgreSQL, chosen by the database URL.
//!
//! Both go through sqlx's `Any` driver with one set of portable migrations (`migrations/`):
//! the schema uses only TEXT and BIGINT, and queries use `$n` placeholders, which both engines
//! accept. SQLite runs in WAL mode with `synchronous = FULL`, so a response acknowledged to a
//! client has been committed to disk.

use std::collections::HashMap;

use chrono::{SecondsFormat, Utc};
use manyi_api::SurveySummary;
use manyi_core::targets::Target;
use manyi_core::{Response, ResponseScores, Survey};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Row};

use crate::error::AppError;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A staff token as listed (never the token itself).
#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenInfo {
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

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
}

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

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
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
        Ok(Db { pool, engine })
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Stores a survey version unless that version exists; returns whether it was stored.
    pub async fn publish(&self, survey: &Survey) -> Result<bool, AppError> {
        let definition = serde_json::to_string(survey)
            .map_err(|e| AppError::Internal(format!("serialising a survey: {e}")))?;
        let result = sqlx::query(
            "INSERT INTO surveys (id, version, definition, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id, version) DO NOTHING",
        )
        .bind(&survey.id)
        .bind(i64::from(survey.version))
        .bind(definition)
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() == 1)
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
        let mut order: Vec<usize> = (0..batch.len()).collect();
        order.sort_by_cached_key(|&i| batch[i].0.id.to_ascii_lowercase());
        let mut tx = self.pool.begin().await?;
        let received_at = now();
        let mut outcome = vec![Stored::Inserted; batch.len()];
        for index in order {
            let (response, scores) = &batch[index];
            let body = canonical(response)?;
            let scores = serde_json::to_string(scores)
                .map_err(|e| AppError::Internal(format!("serialising scores: {e}")))?;
            let submitted_at = response.submitted_at.map(|t| {
                t.with_timezone(&Utc)
                    .to_rfc3339_opts(SecondsFormat::Millis, true)
            });
            let inserted = sqlx::query(
                "INSERT INTO responses (id, survey_id, survey_version, submitted_at, received_at, body, scores) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING",
            )
            .bind(response.id.to_ascii_lowercase())
            .bind(&response.survey_id)
            .bind(i64::from(response.survey_version))
            .bind(submitted_at)
            .bind(&received_at)
            .bind(&body)
            .bind(scores)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            let stored = if inserted {
                Stored::Inserted
            } else {
                let existing: String = sqlx::query("SELECT body FROM responses WHERE id = $1")
                    .bind(response.id.to_ascii_lowercase())
                    .fetch_one(&mut *tx)
                    .await?
                    .get(0);
                if existing == body {
                    Stored::Duplicate
                } else {
                    Stored::Conflict
                }
            };
            outcome[index] = stored;
        }
        tx.commit().await?;
        Ok(outcome)
    }

    /// Stores a new token's hash under a name.
    pub async fn add_token(&self, id: &str, name: &str, hash: &str) -> Result<(), AppError> {
        sqlx::query("INSERT INTO tokens (id, name, hash, created_at) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(name)
            .bind(hash)
            .bind(now())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Every token: (id, name, created_at, revoked_at).
    pub async fn tokens(&self) -> Result<Vec<TokenInfo>, AppError> {
        let rows =
            sqlx::query("SELECT id, name, created_at, revoked_at FROM tokens ORDER BY created_at")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .iter()
            .map(|row| TokenInfo {
                id: row.get(0),
                name: row.get(1),
                created_at: row.get(2),
                revoked_at: row.get(3),
            })
            .collect())
    }

    /// Revokes a token by id; returns whether a live token was revoked.
    pub async fn revoke_token(&self, id: &str) -> Result<bool, AppError> {
        let result =
            sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(now())
                .bind(id)
                .execute(&self.pool)
                .await?;
        Ok(result.rows_affected() == 1)
    }

    /// The name of the live token with this hash.
    pub async fn token_name(&self, hash: &str) -> Result<Option<String>, AppError> {
        Ok(
            sqlx::query("SELECT name FROM tokens WHERE hash = $1 AND revoked_at IS NULL")
                .bind(hash)
                .fetch_optional(&self.pool)
                .await?
                .map(|row| row.get(0)),
        )
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
        let rows = sqlx::query(
            "SELECT s.id, s.definition, v.versions, \
                    (SELECT COUNT(*) FROM responses r WHERE r.survey_id = s.id) \
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

    /// Replaces a survey's targets (already validated).
    pub async fn set_targets(&self, survey_id: &str, targets: &[Target]) -> Result<(), AppError> {
        let text = serde_json::to_string(targets)
            .map_err(|e| AppError::Internal(format!("serialising targets: {e}")))?;
        sqlx::query(
            "INSERT INTO survey_targets (survey_id, targets, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (survey_id) DO UPDATE SET targets = excluded.targets, \
             updated_at = excluded.updated_at",
        )
        .bind(survey_id)
        .bind(text)
        .bind(now())
        .execute(&self.pool)
        .await?;
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

    /// Every stored response to a survey (any version), oldest submission first.
    pub async fn responses(&self, survey_id: &str) -> Result<Vec<Response>, AppError> {
        let rows = sqlx::query(
            "SELECT body FROM responses WHERE survey_id = $1 ORDER BY submitted_at, id",
        )
        .bind(survey_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let body: String = row.get(0);
                serde_json::from_str(&body)
                    .map_err(|e| AppError::Internal(format!("stored response: {e}")))
            })
            .collect()
    }

    /// Deletes a response; returns whether it existed.
    pub async fn delete_response(&self, id: &str) -> Result<bool, AppError> {
        let result = sqlx::query("DELETE FROM responses WHERE id = $1")
            .bind(id.to_ascii_lowercase())
            .execute(&self.pool)
            .await?;
        Ok(result.rows_affected() == 1)
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
}

/// The response as stored: its fields in a fixed order and its maps sorted, so the same
/// response always gives the same text and re-sends compare equal. The id is lower-cased, as
/// UUIDs compare case-insensitively.
fn canonical(response: &Response) -> Result<String, AppError> {
    let mut response = response.clone();
    response.id = response.id.to_ascii_lowercase();
    serde_json::to_string(&response)
        .map_err(|e| AppError::Internal(format!("serialising a response: {e}")))
}

fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then_some(path)
}
