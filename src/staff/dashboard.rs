//! The staff dashboard's state outside its views: how it reaches the data (a server, with a
//! staff token kept for the browser session only, or this device alone), the filters kept in
//! the address, and loading an overview either way.
//!
//! Both ways end in the same `manyi_core` report, built the same way: the server streams its
//! stored responses into the core's mergeable statistics (`ReportBuilder`), and local-only mode
//! feeds the responses kept on this device into a `ReportBuilder` one at a time as they are
//! read from storage, so the same data gives the same numbers and neither holds every response
//! at once.

use std::future::Future;

use chrono::{DateTime, Days, FixedOffset, NaiveDate};
use manyi_api::{ExportFormat, ReportQuery, TextsQuery};
use manyi_core::aggregate::{ReportBuilder, TextCollector};
use manyi_core::report::{BucketSpec, BucketUnit, MetaFilter, ReportOptions, TextAnswers};
use manyi_core::targets::Target;
use manyi_core::validate::Problem;
use manyi_core::{Plan, Report, Response, Survey, export, parse_survey};
use serde::{Deserialize, Serialize};

use crate::browser::frame::after_paint;
use crate::browser::nav::Location;
use crate::browser::{clock, download};
use crate::i18n::{self, Lang};
use crate::net::api::{ApiError, Detail, StaffApi};
use crate::storage::catalog::{self, ImportError};
use crate::storage::device;
use crate::storage::{StorageError, Store, session_storage};

/// Where the sign-in is kept: session storage, so closing the browser forgets the token.
pub const SESSION_KEY: &str = "manyi.staff.session.v1";
/// Targets set in local-only mode, as a JSON object of survey id → list.
pub const LOCAL_TARGETS_KEY: &str = "manyi.targets.v1";

/// How the dashboard reaches its data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum Access {
    /// A manyi server's API, with a staff token.
    Server(StaffApi),
    /// The responses stored on this device, reported on in the browser.
    Local,
}

impl Access {
    /// The sign-in of this browser session, if any.
    pub fn load() -> Option<Access> {
        let text = session_storage()?.get_item(SESSION_KEY).ok()??;
        serde_json::from_str(&text).ok()
    }

    /// Keeps the sign-in for this browser session. Without session storage (a privacy mode)
    /// it lasts until the page is left, which is the safer way to fail for a token.
    pub fn save(&self) {
        if let (Some(storage), Ok(text)) = (session_storage(), serde_json::to_string(self)) {
            let _ = storage.set_item(SESSION_KEY, &text);
        }
    }

    /// Signs out: the token is forgotten.
    pub fn forget() {
        if let Some(storage) = session_storage() {
            let _ = storage.remove_item(SESSION_KEY);
        }
    }

    pub fn is_local(&self) -> bool {
        matches!(self, Access::Local)
    }
}

/// Why the dashboard could not show something.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DashboardError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("no definition of this survey is available")]
    NoDefinition,
    /// A report this device will not make, for the reason the server gives for refusing it.
    #[error(transparent)]
    Query(#[from] manyi_api::QueryError),
}

/// What the overview shows: which responses, over which period, broken down how. Kept in the
/// address so a view can be bookmarked and shared.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filters {
    /// The first day of the period.
    pub from: Option<NaiveDate>,
    /// The last day of the period, included.
    pub to: Option<NaiveDate>,
    /// The `meta` key the segment table breaks the figures down by.
    pub segment: Option<String>,
    /// Only responses with this `meta` value.
    pub filter: Option<MetaFilter>,
    /// The trend's time unit; weeks when not chosen.
    pub bucket: Option<BucketUnit>,
}

fn encode(text: &str) -> String {
    String::from(js_sys::encode_uri_component(text))
}

impl Filters {
    /// The filters in the current address; reading them makes the caller follow changes.
    pub fn read(location: Location) -> Filters {
        let date = |key| location.query(key).and_then(|d| d.parse().ok());
        Filters {
            from: date("from"),
            to: date("to"),
            segment: location.query("segment").filter(|s| !s.is_empty()),
            filter: location
                .query("filter")
                .and_then(|f| manyi_api::parse_filter(&f).ok()),
            bucket: location.query("bucket").and_then(|b| b.parse().ok()),
        }
    }

    pub fn bucket_unit(&self) -> BucketUnit {
        self.bucket.unwrap_or(BucketUnit::Week)
    }

    /// The query string (without `?`) of these filters and `lang`, as the dashboard's address
    /// keeps them: the report's query with the days as they were chosen.
    pub fn query(&self, lang: &str) -> String {
        let days = ReportQuery {
            from: self.from.map(|day| day.to_string()),
            to: self.to.map(|day| day.to_string()),
            segment: self.segment.clone(),
            bucket: self.bucket.map(|unit| unit.as_str().to_owned()),
            utc_offset: None,
            filter: self.filter_text(),
        }
        .to_query_string();
        match days.is_empty() {
            true => format!("lang={}", encode(lang)),
            false => format!("lang={}&{days}", encode(lang)),
        }
    }

    /// The period as instants `[from, to)`: midnight at the start of the first day and after
    /// the last, in `offset`.
    fn bounds(
        &self,
        offset: FixedOffset,
    ) -> (Option<DateTime<FixedOffset>>, Option<DateTime<FixedOffset>>) {
        let midnight = |day: NaiveDate| {
            day.and_hms_opt(0, 0, 0)
                .and_then(|t| t.and_local_timezone(offset).single())
        };
        (
            self.from.and_then(midnight),
            self.to
                .and_then(|d| d.checked_add_days(Days::new(1)))
                .and_then(midnight),
        )
    }

    /// The report's options, dates taken in `offset`.
    pub fn options(&self, offset: FixedOffset) -> ReportOptions {
        let (from, to) = self.bounds(offset);
        ReportOptions {
            from,
            to,
            segment: self.segment.clone(),
            bucket: Some(BucketSpec {
                unit: self.bucket_unit(),
                utc_offset: offset,
            }),
            filter: self.filter.clone(),
        }
    }

    /// The server's report query for these filters, dates taken in `offset`.
    fn report_query(&self, offset: FixedOffset) -> ReportQuery {
        let (from, to) = self.bounds(offset);
        ReportQuery {
            from: from.map(|t| t.to_rfc3339()),
            to: to.map(|t| t.to_rfc3339()),
            segment: self.segment.clone(),
            bucket: Some(self.bucket_unit().as_str().to_owned()),
            utc_offset: Some(offset.to_string()),
            filter: self.filter_text(),
        }
    }

    /// The server's query for the open-text answers containing `search` in the period and
    /// filter, at most `limit` of them.
    fn texts_query(&self, offset: FixedOffset, search: &str, limit: usize) -> TextsQuery {
        let report = self.report_query(offset);
        TextsQuery {
            q: Some(search.to_owned()),
            limit: Some(limit),
            from: report.from,
            to: report.to,
            utc_offset: report.utc_offset,
            filter: report.filter,
        }
    }

    /// The filter as the API writes it, `key:value`.
    fn filter_text(&self) -> Option<String> {
        self.filter
            .as_ref()
            .map(|filter| format!("{}:{}", filter.key, filter.value))
    }
}

/// Everything the overview shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Overview {
    pub survey: Survey,
    pub report: Report,
    pub targets: Vec<Target>,
}

/// The definition of survey `id`: the server's latest, or in local-only mode the one this
/// device runs (see `catalog::find`).
pub async fn survey(access: &Access, id: &str) -> Result<Survey, DashboardError> {
    match access {
        Access::Server(staff) => {
            let json = staff
                .survey_json(id)
                .await?
                .ok_or(DashboardError::NoDefinition)?;
            parse_survey(&json).map_err(|_| DashboardError::NoDefinition)
        }
        Access::Local => {
            let store = Store::open().ok();
            let (survey, problem) = catalog::find(store.as_ref(), id).await;
            match (survey, problem) {
                (Some(survey), _) => Ok(survey),
                (None, Some(problem)) => Err(problem.into()),
                (None, None) => Err(DashboardError::NoDefinition),
            }
        }
    }
}

/// The overview of survey `id` with `filters`; its targets only `with_targets` (a token whose
/// role may read them). `survey` brings the definition (from [`survey`], read once for a
/// screen whose filters change): a server's report does not need it, so it is awaited
/// alongside the report and the targets, while this device's report is computed from it.
pub async fn overview(
    access: &Access,
    id: &str,
    survey: impl Future<Output = Result<Survey, DashboardError>>,
    filters: &Filters,
    with_targets: bool,
) -> Result<Overview, DashboardError> {
    let offset = *clock::now().offset();
    match access {
        Access::Server(staff) => {
            let query = filters.report_query(offset);
            let targets = async {
                match with_targets {
                    true => staff.targets(id).await,
                    false => Ok(Vec::new()),
                }
            };
            let (survey, report, targets) =
                futures::join!(survey, staff.report(id, &query), targets);
            Ok(Overview {
                survey: survey?,
                report: report?,
                targets: targets?,
            })
        }
        Access::Local => {
            let survey = survey.await?;
            let store = Store::open()?;
            let report = local_report(&store, id, &survey, filters.options(offset)).await?;
            Ok(Overview {
                survey,
                report,
                targets: local_targets(&store, id)?,
            })
        }
    }
}

/// The report on the responses to survey `id` kept on this device, each response added to the
/// core's mergeable statistics as it is read from storage.
async fn local_report(
    store: &Store,
    id: &str,
    survey: &Survey,
    options: ReportOptions,
) -> Result<Report, DashboardError> {
    // Reading and scoring thousands of responses holds the page for a while; the overview's
    // loading state is drawn first, so it is on screen meanwhile.
    after_paint().await;
    let plan = Plan::new(survey);
    let segment = options.segment.clone();
    let mut builder = ReportBuilder::new(&plan, options);
    device::each_response(Some(store), |response| {
        if response.survey_id == id {
            builder.push_response(&response);
        }
    })
    .await
    .complete()?;
    finish(builder, segment.as_deref())
}

/// The report, or the server's refusal when the segment key had more values than a report
/// breaks down into: the builder has then left groups out, and a segment table missing some of
/// them must not be shown as if complete.
fn finish(builder: ReportBuilder<'_>, segment: Option<&str>) -> Result<Report, DashboardError> {
    match builder.segments_overflowed() {
        true => Err(manyi_api::too_many_segments(segment.unwrap_or_default()).into()),
        false => Ok(builder.finish()),
    }
}

/// Every response to survey `id` kept on this device, for an export.
async fn local_responses(store: &Store, id: &str) -> Result<Vec<Response>, StorageError> {
    let (responses, read) = device::of_survey(Some(store), id).await;
    read.complete()?;
    Ok(responses)
}

/// How many open-text answers the overview lists at once.
pub const TEXT_LIMIT: usize = 50;

/// The open-text answers of the responses `filters` select that contain `search`, newest first.
pub async fn texts(
    access: &Access,
    id: &str,
    filters: &Filters,
    search: &str,
) -> Result<TextAnswers, DashboardError> {
    let offset = *clock::now().offset();
    match access {
        Access::Server(staff) => {
            let query = filters.texts_query(offset, search, TEXT_LIMIT);
            let found = staff.texts(id, &query).await?;
            Ok(TextAnswers {
                total: found.total,
                answers: found.answers,
            })
        }
        Access::Local => {
            let survey = survey(access, id).await?;
            let store = Store::open()?;
            let plan = Plan::new(&survey);
            // The search keeps the newest matches only, so it too reads the responses one
            // at a time rather than holding them all.
            let mut found = TextCollector::new(&plan, filters.options(offset), search, TEXT_LIMIT);
            device::each_response(Some(&store), |response| {
                if response.survey_id == id {
                    found.push_response(&response);
                }
            })
            .await
            .complete()?;
            Ok(found.finish())
        }
    }
}

fn local_targets(store: &Store, id: &str) -> Result<Vec<Target>, StorageError> {
    let all: serde_json::Map<String, serde_json::Value> =
        store.get_json(LOCAL_TARGETS_KEY)?.unwrap_or_default();
    Ok(all
        .get(id)
        .and_then(|list| serde_json::from_value(list.clone()).ok())
        .unwrap_or_default())
}

/// Replaces the targets of survey `id`, after the core's checks; the list as kept.
pub async fn save_targets(
    access: &Access,
    id: &str,
    targets: Vec<Target>,
) -> Result<Vec<Target>, SaveError> {
    let problems = manyi_core::targets::validate_targets(&targets);
    if !problems.is_empty() {
        return Err(SaveError::Invalid(problems));
    }
    match access {
        Access::Server(staff) => Ok(staff.put_targets(id, targets).await?),
        Access::Local => {
            let store = Store::open()?;
            let mut all: serde_json::Map<String, serde_json::Value> =
                match store.get_json(LOCAL_TARGETS_KEY) {
                    Ok(all) => all.unwrap_or_default(),
                    // The unreadable list has been moved aside, so a new one can start.
                    Err(StorageError::Corrupt { .. }) => Default::default(),
                    Err(error) => return Err(error.into()),
                };
            let value =
                serde_json::to_value(&targets).map_err(|e| StorageError::Failed(e.to_string()))?;
            all.insert(id.to_owned(), value);
            store.set_json(LOCAL_TARGETS_KEY, &all)?;
            Ok(targets)
        }
    }
}

/// Why something staff sent was not kept.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SaveError {
    /// Problems found before sending, each with its JSON path.
    #[error("{} problem(s)", .0.len())]
    Invalid(Vec<Problem>),
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl SaveError {
    /// Every problem with a path, whether found here or by the server.
    pub fn problems(&self) -> Vec<Detail> {
        match self {
            SaveError::Invalid(problems) => problems
                .iter()
                .map(|p| Detail {
                    path: p.path.clone(),
                    kind: None,
                    message: p.message.clone(),
                    position: None,
                })
                .collect(),
            SaveError::Api(error) => error.problems(),
            _ => Vec::new(),
        }
    }
}

/// A failure as staff are told it: the server's refusal of what the token's role or survey
/// scope does not allow, in the server's words (which name the roles that may), or anything
/// else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    Refused(String),
    Failed(String),
}

impl Failure {
    pub fn text(&self, lang: Lang) -> String {
        match self {
            Failure::Refused(message) => i18n::refused(lang, message),
            Failure::Failed(reason) => i18n::load_failed(lang, reason),
        }
    }

    pub fn is_refusal(&self) -> bool {
        matches!(self, Failure::Refused(_))
    }
}

impl From<&ApiError> for Failure {
    fn from(error: &ApiError) -> Failure {
        match error.refusal() {
            Some(message) => Failure::Refused(message.to_owned()),
            None => Failure::Failed(error.to_string()),
        }
    }
}

impl From<&DashboardError> for Failure {
    fn from(error: &DashboardError) -> Failure {
        match error {
            DashboardError::Api(error) => error.into(),
            _ => Failure::Failed(error.to_string()),
        }
    }
}

impl From<&SaveError> for Failure {
    fn from(error: &SaveError) -> Failure {
        match error {
            SaveError::Api(error) => error.into(),
            _ => Failure::Failed(error.to_string()),
        }
    }
}

/// A survey as the dashboard lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    pub id: String,
    pub title: manyi_core::LocalizedText,
    pub default_locale: String,
    pub version: u32,
    pub responses: usize,
}

/// The surveys to list: the server's, or in local-only mode those with responses on this
/// device, in the order their first responses arrived.
pub async fn surveys(access: &Access) -> Result<Vec<Listed>, DashboardError> {
    match access {
        Access::Server(staff) => Ok(staff
            .surveys()
            .await?
            .into_iter()
            .map(|s| Listed {
                id: s.id,
                title: s.title,
                default_locale: String::new(),
                version: s.version,
                responses: usize::try_from(s.responses).unwrap_or(0),
            })
            .collect()),
        Access::Local => {
            let store = Store::open()?;
            let (counts, read) = device::surveys(Some(&store)).await;
            read.complete()?;
            let mut listed = Vec::new();
            for (id, responses) in counts.0 {
                // Responses whose definition is nowhere to be found cannot be reported on.
                if let (Some(survey), _) = catalog::find(Some(&store), &id).await {
                    listed.push(Listed {
                        id,
                        title: survey.title,
                        default_locale: survey.default_locale,
                        version: survey.version,
                        responses,
                    });
                }
            }
            Ok(listed)
        }
    }
}

/// An export file: its bytes as a Blob and a file name.
pub async fn export_file(
    access: &Access,
    id: &str,
    format: ExportFormat,
) -> Result<(web_sys::Blob, String), DashboardError> {
    let name = format!("{id}-responses.{}", format.as_str());
    let blob = match access {
        Access::Server(staff) => staff.export(id, format).await?,
        Access::Local => {
            let store = Store::open()?;
            let responses = local_responses(&store, id).await?;
            let text = match format {
                ExportFormat::Csv => {
                    let survey = survey(access, id).await?;
                    export::csv(&survey, &responses)
                }
                // XLSX is offered only from a server (`export_formats`), so JSON is what is left.
                ExportFormat::Json | ExportFormat::Xlsx => serde_json::to_string_pretty(&responses)
                    .map_err(|e| StorageError::Failed(e.to_string()))?,
            };
            download::blob(text.as_bytes(), format.media_type())
                .ok_or_else(|| StorageError::Failed("the file could not be made".to_owned()))?
        }
    };
    Ok((blob, name))
}

/// The formats an export is offered in: XLSX only from a server, which writes workbooks.
pub fn export_formats(access: &Access) -> &'static [ExportFormat] {
    match access {
        Access::Server(_) => &[ExportFormat::Csv, ExportFormat::Xlsx, ExportFormat::Json],
        Access::Local => &[ExportFormat::Csv, ExportFormat::Json],
    }
}

/// A definition published (server) or kept on this device (local-only mode).
#[derive(Debug, Clone, PartialEq)]
pub struct Saved {
    pub id: String,
    pub version: u32,
    /// What a SurveyJS import did not carry over as it was.
    pub reports: Vec<Detail>,
}

/// Publishes `text`, a manyi definition or (when `surveyjs`) a SurveyJS one: on the server as
/// a new version, or in local-only mode onto this device after the same checks, made here by
/// the core.
pub async fn publish(access: &Access, text: &str, surveyjs: bool) -> Result<Saved, SaveError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        SaveError::Invalid(vec![Problem {
            path: "$".to_owned(),
            message: format!("not JSON: {e}"),
        }])
    })?;
    match access {
        Access::Server(staff) => {
            let published = staff.publish(&value, surveyjs).await?;
            Ok(Saved {
                id: published.id,
                version: published.version,
                reports: published.reports.into_iter().map(Detail::from).collect(),
            })
        }
        Access::Local => {
            let store = Store::open().ok();
            let imported =
                catalog::import_definition(store.as_ref(), text, surveyjs).map_err(|error| {
                    match error {
                        ImportError::Invalid(problems) => SaveError::Invalid(problems),
                        ImportError::Storage(error) => SaveError::Storage(error),
                    }
                })?;
            Ok(Saved {
                id: imported.survey.id,
                version: imported.survey.version,
                reports: imported.reports,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_is_told_in_the_servers_words() {
        let refused = ApiError::Status {
            status: 403,
            code: Some(manyi_api::ErrorCode::Forbidden),
            message: "a token with the role editor may not read open-text answers or export responses; a token with the role admin or analyst may".into(),
            details: "null".into(),
        };
        let failure = Failure::from(&DashboardError::Api(refused));
        assert!(failure.is_refusal());
        let text = failure.text(Lang::En);
        assert!(
            text.ends_with("a token with the role admin or analyst may"),
            "{text}"
        );
        assert!(!text.contains("403"), "{text}");
        let other = Failure::from(&SaveError::Api(ApiError::Network));
        assert!(!other.is_refusal());
        assert_eq!(
            other.text(Lang::En),
            "Something went wrong: the server could not be reached"
        );
    }

    #[test]
    fn a_local_report_with_too_many_segment_values_is_refused_as_the_server_refuses_it() {
        let survey = manyi_core::templates::get("nps").unwrap().unwrap();
        let plan = Plan::new(&survey);
        let options = |segment: &str| ReportOptions {
            segment: Some(segment.to_owned()),
            ..Default::default()
        };
        let response = |n: usize| Response {
            id: format!("00000000-0000-4000-8000-{n:012}"),
            survey_id: "nps".to_owned(),
            survey_version: 1,
            started_at: None,
            submitted_at: None,
            locale: None,
            answers: Default::default(),
            meta: [
                ("ticket".to_owned(), format!("T{n}")),
                ("channel".to_owned(), ["web", "store"][n % 2].to_owned()),
            ]
            .into(),
            partial: false,
        };
        let limit = manyi_core::limits::MAX_SEGMENT_GROUPS;
        let mut by_ticket = ReportBuilder::new(&plan, options("ticket"));
        let mut by_channel = ReportBuilder::new(&plan, options("channel"));
        for n in 0..=limit {
            by_ticket.push_response(&response(n));
            by_channel.push_response(&response(n));
        }
        let refused = finish(by_ticket, Some("ticket")).unwrap_err();
        assert_eq!(
            refused,
            DashboardError::Query(manyi_api::too_many_segments("ticket"))
        );
        assert!(
            Failure::from(&refused)
                .text(Lang::En)
                .contains("filter=ticket:VALUE")
        );
        let report = finish(by_channel, Some("channel")).unwrap();
        assert_eq!(report.segments.map(|s| s.groups.len()), Some(2));
    }

    #[test]
    fn a_sign_in_keeps_its_stored_shape() {
        let stored = r#"{"mode":"server","api":"/api/v1","token":"manyi_abc"}"#;
        let access = Access::Server(StaffApi::new("/api/v1".into(), "manyi_abc".into()));
        assert_eq!(serde_json::to_string(&access).unwrap(), stored);
        assert_eq!(serde_json::from_str::<Access>(stored).unwrap(), access);
        assert_eq!(
            serde_json::from_str::<Access>(r#"{"mode":"local"}"#).unwrap(),
            Access::Local
        );
    }
}
