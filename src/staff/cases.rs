//! Closing the loop in the dashboard, outside its views: the inbox's filters and the loop
//! figures' period as the address keeps them (written and sent as the contract's `CaseQuery`
//! and `LoopQuery`), the changes a case's page offers and sends as `CaseUpdate`s, a response's
//! answers as the case page lists them, and where the server's problems with alert rules
//! belong.
//!
//! Which status may follow which is the core's (`CaseStatus::can_become`), and so is the
//! validation of alert rules: the dashboard asks them rather than knowing the rules itself.

use std::collections::BTreeMap;

use chrono::{Days, FixedOffset, NaiveDate};
use manyi_api::{CaseQuery, CaseUpdate, LoopQuery};
use manyi_core::alerts::RuleError;
use manyi_core::cases::CaseStatus;
use manyi_core::{Answer, LocalizedText, QuestionKind, Response, Survey};

use crate::browser::nav::Location;
use crate::net::api::Detail;

/// How many days the loop figures cover when the address names no period: the last 30,
/// today included.
pub const DEFAULT_PERIOD_DAYS: u64 = 30;

/// How many cases a page of the inbox holds.
pub const INBOX_PAGE: u32 = 50;

/// The inbox's filters and the loop figures' period, kept in the address so a view of the
/// inbox can be bookmarked and shared.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InboxFilters {
    /// Only cases in these statuses; every status when empty.
    pub statuses: Vec<CaseStatus>,
    /// Only this owner's cases.
    pub owner: Option<String>,
    /// Only unassigned cases (the owner is then ignored).
    pub unassigned: bool,
    /// Only cases whose response's `meta.location` is this.
    pub location: Option<String>,
    /// Only this survey's cases.
    pub survey: Option<String>,
    /// Only overdue cases.
    pub overdue: bool,
    /// The first day of the loop figures' period.
    pub from: Option<NaiveDate>,
    /// The last day of the loop figures' period, included.
    pub to: Option<NaiveDate>,
}

impl InboxFilters {
    /// The filters in the current address; reading them makes the caller follow changes.
    pub fn read(location: Location) -> InboxFilters {
        InboxFilters::from_params(|key| location.query(key))
    }

    /// The filters from the address's parameters, `get` giving each one's decoded value. A
    /// value that does not read is left out, as the overview's filters are.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> InboxFilters {
        let text = |key| {
            get(key)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let flag = |key| get(key).is_some_and(|v| v == "true");
        let date = |key| get(key).and_then(|d| d.parse().ok());
        let statuses = CaseQuery {
            status: text("status"),
            ..CaseQuery::default()
        }
        .statuses()
        .unwrap_or_default();
        InboxFilters {
            statuses,
            owner: text("owner"),
            unassigned: flag("unassigned"),
            location: text("location"),
            survey: text("survey"),
            overdue: flag("overdue"),
            from: date("from"),
            to: date("to"),
        }
    }

    /// The statuses as the address and the server write them, `open,in_progress`.
    pub fn status_text(&self) -> Option<String> {
        (!self.statuses.is_empty()).then(|| status_list(&self.statuses))
    }

    /// The server's query for a page of these cases, after the case `after` names.
    pub fn case_query(&self, after: Option<String>) -> CaseQuery {
        CaseQuery {
            survey: self.survey.clone(),
            status: self.status_text(),
            owner: self.owner.clone().filter(|_| !self.unassigned),
            unassigned: self.unassigned.then_some(true),
            location: self.location.clone(),
            overdue: self.overdue.then_some(true),
            after,
            limit: Some(INBOX_PAGE),
        }
    }

    /// The loop figures' period as days, the first and the last included: the address's, or
    /// the last [`DEFAULT_PERIOD_DAYS`] up to `today`.
    pub fn period(&self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        let to = self.to.unwrap_or(today);
        let from = self.from.unwrap_or_else(|| {
            to.checked_sub_days(Days::new(DEFAULT_PERIOD_DAYS - 1))
                .unwrap_or(to)
        });
        (from, to)
    }

    /// The server's query for the loop figures of the period (its days taken at midnight in
    /// `offset`, the browser's), for the survey and location filtered on.
    pub fn loop_query(&self, today: NaiveDate, offset: FixedOffset) -> LoopQuery {
        let (from, to) = self.period(today);
        // The period's last day is included, so it ends at the midnight after it.
        let end = to.checked_add_days(Days::new(1)).unwrap_or(to);
        LoopQuery {
            from: Some(from.to_string()),
            to: Some(end.to_string()),
            utc_offset: Some(offset.to_string()),
            survey: self.survey.clone(),
            location: self.location.clone(),
        }
    }

    /// The query string (without `?`) of these filters and `lang`, as the inbox's address
    /// keeps them: the server's query for the cases, then the period's days as chosen.
    pub fn query(&self, lang: &str) -> String {
        let mut cases = self.case_query(None);
        cases.limit = None;
        let mut parts = vec![format!("lang={}", encode(lang))];
        parts.extend(
            [
                cases.to_query_string(),
                self.from.map(|d| format!("from={d}")).unwrap_or_default(),
                self.to.map(|d| format!("to={d}")).unwrap_or_default(),
            ]
            .into_iter()
            .filter(|part| !part.is_empty()),
        );
        parts.join("&")
    }
}

/// Statuses as the query writes them, separated by commas.
pub fn status_list(statuses: &[CaseStatus]) -> String {
    statuses
        .iter()
        .map(|s| s.key())
        .collect::<Vec<_>>()
        .join(",")
}

/// The statuses a case no one has ended is in: the inbox's work list.
pub const NOT_ENDED: [CaseStatus; 2] = [CaseStatus::Open, CaseStatus::InProgress];

fn encode(text: &str) -> String {
    // Only the language tag goes through here, and tags need no escaping; the others are
    // written by the contract's query writer.
    text.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

/// The statuses a case in `current` may change to, in the order a case goes through them.
pub fn next_statuses(current: CaseStatus) -> Vec<CaseStatus> {
    CaseStatus::ALL
        .into_iter()
        .filter(|to| current.can_become(*to))
        .collect()
}

/// The change of a case from `from` to `to`, with the resolution an end needs (and only an
/// end takes). `from` makes the server refuse the change when someone else has meanwhile
/// moved the case.
pub fn status_update(from: CaseStatus, to: CaseStatus, resolution: &str) -> CaseUpdate {
    let resolution = resolution.trim();
    CaseUpdate::Status {
        to,
        from: Some(from),
        resolution: (to.is_ended() && !resolution.is_empty()).then(|| resolution.to_owned()),
    }
}

/// An assignment to `owner`; an empty owner makes the case unassigned.
pub fn assign_update(owner: &str) -> CaseUpdate {
    let owner = owner.trim();
    CaseUpdate::Assign {
        owner: (!owner.is_empty()).then(|| owner.to_owned()),
    }
}

/// A note, `contacted` when it records a conversation with the customer.
pub fn note_update(text: &str, contacted: bool) -> CaseUpdate {
    CaseUpdate::Note {
        text: text.trim().to_owned(),
        contacted,
    }
}

/// One answer of a response as the case page lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerRow {
    /// The question's id, or `question.row` for a matrix row.
    pub id: String,
    /// The question's (or row's) text in the survey, when the definition has the question.
    pub text: Option<LocalizedText>,
    /// The answer: an option's label where the definition has one, the value otherwise.
    pub answer: Vec<AnswerPart>,
}

/// A piece of an answer: survey text to show in the screen's language, the value as given, or
/// a contact question's answer (whether the customer agreed to be contacted, and how).
#[derive(Debug, Clone, PartialEq)]
pub enum AnswerPart {
    Label(LocalizedText),
    Value(String),
    Contact(manyi_core::model::Contact),
}

/// The answers of `response` in the order `survey` asks its questions (a matrix one row at a
/// time), with the definition's texts; answers to questions the definition does not have
/// (another version's) follow by id, so nothing the customer said is left out.
pub fn answer_rows(survey: Option<&Survey>, response: &Response) -> Vec<AnswerRow> {
    let mut left: BTreeMap<&str, &Answer> = response
        .answers
        .iter()
        .map(|(id, answer)| (id.as_str(), answer))
        .collect();
    let mut rows = Vec::new();
    let questions = survey
        .into_iter()
        .flat_map(|s| s.pages.iter())
        .flat_map(|p| p.questions.iter());
    for question in questions {
        let Some(answer) = left.remove(question.id.as_str()) else {
            continue;
        };
        let label = |value: &str| {
            question
                .options
                .iter()
                .find(|o| o.value == value)
                .map_or_else(
                    || AnswerPart::Value(value.to_owned()),
                    |o| AnswerPart::Label(o.label.clone()),
                )
        };
        match answer {
            Answer::Matrix(cells) if question.kind == QuestionKind::Matrix => {
                for (row, value) in cells {
                    let text = question.rows.iter().find(|r| &r.id == row);
                    rows.push(AnswerRow {
                        id: format!("{}.{row}", question.id),
                        text: text.map(|r| r.text.clone()),
                        answer: vec![AnswerPart::Value(number(*value))],
                    });
                }
            }
            Answer::Text(value) => rows.push(AnswerRow {
                id: question.id.clone(),
                text: Some(question.text.clone()),
                answer: vec![label(value)],
            }),
            Answer::Choices(values) => rows.push(AnswerRow {
                id: question.id.clone(),
                text: Some(question.text.clone()),
                answer: values.iter().map(|v| label(v)).collect(),
            }),
            other => rows.push(AnswerRow {
                id: question.id.clone(),
                text: Some(question.text.clone()),
                answer: plain(other),
            }),
        }
    }
    rows.extend(left.into_iter().map(|(id, answer)| AnswerRow {
        id: id.to_owned(),
        text: None,
        answer: plain(answer),
    }));
    rows
}

/// An answer's values as given, without the definition's labels.
fn plain(answer: &Answer) -> Vec<AnswerPart> {
    match answer {
        Answer::Number(x) => vec![AnswerPart::Value(number(*x))],
        Answer::Text(text) => vec![AnswerPart::Value(text.clone())],
        Answer::Choices(values) => values.iter().cloned().map(AnswerPart::Value).collect(),
        Answer::Matrix(cells) => cells
            .iter()
            .map(|(row, x)| AnswerPart::Value(format!("{row}: {}", number(*x))))
            .collect(),
        Answer::Contact(contact) => vec![AnswerPart::Contact(contact.clone())],
    }
}

/// A number as the respondent chose it: `7`, not `7.0`.
fn number(x: f64) -> String {
    crate::i18n::format::point(x)
}

/// The problems the server (or the core, before sending) found in a list of alert rules,
/// sorted by where they belong.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RuleProblems {
    /// Problems of the list as a whole (too many rules).
    pub list: Vec<Detail>,
    /// Each rule's problems, by its index in the list sent.
    pub rules: BTreeMap<usize, Vec<Detail>>,
}

impl RuleProblems {
    /// Sorts `problems` by the rule their path names (`$[1].when` as the core writes it,
    /// `$.rules[1].when` as the server's body is read).
    pub fn sort(problems: Vec<Detail>) -> RuleProblems {
        let mut sorted = RuleProblems::default();
        for problem in problems {
            match rule_index(&problem.path) {
                Some(i) => sorted.rules.entry(i).or_default().push(problem),
                None => sorted.list.push(problem),
            }
        }
        sorted
    }

    /// The core's problems, with the paths the server gives them: the core's start at the
    /// list, the server's at its body, whose `rules` the list is.
    pub fn of_core(errors: &[RuleError]) -> RuleProblems {
        RuleProblems::sort(
            errors
                .iter()
                .map(|e| Detail {
                    path: e.path.replacen('$', "$.rules", 1),
                    kind: None,
                    message: e.message.clone(),
                    position: e.position,
                })
                .collect(),
        )
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty() && self.rules.is_empty()
    }
}

/// The index of the rule a problem's path names: `$[2].when` or `$.rules[2].when` give 2.
pub fn rule_index(path: &str) -> Option<usize> {
    let rest = path.strip_prefix('$')?;
    let rest = rest.strip_prefix(".rules").unwrap_or(rest);
    let (index, _) = rest.strip_prefix('[')?.split_once(']')?;
    index.parse().ok()
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn filters(pairs: &[(&str, &str)]) -> InboxFilters {
        InboxFilters::from_params(|key| {
            pairs
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn the_address_reads_back_as_the_filters_it_was_written_from() {
        let read = filters(&[
            ("status", "open,in_progress"),
            ("owner", "柜台 3"),
            ("location", "north & south"),
            ("survey", "nps"),
            ("overdue", "true"),
            ("from", "2026-11-01"),
            ("to", "2026-11-30"),
        ]);
        assert_eq!(read.statuses, NOT_ENDED);
        assert_eq!(read.owner.as_deref(), Some("柜台 3"));
        assert!(read.overdue && !read.unassigned);
        assert_eq!(
            read.query("zh-CN"),
            "lang=zh-CN&survey=nps&status=open%2Cin_progress&owner=%E6%9F%9C%E5%8F%B0%203\
             &location=north%20%26%20south&overdue=true&from=2026-11-01&to=2026-11-30"
        );
        // What does not read is left out rather than sent for the server to refuse.
        let odd = filters(&[("status", "pending"), ("from", "soon"), ("overdue", "yes")]);
        assert_eq!(odd, InboxFilters::default());
        assert_eq!(odd.query("en"), "lang=en");
    }

    #[test]
    fn unassigned_excludes_an_owner_as_the_server_requires() {
        let read = filters(&[("owner", "desk"), ("unassigned", "true")]);
        let query = read.case_query(Some("2026-11-02T02:00:00Z~c1".into()));
        assert_eq!(query.owner, None);
        assert_eq!(query.unassigned, Some(true));
        assert_eq!(
            query.owner_filter(),
            Ok(Some(manyi_api::OwnerFilter::Unassigned))
        );
        assert_eq!(query.limit, Some(INBOX_PAGE));
        assert_eq!(query.cursor().unwrap().unwrap().id, "c1");
    }

    #[test]
    fn the_period_defaults_to_the_last_thirty_days_and_includes_its_last_day() {
        let offset = FixedOffset::east_opt(8 * 3600).unwrap();
        let today = day("2026-12-07");
        let query = InboxFilters::default().loop_query(today, offset);
        assert_eq!(query.from.as_deref(), Some("2026-11-08"));
        assert_eq!(query.to.as_deref(), Some("2026-12-08"));
        assert_eq!(query.utc_offset.as_deref(), Some("+08:00"));
        let (from, to) = query.period().unwrap();
        assert_eq!(from.to_rfc3339(), "2026-11-08T00:00:00+08:00");
        assert_eq!((to - from).num_days(), 30);

        let chosen = filters(&[
            ("from", "2026-11-01"),
            ("to", "2026-11-30"),
            ("location", "north"),
        ]);
        let query = chosen.loop_query(today, offset);
        assert_eq!(
            query.to_query_string(),
            "from=2026-11-01&to=2026-12-01&utc_offset=%2B08%3A00&location=north"
        );
    }

    #[test]
    fn a_case_is_offered_the_changes_the_core_allows() {
        use CaseStatus::*;
        assert_eq!(next_statuses(Open), [InProgress, Resolved, Closed]);
        assert_eq!(next_statuses(InProgress), [Resolved, Closed]);
        assert_eq!(next_statuses(Resolved), [InProgress]);
        assert_eq!(next_statuses(Closed), [InProgress]);
    }

    #[test]
    fn changes_carry_only_what_their_kind_takes() {
        use CaseStatus::*;
        let json = |u: &CaseUpdate| serde_json::to_string(u).unwrap();
        assert_eq!(
            json(&status_update(Open, Resolved, "  refunded \n")),
            r#"{"kind":"status","to":"resolved","from":"open","resolution":"refunded"}"#
        );
        // A resolution typed before choosing "in progress" is not sent: the server refuses it.
        assert_eq!(
            json(&status_update(Resolved, InProgress, "called back")),
            r#"{"kind":"status","to":"in_progress","from":"resolved"}"#
        );
        assert_eq!(
            json(&assign_update("  ")),
            r#"{"kind":"assign","owner":null}"#
        );
        assert_eq!(
            json(&assign_update(" 客服一组 ")),
            r#"{"kind":"assign","owner":"客服一组"}"#
        );
        assert_eq!(
            json(&note_update(" called, apologised ", true)),
            r#"{"kind":"note","text":"called, apologised","contacted":true}"#
        );
    }

    #[test]
    fn answers_follow_the_survey_with_labels_and_keep_what_it_lacks() {
        let survey: Survey = serde_json::from_value(serde_json::json!({
            "id": "s", "version": 2, "title": "S", "default_locale": "en",
            "pages": [{"id": "p", "questions": [
                {"id": "nps", "kind": "nps", "text": {"en": "Recommend?"}, "metric": "nps"},
                {"id": "why", "kind": "single_choice", "text": "Why?",
                 "options": [{"value": "slow", "label": {"en": "Too slow", "zh-CN": "太慢"}}]},
                {"id": "grid", "kind": "matrix", "text": "Rate",
                 "scale": {"min": 1, "max": 5},
                 "rows": [{"id": "speed", "text": "Speed"}]}
            ]}]
        }))
        .unwrap();
        let response: Response = serde_json::from_value(serde_json::json!({
            "id": "00000000-0000-4000-8000-000000000001", "survey_id": "s", "survey_version": 1,
            "answers": {"why": "slow", "nps": 3, "grid": {"speed": 2}, "old": "gone question",
                        "reach": {"agreed": true, "method": "email", "value": "a@example.com"}}
        }))
        .unwrap();
        let rows = answer_rows(Some(&survey), &response);
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["nps", "why", "grid.speed", "old", "reach"]);
        assert_eq!(rows[0].answer, [AnswerPart::Value("3".into())]);
        assert!(
            matches!(&rows[1].answer[..], [AnswerPart::Label(l)] if l.get("zh-CN", "en") == "太慢")
        );
        assert_eq!(
            rows[2].text.as_ref().map(|t| t.get("en", "en")),
            Some("Speed")
        );
        assert_eq!(rows[3].text, None);
        assert_eq!(rows[3].answer, [AnswerPart::Value("gone question".into())]);
        assert!(matches!(&rows[4].answer[..], [AnswerPart::Contact(c)] if c.agreed));
        // Without the definition every answer is still listed, by id.
        assert_eq!(answer_rows(None, &response).len(), 5);
    }

    #[test]
    fn a_case_as_the_server_sends_it_reads_with_its_response_and_scores() {
        // Written by `manyi serve` for a detractor's response with a `location`.
        let text = r#"{"id":"case_1cf963fb2faa13b9c2ec2b6a3a7d50d7","survey_id":"nps","response_id":"7a1c2a3b-4d5e-4f60-8a7b-000000000001","status":"open","severity":"high","owner":"north","location":"north","rules":[{"id":"detractor","name":"Detractor"}],"opened_at":"2026-12-07T05:44:52.907Z","due_at":"2026-12-08T05:44:52.907Z","overdue":false,"has_contact":false,"contacted":false,"events":[{"at":"2026-12-07T05:44:52.907Z","by":"manyi","kind":"opened","owner":"north","due_at":"2026-12-08T05:44:52.907616540Z"}],"response":{"id":"7a1c2a3b-4d5e-4f60-8a7b-000000000001","survey_id":"nps","survey_version":1,"submitted_at":"2026-12-07T12:00:00+08:00","answers":{"nps":3.0},"meta":{"location":"north"}},"scores":{"items":{"nps":30.0},"nps":{"value":3.0,"category":"detractor"},"csat":null,"ces":null,"dimensions":{},"composite":null,"coverage":0.0}}"#;
        let view: manyi_api::CaseView = serde_json::from_str(text).unwrap();
        assert_eq!(view.case.summary.status.known(), Some(CaseStatus::Open));
        assert_eq!(view.case.summary.owner.as_deref(), Some("north"));
        assert_eq!(view.case.events.len(), 1);
        assert_eq!(view.scores.and_then(|s| s.nps).map(|n| n.value), Some(3.0));
        let rows = answer_rows(None, &view.response.unwrap());
        assert_eq!(rows[0].answer, [AnswerPart::Value("3".into())]);
    }

    #[test]
    fn rule_problems_go_to_the_rule_their_path_names() {
        let detail = |path: &str| Detail {
            path: path.into(),
            kind: None,
            message: "m".into(),
            position: None,
        };
        assert_eq!(rule_index("$.rules[1].when"), Some(1));
        assert_eq!(rule_index("$[12].owner.fixed"), Some(12));
        assert_eq!(rule_index("$.rules"), None);
        assert_eq!(rule_index("$"), None);
        let sorted = RuleProblems::sort(vec![
            detail("$.rules[1].when"),
            detail("$"),
            detail("$.rules[1].id"),
            detail("$[0].name"),
        ]);
        assert_eq!(sorted.list.len(), 1);
        assert_eq!(sorted.rules[&1].len(), 2);
        assert_eq!(sorted.rules[&0][0].path, "$[0].name");
    }
}
