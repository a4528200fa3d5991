use std::collections::BTreeMap;

use leptos::prelude::*;
use manyi_core::{Answer, Question, QuestionKind};

use super::choice_input::ChoiceInput;
use super::matrix_input::MatrixInput;
use super::multi_choice_input::MultiChoiceInput;
use super::scale_group::{ScaleGroup, ScaleStyle};
use super::text_input::TextInput;
use crate::i18n::Msg;
use crate::locale::{SurveyText, UiLang};
use crate::validation::FieldError;

/// One question: its text, help, input and inline error, wired for assistive technology (the
/// input is described by the help and the error, and marked invalid while the error shows).
#[component]
pub fn QuestionView(
    question: Question,
    #[prop(into)] answer: Signal<Option<Answer>>,
    on_change: Callback<Option<Answer>>,
    #[prop(into)] error: Signal<Option<FieldError>>,
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
    let error_view = view! {
        <p id=error_id class="field-error" data-testid=format!("error-{qid}")>
            {move || error.get().map(|e| e.message(lang.get()))}
        </p>
    };

    let number = Signal::derive(move || match answer.get() {
        Some(Answer::Number(x)) => Some(x),
        _ => None,
    });
    let scale_points = |q: &Question| {
        let scale = q
            .effective_scale()
            .unwrap_or_else(|| manyi_core::model::Scale::new(1.0, 5.0));
        scale
            .points()
            .into_iter()
            .map(|x| {
                let label = scale
                    .labels
                    .iter()
                    .find(|l| (l.value - x).abs() < 1e-9)
                    .map(|l| l.label.clone());
                (x, label)
            })
            .collect::<Vec<_>>()
    };
    let on_number = Callback::new(move |x: f64| on_change.run(Some(Answer::Number(x))));

    let (input, frame) = match question.kind {
        QuestionKind::Nps | QuestionKind::Rating | QuestionKind::Likert => {
            let style = match question.kind {
                QuestionKind::Nps => ScaleStyle::Nps,
                QuestionKind::Likert => ScaleStyle::Likert,
                _ if question.stars => ScaleStyle::Stars,
                _ => ScaleStyle::Numbers,
            };
            let input = view! {
                <ScaleGroup
                    qid=qid.clone()
                    points=scale_points(&question)
                    style=style
                    value=number
                    on_select=on_number
                    labelledby=label_id.clone()
                    describedby=describedby
                    invalid=invalid
                    required=required
                />
            };
            (input.into_any(), Frame::Plain)
        }
        QuestionKind::SingleChoice => {
            let value = Signal::derive(move || match answer.get() {
                Some(Answer::Text(v)) => Some(v),
                _ => None,
            });
            let on_select = Callback::new(move |v: String| on_change.run(Some(Answer::Text(v))));
            (
                view! {
                    <div class="choices">
                        <ChoiceInput
                            qid=qid.clone()
                            options=question.options.clone()
                            value=value
                            on_select=on_select
                            describedby=describedby.clone()
                            invalid=invalid
                        />
                    </div>
                }
                .into_any(),
                Frame::Fieldset,
            )
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
                    <div class="choices">
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
                Frame::Fieldset,
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
                        scale=question
                            .effective_scale()
                            .unwrap_or_else(|| manyi_core::model::Scale::new(1.0, 5.0))
                        value=value
                        on_change=on_rows
                        describedby=describedby.clone()
                        invalid=invalid
                    />
                }
                .into_any(),
                Frame::Fieldset,
            )
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
            (input.into_any(), Frame::Label(input_id))
        }
    };

    let testid = format!("question-{qid}");
    match frame {
        Frame::Fieldset => view! {
            <fieldset class="question" data-testid=testid>
                <legend id=label_id class="question-text">
                    {question_text}
                    {required_mark}
                </legend>
                {help}
                {input}
                {error_view}
            </fieldset>
        }
        .into_any(),
        Frame::Plain => view! {
            <div class="question" data-testid=testid>
                <p id=label_id class="question-text">
                    {question_text}
                    {required_mark}
                </p>
                {help}
                {input}
                {error_view}
            </div>
        }
        .into_any(),
        Frame::Label(input_id) => view! {
            <div class="question" data-testid=testid>
                <label id=label_id for=input_id class="question-text">
                    {question_text}
                    {required_mark}
                </label>
                {help}
                {input}
                {error_view}
            </div>
        }
        .into_any(),
    }
}

/// The element that names a question's input.
enum Frame {
    /// A fieldset whose legend names a group of native inputs.
    Fieldset,
    /// A paragraph that names an ARIA radio group through aria-labelledby.
    Plain,
    /// A label for the one text field with this id.
    Label(String),
}
