//! Helpers shared by the data-driven tests: the base definition and JSON-pointer patching.

#![allow(dead_code)]

use serde_json::Value;

pub const BASE_SURVEY: &str = include_str!("data/base_survey.json");

/// The base definition with `set` (pointer → value) applied and `remove` pointers deleted. A
/// pointer whose parent is an array and whose last segment is its length appends.
pub fn patched(base: &str, set: Option<&Value>, remove: Option<&Value>) -> Value {
    let mut doc: Value = serde_json::from_str(base).expect("base JSON parses");
    if let Some(Value::Object(set)) = set {
        for (pointer, value) in set {
            let (parent, last) = pointer.rsplit_once('/').expect("pointer has a parent");
            let parent = doc
                .pointer_mut(parent)
                .unwrap_or_else(|| panic!("no parent for {pointer}"));
            match parent {
                Value::Object(map) => {
                    map.insert(last.to_owned(), value.clone());
                }
                Value::Array(list) => {
                    let i: usize = last.parse().expect("array index");
                    if i == list.len() {
                        list.push(value.clone());
                    } else {
                        list[i] = value.clone();
                    }
                }
                _ => panic!("parent of {pointer} is not a container"),
            }
        }
    }
    if let Some(Value::Array(remove)) = remove {
        for pointer in remove {
            let pointer = pointer.as_str().expect("pointer string");
            let (parent, last) = pointer.rsplit_once('/').expect("pointer has a parent");
            match doc.pointer_mut(parent) {
                Some(Value::Object(map)) => {
                    map.remove(last);
                }
                Some(Value::Array(list)) => {
                    list.remove(last.parse::<usize>().expect("array index"));
                }
                _ => panic!("cannot remove {pointer}"),
            }
        }
    }
    doc
}

pub fn base_survey() -> manyi_core::Survey {
    manyi_core::parse_survey(BASE_SURVEY).expect("the base survey is valid")
}

/// Relative closeness with an absolute floor for values near zero.
pub fn close(actual: f64, expected: f64, tolerance: f64) -> bool {
    (actual - expected).abs() <= tolerance * expected.abs().max(1.0)
}
