use leptos::prelude::*;

use crate::components::admin::AdminPage;
use crate::components::results::ResultsPage;
use crate::locale::StorageProblem;
use crate::nav::{Bundle, Location};

/// The staff's app, a bundle of its own so respondents never download it: the dashboard
/// (`/admin`) and the results of the responses stored on this device (`/results`).
#[component]
pub fn StaffApp() -> impl IntoView {
    let location = Location::provide(|path| Bundle::of(path) == Bundle::Staff);
    provide_context(StorageProblem(RwSignal::new(None)));
    let admin = Memo::new(move |_| {
        let path = location.path();
        path == "/admin" || path.starts_with("/admin/")
    });
    view! {
        <main class="app" id="main">
            {move || match admin.get() {
                true => view! { <AdminPage /> }.into_any(),
                false => view! { <ResultsPage /> }.into_any(),
            }}
        </main>
    }
}
