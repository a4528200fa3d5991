//! Offering data as a file download: a response that cannot be stored, the dashboard's
//! exports.

use wasm_bindgen::JsValue;
use web_sys::{Blob, BlobPropertyBag, Url};

/// A Blob URL holding `json`, indented for reading, for a link with a `download` attribute. The
/// link works without any storage and without a network, which is exactly when it is needed.
/// The browser indents it: serde_json's pretty printer would be a second serializer for the
/// whole response in the bundle.
pub fn json_blob_url(json: &str) -> Option<String> {
    let value = js_sys::JSON::parse(json).ok()?;
    let pretty = js_sys::JSON::stringify_with_replacer_and_space(
        &value,
        &JsValue::NULL,
        &JsValue::from_f64(2.0),
    )
    .ok()?;
    let parts = js_sys::Array::of1(&pretty);
    let options = BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    Url::create_object_url_with_blob(&blob).ok()
}

/// A Blob holding `bytes` of media type `kind`.
pub fn blob(bytes: &[u8], kind: &str) -> Option<Blob> {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let options = BlobPropertyBag::new();
    options.set_type(kind);
    Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()
}

/// Saves `blob` as a file named `name`, through a temporary link with a `download`
/// attribute (the browser's own download, which works for Blob URLs under the app's policy).
pub fn save(blob: &Blob, name: &str) -> Option<()> {
    let url = Url::create_object_url_with_blob(blob).ok()?;
    let document = web_sys::window()?.document()?;
    let link: web_sys::HtmlAnchorElement =
        wasm_bindgen::JsCast::dyn_into(document.create_element("a").ok()?).ok()?;
    link.set_href(&url);
    link.set_download(name);
    link.click();
    // Some browsers read the URL after the click returns, so it is released a minute later.
    leptos::prelude::set_timeout(
        move || {
            let _ = Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(60),
    );
    Some(())
}
