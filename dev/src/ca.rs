//! The development certificate authority of `faas-server dev`.
//!
//! On first start we make a CA, sign a server certificate for `localhost`,
//! `127.0.0.1` and `::1` with it, and write `ca.pem`, `server.pem` and
//! `server-key.pem` to the data dir. The CA's private key is never written: nothing
//! else can ever be signed with it, so trusting `ca.pem` trusts only this server.
//! Later starts reuse the files, so a client that trusts `ca.pem` keeps working.

use std::path::{Path, PathBuf};

use anyhow::Context;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};

use faas_api::TlsFiles;

/// Where the dev certificates live.
pub struct DevCertificates {
    pub ca_cert: PathBuf,
    pub server: TlsFiles,
}

/// Reuses the certificates in `dir`, or creates them.
pub fn ensure_dev_certificates(dir: &Path) -> anyhow::Result<DevCertificates> {
    let certs = DevCertificates {
        ca_cert: dir.join("ca.pem"),
        server: TlsFiles {
            cert: dir.join("server.pem"),
            key: dir.join("server-key.pem"),
        },
    };
    if certs.ca_cert.exists() && certs.server.cert.exists() && certs.server.key.exists() {
        return Ok(certs);
    }
    let (ca_pem, cert_pem, key_pem) = generate().context("generating the dev certificates")?;
    write_private(&certs.server.key, &key_pem)?;
    std::fs::write(&certs.server.cert, cert_pem)
        .with_context(|| format!("writing {}", certs.server.cert.display()))?;
    std::fs::write(&certs.ca_cert, ca_pem)
        .with_context(|| format!("writing {}", certs.ca_cert.display()))?;
    Ok(certs)
}

/// (CA certificate, server certificate, server key), all PEM.
fn generate() -> Result<(String, String, String), rcgen::Error> {
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "faas dev CA");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate()?)?;

    let mut params = CertificateParams::new(vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ])?;
    params
        .distinguished_name
        .push(DnType::CommonName, "faas dev server");
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyPair::generate()?;
    let cert = params.signed_by(&key, &ca)?;
    Ok((ca.pem(), cert.pem(), key.serialize_pem()))
}

/// Writes a secret readable by the owner only.
pub fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    file.write_all(contents.as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}
