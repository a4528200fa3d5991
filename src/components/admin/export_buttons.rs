use leptos::prelude::*;
use leptos::task::spawn_local;
use manyi_api::ExportFormat;

use crate::browser::download;
use crate::i18n::AdminMsg;
use crate::i18n::locale::UiLang;
use crate::staff::dashboard::{self, Access, Failure};

/// Downloads of every stored response of the survey: CSV, XLSX (from a server) and JSON.
#[component]
pub fn ExportButtons(access: Access, id: String) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let failed = RwSignal::new(None::<Failure>);
    let formats = dashboard::export_formats(&access);
    let (access, id) = (StoredValue::new(access), StoredValue::new(id));
    let export = move |format: ExportFormat| {
        failed.set(None);
        let (access, id) = (access.get_value(), id.get_value());
        spawn_local(async move {
            match dashboard::export_file(&access, &id, format).await {
                Ok((blob, name)) => {
                    if download::save(&blob, &name).is_none() {
                        failed.set(Some(Failure::Failed(name)));
                    }
                }
                Err(error) => failed.set(Some(Failure::from(&error))),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="export-heading">
            <h3 id="export-heading">{lang.t(AdminMsg::Export)}</h3>
            <p class="help">{lang.t(AdminMsg::ExportHelp)}</p>
            <div class="button-row">
                {formats
                    .iter()
                    .map(|&format| view! {
                        <button type="button" data-testid=format!("export-{}", format.as_str()) on:click=move |_| export(format)>
                            {format.as_str().to_uppercase()}
                        </button>
                    })
                    .collect_view()}
            </div>
            <div role="status">
                {move || failed.get().map(|failure| view! {
                    <p class="notice error" data-testid="export-error">{move || failure.text(lang.get())}</p>
                })}
            </div>
        </section>
    }
}
