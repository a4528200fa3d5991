use std::collections::BTreeMap;

use leptos::prelude::*;
use manyi_core::{Answer, Question, QuestionKind};

use manyi_core::model::Contact;

use super::contact_input::ContactInput;
use super::matrix_input::MatrixInput;
use super::multi_choice_input::MultiChoiceInput;
use super::option_group::{GroupOption, GroupStyle, OptionGroup};
use super::text_input::TextInput;
use crate::i18n::Msg;
use crate::i18n::format;
use crate::i18n::locale::{SurveyText, UiLang};
use crate::runner::validation::FieldError;

/// One question: its text, help, input and inline error, wired for assistive technology (the
/// input is described by the help and the error, and marked invalid while the error shows).
/// While `read_only` (an `enable_if` that does not hold), the input is shown with its answer but
/// cannot be changed.
#[component]
pub fn QuestionView(
    question: Question,
    #[prop(into)] answer: Signal<Option<Answer>>,
    on_change: Callback<Option<Answer>>,
    #[prop(into)] error: Signal<Option<FieldError>>,
    #[prop(into)] read_only: Signal<bool>,
    /// Run when the respondent leaves a field whose mistakes show as it is left (a contact
    /// question's number or address).
    on_leave: Callback<()>,
    /// The device is shared by many respondents (a kiosk): no field asks for autofill.
    shared_device: bool,
) -> impl IntoView {
    let text = expect_context::<SurveyText>();
    let lang = expect_context::<UiLang>();
    let qid = question.id.clone();
    let label_id = format!("q-{qid}-label");
    let help_id = format!("q-{qid}-help");
    let error_id = format!("q-{qid}-error");
    let describedby = match &question.help {
        Some(_) => format!("{help_id} {error_id}"),
        None => error_id.clone(),
    };
    let invalid = Signal::derive(move || error.get().is_some());
    let required = question.required;

    let question_text = {
        let t = question.text.clone();
        move || text.get(&t)
    };
    let required_mark = required.then(|| {
        view! { <span class="required-mark">{lang.t(Msg::RequiredMark)}</span> }
    });
    let help = question.help.clone().map(|h| {
        view! {
            <p id=help_id class="help">
                {move || text.get(&h)}
            </p>
        }
    });
    // A validator's own message (SurveyJS's `text`) is the survey's, in the survey's language.
    let validators = question.validators.clone();
    let error_view = view! {
        <p id=error_id class="field-error" data-testid=format!("error-{qid}")>
            {move || {
                error
                    .get()
                    .map(|e| match e.survey_message(&validators) {
                        Some(own) => text.get(own),
                        None => e.message(lang.get()),
                    })
            }}
        </p>
    };

    // The input, and the id of the text field its label is for (the other inputs are groups,
    // named by the label through aria-labelledby).
    let (input, label_for) = match question.kind {
        QuestionKind::Nps
        | QuestionKind::Rating
        | QuestionKind::Likert
        | QuestionKind::SingleChoice => {
            let style = match question.kind {
                QuestionKind::Nps => GroupStyle::Nps,
                QuestionKind::Likert => GroupStyle::Likert,
                QuestionKind::SingleChoice => GroupStyle::Choice,
                _ if question.stars => GroupStyle::Stars,
                _ => GroupStyle::Numbers,
            };
            // Each option with the answer it gives.
            let (options, answers): (Vec<GroupOption>, Vec<Answer>) = match question.kind {
                QuestionKind::SingleChoice => question
                    .options
                    .iter()
                    .map(|o| {
                        let option = GroupOption {
                            key: o.value.clone(),
                            label: Some(o.label.clone()),
                        };
                        (option, Answer::Text(o.value.clone()))
                    })
                    .unzip(),
                _ => question
                    .offered_points()
                    .into_iter()
                    .map(|(x, label)| {
                        let option = GroupOption {
                            key: format::point(x),
                            label,
                        };
                        (option, Answer::Number(x))
                    })
                    .unzip(),
            };
            let answers = StoredValue::new(answers);
            let selected = Signal::derive(move || {
                let current = answer.get()?;
                answers.with_value(|all| all.iter().position(|a| same_answer(a, &current)))
            });
            let on_select = Callback::new(move |index: usize| {
                on_change.run(answers.with_value(|all| all.get(index).cloned()))
            });
            let input = view! {
                <OptionGroup
                    qid=qid.clone()
                    options=options
                    style=style
                    selected=selected
                    on_select=on_select
                    labelledby=label_id.clone()
                    describedby=describedby
                    invalid=invalid
                    required=required
                />
            };
            (input.into_any(), None)
        }
        QuestionKind::MultiChoice => {
            let value = Signal::derive(move || match answer.get() {
                Some(Answer::Choices(v)) => v,
                _ => Vec::new(),
            });
            let on_list = Callback::new(move |v: Vec<String>| {
                on_change.run((!v.is_empty()).then_some(Answer::Choices(v)))
            });
            (
                view! {
                    <p class="hint">{lang.t(Msg::MultiHint)}</p>
                    <div class="choices" role="group" aria-labelledby=label_id.clone()>
                        <MultiChoiceInput
                            qid=qid.clone()
                            options=question.options.clone()
                            value=value
                            on_change=on_list
                            describedby=describedby.clone()
                            invalid=invalid
                        />
                    </div>
                }
                .into_any(),
                None,
            )
        }
        QuestionKind::Matrix => {
            let value = Signal::derive(move || match answer.get() {
                Some(Answer::Matrix(rows)) => rows,
                _ => BTreeMap::new(),
            });
            let on_rows = Callback::new(move |rows: BTreeMap<String, f64>| {
                on_change.run((!rows.is_empty()).then_some(Answer::Matrix(rows)))
            });
            (
                view! {
                    <MatrixInput
                        qid=qid.clone()
                        rows=question.rows.clone()
                        points=question.offered_points()
                        value=value
                        on_change=on_rows
                        labelledby=label_id.clone()
                        describedby=describedby.clone()
                        invalid=invalid
                    />
                }
                .into_any(),
                None,
            )
        }
        QuestionKind::Contact => {
            let value = Signal::derive(move || match answer.get() {
                Some(Answer::Contact(c)) => Some(c),
                _ => None,
            });
            let on_contact =
                Callback::new(move |c: Option<Contact>| on_change.run(c.map(Answer::Contact)));
            let input = view! {
                <ContactInput
                    question=question.clone()
                    value=value
                    on_change=on_contact
                    on_leave=on_leave
                    error=error
                    labelledby=label_id.clone()
                    describedby=describedby
                    required=required
                    shared_device=shared_device
                />
            };
            (input.into_any(), None)
        }
        QuestionKind::Text => {
            let input_id = format!("q-{qid}-input");
            let initial = match answer.get_untracked() {
                Some(Answer::Text(t)) => t,
                _ => String::new(),
            };
            let on_text = Callback::new(move |t: String| {
                on_change.run((!t.is_empty()).then_some(Answer::Text(t)))
            });
            let input = view! {
                <TextInput
                    qid=qid.clone()
                    input_id=input_id.clone()
                    initial=initial
                    multiline=question.multiline
                    max_length=question.max_length()
                    on_input=on_text
                    describedby=describedby
                    invalid=invalid
                    required=required
                />
            };
            (input.into_any(), Some(input_id))
        }
    };

    // One frame for every kind: a label that is `for` the text field, or that names a group of
    // inputs (which refer to it with aria-labelledby).
    view! {
        <div class="question" data-testid=format!("question-{qid}")>
            <label id=label_id for=label_for class="question-text">
                {question_text}
                {required_mark}
            </label>
            {help}
            // A disabled fieldset disables every control inside it, whatever the kind.
            <fieldset class="question-input" disabled=move || read_only.get()>
                {input}
            </fieldset>
            {error_view}
        </div>
    }
}

/// Whether two answers are the same option: numbers as equal as scale points are compared.
fn same_answer(a: &Answer, b: &Answer) -> bool {
    match (a, b) {
        (Answer::Number(x), Answer::Number(y)) => (x - y).abs() < 1e-9,
        _ => a == b,
    }
}
