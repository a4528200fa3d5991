use leptos::prelude::*;

use crate::net::api::Detail;

/// Problems or import reports, each with its JSON path, so they can be fixed in one go.
#[component]
pub fn ProblemList(items: Vec<Detail>, testid: &'static str) -> impl IntoView {
    view! {
        <ul class="problems" data-testid=testid>
            {items
                .into_iter()
                .map(|d| {
                    view! {
                        <li data-testid=format!("{testid}-item")>
                            <code>{d.path}</code>
                            " "
                            {d.kind.map(|k| view! { <span class="tag">{k}</span> " " })}
                            {d.message}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
