//! A contact question's answer: consent, and with it a method the question offers and a phone
//! number or e-mail address that someone following the answer up can use.
//!
//! The checks are practical rather than complete: they catch what a respondent mistypes (a
//! missing `@`, a digit too few, a letter in a number) and accept every format a customer in
//! mainland China, Hong Kong, Taiwan or abroad writes, without trying to tell whether a number
//! or an address exists.

use serde::{Deserialize, Serialize};

use crate::limits::{MAX_EMAIL_LENGTH, MAX_EMAIL_LOCAL_LENGTH, MAX_PHONE_DIGITS, MIN_PHONE_DIGITS};
use crate::model::{Contact, ContactMethod, Question};

/// Why a contact answer is refused: what the runner needs to word its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum ContactProblem {
    /// A method or a value came with a refusal to be contacted. Such an answer is refused
    /// whole rather than stored without them, so that contact details a customer did not
    /// agree to give are never kept, and the client that sent them hears of its mistake.
    DetailsWithoutConsent,
    /// The respondent agreed but chose no method.
    NoMethod,
    /// The method is not one the question offers.
    MethodNotOffered { method: ContactMethod },
    /// The respondent agreed and chose `method` but gave no number or address.
    NoValue { method: ContactMethod },
    /// The value is not a phone number (see [`is_phone_number`]).
    NotPhone,
    /// The value is not an e-mail address (see [`is_email_address`]).
    NotEmail,
}

impl std::fmt::Display for ContactProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ContactProblem::DetailsWithoutConsent => {
                f.write_str("contact details were given without consent to be contacted")
            }
            ContactProblem::NoMethod => f.write_str("consent was given without a contact method"),
            ContactProblem::MethodNotOffered { method } => {
                write!(
                    f,
                    "the question does not offer contact by {}",
                    method.as_str()
                )
            }
            ContactProblem::NoValue { method } => match method {
                ContactMethod::Phone => f.write_str("no phone number was given"),
                ContactMethod::Email => f.write_str("no e-mail address was given"),
            },
            ContactProblem::NotPhone => write!(
                f,
                "the phone number must have {MIN_PHONE_DIGITS}–{MAX_PHONE_DIGITS} digits, \
                 optionally a leading +, and only single spaces or dashes between them"
            ),
            ContactProblem::NotEmail => f.write_str("the e-mail address is not valid"),
        }
    }
}

/// Checks a contact answer against its question: consent without details, or consent with a
/// method the question offers and a value that fits it.
pub fn check_contact(q: &Question, contact: &Contact) -> Result<(), ContactProblem> {
    if !contact.agreed {
        return match (&contact.method, &contact.value) {
            (None, None) => Ok(()),
            _ => Err(ContactProblem::DetailsWithoutConsent),
        };
    }
    let method = contact.method.ok_or(ContactProblem::NoMethod)?;
    if !q.contact_methods().contains(&method) {
        return Err(ContactProblem::MethodNotOffered { method });
    }
    let value = match contact.value.as_deref() {
        Some(value) if !value.is_empty() => value,
        _ => return Err(ContactProblem::NoValue { method }),
    };
    match method {
        ContactMethod::Phone if !is_phone_number(value) => Err(ContactProblem::NotPhone),
        ContactMethod::Email if !is_email_address(value) => Err(ContactProblem::NotEmail),
        _ => Ok(()),
    }
}

/// Whether `text` is a phone number as customers write one: an optional leading `+`, then
/// [`MIN_PHONE_DIGITS`]–[`MAX_PHONE_DIGITS`] ASCII digits in groups separated by single spaces
/// or dashes (`13812345678`, `+86 138 1234 5678`, `+852 2123-4567`, `02-2345-6789`).
///
/// Six digits let through the shortest local numbers; twenty cover E.164's fifteen with an
/// extension's digits to spare. Parentheses, dots and full-width digits are refused: they are
/// rare in the formats the respondents use, and a number kept to digits, spaces and dashes
/// dials as it reads.
pub fn is_phone_number(text: &str) -> bool {
    let number = text.strip_prefix('+').unwrap_or(text);
    let mut digits = 0;
    let mut after_separator = true;
    for c in number.chars() {
        match c {
            '0'..='9' => {
                digits += 1;
                after_separator = false;
            }
            // A separator only between two digits: not first, not last, never two in a row.
            ' ' | '-' if !after_separator => after_separator = true,
            _ => return false,
        }
    }
    !after_separator && (MIN_PHONE_DIGITS..=MAX_PHONE_DIGITS).contains(&digits)
}

/// Whether `text` is an e-mail address as far as typing mistakes go: one `@` with a local part
/// of at most [`MAX_EMAIL_LOCAL_LENGTH`] characters before it and a domain of two or more
/// labels after it, at most [`MAX_EMAIL_LENGTH`] characters in all, and no white space or
/// control characters anywhere.
///
/// The local part is dot-separated runs without the characters that need quoting
/// (`()<>[]\,;:"`); quoted local parts, which no customer types, are refused. Domain labels are
/// letters (of any script, so `例子.中国` passes), digits and inner hyphens, at most 63
/// characters, and the last has at least two characters and is not all digits, so `a@b.c` and
/// `a@1.2.3.4` are refused.
pub fn is_email_address(text: &str) -> bool {
    if text.chars().count() > MAX_EMAIL_LENGTH
        || text.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return false;
    }
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    let local_ok = local.chars().count() <= MAX_EMAIL_LOCAL_LENGTH
        && local.split('.').all(|atom| {
            !atom.is_empty()
                && !atom.contains(['(', ')', '<', '>', '[', ']', '\\', ',', ';', ':', '"', '@'])
        });
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |label: &str| {
        (1..=63).contains(&label.chars().count())
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    let top_ok = labels
        .last()
        .is_some_and(|top| top.chars().count() >= 2 && !top.chars().all(|c| c.is_ascii_digit()));
    local_ok && labels.len() >= 2 && labels.iter().all(|l| label_ok(l)) && top_ok
}
