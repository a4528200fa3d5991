use std::collections::{BTreeMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;

use leptos::context::Provider;
use leptos::html;
use leptos::prelude::*;
use manyi_core::validate::is_answered;
use manyi_core::visibility::Visibility;
use manyi_core::{Answer, Response, ResponseScores, Survey, score_response};

use super::progress::Progress;
use super::question_view::QuestionView;
use super::thank_you::ThankYou;
use crate::browser::clock;
use crate::browser::download::json_blob_url;
use crate::browser::nav::Location;
use crate::components::StorageAlert;
use crate::i18n::locale::{StorageProblem, SurveyText, follow_document_lang, ui_lang};
use crate::i18n::{Lang, Msg};
use crate::net::sync::Sync;
use crate::runner::validation::{FieldError, field_error};
use crate::storage::Store;
use crate::storage::draft;
use crate::storage::outbox::{LocalOutbox, OutboxEntry, OutboxStore};

/// What happened on submission, for the thank-you screen.
#[derive(Debug, Clone, PartialEq)]
struct Completion {
    scores: ResponseScores,
    /// A Blob URL of the response when it could not be stored on the device.
    download: Option<String>,
}

/// What a kiosk changes about a run: no draft is kept or resumed (the next customer must find
/// nothing), the counter's tags go into every response's `meta`, no link leads away, and the
/// kiosk learns when the customer is done and can end the run early with the answers so far.
#[derive(Debug, Clone)]
pub struct KioskRun {
    pub meta: BTreeMap<String, String>,
    pub on_complete: Callback<()>,
    /// Filled in by the form: stores the answers given so far as a partial response, if any.
    pub submit_partial: StoredValue<Option<Callback<()>>>,
}

/// What the form tells an `on_event` listener (the embed screen passes it on to the host page).
#[derive(Debug, Clone, PartialEq)]
pub enum FormEvent {
    /// A page is showing: the first one on load (or the draft's), then after every move.
    Page {
        index: usize,
        count: usize,
        id: String,
    },
    /// The response is complete: in the outbox (`stored`), or, when it could not be stored,
    /// offered as a download.
    Completed {
        response_id: String,
        survey_version: u32,
        scores: ResponseScores,
        stored: bool,
    },
}

/// Runs one survey: pages, live visibility, validation, autosaved draft and submission.
#[component]
pub fn SurveyForm(
    survey: Arc<Survey>,
    /// Told of page changes and of completion.
    #[prop(optional_no_strip)]
    on_event: Option<Callback<FormEvent>>,
    /// Shown inside another site: no links to the app's home page, and focus stays put on
    /// load so the host page does not scroll to the frame.
    #[prop(optional)]
    embedded: bool,
    /// Run by a counter kiosk.
    #[prop(optional)]
    kiosk: Option<KioskRun>,
) -> impl IntoView {
    let in_kiosk = kiosk.is_some();
    let offered: Vec<Lang> = survey
        .locales_or_default()
        .iter()
        .filter_map(|tag| Lang::from_tag(tag))
        .collect();
    let fallback = Lang::from_tag(&survey.default_locale).unwrap_or(Lang::ZhCn);
    // The survey's language and texts are provided to the form's own subtree only (see the
    // view's `Provider`s): a context provided in the enclosing owner would outlive the form
    // there, and whatever is rendered in its place (a kiosk's welcome screen) would find it.
    let lang = ui_lang(offered, fallback);
    follow_document_lang(lang);
    let text = SurveyText::new(lang, survey.default_locale.clone());
    let problem = expect_context::<StorageProblem>();
    let location = Location::current();

    // Resume the draft if this device has one for this version of the survey.
    let saved = match Store::open().and_then(|store| draft::load(&store, &survey.id)) {
        _ if in_kiosk => None,
        Ok(saved) => saved.filter(|d| d.survey_version == survey.version),
        Err(error) => {
            problem.report(error);
            None
        }
    };
    let resumed = RwSignal::new(saved.as_ref().is_some_and(|d| !d.answers.is_empty()));
    let page_count = survey.pages.len();
    let page = RwSignal::new(
        saved
            .as_ref()
            .map_or(0, |d| d.page.min(page_count.saturating_sub(1))),
    );
    let started_at = RwSignal::new(saved.as_ref().map_or_else(clock::now, |d| d.started_at));
    let answers = RwSignal::new(saved.map(|d| d.answers).unwrap_or_default());
    // The errors shown, by question id. A page has a handful of questions, so a list does, and
    // spares the bundle a map type of its own.
    let errors = RwSignal::new(Vec::<(String, FieldError)>::new());
    let completion = RwSignal::new(None::<Completion>);
    // Bumped by "start over" so the page's uncontrolled text fields render afresh.
    let generation = RwSignal::new(0u32);

    let visibility = Arc::new(Visibility::new(&survey));
    let hidden = {
        let visibility = visibility.clone();
        Memo::new(move |_| answers.with(|a| visibility.hidden(a)))
    };
    // Questions that a `required_if` condition (from SurveyJS's `requiredIf`) makes required
    // with the current answers; the server checks the same rule.
    let required_now = {
        let visibility = visibility.clone();
        Memo::new(move |_| hidden.with(|hidden| answers.with(|a| visibility.required(a, hidden))))
    };
    // Questions that an `enable_if` condition (SurveyJS's `enableIf`) makes read-only with the
    // current answers: shown with their answer, not editable, and never required, as the
    // server's validation has it.
    let read_only =
        Memo::new(move |_| hidden.with(|hidden| answers.with(|a| visibility.disabled(a, hidden))));
    let is_required = move |q: &manyi_core::Question| {
        (q.required || required_now.with_untracked(|r| r.contains(&q.id)))
            && !read_only.with_untracked(|r| r.contains(&q.id))
    };

    // Autosave: storage is the outside world this effect keeps in step with the answers.
    {
        let survey_id = survey.id.clone();
        let survey_version = survey.version;
        Effect::new(move |_| {
            let snapshot = draft::Draft {
                survey_version,
                started_at: started_at.get(),
                page: page.get(),
                answers: answers.get(),
            };
            if in_kiosk || completion.with(Option::is_some) {
                return;
            }
            let result = Store::open().and_then(|store| {
                if snapshot.answers.is_empty() {
                    draft::clear(&store, &survey_id)
                } else {
                    draft::save(&store, &survey_id, &snapshot)
                }
            });
            if let Err(error) = result {
                problem.report(error);
            }
        });
    }

    // Move focus to the page heading on every page change so keyboard and screen reader users
    // start at the top of the new page. Focusing lays the page out, so it waits for the next
    // frame, where the layout is due anyway, rather than forcing an extra one while the page
    // is still being built (about 60 ms at first load with a 4× slower CPU).
    let heading = NodeRef::<html::H2>::new();
    Effect::new(move |first: Option<()>| {
        page.track();
        generation.track();
        if embedded && first.is_none() {
            return;
        }
        if let Some(el) = heading.get() {
            request_animation_frame(move || {
                let _ = el.focus();
            });
        }
    });
    if let Some(on_event) = on_event {
        let survey = survey.clone();
        Effect::new(move |_| {
            let index = page.get();
            on_event.run(FormEvent::Page {
                index,
                count: page_count,
                id: survey.pages[index].id.clone(),
            });
        });
    }

    let page_visible = {
        let survey = survey.clone();
        move |p: usize, hidden: &HashSet<String>| {
            survey.pages[p]
                .questions
                .iter()
                .any(|q| !hidden.contains(&q.id))
        }
    };
    let next_page = {
        let page_visible = page_visible.clone();
        move |from: usize| {
            let hidden = hidden.get_untracked();
            (from + 1..page_count).find(|p| page_visible(*p, &hidden))
        }
    };
    let prev_page = {
        let page_visible = page_visible.clone();
        move |from: usize| {
            let hidden = hidden.get_untracked();
            (0..from).rev().find(|p| page_visible(*p, &hidden))
        }
    };
    let is_last = {
        let next_page = next_page.clone();
        move || {
            hidden.track();
            next_page(page.get()).is_none()
        }
    };
    // Memos rather than `Show`s decide what appears: a part re-renders only when its memo
    // changes, as under `Show`, without a component of its own for each.
    let has_prev = {
        let prev_page = prev_page.clone();
        Memo::new(move |_| {
            hidden.track();
            prev_page(page.get()).is_some()
        })
    };

    // Checks the visible questions of the current page, shows their errors, and says whether
    // the page may be left.
    let check_page = {
        let survey = survey.clone();
        move || {
            let hidden = hidden.get_untracked();
            let current = answers.get_untracked();
            let mut found = Vec::new();
            for q in &survey.pages[page.get_untracked()].questions {
                if hidden.contains(&q.id) {
                    continue;
                }
                if let Some(error) = field_error(q, current.get(&q.id), is_required(q)) {
                    found.push((q.id.clone(), error));
                }
            }
            let ok = found.is_empty();
            errors.set(found);
            ok
        }
    };

    // Read now: a kiosk's idle timer submits from outside any reactive owner, where context
    // cannot be looked up.
    let sync = use_context::<Sync>();
    let extra_meta = kiosk.as_ref().map(|k| k.meta.clone()).unwrap_or_default();
    let on_complete = kiosk.as_ref().map(|k| k.on_complete);
    let submit = {
        let survey = survey.clone();
        move |partial: bool| {
            let now = clock::now();
            let hidden = hidden.get_untracked();
            let mut meta = BTreeMap::new();
            for (key, value) in location
                .query_pairs_untracked()
                .into_iter()
                .chain(extra_meta.clone())
            {
                if key != "lang" {
                    meta.insert(key, value);
                }
            }
            let mut given = answers.get_untracked();
            given.retain(|id, a| !hidden.contains(id) && is_answered(a));
            let response = Response {
                id: uuid::Uuid::new_v4().to_string(),
                survey_id: survey.id.clone(),
                survey_version: survey.version,
                started_at: Some(started_at.get_untracked()),
                submitted_at: Some(now),
                locale: Some(lang.0.get_untracked().tag().to_owned()),
                answers: given,
                meta,
                partial,
            };
            let scores = score_response(&survey, &response);
            let entry = OutboxEntry {
                response,
                scores: scores.clone(),
                queued_at: now,
                refused: None,
            };
            let outbox =
                sync.map_or_else(|| Rc::new(LocalOutbox) as Rc<dyn OutboxStore>, Sync::outbox);
            let survey = survey.clone();
            leptos::task::spawn_local(async move {
                let stored = outbox.push(entry.clone()).await.map(|set_aside| {
                    if let Some(error) = set_aside {
                        problem.report(error);
                    }
                    // The response is safe in the outbox; a draft left behind would only be
                    // resumed by mistake, so a failure to clear it is reported but harmless.
                    if let Err(error) =
                        Store::open().and_then(|store| draft::clear(&store, &survey.id))
                    {
                        problem.report(error);
                    }
                });
                let download = match stored {
                    Ok(()) => {
                        // Send it now if a server is there; otherwise it waits in the outbox.
                        if let Some(sync) = sync {
                            sync.kick();
                        }
                        None
                    }
                    Err(error) => {
                        problem.report(error);
                        serde_json::to_string(&entry)
                            .ok()
                            .and_then(|json| json_blob_url(&json))
                    }
                };
                if let Some(on_event) = on_event {
                    on_event.run(FormEvent::Completed {
                        response_id: entry.response.id.clone(),
                        survey_version: survey.version,
                        scores: scores.clone(),
                        stored: download.is_none(),
                    });
                }
                // A kiosk may have moved on (an idle timeout ends the run as it stores it), so
                // the form may be gone by now.
                completion.try_set(Some(Completion { scores, download }));
                if let Some(done) = on_complete.filter(|_| !partial) {
                    done.run(());
                }
            });
        }
    };
    if let Some(kiosk) = &kiosk {
        let submit = submit.clone();
        kiosk
            .submit_partial
            .set_value(Some(Callback::new(move |()| {
                if completion.with_untracked(Option::is_none)
                    && answers.with_untracked(|a| !a.is_empty())
                {
                    submit(true);
                }
            })));
    }

    let on_submit = {
        let next_page = next_page.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if !check_page() {
                focus_first_invalid();
                return;
            }
            match next_page(page.get_untracked()) {
                Some(next) => page.set(next),
                None => submit(false),
            }
        }
    };
    let on_back = Callback::new(move |()| {
        if let Some(prev) = prev_page(page.get_untracked()) {
            errors.set(Vec::new());
            page.set(prev);
        }
    });
    let start_over = move |_| {
        answers.set(BTreeMap::new());
        errors.set(Vec::new());
        resumed.set(false);
        started_at.set(clock::now());
        page.set(0);
        generation.update(|g| *g += 1);
    };

    let set_answer = {
        let survey = survey.clone();
        move |qid: String, answer: Option<Answer>| {
            answers.update(|all| match answer {
                Some(a) => {
                    all.insert(qid.clone(), a);
                }
                None => {
                    all.remove(&qid);
                }
            });
            // Errors update live once shown, and a too-long text is flagged while typing; a
            // required message only appears after an attempt to move on.
            let Some(question) = survey.question(&qid) else {
                return;
            };
            let now = answers
                .with_untracked(|all| field_error(question, all.get(&qid), is_required(question)));
            errors.update(|shown| {
                let live = matches!(now, Some(FieldError::TooLong { .. }));
                let at = shown.iter().position(|(id, _)| *id == qid);
                match (at, now) {
                    (Some(at), Some(e)) => shown[at].1 = e,
                    (Some(at), None) => {
                        shown.remove(at);
                    }
                    (None, Some(e)) if live => shown.push((qid.clone(), e)),
                    (None, _) => {}
                }
            });
        }
    };

    let title = {
        let t = survey.title.clone();
        move || text.get(&t)
    };
    let page_view = {
        let survey = survey.clone();
        move || {
            generation.track();
            let p = page.get();
            let questions = survey.pages[p].questions.clone();
            questions
                .into_iter()
                .map(|question| {
                    let id = question.id.clone();
                    let shown = {
                        let id = id.clone();
                        Memo::new(move |_| !hidden.with(|h| h.contains(&id)))
                    };
                    let answer = {
                        let id = id.clone();
                        Signal::derive(move || answers.with(|a| a.get(&id).cloned()))
                    };
                    let error = {
                        let id = id.clone();
                        Signal::derive(move || {
                            errors.with(|e| e.iter().find(|(q, _)| *q == id).map(|(_, e)| *e))
                        })
                    };
                    let locked = {
                        let id = id.clone();
                        Signal::derive(move || read_only.with(|r| r.contains(&id)))
                    };
                    let set_answer = set_answer.clone();
                    let on_change =
                        Callback::new(move |a: Option<Answer>| set_answer(id.clone(), a));
                    move || {
                        shown.get().then(|| {
                            view! {
                                <QuestionView
                                    question=question.clone()
                                    answer=answer
                                    on_change=on_change
                                    error=error
                                    read_only=locked
                                />
                            }
                        })
                    }
                })
                .collect_view()
        }
    };
    let page_title = {
        let survey = survey.clone();
        move || {
            let p = page.get();
            survey.pages[p].title.as_ref().map(|t| text.get(t))
        }
    };
    let description = survey.description.clone();
    let show_description = move || page.get() == 0;
    let home_href = move || format!("/?lang={}", lang.get().tag());

    let header_title = title.clone();
    let form = move || {
        let (page_title, title, is_last) = (page_title.clone(), title.clone(), is_last.clone());
        let description = description.clone();
        view! {
            <form class="runner" novalidate autocomplete="off" on:submit=on_submit.clone() data-testid="runner">
                <h2 class="page-heading" tabindex="-1" node_ref=heading data-testid="page-heading">
                    {move || page_title().unwrap_or_else(&title)}
                </h2>
                <Progress page=page pages=page_count />
                {move || {
                    resumed
                        .get()
                        .then(|| {
                            view! {
                                <p class="notice" data-testid="resumed">
                                    {lang.t(Msg::Resumed)}
                                </p>
                            }
                        })
                }}
                {move || {
                    show_description()
                        .then(|| description.clone())
                        .flatten()
                        .map(|d| view! { <p class="lead">{move || text.get(&d)}</p> })
                }}
                {page_view.clone()}
                <div class="nav-buttons">
                    {move || {
                        has_prev
                            .get()
                            .then(|| {
                                view! {
                                    <button type="button" class="button" on:click=move |_| on_back.run(()) data-testid="back">
                                        {lang.t(Msg::Back)}
                                    </button>
                                }
                            })
                    }}
                    <button type="submit" class="button primary" data-testid="next">
                        {move || {
                            if is_last() { Msg::Submit.text(lang.get()) } else { Msg::Next.text(lang.get()) }
                        }}
                    </button>
                </div>
            </form>
        }
    };

    let body = {
        let survey = survey.clone();
        move || match completion.get() {
            None => form().into_any(),
            Some(done) => view! {
                <ThankYou
                    survey=survey.clone()
                    scores=done.scores
                    download=done.download
                    home_link=!embedded && !in_kiosk
                />
            }
            .into_any(),
        }
    };
    let can_start_over =
        Memo::new(move |_| completion.with(Option::is_none) && answers.with(|a| !a.is_empty()));

    view! {
        <Provider value=lang>
            <Provider value=text>
                <header class="top-bar">
                    <p class="survey-title" data-testid="survey-title">{header_title}</p>
                    <nav class="top-links" hidden=in_kiosk>
                        {(!embedded).then(|| view! { <a href=home_href>{lang.t(Msg::HomeLink)}</a> })}
                        {move || {
                            can_start_over
                                .get()
                                .then(|| {
                                    view! {
                                        <button type="button" class="button small" on:click=start_over data-testid="start-over">
                                            {lang.t(Msg::StartOver)}
                                        </button>
                                    }
                                })
                        }}
                    </nav>
                </header>
                <StorageAlert />
                {body}
            </Provider>
        </Provider>
    }
}

/// Focuses the first field marked invalid, so the respondent lands on what needs fixing.
fn focus_first_invalid() {
    use wasm_bindgen::JsCast;
    // The errors render on the next reactive tick; waiting a frame lets the marks appear.
    let callback = wasm_bindgen::closure::Closure::once_into_js(|| {
        let invalid = document()
            .query_selector("[aria-invalid=true]")
            .ok()
            .flatten();
        // A radio group is not focusable itself; its tab stop is the radio to focus.
        let target = invalid
            .map(|el| match el.get_attribute("role").as_deref() {
                Some("radiogroup") => el.query_selector("[tabindex='0']").ok().flatten(),
                _ => Some(el),
            })
            .and_then(|el| el?.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(el) = target {
            let _ = el.focus();
        }
    });
    let _ = window().request_animation_frame(callback.unchecked_ref());
}
