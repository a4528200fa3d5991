use leptos::prelude::*;
use manyi_core::Survey;
use manyi_core::model::Metric;

use crate::i18n::locale::{SurveyText, UiLang};
use crate::i18n::{self, AdminMsg, AnyMsg, Msg};

/// The overview's layout while its first report is computed: the survey's title, a line saying
/// what is being computed, and the cards, charts and sections where they will be, with
/// placeholders for their figures. Until the definition has arrived the survey is named by its
/// id and the cards are left unlabelled; then they are the survey's own.
#[component]
pub fn OverviewSkeleton(id: String, survey: ReadSignal<Option<Survey>>) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let name = {
        let id = id.clone();
        move || {
            survey.with(|survey| match survey {
                Some(survey) => {
                    SurveyText::new(lang, survey.default_locale.clone()).get(&survey.title)
                }
                None => id.clone(),
            })
        }
    };
    let title = name.clone();
    let status = move || i18n::computing_report(lang.get(), &name());
    let has_dimensions =
        move || survey.with(|s| s.as_ref().is_some_and(|s| !s.dimensions.is_empty()));
    let cards = move || {
        let labels: Option<Vec<AnyMsg>> = survey.with(|survey| {
            let survey = survey.as_ref()?;
            let asks = |metric| survey.questions().any(|q| q.metric == Some(metric));
            // The cards the overview shows for this survey (see `HeadlineCards`).
            let cards: [(bool, AnyMsg); 5] = [
                (true, Msg::Responses.into()),
                (asks(Metric::Nps), Msg::Nps.into()),
                (asks(Metric::Csat), Msg::Csat.into()),
                (asks(Metric::Ces), Msg::Ces.into()),
                (
                    !survey.dimensions.is_empty(),
                    AdminMsg::CompositeIndex.into(),
                ),
            ];
            Some(
                cards
                    .into_iter()
                    .filter_map(|(shown, label)| shown.then_some(label))
                    .collect(),
            )
        });
        match labels {
            Some(labels) => labels
                .into_iter()
                .map(|label| {
                    view! {
                        <div class="stat-card">
                            <dt>{lang.t(label)}</dt>
                            <dd><span class="placeholder figure"></span></dd>
                        </div>
                    }
                })
                .collect_view()
                .into_any(),
            None => (0..4)
                .map(|_| {
                    view! {
                        <div class="stat-card">
                            <dt><span class="placeholder label"></span></dt>
                            <dd><span class="placeholder figure"></span></dd>
                        </div>
                    }
                })
                .collect_view()
                .into_any(),
        }
    };
    let section = move |heading: AnyMsg| {
        view! {
            <section class="card">
                <h3>{lang.t(heading)}</h3>
                <span class="placeholder line"></span>
                <span class="placeholder line short"></span>
            </section>
        }
    };
    view! {
        <div class="overview skeleton" data-testid="overview-skeleton" aria-busy="true">
            <div class="overview-head">
                <h2 class="overview-title">{title}</h2>
                <p class="loading" role="status" data-testid="overview-loading">{status}</p>
            </div>
            <dl class="cards" data-testid="skeleton-cards">{cards}</dl>
            <div class="chart-grid" aria-hidden="true">
                <div class="chart card"><span class="placeholder chart-area"></span></div>
                <div class="chart card"><span class="placeholder chart-area"></span></div>
            </div>
            {section(AdminMsg::Segments.into())}
            {move || has_dimensions().then(|| view! {
                {section(Msg::Dimensions.into())}
                {section(AdminMsg::Items.into())}
            })}
            {section(AdminMsg::OpenTexts.into())}
        </div>
    }
}
