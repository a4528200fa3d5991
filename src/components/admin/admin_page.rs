use leptos::context::Provider;
use leptos::prelude::*;

use super::manage_page::ManagePage;
use super::overview::SurveyOverview;
use super::sign_in::SignIn;
use super::survey_list::SurveyList;
use crate::browser::nav::Location;
use crate::components::kiosk::KioskLock;
use crate::i18n::locale::{follow_document_lang, ui_lang};
use crate::i18n::{AdminMsg, Lang};
use crate::kiosk::lock::StaffLock;
use crate::staff::dashboard::Access;

/// The dashboard's screens, told apart by the path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Screen {
    List,
    Overview(String),
    Manage(String),
    New,
}

impl Screen {
    fn of(path: &str) -> Screen {
        let rest = path.trim_start_matches("/admin").trim_matches('/');
        let decode = |id: &str| {
            js_sys::decode_uri_component(id)
                .ok()
                .and_then(|s| s.as_string())
                .unwrap_or_else(|| id.to_owned())
        };
        match rest.split('/').collect::<Vec<_>>().as_slice() {
            ["new"] => Screen::New,
            ["s", id] => Screen::Overview(decode(id)),
            ["s", id, "manage"] => Screen::Manage(decode(id)),
            _ => Screen::List,
        }
    }
}

/// `/admin` and below: signs staff in (or opens local-only mode), then shows the screen the
/// path names. The language is provided to the dashboard's subtree only, since the staff bundle
/// also renders the results page.
#[component]
pub fn AdminPage() -> impl IntoView {
    let lang = ui_lang(Lang::ALL.to_vec(), Lang::ZhCn);
    follow_document_lang(lang);
    let location = Location::current();
    let access = RwSignal::new(Access::load());
    let screen = Memo::new(move |_| Screen::of(&location.path()));
    let staff_lock = expect_context::<StaffLock>();

    let sign_out = move |_| {
        Access::forget();
        access.set(None);
        location.go(&format!("/admin?lang={}", lang.get().tag()));
    };
    let body = move || match access.get() {
        None => view! { <SignIn on_access=Callback::new(move |a: Access| {
            a.save();
            access.set(Some(a));
        }) /> }
        .into_any(),
        Some(current) => {
            let mode = match current.is_local() {
                true => AdminMsg::LocalBadge,
                false => AdminMsg::ServerBadge,
            };
            // Local-only mode reports on the device's responses, which on a kiosk's device
            // only its staff may see; a server's data is the server's to guard.
            let locked = staff_lock.0.get().filter(|_| current.is_local());
            let page = match screen.get() {
                _ if let Some(lock) = locked => {
                    let on_unlock = Callback::new(move |()| staff_lock.0.set(None));
                    view! { <KioskLock lock on_unlock /> }.into_any()
                }
                Screen::List => view! { <SurveyList access=current /> }.into_any(),
                Screen::Overview(id) => view! { <SurveyOverview access=current id /> }.into_any(),
                Screen::Manage(id) => {
                    view! { <ManagePage access=current id=Some(id) /> }.into_any()
                }
                Screen::New => view! { <ManagePage access=current id=None /> }.into_any(),
            };
            view! {
                <div class="admin-mode">
                    <p class="badge" data-testid="admin-mode">{lang.t(mode)}</p>
                    <button type="button" class="link-button" data-testid="sign-out" on:click=sign_out>
                        {lang.t(AdminMsg::SignOut)}
                    </button>
                </div>
                {page}
            }
            .into_any()
        }
    };
    view! {
        <Provider value=lang>
            <header class="top-bar">
                <h1 class="app-title">
                    <a href=move || format!("/admin?lang={}", lang.get().tag())>{lang.t(AdminMsg::AdminTitle)}</a>
                </h1>
            </header>
            <div class="admin">{body}</div>
        </Provider>
    }
}
