//! What the dashboard offers. Signed in to a server, a token may do what its role and survey
//! scope allow: `manyi_api::Me::may`, the same matrix the server enforces, so the dashboard
//! offers nothing the server would refuse. Local-only mode works on the device's own data, all
//! of it, and keeps no audit log.

use manyi_api::{Action, Me};

use crate::net::api::ApiError;
use crate::staff::dashboard::Access;

/// What the signed-in staff may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rights {
    /// Local-only mode: the responses and definitions on this device.
    Device,
    /// A server's staff token, as `GET /api/v1/me` described it.
    Token(Me),
}

impl Rights {
    /// Whether the action on survey `survey` is offered.
    pub fn may(&self, action: Action, survey: &str) -> bool {
        match self {
            Rights::Device => device_may(action),
            Rights::Token(me) => me.may(action, survey),
        }
    }

    /// Whether the action is offered on some survey: what a screen offers before a survey is
    /// chosen (a new survey, the audit log). A token limited to some surveys is refused the
    /// others by the server, with a message that says so.
    pub fn may_some(&self, action: Action) -> bool {
        match self {
            Rights::Device => device_may(action),
            Rights::Token(me) => me.role.may(action),
        }
    }

    /// The token's identity; `None` in local-only mode.
    pub fn me(&self) -> Option<&Me> {
        match self {
            Rights::Device => None,
            Rights::Token(me) => Some(me),
        }
    }
}

/// Local-only mode reads, publishes and sets targets on the device; it has no audit log,
/// deletes nothing, and has no follow-up cases or webhooks, which a server keeps and sends.
fn device_may(action: Action) -> bool {
    !matches!(
        action,
        Action::ReadAudit
            | Action::DeleteResponses
            | Action::ReadCases
            | Action::HandleCases
            | Action::ManageWebhooks
    )
}

/// A sign-in to the dashboard: how it reaches its data and what it may do there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub access: Access,
    pub rights: Rights,
}

impl Session {
    /// Opens a session on `access`: a server's token is read back from `GET /api/v1/me`, which
    /// also checks it (a wrong or revoked token is 401), at sign-in and whenever a sign-in kept
    /// in session storage is restored, so a role changed since is followed.
    pub async fn open(access: Access) -> Result<Session, ApiError> {
        let rights = match &access {
            Access::Local => Rights::Device,
            Access::Server(staff) => Rights::Token(staff.me().await?),
        };
        Ok(Session { access, rights })
    }
}

#[cfg(test)]
mod tests {
    use manyi_api::Role;

    use super::*;

    fn token(role: Role, surveys: Option<&[&str]>) -> Rights {
        Rights::Token(Me {
            token_id: "0a1b2c3d4e5f".into(),
            name: "desk".into(),
            role,
            surveys: surveys.map(|list| list.iter().map(|s| (*s).to_owned()).collect()),
        })
    }

    #[test]
    fn a_token_is_offered_what_its_role_allows() {
        use Action::*;
        let offered = |rights: &Rights| -> Vec<Action> {
            Action::ALL
                .into_iter()
                .filter(|&a| rights.may(a, "csat"))
                .collect()
        };
        assert_eq!(offered(&token(Role::Admin, None)), Action::ALL);
        assert_eq!(
            offered(&token(Role::Editor, None)),
            [
                ListSurveys,
                Publish,
                ReadSettings,
                ChangeSettings,
                ReadReports
            ]
        );
        assert_eq!(
            offered(&token(Role::Analyst, None)),
            [
                ListSurveys,
                ReadSettings,
                ReadReports,
                ReadAnswers,
                ReadCases
            ]
        );
        assert_eq!(
            offered(&token(Role::CaseHandler, None)),
            [ListSurveys, ReadCases, HandleCases]
        );
        assert_eq!(offered(&token(Role::Other("owner".into()), None)), []);
    }

    #[test]
    fn a_scoped_token_is_offered_only_its_surveys() {
        let editor = token(Role::Editor, Some(&["csat"]));
        assert!(editor.may(Action::Publish, "csat"));
        assert!(!editor.may(Action::Publish, "nps"));
        assert!(!editor.may(Action::ReadReports, "nps"));
        // A new survey is offered; the server refuses one outside the scope with its reason.
        assert!(editor.may_some(Action::Publish));
        assert!(!editor.may_some(Action::ReadAudit));
        assert!(token(Role::Admin, Some(&["csat"])).may_some(Action::ReadAudit));
    }

    #[test]
    fn local_only_mode_has_everything_but_what_a_server_keeps() {
        for action in Action::ALL {
            let expected = !matches!(
                action,
                Action::ReadAudit
                    | Action::DeleteResponses
                    | Action::ReadCases
                    | Action::HandleCases
                    | Action::ManageWebhooks
            );
            assert_eq!(Rights::Device.may(action, "csat"), expected, "{action:?}");
            assert_eq!(Rights::Device.may_some(action), expected, "{action:?}");
        }
        assert_eq!(Rights::Device.me(), None);
    }
}
