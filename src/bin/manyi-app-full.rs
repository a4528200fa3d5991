//! Mounts the survey runner built with SurveyJS conditions and pattern validators, for surveys
//! that need them (`Survey::needs_surveyjs`); everything else lives in the library.

fn main() {
    // Off the document while a page the server drew stands in for it (`browser::prerendered`).
    manyi_app::browser::prerendered::mount(manyi_app::App);
}
