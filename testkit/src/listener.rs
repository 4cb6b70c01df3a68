//! Stand-ins for hosts a hostile image reference points the Docker Engine at: a TCP
//! listener on the host's loopback that counts the connections it gets, and either
//! never answers (a registry that hangs) or answers every request with a body that
//! must never reach a caller (a service that is not a registry).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// What a secret-holding listener answers: tests assert it never shows up.
pub const SECRET: &str = "db_password=hunter2";

/// A listener on `127.0.0.1:<port>`, stopped when dropped.
pub struct Listener {
    port: u16,
    connections: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl Listener {
    /// Accepts connections and never sends a byte (holding them open).
    pub async fn silent() -> Self {
        Self::start(None).await
    }

    /// Answers every request `404` with a body holding [`SECRET`], then closes.
    pub async fn answering_a_secret() -> Self {
        Self::start(Some(format!("internal config: {SECRET}\n"))).await
    }

    async fn start(body: Option<String>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = connections.clone();
        let task = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((mut socket, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                match &body {
                    None => held.push(socket),
                    Some(body) => {
                        let body = body.clone();
                        tokio::spawn(async move {
                            let mut request = [0u8; 4096];
                            let _ = socket.read(&mut request).await;
                            let answer = format!(
                                "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                                body.len()
                            );
                            let _ = socket.write_all(answer.as_bytes()).await;
                        });
                    }
                }
            }
        });
        Self {
            port,
            connections,
            task,
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Connections accepted after waiting `settle` for stragglers.
    pub async fn connections_after(&self, settle: Duration) -> usize {
        tokio::time::sleep(settle).await;
        self.connections()
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.task.abort();
    }
}
