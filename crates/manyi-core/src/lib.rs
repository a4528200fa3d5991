//! manyi-core: the survey model, validation, scoring and statistics shared by the manyi browser
//! app, REST server and CLI.
//!
//! **Architecture invariant:** this crate knows nothing of the web, storage, clocks, randomness
//! or IO. Every function is a pure function of its arguments, so the browser, the server and the
//! CLI compute the same numbers from the same data, and tests need no fixtures beyond values.
//!
//! # Layers
//!
//! The modules from the ground up. Each imports only modules of earlier lines (named after "on",
//! leaving out `model`, which most read), so each can be read and tested knowing only those;
//! `tests/layers.rs` fails on any import cycle among the files of `src/`.
//!
//! 1. `number`, `time`, `ordered`, `stats`, `crm`, `limits` (every size limit on outside
//!    input): import nothing of the crate.
//! 2. `model` (the formats, and the `Answers`/`AnswerSet` traits through which answers are
//!    read) on `time` and `limits`; `display` on `number`; `reliability` on `stats`; `cases`
//!    (follow-up cases, their statuses and timeline, and the loop figures) on `time` and
//!    `limits`.
//! 3. `condition`, both condition languages side by side (manyi's, and SurveyJS's expressions
//!    in `condition::surveyjs`) and the `Rule` that picks one, on `model` and `number`.
//! 4. `visibility`, which questions are shown, read-only or required, on `condition`.
//! 5. `validate` (definitions on `condition`, responses on `visibility`) and `score` (on
//!    `visibility`).
//! 6. `table` on `score` and `validate`; `surveyjs`, the SurveyJS import and export, on
//!    `condition` and `validate`; `templates` on `validate`; `outbox` on `score`; `export` on
//!    `model`; `alerts`, the rules that open follow-up cases, on `score` and `condition`.
//! 7. `report` on `table`, `score`, `reliability` and `stats`.
//! 8. `targets` on `report` and `validate`; `aggregate`, the report's statistics as values that
//!    merge, on `report` and `table`.

pub mod aggregate;
pub mod alerts;
pub mod cases;
pub mod condition;
pub mod crm;
pub mod display;
pub mod export;
pub mod limits;
pub mod model;
mod number;
pub mod ordered;
pub mod outbox;
pub mod reliability;
pub mod report;
pub mod rollup;
pub mod score;
pub mod stats;
pub mod surveyjs;
pub mod table;
pub mod targets;
pub mod templates;
pub mod time;
pub mod validate;
pub mod visibility;

pub use model::{Answer, LocalizedText, Question, QuestionKind, Response, Survey};
pub use report::{Report, ReportOptions, build_report, build_report_from_table};
pub use score::{Plan, ResponseScores, score_response};
pub use table::ResponseTable;
pub use validate::{DefinitionError, Problem, ResponseError, parse_survey, validate_response};
