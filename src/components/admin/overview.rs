use leptos::prelude::*;
use manyi_api::Action;
use manyi_core::Survey;

use super::dimension_table::DimensionTable;
use super::export_buttons::ExportButtons;
use super::filter_bar::FilterBar;
use super::headline_cards::HeadlineCards;
use super::item_table::ItemTable;
use super::nps_chart::NpsChart;
use super::open_texts::OpenTexts;
use super::overview_skeleton::OverviewSkeleton;
use super::role_note::RoleNote;
use super::segment_table::SegmentTable;
use super::targets_panel::TargetsPanel;
use super::trend_chart::TrendChart;
use crate::browser::nav::Location;
use crate::i18n::locale::{SurveyText, UiLang};
use crate::i18n::{self, AdminMsg};
use crate::staff::dashboard::{self, Access, Failure, Filters};
use crate::staff::rights::Rights;

/// One survey's results: the report with the filters in the address, loaded from the server
/// or computed on this device, and everything drawn from it that the token's role includes.
///
/// While the first report loads, the overview's layout is shown with placeholders and a line
/// naming the survey whose report is computed. When the filters change, the figures shown stay
/// in place, dimmed and marked busy, with that line above them, until the new report replaces
/// them: staff keep their bearings instead of facing an empty page.
#[component]
pub fn SurveyOverview(access: Access, id: String) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let rights = expect_context::<Rights>();
    let may = |action| rights.may(action, &id);
    let manages = may(Action::Publish) || may(Action::ChangeSettings);
    let crumbs = view! {
        <nav class="crumbs">
            <a href=move || format!("/admin?lang={}", lang.get().tag())>{lang.t(AdminMsg::BackToSurveys)}</a>
            {manages.then(|| {
                let id = id.clone();
                let manage = move || {
                    format!(
                        "/admin/s/{}/manage?lang={}",
                        js_sys::encode_uri_component(&id),
                        lang.get().tag()
                    )
                };
                view! { " · " <a href=manage data-testid="manage-link">{lang.t(AdminMsg::Manage)}</a> }
            })}
        </nav>
    };
    if !may(Action::ReadReports) {
        return view! { {crumbs} <RoleNote msg=AdminMsg::NoReports testid="no-reports" /> }
            .into_any();
    }
    let (with_targets, edit_targets, answers) = (
        may(Action::ReadSettings),
        may(Action::ChangeSettings),
        may(Action::ReadAnswers),
    );
    let location = Location::current();
    let filters = Memo::new(move |_| Filters::read(location));
    // The definition, once it has arrived: the loading state names the survey with it, and
    // later reports (other filters, saved targets) reuse it rather than fetch it again.
    let (known, set_known) = signal(None::<Survey>);
    let data = {
        let (access, id) = (access.clone(), id.clone());
        LocalResource::new(move || {
            let (access, id, filters) = (access.clone(), id.clone(), filters.get());
            let definition = {
                let (access, id) = (access.clone(), id.clone());
                async move {
                    if let Some(survey) = known.get_untracked() {
                        return Ok(survey);
                    }
                    let survey = dashboard::survey(&access, &id).await?;
                    set_known.set(Some(survey.clone()));
                    Ok(survey)
                }
            };
            async move { dashboard::overview(&access, &id, definition, &filters, with_targets).await }
        })
    };
    // Whether a new report is on its way while the previous one is shown.
    let (pending, set_pending) = signal(false);
    // Saving targets changes what the overview shows; it is read again.
    let reload = Callback::new(move |()| data.refetch());

    let skeleton = {
        let id = id.clone();
        move || view! { <OverviewSkeleton id survey=known /> }
    };
    let body = move || {
        data.get().map(|result| match result {
            Err(error) => view! {
                <p class="notice error" role="alert" data-testid="load-error">
                    {Failure::from(&error).text(lang.get())}
                </p>
            }
            .into_any(),
            Ok(overview) => {
                let text = SurveyText::new(lang, overview.survey.default_locale.clone());
                let title = overview.survey.title.clone();
                let survey = StoredValue::new(overview.survey);
                let report = StoredValue::new(overview.report);
                let meta_keys = report.with_value(|r| r.meta_keys.clone());
                let version = report.with_value(|r| r.survey_version);
                let status = {
                    let title = title.clone();
                    move || pending.get().then(|| i18n::computing_report(lang.get(), &text.get(&title)))
                };
                view! {
                    <div class="overview" class:stale=move || pending.get() data-testid="overview"
                        aria-busy=move || pending.get().to_string()>
                        <div class="overview-head">
                            <h2 class="overview-title">
                                {move || text.get(&title)}
                                <span class="muted">{move || i18n::version(lang.get(), version)}</span>
                            </h2>
                            // Present from the start, so screen readers announce the line when
                            // it is filled.
                            <p class="loading" role="status" data-testid="report-status">{status}</p>
                        </div>
                        <FilterBar filters=filters.get_untracked() meta_keys />
                        <HeadlineCards report survey />
                        <p class="note" data-testid="loyalty-note">{lang.t(AdminMsg::LoyaltyNote)}</p>
                        <div class="chart-grid">
                            <NpsChart report />
                            <TrendChart report />
                        </div>
                        <SegmentTable report />
                        <DimensionTable report survey />
                        <ItemTable report survey />
                        {match answers {
                            true => view! {
                                <OpenTexts access=access.clone() id=id.clone() filters=filters.get_untracked() />
                            }.into_any(),
                            false => view! {
                                <section class="card" aria-labelledby="texts-heading">
                                    <h3 id="texts-heading">{lang.t(AdminMsg::OpenTexts)}</h3>
                                    <RoleNote msg=AdminMsg::NoAnswers testid="no-answers" />
                                </section>
                            }.into_any(),
                        }}
                        {with_targets.then(|| view! {
                            <TargetsPanel access=access.clone() id=id.clone() report targets=overview.targets
                                editable=edit_targets on_saved=reload />
                        })}
                        {answers.then(|| view! { <ExportButtons access=access.clone() id=id.clone() /> })}
                    </div>
                }
                .into_any()
            }
        })
    };
    view! {
        {crumbs}
        <Transition fallback=skeleton set_pending>
            {body}
        </Transition>
    }
    .into_any()
}
