//! `faas-init`: the entrypoint of prewarmed faas containers. It blocks on stdin
//! until the worker hands it an activation frame ([`faas_init::Frame`]), writes the
//! frame's files under `/run/secrets`, and execs the function with the frame's
//! argv and environment. Stdin is read unbuffered, exactly up to the frame's end,
//! so what follows (a `stdin`-mode parameter) is the function's own stdin.
//!
//! Static and dependency-free: it must run in any image, FROM scratch included.

use std::ffi::OsString;
use std::fs::File;
use std::io::{Read, Write};
use std::mem::ManuallyDrop;
use std::os::fd::FromRawFd;
use std::os::unix::ffi::OsStringExt;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitCode};

use faas_init::{Frame, MAGIC, MAX_FRAME_BYTES, SECRETS_DIR};

/// The exit code of a container whose function could not be started (as
/// `docker run` answers for a command that cannot be run).
const CANNOT_RUN: u8 = 127;

fn main() -> ExitCode {
    let error = match read_frame().and_then(run) {
        Ok(never) => match never {},
        Err(error) => error,
    };
    let _ = writeln!(std::io::stderr(), "faas-init: {error}");
    ExitCode::from(CANNOT_RUN)
}

/// The frame on stdin, read without buffering past its end.
fn read_frame() -> Result<Frame, String> {
    // SAFETY: fd 0 is this process's stdin; ManuallyDrop leaves it open for the
    // function.
    let mut stdin = ManuallyDrop::new(unsafe { File::from_raw_fd(0) });
    let mut head = [0u8; 9];
    stdin
        .read_exact(&mut head)
        .map_err(|e| format!("no activation frame on stdin: {e}"))?;
    if &head[..5] != MAGIC {
        return Err("stdin does not start with an activation frame".into());
    }
    let len = u32::from_le_bytes([head[5], head[6], head[7], head[8]]);
    if len > MAX_FRAME_BYTES {
        return Err(format!("the activation frame is too large ({len} bytes)"));
    }
    let mut body = vec![0; len as usize];
    stdin
        .read_exact(&mut body)
        .map_err(|e| format!("the activation frame is cut short: {e}"))?;
    Frame::decode(&body)
}

/// Writes the files and execs the function; returns only on failure.
fn run(frame: Frame) -> Result<std::convert::Infallible, String> {
    for (name, content) in &frame.files {
        let path = format!("{SECRETS_DIR}/{name}");
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o400)
            .open(&path)
            .and_then(|mut file| file.write_all(content))
            .map_err(|e| format!("writing {path}: {e}"))?;
    }
    let mut argv = frame.argv.into_iter().map(OsString::from_vec);
    let program = argv.next().ok_or("no program to run")?;
    let mut command = Command::new(&program);
    command.args(argv);
    for entry in frame.env {
        let entry = OsString::from_vec(entry);
        let bytes = entry.as_encoded_bytes();
        let split = bytes.iter().position(|&b| b == b'=').unwrap_or(bytes.len());
        let (name, value) = bytes.split_at(split);
        command.env(
            OsString::from_vec(name.to_vec()),
            OsString::from_vec(value.get(1..).unwrap_or_default().to_vec()),
        );
    }
    let error = command.exec();
    Err(format!("cannot run {program:?}: {error}"))
}
