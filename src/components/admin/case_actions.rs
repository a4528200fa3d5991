use leptos::prelude::*;
use manyi_api::CaseUpdate;
use manyi_core::cases::CaseStatus;

use super::case_page::Current;
use crate::i18n::locale::UiLang;
use crate::i18n::{self, AdminMsg};
use crate::net::api::ApiError;
use crate::staff::cases::{assign_update, next_statuses, note_update, status_update};

/// The forms that change a case: a note (saying whether it records a conversation with the
/// customer), an assignment, and a status change among those the case's status allows, with
/// the resolution an end needs. Each sends one change through `update`.
#[component]
pub fn CaseActions(
    update: Action<CaseUpdate, Result<(), ApiError>>,
    current: Memo<Option<Current>>,
    /// The note being written, kept by the page so a refused change keeps it.
    note: RwSignal<String>,
    contacted: RwSignal<bool>,
    resolution: RwSignal<String>,
) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let busy = update.pending();
    let owner = RwSignal::new(
        current
            .get_untracked()
            .and_then(|c| c.owner)
            .unwrap_or_default(),
    );
    let status = Memo::new(move |_| current.get().and_then(|c| c.status));
    let allowed = Memo::new(move |_| status.get().map(next_statuses).unwrap_or_default());
    // The status chosen; once the case has moved on to where it is no longer allowed (the
    // change was made, or someone else moved the case), the first allowed one is offered.
    let chosen = RwSignal::new(None::<CaseStatus>);
    let to = Memo::new(move |_| {
        let allowed = allowed.get();
        chosen
            .get()
            .filter(|s| allowed.contains(s))
            .or_else(|| allowed.first().copied())
    });
    let ends = move || to.get().is_some_and(CaseStatus::is_ended);

    let add_note = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        update.dispatch_local(note_update(
            &note.get_untracked(),
            contacted.get_untracked(),
        ));
    };
    let assign = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        update.dispatch_local(assign_update(&owner.get_untracked()));
    };
    let change_status = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let (Some(from), Some(to)) = (status.get_untracked(), to.get_untracked()) {
            update.dispatch_local(status_update(from, to, &resolution.get_untracked()));
        }
    };
    let status_options = move || {
        allowed
            .get()
            .into_iter()
            .map(|s| {
                view! {
                    <option value=s.key() selected=move || to.get() == Some(s)>
                        {move || i18n::case_status(lang.get(), s)}
                    </option>
                }
            })
            .collect_view()
    };

    view! {
        <section class="card" aria-labelledby="note-heading">
            <h3 id="note-heading">{lang.t(AdminMsg::AddNote)}</h3>
            <form on:submit=add_note data-testid="note-form">
                <label for="case-note" class="field-label">{lang.t(AdminMsg::NoteLabel)}</label>
                <textarea id="case-note" rows="3" required data-testid="note-text" prop:value=note
                    on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                <label class="check">
                    <input type="checkbox" data-testid="note-contacted" prop:checked=contacted
                        on:change=move |ev| contacted.set(event_target_checked(&ev)) />
                    " "{lang.t(AdminMsg::ContactedLabel)}
                </label>
                <p>
                    <button type="submit" class="primary" data-testid="save-note" disabled=move || busy.get()>
                        {lang.t(AdminMsg::SaveNote)}
                    </button>
                </p>
            </form>
        </section>
        <section class="card" aria-labelledby="assign-heading">
            <h3 id="assign-heading">{lang.t(AdminMsg::AssignHeading)}</h3>
            <form class="inline-form" on:submit=assign data-testid="assign-form">
                <div class="field">
                    <label for="case-owner-input" class="field-label">{lang.t(AdminMsg::Owner)}</label>
                    <input id="case-owner-input" type="text" aria-describedby="assign-help" data-testid="assign-owner"
                        prop:value=owner on:input=move |ev| owner.set(event_target_value(&ev)) />
                </div>
                <button type="submit" data-testid="assign" disabled=move || busy.get()>
                    {lang.t(AdminMsg::AssignButton)}
                </button>
            </form>
            <p id="assign-help" class="help">{lang.t(AdminMsg::AssignHelp)}</p>
        </section>
        <section class="card" aria-labelledby="status-heading">
            <h3 id="status-heading">{lang.t(AdminMsg::ChangeStatus)}</h3>
            <form on:submit=change_status data-testid="status-form">
                <label for="case-new-status" class="field-label">{lang.t(AdminMsg::NewStatus)}</label>
                <select id="case-new-status" data-testid="status-to"
                    on:change=move |ev| chosen.set(CaseStatus::from_key(&event_target_value(&ev)))>
                    {status_options}
                </select>
                <label for="case-resolution" class="field-label">{lang.t(AdminMsg::Resolution)}</label>
                <textarea id="case-resolution" rows="2" aria-describedby="resolution-help"
                    data-testid="status-resolution" required=ends disabled=move || !ends()
                    prop:value=resolution on:input=move |ev| resolution.set(event_target_value(&ev))></textarea>
                <p id="resolution-help" class="help">{lang.t(AdminMsg::ResolutionHelp)}</p>
                <p>
                    <button type="submit" class="primary" data-testid="change-status"
                        disabled=move || busy.get() || to.get().is_none()>
                        {lang.t(AdminMsg::ChangeStatus)}
                    </button>
                </p>
            </form>
        </section>
    }
}
