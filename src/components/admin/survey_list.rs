use leptos::prelude::*;

use crate::components::Loading;
use crate::i18n::locale::{SurveyText, UiLang};
use crate::i18n::{self, AdminMsg, Msg};
use crate::staff::dashboard::{self, Access};

/// The surveys to report on: the server's, or those with responses on this device.
#[component]
pub fn SurveyList(access: Access) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let listed = {
        let access = access.clone();
        LocalResource::new(move || {
            let access = access.clone();
            async move { dashboard::surveys(&access).await }
        })
    };
    let href = move |id: &str, tail: &str| {
        format!(
            "/admin/s/{}{tail}?lang={}",
            js_sys::encode_uri_component(id),
            lang.get().tag()
        )
    };
    let rows = move || {
        listed.get().map(|result| match result {
            Err(error) => view! {
                <p class="notice error" role="alert" data-testid="load-error">
                    {i18n::load_failed(lang.get(), &error.to_string())}
                </p>
            }
            .into_any(),
            Ok(list) if list.is_empty() => {
                view! { <p class="lead" data-testid="no-surveys">{lang.t(AdminMsg::NoSurveys)}</p> }.into_any()
            }
            Ok(list) => {
                let rows = list
                    .into_iter()
                    .map(|s| {
                        let text = SurveyText::new(lang, s.default_locale.clone());
                        let title = s.title.clone();
                        let (open, manage) = (href(&s.id, ""), href(&s.id, "/manage"));
                        view! {
                            <tr data-testid=format!("survey-row-{}", s.id)>
                                <th scope="row">
                                    <a href=open data-testid=format!("open-{}", s.id)>{move || text.get(&title)}</a>
                                </th>
                                <td><code>{s.id.clone()}</code></td>
                                <td>{s.version}</td>
                                <td>{s.responses}</td>
                                <td><a href=manage>{lang.t(AdminMsg::Manage)}</a></td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <div class="table-wrap">
                        <table data-testid="survey-table">
                            <thead>
                                <tr>
                                    <th scope="col">{lang.t(AdminMsg::Survey)}</th>
                                    <th scope="col">{lang.t(AdminMsg::SurveyId)}</th>
                                    <th scope="col">{lang.t(AdminMsg::Version)}</th>
                                    <th scope="col">{lang.t(Msg::Responses)}</th>
                                    <th scope="col">{lang.t(AdminMsg::Manage)}</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }
        })
    };
    view! {
        <section class="card" aria-labelledby="surveys-heading">
            <h2 id="surveys-heading">{lang.t(AdminMsg::SurveysHeading)}</h2>
            <p>
                <a href=move || format!("/admin/new?lang={}", lang.get().tag()) data-testid="new-survey">
                    {lang.t(AdminMsg::NewSurvey)}
                </a>
            </p>
            <Suspense fallback=move || view! { <Loading lang=lang /> }>{rows}</Suspense>
        </section>
    }
}
