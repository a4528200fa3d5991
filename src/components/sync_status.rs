use leptos::prelude::*;

use crate::i18n;
use crate::i18n::locale::UiLang;
use crate::net::sync::Sync;

/// One discreet line on how sending to the server stands: what is waiting, what was refused,
/// the last success and the last error. Shows nothing when the app runs without a server.
#[component]
pub fn SyncStatusLine() -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let sync = use_context::<Sync>();
    move || {
        let sync = sync?;
        let status = sync.status.get();
        if !status.server {
            return None;
        }
        let lang = lang.get();
        let last = status
            .last_success
            .map(|at| i18n::sync_last_success(lang, &at.format("%Y-%m-%d %H:%M:%S").to_string()));
        let refused = (!status.refused.is_empty()).then(|| {
            let summary = i18n::sync_refused(lang, status.refused.len());
            let items = status
                .refused
                .iter()
                .map(|(id, reason)| view! { <li><code>{id.clone()}</code> " " {reason.clone()}</li> })
                .collect_view();
            // The reasons are for staff; a fold keeps them out of respondents' way.
            view! {
                <details class="sync-refused" data-testid="sync-refused">
                    <summary>{summary}</summary>
                    <ul>{items}</ul>
                </details>
            }
        });
        let error = status
            .last_error
            .as_deref()
            .map(|reason| i18n::sync_failed(lang, reason));
        Some(view! {
            <p class="sync-status" role="status" data-testid="sync-status">
                <span data-testid="sync-pending" data-count=status.pending>
                    {i18n::sync_pending(lang, status.pending)}
                </span>
                {refused}
                {last.map(|text| view! { " " <span data-testid="sync-last">{text}</span> })}
                {error.map(|text| view! { " " <span data-testid="sync-error">{text}</span> })}
            </p>
        })
    }
}
