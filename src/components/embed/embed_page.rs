use leptos::prelude::*;

use crate::components::runner::{FormEvent, SurveyPage};
use crate::embed::host::{HostChannel, connect, forward_escape, to_js, watch_height};
use crate::embed::settings::EmbedSettings;
use crate::i18n::locale::StorageProblem;
use crate::net::sync::Sync;
use crate::storage::{self, StorageError};

/// The `/embed/{survey_id}` route: the survey runner without the app's links, themed as the
/// host asks, telling the host page (and only it) its height, its pages and its completion.
#[component]
pub fn EmbedPage(id: String) -> impl IntoView {
    let settings = EmbedSettings::from_location();
    settings.apply();
    let channel = HostChannel::new(id.clone());
    // Without storage of its own, the frame keeps its draft and outbox in the host page, which
    // only the loader (it sets `origin`) can do.
    let bridge = !storage::local_storage_allowed() && settings.origin.is_some();
    let storage_ready = RwSignal::new(false);
    let problem = expect_context::<StorageProblem>();
    connect(id.clone(), &settings, channel, bridge, move || {
        if bridge && storage::Store::open().is_ok() {
            // The start-up check found no storage; there is some now.
            problem.0.update(|p| {
                if *p == Some(StorageError::Unavailable) {
                    *p = None;
                }
            });
            if let Some(sync) = use_context::<Sync>() {
                sync.kick();
            }
        }
        storage_ready.set(true);
    });
    watch_height(move |height| channel.post("resize", &[("height", height.into())]));
    forward_escape(channel);

    let ready = StoredValue::new(false);
    let on_event = Callback::new(move |event: FormEvent| match event {
        FormEvent::Page { index, count, id } => {
            if !ready.get_value() {
                ready.set_value(true);
                channel.post("ready", &[("pages", count.into())]);
            }
            channel.post(
                "page",
                &[
                    ("page", index.into()),
                    ("page_id", id.into()),
                    ("pages", count.into()),
                ],
            );
        }
        FormEvent::Completed {
            response_id,
            survey_version,
            scores,
            stored,
        } => channel.post(
            "completed",
            &[
                ("response_id", response_id.into()),
                ("survey_version", survey_version.into()),
                ("scores", to_js(&scores)),
                ("stored", stored.into()),
            ],
        ),
    });

    // Until storage is settled (a message to the host page and back, when it keeps it) the
    // frame stays empty rather than showing a survey that would not resume its draft.
    view! {
        <div class="embedded" data-testid="embed">
            {move || {
                storage_ready
                    .get()
                    .then(|| view! { <SurveyPage id=id.clone() on_event=on_event embedded=true /> })
            }}
        </div>
    }
}
