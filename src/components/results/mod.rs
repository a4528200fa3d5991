//! The results screen: the manyi-core report over the responses stored on this device.

mod results_page;
mod survey_report;

pub use results_page::ResultsPage;
