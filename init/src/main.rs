//! `faas-init`: PID 1 of faas function containers. It blocks on stdin until the
//! worker hands it an activation frame ([`faas_init::Frame`]), writes the frame's
//! files under `/run/secrets`, and starts the function as its child with the frame's
//! argv and environment. Stdin is read unbuffered, exactly up to the frame's end, so
//! what follows (a `stdin`-mode parameter) is the function's own stdin.
//!
//! When the function ends, init ends every other process in the container, then
//! writes [`faas_init::trailer`] on stdout and on stderr: the worker answers at the
//! trailers, without waiting for the engine to report the container's exit. The
//! trailer is signed with the frame's nonce, which init never passes on and keeps
//! out of reach (it makes itself non-dumpable before reading it), so what the
//! function prints cannot pass for it.
//!
//! Static, with no dependency beyond libc's bindings: it must run in any image,
//! FROM scratch included.

use std::ffi::OsString;
use std::fs::File;
use std::io::{Read, Write};
use std::mem::ManuallyDrop;
use std::os::fd::FromRawFd;
use std::os::unix::ffi::OsStringExt;
use std::os::unix::fs::OpenOptionsExt;
use std::process::{Command, ExitCode};

use faas_init::{Ended, Frame, MAGIC, MAX_FRAME_BYTES, NONCE_BYTES, SECRETS_DIR};

/// How a function that could not be started ends (as `docker run` answers for a
/// command that cannot be run).
const CANNOT_RUN: Ended = Ended::Exited(127);

fn main() -> ExitCode {
    // Before the nonce is in memory: a non-dumpable process's memory, environment
    // and descriptors cannot be read or traced by another process of its uid.
    // SAFETY: prctl with integer arguments only.
    if unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) } != 0 {
        return cannot_run(&format!(
            "cannot make init non-dumpable: {}",
            std::io::Error::last_os_error()
        ));
    }
    let frame = match read_frame() {
        Ok(frame) => frame,
        Err(error) => return cannot_run(&error),
    };
    let ended = match start(&frame) {
        Ok(pid) => wait_for(pid),
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "faas-init: {error}");
            CANNOT_RUN
        }
    };
    end_the_others();
    let trailer = faas_init::trailer(&frame.nonce, ended);
    // Each stream is ordered: the trailer on both is the end of all output.
    let _ = std::io::stdout().write_all(&trailer);
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().write_all(&trailer);
    ExitCode::from(u8::try_from(ended.exit_code()).unwrap_or(u8::MAX))
}

/// Says why on stderr, and ends as a command that cannot be run (no trailer: there
/// is no frame to sign it with).
fn cannot_run(error: &str) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "faas-init: {error}");
    ExitCode::from(127)
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
    if len > MAX_FRAME_BYTES || (len as usize) < NONCE_BYTES {
        return Err(format!(
            "the activation frame's length ({len} bytes) is out of bounds"
        ));
    }
    let mut body = vec![0; len as usize];
    stdin
        .read_exact(&mut body)
        .map_err(|e| format!("the activation frame is cut short: {e}"))?;
    Frame::decode(&body)
}

/// Writes the files and starts the function; its pid.
fn start(frame: &Frame) -> Result<libc::pid_t, String> {
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
    let mut argv = frame.argv.iter().cloned().map(OsString::from_vec);
    let program = argv.next().ok_or("no program to run")?;
    let mut command = Command::new(&program);
    command.args(argv);
    for entry in &frame.env {
        let split = entry.iter().position(|&b| b == b'=').unwrap_or(entry.len());
        let (name, value) = entry.split_at(split);
        command.env(
            OsString::from_vec(name.to_vec()),
            OsString::from_vec(value.get(1..).unwrap_or_default().to_vec()),
        );
    }
    let child = command
        .spawn()
        .map_err(|e| format!("cannot run {program:?}: {e}"))?;
    // Reaped by `wait_for`, not through `child`.
    Ok(child.id() as libc::pid_t)
}

/// Waits for the function's end, reaping on the way the orphans that come to PID 1.
fn wait_for(function: libc::pid_t) -> Ended {
    loop {
        let mut status = 0;
        // SAFETY: waitpid writes only to `status`.
        let pid = unsafe { libc::waitpid(-1, &mut status, 0) };
        if pid == function {
            return if libc::WIFSIGNALED(status) {
                Ended::Signalled(u8::try_from(libc::WTERMSIG(status)).unwrap_or(u8::MAX))
            } else {
                Ended::Exited(u8::try_from(libc::WEXITSTATUS(status)).unwrap_or(u8::MAX))
            };
        }
        if pid < 0 && std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            // No child left: the function is gone without a status we could read.
            return Ended::Signalled(libc::SIGKILL as u8);
        }
    }
}

/// Kills every other process of the container and reaps them all, so that nothing
/// writes after the trailer. As PID 1 of its PID namespace, `kill(-1)` reaches
/// every process but init itself, and every orphan becomes init's child.
fn end_the_others() {
    loop {
        // SAFETY: plain syscalls; a process forked meanwhile is killed next round.
        unsafe { libc::kill(-1, libc::SIGKILL) };
        let pid = unsafe { libc::waitpid(-1, std::ptr::null_mut(), 0) };
        if pid < 0 && std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            return;
        }
    }
}
