use std::sync::Arc;

use leptos::html;
use leptos::prelude::*;
use manyi_core::{ResponseScores, Survey};

use crate::i18n::Msg;
use crate::i18n::format;
use crate::i18n::locale::{SurveyText, UiLang};

/// The end of a survey: the survey's own thanks, where the response went, and optionally the
/// respondent's scores. No link leads on: the respondent's page holds nothing of the staff's,
/// and a kiosk's customer must not leave the kiosk.
#[component]
pub fn ThankYou(
    survey: Arc<Survey>,
    scores: ResponseScores,
    download: Option<String>,
) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let text = expect_context::<SurveyText>();
    let heading = NodeRef::<html::H2>::new();
    // The form that had focus is gone; the heading takes focus so the outcome is read out.
    Effect::new(move |_| {
        if let Some(el) = heading.get() {
            let _ = el.focus();
        }
    });
    let message = {
        let thanks = survey.thank_you.clone();
        move || match &thanks {
            Some(t) => text.get(t),
            None => Msg::DefaultThankYou.text(lang.get()).to_owned(),
        }
    };
    let stored = match download {
        None => view! {
            <p class="notice success" data-testid="saved-on-device">
                {lang.t(Msg::SavedOnDevice)}
            </p>
        }
        .into_any(),
        Some(url) => view! {
            <div class="notice error" data-testid="not-saved">
                <p>{lang.t(Msg::NotSaved)}</p>
                <a
                    class="button primary"
                    href=url
                    download=format!("manyi-response-{}.json", survey.id)
                    data-testid="download-response"
                >
                    {lang.t(Msg::DownloadResponse)}
                </a>
            </div>
        }
        .into_any(),
    };
    let score_list = survey.show_scores.then(|| {
        type Label = Box<dyn Fn() -> String + Send + Sync>;
        let msg = |m: Msg| -> Label {
            let t = lang.t(m);
            Box::new(move || t().to_owned())
        };
        let mut rows: Vec<(Label, String)> = Vec::new();
        if let Some(nps) = &scores.nps {
            rows.push((msg(Msg::NpsScore), format::point(nps.value)));
        }
        if let Some(csat) = &scores.csat {
            rows.push((msg(Msg::CsatScore), format::point(csat.value)));
        }
        if let Some(ces) = &scores.ces {
            rows.push((msg(Msg::CesScore), format::point(ces.value)));
        }
        for dimension in &survey.dimensions {
            if let Some(score) = scores.dimensions.get(&dimension.id) {
                let title = dimension.title.clone();
                rows.push((Box::new(move || text.get(&title)), format::fixed(*score, 0)));
            }
        }
        if let Some(composite) = scores.composite {
            rows.push((msg(Msg::CompositeScore), format::fixed(composite, 0)));
        }
        view! {
            <section class="scores" aria-labelledby="scores-heading" data-testid="own-scores">
                <h3 id="scores-heading">{lang.t(Msg::YourScores)}</h3>
                <dl>
                    {rows
                        .into_iter()
                        .map(|(label, value)| view! {
                            <div class="score-row">
                                <dt>{label}</dt>
                                <dd>{value}</dd>
                            </div>
                        })
                        .collect_view()}
                </dl>
            </section>
        }
    });
    view! {
        <section class="thank-you" data-testid="thank-you">
            <h2 tabindex="-1" node_ref=heading>{lang.t(Msg::ThankYouHeading)}</h2>
            <p data-testid="thank-you-text">{message}</p>
            {stored}
            {score_list}
        </section>
    }
}
