//! Helpers shared by the API test files: a backend per database (SQLite always, PostgreSQL when
//! one is reachable), in-process requests with an optional staff token, and test data.
//!
//! Each test file compiles this module on its own and uses only part of it.
#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use manyi_api::Role;
use manyi_server::{AppState, Db, app, publish_templates};
use serde_json::{Value, json};
use tower::ServiceExt;

pub struct Backend {
    pub name: &'static str,
    pub db: Db,
    /// The database's URL, for more connections to it (another server, the CLI).
    pub url: String,
    pub router: Router,
    /// For PostgreSQL: the admin URL and the test database to drop afterwards.
    drop: Option<(String, String)>,
}

impl Backend {
    /// Drops a PostgreSQL test database so repeated runs leave nothing behind.
    pub async fn finish(self) {
        if let Some((admin, name)) = self.drop {
            self.db.pool().close().await;
            let pool = sqlx::AnyPool::connect(&admin).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&pool)
            .await
            .unwrap();
        }
    }
}

pub async fn with_state(name: &'static str, db: Db, url: String) -> Backend {
    publish_templates(&db).await.unwrap();
    let router = with_peer(app(AppState::new(db.clone(), None)), [127, 0, 0, 1]);
    Backend {
        name,
        db,
        url,
        router,
        drop: None,
    }
}

/// In-process requests have no socket; this gives them the client address a socket would.
pub fn with_peer(router: Router, ip: [u8; 4]) -> Router {
    router.layer(axum::extract::connect_info::MockConnectInfo(
        std::net::SocketAddr::from((ip, 40_000)),
    ))
}

pub async fn sqlite() -> Backend {
    let dir = std::env::temp_dir().join(format!("manyi-api-{}-{}", std::process::id(), unique()));
    let url = format!("sqlite://{}/manyi.db?mode=rwc", dir.display());
    with_state("sqlite", Db::connect(&url).await.unwrap(), url).await
}

pub fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    nanos * 1000 + NEXT.fetch_add(1, Ordering::Relaxed)
}

/// A fresh PostgreSQL database, or `None` (with a loud note) when no server is reachable.
pub async fn postgres() -> Option<Backend> {
    let admin = std::env::var("MANYI_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    sqlx::any::install_default_drivers();
    let pool = match sqlx::AnyPool::connect(&admin).await {
        Ok(pool) => pool,
        Err(e) => {
            eprintln!(
                "\n!!! PostgreSQL is not reachable at {admin} ({e}): SKIPPING the PostgreSQL API tests !!!\n"
            );
            return None;
        }
    };
    let name = format!("manyi_test_{}_{}", std::process::id(), unique());
    // The name is made here from digits, so the statement is safe to build as text.
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&pool)
        .await
        .unwrap();
    let base = admin.rsplit_once('/').unwrap().0;
    let url = format!("{base}/{name}");
    let db = Db::connect(&url).await.unwrap();
    let mut backend = with_state("postgres", db, url).await;
    backend.drop = Some((admin, name));
    Some(backend)
}

pub async fn backends() -> Vec<Backend> {
    let mut all = vec![sqlite().await];
    all.extend(postgres().await);
    all
}

pub async fn call(
    router: &Router,
    method: &str,
    uri: &str,
    body: Option<String>,
) -> (StatusCode, Value) {
    send(router, None, method, uri, body).await
}

/// One in-process request, with a staff token when given; the status and the JSON body.
pub async fn send(
    router: &Router,
    token: Option<&str>,
    method: &str,
    uri: &str,
    body: Option<String>,
) -> (StatusCode, Value) {
    let authorization = token.map(|token| format!("Bearer {token}"));
    let headers: Vec<(&str, &str)> = authorization
        .as_deref()
        .map(|value| ("authorization", value))
        .into_iter()
        .collect();
    let reply = request(router, method, uri, &headers, body).await;
    (reply.status, reply.json())
}

/// A reply with everything a test may look at.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Reply {
    /// The body as JSON, or null when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }

    /// A header's value, when present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    /// The names of the CORS headers present.
    pub fn cors_headers(&self) -> Vec<&str> {
        self.headers
            .keys()
            .map(|k| k.as_str())
            .filter(|k| k.starts_with("access-control-"))
            .collect()
    }
}

/// One in-process request with the given headers (a JSON body gets its content type).
pub async fn request(
    router: &Router,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: Option<String>,
) -> Reply {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if body.is_some() {
        request = request.header(header::CONTENT_TYPE, "application/json");
    }
    let response = router
        .clone()
        .oneshot(
            request
                .body(body.map(Body::from).unwrap_or_else(Body::empty))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// A built app to serve: a temporary `dist/` with a minimal `index.html` and a stylesheet.
pub fn temp_dist() -> std::path::PathBuf {
    let dist = std::env::temp_dir().join(format!("manyi-dist-{}-{}", std::process::id(), unique()));
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>manyi</title>",
    )
    .unwrap();
    std::fs::write(dist.join("main.css"), "body{}").unwrap();
    dist
}

/// The backend's database behind a router that also serves the app from `dist`.
pub fn router_with_app(b: &Backend, dist: &std::path::Path) -> Router {
    with_peer(
        app(AppState::new(b.db.clone(), Some(dist.to_owned()))),
        [127, 0, 0, 1],
    )
}

pub fn nps_response(id: &str, score: u8) -> Value {
    json!({
        "id": id,
        "survey_id": "nps",
        "survey_version": 1,
        "started_at": "2026-11-22T10:00:00+08:00",
        "submitted_at": "2026-11-22T10:01:30+08:00",
        "locale": "zh-CN",
        "answers": {"nps": score},
        "meta": {"channel": "web"}
    })
}

pub fn uuid(n: u32) -> String {
    format!("6f1c2a3b-4d5e-4f60-8a7b-{n:012}")
}

/// A live administrator's token stored in the backend's database.
pub async fn staff_token(b: &Backend) -> String {
    token_with(b, "tests", Role::Admin, None).await
}

/// A live token of a role, optionally limited to some surveys, as `manyi token create` makes.
pub async fn token_with(b: &Backend, name: &str, role: Role, surveys: Option<&[&str]>) -> String {
    let (id, token) = manyi_server::token::new_token().unwrap();
    let staff = manyi_server::token::Staff {
        id,
        name: name.to_owned(),
        role,
        surveys: surveys.map(|list| list.iter().map(|s| (*s).to_owned()).collect()),
    };
    let record = manyi_server::db::AuditRecord::cli(
        manyi_api::AuditAction::CreateToken,
        None,
        format!("token {}", staff.id),
    );
    b.db.add_token(&staff, &manyi_server::token::hash_token(&token), &record)
        .await
        .unwrap();
    token
}

pub async fn staff_call(
    router: &Router,
    token: &str,
    method: &str,
    uri: &str,
    body: Option<String>,
) -> (StatusCode, Value) {
    send(router, Some(token), method, uri, body).await
}

/// A staff GET of a file: its content type and bytes.
pub async fn staff_download(
    router: &Router,
    token: &str,
    uri: &str,
) -> (String, axum::body::Bytes) {
    let response = router
        .clone()
        .oneshot(
            Request::get(uri)
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{uri}");
    let kind = response.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned();
    (
        kind,
        response.into_body().collect().await.unwrap().to_bytes(),
    )
}

/// Every entry of an XLSX file (a zip archive) as text, by name.
pub fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let mut text = String::new();
            std::io::Read::read_to_string(&mut entry, &mut text).unwrap();
            (entry.name().unwrap().into_owned(), text)
        })
        .collect()
}

/// A cell of a sheet as a spreadsheet reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum SheetCell {
    Text(String),
    Number(f64),
}

/// The cells of a worksheet's XML by (row, column), from 0, as a spreadsheet reads them: text
/// stored in the cell (`inlineStr`) or in the workbook's shared strings (`s`), or a number. Only
/// what rust_xlsxwriter writes is understood: XML's `&amp;`, `&lt;`, `&gt;` and `&quot;`, and
/// OOXML's `_xHHHH_` escapes of characters XML cannot hold.
pub fn sheet_cells(
    sheet: &str,
    shared: Option<&str>,
) -> std::collections::BTreeMap<(u32, u32), SheetCell> {
    let shared: Vec<String> = shared
        .map(|xml| {
            xml.split("<si>")
                .skip(1)
                .map(|si| unescape_ooxml(between_tags(si, "t")))
                .collect()
        })
        .unwrap_or_default();
    let mut cells = std::collections::BTreeMap::new();
    for cell in sheet.split("<c r=\"").skip(1) {
        let (reference, rest) = cell.split_once('"').unwrap();
        let letters = reference.trim_end_matches(|c: char| c.is_ascii_digit());
        let row: u32 = reference[letters.len()..].parse().unwrap();
        let column = letters
            .bytes()
            .fold(0u32, |n, b| n * 26 + u32::from(b - b'A' + 1));
        let head = &rest[..rest.find('>').unwrap()];
        let value = if head.contains("t=\"inlineStr\"") {
            SheetCell::Text(unescape_ooxml(between_tags(rest, "t")))
        } else if head.contains("t=\"s\"") {
            let index: usize = between_tags(rest, "v").parse().unwrap();
            SheetCell::Text(shared[index].clone())
        } else {
            SheetCell::Number(between_tags(rest, "v").parse().unwrap())
        };
        cells.insert((row - 1, column - 1), value);
    }
    cells
}

/// The text of the first `<tag …>…</tag>` in `xml`.
fn between_tags<'x>(xml: &'x str, tag: &str) -> &'x str {
    let open = xml
        .match_indices(&format!("<{tag}"))
        .find(|(i, _)| matches!(xml.as_bytes()[i + tag.len() + 1], b'>' | b' '))
        .unwrap()
        .0;
    let start = open + xml[open..].find('>').unwrap() + 1;
    let end = start + xml[start..].find(&format!("</{tag}>")).unwrap();
    &xml[start..end]
}

/// XML text with its entities and OOXML's `_xHHHH_` escapes read back.
fn unescape_ooxml(xml: &str) -> String {
    let text = xml
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("_x") {
        out.push_str(&rest[..i]);
        let escape = rest.get(i + 2..i + 7);
        match escape.and_then(|e| {
            let (hex, end) = e.split_at(4);
            let hex_digits = hex.bytes().all(|b| b.is_ascii_hexdigit());
            (hex_digits && end == "_").then(|| u32::from_str_radix(hex, 16).unwrap())
        }) {
            Some(code) => {
                out.push(char::from_u32(code).unwrap());
                rest = &rest[i + 7..];
            }
            None => {
                out.push_str("_x");
                rest = &rest[i + 2..];
            }
        }
    }
    out.push_str(rest);
    out
}
