//! SurveyJS interoperability: import ([`import()`]) and export ([`export()`]) of its JSON
//! definitions. Its expression language, in which a definition may write conditions, is
//! [`crate::condition::surveyjs`]; this module translates conditions with it and checks what it
//! imports with the definition checks of [`crate::validate`], so it sits above both.
//!
//! An export writes what SurveyJS has no place for (survey id and version, dimensions,
//! weights, reverse coding, metrics, Likert versus rating, manyi's own conditions) into
//! `manyi` properties, which an import reads back: SurveyJS keeps unknown properties in the
//! JSON, and SurveyJS Creator keeps them when they are registered with
//! `Serializer.addProperty`.

mod export;
mod ext;
mod import;

pub use export::{export, manyi_condition_to_surveyjs};
pub use import::{Import, ImportError, Options, Report, ReportKind, import, import_with};
