//! The survey page the server drew before the app arrived (`manyi-server`'s `prerender`): its
//! first question, which the respondent may already be answering (`public/early.js` makes the
//! drawn options work), and the survey's definition.
//!
//! The app is built off the document and takes the drawn page's place when the respondent first
//! touches it, or at once if they already have: replacing the page under a finger that is in the
//! middle of a tap would lose the tap, and until then the drawn page and the app's look the
//! same. The app also takes over at once when it would show something else (a draft to resume,
//! a definition imported on this device, a storage problem). Whatever was done on the drawn page
//! (options chosen, text typed, the field focused with its selection, a press of the submit
//! button) is handed to the form (`on_takeover`), which carries it into its run.

use std::cell::RefCell;

use leptos::prelude::IntoView;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

pub use crate::runner::early::Early;

/// Where `public/early.js` keeps the choices made on the drawn page, so that a reload after the
/// app failed to arrive shows them again: `{survey id: {question id: option key or text}}`. The
/// app clears it once the answers are in its own draft.
pub const EARLY_KEY: &str = "manyi.early.v1";

/// What the respondent did on the drawn page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Prerendered {
    /// Each question answered: its id, and the key of the option chosen or the text typed.
    pub answers: Vec<(String, Early)>,
    /// The field focused, by test id, with its selection, to be focused again.
    pub focus: Option<(String, u32, u32)>,
    /// The submit button was pressed.
    pub submitted: bool,
    /// The respondent touched the page (the takeover was theirs, not the app's).
    pub touched: bool,
}

/// A takeover that has not happened yet.
struct Pending {
    /// The drawn page.
    drawn: web_sys::Element,
    /// The element the app was mounted into, off the document.
    holder: web_sys::Element,
    /// What the form does with the drawn page's state.
    carry: Option<Box<dyn FnOnce(Prerendered)>>,
    /// Whether the app asked to take over at once.
    now: bool,
}

thread_local! {
    static PENDING: RefCell<Option<Pending>> = const { RefCell::new(None) };
}

/// Mounts the respondent's app: at the end of `<body>` as usual, or, when the server drew the
/// survey's page, off the document until it takes the drawn page's place.
pub fn mount<F, N>(app: F)
where
    F: FnOnce() -> N + 'static,
    N: IntoView,
{
    let document = leptos::prelude::document();
    let drawn = document
        .query_selector("main[data-prerendered]")
        .ok()
        .flatten();
    let (Some(drawn), Ok(holder)) = (drawn, document.create_element("div")) else {
        leptos::mount::mount_to_body(app);
        return;
    };
    PENDING.with(|p| {
        *p.borrow_mut() = Some(Pending {
            drawn: drawn.clone(),
            holder: holder.clone(),
            carry: None,
            now: false,
        })
    });
    leptos::mount::mount_to(holder.unchecked_into(), app).forget();
    let now = PENDING.with(|p| p.borrow().as_ref().is_some_and(|p| p.now));
    if now || drawn.has_attribute("data-touched") {
        take_over();
        return;
    }
    let listener = Closure::once_into_js(take_over);
    let options = web_sys::AddEventListenerOptions::new();
    options.set_once(true);
    let _ = drawn.add_event_listener_with_callback_and_add_event_listener_options(
        "manyi:touched",
        listener.unchecked_ref(),
        &options,
    );
}

/// Whether the app is waiting to take over a drawn page.
pub fn pending() -> bool {
    PENDING.with(|p| p.borrow().is_some())
}

/// Has the app take over as soon as it is mounted, because it will not show what the drawn page
/// shows.
pub fn take_over_now() {
    PENDING.with(|p| {
        if let Some(p) = p.borrow_mut().as_mut() {
            p.now = true;
        }
    });
}

/// Registers what the form does with the drawn page's state when it takes over.
pub fn on_takeover(carry: impl FnOnce(Prerendered) + 'static) {
    PENDING.with(|p| {
        if let Some(p) = p.borrow_mut().as_mut() {
            p.carry = Some(Box::new(carry));
        }
    });
}

/// What has been done on the drawn page so far (answers restored by `public/early.js` after a
/// reload, or given before the app arrived), while it waits to be taken over.
pub fn so_far() -> Prerendered {
    PENDING
        .with(|p| p.borrow().as_ref().map(|p| read(&p.drawn)))
        .unwrap_or_default()
}

/// The definition the server sent with the page of survey `id`, as JSON text, taken off the
/// page.
pub fn definition(id: &str) -> Option<String> {
    let document = leptos::prelude::document();
    let drawn_for = document
        .query_selector("main[data-prerendered]")
        .ok()
        .flatten()
        .and_then(|main| main.get_attribute("data-prerendered"));
    let script = document.get_element_by_id("manyi-survey")?;
    script.remove();
    // The page is the survey's (a page without a drawn question carries the definition alone).
    let json = script.text_content()?;
    (drawn_for.is_none() || drawn_for.as_deref() == Some(id)).then_some(json)
}

/// Replaces the drawn page with the app and hands its state to the form.
fn take_over() {
    let Some(pending) = PENDING.with(|p| p.borrow_mut().take()) else {
        return;
    };
    let state = read(&pending.drawn);
    pending.drawn.remove();
    let body = leptos::prelude::document().body();
    let children = pending.holder.child_nodes();
    let nodes: Vec<web_sys::Node> = (0..children.length())
        .filter_map(|i| children.item(i))
        .collect();
    if let Some(body) = body {
        for node in nodes {
            let _ = body.append_child(&node);
        }
    }
    if let Some(carry) = pending.carry {
        carry(state);
    }
}

/// What the respondent did on the drawn page, read from its markup.
fn read(main: &web_sys::Element) -> Prerendered {
    let mut answers = Vec::new();
    for question in elements(main, ".question[data-testid^='question-']") {
        let Some(qid) = question
            .get_attribute("data-testid")
            .and_then(|t| t.strip_prefix("question-").map(str::to_owned))
        else {
            continue;
        };
        let chosen = question
            .query_selector("[role=radio][aria-checked=true]")
            .ok()
            .flatten()
            .and_then(|radio| radio.get_attribute("data-testid"))
            .and_then(|t| t.strip_prefix(&format!("{qid}-opt-")).map(str::to_owned));
        let typed = question
            .query_selector("textarea, input")
            .ok()
            .flatten()
            .and_then(|field| string(&field, "value"))
            .filter(|text| !text.is_empty());
        if let Some(key) = chosen {
            answers.push((qid, Early::Option(key)));
        } else if let Some(text) = typed {
            answers.push((qid, Early::Text(text)));
        }
    }
    let focus = leptos::prelude::document()
        .active_element()
        .filter(|el| main.contains(Some(el)))
        .and_then(|el| {
            let testid = el.get_attribute("data-testid")?;
            let at = |name| number(&el, name).unwrap_or(0);
            Some((testid, at("selectionStart"), at("selectionEnd")))
        });
    Prerendered {
        answers,
        focus,
        submitted: main
            .query_selector("form[data-submitted]")
            .ok()
            .flatten()
            .is_some(),
        touched: main.has_attribute("data-touched"),
    }
}

/// Forgets the choices `public/early.js` kept for survey `id`, once the app holds them.
pub fn forget(store: &crate::storage::Store, id: &str) {
    type Kept = std::collections::BTreeMap<String, Box<serde_json::value::RawValue>>;
    let Ok(Some(mut all)) = store.get_json::<Kept>(EARLY_KEY) else {
        return;
    };
    if all.remove(id).is_some() {
        // A failure leaves choices that the next visit's draft overrides; nothing is lost.
        let _ = match all.is_empty() {
            true => store.remove(EARLY_KEY),
            false => store.set_json(EARLY_KEY, &all),
        };
    }
}

/// Focuses the element with test id `testid` and selects `start..end` in it, as the drawn
/// page had it.
pub fn refocus(testid: &str, start: u32, end: u32) {
    let Some(el) = leptos::prelude::document()
        .query_selector(&format!("[data-testid='{testid}']"))
        .ok()
        .flatten()
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    let _ = el.focus();
    if let Ok(select) = js_sys::Reflect::get(&el, &"setSelectionRange".into())
        .and_then(|f| f.dyn_into::<js_sys::Function>())
    {
        let _ = select.call2(&el, &start.into(), &end.into());
    }
}

fn elements(root: &web_sys::Element, selector: &str) -> Vec<web_sys::Element> {
    let Ok(list) = root.query_selector_all(selector) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<web_sys::Element>().ok())
        .collect()
}

fn string(object: &JsValue, key: &str) -> Option<String> {
    js_sys::Reflect::get(object, &key.into()).ok()?.as_string()
}

fn number(object: &JsValue, key: &str) -> Option<u32> {
    js_sys::Reflect::get(object, &key.into())
        .ok()?
        .as_f64()
        .map(|n| n as u32)
}
