use leptos::prelude::*;
use leptos::task::spawn_local;

use super::problem_list::ProblemList;
use super::role_note::RoleNote;
use crate::i18n::locale::UiLang;
use crate::i18n::{self, AdminMsg};
use crate::net::api::{Detail, StaffApi};
use crate::staff::dashboard::Failure;

/// What the last save came to.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Saved(Vec<String>),
    Problems(Vec<Detail>),
    Failed(Failure),
}

/// The origins allowed to embed the survey, one per line, saved to the server, which
/// normalises them and lists every bad one with its path; read-only unless `editable` (the
/// token's role may change them).
#[component]
pub fn OriginsEditor(staff: StaffApi, id: String, editable: bool) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let text = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Outcome>);
    let (staff, id) = (StoredValue::new(staff), StoredValue::new(id));
    // The current list fills the field once it arrives.
    spawn_local(async move {
        match staff.get_value().origins(&id.get_value()).await {
            Ok(list) => text.set(list.join("\n")),
            Err(error) => outcome.set(Some(Outcome::Failed(Failure::from(&error)))),
        }
    });
    let save = move |_| {
        let origins: Vec<String> = text
            .get_untracked()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        let (staff, id) = (staff.get_value(), id.get_value());
        spawn_local(async move {
            outcome.set(Some(match staff.put_origins(&id, &origins).await {
                Ok(list) => {
                    text.set(list.join("\n"));
                    Outcome::Saved(list)
                }
                Err(error) if !error.problems().is_empty() => Outcome::Problems(error.problems()),
                Err(error) => Outcome::Failed(Failure::from(&error)),
            }));
        });
    };
    view! {
        <section class="card" aria-labelledby="origins-heading">
            <h3 id="origins-heading">{lang.t(AdminMsg::Origins)}</h3>
            <label for="origins-text" class="field-label">{lang.t(AdminMsg::OriginsLabel)}</label>
            <p id="origins-help" class="help">{lang.t(AdminMsg::OriginsHelp)}</p>
            <textarea id="origins-text" rows="4" class="code" aria-describedby="origins-help"
                data-testid="origins-text" prop:value=text readonly=!editable
                on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            {match editable {
                true => view! {
                    <button type="button" data-testid="save-origins" on:click=save>{lang.t(AdminMsg::SaveOrigins)}</button>
                }.into_any(),
                false => view! { <RoleNote msg=AdminMsg::ReadOnly testid="origins-read-only" /> }.into_any(),
            }}
            <div role="status">
                {move || outcome.get().map(|o| match o {
                    Outcome::Saved(list) => view! {
                        <p class="notice success" data-testid="origins-saved">
                            {move || i18n::origins_saved(lang.get(), list.len())}
                        </p>
                    }.into_any(),
                    Outcome::Problems(items) => view! { <ProblemList items testid="origin-problems" /> }.into_any(),
                    Outcome::Failed(failure) => view! {
                        <p class="notice error">{move || failure.text(lang.get())}</p>
                    }.into_any(),
                })}
            </div>
        </section>
    }
}
