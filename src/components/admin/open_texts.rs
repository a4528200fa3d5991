use leptos::prelude::*;

use crate::components::Loading;
use crate::i18n::locale::UiLang;
use crate::i18n::{self, AdminMsg};
use crate::staff::dashboard::{self, Access, Failure, Filters};

/// The open-text answers of the shown responses, newest first, with a search.
#[component]
pub fn OpenTexts(access: Access, id: String, filters: Filters) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let typed = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let found = LocalResource::new(move || {
        let (access, id, filters, search) =
            (access.clone(), id.clone(), filters.clone(), search.get());
        async move { dashboard::texts(&access, &id, &filters, &search).await }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        search.set(typed.get_untracked());
    };
    let list = move || {
        found.get().map(|result| match result {
            Err(error) => view! {
                <p class="notice error" data-testid="texts-error">{Failure::from(&error).text(lang.get())}</p>
            }
            .into_any(),
            Ok(texts) => {
                let (total, shown) = (texts.total, texts.answers.len());
                view! {
                    <p class="help" data-testid="texts-count">{move || i18n::texts_found(lang.get(), total, shown)}</p>
                    <ul class="texts" data-testid="texts">
                        {texts
                            .answers
                            .into_iter()
                            .map(|a| view! {
                                <li data-testid="text-answer">
                                    <blockquote>{a.text}</blockquote>
                                    <span class="muted">
                                        {a.question} " · "
                                        {a.submitted_at.map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default()}
                                    </span>
                                </li>
                            })
                            .collect_view()}
                    </ul>
                }
                .into_any()
            }
        })
    };
    view! {
        <section class="card" aria-labelledby="texts-heading">
            <h3 id="texts-heading">{lang.t(AdminMsg::OpenTexts)}</h3>
            <form class="inline-form" role="search" on:submit=submit>
                <div class="field">
                    <label for="text-search" class="field-label">{lang.t(AdminMsg::SearchTexts)}</label>
                    <input id="text-search" type="search" data-testid="text-search"
                        prop:value=typed on:input=move |ev| typed.set(event_target_value(&ev)) />
                </div>
                <button type="submit" data-testid="search-texts">{lang.t(AdminMsg::Search)}</button>
            </form>
            <Suspense fallback=move || view! { <Loading lang=lang /> }>{list}</Suspense>
        </section>
    }
}
