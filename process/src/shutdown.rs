//! When a service stops: Ctrl-C, or SIGTERM from `docker stop`, Swarm, Kubernetes or
//! Kumori. The future is handed to `run(…, shutdown)`, which drains before returning.

/// Resolves on Ctrl-C or (on Unix) SIGTERM.
pub async fn signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => tokio::select! {
                _ = ctrl_c => {}
                _ = term.recv() => {}
            },
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
