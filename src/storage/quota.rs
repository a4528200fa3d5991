//! How much of the browser's storage this origin uses, and keeping it from being evicted.
//!
//! Browsers may clear an origin's storage under disk pressure unless it is persistent, and each
//! origin has a quota. A kiosk that queues responses offline needs both facts: staff are warned
//! well before the quota runs out (the thresholds are in `kiosk::settings::storage_level`), and the kiosk
//! asks for persistence at start. Everything here is best effort: a browser without the Storage
//! API simply gives no figures.

use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// The origin's storage use as the browser estimates it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StorageUse {
    pub usage: u64,
    pub quota: u64,
    /// Whether the browser promised not to evict this origin's data.
    pub persisted: bool,
}

/// The browser's estimate, or `None` when it gives none.
pub async fn estimate() -> Option<StorageUse> {
    let storage = web_sys::window()?.navigator().storage();
    let estimate = JsFuture::from(storage.estimate().ok()?).await.ok()?;
    let persisted = match storage.persisted() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false),
        Err(_) => false,
    };
    Some(StorageUse {
        usage: number(&estimate, "usage")?,
        quota: number(&estimate, "quota")?,
        persisted,
    })
}

/// Asks the browser to keep this origin's data under disk pressure. Browsers decide without
/// asking the user (Chromium by the site's engagement); a refusal changes nothing here.
pub fn request_persistence() {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Ok(promise) = window.navigator().storage().persist() {
        leptos::task::spawn_local(async move {
            let _ = JsFuture::from(promise).await;
        });
    }
}

fn number(object: &JsValue, key: &str) -> Option<u64> {
    js_sys::Reflect::get(object, &JsValue::from_str(key))
        .ok()?
        .as_f64()
        .map(|n| n as u64)
}
