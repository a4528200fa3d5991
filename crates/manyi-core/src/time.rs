//! Timestamps as the formats carry them: RFC 3339 text with an offset, read exactly as chrono's
//! `DateTime<FixedOffset>::from_str` reads it, without chrono's general format parser.
//!
//! chrono reads a timestamp by running a table of format items through a parser that handles
//! every format it supports; in the respondent's WebAssembly bundle that parser and its error
//! paths weigh about 7 KB gzip for the one format the app ever reads. [`parse_datetime`]
//! accepts the same inputs and gives the same values (the tests compare the two on every case
//! of `tests/data/timestamps.json` and on generated variations of them), so which of the two
//! reads a timestamp is not observable. Every timestamp field of the formats is read through
//! [`deserialize`] or [`deserialize_option`]; writing is left to chrono.
//!
//! The accepted form is chrono's "relaxed RFC 3339": a year of up to four digits (more with an
//! explicit sign), `-`, month, `-`, day, then `T`, `t` or a space, hour `:` minute `:` second
//! (60 for a leap second), an optional fraction of any length (digits past the ninth are
//! ignored), then `Z`, `z`, `UTC` in any case, or a signed offset `hh:mm` whose sign may be
//! `+`, `-` or U+2212 and whose colon may be any run of colons and whitespace. Whitespace may
//! come before any number, before the offset and at the end.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone};
use serde::Deserializer;

/// What the serde errors say is expected, in chrono's words.
const EXPECTED: &str = "an RFC 3339 formatted date and time string";

/// Reads `text` as chrono's `DateTime<FixedOffset>::from_str` does; `None` where it fails.
pub fn parse_datetime(text: &str) -> Option<DateTime<FixedOffset>> {
    let mut s = text;
    let year = year(&mut s)?;
    literal(&mut s, '-')?;
    let month = number(&mut s, 2)?;
    literal(&mut s, '-')?;
    let day = number(&mut s, 2)?;
    // One separator, with nothing before it.
    match s.as_bytes().first()? {
        b'T' | b't' | b' ' => s = &s[1..],
        _ => return None,
    }
    let hour = number(&mut s, 2)?;
    literal(&mut s, ':')?;
    let minute = number(&mut s, 2)?;
    literal(&mut s, ':')?;
    let second = number(&mut s, 2)?;
    let nano = match s.strip_prefix('.') {
        Some(rest) => {
            s = rest;
            fraction(&mut s)?
        }
        None => 0,
    };
    s = s.trim_start();
    let offset = offset(&mut s)?;
    if !s.trim_start().is_empty() {
        return None;
    }

    // The same range checks as chrono's, in the same order of strictness: fields first, then
    // the calendar, then the offset and the instant it gives.
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month as u32, day as u32)?;
    // A leap second is second 59 with a nanosecond count past one second, as chrono keeps it.
    let (second, nano) = if second == 60 {
        (59, nano + 1_000_000_000)
    } else {
        (second as u32, nano)
    };
    let time = NaiveTime::from_hms_nano_opt(hour as u32, minute as u32, second, nano)?;
    let offset = FixedOffset::east_opt(offset)?;
    offset.from_local_datetime(&date.and_time(time)).single()
}

/// A year: digits after an explicit sign without limit, else at most four.
fn year(s: &mut &str) -> Option<i64> {
    *s = s.trim_start();
    if let Some(rest) = s.strip_prefix('-') {
        *s = rest;
        0i64.checked_sub(number_at_most(s, usize::MAX)?)
    } else if let Some(rest) = s.strip_prefix('+') {
        *s = rest;
        number_at_most(s, usize::MAX)
    } else {
        number_at_most(s, 4)
    }
}

/// Whitespace, then `c`.
fn literal(s: &mut &str, c: char) -> Option<()> {
    *s = s.trim_start().strip_prefix(c)?;
    Some(())
}

/// Whitespace, then one to `max` digits.
fn number(s: &mut &str, max: usize) -> Option<i64> {
    *s = s.trim_start();
    number_at_most(s, max)
}

/// One to `max` ASCII digits, as a number that must fit an `i64`.
fn number_at_most(s: &mut &str, max: usize) -> Option<i64> {
    let digits = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let mut n = 0i64;
    for b in s[..digits].bytes() {
        n = n.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
    }
    *s = &s[digits..];
    Some(n)
}

/// The digits after the decimal point, as nanoseconds: the first nine count, the rest are
/// read and ignored.
fn fraction(s: &mut &str) -> Option<u32> {
    let before = s.len();
    let value = number_at_most(s, 9)?;
    let digits = before - s.len();
    *s = s.trim_start_matches(|c: char| c.is_ascii_digit());
    // At most nine digits, so the value and its scaled form stay below 10^9.
    Some(value as u32 * 10u32.pow(9 - digits as u32))
}

/// `Z`, `z`, `UTC` in any case, or a sign, two digits of hours, any run of colons and
/// whitespace, and two digits of minutes (00–59); in seconds east of UTC.
fn offset(s: &mut &str) -> Option<i32> {
    let bytes = s.as_bytes();
    if bytes.len() >= 3 && bytes[..3].eq_ignore_ascii_case(b"UTC") {
        *s = &s[3..];
        return Some(0);
    }
    if let Some(rest) = s.strip_prefix(['Z', 'z']) {
        *s = rest;
        return Some(0);
    }
    let (negative, rest) = if let Some(rest) = s.strip_prefix('+') {
        (false, rest)
    } else if let Some(rest) = s.strip_prefix(['-', '\u{2212}']) {
        (true, rest)
    } else {
        return None;
    };
    let hours = two_digits(rest, b'9')?;
    let rest = rest[2..].trim_start_matches(|c: char| c == ':' || c.is_whitespace());
    let minutes = two_digits(rest, b'5')?;
    *s = &rest[2..];
    let seconds = hours * 3600 + minutes * 60;
    Some(if negative { -seconds } else { seconds })
}

/// Two ASCII digits at the start of `s`, the first at most `first_max`.
fn two_digits(s: &str, first_max: u8) -> Option<i32> {
    match s.as_bytes() {
        [a @ b'0'..=b'9', b @ b'0'..=b'9', ..] if *a <= first_max => {
            Some(i32::from(a - b'0') * 10 + i32::from(b - b'0'))
        }
        _ => None,
    }
}

struct Visitor;

impl serde::de::Visitor<'_> for Visitor {
    type Value = DateTime<FixedOffset>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(EXPECTED)
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Self::Value, E> {
        parse_datetime(value)
            .ok_or_else(|| E::invalid_value(serde::de::Unexpected::Str(value), &self))
    }
}

/// Reads a timestamp field (`#[serde(deserialize_with = "crate::time::deserialize")]`).
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<FixedOffset>, D::Error> {
    d.deserialize_str(Visitor)
}

struct OptionVisitor;

impl<'de> serde::de::Visitor<'de> for OptionVisitor {
    type Value = Option<DateTime<FixedOffset>>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(EXPECTED)
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        deserialize(d).map(Some)
    }
}

/// Reads an optional timestamp field: `null` is `None`, as serde reads an `Option`.
pub fn deserialize_option<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<DateTime<FixedOffset>>, D::Error> {
    d.deserialize_option(OptionVisitor)
}
