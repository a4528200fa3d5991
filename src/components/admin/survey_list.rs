use leptos::prelude::*;
use manyi_api::Action;

use super::role_note::RoleNote;
use crate::components::Loading;
use crate::i18n::locale::{SurveyText, UiLang};
use crate::i18n::{AdminMsg, Msg};
use crate::staff::dashboard::{self, Access, Failure};
use crate::staff::rights::Rights;

/// The surveys to report on: the server's, or those with responses on this device. A survey's
/// title opens its overview and "Manage" its management only where the token's role includes
/// them.
#[component]
pub fn SurveyList(access: Access) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let rights = StoredValue::new(expect_context::<Rights>());
    let manages =
        rights.with_value(|r| r.may_some(Action::Publish) || r.may_some(Action::ChangeSettings));
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
                    {Failure::from(&error).text(lang.get())}
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
                        let (reads, manage_this) = rights.with_value(|r| {
                            (
                                r.may(Action::ReadReports, &s.id),
                                r.may(Action::Publish, &s.id) || r.may(Action::ChangeSettings, &s.id),
                            )
                        });
                        let name = move || text.get(&title);
                        let title_cell = match reads {
                            true => view! { <a href=open data-testid=format!("open-{}", s.id)>{name}</a> }.into_any(),
                            false => name.into_any(),
                        };
                        let manage_cell = manages.then(|| view! {
                            <td>
                                {manage_this.then(|| view! {
                                    <a href=manage data-testid=format!("manage-{}", s.id)>{lang.t(AdminMsg::Manage)}</a>
                                })}
                            </td>
                        });
                        view! {
                            <tr data-testid=format!("survey-row-{}", s.id)>
                                <th scope="row">{title_cell}</th>
                                <td><code>{s.id.clone()}</code></td>
                                <td>{s.version}</td>
                                <td>{s.responses}</td>
                                {manage_cell}
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
                                    {manages.then(|| view! { <th scope="col">{lang.t(AdminMsg::Manage)}</th> })}
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
            {rights.with_value(|r| r.may_some(Action::Publish)).then(|| view! {
                <p>
                    <a href=move || format!("/admin/new?lang={}", lang.get().tag()) data-testid="new-survey">
                        {lang.t(AdminMsg::NewSurvey)}
                    </a>
                </p>
            })}
            {(!rights.with_value(|r| r.may_some(Action::ReadReports))).then(|| view! {
                <RoleNote msg=AdminMsg::NoReports testid="no-reports" />
            })}
            <Suspense fallback=move || view! { <Loading lang=lang /> }>{rows}</Suspense>
        </section>
    }
}
