//! An answer the server knows before the request body has arrived (401 without a
//! token, 404 for an unknown route) still reaches a client that is sending the body:
//! the server reads the body first, instead of closing the connection on it, which
//! made the client's kernel see a reset and lose the answer (found by schemathesis).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use faas_shared::paths;
use faas_testkit::Platform;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};

/// Sends `method path` over TLS with a 32 KiB body in parts, a moment apart,
/// and returns what comes back (or the error reading it).
fn send_slowly(address: &str, ca_cert: &Path, method: &str, path: &str) -> std::io::Result<String> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca_cert).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tls =
        rustls::ClientConnection::new(Arc::new(config), ServerName::try_from("localhost").unwrap())
            .unwrap();
    let body = vec![b'x'; 32 * 1024];
    let socket = TcpStream::connect(address)?;
    socket.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut stream = rustls::StreamOwned::new(tls, socket);
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: faas\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    )?;
    // The body follows in two parts, as a client streaming it sends it; had the
    // server closed the connection on the unread body, the second part would meet
    // a reset.
    let (first, second) = body.split_at(body.len() / 2);
    std::thread::sleep(Duration::from_millis(10));
    stream.write_all(first)?;
    stream.flush()?;
    std::thread::sleep(Duration::from_millis(50));
    stream.write_all(second)?;
    stream.flush()?;
    let mut answer = vec![0; 4096];
    let n = stream.read(&mut answer)?;
    Ok(String::from_utf8_lossy(&answer[..n]).into_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn early_answers_reach_a_client_still_sending_its_body() {
    let platform = Platform::dev().await;
    let address = platform.url().strip_prefix("https://").unwrap().to_owned();
    let ca_cert = platform.ca_cert().to_owned();
    let answers = tokio::task::spawn_blocking(move || {
        let mut answers = Vec::new();
        for _ in 0..10 {
            answers.push(send_slowly(&address, &ca_cert, "DELETE", paths::ME));
            answers.push(send_slowly(&address, &ca_cert, "POST", "/v1/no-such-route"));
        }
        answers
    })
    .await
    .unwrap();
    for answer in answers {
        let answer = answer.expect("the answer, not a reset connection");
        assert!(
            answer.starts_with("HTTP/1.1 401") || answer.starts_with("HTTP/1.1 404"),
            "{answer}"
        );
    }
    platform.stop().await;
}
