//! Waiting for the browser to draw.

use std::time::Duration;

use leptos::prelude::{request_animation_frame, set_timeout};
use wasm_bindgen::JsValue;

/// Resolves once the browser has drawn what the page holds now. A long computation that
/// starts after it runs with its loading state on screen; one that starts at once, in the
/// same task as the render that showed that state, would hold the page blank until it ends.
/// The frame callback runs just before the browser draws, and a timeout set from it runs
/// after the drawing.
pub async fn after_paint() {
    let drawn = js_sys::Promise::new(&mut |resolve, _| {
        request_animation_frame(move || {
            set_timeout(
                move || {
                    let _ = resolve.call0(&JsValue::NULL);
                },
                Duration::ZERO,
            );
        });
    });
    // The promise is only ever resolved.
    let _ = wasm_bindgen_futures::JsFuture::from(drawn).await;
}
