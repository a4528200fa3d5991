//! The app's one HTTP client: finding the server, reading survey definitions, sending
//! responses and, for the staff's dashboard, the calls that need a staff token ([`StaffApi`]).
//!
//! The app is served either by `manyi serve`, which advertises its API at
//! `/manyi-config.json`, or as static files with no server at all; in that case discovery finds
//! nothing and the app works locally only.

use gloo_net::http::{Request, RequestBuilder};
use manyi_api::{
    AlertRules, AllowedOrigins, AuditPage, AuditQuery, BatchReply, CasePage, CaseQuery, CaseUpdate,
    CaseView, Delivery, DeliveryPage, ErrorBody, ErrorCode, ExportFormat, ImportReport,
    LoopFigures, LoopQuery, ManyiConfig, Me, NewWebhookEndpoint, OriginsBody, Published,
    ReportQuery, SurveySummary, Targets, TextsQuery, TextsReply, WebhookEndpoint, WebhookEndpoints,
};
use manyi_core::alerts::AlertRule;
use manyi_core::targets::Target;
use manyi_core::{Report, Response};
use serde::{Deserialize, Serialize};

/// Why a request to the server failed. Every variant leaves the outbox unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("the server could not be reached")]
    Network,
    #[error("the server answered {status}: {message}")]
    Status {
        status: u16,
        /// The server's code; `None` when the reply was not the API's error (a proxy's page).
        code: Option<ErrorCode>,
        message: String,
        /// The error's `details` as the JSON text sent (`null` when none);
        /// [`ApiError::problems`] reads the problems with paths in it. Kept as text rather than
        /// a `serde_json::Value` so the respondent's bundle, which never shows them, carries
        /// neither their decoding nor a JSON tree's (1.4 KB gzip).
        details: String,
    },
    #[error("the server's reply could not be read: {0}")]
    Decode(String),
}

/// One problem a server listed: where (a JSON path) and what, with the kind of an import
/// report (`element`, `property`, `condition`, `changed`), and for a problem in an alert
/// rule's condition the character of the condition it points at.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Detail {
    pub path: String,
    #[serde(default)]
    pub kind: Option<String>,
    pub message: String,
    /// 0-based, as the core counts; shown from 1.
    #[serde(default)]
    pub position: Option<usize>,
}

impl From<ImportReport> for Detail {
    fn from(report: ImportReport) -> Detail {
        Detail {
            kind: serde_json::to_value(report.kind)
                .ok()
                .and_then(|kind| kind.as_str().map(str::to_owned)),
            path: report.path,
            message: report.message,
            position: None,
        }
    }
}

impl ApiError {
    /// The problems the server listed, each with its JSON path (invalid definitions, origins or
    /// targets, SurveyJS import reports); empty for other errors. Details of another shape (a
    /// response's validation errors) are not problems with paths, and the message already says
    /// what they are.
    pub fn problems(&self) -> Vec<Detail> {
        match self {
            ApiError::Status { details, .. } => serde_json::from_str(details).unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// The server's error code, when the reply was the API's error.
    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            ApiError::Status { code, .. } => code.as_ref(),
            _ => None,
        }
    }

    /// The server's message, when it answered with an error.
    pub fn message(&self) -> Option<&str> {
        match self {
            ApiError::Status { message, .. } => Some(message),
            _ => None,
        }
    }

    /// Whether the server refused the staff token.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, ApiError::Status { status: 401, .. })
    }

    /// The server's message when it refused what the token's role or survey scope does not
    /// allow (403), which says what the token is and which roles may.
    pub fn refusal(&self) -> Option<&str> {
        match self {
            ApiError::Status {
                status: 403,
                message,
                ..
            } => Some(message),
            _ => None,
        }
    }
}

thread_local! {
    /// The outcome of discovery once the server (or a static file server) has answered.
    static DISCOVERED: std::cell::RefCell<Option<Option<String>>> =
        const { std::cell::RefCell::new(None) };
    /// Discovery under way, as a promise every caller can wait on: the sync engine and the
    /// survey lookup both ask at start-up, and one request answers both.
    static DISCOVERING: std::cell::RefCell<Option<js_sys::Promise>> =
        const { std::cell::RefCell::new(None) };
}

/// Sends to `api` (an API base such as `https://manyi.example/api/v1`) instead of the server
/// that served the app: a kiosk set up with an endpoint of its own.
pub fn use_endpoint(api: String) {
    DISCOVERED.with(|d| *d.borrow_mut() = Some(Some(api)));
}

/// The API base (such as `/api/v1`) of the server that served the app, or `None` when the app
/// was served without one. The answer is remembered for the page's life; a failed request is
/// not, so discovery is tried again once the network is back. Callers that ask while a request
/// is under way share it.
pub async fn discover() -> Option<String> {
    if let Some(known) = DISCOVERED.with(|d| d.borrow().clone()) {
        return known;
    }
    let pending = DISCOVERING.with(|d| {
        d.borrow_mut()
            .get_or_insert_with(|| {
                wasm_bindgen_futures::future_to_promise(async {
                    let outcome = ask_for_config().await;
                    DISCOVERING.with(|d| d.borrow_mut().take());
                    if let Some(found) = &outcome {
                        DISCOVERED.with(|d| *d.borrow_mut() = Some(found.clone()));
                    }
                    // A string is a server's API base, null a page served without one, and
                    // undefined a request that failed.
                    Ok(match outcome {
                        Some(Some(api)) => api.into(),
                        Some(None) => wasm_bindgen::JsValue::NULL,
                        None => wasm_bindgen::JsValue::UNDEFINED,
                    })
                })
            })
            .clone()
    });
    wasm_bindgen_futures::JsFuture::from(pending)
        .await
        .ok()
        .and_then(|api| api.as_string())
}

/// Asks the server that served the app for its configuration (unless the page names its API):
/// `Some(Some(api))` from a manyi server, `Some(None)` from a static file server, `None` when
/// the request failed.
async fn ask_for_config() -> Option<Option<String>> {
    // A survey page `manyi serve` wrote names its API itself, which spares the request.
    let named = leptos::prelude::document()
        .query_selector(r#"meta[name="manyi-api"]"#)
        .ok()
        .flatten()
        .and_then(|meta| meta.get_attribute("content"));
    if let Some(api) = named {
        return Some(Some(api));
    }
    let response = Request::get("/manyi-config.json").send().await.ok()?;
    // A static server answers unknown paths with the app's HTML page, which is not JSON.
    Some(if response.ok() {
        response.json::<ManyiConfig>().await.ok().map(|c| c.api)
    } else {
        None
    })
}

/// The JSON text of the latest published version of survey `id`, or `None` when the server
/// has no such survey.
pub async fn survey_json(api: &str, id: &str) -> Result<Option<String>, ApiError> {
    let id = String::from(js_sys::encode_uri_component(id));
    let response = Request::get(&format!("{api}/surveys/{id}"))
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    match response.status() {
        404 => Ok(None),
        _ if response.ok() => response
            .text()
            .await
            .map(Some)
            .map_err(|e| ApiError::Decode(e.to_string())),
        _ => Err(error_of(response).await),
    }
}

/// The origins allowed to embed survey `id` (empty when it may not be embedded).
pub async fn allowed_origins(api: &str, id: &str) -> Result<Vec<String>, ApiError> {
    let id = String::from(js_sys::encode_uri_component(id));
    let response = Request::get(&format!("{api}/surveys/{id}/origins"))
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    if !response.ok() {
        return Err(error_of(response).await);
    }
    // Read as a plain JSON value, which the bundle decodes anyway, rather than with a struct of
    // its own: the embed screen is in every respondent's bundle.
    let body = response
        .json::<serde_json::Value>()
        .await
        .map_err(|e| ApiError::Decode(e.to_string()))?;
    let list = body["allowed_origins"]
        .as_array()
        .ok_or_else(|| ApiError::Decode("no allowed_origins list".to_owned()))?;
    Ok(list
        .iter()
        .filter_map(|origin| origin.as_str().map(str::to_owned))
        .collect())
}

/// The JSON text of a built-in template, served as a file next to the app, or `None` when it
/// cannot be fetched.
pub async fn template_json(name: &str) -> Option<String> {
    let response = Request::get(&format!("/templates/{name}.json"))
        .send()
        .await
        .ok()?;
    if !response.ok() {
        return None;
    }
    response.text().await.ok()
}

/// Sends a batch of responses; the reply lists a verdict per response, in order.
pub async fn post_responses(api: &str, responses: &[&Response]) -> Result<BatchReply, ApiError> {
    let request = Request::post(&format!("{api}/responses"))
        .json(&responses)
        .map_err(|e| ApiError::Decode(e.to_string()))?;
    let response = request.send().await.map_err(|_| ApiError::Network)?;
    if !response.ok() {
        return Err(error_of(response).await);
    }
    response
        .json::<BatchReply>()
        .await
        .map_err(|e| ApiError::Decode(e.to_string()))
}

/// The error a non-2xx reply stands for, with the server's code and message when it sent them.
async fn error_of(response: gloo_net::http::Response) -> ApiError {
    let status = response.status();
    match response.json::<ErrorBody>().await {
        Ok(body) => ApiError::Status {
            status,
            code: Some(body.error.code),
            message: body.error.message,
            details: body
                .error
                .details
                .map_or_else(|| "null".to_owned(), |raw| raw.get().to_owned()),
        },
        Err(_) => ApiError::Status {
            status,
            code: None,
            message: response.status_text(),
            details: "null".to_owned(),
        },
    }
}

/// The staff's calls to one server: its API base and the staff token every request carries
/// as its bearer credential.
///
/// The dashboard keeps it for the browser session as part of its sign-in, where the base is
/// stored under the name `api` it had before this type existed, so a sign-in made by an
/// earlier version still reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffApi {
    /// The API base, such as `/api/v1`.
    #[serde(rename = "api")]
    pub base: String,
    pub token: String,
}

impl StaffApi {
    pub fn new(base: String, token: String) -> StaffApi {
        StaffApi { base, token }
    }

    /// `builder` with the staff token.
    fn authorised(&self, builder: RequestBuilder) -> RequestBuilder {
        builder.header("Authorization", &format!("Bearer {}", self.token))
    }

    fn survey_path(&self, id: &str) -> String {
        let id = String::from(js_sys::encode_uri_component(id));
        format!("{}/surveys/{id}", self.base)
    }

    /// What the token is and may do: its name, role and survey scope. Also how a token is
    /// checked at sign-in, since every valid token may read it.
    pub async fn me(&self) -> Result<Me, ApiError> {
        let url = format!("{}/me", self.base);
        fetch_json(self.authorised(Request::get(&url)).build()).await
    }

    /// A page of the audit log, newest first (administrators only).
    pub async fn audit(&self, query: &AuditQuery) -> Result<AuditPage, ApiError> {
        let url = format!("{}/audit?{}", self.base, query.to_query_string());
        fetch_json(self.authorised(Request::get(&url)).build()).await
    }

    /// Every survey's latest version the token may see.
    pub async fn surveys(&self) -> Result<Vec<SurveySummary>, ApiError> {
        let url = format!("{}/surveys", self.base);
        fetch_json(self.authorised(Request::get(&url)).build()).await
    }

    /// The JSON text of the latest published version of survey `id` (which needs no token),
    /// or `None` when the server has no such survey.
    pub async fn survey_json(&self, id: &str) -> Result<Option<String>, ApiError> {
        survey_json(&self.base, id).await
    }

    /// The report on survey `id` with `query`, computed by the server over every stored
    /// response.
    ///
    /// Its numbers are read by the browser's `JSON.parse`, which gives back exactly the `f64`
    /// the server wrote, so the dashboard shows the core's numbers to the last bit, as
    /// local-only mode computes them.
    pub async fn report(&self, id: &str, query: &ReportQuery) -> Result<Report, ApiError> {
        let url = format!(
            "{}/report?{}",
            self.survey_path(id),
            query.to_query_string()
        );
        let text = send_ok(self.authorised(Request::get(&url)).build())
            .await?
            .text()
            .await
            .map_err(|e| ApiError::Decode(e.to_string()))?;
        let value = js_sys::JSON::parse(&text)
            .map_err(|_| ApiError::Decode("the report is not JSON".to_owned()))?;
        serde_wasm_bindgen::from_value(value).map_err(|e| ApiError::Decode(e.to_string()))
    }

    /// The targets staff set for survey `id`.
    pub async fn targets(&self, id: &str) -> Result<Vec<Target>, ApiError> {
        let url = format!("{}/targets", self.survey_path(id));
        let list: Targets = fetch_json(self.authorised(Request::get(&url)).build()).await?;
        Ok(list.targets)
    }

    /// Replaces the targets of survey `id`; the reply is the list as stored.
    pub async fn put_targets(
        &self,
        id: &str,
        targets: Vec<Target>,
    ) -> Result<Vec<Target>, ApiError> {
        let url = format!("{}/targets", self.survey_path(id));
        let request = self
            .authorised(Request::put(&url))
            .json(&Targets { targets });
        let list: Targets = fetch_json(request).await?;
        Ok(list.targets)
    }

    /// Publishes a definition (a SurveyJS one when `surveyjs`) as a new version.
    pub async fn publish(
        &self,
        definition: &serde_json::Value,
        surveyjs: bool,
    ) -> Result<Published, ApiError> {
        let url = match surveyjs {
            true => format!("{}/surveys?format=surveyjs", self.base),
            false => format!("{}/surveys", self.base),
        };
        fetch_json(self.authorised(Request::post(&url)).json(definition)).await
    }

    /// The origins allowed to embed survey `id` (which needs no token).
    pub async fn origins(&self, id: &str) -> Result<Vec<String>, ApiError> {
        allowed_origins(&self.base, id).await
    }

    /// Replaces the origins allowed to embed survey `id`; the reply is the list as stored,
    /// normalised.
    pub async fn put_origins(&self, id: &str, origins: &[String]) -> Result<Vec<String>, ApiError> {
        let url = format!("{}/origins", self.survey_path(id));
        let body = OriginsBody {
            allowed_origins: origins
                .iter()
                .cloned()
                .map(serde_json::Value::from)
                .collect(),
        };
        let reply: AllowedOrigins =
            fetch_json(self.authorised(Request::put(&url)).json(&body)).await?;
        Ok(reply.allowed_origins)
    }

    /// The stored responses of survey `id` as a file in `format`.
    pub async fn export(&self, id: &str, format: ExportFormat) -> Result<web_sys::Blob, ApiError> {
        let url = format!(
            "{}/responses?format={}",
            self.survey_path(id),
            format.as_str()
        );
        let bytes = send_ok(self.authorised(Request::get(&url)).build())
            .await?
            .binary()
            .await
            .map_err(|e| ApiError::Decode(e.to_string()))?;
        crate::browser::download::blob(&bytes, format.media_type())
            .ok_or_else(|| ApiError::Decode("the file could not be kept".to_owned()))
    }

    /// The open-text answers of survey `id` that `query` selects.
    pub async fn texts(&self, id: &str, query: &TextsQuery) -> Result<TextsReply, ApiError> {
        let url = format!("{}/texts?{}", self.survey_path(id), query.to_query_string());
        fetch_json(self.authorised(Request::get(&url)).build()).await
    }

    /// The alert rules of survey `id`, in the order staff gave them.
    pub async fn alert_rules(&self, id: &str) -> Result<Vec<AlertRule>, ApiError> {
        let url = format!("{}/alerts", self.survey_path(id));
        let list: AlertRules = fetch_json(self.authorised(Request::get(&url)).build()).await?;
        Ok(list.rules)
    }

    /// Replaces the alert rules of survey `id`; the reply is the list as stored. The server
    /// refuses a list with problems (`invalid_alert_rules`), each with its rule's path.
    pub async fn put_alert_rules(
        &self,
        id: &str,
        rules: Vec<AlertRule>,
    ) -> Result<Vec<AlertRule>, ApiError> {
        let url = format!("{}/alerts", self.survey_path(id));
        let request = self
            .authorised(Request::put(&url))
            .json(&AlertRules { rules });
        let list: AlertRules = fetch_json(request).await?;
        Ok(list.rules)
    }

    /// A page of the inbox: the cases `query` selects, most urgent first.
    pub async fn cases(&self, query: &CaseQuery) -> Result<CasePage, ApiError> {
        let url = format!("{}/cases?{}", self.base, query.to_query_string());
        fetch_json(self.authorised(Request::get(&url)).build()).await
    }

    fn case_path(&self, id: &str) -> String {
        let id = String::from(js_sys::encode_uri_component(id));
        format!("{}/cases/{id}", self.base)
    }

    /// One case with its timeline, the response that opened it and that response's scores.
    pub async fn case(&self, id: &str) -> Result<CaseView, ApiError> {
        fetch_json(self.authorised(Request::get(&self.case_path(id))).build()).await
    }

    /// Records a change to case `id` (an assignment, a status change or a note); the reply is
    /// the case as it is now. A change the case's status no longer allows is `case_conflict`
    /// (409), one no case takes `invalid_case_update` (422).
    pub async fn update_case(&self, id: &str, update: &CaseUpdate) -> Result<CaseView, ApiError> {
        let url = format!("{}/events", self.case_path(id));
        fetch_json(self.authorised(Request::post(&url)).json(update)).await
    }

    /// The loop figures of the cases opened in the period `query` gives.
    pub async fn loop_figures(&self, query: &LoopQuery) -> Result<LoopFigures, ApiError> {
        let url = format!("{}/loop?{}", self.base, query.to_query_string());
        fetch_json(self.authorised(Request::get(&url)).build()).await
    }

    /// The registered webhook endpoints (administrators only).
    pub async fn webhooks(&self) -> Result<Vec<WebhookEndpoint>, ApiError> {
        let url = format!("{}/webhooks", self.base);
        let list: WebhookEndpoints =
            fetch_json(self.authorised(Request::get(&url)).build()).await?;
        Ok(list.endpoints)
    }

    /// Registers an endpoint; the reply carries its signing secret, which the server never
    /// shows again.
    pub async fn add_webhook(
        &self,
        endpoint: &NewWebhookEndpoint,
    ) -> Result<WebhookEndpoint, ApiError> {
        let url = format!("{}/webhooks", self.base);
        fetch_json(self.authorised(Request::post(&url)).json(endpoint)).await
    }

    fn webhook_path(&self, id: &str) -> String {
        let id = String::from(js_sys::encode_uri_component(id));
        format!("{}/webhooks/{id}", self.base)
    }

    /// Removes endpoint `id`: nothing more is delivered to it.
    pub async fn remove_webhook(&self, id: &str) -> Result<(), ApiError> {
        let url = self.webhook_path(id);
        send_ok(self.authorised(Request::delete(&url)).build()).await?;
        Ok(())
    }

    /// A page of endpoint `id`'s deliveries, newest first; `after` is the previous page's
    /// `next`.
    pub async fn deliveries(
        &self,
        id: &str,
        after: Option<&str>,
    ) -> Result<DeliveryPage, ApiError> {
        let url = match after {
            Some(after) => format!(
                "{}/deliveries?after={}",
                self.webhook_path(id),
                js_sys::encode_uri_component(after)
            ),
            None => format!("{}/deliveries", self.webhook_path(id)),
        };
        fetch_json(self.authorised(Request::get(&url)).build()).await
    }

    /// Sends delivery `delivery` to endpoint `id` again; the reply is the delivery as it
    /// stands after the attempt.
    pub async fn redeliver(&self, id: &str, delivery: &str) -> Result<Delivery, ApiError> {
        let url = format!(
            "{}/deliveries/{}/redeliver",
            self.webhook_path(id),
            js_sys::encode_uri_component(delivery)
        );
        fetch_json(self.authorised(Request::post(&url)).build()).await
    }
}

/// Sends a staff request: its reply when it succeeded, else the server's error.
async fn send_ok(
    request: Result<gloo_net::http::Request, gloo_net::Error>,
) -> Result<gloo_net::http::Response, ApiError> {
    let request = request.map_err(|e| ApiError::Decode(e.to_string()))?;
    let response = request.send().await.map_err(|_| ApiError::Network)?;
    if !response.ok() {
        return Err(error_of(response).await);
    }
    Ok(response)
}

/// Sends `request` and decodes a successful reply's JSON body.
async fn fetch_json<T: serde::de::DeserializeOwned>(
    request: Result<gloo_net::http::Request, gloo_net::Error>,
) -> Result<T, ApiError> {
    send_ok(request)
        .await?
        .json::<T>()
        .await
        .map_err(|e| ApiError::Decode(e.to_string()))
}
