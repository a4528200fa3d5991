//! Evaluation of SurveyJS expressions with survey-core's semantics.
//!
//! survey-core runs expressions as JavaScript, so its results depend on JavaScript's loose
//! typing: `==`, `<`, `+`, truthiness and number parsing. This module ports the operators of
//! `expressions.ts`, the comparison and emptiness helpers of `helpers.ts`, variable lookup from
//! `conditionProcessValue.ts` and the built-in functions it implements from
//! `functionsfactory.ts`, each on top of small re-implementations of the JavaScript conversions
//! they rely on. The result is what survey-core computes, not what its documentation says; for
//! example `'abc' = ' ABC '` is true and `{a} + 2` concatenates when `a` holds a 16-digit string.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::expr::{BinOp, Expr};
use crate::number::parse_f64;

/// A JavaScript value, as expressions see answers and compute results.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Undefined,
    Null,
    Bool(bool),
    Number(f64),
    Text(String),
    Array(Vec<Value>),
    Object(BTreeMap<String, Value>),
}

/// Where variables come from: top-level names, matched case-insensitively as SurveyJS does.
pub trait Scope {
    fn get(&self, name: &str) -> Option<Value>;
}

impl Scope for serde_json::Map<String, serde_json::Value> {
    fn get(&self, name: &str) -> Option<Value> {
        let lower = name.to_js_lower();
        self.iter()
            .find(|(k, _)| k.to_js_lower() == lower)
            .map(|(_, v)| Value::from(v))
    }
}

/// JavaScript's `toLowerCase`, for the scripts survey texts use: ASCII, Latin-1, Greek and
/// Cyrillic capitals become small letters, and characters of other scripts stay as they are.
/// std's `to_lowercase` would bring its whole Unicode table into the browser bundle.
pub(crate) trait JsLower {
    fn to_js_lower(&self) -> String;
}

impl JsLower for str {
    fn to_js_lower(&self) -> String {
        self.chars()
            .map(|c| {
                let offset = match c as u32 {
                    0x41..=0x5A | 0xC0..=0xD6 | 0xD8..=0xDE => 32,
                    0x391..=0x3A1 | 0x3A3..=0x3AB | 0x410..=0x42F => 32,
                    0x400..=0x40F => 80,
                    0x386 => 38,
                    0x388..=0x38A => 37,
                    0x38C => 64,
                    0x38E | 0x38F => 63,
                    _ => 0,
                };
                char::from_u32(c as u32 + offset).unwrap_or(c)
            })
            .collect()
    }
}

/// The functions evaluated here; any other name evaluates to `null`, as an unregistered
/// function does in survey-core.
pub const FUNCTIONS: &[&str] = &[
    "iif",
    "sum",
    "avg",
    "min",
    "max",
    "count",
    "round",
    "trunc",
    "substring",
];

impl From<&serde_json::Value> for Value {
    fn from(v: &serde_json::Value) -> Value {
        use serde_json::Value as J;
        match v {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
            J::String(s) => Value::Text(s.clone()),
            J::Array(items) => Value::Array(items.iter().map(Value::from).collect()),
            J::Object(map) => object(map.iter().map(|(k, v)| (k.clone(), Value::from(v)))),
        }
    }
}

/// An object from its entries. Inserted one by one: collecting into a `BTreeMap` sorts with
/// std's generic stable sort, a large function to carry in the browser bundle.
pub(crate) fn object(entries: impl Iterator<Item = (String, Value)>) -> Value {
    let mut map = BTreeMap::new();
    for (key, value) in entries {
        map.insert(key, value);
    }
    Value::Object(map)
}

impl Value {
    /// The value as JSON; `undefined` and non-finite numbers have no JSON form.
    pub fn to_json(&self) -> Option<serde_json::Value> {
        use serde_json::Value as J;
        Some(match self {
            Value::Undefined => return None,
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            // Whole numbers are written as integers, as JavaScript writes them.
            Value::Number(n) if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 => {
                J::from(*n as i64)
            }
            Value::Number(n) => J::Number(serde_json::Number::from_f64(*n)?),
            Value::Text(s) => J::String(s.clone()),
            Value::Array(items) => J::Array(
                items
                    .iter()
                    .map(|v| v.to_json().unwrap_or(J::Null))
                    .collect(),
            ),
            Value::Object(map) => {
                let mut out = serde_json::Map::new();
                for (k, v) in map {
                    if let Some(v) = v.to_json() {
                        out.insert(k.clone(), v);
                    }
                }
                J::Object(out)
            }
        })
    }

    /// JavaScript's truthiness.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Undefined | Value::Null => false,
            Value::Bool(b) => *b,
            Value::Number(n) => *n != 0.0 && !n.is_nan(),
            Value::Text(s) => !s.is_empty(),
            Value::Array(_) | Value::Object(_) => true,
        }
    }

    fn is_compound(&self) -> bool {
        matches!(self, Value::Array(_) | Value::Object(_))
    }
}

impl Expr {
    /// The expression's value, as survey-core's `ExpressionRunner` computes it.
    pub fn evaluate(&self, scope: &dyn Scope) -> Value {
        match self {
            Expr::Null => Value::Null,
            Expr::Bool(b) => Value::Bool(*b),
            Expr::Number(n) => Value::Number(*n),
            Expr::Text(s) => Value::Text(s.clone()),
            Expr::Var { name, raw } => match lookup(name, scope) {
                Some(v) if *raw => v,
                Some(v) => correct_value(v),
                // An unknown name such as `"key": 1` is read as a JSON object literal.
                None => json_literal(name),
            },
            Expr::Array(items) => Value::Array(items.iter().map(|e| e.evaluate(scope)).collect()),
            Expr::Not(e) => Value::Bool(!e.evaluate(scope).truthy()),
            Expr::Empty { operand, negated } => {
                Value::Bool(is_empty(&operand.evaluate(scope)) != *negated)
            }
            Expr::Binary { op, left, right } => {
                binary(*op, left.evaluate(scope), right.evaluate(scope))
            }
            Expr::Call { name, args } => {
                call(name, args.iter().map(|e| e.evaluate(scope)).collect())
            }
        }
    }

    /// The expression as a condition, as survey-core's `ConditionRunner` reads it: true when
    /// the value is loosely equal (`==`) to `true`.
    pub fn holds(&self, scope: &dyn Scope) -> bool {
        loose_eq(&self.evaluate(scope), &Value::Bool(true))
    }
}

fn binary(op: BinOp, a: Value, b: Value) -> Value {
    use BinOp::*;
    if matches!(op, Or | And | Add | Sub | Mul | Div | Mod | Pow) {
        // survey-core fills in a missing side of an arithmetic or logical operator from the
        // other side's type: 0 next to a number, '' next to a string, [] next to an array.
        let a = arith_fill(a, &b);
        let b = arith_fill(b, &a);
        return match op {
            Or => {
                if a.truthy() {
                    a
                } else {
                    b
                }
            }
            And => {
                if a.truthy() {
                    b
                } else {
                    a
                }
            }
            Add => plus(&a, &b),
            Sub => {
                let r = to_number(&a) - to_number(&b);
                Value::Number(round_to_decimals(r, decimals(&a).max(decimals(&b))))
            }
            Mul => {
                let r = to_number(&a) * to_number(&b);
                Value::Number(round_to_decimals(r, decimals(&a) + decimals(&b)))
            }
            Div | Mod if !b.truthy() => Value::Null,
            Div => Value::Number(to_number(&a) / to_number(&b)),
            Mod => Value::Number(to_number(&a) % to_number(&b)),
            _ => Value::Number(js_pow(to_number(&a), to_number(&b))),
        };
    }
    Value::Bool(match op {
        Eq => equal(&a, &b),
        Ne => !equal(&a, &b),
        Lt => ordered(&a, &b, Ordering::Less),
        Gt => ordered(&a, &b, Ordering::Greater),
        Le => equal(&a, &b) || ordered(&a, &b, Ordering::Less),
        Ge => equal(&a, &b) || ordered(&a, &b, Ordering::Greater),
        Contains => contains(&a, &b, true),
        NotContains => (!a.truthy() && !is_empty(&b)) || contains(&a, &b, false),
        AnyOf => any_of(&a, &b),
        NoneOf => !any_of(&a, &b),
        _ => all_of(&a, &b),
    })
}

fn arith_fill(v: Value, other: &Value) -> Value {
    if !is_empty(&v) {
        return v;
    }
    match (&v, other) {
        (_, Value::Number(_)) => Value::Number(0.0),
        (Value::Text(_), _) => v,
        (_, Value::Text(_)) => Value::Text(String::new()),
        (_, Value::Array(_)) => Value::Array(Vec::new()),
        _ => Value::Number(0.0),
    }
}

/// `<` or `>`: false when either side is null or undefined, else JavaScript's comparison.
fn ordered(a: &Value, b: &Value, want: Ordering) -> bool {
    if matches!(a, Value::Null | Value::Undefined) || matches!(b, Value::Null | Value::Undefined) {
        return false;
    }
    js_compare(a, b) == Some(want)
}

/// JavaScript's abstract relational comparison: strings by UTF-16 code units, anything else
/// as numbers (None when either is NaN).
fn js_compare(a: &Value, b: &Value) -> Option<Ordering> {
    let (a, b) = (to_primitive(a), to_primitive(b));
    match (&a, &b) {
        (Value::Text(x), Value::Text(y)) => Some(x.encode_utf16().cmp(y.encode_utf16())),
        _ => to_number(&a).partial_cmp(&to_number(&b)),
    }
}

/// `Helpers.sumAnyValues`: numbers add with decimal correction, arrays concatenate or sum,
/// anything else follows JavaScript's `+`.
fn plus(a: &Value, b: &Value) -> Value {
    if !is_number(a) || !is_number(b) {
        match (a, b) {
            (Value::Array(x), Value::Array(y)) => {
                return Value::Array(x.iter().chain(y).cloned().collect());
            }
            (Value::Array(arr), val) | (val, Value::Array(arr)) => {
                let array_first = matches!(a, Value::Array(_));
                match val {
                    Value::Text(s) => {
                        let joined = join(arr, ", ");
                        return Value::Text(if array_first {
                            joined + s
                        } else {
                            s.clone() + &joined
                        });
                    }
                    Value::Number(n) => {
                        let mut total = Value::Number(0.0);
                        for item in arr.iter().filter(|v| matches!(v, Value::Number(_))) {
                            total = add_corrected(&total, item);
                        }
                        return add_corrected(&total, &Value::Number(*n));
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        return js_add(a, b);
    }
    if matches!(a, Value::Text(_)) || matches!(b, Value::Text(_)) {
        return js_add(a, b);
    }
    add_corrected(a, b)
}

/// `correctAfterPlusMinis(a, b, a + b)`.
fn add_corrected(a: &Value, b: &Value) -> Value {
    match js_add(a, b) {
        Value::Number(r) => Value::Number(round_to_decimals(r, decimals(a).max(decimals(b)))),
        other => other,
    }
}

/// The number of decimals in a value's text, as `countDecimals` counts them (0 for integers).
fn decimals(v: &Value) -> usize {
    let fractional = match v {
        Value::Number(n) => n.floor() != *n,
        _ => true,
    };
    if !is_number(v) || !fractional {
        return 0;
    }
    to_js_string(v)
        .split('.')
        .nth(1)
        .map_or(0, |s| s.encode_utf16().count())
}

/// `parseFloat(x.toFixed(digits))`, which is how survey-core removes binary noise such as
/// 0.30000000000000004. Rust's formatting rounds an exact binary tie to even where JavaScript
/// rounds it away from zero; results of `+`, `-` and `*` on decimals are never exact ties at
/// the precision used here, so the two agree.
fn round_to_decimals(x: f64, digits: usize) -> f64 {
    if digits == 0 || !x.is_finite() || x.abs() >= 1e21 {
        return x;
    }
    parse_f64(&format!("{:.*}", digits.min(100), x)).unwrap_or(x)
}

fn js_pow(a: f64, b: f64) -> f64 {
    // Math.pow differs from powf where the exponent is NaN or ±∞ with a base of ±1.
    if b.is_nan() || (a.abs() == 1.0 && b.is_infinite()) {
        f64::NAN
    } else {
        a.powf(b)
    }
}

/// JavaScript's `+`.
fn js_add(a: &Value, b: &Value) -> Value {
    let (a, b) = (to_primitive(a), to_primitive(b));
    if matches!(a, Value::Text(_)) || matches!(b, Value::Text(_)) {
        Value::Text(to_js_string(&a) + &to_js_string(&b))
    } else {
        Value::Number(to_number(&a) + to_number(&b))
    }
}

/// Arrays and objects become their string form; primitives stay.
fn to_primitive(v: &Value) -> Value {
    if v.is_compound() {
        Value::Text(to_js_string(v))
    } else {
        v.clone()
    }
}

fn join(items: &[Value], sep: &str) -> String {
    items
        .iter()
        .map(|v| match v {
            Value::Undefined | Value::Null => String::new(),
            v => to_js_string(v),
        })
        .collect::<Vec<_>>()
        .join(sep)
}

/// JavaScript's `ToString`.
pub(crate) fn to_js_string(v: &Value) -> String {
    match v {
        Value::Undefined => "undefined".into(),
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => number_to_string(*n),
        Value::Text(s) => s.clone(),
        Value::Array(items) => join(items, ","),
        Value::Object(_) => "[object Object]".into(),
    }
}

/// JavaScript's `Number.prototype.toString()`: the shortest round-tripping digits, without an
/// exponent from 1e-6 up to 1e21.
pub(crate) fn number_to_string(n: f64) -> String {
    if n.is_nan() {
        return "NaN".into();
    }
    if n == 0.0 {
        return "0".into();
    }
    if n.is_infinite() {
        return if n > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if n < 0.0 {
        return format!("-{}", number_to_string(-n));
    }
    // Rust's `{}` writes the same shortest digits, without an exponent: n = 0.digits × 10^point.
    let plain = format!("{n}");
    let (int, frac) = plain.split_once('.').unwrap_or((&plain, ""));
    let all = format!("{int}{frac}");
    let significant = all.trim_start_matches('0');
    let point = int.len() as i32 - (all.len() - significant.len()) as i32;
    let digits = significant.trim_end_matches('0').to_owned();
    let k = digits.len() as i32;
    if k <= point && point <= 21 {
        digits + &"0".repeat((point - k) as usize)
    } else if 0 < point && point <= 21 {
        format!(
            "{}.{}",
            &digits[..point as usize],
            &digits[point as usize..]
        )
    } else if -6 < point && point <= 0 {
        format!("0.{}{digits}", "0".repeat((-point) as usize))
    } else {
        let sign = if point > 0 { "+" } else { "-" };
        let rest = if k > 1 {
            format!(".{}", &digits[1..])
        } else {
            String::new()
        };
        format!("{}{rest}e{sign}{}", &digits[..1], (point - 1).abs())
    }
}

/// JavaScript's `ToNumber`.
pub(crate) fn to_number(v: &Value) -> f64 {
    match v {
        Value::Undefined => f64::NAN,
        Value::Null => 0.0,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Number(n) => *n,
        Value::Text(s) => string_to_number(s),
        compound => string_to_number(&to_js_string(compound)),
    }
}

fn js_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
}

/// JavaScript's `StringToNumber`: the whole trimmed text must be a number ("" is 0).
fn string_to_number(s: &str) -> f64 {
    let s = js_trim(s);
    if s.is_empty() {
        return 0.0;
    }
    for (prefix, radix) in [
        ("0x", 16),
        ("0X", 16),
        ("0o", 8),
        ("0O", 8),
        ("0b", 2),
        ("0B", 2),
    ] {
        if let Some(digits) = s.strip_prefix(prefix) {
            return radix_value(digits, radix).unwrap_or(f64::NAN);
        }
    }
    let unsigned = s.trim_start_matches(['+', '-']);
    if unsigned == "Infinity" && s.len() - unsigned.len() <= 1 {
        return if s.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
    }
    if decimal_prefix(s) == s.len() {
        parse_f64(s).unwrap_or(f64::NAN)
    } else {
        f64::NAN
    }
}

fn radix_value(digits: &str, radix: u32) -> Option<f64> {
    if digits.is_empty() {
        return None;
    }
    digits.chars().try_fold(0.0, |acc, c| {
        Some(acc * f64::from(radix) + f64::from(c.to_digit(radix)?))
    })
}

/// The byte length of the longest prefix of `s` that is a decimal literal
/// (`[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?`), or 0.
fn decimal_prefix(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let from = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - from
    };
    let mut n = digits(&mut i);
    if b.get(i) == Some(&b'.') {
        let mut j = i + 1;
        let frac = digits(&mut j);
        if n + frac > 0 {
            i = j;
            n += frac;
        }
    }
    if n == 0 {
        return 0;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1 + usize::from(matches!(b.get(i + 1), Some(b'+' | b'-')));
        if digits(&mut j) > 0 {
            i = j;
        }
    }
    i
}

/// JavaScript's `parseFloat`: the longest numeric prefix after leading white space.
fn parse_float(s: &str) -> f64 {
    let s = s.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    let unsigned = s.trim_start_matches(['+', '-']);
    if unsigned.starts_with("Infinity") && s.len() - unsigned.len() <= 1 {
        return if s.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
    }
    match decimal_prefix(s) {
        0 => f64::NAN,
        n => parse_f64(&s[..n]).unwrap_or(f64::NAN),
    }
}

/// JavaScript's `parseInt` without a radix: decimal digits, or hexadecimal after `0x`.
fn parse_int(s: &str) -> f64 {
    let s = s.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    let (negative, s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (s, radix) = match s.get(..2) {
        Some("0x" | "0X") => (&s[2..], 16),
        _ => (s, 10),
    };
    let end = s.find(|c: char| !c.is_digit(radix)).unwrap_or(s.len());
    let value = radix_value(&s[..end], radix).unwrap_or(f64::NAN);
    if negative { -value } else { value }
}

/// `Helpers.getNumber`: the number a value stands for, or NaN. Strings with more than 15
/// digits, with operators, or with hex beyond 32 characters are not numbers; one comma is a
/// decimal separator.
pub(crate) fn get_number(v: &Value) -> f64 {
    let text = match v {
        Value::Text(s) => {
            let s = js_trim(s);
            if s.is_empty() {
                return f64::NAN;
            }
            if s.starts_with("0x") {
                return if s.encode_utf16().count() > 32 {
                    f64::NAN
                } else {
                    parse_int(s)
                };
            }
            if s.len() > 15 && s.bytes().all(|c| c.is_ascii_digit()) {
                return f64::NAN;
            }
            let sign_inside =
                s.rfind('-').is_some_and(|i| i > 0) || s.rfind('+').is_some_and(|i| i > 0);
            if !sign_inside && s.contains(['*', '^', '/', '%']) {
                return f64::NAN;
            }
            match s.find(',') {
                Some(i) if !s[i + 1..].contains(',') => s.replacen(',', ".", 1),
                _ => s.to_owned(),
            }
        }
        other => {
            let res = parse_float(&to_js_string(other));
            return if res.is_nan() || !to_number(other).is_finite() {
                f64::NAN
            } else {
                res
            };
        }
    };
    let res = parse_float(&text);
    if res.is_nan() || !string_to_number(&text).is_finite() {
        f64::NAN
    } else {
        res
    }
}

fn is_number(v: &Value) -> bool {
    !get_number(v).is_nan()
}

/// `Helpers.isValueEmpty`: undefined, null, "", NaN, [] and objects whose values are all
/// empty. 0, false and " " are not empty.
pub(crate) fn is_empty(v: &Value) -> bool {
    match v {
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.values().all(is_empty),
        Value::Number(n) => n.is_nan(),
        Value::Bool(_) => false,
        other => !other.truthy(),
    }
}

/// `Const.getCorrectValue` applied to a variable's value: "true"/"false" become booleans,
/// quotes are stripped and numeric strings become numbers, except ones with a leading zero
/// such as "007" (but "0" and "0.5" convert).
fn correct_value(v: Value) -> Value {
    let Value::Text(s) = &v else { return v };
    if s.is_empty() {
        return v;
    }
    let lower = s.to_js_lower();
    if lower == "true" || lower == "false" {
        return Value::Bool(lower == "true");
    }
    let units: Vec<u16> = s.encode_utf16().collect();
    let is_quote = |u: u16| u == u16::from(b'\'') || u == u16::from(b'"');
    if units.len() > 1 && is_quote(units[0]) && is_quote(units[units.len() - 1]) {
        return Value::Text(String::from_utf16_lossy(&units[1..units.len() - 1]));
    }
    if is_number(&v) {
        if s.starts_with('0') && !s.starts_with("0x") {
            let has_point = units.len() > 1 && matches!(units[1], 0x2e | 0x2c);
            if (!has_point && units.len() > 1) || (has_point && units.len() < 2) {
                return v;
            }
        }
        return Value::Number(get_number(&v));
    }
    v
}

/// `Variable.returnJSONObject`: a name with a colon is tried as the inside of a JSON object.
fn json_literal(name: &str) -> Value {
    if name.chars().count() < 2 || name.find(':').is_none_or(|i| i < 1) {
        return Value::Null;
    }
    serde_json::from_str::<serde_json::Value>(&format!("{{{name}}}"))
        .map_or(Value::Null, |v| Value::from(&v))
}

/// Reads a variable path as `ValueGetter` does: segments split at dots, each optionally with
/// `[index]` (negative counts from the end); the longest dotted name that exists wins, so a
/// key `a.b` is found before `a` then `b`; `length` of an array or string; names compare
/// case-insensitively. A missing `….length` is 0.
fn lookup(name: &str, scope: &dyn Scope) -> Option<Value> {
    let found = lookup_path(name, scope);
    if found.is_none() && name.ends_with(".length") {
        return Some(Value::Number(0.0));
    }
    found
}

fn lookup_path(name: &str, scope: &dyn Scope) -> Option<Value> {
    let path: Vec<(&str, Option<f64>)> = name
        .split('.')
        .map(|segment| {
            if segment.ends_with(']')
                && let Some(open) = segment.rfind('[')
            {
                let index = get_number(&Value::Text(segment[open + 1..segment.len() - 1].into()));
                if !index.is_nan() {
                    return (&segment[..open], Some(index));
                }
            }
            (segment, None)
        })
        .collect();
    let mut current: Option<Value> = None;
    let mut start = 0;
    while start < path.len() {
        let end = (start..path.len())
            .find(|&i| path[i].1.is_some())
            .unwrap_or(path.len() - 1);
        let (value, at) = (start..=end).rev().find_map(|i| {
            let key = path[start..=i]
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(".");
            let value = match &current {
                None if key.is_empty() => None,
                None => scope.get(&key),
                Some(obj) => member(obj, &key),
            };
            value.map(|v| (v, i))
        })?;
        current = Some(value);
        if let Some(index) = path[at].1 {
            let Some(Value::Array(items)) = &current else {
                return None;
            };
            let len = items.len() as f64;
            let index = if index < 0.0 { len + index } else { index };
            if index < 0.0 || index >= len || index.fract() != 0.0 {
                return None;
            }
            current = Some(items[index as usize].clone());
        }
        start = at + 1;
    }
    current
}

/// `getValueByItemCore`: a member of an object or array, or `length`.
fn member(obj: &Value, name: &str) -> Option<Value> {
    if !obj.truthy() || name.is_empty() {
        return None;
    }
    match obj {
        Value::Array(items) if name == "length" => Some(Value::Number(items.len() as f64)),
        Value::Text(s) if name == "length" => Some(Value::Number(s.encode_utf16().count() as f64)),
        // An array's keys are its indexes written plainly ("0", not "00").
        Value::Array(items) => name
            .parse::<usize>()
            .ok()
            .filter(|i| i.to_string() == name)
            .and_then(|i| items.get(i).cloned()),
        Value::Object(map) => {
            let lower = name.to_js_lower();
            map.iter()
                .find(|(k, _)| k.to_js_lower() == lower)
                .map(|(_, v)| v.clone())
        }
        _ => None,
    }
}

/// JavaScript's `==`. Two arrays or objects are equal only when they are the same object,
/// which values computed here never are.
fn loose_eq(a: &Value, b: &Value) -> bool {
    use Value::*;
    match (a, b) {
        (Undefined | Null, Undefined | Null) => true,
        (Undefined | Null, _) | (_, Undefined | Null) => false,
        (Number(x), Number(y)) => x == y,
        (Text(x), Text(y)) => x == y,
        (Bool(x), Bool(y)) => x == y,
        (Bool(_), _) => loose_eq(&Number(to_number(a)), b),
        (_, Bool(_)) => loose_eq(a, &Number(to_number(b))),
        (Number(_), Text(_)) | (Text(_), Number(_)) => to_number(a) == to_number(b),
        _ if a.is_compound() && b.is_compound() => false,
        _ => loose_eq(&to_primitive(a), &to_primitive(b)),
    }
}

/// `OperandMaker.isTwoValueEquals`: the string "undefined" stands for undefined, then
/// `Helpers.isTwoValueEquals` ignoring array order, case and surrounding spaces.
fn equal(x: &Value, y: &Value) -> bool {
    let undefined = |v: &Value| match v {
        Value::Text(s) if s == "undefined" => Value::Undefined,
        v => v.clone(),
    };
    values_equal(&undefined(x), &undefined(y))
}

/// `Helpers.checkIfValuesEqual` with survey-core's default settings.
fn values_equal(x: &Value, y: &Value) -> bool {
    use Value::*;
    let strict = match (x, y) {
        (Number(a), Number(b)) => a == b,
        (a, b) if !a.is_compound() => a == b,
        _ => false,
    };
    if strict {
        return true;
    }
    match (x, y) {
        (Array(a), Undefined) | (Undefined, Array(a)) if a.is_empty() => return true,
        (Undefined | Null, Text(s)) | (Text(s), Undefined | Null) if s.is_empty() => return true,
        (Text(a), Text(b)) => return js_trim(a).to_js_lower() == js_trim(b).to_js_lower(),
        _ => {}
    }
    let convertible =
        |v: &Value| !matches!(v, Undefined | Null | Array(_)) && !to_number(v).is_nan();
    if convertible(x) && convertible(y) {
        let (sx, sy) = (to_js_string(x), to_js_string(y));
        if parse_int(&sx) == parse_int(&sy) && parse_float(&sx) == parse_float(&sy) {
            return true;
        }
    }
    if is_empty(x) != is_empty(y) {
        return false;
    }
    match (x, y) {
        (Bool(b), Text(s)) | (Text(s), Bool(b)) => return b.to_string() == s.to_js_lower(),
        _ => {}
    }
    if !x.is_compound() && !y.is_compound() {
        return loose_eq(x, y);
    }
    if !x.is_compound() || !y.is_compound() {
        return false;
    }
    if let (Array(a), Array(b)) = (x, y) {
        if a.len() != b.len() {
            return false;
        }
        // Order is ignored by sorting both copies as JavaScript's default sort does: by
        // string form, undefined last, equal keys keeping their order. Arrays of answers are
        // short, and an insertion sort keeps std's large generic sort out of the browser
        // bundle.
        fn sorted(items: &[Value]) -> Vec<&Value> {
            let key = |v: &Value| match v {
                Undefined => None,
                v => Some(to_js_string(v).encode_utf16().collect::<Vec<u16>>()),
            };
            let before = |a: &Option<Vec<u16>>, b: &Option<Vec<u16>>| match (a, b) {
                (None, _) => false,
                (Some(_), None) => true,
                (Some(a), Some(b)) => a < b,
            };
            let mut out: Vec<(Option<Vec<u16>>, &Value)> = Vec::with_capacity(items.len());
            for item in items {
                let k = key(item);
                let at = out
                    .iter()
                    .rposition(|(other, _)| !before(&k, other))
                    .map_or(0, |i| i + 1);
                out.insert(at, (k, item));
            }
            out.into_iter().map(|(_, v)| v).collect()
        }
        return sorted(a)
            .iter()
            .zip(sorted(b))
            .all(|(p, q)| values_equal(p, q));
    }
    let entries = |v: &Value| match v {
        Array(items) => object(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v.clone())),
        ),
        other => other.clone(),
    };
    let (Object(a), Object(b)) = (entries(x), entries(y)) else {
        return false;
    };
    a.len() == b.len()
        && a.iter()
            .all(|(k, v)| b.get(k).is_some_and(|w| values_equal(v, w)))
}

/// `containsCore`: substring search (case-insensitive) in a string, or membership of every
/// right-hand item in an array.
fn contains(left: &Value, right: &Value, want: bool) -> bool {
    if matches!(left, Value::Array(a) if a.is_empty()) {
        return !want;
    }
    let zero_or_false = matches!(left, Value::Bool(false)) || *left == Value::Number(0.0);
    if !left.truthy() && !zero_or_false {
        return false;
    }
    match left {
        Value::Array(items) => {
            let rights = match right {
                Value::Array(r) => r.clone(),
                r => vec![r.clone()],
            };
            for r in &rights {
                if !items.iter().any(|l| equal(l, r)) {
                    return !want;
                }
            }
            want
        }
        other => {
            if !right.truthy() {
                return false;
            }
            let hay = to_js_string(other).to_js_lower();
            let found = hay.contains(&to_js_string(right).to_js_lower());
            found == want
        }
    }
}

fn any_of(left: &Value, right: &Value) -> bool {
    if is_empty(left) && is_empty(right) {
        return true;
    }
    if is_empty(left) {
        return false;
    }
    if is_empty(right) {
        return true;
    }
    match (left, right) {
        (Value::Array(_), Value::Array(items)) => items.iter().any(|r| contains(left, r, true)),
        (Value::Array(_), _) => contains(left, right, true),
        _ => contains(right, left, true),
    }
}

fn all_of(left: &Value, right: &Value) -> bool {
    if !left.truthy() && !is_empty(right) {
        return false;
    }
    match right {
        Value::Array(items) => items.iter().all(|r| contains(left, r, true)),
        _ => contains(left, right, true),
    }
}

/// `getParamsAsArray`: arguments flattened, nulls dropped, numeric strings made numbers.
fn flatten(values: &[Value], out: &mut Vec<Value>) {
    for v in values {
        match v {
            Value::Undefined | Value::Null => {}
            Value::Array(items) => flatten(items, out),
            v if is_number(v) => out.push(Value::Number(get_number(v))),
            v => out.push(v.clone()),
        }
    }
}

fn call(name: &str, args: Vec<Value>) -> Value {
    let flat = || {
        let mut out = Vec::new();
        flatten(&args, &mut out);
        out
    };
    let sum = |items: &[Value]| {
        items
            .iter()
            .fold(Value::Number(0.0), |acc, v| add_corrected(&acc, v))
    };
    match name {
        "iif" if args.len() < 2 => Value::Null,
        "iif" => {
            let pick = if args[0].truthy() { 1 } else { 2 };
            args.get(pick).cloned().unwrap_or(Value::Undefined)
        }
        "sum" => sum(&flat()),
        "count" => Value::Number(flat().len() as f64),
        "avg" => {
            let items = flat();
            if items.is_empty() {
                Value::Number(0.0)
            } else {
                Value::Number(to_number(&sum(&items)) / items.len() as f64)
            }
        }
        "min" | "max" => {
            let want = if name == "min" {
                Ordering::Greater
            } else {
                Ordering::Less
            };
            flat().into_iter().fold(Value::Undefined, |best, v| {
                if best == Value::Undefined || js_compare(&best, &v) == Some(want) {
                    v
                } else {
                    best
                }
            })
        }
        "round" | "trunc" => {
            let items = flat();
            let Some(num) = items.first().filter(|v| is_number(v)) else {
                return Value::Number(f64::NAN);
            };
            let precision = items.get(1).filter(|p| p.truthy());
            if precision.is_some_and(|p| !is_number(p)) {
                return Value::Number(f64::NAN);
            }
            let num = to_number(num);
            let precision = precision.map(to_number);
            if name == "round" {
                // Math.round((num · 10^p) · (1 + ε)) / 10^p: the ε nudges 1.005 up to 1.01.
                let p = js_pow(10.0, precision.unwrap_or(0.0));
                let n = num * p * (1.0 + f64::EPSILON);
                let f = n.floor();
                let rounded = if n - f >= 0.5 { f + 1.0 } else { f };
                return Value::Number(rounded / p);
            }
            // survey-core cuts the number's text with /^-?\d+(?:.\d{0,p})?/, whose `{0,p}`
            // only works for a whole p ≥ 0 (otherwise the integer part is all that matches).
            let text = number_to_string(num);
            let bytes = text.as_bytes();
            let mut end = usize::from(bytes.first() == Some(&b'-'));
            while bytes.get(end).is_some_and(u8::is_ascii_digit) {
                end += 1;
            }
            if let Some(p) = precision.filter(|p| *p >= 0.0 && p.fract() == 0.0)
                && end < bytes.len()
            {
                end += 1;
                let mut taken = 0.0;
                while taken < p && bytes.get(end).is_some_and(u8::is_ascii_digit) {
                    end += 1;
                    taken += 1.0;
                }
            }
            Value::Number(string_to_number(&text[..end]))
        }
        "substring" => {
            let (Some(Value::Text(s)), Some(start)) = (args.first(), args.get(1)) else {
                return Value::Text(String::new());
            };
            if s.is_empty() || !is_number(start) {
                return Value::Text(String::new());
            }
            let units: Vec<u16> = s.encode_utf16().collect();
            let clamp = |v: &Value| {
                let n = to_number(v);
                if n.is_nan() {
                    0
                } else {
                    n.trunc().clamp(0.0, units.len() as f64) as usize
                }
            };
            let a = clamp(start);
            let b = args
                .get(2)
                .filter(|e| is_number(e))
                .map_or(units.len(), clamp);
            let (a, b) = (a.min(b), a.max(b));
            Value::Text(String::from_utf16_lossy(&units[a..b]))
        }
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_javascript_prints_them() {
        // Values from ECMA-262's Number::toString examples and its 1e-6 / 1e21 boundaries.
        for (n, text) in [
            (123.0, "123"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (0.000001, "0.000001"),
            (1e-7, "1e-7"),
            (1.5e-7, "1.5e-7"),
            (-2.5, "-2.5"),
        ] {
            assert_eq!(number_to_string(n), text);
        }
    }

    #[test]
    fn lower_case_follows_javascript_for_common_scripts() {
        // The pairs are String.prototype.toLowerCase's results.
        for (upper, lower) in [
            ("ABC xyz", "abc xyz"),
            ("ÀÉÎÕÜ ×", "àéîõü ×"),
            ("ΆΈΉΊΌΎΏ ΑΣΩ", "άέήίόύώ ασω"),
            ("ЀЁЯ Ж", "ѐёя ж"),
            ("满意 OK", "满意 ok"),
        ] {
            assert_eq!(upper.to_js_lower(), lower);
        }
    }

    #[test]
    fn strings_convert_to_numbers_as_in_javascript() {
        assert_eq!(string_to_number(" 12 "), 12.0);
        assert_eq!(string_to_number(""), 0.0);
        assert_eq!(string_to_number("0x1f"), 31.0);
        assert!(string_to_number("12px").is_nan());
        assert_eq!(parse_float("12px"), 12.0);
        assert_eq!(parse_int("0x1g"), 1.0);
        assert!(get_number(&Value::Text("1*2".into())).is_nan());
        assert_eq!(get_number(&Value::Text("1,5".into())), 1.5);
    }
}
