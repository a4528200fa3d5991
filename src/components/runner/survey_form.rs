use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

use leptos::context::Provider;
use leptos::html;
use leptos::prelude::*;
use manyi_core::{Answer, ResponseScores, Survey};

use super::progress::Progress;
use super::question_view::QuestionView;
use super::thank_you::ThankYou;
use crate::browser::clock;
use crate::browser::download::json_blob_url;
use crate::browser::nav::Location;
use crate::browser::prerendered;
use crate::components::StorageAlert;
use crate::i18n::locale::{StorageProblem, SurveyText, follow_document_lang, ui_lang};
use crate::i18n::{self, Msg};
use crate::net::sync::Sync;
use crate::runner::early;
use crate::runner::session::{Advance, Session};
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

/// Runs one survey: renders a [`Session`] page by page, keeps its draft in step and stores the
/// response it assembles.
#[component]
pub fn SurveyForm(
    survey: Arc<Survey>,
    /// Told of page changes and of completion.
    #[prop(optional_no_strip)]
    on_event: Option<Callback<FormEvent>>,
    /// Shown inside another site: focus stays put on load so the host page does not scroll to
    /// the frame.
    #[prop(optional)]
    embedded: bool,
    /// Run by a counter kiosk.
    #[prop(optional)]
    kiosk: Option<KioskRun>,
) -> impl IntoView {
    let in_kiosk = kiosk.is_some();
    let (offered, fallback) = i18n::survey_langs(&survey);
    // The survey's language and texts are provided to the form's own subtree only (see the
    // view's `Provider`s): a context provided in the enclosing owner would outlive the form
    // there, and whatever is rendered in its place (a kiosk's welcome screen) would find it.
    let lang = ui_lang(offered, fallback);
    follow_document_lang(lang);
    let text = SurveyText::new(lang, survey.default_locale.clone());
    let problem = expect_context::<StorageProblem>();
    let location = Location::current();

    // Resume the draft if this device has one; a kiosk's next customer must find nothing.
    let saved = match Store::open().and_then(|store| draft::load(&store, &survey.id)) {
        _ if in_kiosk => None,
        Ok(saved) => saved,
        Err(error) => {
            problem.report(error);
            None
        }
    };
    let session = RwSignal::new(Session::resume(survey.clone(), saved, clock::now()));
    // Choices made on the page the server drew reach the draft through the session; until the
    // draft holds them, they stay where `public/early.js` kept them.
    let early_kept = StoredValue::new(false);
    let page_count = survey.pages.len();
    // Memos rather than `Show`s decide what appears: a part re-renders only when its memo
    // changes, as under `Show`, without a component of its own for each. The page's questions
    // in particular render afresh only when the page changes, not on every answer.
    let page = Memo::new(move |_| session.with(Session::page));
    let resumed = Memo::new(move |_| session.with(Session::resumed));
    let has_prev = Memo::new(move |_| session.with(|s| s.previous_page().is_some()));
    let is_last = Memo::new(move |_| session.with(Session::is_last));
    let completion = RwSignal::new(None::<Completion>);
    // Bumped by "start over" so the page's uncontrolled text fields render afresh.
    let generation = RwSignal::new(0u32);

    // Autosave: storage is the outside world this effect keeps in step with the answers.
    {
        let survey_id = survey.id.clone();
        Effect::new(move |_| {
            let draft = session.with(Session::draft);
            if in_kiosk || completion.with(Option::is_some) {
                return;
            }
            let result = Store::open().and_then(|store| {
                match &draft {
                    Some(draft) => draft::save(&store, &survey_id, draft)?,
                    None => draft::clear(&store, &survey_id)?,
                }
                if early_kept.get_value() {
                    prerendered::forget(&store, &survey_id);
                    early_kept.set_value(false);
                }
                Ok(())
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
    let form_ref = NodeRef::<html::Form>::new();
    // Built off the document to take the place of the page the server drew: the takeover
    // decides where focus goes first.
    let drawn = prerendered::pending();
    if drawn {
        // Answers already on the drawn page are in the form as it is built, so its text fields
        // (which keep what they were first given) start with them. The app's page may differ
        // then (a condition on them shows a question), and so may a resumed draft's: either
        // way the app shows at once.
        let so_far = prerendered::so_far();
        if !so_far.answers.is_empty() || session.with_untracked(Session::resumed) {
            prerendered::take_over_now();
        }
        let carry = {
            let survey = survey.clone();
            move |answers: &[(String, early::Early)]| {
                let mut carried = false;
                session.try_update(|s| {
                    for (qid, given) in answers {
                        let answer = survey.question(qid).and_then(|q| early::answer(q, given));
                        if let Some(answer) = answer {
                            s.set_answer(qid, Some(answer));
                            carried = true;
                        }
                    }
                });
                if carried {
                    early_kept.try_set_value(true);
                }
            }
        };
        carry(&so_far.answers);
        prerendered::on_takeover(move |state| {
            // The touch that brought the app in may have chosen an option.
            carry(&state.answers);
            // The respondent carries on where they were; a takeover of the app's own starts at
            // the heading, as a page of the app does.
            match (state.touched, state.focus) {
                (true, Some((testid, start, end))) => {
                    request_animation_frame(move || prerendered::refocus(&testid, start, end))
                }
                (true, None) => {}
                (false, _) => {
                    if let Some(el) = heading.get_untracked() {
                        request_animation_frame(move || {
                            let _ = el.focus();
                        });
                    }
                }
            }
            if state.submitted
                && let Some(form) = form_ref.get_untracked()
            {
                let _ = form.request_submit();
            }
        });
    }
    Effect::new(move |first: Option<()>| {
        page.track();
        generation.track();
        if (embedded || drawn) && first.is_none() {
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
            // Starting over shows the first page again, even from the first page.
            generation.track();
            let index = page.get();
            on_event.run(FormEvent::Page {
                index,
                count: page_count,
                id: survey.pages[index].id.clone(),
            });
        });
    }

    // Read now: a kiosk's idle timer submits from outside any reactive owner, where context
    // cannot be looked up.
    let sync = use_context::<Sync>();
    let extra_meta = kiosk.as_ref().map(|k| k.meta.clone()).unwrap_or_default();
    let on_complete = kiosk.as_ref().map(|k| k.on_complete);
    // Keeps the response (the answers so far when `partial`) in the outbox, or offers it as a
    // download when it cannot be stored, and shows the thank-you screen.
    let submit = {
        let survey = survey.clone();
        move |partial: bool| {
            let now = clock::now();
            let id = uuid::Uuid::new_v4().to_string();
            let locale = lang.0.get_untracked().tag();
            let meta = location
                .query_pairs_untracked()
                .into_iter()
                .chain(extra_meta.clone());
            let response = session.with_untracked(|s| match partial {
                true => s.partial_response(id, now, locale, meta),
                false => Some(s.assemble_response(id, now, locale, meta)),
            });
            let Some(response) = response else {
                return;
            };
            let entry = OutboxEntry::new(&survey, response, now);
            let scores = entry.scores.clone();
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
                if completion.with_untracked(Option::is_none) {
                    submit(true);
                }
            })));
    }

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // A valid last page changes nothing worth saving as a draft (the response is about to
        // replace it), so the session only tells its readers when errors were shown to clear.
        let step = session.try_maybe_update(|s| {
            let had_errors = s.shows_errors();
            let step = s.advance();
            (step != Advance::Finished || had_errors, step)
        });
        match step {
            Some(Advance::Invalid) => focus_first_invalid(),
            Some(Advance::Finished) => submit(false),
            Some(Advance::Moved) | None => {}
        }
    };
    let on_back = Callback::new(move |()| session.maybe_update(Session::back));
    let start_over = move |_| {
        session.update(|s| s.start_over(clock::now()));
        generation.update(|g| *g += 1);
    };

    let title = {
        let t = survey.title.clone();
        move || text.get(&t)
    };
    let page_view = {
        let survey = survey.clone();
        move || {
            generation.track();
            let questions = survey.pages[page.get()].questions.clone();
            questions
                .into_iter()
                .map(|question| {
                    let id = question.id.clone();
                    let shown = {
                        let id = id.clone();
                        Memo::new(move |_| !session.with(|s| s.is_hidden(&id)))
                    };
                    let answer = {
                        let id = id.clone();
                        Signal::derive(move || session.with(|s| s.answer(&id).cloned()))
                    };
                    let error = {
                        let id = id.clone();
                        Signal::derive(move || session.with(|s| s.error(&id)))
                    };
                    let locked = {
                        let id = id.clone();
                        Signal::derive(move || session.with(|s| s.is_read_only(&id)))
                    };
                    let on_leave = {
                        let id = id.clone();
                        Callback::new(move |()| session.update(|s| s.check(&id)))
                    };
                    let on_change = Callback::new(move |a: Option<Answer>| {
                        session.update(|s| s.set_answer(&id, a));
                    });
                    move || {
                        shown.get().then(|| {
                            view! {
                                <QuestionView
                                    question=question.clone()
                                    answer=answer
                                    on_change=on_change
                                    error=error
                                    read_only=locked
                                    on_leave=on_leave
                                    shared_device=in_kiosk
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
    let untitled_page = {
        let survey = survey.clone();
        move || survey.pages[page.get()].title.is_none()
    };
    let description = survey.description.clone();
    let show_description = move || page.get() == 0;

    let header_title = title.clone();
    let form = move || {
        let (page_title, title) = (page_title.clone(), title.clone());
        let untitled_page = untitled_page.clone();
        let description = description.clone();
        view! {
            <form class="runner" novalidate autocomplete="off" on:submit=on_submit.clone() node_ref=form_ref data-testid="runner">
                // A page without a title of its own is headed by the survey's, which the top bar
                // already shows: the heading is then for screen readers and focus only.
                <h2
                    class="page-heading"
                    class:visually-hidden=untitled_page
                    tabindex="-1"
                    node_ref=heading
                    data-testid="page-heading"
                >
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
                            if is_last.get() { Msg::Submit.text(lang.get()) } else { Msg::Next.text(lang.get()) }
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
                <ThankYou survey=survey.clone() scores=done.scores download=done.download />
            }
            .into_any(),
        }
    };
    let can_start_over =
        Memo::new(move |_| completion.with(Option::is_none) && session.with(Session::has_answers));

    view! {
        <Provider value=lang>
            <Provider value=text>
                <header class="top-bar">
                    <p class="survey-title" data-testid="survey-title">{header_title}</p>
                    // The respondent's page holds the survey and nothing of the staff's, so there
                    // is no link to the device's home page; a kiosk's customer gets no controls
                    // here at all. Left out rather than `hidden`, which the bar's `display`
                    // would override.
                    {(!in_kiosk)
                        .then(|| {
                            view! {
                                <nav class="top-links">
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
                            }
                        })}
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
