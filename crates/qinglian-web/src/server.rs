//! Serving: the router plus background jobs, until shutdown.

use std::future::Future;

use crate::App;

/// Serve `app` on `listener` until `shutdown` resolves. Starts the background jobs.
pub async fn serve(
    app: App,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let jobs = crate::jobs::spawn(app.clone());
    let worker = crate::data_supervision::jobs::spawn_worker(app.clone());
    let router = crate::router::build(app);
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    jobs.abort();
    worker.abort();
    Ok(())
}
