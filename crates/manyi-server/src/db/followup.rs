//! Closing the loop in the database: alert rules, the follow-up cases they open, their
//! timelines, and the webhook deliveries every event writes (a transactional outbox).
//!
//! Cases and deliveries are written in the transaction of the event they come from: the batch
//! that stores a response opens its case and queues its deliveries, and a staff change to a
//! case writes its timeline entry, its new state and its deliveries together. So a crash keeps
//! all of an event or none of it, and a duplicate response, which stores nothing, opens no case
//! and sends nothing.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Utc};
use manyi_api::{
    Case, CaseCursor, CaseEvent as WireEvent, CasePage, CaseStatus as WireStatus, CaseSummary,
    CaseView, Contact, Delivery, DeliveryPage, DeliveryStatus, OwnerFilter, WebhookEndpoint,
    WebhookEvent,
};
use manyi_core::alerts::{AlertRule, FiredRule, RuleSet, Severity, case_for};
use manyi_core::cases::{CaseEvent, CaseFacts, CaseStatus, EventKind, due_at};
use manyi_core::score::Plan;
use manyi_core::{Response, ResponseScores};
use sqlx::{AnyConnection, Row};

use super::{Db, Engine, Placeholders, stored_time};
use crate::error::AppError;
use crate::token::{hex, random};

/// Who opens cases: the server itself, as the timeline shows it.
pub const SERVER_ACTOR: &str = "manyi";

/// A new id, prefixed by what it names (`case_`, `msg_`, `ep_`): 16 bytes as hex, the first 6
/// the milliseconds since 1970 and the other 10 random. Ids made later sort later, so the
/// primary keys of cases and deliveries, written many to a batch, grow at the end of their
/// indexes instead of at random places in them.
pub(super) fn new_id(prefix: &str) -> Result<String, AppError> {
    let millis = u64::try_from(Utc::now().timestamp_millis()).unwrap_or_default();
    let mut bytes = [0u8; 16];
    bytes[..6].copy_from_slice(&millis.to_be_bytes()[2..]);
    bytes[6..].copy_from_slice(&random::<10>()?);
    Ok(format!("{prefix}{}", hex(&bytes)))
}

fn parse_time(text: &str) -> Result<DateTime<FixedOffset>, AppError> {
    DateTime::parse_from_rfc3339(text)
        .map_err(|e| AppError::Internal(format!("a stored time {text:?}: {e}")))
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(|e| AppError::Internal(format!("serialising: {e}")))
}

fn from_json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T, AppError> {
    serde_json::from_str(text).map_err(|e| AppError::Internal(format!("stored {what}: {e}")))
}

/// A survey's alert rules as stored; empty when it has none.
pub(super) async fn rules(
    conn: &mut AnyConnection,
    survey_id: &str,
) -> Result<Vec<AlertRule>, AppError> {
    let row = sqlx::query("SELECT rules FROM alert_rules WHERE survey_id = $1")
        .bind(survey_id)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        None => Ok(Vec::new()),
        Some(row) => from_json("alert rules", row.get(0)),
    }
}

/// The alert rules and webhook endpoints as this process last read them, with the value of
/// `followup_generation` they were read under, so the transaction that stores responses reads
/// them again only after a change (on any server) has raised it. Each survey version's rules
/// are also kept compiled.
#[derive(Debug, Default)]
pub(super) struct Settings {
    generation: i64,
    subscribers: Option<Arc<Vec<Subscriber>>>,
    rules: HashMap<String, Arc<Vec<AlertRule>>>,
    sets: HashMap<(String, u32), Arc<RuleSet>>,
}

impl Settings {
    /// The settings read under `generation`, emptied first when that is newer than what they
    /// hold; `None` for an older generation (a statement that ran before a change another
    /// request has already seen), whose reads must not be kept.
    fn at(&mut self, generation: i64) -> Option<&mut Settings> {
        if generation > self.generation {
            *self = Settings {
                generation,
                ..Settings::default()
            };
        }
        (generation == self.generation).then_some(self)
    }
}

/// Raises `followup_generation`, in the transaction of a change to the alert rules or the
/// webhook endpoints, so every server reads them again for the responses stored after it.
async fn changed(conn: &mut AnyConnection) -> Result<(), AppError> {
    sqlx::query("UPDATE followup_generation SET generation = generation + 1 WHERE id = 1")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The current `followup_generation`, read in the storing transaction (on PostgreSQL the
/// statement that stores the responses reads it too).
pub(super) async fn generation(conn: &mut AnyConnection) -> Result<i64, AppError> {
    Ok(
        sqlx::query_scalar("SELECT generation FROM followup_generation WHERE id = 1")
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// A webhook endpoint as the outbox needs it: which events, for which survey.
#[derive(Debug, Clone)]
struct Subscriber {
    id: String,
    events: Vec<WebhookEvent>,
    survey_id: Option<String>,
}

impl Subscriber {
    fn wants(&self, event: &WebhookEvent, survey_id: &str) -> bool {
        self.events.contains(event) && self.survey_id.as_deref().is_none_or(|s| s == survey_id)
    }
}

async fn subscribers(conn: &mut AnyConnection) -> Result<Vec<Subscriber>, AppError> {
    sqlx::query("SELECT id, events, survey_id FROM webhook_endpoints")
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|row| {
            Ok(Subscriber {
                id: row.get(0),
                events: from_json("webhook events", row.get(1))?,
                survey_id: row.get(2),
            })
        })
        .collect()
}

/// A delivery to write: its endpoint, event, what it is about, and its body unless it is made
/// when sent (`response.created`).
struct Queued {
    endpoint_id: String,
    event: WebhookEvent,
    subject: String,
    payload: Option<String>,
}

/// The body of a delivery, as Standard Webhooks suggests: the event's type, when it happened,
/// and its data.
pub fn envelope(event: &WebhookEvent, at: &str, data: &str) -> String {
    format!(
        "{{\"type\":{},\"timestamp\":{},\"data\":{data}}}",
        serde_json::Value::String(event.as_str().to_owned()),
        serde_json::Value::String(at.to_owned()),
    )
}

/// Writes queued deliveries in bulk; returns how many.
async fn queue(
    conn: &mut AnyConnection,
    engine: Engine,
    at: &str,
    deliveries: Vec<Queued>,
) -> Result<usize, AppError> {
    let count = deliveries.len();
    for chunk in deliveries.chunks(100) {
        let mut next = Placeholders::new(engine);
        let tuples: Vec<String> = chunk
            .iter()
            .map(|_| format!("({}, 'pending', 0)", next.list(7)))
            .collect();
        let sql = format!(
            "INSERT INTO webhook_deliveries (id, endpoint_id, event, subject, payload, \
             created_at, next_attempt_at, status, attempts) VALUES {}",
            tuples.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for d in chunk {
            query = query
                .bind(new_id("msg_")?)
                .bind(d.endpoint_id.clone())
                .bind(d.event.as_str().to_owned())
                .bind(d.subject.clone())
                .bind(d.payload.clone())
                .bind(at.to_owned())
                .bind(at.to_owned());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(count)
}

/// What storing a batch did beyond storing: how many deliveries it queued.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Followed {
    pub cases: usize,
    pub deliveries: usize,
}

/// For responses just stored (all to one survey, new), in the storing transaction: evaluates
/// the survey's alert rules on the server's scores, opens a case for each response a rule
/// fires on, and queues the deliveries of `response.created` and `case.opened`.
pub(super) async fn on_stored(
    db: &Db,
    conn: &mut AnyConnection,
    survey_id: &str,
    stored: &[(&Response, &ResponseScores)],
    at: DateTime<Utc>,
    generation: i64,
) -> Result<Followed, AppError> {
    let cached = db
        .followup
        .lock()
        .expect("not poisoned")
        .at(generation)
        .map(|s| (s.rules.get(survey_id).cloned(), s.subscribers.clone()));
    let (known_rules, known_subscribers) = cached.unwrap_or_default();
    let rules = match known_rules {
        Some(rules) => rules,
        None => {
            let rules = Arc::new(rules(conn, survey_id).await?);
            if let Some(s) = db.followup.lock().expect("not poisoned").at(generation) {
                s.rules.insert(survey_id.to_owned(), rules.clone());
            }
            rules
        }
    };
    let subscribers = match known_subscribers {
        Some(subscribers) => subscribers,
        None => {
            let subscribers = Arc::new(subscribers(conn).await?);
            if let Some(s) = db.followup.lock().expect("not poisoned").at(generation) {
                s.subscribers = Some(subscribers.clone());
            }
            subscribers
        }
    };
    let subscribers: Vec<&Subscriber> = subscribers
        .iter()
        .filter(|s| s.survey_id.as_deref().is_none_or(|id| id == survey_id))
        .collect();
    if rules.is_empty() && subscribers.is_empty() {
        return Ok(Followed::default());
    }
    let opened_at = at.fixed_offset();
    let at_text = stored_time(opened_at);
    let mut deliveries = Vec::new();
    for subscriber in &subscribers {
        if subscriber.wants(&WebhookEvent::ResponseCreated, survey_id) {
            for (response, _) in stored {
                deliveries.push(Queued {
                    endpoint_id: subscriber.id.clone(),
                    event: WebhookEvent::ResponseCreated,
                    subject: response.id.to_ascii_lowercase(),
                    payload: None,
                });
            }
        }
    }
    let mut opened = 0;
    let mut cases: Vec<(CaseSummary, Option<Contact>, CaseEvent)> = Vec::new();
    if !rules.is_empty() {
        // One rule set per version the batch answers, compiled once per generation.
        let mut sets: BTreeMap<u32, Arc<RuleSet>> = BTreeMap::new();
        for (response, scores) in stored {
            let version = response.survey_version;
            let set = match sets.entry(version) {
                std::collections::btree_map::Entry::Occupied(set) => set.into_mut(),
                std::collections::btree_map::Entry::Vacant(slot) => {
                    let key = (survey_id.to_owned(), version);
                    let cached = db
                        .followup
                        .lock()
                        .expect("not poisoned")
                        .at(generation)
                        .and_then(|s| s.sets.get(&key).cloned());
                    let set = match cached {
                        Some(set) => set,
                        None => {
                            let survey = db.definition(conn, survey_id, version).await?;
                            let set = Arc::new(RuleSet::new(&Plan::new(&survey), &rules));
                            if let Some(s) =
                                db.followup.lock().expect("not poisoned").at(generation)
                            {
                                s.sets.insert(key, set.clone());
                            }
                            set
                        }
                    };
                    slot.insert(set)
                }
            };
            let firings = set.evaluate(response, scores);
            let Some(opening) = case_for(&firings) else {
                continue;
            };
            let summary = CaseSummary {
                id: new_id("case_")?,
                survey_id: survey_id.to_owned(),
                response_id: response.id.to_ascii_lowercase(),
                status: WireStatus::Open,
                severity: opening.severity,
                owner: opening.owner.clone(),
                location: response.meta.get("location").cloned(),
                rules: opening.rules.clone(),
                opened_at,
                due_at: due_at(opened_at, opening.service_hours),
                overdue: false,
                has_contact: false,
            };
            let contact = consented_contact(response);
            let summary = CaseSummary {
                has_contact: contact.is_some(),
                ..summary
            };
            let event = CaseEvent {
                at: opened_at,
                by: SERVER_ACTOR.to_owned(),
                kind: EventKind::Opened {
                    owner: opening.owner,
                    due_at: summary.due_at,
                },
            };
            opened += 1;
            for subscriber in &subscribers {
                if subscriber.wants(&WebhookEvent::CaseOpened, survey_id) {
                    deliveries.push(Queued {
                        endpoint_id: subscriber.id.clone(),
                        event: WebhookEvent::CaseOpened,
                        subject: summary.id.clone(),
                        payload: Some(envelope(
                            &WebhookEvent::CaseOpened,
                            &at_text,
                            &json(&summary)?,
                        )),
                    });
                }
            }
            cases.push((summary, contact, event));
        }
    }
    insert_cases(conn, db.engine, &cases).await?;
    let deliveries = queue(conn, db.engine, &at_text, deliveries).await?;
    Ok(Followed {
        cases: opened,
        deliveries,
    })
}

/// The contact details the respondent agreed to be contacted at, from the response's contact
/// question; none without consent (validation refuses details without it anyway).
fn consented_contact(response: &Response) -> Option<Contact> {
    response.answers.values().find_map(|answer| match answer {
        manyi_core::Answer::Contact(manyi_core::model::Contact {
            agreed: true,
            method: Some(method),
            value: Some(value),
        }) => Some(Contact {
            method: method.as_str().into(),
            value: value.clone(),
        }),
        _ => None,
    })
}

/// Inserts the cases a batch opened, with the opening event of each, a few statements for
/// the whole batch (one per 50 cases and per 100 events) rather than two per case.
async fn insert_cases(
    conn: &mut AnyConnection,
    engine: Engine,
    cases: &[(CaseSummary, Option<Contact>, CaseEvent)],
) -> Result<(), AppError> {
    for chunk in cases.chunks(50) {
        let mut next = Placeholders::new(engine);
        let tuples: Vec<String> = chunk
            .iter()
            .map(|_| {
                let params: Vec<String> = (0..10).map(|_| next.next()).collect();
                format!(
                    "({}, {}, {}, {}, {}, {}, {}, {}, {}, 'open', {}, 0, 1)",
                    params[0],
                    params[1],
                    params[2],
                    params[3],
                    params[4],
                    params[5],
                    params[6],
                    params[7],
                    params[8],
                    params[9]
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO cases (id, response_id, survey_id, severity, rules, location, contact, \
             opened_at, due_at, status, owner, contacted, events) VALUES {}",
            tuples.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (case, contact, _) in chunk {
            query = query
                .bind(case.id.clone())
                .bind(case.response_id.clone())
                .bind(case.survey_id.clone())
                .bind(case.severity.key().to_owned())
                .bind(json(&case.rules)?)
                .bind(case.location.clone())
                .bind(contact.as_ref().map(json).transpose()?)
                .bind(stored_time(case.opened_at))
                .bind(stored_time(case.due_at))
                .bind(case.owner.clone());
        }
        query.execute(&mut *conn).await?;
    }
    for chunk in cases.chunks(100) {
        let mut next = Placeholders::new(engine);
        let tuples: Vec<String> = chunk
            .iter()
            .map(|_| format!("({})", next.list(5)))
            .collect();
        let sql = format!(
            "INSERT INTO case_events (case_id, seq, at, actor, body) VALUES {}",
            tuples.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (case, _, event) in chunk {
            query = query
                .bind(case.id.clone())
                .bind(0_i64)
                .bind(stored_time(event.at))
                .bind(event.by.clone())
                .bind(json(&event.kind)?);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

async fn insert_event(
    conn: &mut AnyConnection,
    case_id: &str,
    seq: i64,
    event: &CaseEvent,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO case_events (case_id, seq, at, actor, body) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(case_id)
    .bind(seq)
    .bind(stored_time(event.at))
    .bind(&event.by)
    .bind(json(&event.kind)?)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The columns a case is read with, in [`case_row`]'s order.
const CASE_COLUMNS: &str = "id, survey_id, response_id, status, severity, owner, location, \
                            rules, opened_at, due_at, contact, first_action_at, ended_at, \
                            resolution, contacted, events";

/// A case as stored: its summary (with `overdue` at `now`), its facts, its contact, and how
/// many timeline entries it has.
struct StoredCase {
    summary: CaseSummary,
    facts: CaseFacts,
    contact: Option<Contact>,
    events: i64,
}

fn case_row(row: &sqlx::any::AnyRow, now: DateTime<FixedOffset>) -> Result<StoredCase, AppError> {
    let status_key: String = row.get(3);
    let status = CaseStatus::from_key(&status_key)
        .ok_or_else(|| AppError::Internal(format!("a stored case status {status_key:?}")))?;
    let severity_key: String = row.get(4);
    let severity: Severity = from_json("severity", &format!("{severity_key:?}"))?;
    let rules: Vec<FiredRule> = from_json("case rules", row.get(7))?;
    let contact: Option<Contact> = row
        .get::<Option<String>, _>(10)
        .map(|text| from_json("contact", &text))
        .transpose()?;
    let time = |i: usize| -> Result<Option<DateTime<FixedOffset>>, AppError> {
        row.get::<Option<String>, _>(i)
            .map(|t| parse_time(&t))
            .transpose()
    };
    let facts = CaseFacts {
        opened_at: parse_time(row.get(8))?,
        due_at: parse_time(row.get(9))?,
        status,
        owner: row.get(5),
        first_action_at: time(11)?,
        ended_at: time(12)?,
        resolution: row.get(13),
        contacted: row.get::<i64, _>(14) != 0,
    };
    let summary = CaseSummary {
        id: row.get(0),
        survey_id: row.get(1),
        response_id: row.get(2),
        status: status.into(),
        severity,
        owner: facts.owner.clone(),
        location: row.get(6),
        rules,
        opened_at: facts.opened_at,
        due_at: facts.due_at,
        overdue: facts.is_overdue(now),
        has_contact: contact.is_some(),
    };
    Ok(StoredCase {
        summary,
        facts,
        contact,
        events: row.get(15),
    })
}

/// What the inbox asks for, checked.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// The surveys a token is limited to; `None` for every survey.
    pub scope: Option<Vec<String>>,
    pub survey: Option<String>,
    pub statuses: Vec<CaseStatus>,
    pub owner: Option<OwnerFilter>,
    pub location: Option<String>,
    pub overdue: Option<bool>,
    pub after: Option<CaseCursor>,
    pub limit: u32,
}

impl Db {
    /// Replaces a survey's alert rules (already validated), and records it.
    pub async fn set_alert_rules(
        &self,
        survey_id: &str,
        rules: &[AlertRule],
        audit: &super::AuditRecord,
    ) -> Result<(), AppError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO alert_rules (survey_id, rules, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (survey_id) DO UPDATE SET rules = excluded.rules, \
             updated_at = excluded.updated_at",
        )
        .bind(survey_id)
        .bind(json(&rules)?)
        .bind(super::now())
        .execute(&mut *tx)
        .await?;
        changed(&mut tx).await?;
        audit.insert(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A survey's alert rules; empty when it has none.
    pub async fn alert_rules(&self, survey_id: &str) -> Result<Vec<AlertRule>, AppError> {
        let mut conn = self.pool.acquire().await?;
        rules(&mut conn, survey_id).await
    }

    /// A page of the inbox: cases in due order (then id), after the cursor.
    pub async fn cases(&self, filter: &CaseFilter) -> Result<CasePage, AppError> {
        let now = Utc::now().fixed_offset();
        let now_text = stored_time(now);
        let mut conditions: Vec<String> = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        let bind = |value: String, binds: &mut Vec<String>| {
            binds.push(value);
            format!("${}", binds.len())
        };
        if let Some(scope) = &filter.scope {
            if scope.is_empty() {
                return Ok(CasePage {
                    cases: Vec::new(),
                    next: None,
                });
            }
            let list: Vec<String> = scope.iter().map(|s| bind(s.clone(), &mut binds)).collect();
            conditions.push(format!("survey_id IN ({})", list.join(", ")));
        }
        if let Some(survey) = &filter.survey {
            conditions.push(format!("survey_id = {}", bind(survey.clone(), &mut binds)));
        }
        if !filter.statuses.is_empty() {
            let list: Vec<String> = filter
                .statuses
                .iter()
                .map(|s| bind(s.key().to_owned(), &mut binds))
                .collect();
            conditions.push(format!("status IN ({})", list.join(", ")));
        }
        match &filter.owner {
            Some(OwnerFilter::Owner(owner)) => {
                conditions.push(format!("owner = {}", bind(owner.clone(), &mut binds)));
            }
            Some(OwnerFilter::Unassigned) => conditions.push("owner IS NULL".to_owned()),
            None => {}
        }
        if let Some(location) = &filter.location {
            conditions.push(format!("location = {}", bind(location.clone(), &mut binds)));
        }
        match filter.overdue {
            Some(true) => conditions.push(format!(
                "status IN ('open', 'in_progress') AND due_at < {}",
                bind(now_text.clone(), &mut binds)
            )),
            Some(false) => conditions.push(format!(
                "(status NOT IN ('open', 'in_progress') OR due_at >= {})",
                bind(now_text.clone(), &mut binds)
            )),
            None => {}
        }
        if let Some(cursor) = &filter.after {
            let due = bind(stored_time(cursor.due_at), &mut binds);
            let id = bind(cursor.id.clone(), &mut binds);
            conditions.push(format!(
                "(due_at > {due} OR (due_at = {due} AND id > {id}))"
            ));
        }
        let filter_sql = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM cases {filter_sql} ORDER BY due_at, id LIMIT {}",
            filter.limit + 1
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for value in binds {
            query = query.bind(value);
        }
        let rows = query.fetch_all(&self.pool).await?;
        let mut cases = rows
            .iter()
            .map(|row| case_row(row, now).map(|c| c.summary))
            .collect::<Result<Vec<_>, _>>()?;
        let next = if cases.len() > filter.limit as usize {
            cases.truncate(filter.limit as usize);
            cases.last().map(|last| {
                CaseCursor {
                    due_at: last.due_at,
                    id: last.id.clone(),
                }
                .to_string()
            })
        } else {
            None
        };
        Ok(CasePage { cases, next })
    }

    /// One case with its timeline, the response that opened it and that response's scores.
    pub async fn case(&self, id: &str) -> Result<Option<CaseView>, AppError> {
        let mut conn = self.pool.acquire().await?;
        view(&mut conn, id, Utc::now().fixed_offset()).await
    }

    /// Records a staff member's change to a case (`kind`, by `by`), with its deliveries, or
    /// says why it cannot be (404, 409 `case_conflict`, 422 `invalid_case_update`).
    pub async fn update_case(
        &self,
        id: &str,
        by: &str,
        update: manyi_api::CaseUpdate,
    ) -> Result<(CaseView, usize), AppError> {
        let mut tx = self.pool.begin().await?;
        // The case's row first, so concurrent changes to one case queue here: on SQLite a
        // write takes the database's lock (a read first would fail at its write if another
        // connection wrote meanwhile); on PostgreSQL the row is locked.
        let lock = match self.engine {
            Engine::Sqlite => {
                sqlx::query("UPDATE cases SET events = events WHERE id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                ""
            }
            Engine::Postgres => " FOR UPDATE",
        };
        let now = Utc::now().fixed_offset();
        let sql = format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = $1{lock}");
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Err(AppError::not_found(format!("no case {id:?}")));
        };
        let StoredCase {
            summary,
            mut facts,
            events,
            ..
        } = case_row(&row, now)?;
        let event = CaseEvent {
            at: now,
            by: by.to_owned(),
            kind: update.into_event(facts.status),
        };
        facts.apply(&event).map_err(|e| {
            let code = manyi_api::case_error_code(&e);
            let status = if code == manyi_api::ErrorCode::CaseConflict {
                axum::http::StatusCode::CONFLICT
            } else {
                axum::http::StatusCode::UNPROCESSABLE_ENTITY
            };
            AppError::client(status, code, e.to_string())
        })?;
        insert_event(&mut tx, id, events, &event).await?;
        let time = |t: Option<DateTime<FixedOffset>>| t.map(stored_time);
        sqlx::query(
            "UPDATE cases SET status = $2, owner = $3, first_action_at = $4, ended_at = $5, \
             resolution = $6, contacted = $7, events = $8 WHERE id = $1",
        )
        .bind(id)
        .bind(facts.status.key())
        .bind(&facts.owner)
        .bind(time(facts.first_action_at))
        .bind(time(facts.ended_at))
        .bind(&facts.resolution)
        .bind(i64::from(facts.contacted))
        .bind(events + 1)
        .execute(&mut *tx)
        .await?;
        let view = view(&mut tx, id, now)
            .await?
            .ok_or_else(|| AppError::Internal(format!("case {id} vanished")))?;
        let at = stored_time(now);
        let data = format!(
            "{{\"case\":{},\"event\":{}}}",
            json(&view.case.summary)?,
            json(&WireEvent::from(&event))?
        );
        let deliveries: Vec<Queued> = subscribers(&mut tx)
            .await?
            .into_iter()
            .filter(|s| s.wants(&WebhookEvent::CaseUpdated, &summary.survey_id))
            .map(|s| Queued {
                endpoint_id: s.id,
                event: WebhookEvent::CaseUpdated,
                subject: id.to_owned(),
                payload: Some(envelope(&WebhookEvent::CaseUpdated, &at, &data)),
            })
            .collect();
        let queued = queue(&mut tx, self.engine, &at, deliveries).await?;
        tx.commit().await?;
        Ok((view, queued))
    }

    /// Streams the cases the loop's figures of `[from, to)` need (those opened in the period
    /// and the backlog) into `f`, with the responses counted by the caller.
    pub async fn each_loop_case(
        &self,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
        scope: Option<&[String]>,
        survey: Option<&str>,
        location: Option<&str>,
        mut f: impl FnMut(&CaseFacts),
    ) -> Result<(), AppError> {
        use futures_util::TryStreamExt;
        let now = Utc::now().fixed_offset();
        let mut binds = vec![stored_time(from), stored_time(to)];
        let mut conditions = vec![
            "((opened_at >= $1 AND opened_at < $2) OR status IN ('open', 'in_progress'))"
                .to_owned(),
        ];
        if let Some(scope) = scope {
            if scope.is_empty() {
                return Ok(());
            }
            let list: Vec<String> = scope
                .iter()
                .map(|s| {
                    binds.push(s.clone());
                    format!("${}", binds.len())
                })
                .collect();
            conditions.push(format!("survey_id IN ({})", list.join(", ")));
        }
        for (column, value) in [("survey_id", survey), ("location", location)] {
            if let Some(value) = value {
                binds.push(value.to_owned());
                conditions.push(format!("{column} = ${}", binds.len()));
            }
        }
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE {}",
            conditions.join(" AND ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for value in binds {
            query = query.bind(value);
        }
        let mut rows = query.fetch(&self.pool);
        while let Some(row) = rows.try_next().await? {
            f(&case_row(&row, now)?.facts);
        }
        Ok(())
    }

    /// The webhook endpoints, oldest first, without their secrets.
    pub async fn webhook_endpoints(&self) -> Result<Vec<WebhookEndpoint>, AppError> {
        sqlx::query(
            "SELECT id, url, events, survey_id, created_at FROM webhook_endpoints \
             ORDER BY created_at, id",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(WebhookEndpoint {
                id: row.get(0),
                url: row.get(1),
                events: from_json("webhook events", row.get(2))?,
                survey_id: row.get(3),
                created_at: parse_time(row.get(4))?,
                secret: None,
            })
        })
        .collect()
    }

    /// Adds an endpoint (already checked) with its new secret, which the reply shows this once;
    /// refuses beyond [`manyi_api::MAX_WEBHOOK_ENDPOINTS`].
    pub async fn add_webhook(
        &self,
        endpoint: &manyi_api::NewWebhookEndpoint,
        secret: String,
        audit_by: impl FnOnce(&str) -> super::AuditRecord,
    ) -> Result<WebhookEndpoint, AppError> {
        let id = new_id("ep_")?;
        let created_at = Utc::now().fixed_offset();
        let mut tx = self.pool.begin().await?;
        // The write first, then the count: on SQLite a transaction that reads before it writes
        // fails at its write when another connection wrote meanwhile. Over the limit, the
        // transaction is dropped, and the insert with it.
        sqlx::query(
            "INSERT INTO webhook_endpoints (id, url, secret, events, survey_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(&endpoint.url)
        .bind(&secret)
        .bind(json(&endpoint.events)?)
        .bind(&endpoint.survey_id)
        .bind(stored_time(created_at))
        .execute(&mut *tx)
        .await?;
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_endpoints")
            .fetch_one(&mut *tx)
            .await?;
        if count as usize > manyi_api::MAX_WEBHOOK_ENDPOINTS {
            return Err(AppError::client(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                manyi_api::ErrorCode::InvalidWebhook,
                format!(
                    "a server sends to at most {} endpoints; remove one first",
                    manyi_api::MAX_WEBHOOK_ENDPOINTS
                ),
            ));
        }
        changed(&mut tx).await?;
        audit_by(&id).insert(&mut tx).await?;
        tx.commit().await?;
        Ok(WebhookEndpoint {
            id,
            url: endpoint.url.clone(),
            events: endpoint.events.clone(),
            survey_id: endpoint.survey_id.clone(),
            created_at,
            secret: Some(secret),
        })
    }

    /// Removes an endpoint and its deliveries, sent or not; returns its URL, or `None` when
    /// there is no such endpoint.
    pub async fn remove_webhook(
        &self,
        id: &str,
        audit_by: impl FnOnce(&str) -> super::AuditRecord,
    ) -> Result<Option<String>, AppError> {
        let mut tx = self.pool.begin().await?;
        let url: Option<String> =
            sqlx::query_scalar("DELETE FROM webhook_endpoints WHERE id = $1 RETURNING url")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(url) = url else {
            return Ok(None);
        };
        sqlx::query("DELETE FROM webhook_deliveries WHERE endpoint_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        changed(&mut tx).await?;
        audit_by(&url).insert(&mut tx).await?;
        tx.commit().await?;
        Ok(Some(url))
    }

    /// An endpoint's deliveries, newest first, a page at a time (`after`: the previous page's
    /// `next`); `None` when there is no such endpoint.
    pub async fn deliveries(
        &self,
        endpoint_id: &str,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Option<DeliveryPage>, AppError> {
        let exists = sqlx::query("SELECT 1 FROM webhook_endpoints WHERE id = $1")
            .bind(endpoint_id)
            .fetch_optional(&self.pool)
            .await?
            .is_some();
        if !exists {
            return Ok(None);
        }
        let (cursor_at, cursor_id) = match after.and_then(|a| a.split_once('~')) {
            Some((at, id)) => (Some(at.to_owned()), Some(id.to_owned())),
            None => (None, None),
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE endpoint_id = $1 \
             AND ($2 IS NULL OR created_at < $2 OR (created_at = $2 AND id < $3)) \
             ORDER BY created_at DESC, id DESC LIMIT {}",
            limit + 1
        )))
        .bind(endpoint_id)
        .bind(cursor_at)
        .bind(cursor_id)
        .fetch_all(&self.pool)
        .await?;
        let mut deliveries = rows
            .iter()
            .map(delivery_row)
            .collect::<Result<Vec<_>, _>>()?;
        let next = if deliveries.len() > limit as usize {
            deliveries.truncate(limit as usize);
            deliveries
                .last()
                .map(|d| format!("{}~{}", stored_time(d.created_at), d.id))
        } else {
            None
        };
        Ok(Some(DeliveryPage { deliveries, next }))
    }

    /// Sends a delivery again, now, keeping its id: a failed one becomes pending, a delivered
    /// one is sent once more (a receiver that lost it asked). `None` when there is no such
    /// delivery of that endpoint.
    pub async fn redeliver(
        &self,
        endpoint_id: &str,
        id: &str,
        audit: &super::AuditRecord,
    ) -> Result<Option<Delivery>, AppError> {
        let mut tx = self.pool.begin().await?;
        let now = super::now();
        let changed = sqlx::query(
            "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $3, \
             claimed_until = NULL WHERE id = $1 AND endpoint_id = $2",
        )
        .bind(id)
        .bind(endpoint_id)
        .bind(&now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Ok(None);
        }
        audit.insert(&mut tx).await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = $1"
        )))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let delivery = delivery_row(&row)?;
        tx.commit().await?;
        self.webhooks_waiting.notify_one();
        Ok(Some(delivery))
    }

    /// Records the outcomes of attempts that have `ended` ([`Db::finish_deliveries`]) and
    /// takes up to `limit` deliveries that are due, for this process to send, in one
    /// transaction: each is leased until `lease_until` and its attempt counted, in one
    /// statement, so no other sender (in this or another process) takes it meanwhile.
    /// PostgreSQL skips rows another sender is claiming at that moment rather than waiting for
    /// them.
    pub async fn claim_deliveries(
        &self,
        ended: &[(String, Outcome)],
        limit: usize,
        lease_until: DateTime<Utc>,
    ) -> Result<Vec<Claimed>, AppError> {
        let now = super::now();
        let skip = match self.engine {
            Engine::Sqlite => "",
            Engine::Postgres => " FOR UPDATE SKIP LOCKED",
        };
        let sql = format!(
            "UPDATE webhook_deliveries SET claimed_until = $2, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM webhook_deliveries WHERE status = 'pending' \
             AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until <= $1) \
             ORDER BY next_attempt_at LIMIT {limit}{skip}) \
             RETURNING id, endpoint_id, event, subject, payload, created_at, attempts"
        );
        let lease = stored_time(lease_until.fixed_offset());
        let mut tx = self.pool.begin().await?;
        record(&mut tx, self.engine, ended, &now).await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&now)
            .bind(&lease)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        // The endpoints and the stored responses the claimed deliveries need, one statement
        // each for all of them rather than two per delivery.
        let endpoint_ids: BTreeSet<String> = rows.iter().map(|r| r.get::<String, _>(1)).collect();
        let endpoints: HashMap<String, (String, String)> = self
            .lookup(
                "SELECT id, url, secret FROM webhook_endpoints",
                &endpoint_ids,
            )
            .await?;
        let response_ids: BTreeSet<String> = rows
            .iter()
            .filter(|r| r.get::<Option<String>, _>(4).is_none())
            .map(|r| r.get::<String, _>(3))
            .collect();
        let responses: HashMap<String, (String, String)> = self
            .lookup("SELECT id, body, scores FROM responses", &response_ids)
            .await?;
        let mut claimed = Vec::with_capacity(rows.len());
        for row in rows {
            let Some((url, secret)) = endpoints.get(&row.get::<String, _>(1)).cloned() else {
                continue;
            };
            let created_at: String = row.get(5);
            let subject: String = row.get(3);
            let body = match row.get::<Option<String>, _>(4) {
                Some(payload) => payload,
                None => response_payload(&subject, responses.get(&subject), &created_at),
            };
            claimed.push(Claimed {
                id: row.get(0),
                url,
                secret,
                body,
                created_at: parse_time(&created_at)?,
                attempts: u32::try_from(row.get::<i64, _>(6)).unwrap_or(u32::MAX),
                lease: lease.clone(),
                lease_until,
            });
        }
        Ok(claimed)
    }

    /// Rows of `select` (whose first three columns are an id and two texts) for the given ids,
    /// by id, a few statements for any number.
    async fn lookup(
        &self,
        select: &str,
        ids: &BTreeSet<String>,
    ) -> Result<HashMap<String, (String, String)>, AppError> {
        let ids: Vec<&String> = ids.iter().collect();
        let mut found = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let mut next = Placeholders::new(self.engine);
            let list = next.list(chunk.len());
            let sql = format!("{select} WHERE id IN ({})", list);
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                query = query.bind(id.as_str());
            }
            for row in query.fetch_all(&self.pool).await? {
                found.insert(row.get(0), (row.get(1), row.get(2)));
            }
        }
        Ok(found)
    }

    /// Records attempts' outcomes, in one transaction: delivered, or failed with the next
    /// attempt (or, past the retry window, failed for good).
    pub async fn finish_deliveries(&self, ended: &[(String, Outcome)]) -> Result<(), AppError> {
        if ended.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        record(&mut tx, self.engine, ended, &super::now()).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Records attempts' outcomes in the caller's transaction: the deliveries, nearly all of them,
/// in a few statements, the rest one by one.
async fn record(
    conn: &mut AnyConnection,
    engine: Engine,
    ended: &[(String, Outcome)],
    now: &str,
) -> Result<(), AppError> {
    let delivered: Vec<&str> = ended
        .iter()
        .filter(|(_, outcome)| matches!(outcome, Outcome::Delivered))
        .map(|(id, _)| id.as_str())
        .collect();
    for chunk in delivered.chunks(500) {
        let mut next = Placeholders::new(engine);
        let at = next.next();
        let list = next.list(chunk.len());
        let sql = format!(
            "UPDATE webhook_deliveries SET status = 'delivered', delivered_at = {at}, \
             claimed_until = NULL, next_attempt_at = NULL, last_error = NULL \
             WHERE id IN ({})",
            list
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now);
        for id in chunk {
            query = query.bind(*id);
        }
        query.execute(&mut *conn).await?;
    }
    for (id, outcome) in ended {
        if !matches!(outcome, Outcome::Delivered) {
            finish(&mut *conn, id, outcome).await?;
        }
    }
    Ok(())
}

/// The body of a `response.created` delivery, made from the stored response and scores
/// (which never change, so every attempt sends the same bytes); a response deleted since is
/// sent as its id and `"deleted": true`.
fn response_payload(id: &str, stored: Option<&(String, String)>, at: &str) -> String {
    let data = match stored {
        Some((body, scores)) => format!("{{\"response\":{body},\"scores\":{scores}}}"),
        None => format!(
            "{{\"response\":{{\"id\":{}}},\"deleted\":true}}",
            serde_json::Value::String(id.to_owned())
        ),
    };
    envelope(&WebhookEvent::ResponseCreated, at, &data)
}

/// Records one attempt's outcome other than a delivery, in the caller's transaction.
async fn finish(conn: &mut AnyConnection, id: &str, outcome: &Outcome) -> Result<(), AppError> {
    let query = match outcome {
        Outcome::Delivered => return Ok(()),
        Outcome::Retry { error, at } => sqlx::query(
            "UPDATE webhook_deliveries SET claimed_until = NULL, next_attempt_at = $2, \
             last_error = $3 WHERE id = $1",
        )
        .bind(id)
        .bind(stored_time(at.fixed_offset()))
        .bind(error),
        Outcome::Failed { error } => sqlx::query(
            "UPDATE webhook_deliveries SET status = 'failed', claimed_until = NULL, \
             next_attempt_at = NULL, last_error = $2 WHERE id = $1",
        )
        .bind(id)
        .bind(error),
        // Not attempted: its claim and the attempt it counted are given back, unless the
        // lease ran out and another sender has claimed it since.
        Outcome::Released { lease } => sqlx::query(
            "UPDATE webhook_deliveries SET claimed_until = NULL, attempts = attempts - 1 \
             WHERE id = $1 AND claimed_until = $2",
        )
        .bind(id)
        .bind(lease),
    };
    query.execute(&mut *conn).await?;
    Ok(())
}

/// A delivery taken for sending.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: String,
    pub url: String,
    pub secret: String,
    pub body: String,
    pub created_at: DateTime<FixedOffset>,
    /// Counting this one.
    pub attempts: u32,
    /// The claim as stored, and when it ends: no attempt may start that could outlast it.
    pub lease: String,
    pub lease_until: DateTime<Utc>,
}

/// How an attempt ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    Delivered,
    Retry {
        error: String,
        at: DateTime<Utc>,
    },
    Failed {
        error: String,
    },
    /// Not attempted: too little of its lease was left (the claim as stored).
    Released {
        lease: String,
    },
}

const DELIVERY_COLUMNS: &str =
    "id, endpoint_id, event, created_at, attempts, status, last_error, next_attempt_at";

fn delivery_row(row: &sqlx::any::AnyRow) -> Result<Delivery, AppError> {
    let status: String = row.get(5);
    Ok(Delivery {
        id: row.get(0),
        endpoint_id: row.get(1),
        event: WebhookEvent::from(row.get::<String, _>(2).as_str()),
        created_at: parse_time(row.get(3))?,
        attempts: u32::try_from(row.get::<i64, _>(4)).unwrap_or(u32::MAX),
        status: DeliveryStatus::from(status.as_str()),
        last_error: row.get(6),
        next_attempt_at: if status == "pending" {
            row.get::<Option<String>, _>(7)
                .map(|t| parse_time(&t))
                .transpose()?
        } else {
            None
        },
    })
}

/// A case with its timeline, response and scores, read in `conn`.
async fn view(
    conn: &mut AnyConnection,
    id: &str,
    now: DateTime<FixedOffset>,
) -> Result<Option<CaseView>, AppError> {
    let sql = format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = $1");
    let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let StoredCase {
        summary,
        facts,
        contact,
        ..
    } = case_row(&row, now)?;
    let events =
        sqlx::query("SELECT at, actor, body FROM case_events WHERE case_id = $1 ORDER BY seq")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|row| {
                let kind: EventKind = from_json("case event", row.get(2))?;
                Ok(WireEvent::from(&CaseEvent {
                    at: parse_time(row.get(0))?,
                    by: row.get(1),
                    kind,
                }))
            })
            .collect::<Result<Vec<_>, AppError>>()?;
    let response = sqlx::query("SELECT body, scores FROM responses WHERE id = $1")
        .bind(&summary.response_id)
        .fetch_optional(&mut *conn)
        .await?;
    let (response, scores) = match response {
        Some(row) => (
            Some(from_json::<Response>("response", row.get(0))?),
            Some(from_json::<ResponseScores>("scores", row.get(1))?),
        ),
        None => (None, None),
    };
    Ok(Some(CaseView {
        case: Case {
            summary,
            first_action_at: facts.first_action_at,
            ended_at: facts.ended_at,
            resolution: facts.resolution,
            contacted: facts.contacted,
            contact,
            events,
        },
        response,
        scores,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_begin_with_the_time_they_were_made() {
        let before = Utc::now().timestamp_millis();
        let id = new_id("msg_").unwrap();
        let after = Utc::now().timestamp_millis();
        let hex = id.strip_prefix("msg_").unwrap();
        assert_eq!(hex.len(), 32);
        let made = i64::from_str_radix(&hex[..12], 16).unwrap();
        assert!(
            (before..=after).contains(&made),
            "{made} not in {before}..={after}"
        );
        assert_ne!(new_id("msg_").unwrap()[16..], id[16..]);
    }
}
