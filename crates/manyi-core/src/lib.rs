//! manyi-core: the survey model, validation, scoring and statistics shared by the manyi browser
//! app, REST server and CLI.
//!
//! **Architecture invariant:** this crate knows nothing of the web, storage, clocks, randomness
//! or IO. Every function is a pure function of its arguments, so the browser, the server and the
//! CLI compute the same numbers from the same data, and tests need no fixtures beyond values.

pub mod condition;
pub mod crm;
pub mod display;
pub mod export;
pub mod model;
mod number;
pub mod ordered;
pub mod outbox;
pub mod reliability;
pub mod report;
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
