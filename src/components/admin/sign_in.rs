use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::locale::UiLang;
use crate::i18n::{self, AdminMsg};
use crate::net::api::{self, ApiError, StaffApi};
use crate::staff::dashboard::Access;

/// Why signing in did not work.
#[derive(Debug, Clone, PartialEq)]
enum Failure {
    NoServer,
    WrongToken,
    Other(ApiError),
}

/// The staff token form, checked against the server before it is kept, and the way into
/// local-only mode, which needs no server at all.
#[component]
pub fn SignIn(on_access: Callback<Access>) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let token = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<Failure>);

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
                    let staff = StaffApi::new(base, token);
                    match staff.surveys().await {
                        Ok(_) => Ok(Access::Server(staff)),
                        Err(error) if error.is_unauthorized() => Err(Failure::WrongToken),
                        Err(error) => Err(Failure::Other(error)),
                    }
                }
            };
            pending.set(false);
            match outcome {
                Ok(access) => on_access.run(access),
                Err(error) => failure.set(Some(error)),
            }
        });
    };
    let message = move || {
        failure.get().map(|f| {
            let text = match f {
                Failure::NoServer => lang.t(AdminMsg::SignInNoServer)().to_owned(),
                Failure::WrongToken => lang.t(AdminMsg::SignInWrong)().to_owned(),
                Failure::Other(error) => i18n::load_failed(lang.get(), &error.to_string()),
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
            <button type="button" data-testid="local-only" on:click=move |_| on_access.run(Access::Local)>
                {lang.t(AdminMsg::OpenLocalOnly)}
            </button>
        </section>
    }
}
