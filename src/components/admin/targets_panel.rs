use leptos::prelude::*;
use leptos::task::spawn_local;
use manyi_core::Report;
use manyi_core::targets::{Target, TargetMetric, progress};

use super::problem_list::ProblemList;
use super::role_note::RoleNote;
use crate::browser::clock;
use crate::i18n::format::{fixed, fixed_or_dash};
use crate::i18n::locale::UiLang;
use crate::i18n::{self, AdminMsg, AnyMsg, Msg};
use crate::net::api::Detail;
use crate::staff::dashboard::{self, Access, Failure, SaveError};

fn metric_label(metric: TargetMetric) -> AnyMsg {
    match metric {
        TargetMetric::Nps => Msg::Nps.into(),
        TargetMetric::Csat => Msg::Csat.into(),
        TargetMetric::Ces => Msg::Ces.into(),
        TargetMetric::Composite => AdminMsg::CompositeIndex.into(),
        TargetMetric::Responses => Msg::Responses.into(),
    }
}

/// How many decimals a metric is shown with.
fn decimals(metric: TargetMetric) -> u32 {
    match metric {
        TargetMetric::Responses => 0,
        TargetMetric::Ces => 2,
        _ => 1,
    }
}

/// The targets staff set (metric, value, deadline) with the progress of the shown period
/// towards each, and, when `editable` (the token's role may change them), a form to add or
/// remove them.
#[component]
pub fn TargetsPanel(
    access: Access,
    id: String,
    report: StoredValue<Report>,
    targets: Vec<Target>,
    editable: bool,
    /// Called once the list was saved, so the overview is read again.
    on_saved: Callback<()>,
) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let today = clock::now().date_naive();
    let list = StoredValue::new(targets.clone());
    let metric = RwSignal::new(TargetMetric::Nps);
    let value = RwSignal::new(String::new());
    let deadline = RwSignal::new(String::new());
    let problems = RwSignal::new(None::<Vec<Detail>>);
    let failed = RwSignal::new(None::<Failure>);
    let (access, id) = (StoredValue::new(access), StoredValue::new(id));

    let save = move |next: Vec<Target>| {
        problems.set(None);
        failed.set(None);
        let (access, id) = (access.get_value(), id.get_value());
        spawn_local(async move {
            match dashboard::save_targets(&access, &id, next).await {
                Ok(_) => on_saved.run(()),
                Err(error @ (SaveError::Invalid(_) | SaveError::Api(_)))
                    if !error.problems().is_empty() =>
                {
                    problems.set(Some(error.problems()));
                }
                Err(error) => failed.set(Some(Failure::from(&error))),
            }
        });
    };
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Ok(target), Ok(deadline)) = (
            value.get_untracked().trim().parse::<f64>(),
            deadline.get_untracked().parse(),
        ) else {
            problems.set(Some(vec![Detail {
                path: "$".to_owned(),
                kind: None,
                message: lang.t(AdminMsg::TargetIncomplete)().to_owned(),
                position: None,
            }]));
            return;
        };
        let mut next = list.get_value();
        next.push(Target {
            metric: metric.get_untracked(),
            target,
            deadline,
        });
        save(next);
    };

    let rows = targets
        .into_iter()
        .enumerate()
        .map(|(i, target)| {
            let p = report.with_value(|r| progress(&target, r, today));
            let places = decimals(target.metric);
            let status = match (p.met, p.days_left) {
                (true, _) => AdminMsg::TargetMet,
                (false, d) if d < 0 => AdminMsg::TargetMissed,
                _ => AdminMsg::TargetOpen,
            };
            let remove = move |_| {
                let mut next = list.get_value();
                next.remove(i);
                save(next);
            };
            let share = p.share.unwrap_or(0.0);
            view! {
                <tr data-testid=format!("target-{i}") data-met=p.met.to_string()>
                    <th scope="row">{lang.t(metric_label(target.metric))}</th>
                    <td>{fixed(target.target, places)}</td>
                    <td>{target.deadline.to_string()}</td>
                    <td data-testid=format!("target-{i}-current")>{fixed_or_dash(p.current, places)}</td>
                    <td>
                        <meter min="0" max="1" value=share aria-label=lang.t(AdminMsg::Progress)></meter>
                        " "
                        {lang.t(status)}
                        " · "
                        {move || i18n::days_left(lang.get(), p.days_left)}
                    </td>
                    {editable.then(|| view! {
                        <td>
                            <button type="button" class="link-button" data-testid=format!("remove-target-{i}") on:click=remove>
                                {lang.t(AdminMsg::Remove)}
                            </button>
                        </td>
                    })}
                </tr>
            }
        })
        .collect_view();
    let empty = list.with_value(Vec::is_empty);
    let metric_key = |m: TargetMetric| m.key();

    view! {
        <section class="card" aria-labelledby="targets-heading">
            <h3 id="targets-heading">{lang.t(AdminMsg::Targets)}</h3>
            {empty.then(|| view! { <p class="help" data-testid="no-targets">{lang.t(AdminMsg::NoTargets)}</p> })}
            {(!empty).then(|| view! {
                <div class="table-wrap">
                    <table data-testid="target-table">
                        <thead>
                            <tr>
                                <th scope="col">{lang.t(AdminMsg::Metric)}</th>
                                <th scope="col">{lang.t(AdminMsg::TargetValue)}</th>
                                <th scope="col">{lang.t(AdminMsg::Deadline)}</th>
                                <th scope="col">{lang.t(AdminMsg::Current)}</th>
                                <th scope="col">{lang.t(AdminMsg::Progress)}</th>
                                {editable.then(|| view! { <th scope="col">{lang.t(AdminMsg::Remove)}</th> })}
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            })}
            {match editable {
                true => view! {
                    <form class="inline-form" on:submit=add>
                        <div class="field">
                            <label for="target-metric" class="field-label">{lang.t(AdminMsg::Metric)}</label>
                            <select id="target-metric" data-testid="target-metric"
                                on:change=move |ev| {
                                    let key = event_target_value(&ev);
                                    if let Some(m) = TargetMetric::ALL.into_iter().find(|m| m.key() == key) {
                                        metric.set(m);
                                    }
                                }>
                                {TargetMetric::ALL
                                    .into_iter()
                                    .map(|m| view! {
                                        <option value=metric_key(m) selected=move || metric.get() == m>
                                            {lang.t(metric_label(m))}
                                        </option>
                                    })
                                    .collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="target-value" class="field-label">{lang.t(AdminMsg::TargetValue)}</label>
                            <input id="target-value" type="number" step="any" required data-testid="target-value"
                                prop:value=value on:input=move |ev| value.set(event_target_value(&ev)) />
                        </div>
                        <div class="field">
                            <label for="target-deadline" class="field-label">{lang.t(AdminMsg::Deadline)}</label>
                            <input id="target-deadline" type="date" required data-testid="target-deadline"
                                prop:value=deadline on:input=move |ev| deadline.set(event_target_value(&ev)) />
                        </div>
                        <button type="submit" data-testid="add-target">{lang.t(AdminMsg::AddTarget)}</button>
                    </form>
                }.into_any(),
                false => view! { <RoleNote msg=AdminMsg::ReadOnly testid="targets-read-only" /> }.into_any(),
            }}
            <div role="status">
                {move || problems.get().map(|items| view! { <ProblemList items testid="target-problems" /> })}
                {move || failed.get().map(|failure| view! {
                    <p class="notice error">{move || failure.text(lang.get())}</p>
                })}
            </div>
        </section>
    }
}
