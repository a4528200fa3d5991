use leptos::prelude::*;
use manyi_core::{Report, Survey};

use crate::i18n::Msg;
use crate::i18n::format::{fixed, fixed_or_dash};
use crate::i18n::locale::{SurveyText, UiLang};

/// The headline figures, dimensions and per-question summary of `report`, on one survey's
/// responses.
#[component]
pub fn SurveyReport(survey: Survey, report: Report) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let text = SurveyText::new(lang, survey.default_locale.clone());
    let id = survey.id.clone();
    let heading_id = format!("report-{id}-title");

    let nps = report.nps.as_ref().map(|nps| match (nps.score, nps.moe95) {
        (Some(score), Some(moe)) => format!("{} ± {}", fixed(score, 1), fixed(moe, 1)),
        (score, _) => fixed_or_dash(score, 1),
    });
    let csat = report.csat.as_ref().map(|c| {
        c.top2_pct
            .map_or_else(|| "—".to_owned(), |p| format!("{} %", fixed(p, 1)))
    });
    let ces = report.ces.as_ref().map(|c| fixed_or_dash(c.mean, 2));
    let composite = (report.composite.n > 0).then(|| fixed_or_dash(report.composite.mean, 1));

    let headline = |label: Msg, value: Option<String>, testid: &'static str| {
        value.map(|value| {
            view! {
                <div class="stat">
                    <dt>{lang.t(label)}</dt>
                    <dd data-testid=testid>{value}</dd>
                </div>
            }
        })
    };

    let dimensions = (!report.dimensions.is_empty()).then(|| {
        let rows = report
            .dimensions
            .iter()
            .map(|(dim_id, dim)| {
                let title = survey
                    .dimensions
                    .iter()
                    .find(|d| d.id == dim_id)
                    .map(|d| d.title.clone());
                let dim_id = dim_id.to_owned();
                let testid = format!("dimension-{dim_id}");
                view! {
                    <tr data-testid=testid>
                        <th scope="row">
                            {move || title.as_ref().map_or_else(|| dim_id.clone(), |t| text.get(t))}
                        </th>
                        <td>{fixed_or_dash(dim.score, 1)}</td>
                        <td>{fixed_or_dash(dim.alpha.raw, 2)}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <h3>{lang.t(Msg::Dimensions)}</h3>
            <div class="table-wrap">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">{lang.t(Msg::Dimension)}</th>
                            <th scope="col">{lang.t(Msg::Score)}</th>
                            <th scope="col">{lang.t(Msg::Alpha)}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
    });

    let questions = report
        .questions
        .iter()
        .map(|(qid, q)| {
            let question_text = survey.question(qid).map(|q| q.text.clone());
            let qid = qid.to_owned();
            let testid = format!("question-row-{qid}");
            view! {
                <tr data-testid=testid>
                    <th scope="row">
                        {move || question_text.as_ref().map_or_else(|| qid.clone(), |t| text.get(t))}
                    </th>
                    <td>{q.n}</td>
                    <td>{fixed_or_dash(q.mean, 2)}</td>
                </tr>
            }
        })
        .collect_view();

    view! {
        <section class="report card" aria-labelledby=heading_id.clone() data-testid=format!("report-{id}")>
            <h2 id=heading_id.clone()>{move || text.get(&survey.title)}</h2>
            <dl class="stats">
                {headline(Msg::Responses, Some(report.n.to_string()), "results-n")}
                {headline(Msg::Nps, nps, "results-nps")}
                {headline(Msg::Csat, csat, "results-csat")}
                {headline(Msg::Ces, ces, "results-ces")}
                {headline(Msg::Composite, composite, "results-composite")}
            </dl>
            {dimensions}
            <h3>{lang.t(Msg::Questions)}</h3>
            <div class="table-wrap">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">{lang.t(Msg::Question)}</th>
                            <th scope="col">{lang.t(Msg::Count)}</th>
                            <th scope="col">{lang.t(Msg::Mean)}</th>
                        </tr>
                    </thead>
                    <tbody>{questions}</tbody>
                </table>
            </div>
        </section>
    }
}
