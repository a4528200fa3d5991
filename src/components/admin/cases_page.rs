use leptos::prelude::*;
use manyi_api::Action;

use super::case_filters::CaseFilters;
use super::case_table::CaseTable;
use super::loop_figures::LoopFiguresCard;
use super::role_note::RoleNote;
use crate::browser::nav::Location;
use crate::i18n::AdminMsg;
use crate::i18n::locale::UiLang;
use crate::staff::cases::InboxFilters;
use crate::staff::dashboard::Access;
use crate::staff::rights::Rights;

/// `/admin/cases`: the inbox of follow-up cases, for a token that may read them. The filters
/// are in the address (so a view of the inbox can be shared), the loop figures of the period
/// come first, then the cases most urgent first, a page at a time. Local-only mode has no
/// cases: a server opens them.
#[component]
pub fn CasesPage(access: Access) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let rights = expect_context::<Rights>();
    let crumbs = view! {
        <nav class="crumbs">
            <a href=move || format!("/admin?lang={}", lang.get().tag())>{lang.t(AdminMsg::BackToSurveys)}</a>
        </nav>
    };
    let staff = match access {
        Access::Server(staff) if rights.may_some(Action::ReadCases) => staff,
        _ => {
            return view! { {crumbs} <RoleNote msg=AdminMsg::NoCasesRole testid="no-cases-role" /> }
                .into_any();
        }
    };
    let location = Location::current();
    let filters = Memo::new(move |_| InboxFilters::read(location));
    // The survey choice lists the surveys the token sees; without them it still filters by the
    // survey in the address.
    let listed = {
        let staff = staff.clone();
        LocalResource::new(move || {
            let staff = staff.clone();
            async move { staff.surveys().await.unwrap_or_default() }
        })
    };
    let surveys = Signal::derive(move || listed.get().unwrap_or_default());
    view! {
        {crumbs}
        <section class="card" aria-labelledby="cases-heading">
            <h2 id="cases-heading">{lang.t(AdminMsg::CasesLink)}</h2>
            <p class="help">{lang.t(AdminMsg::CasesHelp)}</p>
            // Drawn again when the address changes (a backlog owner's link), so the form shows
            // the filters in force.
            {move || view! { <CaseFilters filters=filters.get() surveys /> }}
        </section>
        <LoopFiguresCard staff=staff.clone() filters />
        <CaseTable staff filters />
    }
    .into_any()
}
