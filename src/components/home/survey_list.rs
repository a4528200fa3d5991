use leptos::prelude::*;
use manyi_core::Survey;

use crate::i18n::Msg;
use crate::i18n::locale::UiLang;
use crate::storage::catalog::Source;

/// One card per available survey, each with a link that starts it in the current language.
#[component]
pub fn SurveyList(surveys: Signal<Vec<(Survey, Source)>>) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    view! {
        <ul class="survey-list" data-testid="survey-list">
            <For
                each=move || surveys.get()
                key=|(survey, _)| (survey.id.clone(), survey.version)
                children=move |(survey, source)| {
                    let title = survey.title.clone();
                    let description = survey.description.clone();
                    let default_locale = survey.default_locale.clone();
                    let default_locale_2 = default_locale.clone();
                    let id = survey.id.clone();
                    let title_id = format!("survey-title-{id}");
                    let href = {
                        let id = id.clone();
                        move || format!("/s/{id}?lang={}", lang.get().tag())
                    };
                    let badge = match source {
                        Source::Template => Msg::BuiltIn,
                        Source::Imported => Msg::Imported,
                    };
                    view! {
                        <li class="card" data-testid=format!("survey-{id}")>
                            <h2 id=title_id.clone() class="card-title">
                                {move || title.get(lang.get().tag(), &default_locale).to_owned()}
                            </h2>
                            <p class="badge">{lang.t(badge)}</p>
                            {description
                                .map(|d| {
                                    view! {
                                        <p class="card-text">
                                            {move || {
                                                d.get(lang.get().tag(), &default_locale_2).to_owned()
                                            }}
                                        </p>
                                    }
                                })}
                            <a
                                class="button primary"
                                href=href
                                data-testid=format!("start-{id}")
                                aria-describedby=title_id
                            >
                                {lang.t(Msg::StartSurvey)}
                            </a>
                        </li>
                    }
                }
            />
        </ul>
    }
}
