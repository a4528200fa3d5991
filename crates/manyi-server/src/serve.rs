//! Running the server: the built-in templates published on a fresh database, and the router
//! served on a socket until Ctrl-C, with bounds on what a connection may hold.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::sync::Semaphore;
use tower::ServiceExt;

use manyi_api::AuditAction;

use crate::db::{AuditRecord, Db};
use crate::error::AppError;
use crate::policy::REQUEST_TIMEOUT;
use crate::router::app;
use crate::state::AppState;

/// Publishes the built-in templates (version 1 each) unless they are there, so the app's
/// surveys exist on a fresh server.
pub async fn publish_templates(db: &Db) -> Result<(), AppError> {
    for name in manyi_core::templates::names() {
        let survey = manyi_core::templates::get(name)
            .expect("listed templates exist")
            .map_err(|e| AppError::Internal(format!("template {name}: {e}")))?;
        let record = AuditRecord {
            token_id: None,
            actor: "server".to_owned(),
            action: AuditAction::Publish,
            survey_id: Some(survey.id.clone()),
            detail: format!("built-in template, version {}", survey.version),
        };
        db.publish(&survey, &record).await?;
    }
    Ok(())
}

/// What one connection may hold of the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// How long a client has to send a request's headers, from the moment the connection
    /// waits for them: after it opens and, on a kept-alive connection, after each reply. A
    /// connection that does not finish its headers in time, or stays idle that long, is closed,
    /// so slow or silent clients cannot hold connections open.
    pub header_timeout: Duration,
    /// How many connections are served at once. Beyond it the server stops accepting until one
    /// closes (further clients wait in the kernel's queue), so it never runs out of file
    /// descriptors or memory.
    pub max_connections: usize,
}

impl ConnectionLimits {
    /// 10 seconds for headers (a phone on a poor network sends them in well under one) and
    /// 1,024 connections.
    pub const DEFAULT: ConnectionLimits = ConnectionLimits {
        header_timeout: Duration::from_secs(10),
        max_connections: 1024,
    };
}

/// Runs the server on `addr` until Ctrl-C.
///
/// Connections speak HTTP/1.1 only: hyper's header-read timeout exists for HTTP/1 alone, and
/// telling HTTP/2 from HTTP/1 waits for bytes without a bound. Browsers never use cleartext
/// HTTP/2, and a reverse proxy in front that terminates TLS (see the README) speaks HTTP/2 to
/// browsers itself.
pub async fn serve(
    addr: SocketAddr,
    state: AppState,
    limits: ConnectionLimits,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    println!("manyi is running at http://{local}/");
    state.db.spawn_rollup_builds();
    state.db.spawn_folder();
    crate::webhooks::spawn_sender(state.db.clone(), state.webhooks);
    let router = app(state);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        // A permit is taken before accepting, so at the cap no connection is accepted at all.
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            _ = &mut ctrl_c => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    accept_failed(error).await;
                    continue;
                }
            },
            _ = &mut ctrl_c => break,
        };
        let router = router.clone();
        // The client's address reaches the handlers as `ConnectInfo`, as with axum's own server.
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(request)
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%peer, %error, "connection closed with an error");
            }
            drop(permit);
        });
    }
    // Ctrl-C: no new connections; idle ones close now and busy ones after their reply, for at
    // most as long as a request may take.
    drop(listener);
    if tokio::time::timeout(REQUEST_TIMEOUT, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after {REQUEST_TIMEOUT:?}; stopping anyway");
    }
    Ok(())
}

/// A failed accept: a connection that went away before it was accepted is that client's
/// problem; anything else (such as running out of file descriptors) is logged and given a
/// moment to pass rather than retried in a busy loop.
async fn accept_failed(error: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if !matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        tracing::error!(%error, "cannot accept a connection");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
