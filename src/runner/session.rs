//! A respondent's run through one survey as plain data: the page shown, the answers, the
//! errors shown next to them, and the moves between pages, which skip pages whose questions are
//! all hidden. It knows nothing of the browser: the time and the response's id are arguments,
//! so every rule here is tested natively. `SurveyForm` holds it in a signal and renders it.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use manyi_core::validate::{check_answer, is_answered};
use manyi_core::visibility::Visibility;
use manyi_core::{Answer, Question, Response, Survey};

use super::validation::{FieldError, field_error};
use crate::storage::draft::Draft;

/// One run through `survey`, from the first page (or a resumed draft) to the response.
#[derive(Debug, Clone)]
pub struct Session {
    survey: Arc<Survey>,
    visibility: Arc<Visibility>,
    page: usize,
    started_at: DateTime<FixedOffset>,
    answers: BTreeMap<String, Answer>,
    /// Whether the answers came from a draft, so the respondent is told they were kept.
    resumed: bool,
    /// The errors shown, by question id. A page has a handful of questions, so a list does,
    /// and spares the bundle a map type of its own.
    errors: Vec<(String, FieldError)>,
    /// What the answers make of the conditions, worked out once per change of answers rather
    /// than on every read: the hidden questions, those a `required_if` makes required and
    /// those an `enable_if` makes read-only.
    hidden: HashSet<String>,
    required_now: HashSet<String>,
    read_only: HashSet<String>,
}

/// Where [`Session::advance`] went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Advance {
    /// The page has errors, now shown; it stays.
    Invalid,
    /// The next page with a visible question is showing.
    Moved,
    /// The page was the last with a visible question and is valid: the response is ready.
    Finished,
}

impl Session {
    /// A fresh run started at `now`.
    pub fn new(survey: Arc<Survey>, now: DateTime<FixedOffset>) -> Session {
        Session::resume(survey, None, now)
    }

    /// A run that continues `draft` when it was saved for this version of the survey, else a
    /// fresh one started at `now`. A draft's page is kept within the survey's pages.
    pub fn resume(
        survey: Arc<Survey>,
        draft: Option<Draft>,
        now: DateTime<FixedOffset>,
    ) -> Session {
        let draft = draft.filter(|d| d.survey_version == survey.version);
        let last_page = survey.pages.len().saturating_sub(1);
        let visibility = Arc::new(Visibility::new(&survey));
        let mut session = Session {
            page: draft.as_ref().map_or(0, |d| d.page.min(last_page)),
            started_at: draft.as_ref().map_or(now, |d| d.started_at),
            resumed: draft.as_ref().is_some_and(|d| !d.answers.is_empty()),
            answers: draft.map(|d| d.answers).unwrap_or_default(),
            survey,
            visibility,
            errors: Vec::new(),
            hidden: HashSet::new(),
            required_now: HashSet::new(),
            read_only: HashSet::new(),
        };
        session.evaluate_conditions();
        session
    }

    fn evaluate_conditions(&mut self) {
        self.hidden = self.visibility.hidden(&self.answers);
        self.required_now = self.visibility.required(&self.answers, &self.hidden);
        self.read_only = self.visibility.disabled(&self.answers, &self.hidden);
    }

    pub fn survey(&self) -> &Survey {
        &self.survey
    }

    /// The index of the page showing.
    pub fn page(&self) -> usize {
        self.page
    }

    pub fn page_count(&self) -> usize {
        self.survey.pages.len()
    }

    pub fn answer(&self, id: &str) -> Option<&Answer> {
        self.answers.get(id)
    }

    /// Whether anything was answered, even an answer since hidden.
    pub fn has_answers(&self) -> bool {
        !self.answers.is_empty()
    }

    pub fn resumed(&self) -> bool {
        self.resumed
    }

    pub fn is_hidden(&self, id: &str) -> bool {
        self.hidden.contains(id)
    }

    /// Whether question `id` is shown with its answer but cannot be changed (`enable_if`).
    pub fn is_read_only(&self, id: &str) -> bool {
        self.read_only.contains(id)
    }

    /// Whether `question` must be answered now: always, or by its `required_if` condition,
    /// and never while it is read-only, as the server's validation has it.
    pub fn is_required(&self, question: &Question) -> bool {
        (question.required || self.required_now.contains(&question.id))
            && !self.is_read_only(&question.id)
    }

    /// Whether an error is shown next to any question.
    pub fn shows_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// The error shown next to question `id`, if any.
    pub fn error(&self, id: &str) -> Option<FieldError> {
        self.errors
            .iter()
            .find(|(q, _)| q == id)
            .map(|(_, error)| *error)
    }

    fn page_visible(&self, page: usize) -> bool {
        self.survey.pages[page]
            .questions
            .iter()
            .any(|q| !self.hidden.contains(&q.id))
    }

    /// The next page with a visible question, if any.
    pub fn next_page(&self) -> Option<usize> {
        (self.page + 1..self.page_count()).find(|&p| self.page_visible(p))
    }

    /// The previous page with a visible question, if any.
    pub fn previous_page(&self) -> Option<usize> {
        (0..self.page).rev().find(|&p| self.page_visible(p))
    }

    /// Whether moving on from this page submits the response.
    pub fn is_last(&self) -> bool {
        self.next_page().is_none()
    }

    /// Sets (or, with `None`, clears) the answer to question `id`. Errors already shown follow
    /// the answer, and a too-long text is flagged while it is typed; a required message only
    /// appears after an attempt to move on.
    pub fn set_answer(&mut self, id: &str, answer: Option<Answer>) {
        match answer {
            Some(answer) => {
                self.answers.insert(id.to_owned(), answer);
            }
            None => {
                self.answers.remove(id);
            }
        }
        self.evaluate_conditions();
        let Some(question) = self.survey.question(id) else {
            return;
        };
        let now = field_error(question, self.answers.get(id), self.is_required(question));
        let live = matches!(now, Some(FieldError::TooLong { .. }));
        let at = self.errors.iter().position(|(q, _)| q == id);
        match (at, now) {
            (Some(at), Some(error)) => self.errors[at].1 = error,
            (Some(at), None) => {
                self.errors.remove(at);
            }
            (None, Some(error)) if live => self.errors.push((id.to_owned(), error)),
            (None, _) => {}
        }
    }

    /// Shows the error of question `id` now, if its answer has one: a field the respondent
    /// leaves with a mistake in it (a phone number a digit short) says so before they move on,
    /// and the message then follows the answer as every shown error does. A blank required
    /// question waits for an attempt to move on, as elsewhere.
    pub fn check(&mut self, id: &str) {
        let Some(question) = self.survey.question(id) else {
            return;
        };
        let Some(error) = field_error(question, self.answers.get(id), false) else {
            return;
        };
        match self.errors.iter().position(|(q, _)| q == id) {
            Some(at) => self.errors[at].1 = error,
            None => self.errors.push((id.to_owned(), error)),
        }
    }

    /// Checks the visible questions of this page and shows their errors; when there are none,
    /// moves to the next page with a visible question or, on the last, says the response is
    /// ready.
    pub fn advance(&mut self) -> Advance {
        let mut found = Vec::new();
        for question in &self.survey.pages[self.page].questions {
            if self.hidden.contains(&question.id) {
                continue;
            }
            let required = self.is_required(question);
            if let Some(error) = field_error(question, self.answers.get(&question.id), required) {
                found.push((question.id.clone(), error));
            }
        }
        let valid = found.is_empty();
        self.errors = found;
        if !valid {
            return Advance::Invalid;
        }
        match self.next_page() {
            Some(next) => {
                self.page = next;
                Advance::Moved
            }
            None => Advance::Finished,
        }
    }

    /// Moves to the previous page with a visible question, leaving this page's errors behind;
    /// whether there was one.
    pub fn back(&mut self) -> bool {
        let Some(previous) = self.previous_page() else {
            return false;
        };
        self.errors.clear();
        self.page = previous;
        true
    }

    /// Forgets every answer and starts again on the first page at `now`.
    pub fn start_over(&mut self, now: DateTime<FixedOffset>) {
        self.answers.clear();
        self.errors.clear();
        self.resumed = false;
        self.started_at = now;
        self.page = 0;
        self.evaluate_conditions();
    }

    /// The draft to keep for this run, or `None` when nothing is answered and any draft kept
    /// should go.
    pub fn draft(&self) -> Option<Draft> {
        self.has_answers().then(|| Draft {
            survey_version: self.survey.version,
            started_at: self.started_at,
            page: self.page,
            answers: self.answers.clone(),
        })
    }

    /// The response of this run, submitted at `now` as `id`, in `locale`. Answers to hidden
    /// questions and blank ones are left out. `meta` is the address's query and a kiosk's tags,
    /// apart from `lang`, which is the interface's language rather than a fact about the
    /// respondent.
    pub fn assemble_response(
        &self,
        id: String,
        now: DateTime<FixedOffset>,
        locale: &str,
        meta: impl IntoIterator<Item = (String, String)>,
    ) -> Response {
        self.response(id, now, locale, meta, false)
    }

    /// What a kiosk keeps of a customer who walked away: the answers so far as a partial
    /// response, or `None` when nothing was answered.
    pub fn partial_response(
        &self,
        id: String,
        now: DateTime<FixedOffset>,
        locale: &str,
        meta: impl IntoIterator<Item = (String, String)>,
    ) -> Option<Response> {
        self.has_answers()
            .then(|| self.response(id, now, locale, meta, true))
    }

    fn response(
        &self,
        id: String,
        now: DateTime<FixedOffset>,
        locale: &str,
        meta: impl IntoIterator<Item = (String, String)>,
        partial: bool,
    ) -> Response {
        let mut kept = BTreeMap::new();
        for (key, value) in meta {
            if key != "lang" {
                kept.insert(key, value);
            }
        }
        let mut answers = self.answers.clone();
        answers.retain(|id, answer| !self.hidden.contains(id) && is_answered(answer));
        if partial {
            // A customer who walked away in the middle of a contact question confirmed no way
            // to reach them: a half-typed number reaches no one, and the server would refuse
            // the whole response for it. That answer alone is left out.
            answers.retain(|id, answer| match (&*answer, self.survey.question(id)) {
                (Answer::Contact(_), Some(q)) => check_answer(q, answer).is_ok(),
                _ => true,
            });
        }
        Response {
            id,
            survey_id: self.survey.id.clone(),
            survey_version: self.survey.version,
            started_at: Some(self.started_at),
            submitted_at: Some(now),
            locale: Some(locale.to_owned()),
            answers,
            meta: kept,
            partial,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    /// Four pages: the score, a reason asked only of detractors, a page for web customers only
    /// and a last page whose contact question a low score makes required and a "no contact"
    /// answer makes read-only.
    const SURVEY: &str = r#"{
        "id": "visit",
        "version": 3,
        "title": "Visit",
        "default_locale": "en",
        "pages": [
            {"id": "score", "questions": [
                {"id": "nps", "kind": "nps", "text": "Recommend?", "required": true},
                {"id": "channel", "kind": "single_choice", "text": "Channel",
                 "options": [{"value": "store", "label": "Store"}, {"value": "web", "label": "Web"}]}
            ]},
            {"id": "why", "questions": [
                {"id": "reason", "kind": "text", "text": "Why?", "max_length": 5,
                 "visible_if": "nps <= 6"}
            ]},
            {"id": "web", "questions": [
                {"id": "site", "kind": "text", "text": "Which page?",
                 "visible_if": "channel == \"web\""}
            ]},
            {"id": "contact", "questions": [
                {"id": "no_contact", "kind": "single_choice", "text": "Contact you?",
                 "options": [{"value": "no", "label": "No"}]},
                {"id": "email", "kind": "text", "text": "Email",
                 "required_if": "nps <= 3", "enable_if": "no_contact != \"no\""}
            ]}
        ]
    }"#;

    fn survey() -> Arc<Survey> {
        Arc::new(manyi_core::parse_survey(SURVEY).expect("the test survey is valid"))
    }

    fn at(minute: u32) -> DateTime<FixedOffset> {
        FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(2026, 3, 1, 10, minute, 0)
            .unwrap()
    }

    fn number(x: f64) -> Option<Answer> {
        Some(Answer::Number(x))
    }

    fn text(t: &str) -> Option<Answer> {
        Some(Answer::Text(t.to_owned()))
    }

    fn no_meta() -> Vec<(String, String)> {
        Vec::new()
    }

    #[test]
    fn moving_on_skips_pages_with_no_visible_question() {
        let mut session = Session::new(survey(), at(0));
        assert_eq!((session.page(), session.page_count()), (0, 4));
        assert_eq!(session.previous_page(), None);
        session.set_answer("nps", number(9.0));
        assert_eq!(
            session.next_page(),
            Some(3),
            "a promoter from a store skips two pages"
        );
        session.set_answer("channel", text("web"));
        assert_eq!(session.next_page(), Some(2));
        assert_eq!(session.advance(), Advance::Moved);
        assert_eq!(session.page(), 2);
        assert_eq!(session.previous_page(), Some(0));
        session.set_answer("nps", number(4.0));
        assert_eq!(session.previous_page(), Some(1), "a detractor is asked why");
        assert!(session.back());
        assert_eq!(session.page(), 1);
        assert!(session.back());
        assert!(!session.back(), "there is no page before the first");
        assert_eq!(session.page(), 0);
    }

    #[test]
    fn a_page_with_errors_stays_and_shows_them() {
        let mut session = Session::new(survey(), at(0));
        assert!(!session.shows_errors());
        assert_eq!(session.advance(), Advance::Invalid);
        assert!(session.shows_errors());
        assert_eq!(session.page(), 0);
        assert_eq!(session.error("nps"), Some(FieldError::Required));
        assert_eq!(
            session.error("channel"),
            None,
            "an optional question may stay blank"
        );
        session.set_answer("nps", number(2.0));
        assert_eq!(
            session.error("nps"),
            None,
            "a shown error follows the answer"
        );
        assert_eq!(session.advance(), Advance::Moved);
        assert_eq!(session.page(), 1);
        session.set_answer("reason", text("far too long"));
        assert_eq!(
            session.error("reason"),
            Some(FieldError::TooLong { max: 5 }),
            "a too-long text is flagged while it is typed"
        );
        assert_eq!(session.advance(), Advance::Invalid);
        assert!(session.back());
        assert_eq!(
            session.error("reason"),
            None,
            "going back leaves the errors behind"
        );
    }

    #[test]
    fn conditions_make_questions_required_or_read_only() {
        let mut session = Session::new(survey(), at(0));
        let email = session.survey().question("email").unwrap().clone();
        session.set_answer("nps", number(8.0));
        assert!(!session.is_required(&email));
        session.set_answer("nps", number(3.0));
        assert!(session.is_required(&email));
        assert!(!session.is_read_only("email"));
        session.set_answer("email", None);
        assert_eq!(
            session.error("email"),
            None,
            "a required message waits for an attempt to move on"
        );
        session.set_answer("no_contact", text("no"));
        assert!(session.is_read_only("email"));
        assert!(
            !session.is_required(&email),
            "a read-only question is never required"
        );
    }

    /// A required matrix needs every row unless its `required_rows` is `any` (SurveyJS's
    /// `isRequired`), and the runner stops the respondent where the server would refuse.
    #[test]
    fn a_required_matrix_needs_every_row_or_any_one() {
        let matrix = |required_rows: &str| {
            let json = format!(
                r#"{{"id": "m", "version": 1, "title": "M", "default_locale": "en",
                    "pages": [{{"id": "p", "questions": [
                        {{"id": "grid", "kind": "matrix", "text": "Rate", "required": true,
                          "required_rows": "{required_rows}",
                          "rows": [{{"id": "a", "text": "A"}}, {{"id": "b", "text": "B"}}]}}
                    ]}}]}}"#
            );
            Arc::new(manyi_core::parse_survey(&json).expect("the test survey is valid"))
        };
        let one_row = Some(Answer::Matrix(BTreeMap::from([("a".to_owned(), 3.0)])));

        let mut every = Session::new(matrix("all"), at(0));
        assert_eq!(every.advance(), Advance::Invalid);
        assert_eq!(every.error("grid"), Some(FieldError::Required));
        every.set_answer("grid", one_row.clone());
        assert_eq!(every.error("grid"), Some(FieldError::EveryRow));
        assert_eq!(every.advance(), Advance::Invalid, "row b is still blank");
        let both = BTreeMap::from([("a".to_owned(), 3.0), ("b".to_owned(), 4.0)]);
        every.set_answer("grid", Some(Answer::Matrix(both)));
        assert_eq!(every.error("grid"), None);
        assert_eq!(every.advance(), Advance::Finished);

        let mut any = Session::new(matrix("any"), at(0));
        assert_eq!(any.advance(), Advance::Invalid);
        assert_eq!(any.error("grid"), Some(FieldError::Required));
        any.set_answer("grid", one_row);
        assert_eq!(any.advance(), Advance::Finished, "one row is enough");
    }

    /// A validator's failure is shown at its question with the survey's message when it has
    /// one, else the runner's own, and holds the page as the server would refuse the answer.
    #[test]
    fn validators_hold_the_page_with_their_message() {
        let survey = Arc::new(
            manyi_core::parse_survey(
                r#"{"id": "v", "version": 1, "title": "V", "default_locale": "en",
                    "pages": [{"id": "p", "questions": [
                        {"id": "mail", "kind": "text", "text": "Mail", "validators": [
                            {"check": "email", "message": {"en": "No", "zh-CN": "不对"}}]},
                        {"id": "zip", "kind": "text", "text": "Zip", "validators": [
                            {"check": {"pattern": {"regex": "^[0-9]{6}$"}}}]}
                    ]}]}"#,
            )
            .expect("the test survey is valid"),
        );
        let mut session = Session::new(survey.clone(), at(0));
        assert_eq!(
            session.advance(),
            Advance::Finished,
            "blank answers are not checked"
        );
        session.set_answer("mail", text("someone@"));
        session.set_answer("zip", text("12345"));
        assert_eq!(session.advance(), Advance::Invalid);
        let mail = session.error("mail").expect("not an address");
        let validators = &survey.pages[0].questions[0].validators;
        assert_eq!(
            mail.survey_message(validators),
            validators[0].message.as_ref()
        );
        let zip = session.error("zip").expect("five digits");
        assert_eq!(
            zip,
            FieldError::Check {
                validator: 0,
                failure: manyi_core::validate::CheckFailure::NoMatch
            }
        );
        assert_eq!(
            zip.survey_message(&survey.pages[0].questions[1].validators),
            None
        );
        assert_eq!(
            zip.message(crate::i18n::Lang::ZhTw),
            "答案的格式不正確。",
            "the runner's own message, in the interface's language"
        );
        session.set_answer("mail", text("someone@example.com"));
        session.set_answer("zip", text("123456"));
        assert_eq!(
            session.error("mail"),
            None,
            "a shown error follows the answer"
        );
        assert_eq!(session.advance(), Advance::Finished);
    }

    #[test]
    fn the_last_visible_page_finishes_the_run() {
        let mut session = Session::new(survey(), at(0));
        session.set_answer("nps", number(10.0));
        assert!(!session.is_last());
        assert_eq!(session.advance(), Advance::Moved);
        assert_eq!(session.page(), 3);
        assert!(session.is_last());
        assert_eq!(session.advance(), Advance::Finished);
        assert_eq!(session.page(), 3);
        assert!(!session.shows_errors());
        session.set_answer("nps", number(1.0));
        assert_eq!(
            session.advance(),
            Advance::Invalid,
            "a low score makes the email required"
        );
        assert_eq!(session.error("email"), Some(FieldError::Required));
    }

    #[test]
    fn the_response_keeps_visible_answers_and_meta_without_lang() {
        let mut session = Session::new(survey(), at(0));
        session.set_answer("nps", number(3.0));
        session.set_answer("reason", text("slow"));
        session.set_answer("site", text("hidden for a store customer"));
        session.set_answer("email", text(""));
        let meta = [
            ("lang".to_owned(), "en".to_owned()),
            ("channel".to_owned(), "sms".to_owned()),
            ("kiosk".to_owned(), "door".to_owned()),
        ];
        let response = session.assemble_response("r-1".to_owned(), at(5), "zh-CN", meta);
        assert_eq!(response.id, "r-1");
        assert_eq!(
            (response.survey_id.as_str(), response.survey_version),
            ("visit", 3)
        );
        assert_eq!(
            (response.started_at, response.submitted_at),
            (Some(at(0)), Some(at(5)))
        );
        assert_eq!(response.locale.as_deref(), Some("zh-CN"));
        assert_eq!(
            response.answers,
            BTreeMap::from([
                ("nps".to_owned(), Answer::Number(3.0)),
                ("reason".to_owned(), Answer::Text("slow".to_owned())),
            ])
        );
        assert_eq!(
            response.meta,
            BTreeMap::from([
                ("channel".to_owned(), "sms".to_owned()),
                ("kiosk".to_owned(), "door".to_owned()),
            ])
        );
        assert!(!response.partial);
    }

    fn contact_survey() -> Arc<Survey> {
        Arc::new(
            manyi_core::parse_survey(include_str!("../../examples/follow-up.json"))
                .expect("the example is valid"),
        )
    }

    fn contact(json: &str) -> Option<Answer> {
        Some(serde_json::from_str(json).expect("a contact answer"))
    }

    /// A mistyped number shows its message as the field is left, before any attempt to move
    /// on, and the message follows the answer from then on.
    #[test]
    fn a_contact_field_left_with_a_mistake_shows_it() {
        use manyi_core::validate::ContactProblem;
        let mut session = Session::new(contact_survey(), at(0));
        session.set_answer("nps", number(3.0));
        session.set_answer("contact", contact(r#"{"agreed": true, "method": "phone"}"#));
        session.check("contact");
        assert_eq!(
            session.error("contact"),
            Some(FieldError::Contact(ContactProblem::NoValue {
                method: manyi_core::model::ContactMethod::Phone
            }))
        );
        session.set_answer(
            "contact",
            contact(r#"{"agreed": true, "method": "phone", "value": "138 1234"}"#),
        );
        assert_eq!(session.error("contact"), None, "seven digits are a number");
        session.set_answer(
            "contact",
            contact(r#"{"agreed": true, "method": "phone", "value": "138 12"}"#),
        );
        assert_eq!(session.error("contact"), None, "no message while typing");
        session.check("contact");
        assert_eq!(
            session.error("contact"),
            Some(FieldError::Contact(ContactProblem::NotPhone))
        );
        assert_eq!(session.advance(), Advance::Invalid);
        session.set_answer(
            "contact",
            contact(r#"{"agreed": true, "method": "phone", "value": "+86 138 1234 5678"}"#),
        );
        assert_eq!(session.error("contact"), None);
        session.check("reason");
        assert_eq!(session.error("reason"), None, "a blank field waits");
        assert_eq!(session.advance(), Advance::Finished);
        let response = session.assemble_response("r-1".to_owned(), at(2), "zh-CN", no_meta());
        assert_eq!(
            serde_json::to_value(&response.answers["contact"]).unwrap(),
            serde_json::json!({"agreed": true, "method": "phone", "value": "+86 138 1234 5678"})
        );
    }

    /// A kiosk's customer who walks away mid-way through a contact question leaves no
    /// half-typed details behind, and no answer that would have the whole response refused.
    #[test]
    fn a_partial_response_leaves_out_an_unfinished_contact_answer() {
        let mut session = Session::new(contact_survey(), at(0));
        session.set_answer("nps", number(2.0));
        session.set_answer(
            "contact",
            contact(r#"{"agreed": true, "method": "email", "value": "wang@exam"}"#),
        );
        let partial = session
            .partial_response("r-3".to_owned(), at(1), "en", no_meta())
            .expect("an answer was given");
        assert_eq!(partial.answers.keys().collect::<Vec<_>>(), ["nps"]);
        session.set_answer(
            "contact",
            contact(r#"{"agreed": true, "method": "email", "value": "wang@example.com"}"#),
        );
        let partial = session
            .partial_response(
                "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b".to_owned(),
                at(2),
                "en",
                no_meta(),
            )
            .expect("answers were given");
        assert_eq!(
            partial.answers.keys().collect::<Vec<_>>(),
            ["contact", "nps"]
        );
        let survey = contact_survey();
        assert_eq!(manyi_core::validate_response(&survey, &partial), Ok(()));
    }

    #[test]
    fn a_kiosk_keeps_a_partial_response_only_when_something_was_answered() {
        let mut session = Session::new(survey(), at(0));
        assert_eq!(
            session.partial_response("r-2".to_owned(), at(1), "en", no_meta()),
            None
        );
        session.set_answer("nps", number(7.0));
        let partial = session
            .partial_response("r-2".to_owned(), at(1), "en", no_meta())
            .expect("an answer was given");
        assert!(partial.partial);
        assert_eq!(partial.answers.len(), 1);
    }

    #[test]
    fn a_draft_resumes_the_same_version_only() {
        let mut session = Session::new(survey(), at(0));
        assert_eq!(session.draft(), None, "nothing answered, nothing kept");
        session.set_answer("nps", number(5.0));
        assert_eq!(session.advance(), Advance::Moved);
        let draft = session.draft().expect("an answer was given");
        assert_eq!(
            draft,
            Draft {
                survey_version: 3,
                started_at: at(0),
                page: 1,
                answers: BTreeMap::from([("nps".to_owned(), Answer::Number(5.0))]),
            }
        );

        let resumed = Session::resume(survey(), Some(draft.clone()), at(30));
        assert!(resumed.resumed());
        assert_eq!(resumed.page(), 1);
        assert_eq!(resumed.answer("nps"), Some(&Answer::Number(5.0)));
        assert_eq!(
            resumed.draft(),
            Some(draft.clone()),
            "the start time is the draft's"
        );

        let beyond = Draft {
            page: 9,
            ..draft.clone()
        };
        assert_eq!(Session::resume(survey(), Some(beyond), at(30)).page(), 3);

        let older = Draft {
            survey_version: 2,
            ..draft.clone()
        };
        let fresh = Session::resume(survey(), Some(older), at(30));
        assert!(!fresh.resumed());
        assert!(!fresh.has_answers());
        assert_eq!((fresh.page(), fresh.started_at), (0, at(30)));

        let empty = Draft {
            answers: BTreeMap::new(),
            ..draft
        };
        assert!(!Session::resume(survey(), Some(empty), at(30)).resumed());
    }

    #[test]
    fn starting_over_forgets_everything() {
        let mut session = Session::resume(
            survey(),
            Some(Draft {
                survey_version: 3,
                started_at: at(0),
                page: 1,
                answers: BTreeMap::from([("nps".to_owned(), Answer::Number(5.0))]),
            }),
            at(10),
        );
        assert_eq!(session.advance(), Advance::Moved);
        session.start_over(at(20));
        assert!(!session.resumed());
        assert!(!session.has_answers());
        assert_eq!(session.page(), 0);
        assert!(
            session.is_hidden("reason"),
            "the conditions see the cleared answers"
        );
        session.set_answer("nps", number(9.0));
        assert_eq!(session.draft().map(|d| d.started_at), Some(at(20)));
    }
}
