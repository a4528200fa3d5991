use leptos::prelude::*;

use crate::i18n::locale::{StorageProblem, UiLang};
use crate::i18n::{self, Msg};
use crate::storage::StorageError;

/// The storage problem, if any, announced as an alert. The live region stays in the page so
/// assistive technology is already watching it when a message appears.
#[component]
pub fn StorageAlert() -> impl IntoView {
    let problem = expect_context::<StorageProblem>().0;
    let lang = expect_context::<UiLang>();
    let message = move || {
        let lang = lang.get();
        problem.get().map(|error| match error {
            StorageError::Unavailable => Msg::StorageUnavailable.text(lang).to_owned(),
            StorageError::QuotaExceeded => Msg::StorageFull.text(lang).to_owned(),
            StorageError::Corrupt { moved_to, .. } => i18n::corrupt(lang, &moved_to),
            StorageError::Failed(_) => Msg::StorageFailed.text(lang).to_owned(),
        })
    };
    view! {
        <div role="alert" class="alert-region">
            {move || {
                message()
                    .map(|text| {
                        view! {
                            <p class="alert" data-testid="storage-alert">
                                {text}
                            </p>
                        }
                    })
            }}
        </div>
    }
}
