//! Running the server: the built-in templates published on a fresh database, and the router
//! served on a socket until Ctrl-C.

use crate::db::Db;
use crate::error::AppError;
use crate::router::app;
use crate::state::AppState;

/// Publishes the built-in templates (version 1 each) unless they are there, so the app's
/// surveys exist on a fresh server.
pub async fn publish_templates(db: &Db) -> Result<(), AppError> {
    for name in manyi_core::templates::names() {
        let survey = manyi_core::templates::get(name)
            .expect("listed templates exist")
            .map_err(|e| AppError::Internal(format!("template {name}: {e}")))?;
        db.publish(&survey).await?;
    }
    Ok(())
}

/// Runs the server on `addr` until Ctrl-C.
pub async fn serve(addr: std::net::SocketAddr, state: AppState) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    println!("manyi is running at http://{local}/");
    let service = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
