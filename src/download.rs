//! Offering data as a file download when it cannot be stored.

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
