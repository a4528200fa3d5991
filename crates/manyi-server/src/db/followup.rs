//! Closing the loop in the database: alert rules, the follow-up cases they open, their
//! timelines, and the webhook deliveries every event writes (a transactional outbox).
//!
//! Cases and deliveries are written in the transaction of the event they come from: the batch
//! that stores a response opens its case and queues its `case.opened`, and a staff change to a
//! case writes its timeline entry, its new state and its deliveries together. A response's
//! `response.created` goes through the pending list its transaction writes anyway: the fold
//! that takes it off the list queues the delivery ([`Announcer`]). So a crash keeps all of an
//! event or none of it, and a duplicate response, which stores nothing, opens no case and sends
//! nothing. An outbox row holds up to [`BUNDLE`] messages of one event to one endpoint.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
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
use serde_json::json;
use sqlx::{AnyConnection, Row};

use super::{Db, Engine, Placeholders, stored_time};
use crate::error::AppError;
use crate::token::push_hex;

/// Who opens cases: the server itself, as the timeline shows it.
pub const SERVER_ACTOR: &str = "manyi";

/// A new id, prefixed by what it names (`case_`, `msg_`, `ep_`): 16 bytes as hex, the first 6
/// the milliseconds since 1970 and the other 10 random. Ids made later sort later, so the
/// primary keys of cases and deliveries, written many to a batch, grow at the end of their
/// indexes instead of at random places in them.
pub(super) fn new_id(prefix: &str) -> Result<String, AppError> {
    Ok(new_ids(prefix, 1)?.remove(0))
}

/// `n` new ids at once ([`new_id`]), from one draw of the system's randomness: a batch opens
/// many cases, and a draw per id made the ids a tenth of what follow-up costs a batch.
pub(super) fn new_ids(prefix: &str, n: usize) -> Result<Vec<String>, AppError> {
    let millis = u64::try_from(Utc::now().timestamp_millis()).unwrap_or_default();
    let mut random = vec![0u8; 10 * n];
    getrandom::fill(&mut random)
        .map_err(|e| AppError::Internal(format!("no randomness from the system: {e}")))?;
    Ok(random
        .chunks(10)
        .map(|random| {
            let mut id = String::with_capacity(prefix.len() + 32);
            id.push_str(prefix);
            push_hex(&mut id, &millis.to_be_bytes()[2..]);
            push_hex(&mut id, random);
            id
        })
        .collect())
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

/// The most messages one outbox row holds (see the migration `0010_outbox_bundles.sql`): a
/// sender's claim of a backlog, so that a row is sent within one claim's lease.
pub const BUNDLE: usize = 64;

/// An outbox row to write: its endpoint, event, when its event happened, and what its
/// messages are about: one message with its body (`case.updated`), or up to [`BUNDLE`] whose
/// bodies are made when sent from what is stored (`response.created` and `case.opened`, whose
/// subjects never change).
struct Queued {
    endpoint_id: String,
    event: WebhookEvent,
    created_at: String,
    subjects: Vec<String>,
    payload: Option<String>,
}

impl Queued {
    /// The rows for one event's messages to one endpoint, made when sent, [`BUNDLE`] to a row.
    fn bundled(
        endpoint_id: &str,
        event: WebhookEvent,
        created_at: &str,
        subjects: &[String],
    ) -> Vec<Queued> {
        subjects
            .chunks(BUNDLE)
            .map(|chunk| Queued {
                endpoint_id: endpoint_id.to_owned(),
                event: event.clone(),
                created_at: created_at.to_owned(),
                subjects: chunk.to_vec(),
                payload: None,
            })
            .collect()
    }

    /// The `subject` column: as it is for one message, a JSON list for more.
    fn subject(&self) -> Result<String, AppError> {
        match &self.subjects[..] {
            [subject] => Ok(subject.clone()),
            subjects => json(&subjects),
        }
    }
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

/// Writes queued outbox rows in bulk, each due at once; returns how many messages they hold.
async fn queue(
    conn: &mut AnyConnection,
    engine: Engine,
    rows: Vec<Queued>,
) -> Result<usize, AppError> {
    let mut inserts = Inserts::new(engine);
    let count = inserts.deliveries(&rows)?;
    inserts.run(conn).await?;
    Ok(count)
}

/// A value bound to an [`Inserts`] statement.
enum Bound {
    Text(Option<String>),
    Int(i64),
}

/// Inserts of many rows into several tables, sent to the database in as few calls as its
/// limit on bound values allows (one, for any batch the API accepts, unless there are many
/// webhook endpoints): on PostgreSQL as one statement whose inserts but the last are
/// data-modifying `WITH` queries, on SQLite as statements separated by semicolons, which
/// sqlx runs in one call, numbering anonymous parameters across them. A single response that
/// opens a case writes the case and its `case.opened` delivery; a call each took a fifth more
/// round trips for each such response than storing it alone.
struct Inserts {
    engine: Engine,
    /// Each call's statements and the values they bind, in order.
    calls: Vec<(Vec<String>, Vec<Bound>)>,
}

impl Inserts {
    /// The most values bound in one call: under SQLite's limit (32,766) and PostgreSQL's
    /// (65,535).
    const MAX_VALUES: usize = 30_000;

    fn new(engine: Engine) -> Self {
        Inserts {
            engine,
            calls: Vec::new(),
        }
    }

    /// Adds an insert of `rows`, each of `width` values, made by `sql` from its rows'
    /// placeholders; long inserts are split in parts of up to `per_statement` rows.
    fn add(
        &mut self,
        per_statement: usize,
        width: usize,
        rows: Vec<Vec<Bound>>,
        sql: impl Fn(&mut Placeholders, usize) -> String,
    ) {
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let part: Vec<Vec<Bound>> = rows.by_ref().take(per_statement).collect();
            let needed = part.len() * width;
            if self
                .calls
                .last()
                .is_none_or(|(_, values)| values.len() + needed > Self::MAX_VALUES)
            {
                self.calls.push((Vec::new(), Vec::new()));
            }
            let (statements, values) = self.calls.last_mut().expect("just pushed");
            let mut next = Placeholders::after(self.engine, values.len());
            statements.push(sql(&mut next, part.len()));
            values.extend(part.into_iter().flatten());
        }
    }

    /// Adds the cases a batch opened (a statement per 50). Each case's opening is read from
    /// its row (`StoredCase::opening`), so it needs no timeline entry of its own.
    fn cases(&mut self, cases: &[NewCase]) {
        let text = |value: &String| Bound::Text(Some(value.clone()));
        let rows = cases
            .iter()
            .map(|case| {
                vec![
                    text(&case.id),
                    text(&case.response_id),
                    text(&case.survey_id),
                    text(&case.severity),
                    text(&case.rules),
                    Bound::Text(case.location.clone()),
                    Bound::Text(case.contact.clone()),
                    text(&case.opened_at),
                    text(&case.due_at),
                    Bound::Text(case.owner.clone()),
                    Bound::Text(case.owner.clone()),
                ]
            })
            .collect();
        self.add(50, 11, rows, |next, n| {
            let tuples: Vec<String> = (0..n)
                .map(|_| {
                    let head = next.list(9);
                    let (owner, opened_owner) = (next.next(), next.next());
                    format!("({head}, 'open', {owner}, 0, 1, {opened_owner})")
                })
                .collect();
            format!(
                "INSERT INTO cases (id, response_id, survey_id, severity, rules, location, \
                 contact, opened_at, due_at, status, owner, contacted, events, opened_owner) \
                 VALUES {}",
                tuples.join(", ")
            )
        });
    }

    /// Adds outbox rows (a statement per 100), each due at once; returns how many messages
    /// they hold.
    fn deliveries(&mut self, rows: &[Queued]) -> Result<usize, AppError> {
        let ids = new_ids("msg_", rows.len())?;
        let mut count = 0;
        let mut values = Vec::with_capacity(rows.len());
        for (row, id) in rows.iter().zip(ids) {
            count += row.subjects.len();
            values.push(vec![
                Bound::Text(Some(id)),
                Bound::Text(Some(row.endpoint_id.clone())),
                Bound::Text(Some(row.event.as_str().to_owned())),
                Bound::Text(Some(row.subject()?)),
                Bound::Text(row.payload.clone()),
                Bound::Text(Some(row.created_at.clone())),
                Bound::Text(Some(row.created_at.clone())),
                Bound::Int(i64::try_from(row.subjects.len()).unwrap_or(i64::MAX)),
            ]);
        }
        self.add(100, 8, values, |next, n| {
            let tuples: Vec<String> = (0..n)
                .map(|_| format!("({}, 'pending', 0)", next.list(8)))
                .collect();
            format!(
                "INSERT INTO webhook_deliveries (id, endpoint_id, event, subject, payload, \
                 created_at, next_attempt_at, messages, status, attempts) VALUES {}",
                tuples.join(", ")
            )
        });
        Ok(count)
    }

    async fn run(self, conn: &mut AnyConnection) -> Result<(), AppError> {
        for (mut statements, values) in self.calls {
            let Some(last) = statements.pop() else {
                continue;
            };
            let sql = match self.engine {
                Engine::Sqlite => {
                    statements.push(last);
                    statements.join(";\n")
                }
                Engine::Postgres if statements.is_empty() => last,
                Engine::Postgres => {
                    let with: Vec<String> = statements
                        .iter()
                        .enumerate()
                        .map(|(i, statement)| format!("w{i} AS ({statement})"))
                        .collect();
                    format!("WITH {} {last}", with.join(", "))
                }
            };
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for value in values {
                query = match value {
                    Bound::Text(text) => query.bind(text),
                    Bound::Int(int) => query.bind(int),
                };
            }
            query.execute(&mut *conn).await?;
        }
        Ok(())
    }
}

/// Announces new responses to the endpoints that want `response.created` for their survey, in
/// the transaction that takes them off the pending list ([`super::rollup`]'s fold). That list
/// is written in the storing transaction anyway, so it is this event's outbox too: a response
/// is announced once, however the servers stop, and storing it writes nothing more for its
/// webhooks. A fold's responses go to each endpoint [`BUNDLE`] to an outbox row. An endpoint
/// hears of the responses stored after it was added; a response deleted before it was
/// announced is not announced.
pub(super) struct Announcer {
    endpoints: Vec<Listener>,
}

/// An endpoint that wants a survey's responses, and the responses to announce to it.
struct Listener {
    id: String,
    /// When it was added, as stored.
    added_at: String,
    /// When each response was stored, and its id.
    responses: Vec<(String, String)>,
}

impl Announcer {
    /// The endpoints that want a survey's new responses, read in `conn`'s transaction. On
    /// PostgreSQL they are locked against removal until it ends, so that an endpoint removed
    /// meanwhile takes the deliveries queued for it with it (on SQLite the folder's transaction
    /// holds the one write lock already).
    pub(super) async fn new(
        conn: &mut AnyConnection,
        engine: Engine,
        survey_id: &str,
    ) -> Result<Announcer, AppError> {
        let lock = match engine {
            Engine::Sqlite => "",
            Engine::Postgres => " FOR SHARE",
        };
        let sql = format!("SELECT id, events, survey_id, created_at FROM webhook_endpoints{lock}");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut *conn)
            .await?;
        let mut endpoints = Vec::new();
        for row in rows {
            let subscriber = Subscriber {
                id: row.get(0),
                events: from_json("webhook events", row.get(1))?,
                survey_id: row.get(2),
            };
            if subscriber.wants(&WebhookEvent::ResponseCreated, survey_id) {
                endpoints.push(Listener {
                    id: subscriber.id,
                    added_at: row.get(3),
                    responses: Vec::new(),
                });
            }
        }
        Ok(Announcer { endpoints })
    }

    /// Announces a response stored at `received_at` (as stored).
    pub(super) fn add(&mut self, response_id: &str, received_at: &str) {
        for listener in &mut self.endpoints {
            if listener.added_at.as_str() <= received_at {
                let response = (received_at.to_owned(), response_id.to_owned());
                listener.responses.push(response);
            }
        }
    }

    /// Writes the announcements, in the order the responses were stored, each row dated by
    /// its first response; returns how many messages.
    pub(super) async fn queue(
        self,
        conn: &mut AnyConnection,
        engine: Engine,
    ) -> Result<usize, AppError> {
        let mut rows = Vec::new();
        for Listener {
            id: endpoint_id,
            mut responses,
            ..
        } in self.endpoints
        {
            responses.sort();
            for chunk in responses.chunks(BUNDLE) {
                let ids: Vec<String> = chunk.iter().map(|(_, id)| id.clone()).collect();
                rows.extend(Queued::bundled(
                    &endpoint_id,
                    WebhookEvent::ResponseCreated,
                    &chunk[0].0,
                    &ids,
                ));
            }
        }
        queue(conn, engine, rows).await
    }
}

/// What storing a batch did beyond storing: how many deliveries it queued.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Followed {
    pub cases: usize,
    pub deliveries: usize,
}

/// What one generation of alert rules and endpoints holds for a survey: its rules, the
/// endpoints, and its rules compiled for each version answered.
struct Context {
    rules: Arc<Vec<AlertRule>>,
    subscribers: Arc<Vec<Subscriber>>,
    sets: BTreeMap<u32, Arc<RuleSet>>,
}

impl Settings {
    /// The context of a survey's responses to `versions`, if this process has all of it.
    fn context(&self, survey_id: &str, versions: &BTreeSet<u32>) -> Option<Context> {
        let rules = self.rules.get(survey_id)?.clone();
        let subscribers = self.subscribers.clone()?;
        let mut sets = BTreeMap::new();
        if !rules.is_empty() {
            for &version in versions {
                let set = self.sets.get(&(survey_id.to_owned(), version))?;
                sets.insert(version, set.clone());
            }
        }
        Some(Context {
            rules,
            subscribers,
            sets,
        })
    }
}

/// The context of a survey's responses to `versions` under `generation`, read in the storing
/// transaction where this process lacks some of it, and kept.
async fn context(
    db: &Db,
    conn: &mut AnyConnection,
    survey_id: &str,
    versions: &BTreeSet<u32>,
    generation: i64,
) -> Result<Context, AppError> {
    let known = |db: &Db| {
        let mut settings = db.followup.lock().expect("not poisoned");
        settings
            .at(generation)
            .map(|s| (s.rules.get(survey_id).cloned(), s.subscribers.clone()))
            .unwrap_or_default()
    };
    let (known_rules, known_subscribers) = known(db);
    let keep = |db: &Db, f: &mut dyn FnMut(&mut Settings)| {
        if let Some(s) = db.followup.lock().expect("not poisoned").at(generation) {
            f(s);
        }
    };
    let rules = match known_rules {
        Some(rules) => rules,
        None => {
            let rules = Arc::new(rules(conn, survey_id).await?);
            keep(db, &mut |s| {
                s.rules.insert(survey_id.to_owned(), rules.clone());
            });
            rules
        }
    };
    let subscribers = match known_subscribers {
        Some(subscribers) => subscribers,
        None => {
            let subscribers = Arc::new(subscribers(conn).await?);
            keep(db, &mut |s| s.subscribers = Some(subscribers.clone()));
            subscribers
        }
    };
    let mut sets = BTreeMap::new();
    if !rules.is_empty() {
        for &version in versions {
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
                    keep(db, &mut |s| {
                        s.sets.insert(key.clone(), set.clone());
                    });
                    set
                }
            };
            sets.insert(version, set);
        }
    }
    Ok(Context {
        rules,
        subscribers,
        sets,
    })
}

/// A case to insert, its columns as they are bound, with its opening event.
struct NewCase {
    id: String,
    response_id: String,
    survey_id: String,
    severity: String,
    rules: String,
    location: Option<String>,
    contact: Option<String>,
    opened_at: String,
    due_at: String,
    owner: Option<String>,
}

/// The cases a survey's new responses open, and the endpoints that want their `case.opened`,
/// as one generation of rules and endpoints has them.
pub(super) struct Openings {
    generation: i64,
    cases: Vec<NewCase>,
    endpoints: Vec<String>,
    at: String,
}

/// Evaluates the alert rules on the server's scores: the case each response a rule fires on
/// opens.
fn openings(
    context: &Context,
    generation: i64,
    survey_id: &str,
    stored: &[(&Response, &ResponseScores)],
    at: DateTime<Utc>,
) -> Result<Openings, AppError> {
    let opened_at = at.fixed_offset();
    let at_text = stored_time(opened_at);
    let endpoints = context
        .subscribers
        .iter()
        .filter(|s| s.wants(&WebhookEvent::CaseOpened, survey_id))
        .map(|s| s.id.clone())
        .collect();
    let mut cases = Vec::new();
    if context.rules.is_empty() {
        return Ok(Openings {
            generation,
            cases,
            endpoints,
            at: at_text,
        });
    }
    for (response, scores) in stored {
        let Some(set) = context.sets.get(&response.survey_version) else {
            continue;
        };
        let Some(opening) = case_for(&set.evaluate(response, scores)) else {
            continue;
        };
        let due = due_at(opened_at, opening.service_hours);
        cases.push(NewCase {
            id: String::new(),
            response_id: response.id.to_ascii_lowercase(),
            survey_id: survey_id.to_owned(),
            severity: opening.severity.key().to_owned(),
            rules: json(&opening.rules)?,
            location: response.meta.get("location").cloned(),
            contact: consented_contact(response).as_ref().map(json).transpose()?,
            opened_at: at_text.clone(),
            due_at: stored_time(due),
            owner: opening.owner,
        });
    }
    let ids = new_ids("case_", cases.len())?;
    for (case, id) in cases.iter_mut().zip(ids) {
        case.id = id;
    }
    Ok(Openings {
        generation,
        cases,
        endpoints,
        at: at_text,
    })
}

/// Works out, before the storing transaction, the cases a batch's responses to a survey would
/// open, from what this process holds of the rules and endpoints alone, so that the
/// transaction (on SQLite, the one write lock) is held only to write them. `None` when it
/// lacks some of them; the transaction then works them out itself.
pub(super) fn prepare(
    db: &Db,
    survey_id: &str,
    responses: &[(&Response, &ResponseScores)],
    at: DateTime<Utc>,
) -> Option<Result<Openings, AppError>> {
    let versions: BTreeSet<u32> = responses.iter().map(|(r, _)| r.survey_version).collect();
    let (context, generation) = {
        let settings = db.followup.lock().expect("not poisoned");
        (settings.context(survey_id, &versions)?, settings.generation)
    };
    Some(openings(&context, generation, survey_id, responses, at))
}

/// For responses just stored (all to one survey, new), in the storing transaction: opens a
/// case for each response an alert rule fires on (as [`prepare`] worked out, when that was
/// under the `generation` the transaction read), and queues the deliveries of `case.opened`
/// (those of `response.created` are queued when the responses leave the pending list:
/// [`Announcer`]).
pub(super) async fn on_stored(
    db: &Db,
    conn: &mut AnyConnection,
    survey_id: &str,
    stored: &[(&Response, &ResponseScores)],
    at: DateTime<Utc>,
    generation: i64,
    prepared: Option<Openings>,
) -> Result<Followed, AppError> {
    let openings = match prepared {
        Some(mut prepared) if prepared.generation == generation => {
            // Worked out for the whole batch: only the responses stored now open cases.
            let new: HashSet<String> = stored
                .iter()
                .map(|(r, _)| r.id.to_ascii_lowercase())
                .collect();
            prepared
                .cases
                .retain(|case| new.contains(&case.response_id));
            prepared
        }
        _ => {
            let versions = stored.iter().map(|(r, _)| r.survey_version).collect();
            let context = context(db, conn, survey_id, &versions, generation).await?;
            openings(&context, generation, survey_id, stored, at)?
        }
    };
    if openings.cases.is_empty() {
        return Ok(Followed::default());
    }
    // The cases, and their `case.opened` for each endpoint that wants them in a row or a few,
    // in one call.
    let mut inserts = Inserts::new(db.engine);
    inserts.cases(&openings.cases);
    let ids: Vec<String> = openings.cases.iter().map(|case| case.id.clone()).collect();
    let rows: Vec<Queued> = openings
        .endpoints
        .iter()
        .flat_map(|endpoint| {
            Queued::bundled(endpoint, WebhookEvent::CaseOpened, &openings.at, &ids)
        })
        .collect();
    let deliveries = inserts.deliveries(&rows)?;
    inserts.run(conn).await?;
    Ok(Followed {
        cases: openings.cases.len(),
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
                            resolution, contacted, events, opened_owner";

/// A case as stored: its summary (with `overdue` at `now`), its facts, its contact, and how
/// many timeline entries it has.
struct StoredCase {
    summary: CaseSummary,
    facts: CaseFacts,
    contact: Option<Contact>,
    events: i64,
    /// Its opening, as the server made it: at `opened_at`, with the owner the rules gave
    /// (`opened_owner`) and `due_at`, neither of which changes.
    opening: CaseEvent,
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
    let opening = CaseEvent {
        at: facts.opened_at,
        by: SERVER_ACTOR.to_owned(),
        kind: EventKind::Opened {
            owner: row.get(16),
            due_at: facts.due_at,
        },
    };
    Ok(StoredCase {
        summary,
        facts,
        contact,
        events: row.get(15),
        opening,
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
                created_at: at.clone(),
                subjects: vec![id.to_owned()],
                payload: Some(envelope(&WebhookEvent::CaseUpdated, &at, &data)),
            })
            .collect();
        let queued = queue(&mut tx, self.engine, deliveries).await?;
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
    /// `next`); `None` when there is no such endpoint. A row of several messages lists each.
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
        let cursor = after.and_then(|a| a.split_once('~'));
        // The rows from the cursor's own on (the rest of its messages may follow it), two more
        // than a page: every row after the first lists at least one message.
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE endpoint_id = $1 \
             AND ($2 IS NULL OR created_at < $2 OR (created_at = $2 AND id <= $3)) \
             ORDER BY created_at DESC, id DESC LIMIT {}",
            limit + 2
        )))
        .bind(endpoint_id)
        .bind(cursor.map(|(at, _)| at))
        .bind(cursor.map(|(_, id)| row_of(id).0))
        .fetch_all(&self.pool)
        .await?;
        let mut deliveries = Vec::new();
        for row in &rows {
            for delivery in delivery_rows(row)?.into_iter().rev() {
                let key = (stored_time(delivery.created_at), delivery.id.clone());
                if cursor.is_none_or(|(at, id)| (key.0.as_str(), key.1.as_str()) < (at, id)) {
                    deliveries.push(delivery);
                }
            }
        }
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
    /// one is sent once more (a receiver that lost it asked). In a row of several messages the
    /// row becomes pending with that message no longer counted as sent. `None` when there is
    /// no such delivery of that endpoint.
    pub async fn redeliver(
        &self,
        endpoint_id: &str,
        id: &str,
        audit: &super::AuditRecord,
    ) -> Result<Option<Delivery>, AppError> {
        let row_id = row_of(id).0;
        let mut tx = self.pool.begin().await?;
        // The write first (see `add_webhook`), which also finds the row.
        let found = sqlx::query(
            "UPDATE webhook_deliveries SET claimed_until = NULL \
             WHERE id = $1 AND endpoint_id = $2",
        )
        .bind(row_id)
        .bind(endpoint_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if found == 0 {
            return Ok(None);
        }
        let listed = listed_row(&mut tx, row_id).await?;
        let Some(position) = listed.iter().position(|d| d.id == id) else {
            return Ok(None);
        };
        // Every other message of the row that has been delivered stays so.
        let sent: Vec<usize> = listed
            .iter()
            .enumerate()
            .filter(|(k, d)| *k != position && d.status == DeliveryStatus::Delivered)
            .map(|(k, _)| k)
            .collect();
        let sent = (listed.len() > 1 && !sent.is_empty())
            .then(|| json(&sent))
            .transpose()?;
        sqlx::query(
            "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $2, sent = $3 \
             WHERE id = $1",
        )
        .bind(row_id)
        .bind(super::now())
        .bind(sent)
        .execute(&mut *tx)
        .await?;
        audit.insert(&mut tx).await?;
        let listed = listed_row(&mut tx, row_id).await?;
        tx.commit().await?;
        self.webhooks_waiting.notify_one();
        Ok(listed.into_iter().nth(position))
    }

    /// Records the outcomes of rows whose attempts have ended ([`Db::finish_deliveries`]) and
    /// takes due rows, for this process to send, in one transaction: each is leased until
    /// `lease_until` and its attempt counted, in one statement, so no other sender (in this or
    /// another process) takes it meanwhile. Rows are taken in due order until they hold
    /// `messages` messages (at least one row). PostgreSQL skips rows another sender is claiming
    /// at that moment rather than waiting for them.
    ///
    /// Returns the messages to send, each with its row; the messages of a row that were
    /// delivered before are left out, and a row that has none left is returned as its
    /// [`RowClaim`] alone, to be recorded as delivered.
    pub async fn claim_deliveries(
        &self,
        ended: &[Settled],
        messages: usize,
        lease_until: DateTime<Utc>,
    ) -> Result<(Vec<Claimed>, Vec<Arc<RowClaim>>), AppError> {
        let now = super::now();
        let skip = match self.engine {
            Engine::Sqlite => "",
            Engine::Postgres => " FOR UPDATE SKIP LOCKED",
        };
        // The due rows in order, as many as there may be messages wanted (each holds one at
        // least), of which those whose messages before them number less than wanted.
        let sql = format!(
            "UPDATE webhook_deliveries SET claimed_until = $2, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM (SELECT id, messages, \
             SUM(messages) OVER (ORDER BY next_attempt_at, id) AS upto FROM ( \
             SELECT id, messages, next_attempt_at FROM webhook_deliveries \
             WHERE status = 'pending' AND next_attempt_at <= $1 \
             AND (claimed_until IS NULL OR claimed_until <= $1) \
             ORDER BY next_attempt_at, id LIMIT {messages}{skip}) due) counted \
             WHERE upto - messages < {messages}) \
             RETURNING id, endpoint_id, event, subject, payload, created_at, attempts, \
             messages, sent"
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
            return Ok((Vec::new(), Vec::new()));
        }
        // Each row's event, its messages' subjects, and the ones already sent.
        let mut expanded = Vec::with_capacity(rows.len());
        for row in &rows {
            let event = WebhookEvent::from(row.get::<String, _>(2).as_str());
            let subject: String = row.get(3);
            let subjects: Vec<String> = if row.get::<i64, _>(7) > 1 {
                from_json("delivery subjects", &subject)?
            } else {
                vec![subject]
            };
            let sent: Vec<usize> = row
                .get::<Option<String>, _>(8)
                .map(|s| from_json("sent messages", &s))
                .transpose()?
                .unwrap_or_default();
            expanded.push((event, subjects, sent));
        }
        // The endpoints and the stored responses the claimed messages need, one statement
        // each for all of them rather than two per message.
        let endpoint_ids: BTreeSet<String> = rows.iter().map(|r| r.get::<String, _>(1)).collect();
        let endpoints = self
            .lookup(
                "SELECT id, url, secret FROM webhook_endpoints",
                &endpoint_ids,
            )
            .await?;
        // Bodies made when sent: `response.created` from the stored response, `case.opened`
        // from the stored case as it was opened.
        let made = |wanted: WebhookEvent| -> BTreeSet<String> {
            rows.iter()
                .zip(&expanded)
                .filter(|(row, (event, _, _))| {
                    *event == wanted && row.get::<Option<String>, _>(4).is_none()
                })
                .flat_map(|(_, (_, subjects, _))| subjects.iter().cloned())
                .collect()
        };
        let responses = self
            .lookup(
                "SELECT id, body, scores, received_at FROM responses",
                &made(WebhookEvent::ResponseCreated),
            )
            .await?;
        let cases = self.opened(&made(WebhookEvent::CaseOpened)).await?;
        let mut claimed = Vec::new();
        let mut done = Vec::new();
        let mut orphans = Vec::new();
        for (row, (event, subjects, sent)) in rows.iter().zip(expanded) {
            let id: String = row.get(0);
            let Some([url, secret]) = endpoints.get(&row.get::<String, _>(1)).cloned() else {
                // Its endpoint was removed after the row was queued.
                orphans.push(id);
                continue;
            };
            let several = subjects.len() > 1;
            let unsent: Vec<usize> = (0..subjects.len()).filter(|k| !sent.contains(k)).collect();
            let row_claim = Arc::new(RowClaim {
                id: id.clone(),
                lease: lease.clone(),
                lease_until,
                sent,
                sending: unsent.len(),
            });
            if unsent.is_empty() {
                done.push(row_claim);
                continue;
            }
            let created_at = parse_time(&row.get::<String, _>(5))?;
            let attempts = u32::try_from(row.get::<i64, _>(6)).unwrap_or(u32::MAX);
            let payload: Option<String> = row.get(4);
            for k in unsent {
                let subject = &subjects[k];
                let body = match (&payload, &event) {
                    (Some(payload), _) => payload.clone(),
                    (None, WebhookEvent::CaseOpened) => match cases.get(subject) {
                        Some(body) => body.clone(),
                        None => gone(&event, json!({ "id": subject, "deleted": true })),
                    },
                    (None, _) => response_payload(subject, responses.get(subject)),
                };
                claimed.push(Claimed {
                    id: if several {
                        format!("{id}-{k:02}")
                    } else {
                        id.clone()
                    },
                    row: row_claim.clone(),
                    index: k,
                    url: url.clone(),
                    secret: secret.clone(),
                    body,
                    created_at,
                    attempts,
                });
            }
        }
        if !orphans.is_empty() {
            let mut next = Placeholders::new(self.engine);
            let sql = format!(
                "DELETE FROM webhook_deliveries WHERE id IN ({})",
                next.list(orphans.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in &orphans {
                query = query.bind(id.as_str());
            }
            query.execute(&self.pool).await?;
        }
        Ok((claimed, done))
    }

    /// The `case.opened` bodies of the given cases, as each was opened: its stored facts, with
    /// the owner and due time of its opening event, open and not overdue. Neither changes, so
    /// every attempt sends the same bytes.
    async fn opened(&self, ids: &BTreeSet<String>) -> Result<HashMap<String, String>, AppError> {
        let ids: Vec<&String> = ids.iter().collect();
        let mut bodies = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let mut next = Placeholders::new(self.engine);
            let sql = format!(
                "SELECT {CASE_COLUMNS}, case_events.body FROM cases \
                 LEFT JOIN case_events ON case_events.case_id = cases.id \
                 AND case_events.seq = 0 WHERE cases.id IN ({})",
                next.list(chunk.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                query = query.bind(id.as_str());
            }
            for row in query.fetch_all(&self.pool).await? {
                let stored = case_row(&row, Utc::now().fixed_offset())?;
                // The opening as a timeline entry, for a case opened before they were kept in
                // the row.
                let opening = match row.get::<Option<String>, _>(17) {
                    Some(body) => from_json("case event", &body)?,
                    None => stored.opening.kind,
                };
                let EventKind::Opened { owner, due_at } = opening else {
                    return Err(AppError::Internal(format!(
                        "case {} does not begin with its opening",
                        stored.summary.id
                    )));
                };
                let summary = CaseSummary {
                    status: WireStatus::Open,
                    owner,
                    due_at,
                    overdue: false,
                    ..stored.summary
                };
                let at = stored_time(summary.opened_at);
                let body = envelope(&WebhookEvent::CaseOpened, &at, &json(&summary)?);
                bodies.insert(summary.id, body);
            }
        }
        Ok(bodies)
    }

    /// Rows of `select` (an id and N texts) for the given ids, by id, a few statements for any
    /// number.
    async fn lookup<const N: usize>(
        &self,
        select: &str,
        ids: &BTreeSet<String>,
    ) -> Result<HashMap<String, [String; N]>, AppError> {
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
                found.insert(row.get(0), std::array::from_fn(|i| row.get(i + 1)));
            }
        }
        Ok(found)
    }

    /// Records rows' outcomes, in one transaction: delivered, or failed with the next attempt
    /// (or, past the retry window, failed for good).
    pub async fn finish_deliveries(&self, ended: &[Settled]) -> Result<(), AppError> {
        if ended.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        record(&mut tx, self.engine, ended, &super::now()).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The row a `webhook-id` belongs to, and its place there for a row of several messages
/// (`id-kk`).
fn row_of(id: &str) -> (&str, Option<usize>) {
    match id.rsplit_once('-') {
        Some((row, k)) => match k.parse() {
            Ok(k) => (row, Some(k)),
            Err(_) => (id, None),
        },
        None => (id, None),
    }
}

/// Records rows' outcomes in the caller's transaction: the delivered rows, nearly all of them,
/// in a few statements, the rest one by one.
async fn record(
    conn: &mut AnyConnection,
    engine: Engine,
    ended: &[Settled],
    now: &str,
) -> Result<(), AppError> {
    let delivered: Vec<&str> = ended
        .iter()
        .filter(|settled| matches!(settled.outcome, Outcome::Delivered))
        .map(|settled| settled.row.as_str())
        .collect();
    for chunk in delivered.chunks(500) {
        let mut next = Placeholders::new(engine);
        let at = next.next();
        let list = next.list(chunk.len());
        let sql = format!(
            "UPDATE webhook_deliveries SET status = 'delivered', delivered_at = {at}, \
             claimed_until = NULL, next_attempt_at = NULL, last_error = NULL, sent = NULL \
             WHERE id IN ({})",
            list
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now);
        for id in chunk {
            query = query.bind(*id);
        }
        query.execute(&mut *conn).await?;
    }
    for settled in ended {
        if !matches!(settled.outcome, Outcome::Delivered) {
            finish(&mut *conn, settled).await?;
        }
    }
    Ok(())
}

/// The body of a `response.created` message, made from the stored response and scores (which
/// never change, so every attempt sends the same bytes), dated when it was stored; a response
/// deleted since is sent as its id and `"deleted": true`.
fn response_payload(id: &str, stored: Option<&[String; 3]>) -> String {
    match stored {
        Some([body, scores, received_at]) => envelope(
            &WebhookEvent::ResponseCreated,
            received_at,
            &format!("{{\"response\":{body},\"scores\":{scores}}}"),
        ),
        None => gone(
            &WebhookEvent::ResponseCreated,
            json!({ "response": { "id": id }, "deleted": true }),
        ),
    }
}

/// The body of a message whose subject is no longer stored: what it was about, said now.
fn gone(event: &WebhookEvent, data: serde_json::Value) -> String {
    envelope(event, &super::now(), &data.to_string())
}

/// Records one row's outcome other than a delivery, in the caller's transaction.
async fn finish(conn: &mut AnyConnection, settled: &Settled) -> Result<(), AppError> {
    let id = settled.row.as_str();
    let sent = (!settled.sent.is_empty())
        .then(|| json(&settled.sent))
        .transpose()?;
    let query = match &settled.outcome {
        Outcome::Delivered => return Ok(()),
        Outcome::Retry { error, at } => sqlx::query(
            "UPDATE webhook_deliveries SET claimed_until = NULL, next_attempt_at = $2, \
             last_error = $3, sent = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(stored_time(at.fixed_offset()))
        .bind(error)
        .bind(sent),
        Outcome::Failed { error } => sqlx::query(
            "UPDATE webhook_deliveries SET status = 'failed', claimed_until = NULL, \
             next_attempt_at = NULL, last_error = $2, sent = $3 WHERE id = $1",
        )
        .bind(id)
        .bind(error)
        .bind(sent),
        // Not attempted: its claim and the attempt it counted are given back, unless the
        // lease ran out and another sender has claimed it since.
        Outcome::Released { lease } => sqlx::query(
            "UPDATE webhook_deliveries SET claimed_until = NULL, attempts = attempts - 1, \
             sent = $3 WHERE id = $1 AND claimed_until = $2",
        )
        .bind(id)
        .bind(lease)
        .bind(sent),
    };
    query.execute(&mut *conn).await?;
    Ok(())
}

/// A claimed outbox row: its lease, and its messages.
#[derive(Debug)]
pub struct RowClaim {
    pub id: String,
    /// The claim as stored, and when it ends: no attempt may start that could outlast it.
    pub lease: String,
    pub lease_until: DateTime<Utc>,
    /// The messages delivered before this claim.
    pub sent: Vec<usize>,
    /// How many messages this claim sends.
    pub sending: usize,
}

impl RowClaim {
    /// What the row comes to once each message this claim sends has ended: delivered when all
    /// are; otherwise as its worst message (failed for good, then to be retried, soonest
    /// first, then given back unsent), with the messages delivered so far.
    pub fn settle(&self, ended: Vec<(usize, Outcome)>) -> Settled {
        let mut sent = self.sent.clone();
        let mut worst: Option<Outcome> = None;
        for (k, outcome) in ended {
            let rank = |o: &Outcome| match o {
                Outcome::Delivered => 0,
                Outcome::Released { .. } => 1,
                Outcome::Retry { .. } => 2,
                Outcome::Failed { .. } => 3,
            };
            if matches!(outcome, Outcome::Delivered) {
                sent.push(k);
                continue;
            }
            let worse = match (&worst, &outcome) {
                (None, _) => true,
                (Some(Outcome::Retry { at: was, .. }), Outcome::Retry { at, .. }) => at < was,
                (Some(was), now) => rank(now) > rank(was),
            };
            if worse {
                worst = Some(outcome);
            }
        }
        sent.sort_unstable();
        sent.dedup();
        Settled {
            row: self.id.clone(),
            outcome: worst.unwrap_or(Outcome::Delivered),
            sent,
        }
    }
}

/// A message taken for sending.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// Its `webhook-id`.
    pub id: String,
    pub row: Arc<RowClaim>,
    /// Its place in the row.
    pub index: usize,
    pub url: String,
    pub secret: String,
    pub body: String,
    pub created_at: DateTime<FixedOffset>,
    /// Counting this one.
    pub attempts: u32,
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

/// A row's outcome, to record: see [`RowClaim::settle`].
#[derive(Debug, Clone)]
pub struct Settled {
    pub row: String,
    pub outcome: Outcome,
    /// The row's messages delivered so far, by place.
    pub sent: Vec<usize>,
}

const DELIVERY_COLUMNS: &str = "id, endpoint_id, event, created_at, attempts, status, last_error, \
                                next_attempt_at, messages, sent";

/// The deliveries an outbox row lists ([`delivery_rows`]), read in `conn`.
async fn listed_row(conn: &mut AnyConnection, id: &str) -> Result<Vec<Delivery>, AppError> {
    let sql = format!("SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    delivery_rows(&row)
}

/// The deliveries a row lists: itself, or each of its messages (`id-kk`), those already sent
/// as delivered.
fn delivery_rows(row: &sqlx::any::AnyRow) -> Result<Vec<Delivery>, AppError> {
    let status: String = row.get(5);
    let id: String = row.get(0);
    let delivery = Delivery {
        id: id.clone(),
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
    };
    let messages = usize::try_from(row.get::<i64, _>(8)).unwrap_or(1);
    if messages <= 1 {
        return Ok(vec![delivery]);
    }
    let sent: Vec<usize> = row
        .get::<Option<String>, _>(9)
        .map(|s| from_json("sent messages", &s))
        .transpose()?
        .unwrap_or_default();
    Ok((0..messages)
        .map(|k| {
            let id = format!("{id}-{k:02}");
            if sent.contains(&k) {
                Delivery {
                    id,
                    status: DeliveryStatus::Delivered,
                    last_error: None,
                    next_attempt_at: None,
                    ..delivery.clone()
                }
            } else {
                Delivery {
                    id,
                    ..delivery.clone()
                }
            }
        })
        .collect())
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
        opening,
        ..
    } = case_row(&row, now)?;
    let rows =
        sqlx::query("SELECT at, actor, body, seq FROM case_events WHERE case_id = $1 ORDER BY seq")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    // A case opened without a timeline entry for its opening begins with the one its row
    // keeps (`StoredCase::opening`).
    let mut events = Vec::with_capacity(rows.len() + 1);
    if rows.first().is_none_or(|row| row.get::<i64, _>(3) != 0) {
        events.push(WireEvent::from(&opening));
    }
    for row in &rows {
        let kind: EventKind = from_json("case event", row.get(2))?;
        events.push(WireEvent::from(&CaseEvent {
            at: parse_time(row.get(0))?,
            by: row.get(1),
            kind,
        }));
    }
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

    #[test]
    fn ids_made_together_share_their_time_and_differ_in_the_rest() {
        let ids = new_ids("case_", 50).unwrap();
        assert_eq!(ids.len(), 50);
        assert!(
            ids.iter()
                .all(|id| id.len() == 5 + 32 && id.starts_with("case_"))
        );
        assert!(ids.iter().all(|id| id[..5 + 12] == ids[0][..5 + 12]));
        let distinct: std::collections::BTreeSet<&str> = ids.iter().map(|id| &id[17..]).collect();
        assert_eq!(distinct.len(), 50);
        assert!(new_ids("case_", 0).unwrap().is_empty());
    }
}
