use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use manyi_core::model::{Contact, ContactMethod};
use manyi_core::validate::ContactProblem;
use manyi_core::{LocalizedText, Question};

use super::option_group::{GroupOption, GroupStyle, OptionGroup};
use crate::i18n::locale::UiLang;
use crate::i18n::{Lang, Msg};
use crate::runner::contact;
use crate::runner::validation::FieldError;

/// A contact question: yes or no as a radio group, then, for a yes, the method (when the
/// question offers more than one) and a field for the number or address with the input type,
/// keyboard and autofill hint that fit it.
///
/// The error shown marks the part it is about (the method group, or the field), so focus
/// lands where the respondent has something to fix. On a shared device (a kiosk) the field
/// asks the browser for no autofill: it would offer the previous customer's number.
#[component]
pub fn ContactInput(
    question: Question,
    #[prop(into)] value: Signal<Option<Contact>>,
    on_change: Callback<Option<Contact>>,
    /// Run when the respondent leaves the field, so a mistake shows before they move on.
    on_leave: Callback<()>,
    #[prop(into)] error: Signal<Option<FieldError>>,
    labelledby: String,
    describedby: String,
    required: bool,
    shared_device: bool,
) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let qid = question.id.clone();
    let methods = question.contact_methods().to_vec();
    let question = StoredValue::new(question);
    let agreed = Memo::new(move |_| value.with(|v| v.as_ref().map(|c| c.agreed)));
    let method = Memo::new(move |_| value.with(|v| v.as_ref().and_then(|c| c.method)));

    // The consent: a group of two, answered "yes" or "no".
    let consent_options = [Msg::ContactYes, Msg::ContactNo]
        .into_iter()
        .zip(["yes", "no"])
        .map(|(msg, key)| GroupOption {
            key: key.to_owned(),
            label: Some(words(msg)),
        })
        .collect();
    let on_consent = Callback::new(move |index: usize| {
        let answer = question.with_value(|q| contact::consent(q, index == 0));
        on_change.run(Some(answer));
    });
    let consent_selected = Signal::derive(move || agreed.get().map(|yes| usize::from(!yes)));
    let consent_invalid = Signal::derive(move || matches!(error.get(), Some(FieldError::Required)));

    let method_label_id = format!("q-{qid}-method-label");
    let method_part = {
        let methods = methods.clone();
        let (qid, label_id, describedby) = (qid.clone(), method_label_id, describedby.clone());
        move || {
            (agreed.get() == Some(true) && methods.len() > 1).then(|| {
                let options = methods
                    .iter()
                    .map(|m| GroupOption {
                        key: m.as_str().to_owned(),
                        label: Some(words(method_name(*m))),
                    })
                    .collect();
                let chosen = {
                    let methods = methods.clone();
                    Signal::derive(move || {
                        method
                            .get()
                            .and_then(|m| methods.iter().position(|o| *o == m))
                    })
                };
                let on_method = {
                    let methods = methods.clone();
                    Callback::new(move |index: usize| {
                        let current = value.get_untracked().unwrap_or_else(Contact::declined);
                        on_change.run(Some(contact::choose_method(&current, methods[index])));
                    })
                };
                let invalid = Signal::derive(move || {
                    matches!(
                        error.get(),
                        Some(FieldError::Contact(ContactProblem::NoMethod))
                    )
                });
                view! {
                    <div class="contact-part">
                        <p id=label_id.clone() class="contact-label">
                            {move || Msg::ContactHow.text(lang.get())}
                        </p>
                        <OptionGroup
                            qid=format!("{qid}-method")
                            options=options
                            style=GroupStyle::Choice
                            selected=chosen
                            on_select=on_method
                            labelledby=label_id.clone()
                            describedby=describedby.clone()
                            invalid=invalid
                            required=true
                        />
                    </div>
                }
            })
        }
    };

    // The field renders afresh for each method (and for each yes), so what it shows starts
    // from the answer: blank after a change of method, the draft's value on a resumed run.
    let field = {
        let (qid, describedby) = (qid.clone(), describedby.clone());
        move || {
            let chosen = method.get().filter(|_| agreed.get() == Some(true))?;
            let input_id = format!("q-{qid}-value");
            let hint_id = format!("q-{qid}-value-hint");
            let (input_type, label, hint) = match chosen {
                ContactMethod::Phone => {
                    ("tel", Msg::ContactPhoneLabel, Some(Msg::ContactPhoneHint))
                }
                ContactMethod::Email => ("email", Msg::ContactEmailLabel, None),
            };
            let describedby = match hint {
                Some(_) => format!("{hint_id} {describedby}"),
                None => describedby.to_owned(),
            };
            let autocomplete = if shared_device { "off" } else { input_type };
            let initial = value
                .with_untracked(|v| v.as_ref().and_then(|c| c.value.clone()))
                .unwrap_or_default();
            let invalid = move || {
                let own = matches!(
                    error.get(),
                    Some(FieldError::Contact(
                        ContactProblem::NoValue { .. }
                            | ContactProblem::NotPhone
                            | ContactProblem::NotEmail
                    ))
                );
                if own { "true" } else { "false" }
            };
            let on_input = move |ev: leptos::ev::Event| {
                let text = event_target_value(&ev);
                let current = value.get_untracked().unwrap_or_else(Contact::declined);
                on_change.run(Some(contact::typed(&current, &text)));
            };
            // Enter that confirms an IME composition must not submit the page, as in text fields.
            let guard_ime = move |ev: KeyboardEvent| {
                if ev.key() == "Enter" && (ev.is_composing() || ev.key_code() == 229) {
                    ev.prevent_default();
                }
            };
            Some(view! {
                <div class="contact-part">
                    <label for=input_id.clone() class="contact-label">
                        {move || label.text(lang.get())}
                    </label>
                    {hint.map(|hint| view! {
                        <p id=hint_id.clone() class="hint">{move || hint.text(lang.get())}</p>
                    })}
                    <input
                        id=input_id
                        type=input_type
                        inputmode=input_type
                        autocomplete=autocomplete
                        spellcheck="false"
                        autocapitalize="off"
                        maxlength="254"
                        prop:value=initial
                        aria-describedby=describedby
                        aria-invalid=invalid
                        aria-required="true"
                        data-testid=format!("{qid}-value")
                        on:input=on_input
                        on:change=move |_| on_leave.run(())
                        on:keydown=guard_ime
                    />
                </div>
            })
        }
    };

    view! {
        <OptionGroup
            qid=qid
            options=consent_options
            style=GroupStyle::Choice
            selected=consent_selected
            on_select=on_consent
            labelledby=labelledby
            describedby=describedby.clone()
            invalid=consent_invalid
            required=required
        />
        {method_part}
        {field}
    }
}

/// A string of the interface as text in every language, for controls that show texts through
/// the survey's text lookup (the option groups), which picks the respondent's language.
fn words(msg: Msg) -> LocalizedText {
    LocalizedText::PerLocale(
        Lang::ALL
            .into_iter()
            .map(|lang| (lang.tag().to_owned(), msg.text(lang).to_owned()))
            .collect(),
    )
}

fn method_name(method: ContactMethod) -> Msg {
    match method {
        ContactMethod::Phone => Msg::ContactPhone,
        ContactMethod::Email => Msg::ContactEmail,
    }
}
