use leptos::prelude::*;
use manyi_core::{Response, ResponseScores, Survey};

use crate::i18n::format::{fixed, fixed_or_dash};
use crate::i18n::locale::{SurveyText, UiLang};
use crate::i18n::{AdminMsg, AnyMsg, Msg};
use crate::staff::cases::{AnswerPart, answer_rows};

/// What the customer answered, in the survey's order and words (its definition arrives in
/// `survey`, after the case), the response's metadata, and the scores the server computed
/// for it.
#[component]
pub fn CaseAnswers(
    response: Option<Response>,
    scores: Option<ResponseScores>,
    survey: Signal<Option<Survey>>,
) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let Some(response) = response else {
        return view! {
            <section class="card" aria-labelledby="response-heading">
                <h3 id="response-heading">{lang.t(AdminMsg::ResponseHeading)}</h3>
                <p class="help" data-testid="response-gone">{lang.t(AdminMsg::ResponseGone)}</p>
            </section>
        }
        .into_any();
    };
    let response = StoredValue::new(response);
    let answers = move || {
        let survey = survey.get();
        let text = SurveyText::new(
            lang,
            survey
                .as_ref()
                .map(|s| s.default_locale.clone())
                .unwrap_or_default(),
        );
        response
            .with_value(|r| answer_rows(survey.as_ref(), r))
            .into_iter()
            .map(|row| {
                let question = row.text.map_or_else(|| row.id.clone(), |t| text.get(&t));
                let answer = row
                    .answer
                    .iter()
                    .map(|part| match part {
                        AnswerPart::Label(label) => text.get(label),
                        AnswerPart::Value(value) => value.clone(),
                        // The consent in the words the respondent chose it in, then the
                        // details they gave with it.
                        AnswerPart::Contact(contact) => {
                            let consent = match contact.agreed {
                                true => Msg::ContactYes,
                                false => Msg::ContactNo,
                            };
                            let mut shown = consent.text(lang.get()).to_owned();
                            if let Some(value) = &contact.value {
                                shown.push_str(&format!(" — {value}"));
                            }
                            shown
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                view! {
                    <tr data-testid="answer-row" data-question=row.id>
                        <th scope="row">{question}</th>
                        <td data-testid="answer-value">{answer}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    let meta = response.with_value(|r| r.meta.clone());
    let meta_table = (!meta.is_empty()).then(|| {
        view! {
            <div class="table-wrap">
                <table data-testid="response-meta">
                    <caption>{lang.t(AdminMsg::Meta)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{lang.t(AdminMsg::Key)}</th>
                            <th scope="col">{lang.t(AdminMsg::Value)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {meta
                            .into_iter()
                            .map(|(key, value)| view! { <tr><th scope="row"><code>{key}</code></th><td>{value}</td></tr> })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        }
    });
    let scores = scores.map(|scores| {
        let mut cards: Vec<(&'static str, AnyMsg, String)> = Vec::new();
        if let Some(nps) = &scores.nps {
            cards.push(("nps", Msg::Nps.into(), fixed(nps.value, 0)));
        }
        if let Some(csat) = &scores.csat {
            cards.push(("csat", Msg::Csat.into(), fixed(csat.value, 0)));
        }
        if let Some(ces) = &scores.ces {
            cards.push(("ces", Msg::Ces.into(), fixed(ces.value, 0)));
        }
        if scores.composite.is_some() || !scores.dimensions.is_empty() {
            cards.push((
                "composite",
                AdminMsg::CompositeIndex.into(),
                fixed_or_dash(scores.composite, 1),
            ));
        }
        let dimensions = scores.dimensions.clone();
        let dimension_rows = move || {
            let survey = survey.get();
            dimensions
                .iter()
                .map(|(id, score)| {
                    let title = survey
                        .as_ref()
                        .and_then(|s| {
                            s.dimensions
                                .iter()
                                .find(|d| &d.id == id)
                                .map(|d| (d.title.clone(), s.default_locale.clone()))
                        })
                        .map_or_else(
                            || id.clone(),
                            |(title, default)| SurveyText::new(lang, default).get(&title),
                        );
                    view! { <tr><th scope="row">{title}</th><td>{fixed(*score, 1)}</td></tr> }
                })
                .collect_view()
        };
        let has_dimensions = !scores.dimensions.is_empty();
        view! {
            <section class="card" aria-labelledby="scores-heading">
                <h3 id="scores-heading">{lang.t(AdminMsg::ScoresHeading)}</h3>
                <dl class="cards" data-testid="case-scores">
                    {cards
                        .into_iter()
                        .map(|(key, label, value)| view! {
                            <div class="stat-card" data-testid=format!("case-score-{key}")>
                                <dt>{lang.t(label)}</dt>
                                <dd class="stat-value">{value}</dd>
                            </div>
                        })
                        .collect_view()}
                </dl>
                {has_dimensions.then(|| view! {
                    <div class="table-wrap">
                        <table data-testid="case-dimensions">
                            <thead>
                                <tr>
                                    <th scope="col">{lang.t(Msg::Dimension)}</th>
                                    <th scope="col">{lang.t(Msg::Score)}</th>
                                </tr>
                            </thead>
                            <tbody>{dimension_rows}</tbody>
                        </table>
                    </div>
                })}
            </section>
        }
    });
    view! {
        <section class="card" aria-labelledby="response-heading">
            <h3 id="response-heading">{lang.t(AdminMsg::ResponseHeading)}</h3>
            <div class="table-wrap">
                <table data-testid="case-answers">
                    <thead>
                        <tr>
                            <th scope="col">{lang.t(Msg::Question)}</th>
                            <th scope="col">{lang.t(AdminMsg::Answer)}</th>
                        </tr>
                    </thead>
                    <tbody>{answers}</tbody>
                </table>
            </div>
            {meta_table}
        </section>
        {scores}
    }
    .into_any()
}
