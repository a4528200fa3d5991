use leptos::context::Provider;
use leptos::prelude::*;
use leptos::task::spawn_local;
use manyi_api::Action;

use super::audit_page::AuditPage;
use super::case_page::CasePage;
use super::cases_page::CasesPage;
use super::identity::Identity;
use super::manage_page::ManagePage;
use super::overview::SurveyOverview;
use super::sign_in::SignIn;
use super::survey_list::SurveyList;
use super::webhooks_page::WebhooksPage;
use crate::browser::nav::Location;
use crate::components::Loading;
use crate::components::kiosk::KioskLock;
use crate::i18n::locale::{follow_document_lang, ui_lang};
use crate::i18n::{AdminMsg, Lang};
use crate::kiosk::lock::StaffLock;
use crate::staff::dashboard::{Access, Failure};
use crate::staff::rights::{Rights, Session};

/// The dashboard's screens, told apart by the path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Screen {
    List,
    Overview(String),
    Manage(String),
    New,
    Audit,
    /// The inbox of follow-up cases.
    Cases,
    /// One follow-up case.
    Case(String),
    Webhooks,
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
            ["audit"] => Screen::Audit,
            ["cases"] => Screen::Cases,
            ["cases", id] => Screen::Case(decode(id)),
            ["webhooks"] => Screen::Webhooks,
            ["s", id] => Screen::Overview(decode(id)),
            ["s", id, "manage"] => Screen::Manage(decode(id)),
            _ => Screen::List,
        }
    }
}

/// Where the dashboard's sign-in stands.
#[derive(Debug, Clone, PartialEq)]
enum SignedIn {
    /// The sign-in form; `refused` when a restored sign-in's token was refused.
    No {
        refused: bool,
    },
    /// A sign-in kept in session storage, its token being read back from the server.
    Restoring,
    /// The server could not say what a restored sign-in's token may do (unreachable).
    Unknown(Failure),
    Yes(Session),
}

/// `/admin` and below: signs staff in (or opens local-only mode), then shows the screen the
/// path names, offering only what the session may do ([`Rights`], provided to the screens).
/// The language is provided to the dashboard's subtree only, since the staff bundle also
/// renders the results page.
#[component]
pub fn AdminPage() -> impl IntoView {
    let lang = ui_lang(Lang::ALL.to_vec(), Lang::ZhCn);
    follow_document_lang(lang);
    let location = Location::current();
    let restored = Access::load();
    let state = RwSignal::new(match &restored {
        None => SignedIn::No { refused: false },
        Some(Access::Local) => SignedIn::Yes(Session {
            access: Access::Local,
            rights: Rights::Device,
        }),
        Some(Access::Server(_)) => SignedIn::Restoring,
    });
    // A restored sign-in reads its token's identity again: the role may have changed, or the
    // token been revoked, since it was kept.
    if let Some(access @ Access::Server(_)) = restored {
        spawn_local(async move {
            let next = match Session::open(access).await {
                Ok(session) => SignedIn::Yes(session),
                Err(error) if error.is_unauthorized() => {
                    Access::forget();
                    SignedIn::No { refused: true }
                }
                Err(error) => SignedIn::Unknown(Failure::from(&error)),
            };
            state.update(|now| {
                if *now == SignedIn::Restoring {
                    *now = next;
                }
            });
        });
    }
    let screen = Memo::new(move |_| Screen::of(&location.path()));
    let staff_lock = expect_context::<StaffLock>();

    let sign_out = move |_| {
        Access::forget();
        state.set(SignedIn::No { refused: false });
        location.go(&format!("/admin?lang={}", lang.get().tag()));
    };
    let body = move || {
        match state.get() {
        SignedIn::No { refused } => view! { <SignIn refused on_session=Callback::new(move |s: Session| {
            s.access.save();
            state.set(SignedIn::Yes(s));
        }) /> }
        .into_any(),
        SignedIn::Restoring => view! { <Loading lang=lang /> }.into_any(),
        SignedIn::Unknown(failure) => view! {
            <p class="notice error" role="alert" data-testid="load-error">{move || failure.text(lang.get())}</p>
            <button type="button" class="link-button" data-testid="sign-out" on:click=sign_out>
                {lang.t(AdminMsg::SignOut)}
            </button>
        }
        .into_any(),
        SignedIn::Yes(Session { access: current, rights }) => {
            let mode = match current.is_local() {
                true => AdminMsg::LocalBadge,
                false => AdminMsg::ServerBadge,
            };
            // Local-only mode reports on the device's responses, which on a kiosk's device
            // only its staff may see; a server's data is the server's to guard.
            let locked = staff_lock.0.get().filter(|_| current.is_local());
            let screen = screen.get();
            let audit = rights.may_some(Action::ReadAudit).then(|| view! {
                <a href=move || format!("/admin/audit?lang={}", lang.get().tag()) data-testid="audit-link">
                    {lang.t(AdminMsg::AuditLog)}
                </a>
            });
            // The inbox opens on the cases someone still has to act on.
            let cases = rights.may_some(Action::ReadCases).then(|| view! {
                <a href=move || format!("/admin/cases?lang={}&status=open%2Cin_progress", lang.get().tag())
                    data-testid="cases-link">
                    {lang.t(AdminMsg::CasesLink)}
                </a>
            });
            let webhooks = rights.may_some(Action::ManageWebhooks).then(|| view! {
                <a href=move || format!("/admin/webhooks?lang={}", lang.get().tag()) data-testid="webhooks-link">
                    {lang.t(AdminMsg::WebhooksLink)}
                </a>
            });
            view! {
                <div class="admin-mode">
                    <p class="badge" data-testid="admin-mode">{lang.t(mode)}</p>
                    <Identity rights=rights.clone() lang />
                    {cases}
                    {webhooks}
                    {audit}
                    <button type="button" class="link-button" data-testid="sign-out" on:click=sign_out>
                        {lang.t(AdminMsg::SignOut)}
                    </button>
                </div>
                // The screens find the session's rights as context; built inside the provider.
                <Provider value=rights>
                    {match screen {
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
                        Screen::Audit => view! { <AuditPage access=current /> }.into_any(),
                        Screen::Cases => view! { <CasesPage access=current /> }.into_any(),
                        Screen::Case(id) => view! { <CasePage access=current id /> }.into_any(),
                        Screen::Webhooks => view! { <WebhooksPage access=current /> }.into_any(),
                    }}
                </Provider>
            }
            .into_any()
        }
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
