//! The runner screen: one survey, page by page, then the thank-you screen.

mod contact_input;
mod matrix_input;
mod multi_choice_input;
mod option_group;
mod progress;
mod question_view;
mod survey_form;
mod survey_not_found;
mod survey_page;
mod text_input;
mod thank_you;

pub use option_group::{GroupOption, GroupStyle, OptionGroup};
pub use survey_form::{FormEvent, KioskRun, SurveyForm};
pub use survey_not_found::SurveyNotFound;
pub use survey_page::SurveyPage;
