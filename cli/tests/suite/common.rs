//! Helpers of the CLI's own tests: a hermetic `faasctl` command, fake tokens, and a
//! tiny HTTPS server with canned answers for client-behaviour tests. What the CLI
//! shares with the server and worker tests (the real platform) is in faas-testkit.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use assert_cmd::Command;
use base64::Engine as _;
use tempfile::TempDir;

/// `faasctl` with its config, home and working directory in `home`, the keyring off
/// and no inherited `FAAS_*` settings, so a test never touches real configuration.
pub fn faasctl(home: &TempDir) -> Command {
    Command::from_std(faasctl_std(home))
}

/// The same as [`faasctl`], as a plain `std::process::Command` (for a pseudo-terminal).
pub fn faasctl_std(home: &TempDir) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin!("faasctl"));
    for var in [
        "FAAS_TOKEN",
        "FAAS_API_URL",
        "FAAS_CA_CERT",
        "FAASCTL_PROFILE",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
        .env("FAASCTL_CONFIG", config_path(home.path()))
        .env("FAASCTL_NO_KEYRING", "1")
        .current_dir(home.path());
    cmd
}

pub fn config_path(home: &Path) -> PathBuf {
    home.join(".config/faasctl/config.toml")
}

pub fn credentials_path(home: &Path) -> PathBuf {
    home.join(".config/faasctl/credentials.json")
}

/// An unsigned JWT with the claims faasctl reads.
pub fn token(sub: &str, exp: i64) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = b64.encode(br#"{"alg":"ES256","typ":"JWT"}"#);
    let payload = b64.encode(format!(r#"{{"sub":"{sub}","exp":{exp}}}"#));
    format!("{header}.{payload}.c2lnbmF0dXJl")
}

pub fn valid_token(sub: &str) -> String {
    token(sub, chrono::Utc::now().timestamp() + 3600)
}

/// A loopback URL where nothing listens.
pub fn dead_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("https://127.0.0.1:{port}")
}

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: body.to_string(),
        }
    }

    pub fn error(status: u16, code: &str, message: &str) -> Self {
        Self::json(
            status,
            serde_json::json!({"error": {"code": code, "message": message}}),
        )
    }
}

/// An HTTPS server on 127.0.0.1 with its own CA, answering every request through
/// `handler` and recording what it received. Threads, no async: it only has to serve
/// one CLI process at a time.
pub struct FakeServer {
    pub url: String,
    pub ca_cert: PathBuf,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl FakeServer {
    /// `faasctl ARGS --api-url URL --ca-cert CA`, pointed at this server.
    pub fn faasctl(&self, home: &TempDir, args: &[&str]) -> Command {
        let mut cmd = faasctl(home);
        cmd.args(args)
            .args(["--api-url", &self.url, "--ca-cert"])
            .arg(&self.ca_cert);
        cmd
    }

    pub fn start(
        dir: &Path,
        handler: impl Fn(&Request) -> Reply + Send + Sync + 'static,
    ) -> FakeServer {
        faas_process::install_crypto_provider();
        let (ca_pem, cert_der, key_der) = certificates();
        let ca_cert = dir.join("fake-ca.pem");
        std::fs::write(&ca_cert, ca_pem).unwrap();
        let config = Arc::new(
            rustls::ServerConfig::builder()
                .with_no_client_auth()
                .with_single_cert(vec![cert_der], key_der)
                .unwrap(),
        );
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "https://127.0.0.1:{}",
            listener.local_addr().unwrap().port()
        );
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler = Arc::new(handler);
        {
            let requests = requests.clone();
            std::thread::spawn(move || {
                for tcp in listener.incoming().flatten() {
                    let (config, requests, handler) =
                        (config.clone(), requests.clone(), handler.clone());
                    std::thread::spawn(move || {
                        let conn = rustls::ServerConnection::new(config).unwrap();
                        let mut tls = rustls::StreamOwned::new(conn, tcp);
                        // A client that rejects the certificate ends here.
                        let Some(request) = read_request(&mut tls) else {
                            return;
                        };
                        let reply = handler(&request);
                        requests.lock().unwrap().push(request);
                        let _ = write_reply(&mut tls, &reply);
                    });
                }
            });
        }
        FakeServer {
            url,
            ca_cert,
            requests,
        }
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

fn certificates() -> (
    String,
    rustls::pki_types::CertificateDer<'static>,
    rustls::pki_types::PrivateKeyDer<'static>,
) {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    let key_der = rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
    (ca.pem(), cert.der().clone(), key_der)
}

fn read_request(stream: &mut impl std::io::Read) -> Option<Request> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        path,
        headers,
        body,
    })
}

fn write_reply(
    tls: &mut rustls::StreamOwned<rustls::ServerConnection, std::net::TcpStream>,
    reply: &Reply,
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} Whatever\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
        reply.status,
        reply.body.len()
    );
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    tls.write_all(head.as_bytes())?;
    tls.write_all(reply.body.as_bytes())?;
    tls.flush()?;
    tls.conn.send_close_notify();
    tls.flush()
}
