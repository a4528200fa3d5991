//! Answers given on the survey page the server drew before the app arrived
//! (`browser::prerendered`), read back into the answers the app's own controls would have given.

use manyi_core::{Answer, Question, QuestionKind};

use crate::i18n::format;

/// An answer given on the drawn page.
#[derive(Debug, Clone, PartialEq)]
pub enum Early {
    /// The key of the option chosen: a scale point as written, or a choice's value.
    Option(String),
    /// The text typed.
    Text(String),
}

/// The answer `given` makes to `question`, as the app's control for it would have recorded it;
/// `None` when it names no option of the question (the definition changed since the page was
/// drawn) or is the wrong sort for its kind.
pub fn answer(question: &Question, given: &Early) -> Option<Answer> {
    match (question.kind, given) {
        (QuestionKind::SingleChoice, Early::Option(key)) => question
            .options
            .iter()
            .any(|o| &o.value == key)
            .then(|| Answer::Text(key.clone())),
        (QuestionKind::Nps | QuestionKind::Rating | QuestionKind::Likert, Early::Option(key)) => {
            question
                .offered_points()
                .into_iter()
                .find(|(x, _)| &format::point(*x) == key)
                .map(|(x, _)| Answer::Number(x))
        }
        (QuestionKind::Text, Early::Text(text)) if !text.is_empty() => {
            Some(Answer::Text(text.clone()))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use manyi_core::parse_survey;

    use super::*;

    const SURVEY: &str = r#"{
        "id": "visit", "version": 1, "title": "Visit", "default_locale": "en",
        "pages": [{"id": "p", "questions": [
            {"id": "nps", "kind": "nps", "text": "Recommend?"},
            {"id": "half", "kind": "rating", "text": "Rate", "scale": {"min": 1, "max": 3, "step": 0.5}},
            {"id": "plain", "kind": "likert", "text": "Agree?"},
            {"id": "channel", "kind": "single_choice", "text": "Channel",
             "options": [{"value": "store", "label": "Store"}, {"value": "web", "label": "Web"}]},
            {"id": "why", "kind": "text", "text": "Why?"}
        ]}]
    }"#;

    fn given(id: &str, early: Early) -> Option<Answer> {
        let survey = parse_survey(SURVEY).expect("the test survey is valid");
        answer(survey.question(id).expect("the question exists"), &early)
    }

    #[test]
    fn options_become_the_answers_their_controls_give() {
        let option = |key: &str| Early::Option(key.to_owned());
        assert_eq!(given("nps", option("10")), Some(Answer::Number(10.0)));
        assert_eq!(given("nps", option("0")), Some(Answer::Number(0.0)));
        assert_eq!(given("half", option("2.5")), Some(Answer::Number(2.5)));
        // A Likert question without a scale of its own has the app's default, 1 to 5.
        assert_eq!(given("plain", option("5")), Some(Answer::Number(5.0)));
        assert_eq!(
            given("channel", option("web")),
            Some(Answer::Text("web".into()))
        );
        assert_eq!(
            given("why", Early::Text("slow".into())),
            Some(Answer::Text("slow".into()))
        );
    }

    #[test]
    fn what_names_no_option_of_the_question_is_dropped() {
        let option = |key: &str| Early::Option(key.to_owned());
        assert_eq!(given("nps", option("11")), None);
        assert_eq!(given("nps", option("10.0")), None);
        assert_eq!(given("half", option("2.25")), None);
        assert_eq!(given("plain", option("6")), None);
        assert_eq!(given("channel", option("phone")), None);
        assert_eq!(given("why", option("1")), None);
        assert_eq!(given("why", Early::Text(String::new())), None);
        assert_eq!(given("nps", Early::Text("10".into())), None);
    }
}
