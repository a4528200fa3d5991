use std::sync::Arc;

use leptos::prelude::*;

use super::kiosk_flow::KioskFlow;
use super::kiosk_setup::KioskSetup;
use crate::components::Loading;
use crate::components::runner::SurveyNotFound;
use crate::i18n::Lang;
use crate::i18n::locale::{StorageProblem, provide_ui_lang};
use crate::kiosk::settings::{self, KioskSettings};
use crate::storage::Store;
use crate::storage::catalog;

/// `/kiosk/{survey_id}`: the first start asks staff for the settings; after that the kiosk runs.
#[component]
pub fn KioskPage(id: String, settings: Option<KioskSettings>) -> impl IntoView {
    let problem = expect_context::<StorageProblem>();
    let fallback = settings
        .as_ref()
        .and_then(|s| s.language.as_deref())
        .and_then(Lang::from_tag)
        .unwrap_or(Lang::ZhCn);
    let lang = provide_ui_lang(Lang::ALL.to_vec(), fallback);
    let settings = RwSignal::new(settings);
    let found = LocalResource::new(move || {
        let id = id.clone();
        async move {
            let (survey, issue) = catalog::find(Store::open().ok().as_ref(), &id).await;
            if let Some(error) = issue {
                problem.report(error);
            }
            survey.map(Arc::new)
        }
    });
    let first_save = Callback::new(move |saved: KioskSettings| {
        match Store::open().and_then(|store| settings::save(&store, &saved)) {
            // Sending already started towards the default server; a kiosk with an endpoint of
            // its own starts again so every request goes there.
            Ok(()) if saved.endpoint.is_some() => {
                let _ = window().location().reload();
            }
            Ok(()) => settings.set(Some(saved)),
            Err(error) => problem.report(error),
        }
    });

    move || match (settings.get(), found.get()) {
        (None, _) => {
            view! { <KioskSetup initial=KioskSettings::default() on_save=first_save /> }.into_any()
        }
        (Some(_), None) => view! { <Loading lang /> }.into_any(),
        (Some(_), Some(None)) => view! { <SurveyNotFound /> }.into_any(),
        (Some(current), Some(Some(survey))) => {
            let settings = RwSignal::new(current);
            view! { <KioskFlow survey settings /> }.into_any()
        }
    }
}
