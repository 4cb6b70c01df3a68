//! What the worker and `faas-init` (this crate's binary) say to each other: the
//! activation frame the worker writes to an init container's stdin, and the
//! trailer init writes last on its stdout and stderr once the function is done.
//!
//! The frame is binary and length-prefixed, so that init reads exactly the frame and
//! leaves the rest of stdin (the body of a `stdin`-mode function) to the function:
//!
//! ```text
//! magic "FAAS2" | u32 length of the rest | nonce | argv | env | files
//! nonce:     NONCE_BYTES bytes
//! argv, env: u32 count, then each string as u32 length + bytes
//! files:     u32 count, then each as name (u32 length + bytes) and content (same)
//! ```
//!
//! All integers are little-endian. `argv[0]` is the program (looked up in `PATH` when
//! it has no `/`), `env` entries are `NAME=value` added to the image's environment,
//! and each file is written as `/run/secrets/NAME` (mode 0400) before the function
//! starts. The nonce is the activation's secret: init keeps it to itself and signs
//! its [`trailer`] with it, so that a function cannot fake the end of its own run.

/// The first bytes of every frame.
pub const MAGIC: &[u8; 5] = b"FAAS2";
/// The size of the per-activation nonce.
pub const NONCE_BYTES: usize = 16;
/// A per-activation secret that only the worker and init know.
pub type Nonce = [u8; NONCE_BYTES];
/// Where init writes the frame's files (a tmpfs the worker mounts).
pub const SECRETS_DIR: &str = "/run/secrets";
/// Where the worker mounts the init binary in function containers.
pub const INIT_PATH: &str = "/.faas/init";
/// Largest frame init accepts (the stdin parameter is not part of the frame).
pub const MAX_FRAME_BYTES: u32 = 16 * 1024 * 1024;

/// What the function is started with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frame {
    pub nonce: Nonce,
    pub argv: Vec<Vec<u8>>,
    pub env: Vec<Vec<u8>>,
    pub files: Vec<(String, Vec<u8>)>,
}

impl Frame {
    /// The frame as it goes on the wire.
    pub fn encode(&self) -> Vec<u8> {
        let mut body = self.nonce.to_vec();
        put_list(&mut body, &self.argv);
        put_list(&mut body, &self.env);
        put_u32(&mut body, self.files.len());
        for (name, content) in &self.files {
            put_bytes(&mut body, name.as_bytes());
            put_bytes(&mut body, content);
        }
        let mut frame = MAGIC.to_vec();
        put_u32(&mut frame, body.len());
        frame.extend_from_slice(&body);
        frame
    }

    /// The frame in `body` (what follows the magic and the length).
    pub fn decode(body: &[u8]) -> Result<Self, String> {
        let (nonce, mut input) = body
            .split_first_chunk::<NONCE_BYTES>()
            .ok_or("the frame is cut short")?;
        let argv = take_list(&mut input)?;
        let env = take_list(&mut input)?;
        let count = take_u32(&mut input)?;
        let mut files = Vec::new();
        for _ in 0..count {
            let name = String::from_utf8(take_bytes(&mut input)?)
                .map_err(|_| "a file name is not UTF-8".to_owned())?;
            check_file_name(&name)?;
            files.push((name, take_bytes(&mut input)?));
        }
        if !input.is_empty() {
            return Err("trailing bytes after the frame".into());
        }
        if argv.is_empty() {
            return Err("the frame has no program to run".into());
        }
        Ok(Self {
            nonce: *nonce,
            argv,
            env,
            files,
        })
    }
}

/// How the function ended, as init saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// It exited with this code.
    Exited(u8),
    /// A signal of this number killed it.
    Signalled(u8),
}

impl Ended {
    /// The exit code a container engine reports for it (128 + the signal).
    pub fn exit_code(self) -> i64 {
        match self {
            Ended::Exited(code) => i64::from(code),
            Ended::Signalled(signal) => 128 + i64::from(signal),
        }
    }
}

/// What a trailer starts with: a NUL, so that no text output ends in one by chance.
const TRAILER_MARK: &[u8] = b"\0faas-init-end:";
/// The length of every trailer: the mark, the nonce in hex, `:`, the kind (`x`
/// exit, `s` signal), three decimal digits and a newline.
pub const TRAILER_LEN: usize = TRAILER_MARK.len() + 2 * NONCE_BYTES + 1 + 1 + 3 + 1;

/// The trailer init writes on both stdout and stderr after the function and every
/// process it left have ended: all of the function's output is before it.
pub fn trailer(nonce: &Nonce, ended: Ended) -> Vec<u8> {
    let (kind, value) = match ended {
        Ended::Exited(code) => ('x', code),
        Ended::Signalled(signal) => ('s', signal),
    };
    let mut trailer = TRAILER_MARK.to_vec();
    for byte in nonce {
        trailer.extend_from_slice(format!("{byte:02x}").as_bytes());
    }
    trailer.extend_from_slice(format!(":{kind}{value:03}\n").as_bytes());
    trailer
}

/// How the function ended, if `tail` (the last [`TRAILER_LEN`] bytes of a stream)
/// is init's trailer for `nonce`.
pub fn parse_trailer(tail: &[u8], nonce: &Nonce) -> Option<Ended> {
    let rest = tail.strip_prefix(TRAILER_MARK)?;
    let (hex, rest) = rest.split_at_checked(2 * NONCE_BYTES)?;
    let expected: String = nonce.iter().map(|b| format!("{b:02x}")).collect();
    if hex != expected.as_bytes() {
        return None;
    }
    let [b':', kind, digits @ .., b'\n'] = rest else {
        return None;
    };
    let value: u8 = std::str::from_utf8(digits).ok()?.parse().ok()?;
    match (*kind, digits.len()) {
        (b'x', 3) => Some(Ended::Exited(value)),
        (b's', 3) => Some(Ended::Signalled(value)),
        _ => None,
    }
}

/// A file name init may write under [`SECRETS_DIR`]: one plain path component.
pub fn check_file_name(name: &str) -> Result<(), String> {
    let plain = !name.is_empty()
        && name.len() <= 255
        && name != "."
        && name != ".."
        && !name.contains(['/', '\0']);
    if plain {
        Ok(())
    } else {
        Err(format!(
            "file name {name:?} must be one path component (no '/', not '.' or '..')"
        ))
    }
}

fn put_u32(out: &mut Vec<u8>, n: usize) {
    let n = u32::try_from(n).expect("frame parts are far below 4 GiB");
    out.extend_from_slice(&n.to_le_bytes());
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put_u32(out, bytes.len());
    out.extend_from_slice(bytes);
}

fn put_list(out: &mut Vec<u8>, list: &[Vec<u8>]) {
    put_u32(out, list.len());
    for item in list {
        put_bytes(out, item);
    }
}

fn take_u32(input: &mut &[u8]) -> Result<u32, String> {
    let (head, rest) = input
        .split_first_chunk::<4>()
        .ok_or("the frame is cut short")?;
    *input = rest;
    Ok(u32::from_le_bytes(*head))
}

fn take_bytes(input: &mut &[u8]) -> Result<Vec<u8>, String> {
    let len = take_u32(input)? as usize;
    if input.len() < len {
        return Err("the frame is cut short".into());
    }
    let (bytes, rest) = input.split_at(len);
    *input = rest;
    Ok(bytes.to_vec())
}

fn take_list(input: &mut &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let count = take_u32(input)?;
    (0..count).map(|_| take_bytes(input)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip() {
        let frame = Frame {
            nonce: [7; NONCE_BYTES],
            argv: vec![b"/bin/sh".to_vec(), b"-c".to_vec(), b"echo \0x".to_vec()],
            env: vec![b"FAAS_PARAM=x".to_vec()],
            files: vec![("token".into(), vec![0, 1, 2])],
        };
        let wire = frame.encode();
        assert_eq!(&wire[..5], MAGIC);
        assert_eq!(Frame::decode(&wire[9..]), Ok(frame));
    }

    #[test]
    fn bad_frames_are_refused() {
        let frame = Frame {
            argv: vec![b"x".to_vec()],
            ..Frame::default()
        };
        let wire = frame.encode();
        assert!(Frame::decode(&wire[9..wire.len() - 1]).is_err());
        assert!(Frame::decode(&Frame::default().encode()[9..]).is_err());
        assert!(Frame::decode(&wire[9..9 + NONCE_BYTES - 1]).is_err());
        for name in ["", ".", "..", "a/b", "../x"] {
            let mut bad = frame.clone();
            bad.files.push((name.into(), vec![]));
            assert!(Frame::decode(&bad.encode()[9..]).is_err(), "{name:?}");
        }
    }

    #[test]
    fn trailers_parse_only_with_their_nonce() {
        let nonce = [0xab; NONCE_BYTES];
        for ended in [Ended::Exited(0), Ended::Exited(255), Ended::Signalled(9)] {
            let trailer = trailer(&nonce, ended);
            assert_eq!(trailer.len(), TRAILER_LEN);
            assert_eq!(parse_trailer(&trailer, &nonce), Some(ended));
            assert_eq!(parse_trailer(&trailer, &[0xac; NONCE_BYTES]), None);
        }
        let mut odd = trailer(&nonce, Ended::Exited(3));
        odd[TRAILER_LEN - 5] = b'y';
        assert_eq!(parse_trailer(&odd, &nonce), None);
        assert_eq!(parse_trailer(b"short", &nonce), None);
        assert_eq!(Ended::Signalled(9).exit_code(), 137);
    }
}
