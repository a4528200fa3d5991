//! The OpenAPI document: served, read as OpenAPI 3, and checked against the live router so the
//! two cannot drift apart.

mod common;

use std::collections::BTreeSet;

use axum::http::StatusCode;
use common::*;
use serde_json::Value;

/// The document as served.
async fn document(b: &Backend) -> Value {
    let reply = request(&b.router, "GET", "/api/v1/openapi.json", &[], None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    reply.json()
}

/// Every operation of the document: (path, upper-case method, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            out.push((path.clone(), method.to_uppercase(), operation.clone()));
        }
    }
    out
}

/// A concrete URI for a documented path: every parameter is an existing survey's id.
fn concrete(path: &str) -> String {
    path.replace("{id}", "nps")
}

/// Every `$ref` anywhere in a JSON value.
fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("$ref", Value::String(target)) => out.push(target),
                    _ => refs(value, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn the_document_is_served_and_reads_as_openapi_3() {
    let b = sqlite().await;
    let doc = document(&b).await;
    // Read by an OpenAPI 3.1 implementation other than the one that wrote it.
    let spec = oas3::from_json(doc.to_string()).expect("the document reads as OpenAPI 3.1");
    assert!(spec.openapi.starts_with("3.1"), "{}", spec.openapi);
    assert_eq!(spec.info.title, "manyi");
    assert_eq!(spec.info.version, env!("CARGO_PKG_VERSION"));
    let operations = spec.operations().count();
    assert_eq!(operations, 29, "every operation reads");
    // Every reference points at a schema the document holds.
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(found.len() > 20, "{found:?}");
    for target in found {
        let name = target
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{target} points outside the components"));
        assert!(schemas.contains_key(name), "{target} points nowhere");
    }
}

/// Every documented operation is served, and on every documented path the router serves
/// exactly the documented methods. (Paths cannot be served undocumented: the router's API
/// routes are built only from `documented_routes`, the list that also makes the document.)
#[tokio::test]
async fn the_router_serves_exactly_what_the_document_lists() {
    let b = sqlite().await;
    let doc = document(&b).await;
    let paths: BTreeSet<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let expected: BTreeSet<&str> = [
        "/healthz",
        "/manyi-config.json",
        "/api/v1/openapi.json",
        "/api/v1/me",
        "/api/v1/audit",
        "/api/v1/surveys",
        "/api/v1/surveys/{id}",
        "/api/v1/surveys/{id}/origins",
        "/api/v1/surveys/{id}/report",
        "/api/v1/surveys/{id}/responses",
        "/api/v1/surveys/{id}/targets",
        "/api/v1/surveys/{id}/texts",
        "/api/v1/responses",
        "/api/v1/responses/{id}",
        "/api/v1/surveys/{id}/alerts",
        "/api/v1/cases",
        "/api/v1/cases/{id}",
        "/api/v1/cases/{id}/events",
        "/api/v1/loop",
        "/api/v1/webhooks",
        "/api/v1/webhooks/{id}",
        "/api/v1/webhooks/{id}/deliveries",
        "/api/v1/webhooks/{id}/deliveries/{delivery}/redeliver",
    ]
    .into();
    assert_eq!(paths, expected);

    for (path, method, _) in operations(&doc) {
        let reply = request(&b.router, &method, &concrete(&path), &[], None).await;
        assert_ne!(
            reply.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        assert_ne!(
            reply.json()["error"]["message"],
            "no such endpoint",
            "{method} {path} is documented but not served"
        );
    }
    for path in &paths {
        let documented: BTreeSet<String> = doc["paths"][path]
            .as_object()
            .unwrap()
            .keys()
            .map(|m| m.to_uppercase())
            .collect();
        // A method no route uses: the router names the methods it serves on the path.
        let reply = request(&b.router, "PATCH", &concrete(path), &[], None).await;
        assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "PATCH {path}");
        let mut served: BTreeSet<String> = reply
            .header("allow")
            .unwrap_or_else(|| panic!("no Allow on {path}"))
            .split(',')
            .map(|m| m.trim().to_owned())
            .collect();
        // axum answers HEAD with the GET handler.
        if documented.contains("GET") {
            assert!(served.remove("HEAD"), "{path}");
        }
        assert_eq!(served, documented, "{path}");
    }
    // The probe tells a served path from an unserved one.
    let reply = request(&b.router, "GET", "/api/v1/nothing", &[], None).await;
    assert_eq!(reply.json()["error"]["message"], "no such endpoint");
}

/// An operation declares the staff token exactly when the router refuses it without one, and
/// then documents the 401.
#[tokio::test]
async fn staff_routes_declare_the_bearer_token() {
    let b = sqlite().await;
    let doc = document(&b).await;
    let scheme = &doc["components"]["securitySchemes"]["staff_token"];
    assert_eq!(
        (scheme["type"].as_str(), scheme["scheme"].as_str()),
        (Some("http"), Some("bearer"))
    );
    let mut staff = Vec::new();
    for (path, method, operation) in operations(&doc) {
        let reply = request(&b.router, &method, &concrete(&path), &[], None).await;
        let needs_token = reply.status == StatusCode::UNAUTHORIZED;
        let declared = operation["security"]
            .as_array()
            .is_some_and(|list| list.iter().any(|s| s.get("staff_token").is_some()));
        assert_eq!(declared, needs_token, "{method} {path}");
        assert_eq!(
            operation["responses"].get("401").is_some(),
            needs_token,
            "{method} {path} documents 401 exactly when it needs a token"
        );
        // Every staff operation but `me` can be refused to a token of the wrong role or scope.
        if needs_token && path != "/api/v1/me" {
            assert!(
                operation["responses"].get("403").is_some(),
                "{method} {path} documents 403"
            );
        }
        if needs_token {
            staff.push(format!("{method} {path}"));
        }
    }
    staff.sort();
    assert_eq!(
        staff,
        [
            "DELETE /api/v1/responses/{id}",
            "DELETE /api/v1/webhooks/{id}",
            "GET /api/v1/audit",
            "GET /api/v1/cases",
            "GET /api/v1/cases/{id}",
            "GET /api/v1/loop",
            "GET /api/v1/me",
            "GET /api/v1/surveys",
            "GET /api/v1/surveys/{id}/alerts",
            "GET /api/v1/surveys/{id}/report",
            "GET /api/v1/surveys/{id}/responses",
            "GET /api/v1/surveys/{id}/targets",
            "GET /api/v1/surveys/{id}/texts",
            "GET /api/v1/webhooks",
            "GET /api/v1/webhooks/{id}/deliveries",
            "POST /api/v1/cases/{id}/events",
            "POST /api/v1/surveys",
            "POST /api/v1/webhooks",
            "POST /api/v1/webhooks/{id}/deliveries/{delivery}/redeliver",
            "PUT /api/v1/surveys/{id}/alerts",
            "PUT /api/v1/surveys/{id}/origins",
            "PUT /api/v1/surveys/{id}/targets",
        ]
    );
}

#[tokio::test]
async fn parameters_and_errors_are_documented() {
    let b = sqlite().await;
    let doc = document(&b).await;
    let names = |path: &str, method: &str| -> Vec<String> {
        doc["paths"][path][method]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                format!(
                    "{}:{}",
                    p["in"].as_str().unwrap(),
                    p["name"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert_eq!(
        names("/api/v1/surveys/{id}/report", "get"),
        [
            "path:id",
            "query:from",
            "query:to",
            "query:segment",
            "query:bucket",
            "query:utc_offset",
            "query:filter"
        ]
    );
    assert_eq!(
        names("/api/v1/surveys/{id}/responses", "get"),
        ["path:id", "query:format"]
    );
    let format = &doc["paths"]["/api/v1/surveys/{id}/responses"]["get"]["parameters"][1];
    assert_eq!(
        format["schema"]["enum"],
        serde_json::json!(["json", "csv", "xlsx"])
    );

    // Every error reply is the API's error shape.
    let mut statuses = BTreeSet::new();
    for (path, method, operation) in operations(&doc) {
        for (status, response) in operation["responses"].as_object().unwrap() {
            if status.starts_with('4') || status.starts_with('5') {
                assert_eq!(
                    response["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ErrorBody",
                    "{method} {path} {status}"
                );
                statuses.insert(status.clone());
            }
        }
    }
    assert_eq!(
        statuses,
        [
            "400", "401", "403", "404", "409", "413", "422", "429", "500"
        ]
        .map(str::to_owned)
        .into()
    );
    let origins = &doc["components"]["schemas"]["OriginsBody"]["properties"]["allowed_origins"];
    assert_eq!(
        origins["maxItems"].as_u64(),
        Some(manyi_api::MAX_ORIGINS as u64)
    );
    let body = &doc["paths"]["/api/v1/responses"]["post"]["requestBody"]["content"]["application/json"]
        ["schema"]["$ref"];
    assert_eq!(body, "#/components/schemas/ResponseBatch");

    // The response limits are stated where clients read about submitting, with the core's
    // numbers (the text is written by hand, so this keeps it true).
    let ingest = doc["paths"]["/api/v1/responses"]["post"]["description"]
        .as_str()
        .unwrap();
    use manyi_core::limits::*;
    for stated in [
        format!("at most {MAX_ANSWERS} answers"),
        format!("at most {MAX_TEXT_ANSWER_LENGTH} characters"),
        format!("at most {MAX_META_KEYS} keys"),
        format!("key at most {MAX_META_KEY_LENGTH} characters"),
        format!("value at most {MAX_META_VALUE_LENGTH} characters"),
    ] {
        assert!(ingest.contains(&stated), "{stated:?} in {ingest:?}");
    }
}

/// The core's formats reach the document exactly as schemars describes them (the schema
/// `docs/survey.schema.json` is made from): nothing is lost on the way through utoipa's types.
#[tokio::test]
async fn the_cores_formats_are_documented_by_their_own_json_schema() {
    let b = sqlite().await;
    let doc = document(&b).await;
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let mut core = manyi_api::openapi::core_definitions::<manyi_core::Survey>();
    core.extend(manyi_api::openapi::core_definitions::<manyi_core::Response>());
    assert!(core.contains_key("Survey") && core.contains_key("Answer"));
    for (name, schema) in &core {
        assert_eq!(&schemas[name], schema, "{name}");
    }
    // No core type is left with the stand-in that only names it.
    for (name, schema) in schemas {
        let description = schema["description"].as_str().unwrap_or_default();
        assert!(
            !description.starts_with("The JSON Schema of `"),
            "{name} was never filled in"
        );
    }
    let survey = &doc["paths"]["/api/v1/surveys/{id}"]["get"]["responses"]["200"]["content"]["application/json"]
        ["schema"]["$ref"];
    assert_eq!(survey, "#/components/schemas/Survey");
}
