use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::AdminMsg;
use crate::i18n::locale::UiLang;
use crate::net::api::{self, ApiError, StaffApi};
use crate::staff::dashboard::{Access, Failure as Told};
use crate::staff::rights::{Rights, Session};

/// Why signing in did not work.
#[derive(Debug, Clone, PartialEq)]
enum Failure {
    NoServer,
    WrongToken,
    Other(ApiError),
}

/// The staff token form, checked against the server (which also says what the token may do)
/// before it is kept, and the way into local-only mode, which needs no server at all.
#[component]
pub fn SignIn(
    on_session: Callback<Session>,
    /// The token of a sign-in restored from session storage was refused (revoked since).
    #[prop(optional)]
    refused: bool,
) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let token = RwSignal::new(String::new());
    let failure = RwSignal::new(refused.then_some(Failure::WrongToken));

    let pending = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        failure.set(None);
        pending.set(true);
        let token = token.get_untracked().trim().to_owned();
        spawn_local(async move {
            let outcome = match api::discover().await {
                None => Err(Failure::NoServer),
                Some(base) => {
                    let access = Access::Server(StaffApi::new(base, token));
                    match Session::open(access).await {
                        Ok(session) => Ok(session),
                        Err(error) if error.is_unauthorized() => Err(Failure::WrongToken),
                        Err(error) => Err(Failure::Other(error)),
                    }
                }
            };
            pending.set(false);
            match outcome {
                Ok(session) => on_session.run(session),
                Err(error) => failure.set(Some(error)),
            }
        });
    };
    let message = move || {
        failure.get().map(|f| {
            let text = match f {
                Failure::NoServer => lang.t(AdminMsg::SignInNoServer)().to_owned(),
                Failure::WrongToken => lang.t(AdminMsg::SignInWrong)().to_owned(),
                Failure::Other(error) => Told::from(&error).text(lang.get()),
            };
            view! { <p class="notice error" role="alert" data-testid="sign-in-error">{text}</p> }
        })
    };

    view! {
        <section class="card sign-in" aria-labelledby="sign-in-heading">
            <h2 id="sign-in-heading">{lang.t(AdminMsg::SignInHeading)}</h2>
            <form on:submit=submit>
                <label for="staff-token" class="field-label">{lang.t(AdminMsg::TokenLabel)}</label>
                <p id="staff-token-help" class="help">{lang.t(AdminMsg::TokenHelp)}</p>
                <input
                    id="staff-token"
                    type="password"
                    autocomplete="off"
                    required
                    aria-describedby="staff-token-help"
                    data-testid="token-input"
                    prop:value=token
                    on:input=move |ev| token.set(event_target_value(&ev))
                />
                <button type="submit" class="primary" data-testid="sign-in" disabled=move || pending.get()>
                    {lang.t(AdminMsg::SignIn)}
                </button>
            </form>
            <div role="status">{message}</div>
            <h2>{lang.t(AdminMsg::LocalOnly)}</h2>
            <p class="help">{lang.t(AdminMsg::LocalOnlyHelp)}</p>
            <button type="button" data-testid="local-only" on:click=move |_| on_session.run(Session {
                access: Access::Local,
                rights: Rights::Device,
            })>
                {lang.t(AdminMsg::OpenLocalOnly)}
            </button>
        </section>
    }
}
