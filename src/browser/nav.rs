//! Where the app is: the current path and query as signals, and in-app navigation.
//!
//! The app deliberately does without `leptos_router`: the router alone weighs about 53 KB gzip
//! in the wasm, a third of the respondent's whole budget, and each bundle has at most three
//! screens told apart by their path. This module keeps the part of a router the app needs: the
//! location follows the History API (links inside a bundle change the screen without a page
//! load, back and forward work), and links to the other bundle load that page normally.

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The current location. Provided once per bundle by [`Location::provide`].
#[derive(Debug, Clone, Copy)]
pub struct Location {
    path: RwSignal<String>,
    search: RwSignal<String>,
    /// The paths this bundle renders; any other is a page load.
    owns: fn(&str) -> bool,
}

impl Location {
    /// Reads the browser's location, follows it from now on and provides it as context.
    ///
    /// `owns` says which paths this bundle renders; a click on a link to one of them changes
    /// the screen in place, any other link is left to the browser.
    pub fn provide(owns: fn(&str) -> bool) -> Location {
        let (path, search) = browser_location();
        let location = Location {
            path: RwSignal::new(path),
            search: RwSignal::new(search),
            owns,
        };
        provide_context(location);
        // Back and forward.
        let handle = window_event_listener(ev::popstate, move |_| location.sync());
        // The listeners live as long as the page: this is the app's root.
        std::mem::forget(handle);
        let handle = window_event_listener(ev::click, move |event| {
            if let Some(href) = in_app_link(&event, owns) {
                event.prevent_default();
                location.go(&href);
            }
        });
        std::mem::forget(handle);
        location
    }

    /// The location provided by the bundle's root.
    pub fn current() -> Location {
        expect_context::<Location>()
    }

    /// The path, such as `/s/nps`; reading it makes the caller follow changes.
    pub fn path(self) -> String {
        self.path.get()
    }

    /// The path, without following changes.
    pub fn path_untracked(self) -> String {
        self.path.get_untracked()
    }

    /// The value of query parameter `key`, decoded; reading it makes the caller follow changes.
    pub fn query(self, key: &str) -> Option<String> {
        self.search.with(|search| params(search).get(key))
    }

    /// Every query parameter in order, decoded, without following changes.
    pub fn query_pairs_untracked(self) -> Vec<(String, String)> {
        self.search.with_untracked(|search| {
            params(search)
                .entries()
                .into_iter()
                .filter_map(|entry| {
                    let pair: js_sys::Array = entry.ok()?.unchecked_into();
                    Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
                })
                .collect()
        })
    }

    /// Shows `href` (a path with an optional query) without loading a page when this bundle
    /// renders its path, and loads it as a page otherwise (another bundle renders it).
    pub fn go(self, href: &str) {
        let path = href.split('?').next().unwrap_or_default();
        if !(self.owns)(path) {
            let _ = window().location().assign(href);
            return;
        }
        if let Ok(history) = window().history() {
            let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(href));
        }
        self.sync();
        window().scroll_to_with_x_and_y(0.0, 0.0);
    }

    /// Shows `href` in place of the current entry, so Back cannot return to what was shown.
    pub fn replace(self, href: &str) {
        if let Ok(history) = window().history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(href));
        }
        self.sync();
    }

    fn sync(self) {
        let (path, search) = browser_location();
        if self.path.get_untracked() != path {
            self.path.set(path);
        }
        if self.search.get_untracked() != search {
            self.search.set(search);
        }
    }
}

fn browser_location() -> (String, String) {
    let location = window().location();
    (
        location.pathname().unwrap_or_else(|_| "/".to_owned()),
        location.search().unwrap_or_default(),
    )
}

fn params(search: &str) -> web_sys::UrlSearchParams {
    web_sys::UrlSearchParams::new_with_str(search).expect("any string parses as a query")
}

/// The href of the same-origin link this plain left click followed, when this bundle renders
/// its path. Clicks with a modifier key, links with a target or a download, and links to other
/// origins keep the browser's behaviour.
fn in_app_link(event: &web_sys::MouseEvent, owns: fn(&str) -> bool) -> Option<String> {
    if event.default_prevented()
        || event.button() != 0
        || event.meta_key()
        || event.ctrl_key()
        || event.shift_key()
        || event.alt_key()
    {
        return None;
    }
    let target: web_sys::Element = event.target()?.dyn_into().ok()?;
    let anchor: web_sys::HtmlAnchorElement = target.closest("a[href]").ok()??.dyn_into().ok()?;
    if !anchor.target().is_empty() || anchor.has_attribute("download") {
        return None;
    }
    let here = window().location();
    if anchor.origin() != here.origin().ok()? || !owns(&anchor.pathname()) {
        return None;
    }
    Some(format!("{}{}", anchor.pathname(), anchor.search()))
}

/// The bundles, each rendering its own paths. `public/boot.js` makes the same decision to load
/// the right bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bundle {
    /// The survey runner, `/s/{survey_id}`: all a respondent following a link downloads.
    Respondent,
    /// The survey runner in another site's frame, `/embed/{survey_id}`.
    Embed,
    /// The home page (`/` and any path no other bundle claims), results, and the dashboard to
    /// come.
    Staff,
    /// The counter kiosk, `/kiosk/{survey_id}`.
    Kiosk,
}

impl Bundle {
    pub fn of(path: &str) -> Bundle {
        if under(path, "/s") {
            Bundle::Respondent
        } else if under(path, "/embed") {
            Bundle::Embed
        } else if under(path, "/kiosk") {
            Bundle::Kiosk
        } else {
            Bundle::Staff
        }
    }
}

/// Loads the page again with the respondent's full bundle (SurveyJS conditions and pattern
/// validators), which `public/boot.js` picks for the rest of the tab's session. Without session
/// storage nothing happens: the page would only load the same bundle again.
pub fn use_full_runner() {
    let Some(storage) = crate::storage::session_storage() else {
        return;
    };
    if storage.set_item("manyi.runner", "full").is_ok() {
        let _ = window().location().reload();
    }
}

/// Whether `path` is `root` or below it: `/kiosk` and `/kiosk/nps`, not `/kiosks`.
pub fn under(path: &str, root: &str) -> bool {
    path.strip_prefix(root)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}
