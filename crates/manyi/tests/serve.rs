//! `manyi serve` as users run it: the real binary on a real socket, with an embedded SQLite
//! file, spoken to in plain HTTP/1.1.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(dir: &std::path::Path) -> Server {
    start_with(
        &format!("sqlite://{}/manyi.db?mode=rwc", dir.display()),
        &[],
    )
}

/// `manyi serve` on the database `url` with more options.
fn start_with(url: &str, options: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_manyi"))
        .args(["serve", "--addr", "127.0.0.1:0", "--dist", "no-such-dist"])
        .args(["--database", url])
        .args(options)
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The server prints its URL once it is listening; reading that line is the readiness signal.
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("manyi is running at http://")
        .and_then(|rest| rest.strip_suffix('/'))
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_owned();
    Server { child, addr }
}

/// One request, `Connection: close`; returns the status code and the body.
fn request(addr: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    request_with(addr, method, path, body, "")
}

fn request_with(addr: &str, method: &str, path: &str, body: &str, headers: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{headers}\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let (head, rest) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    // Small replies arrive with a Content-Length, so the rest is the body as is.
    (status, rest.to_owned())
}

#[test]
fn serve_answers_on_a_real_socket_and_keeps_responses_across_restarts() {
    let dir = std::env::temp_dir().join(format!("manyi-serve-{}", std::process::id()));
    let response = r#"{"id":"0b8f5c1e-2d3a-4b5c-8d6e-7f8091a2b3c4","survey_id":"csat","survey_version":1,
        "submitted_at":"2026-11-22T10:00:00+08:00","answers":{"csat":5,"channel":"store"}}"#;
    {
        let server = start(&dir);
        let (status, body) = request(&server.addr, "GET", "/healthz", "");
        assert_eq!((status, body.as_str()), (200, r#"{"status":"ok"}"#));
        let (status, body) = request(&server.addr, "POST", "/api/v1/responses", response);
        assert_eq!(status, 200);
        assert!(body.contains(r#""status":"accepted""#), "{body}");
    }
    // A new process on the same file still has the response: re-sending it is a duplicate.
    let server = start(&dir);
    let (_, body) = request(&server.addr, "POST", "/api/v1/responses", response);
    assert!(body.contains(r#""status":"duplicate""#), "{body}");
    let (status, body) = request(&server.addr, "GET", "/api/v1/surveys/csat", "");
    assert_eq!(status, 200);
    assert!(body.contains(r#""id":"csat""#));
    drop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}

fn manyi(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_manyi"))
        .args(args)
        .arg("--database")
        .arg(format!("sqlite://{}/manyi.db?mode=rwc", dir.display()))
        .env_remove("DATABASE_URL")
        .output()
        .unwrap()
}

#[test]
fn staff_tokens_are_created_once_listed_and_revoked() {
    let dir = std::env::temp_dir().join(format!("manyi-tokens-{}", std::process::id()));
    // A role is required: no token can do everything by omission.
    let out = manyi(&dir, &["token", "create", "--name", "dashboard"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--role"));
    let out = manyi(
        &dir,
        &[
            "token",
            "create",
            "--name",
            "dashboard",
            "--role",
            "analyst",
            "--survey",
            "rq",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(
        token.starts_with("manyi_") && token.len() == 6 + 64,
        "{token}"
    );
    let created = String::from_utf8(out.stderr).unwrap();
    let id = created
        .strip_prefix("token ")
        .and_then(|rest| rest.split(' ').next())
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 12, "{created}");
    assert!(
        created.contains("with the role analyst, for the surveys rq"),
        "{created}"
    );

    let server = start(&dir);
    let auth = format!("Authorization: Bearer {token}\r\n");
    let (status, body) = request_with(&server.addr, "GET", "/api/v1/surveys", "", &auth);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(r#""id":"rq""#));
    assert!(!body.contains(r#""id":"nps""#), "limited to rq: {body}");
    let (status, body) = request_with(&server.addr, "GET", "/api/v1/surveys/nps/report", "", &auth);
    assert_eq!(status, 403, "{body}");

    let listed = String::from_utf8(manyi(&dir, &["token", "list"]).stdout).unwrap();
    assert!(
        listed.starts_with(&format!("{id}\tdashboard\tanalyst\tthe surveys rq\t"))
            && listed.trim_end().ends_with("active"),
        "{listed}"
    );
    assert!(
        !listed.contains(&token[6..]),
        "the token itself is never shown again"
    );

    let revoked = manyi(&dir, &["token", "revoke", &id]);
    assert_eq!(
        String::from_utf8_lossy(&revoked.stdout).trim(),
        format!("token {id} revoked")
    );
    let (status, _) = request_with(&server.addr, "GET", "/api/v1/surveys", "", &auth);
    assert_eq!(status, 401);
    assert_eq!(
        manyi(&dir, &["token", "revoke", &id]).status.code(),
        Some(1)
    );
    // Both changes are in the audit log, newest first, made by the CLI.
    let audit = String::from_utf8(manyi(&dir, &["audit"]).stdout).unwrap();
    let lines: Vec<Vec<&str>> = audit
        .lines()
        .map(|line| line.split('\t').collect())
        .collect();
    let token_lines: Vec<(&str, &str)> = lines
        .iter()
        .filter(|fields| fields[3].ends_with("_token"))
        .map(|fields| (fields[2], fields[3]))
        .collect();
    assert_eq!(
        token_lines,
        [("cli", "revoke_token"), ("cli", "create_token")],
        "{audit}"
    );
    drop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_sqlite_url_without_a_mode_creates_its_file_and_one_that_cannot_open_is_named() {
    let dir = std::env::temp_dir().join(format!("manyi-sqlite-url-{}", std::process::id()));
    let file = dir.join("srv").join("bars.db");
    {
        // What `--help` describes: `sqlite:PATH`, created if missing.
        let server = start_with(&format!("sqlite://{}", file.display()), &[]);
        let (status, _) = request(&server.addr, "GET", "/api/v1/surveys/csat", "");
        assert_eq!(status, 200);
        assert!(file.is_file());
    }
    // A path that is a directory cannot be opened as a database: the error names it and says
    // what to check, rather than "internal error".
    let out = Command::new(env!("CARGO_BIN_EXE_manyi"))
        .args(["serve", "--addr", "127.0.0.1:0", "--dist", "no-such-dist"])
        .arg("--database")
        .arg(format!("sqlite:{}", dir.display()))
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "error: cannot open the SQLite database at {}: ",
            dir.display()
        )) && stderr.contains("writable"),
        "{stderr}"
    );
    assert!(!stderr.contains("internal error"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Reads `stream` until the server closes it, failing if that takes more than a generous bound
/// (the bound only stops a broken build from hanging the test run).
fn read_until_closed(stream: &mut TcpStream) -> String {
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .expect("the server closes the connection");
    String::from_utf8_lossy(&raw).into_owned()
}

#[test]
fn connections_that_do_not_finish_their_headers_or_sit_idle_are_closed() {
    let dir = std::env::temp_dir().join(format!("manyi-slow-{}", std::process::id()));
    let url = format!("sqlite://{}/manyi.db", dir.display());
    let server = start_with(&url, &["--header-timeout", "0.2"]);
    // Half a request line, never finished.
    let mut slow = TcpStream::connect(&server.addr).unwrap();
    slow.write_all(b"GET /healthz HT").unwrap();
    assert!(!read_until_closed(&mut slow).contains("200 OK"));
    // A connection that never sends anything.
    let mut silent = TcpStream::connect(&server.addr).unwrap();
    assert_eq!(read_until_closed(&mut silent), "");
    // A kept-alive connection is answered, then closed once it idles.
    let mut idle = TcpStream::connect(&server.addr).unwrap();
    write!(
        idle,
        "GET /healthz HTTP/1.1\r\nHost: {}\r\n\r\n",
        server.addr
    )
    .unwrap();
    let reply = read_until_closed(&mut idle);
    assert!(reply.starts_with("HTTP/1.1 200 OK"), "{reply}");
    assert!(reply.ends_with(r#"{"status":"ok"}"#), "{reply}");
    drop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn beyond_the_connection_cap_a_client_waits_until_a_connection_closes() {
    let dir = std::env::temp_dir().join(format!("manyi-cap-{}", std::process::id()));
    let url = format!("sqlite://{}/manyi.db", dir.display());
    let server = start_with(&url, &["--header-timeout", "0.3", "--max-connections", "1"]);
    // The one connection allowed, silent: the server closes it after the header timeout.
    let mut first = TcpStream::connect(&server.addr).unwrap();
    first.write_all(b"GET").unwrap();
    // The second is only accepted once the first is closed, so by the time its reply arrives
    // the first has been closed already.
    let (status, body) = request(&server.addr, "GET", "/healthz", "");
    assert_eq!((status, body.as_str()), (200, r#"{"status":"ok"}"#));
    first.set_nonblocking(true).unwrap();
    let mut buffer = [0u8; 64];
    assert_eq!(
        first.read(&mut buffer).map_err(|e| e.kind()),
        Ok(0),
        "the first connection was closed before the second was served"
    );
    drop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn rollups_are_rebuilt_from_the_command_line_beside_a_running_server() {
    let dir = std::env::temp_dir().join(format!("manyi-rollups-{}", std::process::id()));
    let out = manyi(
        &dir,
        &["token", "create", "--name", "t", "--role", "analyst"],
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let auth = format!("Authorization: Bearer {token}\r\n");
    let server = start(&dir);
    let batch: Vec<String> = (0..30)
        .map(|i| {
            format!(
                r#"{{"id":"6f1c2a3b-4d5e-4f60-8a7b-{i:012}","survey_id":"nps","survey_version":1,"submitted_at":"2026-11-{:02}T10:00:00Z","answers":{{"nps":{}}},"meta":{{"channel":"web"}}}}"#,
                1 + i % 28,
                i % 11
            )
        })
        .collect();
    let (status, body) = request_with(
        &server.addr,
        "POST",
        "/api/v1/responses",
        &format!("[{}]", batch.join(",")),
        "",
    );
    assert_eq!(status, 200, "{body}");
    let report = |server: &Server| {
        request_with(
            &server.addr,
            "GET",
            "/api/v1/surveys/nps/report?bucket=week&segment=channel",
            "",
            &auth,
        )
    };
    let (_, before) = report(&server);
    let out = manyi(&dir, &["rollup", "rebuild", "--survey", "nps"]);
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && printed.starts_with("nps\tversion 1\trebuilt in "),
        "{printed}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (status, after) = report(&server);
    assert_eq!(status, 200);
    assert_eq!(before, after);
    assert!(after.contains(r#""n":30"#), "{after}");
    let out = manyi(&dir, &["rollup", "rebuild", "--survey", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no survey \"nope\""));
    drop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A webhook receiver on loopback that reads each request's head and body and keeps the
/// `webhook-id`s it saw; while `answer` is off it holds connections without a reply (a
/// delivery in flight), once on it replies 204.
struct Receiver {
    port: u16,
    answer: std::sync::Arc<std::sync::atomic::AtomicBool>,
    seen: std::sync::mpsc::Receiver<(String, bool)>,
}

fn receiver() -> Receiver {
    use std::sync::atomic::Ordering;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let answer = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (tell, seen) = std::sync::mpsc::channel();
    let answering = answer.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let (mut id, mut length) = (String::new(), 0usize);
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                let lower = line.to_ascii_lowercase();
                if let Some(value) = lower.strip_prefix("webhook-id:") {
                    id = value.trim().to_owned();
                }
                if let Some(value) = lower.strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let answered = answering.load(Ordering::SeqCst);
            let _ = tell.send((id, answered));
            if answered {
                let _ = stream.write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
            } else {
                held.push(stream);
            }
        }
    });
    Receiver { port, answer, seen }
}

#[test]
fn webhook_events_committed_before_a_kill_are_delivered_after_the_restart() {
    use std::sync::atomic::Ordering;
    let dir = std::env::temp_dir().join(format!("manyi-webhook-kill-{}", std::process::id()));
    let url = format!("sqlite://{}/manyi.db?mode=rwc", dir.display());
    let options = [
        "--webhook-allow-private",
        "--webhook-timeout",
        "1",
        "--webhook-retry-base",
        "0.05",
    ];
    let out = manyi(
        &dir,
        &["token", "create", "--name", "ops", "--role", "admin"],
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let auth = format!("Authorization: Bearer {token}\r\n");
    let receiver = receiver();
    let mut server = start_with(&url, &options);
    let endpoint = format!(
        r#"{{"url": "http://localhost:{}/hook", "events": ["response.created"]}}"#,
        receiver.port
    );
    let (status, body) = request_with(&server.addr, "POST", "/api/v1/webhooks", &endpoint, &auth);
    assert_eq!(status, 201, "{body}");
    let ids: Vec<String> = (1..=3)
        .map(|n| format!("0b8f5c1e-2d3a-4b5c-8d6e-{n:012}"))
        .collect();
    let batch: Vec<String> = ids
        .iter()
        .map(|id| {
            format!(
                r#"{{"id":"{id}","survey_id":"nps","survey_version":1,"submitted_at":"2026-11-22T10:00:00+08:00","answers":{{"nps":4}}}}"#
            )
        })
        .collect();
    let (status, _) = request(
        &server.addr,
        "POST",
        "/api/v1/responses",
        &format!("[{}]", batch.join(",")),
    );
    assert_eq!(status, 200);
    // The three deliveries are in flight, unanswered, when the server is killed (SIGKILL).
    let mut in_flight: Vec<String> = (0..3)
        .map(|_| {
            receiver
                .seen
                .recv_timeout(std::time::Duration::from_secs(20))
                .unwrap()
        })
        .map(|(id, answered)| {
            assert!(!answered);
            id
        })
        .collect();
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    receiver.answer.store(true, Ordering::SeqCst);
    let server = start_with(&url, &options);
    // After the restart each is sent again, with the id it had, and answered.
    let mut delivered: Vec<String> = Vec::new();
    while delivered.len() < 3 {
        let (id, answered) = receiver
            .seen
            .recv_timeout(std::time::Duration::from_secs(20))
            .unwrap();
        if answered && !delivered.contains(&id) {
            delivered.push(id);
        }
    }
    in_flight.sort();
    delivered.sort();
    assert_eq!(in_flight, delivered);
    drop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}
