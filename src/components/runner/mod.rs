//! The runner screen: one survey, page by page, then the thank-you screen.

mod choice_input;
mod matrix_input;
mod multi_choice_input;
mod progress;
mod question_view;
mod scale_group;
mod survey_form;
mod survey_not_found;
mod survey_page;
mod text_input;
mod thank_you;

pub use scale_group::{ScaleGroup, ScaleStyle};
pub use survey_form::{FormEvent, KioskRun, SurveyForm};
pub use survey_not_found::SurveyNotFound;
pub use survey_page::SurveyPage;
