//! Every size limit the core puts on what it reads from outside, in one place, so the browser's
//! runner, the server and the CLI refuse the same inputs with the same messages.
//!
//! The limits exist because definitions and responses come from anyone: a survey author's
//! condition is parsed and evaluated on every response, and a response's text and metadata are
//! stored and shown to staff. Each is far above what a real survey needs and low enough that
//! checking, storing and printing stay cheap and never exhaust a small stack.

/// The most characters a condition's text (either language) may have.
pub const MAX_CONDITION_LENGTH: usize = 10_000;

/// How deeply a condition's tree may go, in either language: the most operators on a path
/// from the whole condition to a value. Each operator is one level above its operands, and so
/// is each `and`/`or` (or `+`, …) of a chain, since a chain is parsed into a tree one level
/// deeper per operator. Evaluating, printing, cloning and dropping a condition recurse once per
/// level, so this bound keeps them within a small stack.
pub const MAX_CONDITION_DEPTH: usize = 64;

/// How many parentheses, negations (`not`, `!`), calls and lists a condition may open inside
/// one another. The parser recurses through the whole grammar at each (a SurveyJS parenthesis
/// costs about 11 KB of stack in a debug build), so this bound keeps parsing within a small
/// stack; real conditions nest a handful.
pub const MAX_CONDITION_NESTING: usize = 16;

// The JSON Schema of the formats (`docs/survey.schema.json`) does not state the limits below;
// definition validation enforces the next four, response validation the others.

/// The most validators a question may have: each runs on every answer to the question.
pub const MAX_VALIDATORS: usize = 10;

/// The most characters of a pattern validator's regular expression. Real patterns (a postcode,
/// a phone number, an order reference) take a few dozen.
pub const MAX_PATTERN_LENGTH: usize = 1_000;

/// The most memory a compiled pattern may take, in bytes (the regex engine's own size limit).
/// Matching takes time proportional to the pattern's compiled size times the answer's length,
/// so this bounds the time one answer costs as well; `x{1000}` repeats are what reach it.
pub const MAX_PATTERN_SIZE: usize = 64 * 1024;

/// How deeply a pattern's groups and repetitions may nest: the engine's parser recurses once per
/// level, so this keeps it within a small stack, as the condition limits do for conditions.
pub const MAX_PATTERN_NESTING: u32 = 16;

/// The most segment keys a survey may declare: each response updates one stored rollup row
/// per key and time span (see `manyi_core::rollup`), so this bounds what storing one costs.
pub const MAX_SEGMENT_KEYS: usize = 8;

/// The most groups a report breaks its figures down into: the values of the segment key, a
/// group each. A key with more values (a customer reference) would make the report as large as
/// the responses; [`crate::aggregate::ReportBuilder`] stops adding groups there and says so.
pub const MAX_SEGMENT_GROUPS: usize = 1_000;

/// The most keys a response's `meta` may have.
pub const MAX_META_KEYS: usize = 50;

/// The most characters of a key of a response's `meta`.
pub const MAX_META_KEY_LENGTH: usize = 64;

/// The most characters of a value of a response's `meta`.
pub const MAX_META_VALUE_LENGTH: usize = 1_000;

/// The most characters of a text answer. A question's own `max_length` may lower it, never
/// raise it (see `Question::max_length`).
pub const MAX_TEXT_ANSWER_LENGTH: u32 = 10_000;

/// The most answers one response may carry. A response answers each question at most once, so
/// this also bounds the questions a response can usefully answer; beyond it the answers are
/// not checked one by one.
pub const MAX_ANSWERS: usize = 1_000;

/// The most alert rules one survey keeps: every rule is evaluated on every response the survey
/// receives, at ingestion.
pub const MAX_ALERT_RULES: usize = 50;

/// The most characters of an alert rule's id (a–z, 0–9, `_` and `-`), which cases keep to say
/// which rules opened them.
pub const MAX_ALERT_RULE_ID_LENGTH: usize = 64;

/// The most characters of an alert rule's name, which every case it opens shows in the inbox.
pub const MAX_ALERT_RULE_NAME_LENGTH: usize = 200;

/// The most characters of an owner's name: a rule's fixed owner, or the owner a case is
/// assigned to. An owner read from `meta` is a `meta` value and may be as long as one
/// ([`MAX_META_VALUE_LENGTH`]).
pub const MAX_OWNER_LENGTH: usize = 200;

/// The longest service level a rule may give, in hours: a year. A due time further away than
/// that is no service level at all.
pub const MAX_SERVICE_HOURS: u32 = 8_760;

/// The most characters of a case's note or resolution text.
pub const MAX_CASE_TEXT_LENGTH: usize = 10_000;

/// The fewest digits of a contact question's phone number: the shortest local numbers.
pub const MIN_PHONE_DIGITS: usize = 6;

/// The most digits of a contact question's phone number: E.164's fifteen and an extension.
pub const MAX_PHONE_DIGITS: usize = 20;

/// The most characters of a contact question's e-mail address (RFC 5321's limit on a path,
/// less its angle brackets).
pub const MAX_EMAIL_LENGTH: usize = 254;

/// The most characters of the part of an e-mail address before its `@` (RFC 5321).
pub const MAX_EMAIL_LOCAL_LENGTH: usize = 64;
