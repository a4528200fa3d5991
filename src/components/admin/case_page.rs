use leptos::prelude::*;
use manyi_api::{Action as Right, CaseUpdate, CaseView};

use super::case_actions::CaseActions;
use super::case_answers::CaseAnswers;
use super::case_facts::CaseFacts;
use super::case_timeline::CaseTimeline;
use super::role_note::RoleNote;
use crate::components::Loading;
use crate::i18n::locale::UiLang;
use crate::i18n::{self, AdminMsg};
use crate::net::api::ApiError;
use crate::staff::dashboard::{self, Access, Failure};
use crate::staff::rights::Rights;

/// What the forms need of the case as it stands: its status (when this build knows it), its
/// owner and its survey, whose scope decides whether the token may handle it.
#[derive(Debug, Clone, PartialEq)]
pub struct Current {
    pub status: Option<manyi_core::cases::CaseStatus>,
    pub owner: Option<String>,
    pub survey: String,
}

/// `/admin/cases/{id}`: one follow-up case (its summary, the customer's contact, the answers
/// and scores of the response that opened it, its timeline) and, for a token that may handle
/// it, the forms that add a note, assign it and change its status.
///
/// Every change is one action; the case is read again after each, whether the server took the
/// change or refused it (a refusal may mean someone else changed the case). What staff typed
/// in a note or a resolution lives here, outside the part drawn from the case, so a refused
/// change keeps it; it is cleared once the server has taken it.
#[component]
pub fn CasePage(access: Access, id: String) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let rights = StoredValue::new(expect_context::<Rights>());
    let crumbs = view! {
        <nav class="crumbs">
            <a href=move || format!("/admin/cases?lang={}&status=open%2Cin_progress", lang.get().tag())
                data-testid="back-to-cases">
                {lang.t(AdminMsg::BackToCases)}
            </a>
        </nav>
    };
    let staff = match &access {
        Access::Server(staff) if rights.with_value(|r| r.may_some(Right::ReadCases)) => {
            staff.clone()
        }
        _ => {
            return view! { {crumbs} <RoleNote msg=AdminMsg::NoCasesRole testid="no-cases-role" /> }
                .into_any();
        }
    };
    let (staff, id) = (StoredValue::new(staff), StoredValue::new(id));
    let note = RwSignal::new(String::new());
    let contacted = RwSignal::new(false);
    let resolution = RwSignal::new(String::new());
    let update = Action::new_local(move |change: &CaseUpdate| {
        let (staff, id, change) = (staff.get_value(), id.get_value(), change.clone());
        async move {
            let result = staff.update_case(&id, &change).await;
            if result.is_ok() {
                match change {
                    CaseUpdate::Note { .. } => {
                        note.set(String::new());
                        contacted.set(false);
                    }
                    CaseUpdate::Status { .. } => resolution.set(String::new()),
                    CaseUpdate::Assign { .. } => {}
                }
            }
            result.map(|_| ())
        }
    });
    let case = LocalResource::new(move || {
        update.version().track();
        let (staff, id) = (staff.get_value(), id.get_value());
        async move { staff.case(&id).await }
    });
    let current = Memo::new(move |_| {
        case.get()
            .and_then(Result::ok)
            .map(|view: CaseView| Current {
                status: view.case.summary.status.known(),
                owner: view.case.summary.owner,
                survey: view.case.summary.survey_id,
            })
    });
    // The definition of the case's survey, read once, gives the questions' texts.
    let survey_id = Memo::new(move |_| current.get().map(|c| c.survey));
    let definition = LocalResource::new(move || {
        let (access, survey) = (access.clone(), survey_id.get());
        async move {
            match survey {
                Some(survey) => dashboard::survey(&access, &survey).await.ok(),
                None => None,
            }
        }
    });
    let survey = Signal::derive(move || definition.get().flatten());
    // A memo, so the forms are drawn once rather than again with every change of the case.
    let handles = Memo::new(move |_| {
        current
            .get()
            .map(|c| rights.with_value(|r| r.may(Right::HandleCases, &c.survey)))
    });

    let body = move || {
        case.get().map(|result| match result {
            Err(error) => view! {
                <p class="notice error" role="alert" data-testid="load-error">
                    {Failure::from(&error).text(lang.get())}
                </p>
            }
            .into_any(),
            Ok(view) => {
                let names: Vec<String> = view
                    .case
                    .summary
                    .rules
                    .iter()
                    .map(|r| r.name.clone())
                    .collect();
                let status = view.case.summary.status.as_str().to_owned();
                view! {
                    <div class="case" data-testid="case" data-status=status>
                        <h2 data-testid="case-title">{move || i18n::names(lang.get(), &names)}</h2>
                        <CaseFacts case=view.case.clone() />
                        <CaseAnswers response=view.response scores=view.scores survey />
                        <CaseTimeline events=view.case.events />
                    </div>
                }
                .into_any()
            }
        })
    };
    let outcome = move || {
        update.value().get().map(|result| match result {
            Ok(()) => view! {
                <p class="notice success" data-testid="case-outcome" data-ok="true">{lang.t(AdminMsg::CaseSaved)}</p>
            }
            .into_any(),
            Err(error) => {
                let code = error.code().map(|c| c.as_str().to_owned()).unwrap_or_default();
                let text = move || refusal_text(lang.get(), &error);
                view! {
                    <p class="notice error" data-testid="case-outcome" data-ok="false" data-code=code>{text}</p>
                }
                .into_any()
            }
        })
    };
    view! {
        {crumbs}
        <Transition fallback=move || view! { <Loading lang=lang /> }>{body}</Transition>
        {move || match handles.get() {
            Some(true) => view! {
                <CaseActions update current note contacted resolution />
                <div role="status">{outcome}</div>
            }
            .into_any(),
            Some(false) => view! { <RoleNote msg=AdminMsg::NoHandle testid="case-read-only" /> }.into_any(),
            None => ().into_any(),
        }}
    }
    .into_any()
}

/// Why the server did not take a change, in words: someone changed the case meanwhile or the
/// change does not apply now (409), or no case takes it (422); other failures as the
/// dashboard tells them.
fn refusal_text(lang: i18n::Lang, error: &ApiError) -> String {
    use manyi_api::ErrorCode;
    match (error.code(), error.message()) {
        (Some(ErrorCode::CaseConflict), Some(message)) => i18n::case_conflict(lang, message),
        (Some(ErrorCode::InvalidCaseUpdate), Some(message)) => i18n::case_refused(lang, message),
        _ => Failure::from(error).text(lang),
    }
}
