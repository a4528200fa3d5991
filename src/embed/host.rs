//! The embed screen's dealings with the page that frames it: the host page's origin, the
//! messages to and from it, and the frame's height.
//!
//! Messages go to one origin only: the host page's, as the loader claims it, confirmed by the
//! browser where it can (`location.ancestorOrigins`) and found on the survey's allowed list
//! (`GET /api/v1/surveys/{id}/origins`). Until then they wait; when it is not confirmed, none is
//! ever sent. The only messages the frame takes are the loader's `storage` messages, from that
//! origin and from the parent window: when the browser blocks the frame's own storage (as
//! browsers that block third-party cookies do), the host page keeps the draft and the outbox
//! (see `storage::use_host_storage`).

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use super::settings::EmbedSettings;
use crate::net::api;
use crate::storage;

/// The origin (`scheme://host[:port]`) of an http or https URL.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.is_empty() || authority.contains(['@', ' ']) {
        return None;
    }
    Some(format!("{scheme}://{authority}"))
}

/// Which origin to talk to: the one the loader `claimed`, else the framing page's as the
/// browser tells it (`ancestor`), else the one the `referrer` names. When the browser tells the
/// framing page's origin, a different claim is refused.
pub fn pick_host(
    claimed: Option<&str>,
    ancestor: Option<&str>,
    referrer: Option<&str>,
) -> Option<String> {
    let host = claimed
        .or(ancestor)
        .map(str::to_owned)
        .or_else(|| referrer.and_then(origin_of))?;
    match ancestor {
        Some(parent) if parent != host => None,
        _ => Some(host),
    }
}

/// The framing page's origin, when this page is framed; see [`pick_host`].
pub fn host_origin(settings: &EmbedSettings) -> Option<String> {
    let window = window();
    let parent = window.parent().ok().flatten()?;
    if js_sys::Object::is(&parent, &window) {
        return None;
    }
    let location = window.location();
    // `ancestorOrigins` is Chromium's and WebKit's; Firefox has none, and the claim stands.
    let ancestor = js_sys::Reflect::get(&location, &"ancestorOrigins".into())
        .ok()
        .filter(|list| !list.is_undefined())
        .and_then(|list| js_sys::Reflect::get(&list, &0.into()).ok())
        .and_then(|first| first.as_string());
    let referrer = document().referrer();
    pick_host(
        settings.origin.as_deref(),
        ancestor.as_deref(),
        Some(referrer.as_str()).filter(|r| !r.is_empty()),
    )
}

/// Whether `origin` is on survey `id`'s allowed list on the server that served the app.
pub async fn origin_allowed(id: &str, origin: &str) -> bool {
    let Some(api) = api::discover().await else {
        return false;
    };
    api::allowed_origins(&api, id)
        .await
        .is_ok_and(|list| list.iter().any(|allowed| allowed == origin))
}

/// Confirms the host page's origin and opens `channel` to it, or shuts it. With `bridge` (the
/// frame's own storage is blocked and the loader is there to keep it), the app's storage moves
/// to the host page's once the loader has sent it. `ready` is called once storage is settled:
/// at once without `bridge`, when the host's values are in use with it, or as soon as the host
/// is not confirmed (the app then runs without storage, as it does anywhere storage fails).
pub fn connect(
    id: String,
    settings: &EmbedSettings,
    channel: HostChannel,
    bridge: bool,
    ready: impl Fn() + 'static,
) {
    let Some(host) = host_origin(settings) else {
        channel.shut();
        ready();
        return;
    };
    if !bridge {
        ready();
    }
    leptos::task::spawn_local(async move {
        if !origin_allowed(&id, &host).await {
            channel.shut();
            if bridge {
                ready();
            }
            return;
        }
        channel.open(host.clone());
        if bridge {
            // Changes the loader passes on before its answer are in the answer already.
            let first = std::cell::Cell::new(true);
            listen_for_storage(host, move |items, all| {
                if first.get() {
                    if !all {
                        return;
                    }
                    first.set(false);
                    let mut values = std::collections::BTreeMap::new();
                    for (key, value) in items {
                        if let Some(value) = value {
                            values.insert(key, value);
                        }
                    }
                    storage::use_host_storage(values, move |key, value| {
                        channel.post("store", &[("key", key.into()), ("value", value.into())]);
                    });
                    ready();
                } else {
                    storage::host_storage_changed(items);
                }
            });
            channel.post("storage", &[]);
        }
    });
}

/// The items of a `storage` message: key, and text or `None` for removed.
type StorageItems = Vec<(String, Option<String>)>;

/// Calls `on_items` with the items of every `storage` message the parent window at `origin`
/// sends, and whether they are all the values the host keeps (the answer to the frame's
/// request) or changes: `{"manyi": 1, "type": "storage", "items": {key: text or null}, "all": 1}`.
fn listen_for_storage(origin: String, on_items: impl Fn(StorageItems, bool) + 'static) {
    let handle = window_event_listener(leptos::ev::message, move |event| {
        let from_parent = match (event.source(), window().parent()) {
            (Some(source), Ok(Some(parent))) => js_sys::Object::is(&source, &parent),
            _ => false,
        };
        if from_parent
            && event.origin() == origin
            && let Some((items, all)) = storage_items(&event.data())
        {
            on_items(items, all);
        }
    });
    // The host page talks to the frame for the page's life.
    std::mem::forget(handle);
}

/// The items of a `storage` message and its `all` flag, or `None` when `data` is not one. Read
/// straight from the JavaScript value: the messages never go through serde, which keeps the
/// bundle smaller.
fn storage_items(data: &JsValue) -> Option<(StorageItems, bool)> {
    let get = |value: &JsValue, key: &str| js_sys::Reflect::get(value, &key.into()).ok();
    if get(data, "manyi")?.as_f64() != Some(1.0)
        || get(data, "type")?.as_string().as_deref() != Some("storage")
    {
        return None;
    }
    let items = get(data, "items")?;
    if !items.is_object() {
        return None;
    }
    let all = get(data, "all").is_some_and(|all| all.is_truthy());
    let items = js_sys::Object::entries(items.unchecked_ref())
        .iter()
        .map(|entry| {
            let pair: js_sys::Array = entry.unchecked_into();
            let value = pair.get(1);
            let value = match value.is_null() {
                true => None,
                false => Some(value.as_string()?),
            };
            Some((pair.get(0).as_string()?, value))
        })
        .collect::<Option<Vec<_>>>()?;
    Some((items, all))
}

#[derive(Debug, Clone)]
enum Channel {
    /// The host's origin is being checked; messages wait in order.
    Waiting(Vec<JsValue>),
    /// Confirmed: messages go to this origin.
    Open(String),
    /// Not framed, or the origin is not confirmed: nothing is ever sent.
    Shut,
}

/// The messages to the host page: `{"manyi": 1, "type": …, "survey_id": …, …}` posted to the
/// confirmed host origin only.
#[derive(Debug, Clone, Copy)]
pub struct HostChannel {
    survey_id: StoredValue<String>,
    state: StoredValue<Channel, LocalStorage>,
}

impl HostChannel {
    pub fn new(survey_id: String) -> HostChannel {
        HostChannel {
            survey_id: StoredValue::new(survey_id),
            state: StoredValue::new_local(Channel::Waiting(Vec::new())),
        }
    }

    /// Sends message `kind` with `fields`, now or once the host is confirmed.
    pub fn post(self, kind: &str, fields: &[(&str, JsValue)]) {
        let message = js_sys::Object::new();
        let set = |key: &str, value: &JsValue| {
            let _ = js_sys::Reflect::set(&message, &key.into(), value);
        };
        set("manyi", &1.into());
        set("type", &kind.into());
        set("survey_id", &self.survey_id.with_value(|id| id.into()));
        for (key, value) in fields {
            set(key, value);
        }
        let message = JsValue::from(message);
        self.state.update_value(|state| match state {
            Channel::Waiting(queue) => queue.push(message),
            Channel::Open(origin) => send(origin, &message),
            Channel::Shut => {}
        });
    }

    /// Confirms the host's origin and sends what waited.
    pub fn open(self, origin: String) {
        let waiting = self.state.with_value(|state| match state {
            Channel::Waiting(queue) => queue.clone(),
            _ => Vec::new(),
        });
        for message in &waiting {
            send(&origin, message);
        }
        self.state.set_value(Channel::Open(origin));
    }

    /// Drops what waited; nothing will be sent.
    pub fn shut(self) {
        self.state.set_value(Channel::Shut);
    }
}

fn send(origin: &str, message: &JsValue) {
    if let Ok(Some(parent)) = window().parent() {
        let _ = parent.post_message(message, origin);
    }
}

/// `value` (plain data) as a JavaScript value for a message, or `null` if it cannot be.
pub fn to_js<T: serde::Serialize>(value: &T) -> JsValue {
    // Through serde_json's `Value` and its text, which the bundle has for the outbox anyway.
    serde_json::to_value(value)
        .ok()
        .and_then(|value| serde_json::to_string(&value).ok())
        .and_then(|text| js_sys::JSON::parse(&text).ok())
        .unwrap_or(JsValue::NULL)
}

/// Tells the host page when Escape is pressed in the frame, so a popup closes as it does when
/// the host page has the focus.
pub fn forward_escape(channel: HostChannel) {
    let handle = window_event_listener(leptos::ev::keydown, move |event| {
        if event.key() == "Escape" && !event.default_prevented() {
            channel.post("escape", &[]);
        }
    });
    std::mem::forget(handle);
}

/// Calls `on_height` with the body's height now and whenever it changes, for the page's life.
pub fn watch_height(on_height: impl Fn(f64) + 'static) {
    let Some(body) = document().body() else {
        return;
    };
    let measured = body.clone();
    let callback = Closure::<dyn Fn()>::new(move || {
        on_height(measured.get_bounding_client_rect().height());
    });
    if let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) {
        observer.observe(&body);
        // Both live as long as the page.
        std::mem::forget(observer);
        callback.forget();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_is_the_claim_unless_the_browser_says_otherwise() {
        let portal = "https://portal.example";
        assert_eq!(pick_host(Some(portal), None, None).as_deref(), Some(portal));
        assert_eq!(
            pick_host(Some(portal), Some(portal), None).as_deref(),
            Some(portal)
        );
        assert_eq!(
            pick_host(Some(portal), Some("https://evil.example"), None),
            None
        );
        assert_eq!(pick_host(None, Some(portal), None).as_deref(), Some(portal));
        assert_eq!(
            pick_host(None, None, Some("https://portal.example/orders/7?x=1")).as_deref(),
            Some(portal)
        );
        assert_eq!(pick_host(None, None, Some("file:///tmp/page.html")), None);
        assert_eq!(pick_host(None, None, None), None);
    }

    #[test]
    fn origins_of_urls() {
        assert_eq!(
            origin_of("http://127.0.0.1:8080/embed/csat?lang=en").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            origin_of("https://a.example").as_deref(),
            Some("https://a.example")
        );
        assert_eq!(origin_of("https://user@a.example/"), None);
        assert_eq!(origin_of("javascript://x"), None);
        assert_eq!(origin_of("https:///path"), None);
    }
}
