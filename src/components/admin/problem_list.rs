use leptos::prelude::*;

use crate::i18n;
use crate::i18n::locale::UiLang;
use crate::net::api::Detail;

/// Problems or import reports, each with its JSON path (and, in an alert rule's condition, the
/// character it points at), so they can be fixed in one go.
#[component]
pub fn ProblemList(items: Vec<Detail>, testid: &'static str) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    view! {
        <ul class="problems" data-testid=testid>
            {items
                .into_iter()
                .map(|d| {
                    let at = d.position.map(|p| move || format!(" {}", i18n::at_character(lang.get(), p)));
                    view! {
                        <li data-testid=format!("{testid}-item")>
                            <code>{d.path}</code>
                            " "
                            {d.kind.map(|k| view! { <span class="tag">{k}</span> " " })}
                            {d.message}
                            {at}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
