use leptos::prelude::*;
use leptos::task::spawn_local;
use manyi_core::alerts::{AlertRule, Owner, Severity, validate_rules};

use super::problem_list::ProblemList;
use super::role_note::RoleNote;
use crate::i18n::locale::UiLang;
use crate::i18n::{self, AdminMsg};
use crate::net::api::{Detail, StaffApi};
use crate::staff::cases::RuleProblems;
use crate::staff::dashboard::Failure;

/// One rule as it is being edited: each field a signal of its own, so typing in one field
/// draws nothing else again.
#[derive(Debug, Clone, Copy)]
struct RuleFields {
    /// Tells rows apart while rules are added and removed.
    key: usize,
    id: RwSignal<String>,
    name: RwSignal<String>,
    when: RwSignal<String>,
    severity: RwSignal<Severity>,
    /// Whether the owner is named by the response's `meta` value under `owner` (else `owner`
    /// is the owner).
    owner_from_meta: RwSignal<bool>,
    owner: RwSignal<String>,
    service_hours: RwSignal<String>,
}

impl RuleFields {
    fn new(key: usize, rule: AlertRule) -> RuleFields {
        let (from_meta, owner) = match rule.owner {
            Owner::Fixed(name) => (false, name),
            Owner::Meta(key) => (true, key),
        };
        RuleFields {
            key,
            id: RwSignal::new(rule.id),
            name: RwSignal::new(rule.name),
            when: RwSignal::new(rule.when),
            severity: RwSignal::new(rule.severity),
            owner_from_meta: RwSignal::new(from_meta),
            owner: RwSignal::new(owner),
            service_hours: RwSignal::new(rule.service_hours.to_string()),
        }
    }

    /// The rule the fields say. Hours that are not a whole number are sent as 0, which the
    /// core's validation refuses with the range it takes.
    fn rule(&self) -> AlertRule {
        let owner = self.owner.get_untracked().trim().to_owned();
        AlertRule {
            id: self.id.get_untracked().trim().to_owned(),
            name: self.name.get_untracked().trim().to_owned(),
            when: self.when.get_untracked(),
            severity: self.severity.get_untracked(),
            owner: match self.owner_from_meta.get_untracked() {
                true => Owner::Meta(owner),
                false => Owner::Fixed(owner),
            },
            service_hours: self
                .service_hours
                .get_untracked()
                .trim()
                .parse()
                .unwrap_or(0),
        }
    }
}

/// A blank rule as "add a rule" starts it: the detractor rule most surveys want first.
fn blank() -> AlertRule {
    AlertRule {
        id: String::new(),
        name: String::new(),
        when: "nps <= 6".to_owned(),
        severity: Severity::High,
        owner: Owner::Meta("location".to_owned()),
        service_hours: 24,
    }
}

/// What the last save came to.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Saved(usize),
    Problems(RuleProblems),
    Failed(Failure),
}

/// A survey's alert rules: when a response opens a follow-up case, how urgent it is, whose it
/// is and how soon it is due. When `editable` (the token may change the survey's settings),
/// rules are added, changed and removed here and saved as a list; the core's validation runs
/// before sending, on the survey's latest definition, and the server's after, and each
/// problem is shown under its rule.
#[component]
pub fn AlertRulesPanel(staff: StaffApi, id: String, editable: bool) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let rules = RwSignal::new(Vec::<RuleFields>::new());
    let next_key = StoredValue::new(0_usize);
    let outcome = RwSignal::new(None::<Outcome>);
    let busy = RwSignal::new(false);
    let (staff, id) = (StoredValue::new(staff), StoredValue::new(id));
    let fields = move |rule: AlertRule| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        RuleFields::new(key, rule)
    };
    let load = move |list: Vec<AlertRule>| rules.set(list.into_iter().map(fields).collect());
    spawn_local(async move {
        match staff.get_value().alert_rules(&id.get_value()).await {
            Ok(list) => load(list),
            Err(error) => outcome.set(Some(Outcome::Failed(Failure::from(&error)))),
        }
    });

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let list: Vec<AlertRule> =
            rules.with_untracked(|r| r.iter().map(RuleFields::rule).collect());
        outcome.set(None);
        busy.set(true);
        let (staff, id) = (staff.get_value(), id.get_value());
        spawn_local(async move {
            // The core checks the rules against the survey's latest definition, as the server
            // will; without the definition the server's checks alone answer.
            let survey = staff
                .survey_json(&id)
                .await
                .ok()
                .flatten()
                .and_then(|json| manyi_core::parse_survey(&json).ok());
            let local = survey.and_then(|s| validate_rules(&s, &list).err());
            let result = match local {
                Some(errors) => Outcome::Problems(RuleProblems::of_core(&errors)),
                None => match staff.put_alert_rules(&id, list).await {
                    Ok(saved) => {
                        let count = saved.len();
                        load(saved);
                        Outcome::Saved(count)
                    }
                    Err(error) if !error.problems().is_empty() => {
                        Outcome::Problems(RuleProblems::sort(error.problems()))
                    }
                    Err(error) => Outcome::Failed(Failure::from(&error)),
                },
            };
            busy.set(false);
            outcome.set(Some(result));
        });
    };
    let problems_of = move |key: usize| {
        move || {
            let index = rules.with(|r| r.iter().position(|f| f.key == key))?;
            match outcome.get()? {
                Outcome::Problems(p) => p.rules.get(&index).cloned(),
                _ => None,
            }
        }
    };
    let list_problems = move || match outcome.get() {
        Some(Outcome::Problems(p)) => Some(p.list),
        _ => None,
    };

    let rule_view = move |rule: RuleFields| {
        let key = rule.key;
        let index = move || {
            rules
                .with(|r| r.iter().position(|f| f.key == key))
                .unwrap_or(0)
        };
        let field_id = move |name: &str| format!("rule-{key}-{name}");
        let remove = move |_| rules.update(|r| r.retain(|f| f.key != key));
        let problems = problems_of(key);
        let severities = Severity::ALL
            .into_iter()
            .map(|s| {
                view! {
                    <option value=s.key() selected=move || rule.severity.get() == s>
                        {move || i18n::severity(lang.get(), s)}
                    </option>
                }
            })
            .collect_view();
        view! {
            <fieldset class="rule" data-testid=move || format!("alert-rule-{}", index()) disabled=!editable>
                <legend>{move || i18n::rule_legend(lang.get(), index() + 1)}</legend>
                <div class="rule-grid">
                    <div class="field">
                        <label for=field_id("id") class="field-label">{lang.t(AdminMsg::RuleId)}</label>
                        <input id=field_id("id") type="text" required data-testid="rule-id" prop:value=rule.id
                            on:input=move |ev| rule.id.set(event_target_value(&ev)) />
                    </div>
                    <div class="field">
                        <label for=field_id("name") class="field-label">{lang.t(AdminMsg::RuleName)}</label>
                        <input id=field_id("name") type="text" required data-testid="rule-name" prop:value=rule.name
                            on:input=move |ev| rule.name.set(event_target_value(&ev)) />
                    </div>
                    <div class="field wide">
                        <label for=field_id("when") class="field-label">{lang.t(AdminMsg::RuleWhen)}</label>
                        <input id=field_id("when") type="text" required class="code" spellcheck="false"
                            data-testid="rule-when" prop:value=rule.when
                            on:input=move |ev| rule.when.set(event_target_value(&ev)) />
                    </div>
                    <div class="field">
                        <label for=field_id("severity") class="field-label">{lang.t(AdminMsg::Severity)}</label>
                        <select id=field_id("severity") data-testid="rule-severity"
                            on:change=move |ev| {
                                let key = event_target_value(&ev);
                                if let Some(s) = Severity::ALL.into_iter().find(|s| s.key() == key) {
                                    rule.severity.set(s);
                                }
                            }>
                            {severities}
                        </select>
                    </div>
                    <div class="field">
                        <label for=field_id("owner-from") class="field-label">{lang.t(AdminMsg::OwnerFrom)}</label>
                        <select id=field_id("owner-from") data-testid="rule-owner-from"
                            on:change=move |ev| rule.owner_from_meta.set(event_target_value(&ev) == "meta")>
                            <option value="fixed" selected=move || !rule.owner_from_meta.get()>{lang.t(AdminMsg::OwnerFixed)}</option>
                            <option value="meta" selected=move || rule.owner_from_meta.get()>{lang.t(AdminMsg::OwnerMeta)}</option>
                        </select>
                    </div>
                    <div class="field">
                        <label for=field_id("owner") class="field-label">{lang.t(AdminMsg::OwnerValue)}</label>
                        <input id=field_id("owner") type="text" required data-testid="rule-owner" prop:value=rule.owner
                            on:input=move |ev| rule.owner.set(event_target_value(&ev)) />
                    </div>
                    <div class="field">
                        <label for=field_id("hours") class="field-label">{lang.t(AdminMsg::ServiceHours)}</label>
                        <input id=field_id("hours") type="number" min="1" max="8760" step="1" required
                            data-testid="rule-hours" prop:value=rule.service_hours
                            on:input=move |ev| rule.service_hours.set(event_target_value(&ev)) />
                    </div>
                </div>
                {move || problems().map(|items| view! { <ProblemList items testid="rule-problems" /> })}
                {editable.then(|| view! {
                    <button type="button" class="link-button" data-testid="remove-rule" on:click=remove>
                        {lang.t(AdminMsg::RemoveRule)}
                    </button>
                })}
            </fieldset>
        }
    };

    view! {
        <section class="card" aria-labelledby="alerts-heading">
            <h3 id="alerts-heading">{lang.t(AdminMsg::AlertRules)}</h3>
            <p class="help">{lang.t(AdminMsg::AlertRulesHelp)}</p>
            <form on:submit=save data-testid="alert-rules-form">
                {move || rules.with(Vec::is_empty).then(|| view! {
                    <p class="help" data-testid="no-alert-rules">{lang.t(AdminMsg::NoAlertRules)}</p>
                })}
                <For each=move || rules.get() key=|rule| rule.key let:rule>
                    {rule_view(rule)}
                </For>
                {match editable {
                    true => view! {
                        <p class="button-row">
                            <button type="button" data-testid="add-rule"
                                on:click=move |_| rules.update(|r| r.push(fields(blank())))>
                                {lang.t(AdminMsg::AddRule)}
                            </button>
                            <button type="submit" class="primary" data-testid="save-rules" disabled=move || busy.get()>
                                {lang.t(AdminMsg::SaveRules)}
                            </button>
                        </p>
                    }.into_any(),
                    false => view! { <RoleNote msg=AdminMsg::ReadOnly testid="alert-rules-read-only" /> }.into_any(),
                }}
            </form>
            <div role="status">
                {move || outcome.get().map(|o| match o {
                    Outcome::Saved(count) => view! {
                        <p class="notice success" data-testid="rules-saved">{move || i18n::rules_saved(lang.get(), count)}</p>
                    }.into_any(),
                    Outcome::Problems(_) => view! {
                        <div class="notice error" data-testid="rules-invalid">
                            <p>{lang.t(AdminMsg::RulesInvalid)}</p>
                            {list_problems().filter(|l: &Vec<Detail>| !l.is_empty()).map(|items| view! {
                                <ProblemList items testid="rules-list-problems" />
                            })}
                        </div>
                    }.into_any(),
                    Outcome::Failed(failure) => view! {
                        <p class="notice error" data-testid="rules-failed">{move || failure.text(lang.get())}</p>
                    }.into_any(),
                })}
            </div>
        </section>
    }
}
