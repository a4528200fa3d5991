//! A question's `validators`, checked as survey-core's validators check an answer: the
//! e-mail pattern, a regular expression searched for, a number within bounds, a count of
//! choices, a length and trailing digits. Definition validation compiles the patterns here to
//! tell an author what is wrong with one; response validation runs the checks.

use std::collections::HashMap;

#[cfg(feature = "surveyjs")]
use regex_lite::{Regex, RegexBuilder};

/// A build without the `surveyjs` feature compiles no pattern: definition validation refuses
/// pattern validators as not supported, so no answer is ever matched against one.
#[cfg(not(feature = "surveyjs"))]
#[derive(Debug, Clone)]
pub struct Regex(std::convert::Infallible);

#[cfg(not(feature = "surveyjs"))]
impl Regex {
    fn is_match(&self, _text: &str) -> bool {
        match self.0 {}
    }
}
use serde::{Deserialize, Serialize};

use crate::condition::surveyjs::{Value, get_number};
use crate::limits::MAX_PATTERN_LENGTH;
#[cfg(feature = "surveyjs")]
use crate::limits::{MAX_PATTERN_NESTING, MAX_PATTERN_SIZE};
use crate::model::{Answer, Check, Survey};

/// Why an answer fails a validator: what the runner needs to word its message.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum CheckFailure {
    NotEmail,
    NoMatch,
    NotNumeric,
    /// The number is below `min` or above `max` (the validator's bounds, either of which may
    /// be absent).
    OutOfBounds {
        min: Option<f64>,
        max: Option<f64>,
    },
    TooFewChoices {
        min: u32,
    },
    TooManyChoices {
        max: u32,
    },
    /// The text is shorter than `min` or longer than `max` (the validator's bounds).
    Length {
        min: Option<u32>,
        max: Option<u32>,
    },
    EndsInDigit,
}

impl std::fmt::Display for CheckFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let bounds =
            |f: &mut std::fmt::Formatter<'_>, min: Option<String>, max: Option<String>| match (
                min, max,
            ) {
                (Some(min), Some(max)) => write!(f, "between {min} and {max}"),
                (Some(min), None) => write!(f, "at least {min}"),
                (None, Some(max)) => write!(f, "at most {max}"),
                (None, None) => f.write_str("within its bounds"),
            };
        match self {
            CheckFailure::NotEmail => f.write_str("the answer is not an e-mail address"),
            CheckFailure::NoMatch => f.write_str("the answer does not match the pattern"),
            CheckFailure::NotNumeric => f.write_str("the answer is not a number"),
            CheckFailure::OutOfBounds { min, max } => {
                f.write_str("the number must be ")?;
                bounds(f, min.map(|x| x.to_string()), max.map(|x| x.to_string()))
            }
            CheckFailure::TooFewChoices { min } => write!(f, "choose at least {min} options"),
            CheckFailure::TooManyChoices { max } => write!(f, "choose at most {max} options"),
            CheckFailure::Length { min, max } => {
                f.write_str("the answer's length must be ")?;
                bounds(f, min.map(|x| x.to_string()), max.map(|x| x.to_string()))?;
                f.write_str(" characters")
            }
            CheckFailure::EndsInDigit => f.write_str("the answer may not end in a digit"),
        }
    }
}

/// Compiles a pattern validator's regular expression within the limits of
/// [`crate::limits`], or says why it cannot be used.
pub(crate) fn compile(pattern: &str, case_insensitive: bool) -> Result<Regex, String> {
    let length = pattern.chars().count();
    if length > MAX_PATTERN_LENGTH {
        return Err(format!(
            "the pattern has {length} characters; the limit is {MAX_PATTERN_LENGTH}"
        ));
    }
    #[cfg(feature = "surveyjs")]
    {
        RegexBuilder::new(pattern)
            .case_insensitive(case_insensitive)
            .size_limit(MAX_PATTERN_SIZE)
            .nest_limit(MAX_PATTERN_NESTING)
            .build()
            .map_err(|e| format!("the pattern does not compile: {e}"))
    }
    #[cfg(not(feature = "surveyjs"))]
    {
        let _ = case_insensitive;
        Err("pattern validators are not supported by this build".to_owned())
    }
}

/// A survey's patterns compiled once, by question id and validator index, for checking many
/// answers. A pattern that does not compile is left out: definition validation reports it.
#[derive(Debug, Clone, Default)]
pub struct Patterns(HashMap<String, Vec<Option<Regex>>>);

impl Patterns {
    pub fn new(survey: &Survey) -> Patterns {
        let mut map = HashMap::new();
        for q in survey.questions() {
            let compiled: Vec<Option<Regex>> = q
                .validators
                .iter()
                .map(|v| match &v.check {
                    Check::Pattern {
                        regex,
                        case_insensitive,
                    } => compile(regex, *case_insensitive).ok(),
                    _ => None,
                })
                .collect();
            if compiled.iter().any(Option::is_some) {
                map.insert(q.id.clone(), compiled);
            }
        }
        Patterns(map)
    }

    pub(crate) fn get(&self, question: &str, index: usize) -> Option<&Regex> {
        self.0.get(question)?.get(index)?.as_ref()
    }
}

/// Why `answer` fails `check`, if it does; a check that does not apply to the answer's shape
/// passes it (definition validation keeps each check to the kinds it applies to).
/// `compiled` is the pattern's compiled form when the caller has it; else it is compiled here,
/// and a pattern that does not compile passes every answer.
pub(crate) fn failure(
    check: &Check,
    answer: &Answer,
    compiled: Option<&Regex>,
) -> Option<CheckFailure> {
    match (check, answer) {
        (Check::Email, Answer::Text(text)) => (!is_email(text)).then_some(CheckFailure::NotEmail),
        (
            Check::Pattern {
                regex,
                case_insensitive,
            },
            Answer::Text(text),
        ) => {
            let own;
            let re = match compiled {
                Some(re) => re,
                None => {
                    own = compile(regex, *case_insensitive).ok()?;
                    &own
                }
            };
            (!re.is_match(text)).then_some(CheckFailure::NoMatch)
        }
        (Check::Numeric { min, max }, Answer::Text(text)) => {
            let x = get_number(&Value::Text(text.clone()));
            if x.is_nan() {
                Some(CheckFailure::NotNumeric)
            } else if min.is_some_and(|m| m > x) || max.is_some_and(|m| m < x) {
                Some(CheckFailure::OutOfBounds {
                    min: *min,
                    max: *max,
                })
            } else {
                None
            }
        }
        (Check::AnswerCount { min, max }, Answer::Choices(chosen)) => {
            let count = chosen.len();
            match (*min, *max) {
                _ if count == 0 => None,
                (Some(min), _) if count < min as usize => Some(CheckFailure::TooFewChoices { min }),
                (_, Some(max)) if count > max as usize => {
                    Some(CheckFailure::TooManyChoices { max })
                }
                _ => None,
            }
        }
        (
            Check::TextLength {
                min,
                max,
                allow_digits,
            },
            Answer::Text(text),
        ) => {
            let length = text.encode_utf16().count();
            if !allow_digits && text.ends_with(|c: char| c.is_ascii_digit()) {
                Some(CheckFailure::EndsInDigit)
            } else if min.is_some_and(|m| length < m as usize)
                || max.is_some_and(|m| length > m as usize)
            {
                Some(CheckFailure::Length {
                    min: *min,
                    max: *max,
                })
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Whether `text` passes survey-core's `EmailValidator`, whose pattern is
/// `^(([^<>()\[\]\.,;:\s@"]+(\.[^<>()\[\]\.,;:\s@"]+)*)|(".+"))@(([^<>()=[\]\.,;:\s@"]+\.)+[^<>()=[\]\.,;:\s@"]{2,})$`
/// (case-insensitive, which changes nothing here): dot-separated atoms or a quoted string, an
/// `@`, then two or more dot-separated labels, the last of at least two UTF-16 code units.
/// Written out rather than compiled, as the answer decides only where the last `@` is (labels
/// have none).
fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.rsplit_once('@') else {
        return false;
    };
    // `\s` is JavaScript's white space; `.` any character but a line terminator.
    let space = |c: char| {
        matches!(
            c,
            '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}'
        ) || matches!(
            c,
            '\u{2000}'..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}'
        ) || matches!(c, '\u{205f}' | '\u{3000}' | '\u{feff}')
    };
    let atom = |s: &str, more: &[char]| {
        !s.is_empty()
            && s.chars()
                .all(|c| !"<>()[].,;:@\"".contains(c) && !more.contains(&c) && !space(c))
    };
    let quoted = local.len() >= 3
        && local.starts_with('"')
        && local.ends_with('"')
        && !local[1..local.len() - 1].contains(['\n', '\r', '\u{2028}', '\u{2029}']);
    let local_ok = quoted || local.split('.').all(|a| atom(a, &[]));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| atom(l, &['=']))
        && labels.last().is_some_and(|l| l.encode_utf16().count() >= 2);
    local_ok && domain_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e_mail_addresses_pass_as_survey_core_passes_them() {
        for good in [
            "a@b.co",
            "first.last@sub.example.org",
            "\"odd @ local\"@example.com",
            "用户@例子.中国",
            "a+tag@x.io",
            "back\\slash@x.io",
        ] {
            assert!(is_email(good), "{good}");
        }
        for bad in [
            "",
            "a",
            "a@b",
            "a@b.c",
            "a..b@x.io",
            ".a@x.io",
            "a b@x.io",
            "a@x..io",
            "a@x=y.io",
            "a@x.io\u{a0}",
            "\"\"@x.io",
            "a@b@c.io",
            "\"line\nbreak\"@x.io",
        ] {
            assert!(!is_email(bad), "{bad:?}");
        }
    }

    #[test]
    fn patterns_beyond_the_limits_are_refused() {
        assert!(compile("^[0-9]{6}$", false).is_ok());
        assert!(compile(&"a".repeat(MAX_PATTERN_LENGTH + 1), false).is_err());
        assert!(compile("a{1000}{1000}", false).is_err(), "too large");
        assert!(compile(&format!("{}a{}", "(".repeat(40), ")".repeat(40)), false).is_err());
        assert!(compile("(?=a)", false).is_err(), "no look-around");
        assert!(compile("^abc$", true).unwrap().is_match("ABC"));
    }

    #[test]
    fn the_worst_accepted_pattern_compiles_and_matches_on_a_small_stack() {
        // As deep as the nesting limit allows, then as long as the length limit allows, run on
        // the longest text answer: within a quarter of a server thread's stack.
        let depth = MAX_PATTERN_NESTING as usize - 1;
        let mut pattern = format!("{}a{}", "(?:".repeat(depth), ")*".repeat(depth));
        while pattern.chars().count() + 8 <= MAX_PATTERN_LENGTH {
            pattern.push_str("(b|c)*d?");
        }
        let text = "ab".repeat(crate::limits::MAX_TEXT_ANSWER_LENGTH as usize / 2);
        let worker = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || compile(&pattern, true).map(|re| re.is_match(&text)))
            .unwrap();
        assert_eq!(worker.join().expect("no stack overflow"), Ok(true));
    }
}
