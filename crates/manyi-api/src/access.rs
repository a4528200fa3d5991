//! Who may do what: staff tokens' roles, the actions staff requests take, the identity a token
//! reads back, and the audit log of what staff did.
//!
//! The role matrix lives here, in the contract, so the server enforces the same rule the app
//! uses to offer only what a token may do.

use serde::{Deserialize, Serialize};

use crate::string_enum::string_enum;

string_enum! {
    /// A staff token's role. `admin` may do everything, including deleting responses and
    /// reading the audit log; `editor` publishes definitions and sets a survey's embed origins
    /// and targets, and reads reports; `analyst` reads reports, open-text answers, exports and
    /// follow-up cases; `case_handler` reads and handles follow-up cases (assigns, notes,
    /// resolves) and their figures.
    pub enum Role {
        Admin = "admin",
        Editor = "editor",
        Analyst = "analyst",
        CaseHandler = "case_handler",
    }
}

/// What a staff request does. Every staff endpoint needs exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// `GET /api/v1/surveys`, `GET /api/v1/me`.
    ListSurveys,
    /// `POST /api/v1/surveys`.
    Publish,
    /// Reading a survey's embed origins and targets.
    ReadSettings,
    /// Replacing a survey's embed origins or targets.
    ChangeSettings,
    /// Reports: aggregates only.
    ReadReports,
    /// Open-text answers and exports: what respondents wrote, one response at a time.
    ReadAnswers,
    /// `DELETE /api/v1/responses/{id}`.
    DeleteResponses,
    /// `GET /api/v1/audit`.
    ReadAudit,
    /// Follow-up cases (with the response that opened them) and the loop's figures.
    ReadCases,
    /// Assigning, noting and changing the status of follow-up cases.
    HandleCases,
    /// Webhook endpoints and their deliveries: what leaves the server, and to where.
    ManageWebhooks,
}

impl Action {
    /// Every action, for tables and tests.
    pub const ALL: [Action; 11] = [
        Action::ListSurveys,
        Action::Publish,
        Action::ReadSettings,
        Action::ChangeSettings,
        Action::ReadReports,
        Action::ReadAnswers,
        Action::DeleteResponses,
        Action::ReadAudit,
        Action::ReadCases,
        Action::HandleCases,
        Action::ManageWebhooks,
    ];

    /// The action in words, for refusals: "may not {describe}".
    pub fn describe(self) -> &'static str {
        match self {
            Action::ListSurveys => "list surveys",
            Action::Publish => "publish survey definitions",
            Action::ReadSettings => "read a survey's embed origins and targets",
            Action::ChangeSettings => "change a survey's embed origins and targets",
            Action::ReadReports => "read reports",
            Action::ReadAnswers => "read open-text answers or export responses",
            Action::DeleteResponses => "delete responses",
            Action::ReadAudit => "read the audit log",
            Action::ReadCases => "read follow-up cases",
            Action::HandleCases => "handle follow-up cases",
            Action::ManageWebhooks => "manage webhooks",
        }
    }
}

impl Role {
    /// Whether a token of this role may take the action. A role this build does not know may
    /// do nothing: a newer database's role never widens an older server's rights.
    pub fn may(&self, action: Action) -> bool {
        use Action::*;
        match self {
            Role::Admin => true,
            Role::Editor => matches!(
                action,
                ListSurveys | Publish | ReadSettings | ChangeSettings | ReadReports
            ),
            Role::Analyst => matches!(
                action,
                ListSurveys | ReadSettings | ReadReports | ReadAnswers | ReadCases
            ),
            Role::CaseHandler => matches!(action, ListSurveys | ReadCases | HandleCases),
            Role::Other(_) => false,
        }
    }

    /// The known roles that may take the action, for refusals ("… an editor or admin token
    /// may").
    pub fn allowed(action: Action) -> Vec<Role> {
        Role::KNOWN
            .iter()
            .filter(|role| role.may(action))
            .cloned()
            .collect()
    }
}

/// `GET /api/v1/me`: what the token in the request is and may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    /// The token's public id (as `manyi token list` shows it); independent of its secret.
    pub token_id: String,
    /// The name it was created with.
    pub name: String,
    pub role: Role,
    /// The surveys the token is limited to; absent when it may act on every survey.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surveys: Option<Vec<String>>,
}

impl Me {
    /// Whether the token may take the action on the survey.
    pub fn may(&self, action: Action, survey: &str) -> bool {
        self.role.may(action) && self.covers(survey)
    }

    /// Whether the token's survey scope includes the survey.
    pub fn covers(&self, survey: &str) -> bool {
        self.surveys
            .as_ref()
            .is_none_or(|list| list.iter().any(|s| s == survey))
    }
}

string_enum! {
    /// What a staff member did, as the audit log records it.
    pub enum AuditAction {
        /// A definition was published (`detail`: the version, and whether it was new).
        Publish = "publish",
        /// A survey's embed origins were replaced (`detail`: the new list).
        SetOrigins = "set_origins",
        /// A survey's targets were replaced (`detail`: how many).
        SetTargets = "set_targets",
        /// Responses were exported (`detail`: the format and filters).
        Export = "export",
        /// A response was deleted (`detail`: its id).
        DeleteResponse = "delete_response",
        /// A token was created with the CLI (`detail`: its id, name, role and surveys).
        CreateToken = "create_token",
        /// A token was revoked with the CLI (`detail`: its id).
        RevokeToken = "revoke_token",
        /// A survey's alert rules were replaced (`detail`: how many).
        SetAlertRules = "set_alert_rules",
        /// A webhook endpoint was added (`detail`: its id, URL and events).
        AddWebhook = "add_webhook",
        /// A webhook endpoint was removed (`detail`: its id and URL).
        RemoveWebhook = "remove_webhook",
        /// A delivery was sent again at a staff member's request (`detail`: its id).
        Redeliver = "redeliver",
    }
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// Sortable: later entries have greater ids. `before` in [`AuditQuery`] takes one.
    pub id: String,
    /// When, in UTC (RFC 3339, milliseconds).
    pub at: String,
    /// The token that acted; absent for the CLI, which acts with the database's own access.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_id: Option<String>,
    /// The token's name, or `cli`.
    pub actor: String,
    pub action: AuditAction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survey_id: Option<String>,
    /// What exactly, in words (see [`AuditAction`]).
    pub detail: String,
}

/// The largest page of the audit log one request reads.
pub const MAX_AUDIT_PAGE: u32 = 500;
/// The page size when none is asked for.
pub const DEFAULT_AUDIT_PAGE: u32 = 100;

/// `GET /api/v1/audit`: newest first, a page at a time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct AuditQuery {
    /// Entries older than this entry id (the previous page's `next`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// Only entries about this survey.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survey: Option<String>,
    /// How many entries (1–500; default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

impl AuditQuery {
    /// The page size asked for, within 1–[`MAX_AUDIT_PAGE`].
    pub fn page_size(&self) -> Result<u32, crate::QueryError> {
        match self.limit {
            None => Ok(DEFAULT_AUDIT_PAGE),
            Some(n @ 1..=MAX_AUDIT_PAGE) => Ok(n),
            Some(n) => Err(crate::QueryError(format!(
                "limit must be between 1 and {MAX_AUDIT_PAGE}, not {n}"
            ))),
        }
    }

    /// The query as the dashboard sends it (without `?`), read back by the server's
    /// deserialisation of this type.
    pub fn to_query_string(&self) -> String {
        let limit = self.limit.map(|n| n.to_string());
        crate::query::query_string(&[
            ("before", self.before.as_deref()),
            ("survey", self.survey.as_deref()),
            ("limit", limit.as_deref()),
        ])
    }
}

/// A page of the audit log, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `before` for the next (older) page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admins_delete_and_read_the_audit_log_and_unknown_roles_may_nothing() {
        for action in Action::ALL {
            assert!(Role::Admin.may(action), "{action:?}");
            assert!(!Role::Other("owner".into()).may(action), "{action:?}");
        }
        assert_eq!(Role::allowed(Action::DeleteResponses), [Role::Admin]);
        assert_eq!(Role::allowed(Action::ReadAudit), [Role::Admin]);
        assert_eq!(Role::allowed(Action::Publish), [Role::Admin, Role::Editor]);
        assert_eq!(
            Role::allowed(Action::ReadAnswers),
            [Role::Admin, Role::Analyst]
        );
        assert_eq!(Role::allowed(Action::ListSurveys), Role::KNOWN);
    }

    #[test]
    fn an_audit_query_writes_only_what_it_has() {
        assert_eq!(AuditQuery::default().to_query_string(), "");
        let query = AuditQuery {
            before: Some("0193a1b2c3d4-9f".into()),
            survey: Some("café & co".into()),
            limit: Some(50),
        };
        assert_eq!(
            query.to_query_string(),
            "before=0193a1b2c3d4-9f&survey=caf%C3%A9%20%26%20co&limit=50"
        );
    }

    #[test]
    fn a_scoped_identity_covers_only_its_surveys() {
        let me = Me {
            token_id: "t".into(),
            name: "n".into(),
            role: Role::Analyst,
            surveys: Some(vec!["rq".into()]),
        };
        assert!(me.may(Action::ReadReports, "rq"));
        assert!(!me.may(Action::ReadReports, "nps"));
        assert!(!me.may(Action::Publish, "rq"));
        let everywhere = Me {
            surveys: None,
            ..me
        };
        assert!(everywhere.covers("nps"));
    }
}
