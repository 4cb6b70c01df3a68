//! `faas-init`, as every backend uses it: the binary (static, so it runs in any
//! image) and what an init container reads on stdin to run the function (the
//! activation frame: nonce, argv, environment, secret files; then the `stdin`-mode
//! parameter). How the binary gets into the sandbox and how stdin is written are
//! the backend's.

use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use sha2::Digest;

use faas_shared::activation::ActivationRequest;
use faas_shared::{ParamMode, RunFailure, RunFailureKind};

use super::sandbox::environment;

/// A file a function gets under `/run/secrets` (name, content).
pub type SecretFile = (String, Vec<u8>);

/// The static `faas-init` built with the worker (`worker/build.rs`).
const EMBEDDED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/faas-init"));

/// The embedded init as a file the backends can use (the Docker backend reads it
/// into its init volume, the OCI backend binds it read-only): in a directory only
/// this user can write (`/run/faas-worker` for root, else `faas-worker-<uid>` in
/// the temporary directory), named by its digest, written once.
pub(crate) fn embedded() -> anyhow::Result<PathBuf> {
    // SAFETY: geteuid has no preconditions.
    let uid = unsafe { libc::geteuid() };
    let dir = if uid == 0 {
        PathBuf::from("/run/faas-worker")
    } else {
        std::env::temp_dir().join(format!("faas-worker-{uid}"))
    };
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .map_err(|e| anyhow::anyhow!("creating {}: {e}", dir.display()))?;
    let meta = std::fs::symlink_metadata(&dir)?;
    if !meta.is_dir() || meta.uid() != uid || meta.mode() & 0o022 != 0 {
        anyhow::bail!(
            "{} is not a directory only this user can write: remove it, or set FAAS_WORKER_INIT",
            dir.display()
        );
    }
    let digest = hex::encode(&sha2::Sha256::digest(EMBEDDED)[..8]);
    let path = dir.join(format!("faas-init-{digest}"));
    if std::fs::read(&path).is_ok_and(|on_disk| on_disk == EMBEDDED) {
        return Ok(path);
    }
    // Written aside and renamed: a worker starting beside never sees half of it.
    let partial = dir.join(format!(".faas-init-{digest}-{}", std::process::id()));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o755)
        .open(&partial)?;
    std::io::Write::write_all(&mut file, EMBEDDED)?;
    file.sync_all()?;
    std::fs::set_permissions(&partial, std::fs::Permissions::from_mode(0o755))?;
    std::fs::rename(&partial, &path)?;
    Ok(path)
}

/// The binary at `path`, if it is a static executable (checked at start-up too,
/// so that a worker given a dynamic one says so once and starts everything cold).
pub(crate) fn read_static(path: &Path) -> anyhow::Result<Vec<u8>> {
    let binary = std::fs::read(path).map_err(|e| {
        anyhow::anyhow!(
            "reading the init binary {} (set FAAS_WORKER_INIT): {e}",
            path.display()
        )
    })?;
    if !is_static(&binary) {
        anyhow::bail!(
            "{} is not a static executable, so it cannot run in every image: build it with RUSTFLAGS=\"-C target-feature=+crt-static\" cargo build -p faas-init --release --target x86_64-unknown-linux-gnu",
            path.display()
        );
    }
    Ok(binary)
}

/// Whether `binary` is a 64-bit ELF executable without a program interpreter (a
/// dynamic one needs the loader and libc of the image it runs in).
fn is_static(binary: &[u8]) -> bool {
    const PT_INTERP: u32 = 3;
    let read = |at: usize, len: usize| binary.get(at..at + len);
    let (Some(magic), Some(phoff), Some(phentsize), Some(phnum)) =
        (read(0, 5), read(0x20, 8), read(0x36, 2), read(0x38, 2))
    else {
        return false;
    };
    if magic != b"\x7fELF\x02" {
        return false;
    }
    let phoff = u64::from_le_bytes(phoff.try_into().unwrap_or_default()) as usize;
    let phentsize = u16::from_le_bytes(phentsize.try_into().unwrap_or_default()) as usize;
    let phnum = u16::from_le_bytes(phnum.try_into().unwrap_or_default()) as usize;
    (0..phnum).all(|i| {
        read(phoff + i * phentsize, 4).is_some_and(|kind| {
            u32::from_le_bytes(kind.try_into().unwrap_or_default()) != PT_INTERP
        })
    })
}

/// The frame that makes init run `request`'s function: the activation's `nonce`
/// (which signs init's trailer), the argv of the image's own `entrypoint` and `cmd`
/// (as [`function_argv`]), the function's environment and its secret files; or why
/// init cannot start it.
pub(crate) fn frame(
    nonce: faas_init::Nonce,
    entrypoint: Vec<String>,
    cmd: Vec<String>,
    request: &ActivationRequest,
    secrets: Vec<SecretFile>,
) -> Result<faas_init::Frame, RunFailure> {
    if let Some(why) = secrets
        .iter()
        .find_map(|(name, _)| faas_init::check_file_name(name).err())
    {
        return Err(RunFailure {
            kind: RunFailureKind::Runtime,
            message: format!("a secret cannot be written: {why}"),
        });
    }
    let argv = function_argv(entrypoint, cmd, request);
    if argv.is_empty() {
        return Err(RunFailure {
            kind: RunFailureKind::Runtime,
            message: format!(
                "image {} has neither an entrypoint nor a command to run",
                request.image
            ),
        });
    }
    Ok(faas_init::Frame {
        nonce,
        argv: argv.into_iter().map(String::into_bytes).collect(),
        env: environment(request)
            .into_iter()
            .map(String::into_bytes)
            .collect(),
        files: secrets,
    })
}

/// Everything init reads on stdin: `frame`, then the parameter in `stdin` mode.
/// Closing stdin after it is the function's EOF.
pub(crate) fn stdin_of(frame: &faas_init::Frame, request: &ActivationRequest) -> Vec<u8> {
    let mut payload = frame.encode();
    if request.param_mode == ParamMode::Stdin {
        payload.extend_from_slice(request.param.as_bytes());
    }
    payload
}

/// Writes `bytes` to a sandbox's stdin, then closes it (the function's EOF).
/// Concurrently, so that a function that prints before reading all its input
/// cannot deadlock us.
pub(crate) fn feed_stdin(
    mut input: impl tokio::io::AsyncWrite + Send + Unpin + 'static,
    bytes: Vec<u8>,
) {
    use tokio::io::AsyncWriteExt;
    tokio::spawn(async move {
        let _ = input.write_all(&bytes).await;
        let _ = input.shutdown().await;
    });
}

/// What the function runs as, like `docker run --rm IMAGE [PARAM]`: the image's
/// entrypoint, then in `argv` mode the parameter in place of its command.
fn function_argv(
    entrypoint: Vec<String>,
    cmd: Vec<String>,
    request: &ActivationRequest,
) -> Vec<String> {
    let mut argv = entrypoint;
    if request.param_mode == ParamMode::Argv {
        argv.push(request.param.clone());
    } else {
        argv.extend(cmd);
    }
    argv
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_dynamic_executable_is_not_static() {
        let me = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        assert!(
            !super::is_static(&me),
            "test binaries are linked dynamically"
        );
        assert!(!super::is_static(b"#!/bin/sh\n"));
    }
}
