//! Capped capture of a container's stdout and stderr.
//!
//! A function may print far more than we keep. We keep reading past the cap (and
//! drop the excess) so the function never blocks on a full pipe, and flag the cut.

pub use faas_shared::{MAX_LOG_BYTES, MAX_RESULT_BYTES};

#[derive(Debug, Default)]
pub struct CappedBuffer {
    bytes: Vec<u8>,
    cap: usize,
    truncated: bool,
}

impl CappedBuffer {
    pub fn new(cap: usize) -> Self {
        Self {
            bytes: Vec::new(),
            cap,
            truncated: false,
        }
    }

    pub fn push(&mut self, chunk: &[u8]) {
        let room = self.cap.saturating_sub(self.bytes.len());
        if chunk.len() > room {
            self.truncated = true;
        }
        self.bytes
            .extend_from_slice(&chunk[..chunk.len().min(room)]);
    }

    /// The text (invalid UTF-8 replaced) and whether it was cut.
    pub fn finish(&self) -> (String, bool) {
        (
            String::from_utf8_lossy(&self.bytes).into_owned(),
            self.truncated,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_up_to_the_cap_and_flags_the_rest() {
        let mut buffer = CappedBuffer::new(5);
        buffer.push(b"abc");
        assert_eq!(buffer.finish(), ("abc".into(), false));
        buffer.push(b"defg");
        buffer.push(b"hij");
        assert_eq!(buffer.finish(), ("abcde".into(), true));
    }
}
