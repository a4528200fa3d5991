//! The browser's clock, as the RFC 3339 timestamps with offset that responses carry.

use chrono::{DateTime, FixedOffset, Offset, Utc};

/// The current time in the browser's own UTC offset.
pub fn now() -> DateTime<FixedOffset> {
    let date = js_sys::Date::new_0();
    // getTimezoneOffset counts minutes *behind* UTC (UTC+8 gives -480), so east is its negation.
    let offset_secs = -(date.get_timezone_offset() as i32) * 60;
    let offset = FixedOffset::east_opt(offset_secs).unwrap_or_else(|| Utc.fix());
    DateTime::from_timestamp_millis(date.get_time() as i64)
        .unwrap_or_default()
        .with_timezone(&offset)
}

/// The instant `t` in the browser's own zone, with the offset that zone had then (which
/// daylight saving may make differ from today's).
pub fn in_browser_zone(t: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(t.timestamp_millis() as f64));
    let offset_secs = -(date.get_timezone_offset() as i32) * 60;
    let offset = FixedOffset::east_opt(offset_secs).unwrap_or_else(|| Utc.fix());
    t.with_timezone(&offset)
}

/// The instant `t` as the dashboard shows times: in the browser's zone, to the minute.
pub fn shown(t: DateTime<FixedOffset>) -> String {
    in_browser_zone(t).format("%Y-%m-%d %H:%M").to_string()
}
