//! In-band completion: a sandbox's stdout and stderr as they arrive, each holding
//! back its last bytes until it is known whether they are `faas-init`'s trailer
//! ([`faas_init::trailer`]). Once both streams end in a trailer signed with the
//! activation's nonce, the function and every process it left are gone and all of
//! their output is here: the answer need not wait for the engine to report the
//! container's exit.
//!
//! Only a trailer at the very end of a stream counts, and only with the nonce: bytes
//! a function prints that look like one are its output like any other.

use faas_init::{Ended, Nonce, TRAILER_LEN};

use super::outcome::Captured;
use crate::output::CappedBuffer;

/// A fresh nonce for one activation.
pub(crate) fn nonce() -> Nonce {
    let mut nonce = Nonce::default();
    getrandom::getrandom(&mut nonce).expect("the kernel's random source");
    nonce
}

/// One stream, with the bytes that may still turn out to be the trailer held back.
#[derive(Default)]
struct Stream {
    kept: CappedBuffer,
    held: Vec<u8>,
    ended: Option<Ended>,
}

impl Stream {
    fn new(cap: CappedBuffer) -> Self {
        Self {
            kept: cap,
            ..Self::default()
        }
    }

    fn push(&mut self, chunk: &[u8], nonce: Option<&Nonce>) {
        if self.ended.is_some() {
            // Nothing runs after the trailer; should bytes come, they are not output.
            return;
        }
        let Some(nonce) = nonce else {
            self.kept.push(chunk);
            return;
        };
        self.held.extend_from_slice(chunk);
        if self.held.len() >= TRAILER_LEN {
            let tail = self.held.len() - TRAILER_LEN;
            if let Some(ended) = faas_init::parse_trailer(&self.held[tail..], nonce) {
                self.kept.push(&self.held[..tail]);
                self.held.clear();
                self.ended = Some(ended);
                return;
            }
        }
        // A trailer still to come can have at most TRAILER_LEN - 1 bytes here.
        let keep = self.held.len().saturating_sub(TRAILER_LEN - 1);
        self.kept.push(&self.held[..keep]);
        self.held.drain(..keep);
    }

    fn finish(mut self) -> CappedBuffer {
        let held = std::mem::take(&mut self.held);
        self.kept.push(&held);
        self.kept
    }
}

/// A sandbox's two output streams, read for init's trailers.
pub(crate) struct Streams {
    /// `None` for a sandbox without init: its output is all the function's.
    nonce: Option<Nonce>,
    stdout: Stream,
    stderr: Stream,
}

impl Streams {
    /// Streams with the platform's caps, whose trailers must carry `nonce`.
    pub(crate) fn new(nonce: Option<Nonce>) -> Self {
        let Captured { stdout, stderr } = Captured::empty();
        Self {
            nonce,
            stdout: Stream::new(stdout),
            stderr: Stream::new(stderr),
        }
    }

    pub(crate) fn stdout(&mut self, chunk: &[u8]) {
        self.stdout.push(chunk, self.nonce.as_ref());
    }

    pub(crate) fn stderr(&mut self, chunk: &[u8]) {
        self.stderr.push(chunk, self.nonce.as_ref());
    }

    /// How the function ended, once init's trailer ended both streams.
    pub(crate) fn reported(&self) -> Option<Ended> {
        match (self.stdout.ended, self.stderr.ended) {
            (Some(ended), Some(_)) => Some(ended),
            _ => None,
        }
    }

    /// What the function printed: everything but the trailers.
    pub(crate) fn finish(self) -> Captured {
        Captured {
            stdout: self.stdout.finish(),
            stderr: self.stderr.finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use faas_init::trailer;

    use super::*;

    fn fed(streams: &mut Streams, out: &[u8], err: &[u8], chunk: usize) {
        for part in out.chunks(chunk) {
            streams.stdout(part);
        }
        for part in err.chunks(chunk) {
            streams.stderr(part);
        }
    }

    #[test]
    fn trailers_on_both_streams_end_the_run_and_are_not_output() {
        let nonce = [1; 16];
        let end = trailer(&nonce, Ended::Exited(3));
        for chunk in [1, 7, TRAILER_LEN, 4096] {
            let mut streams = Streams::new(Some(nonce));
            let out = [b"result".as_slice(), &end].concat();
            fed(&mut streams, &out, &[], chunk);
            assert_eq!(streams.reported(), None, "stderr has no trailer yet");
            fed(&mut streams, &[], &end, chunk);
            assert_eq!(streams.reported(), Some(Ended::Exited(3)));
            let captured = streams.finish();
            assert_eq!(captured.stdout.finish(), ("result".into(), false));
            assert_eq!(captured.stderr.finish(), (String::new(), false));
        }
    }

    #[test]
    fn a_trailer_with_another_nonce_is_output() {
        let fake = trailer(&[2; 16], Ended::Exited(0));
        let mut streams = Streams::new(Some([1; 16]));
        fed(&mut streams, &fake, &fake, 5);
        assert_eq!(streams.reported(), None);
        let real = trailer(&[1; 16], Ended::Signalled(9));
        fed(&mut streams, &real, &real, 5);
        assert_eq!(streams.reported(), Some(Ended::Signalled(9)));
        let captured = streams.finish();
        let fake = String::from_utf8(fake).unwrap();
        assert_eq!(captured.stdout.finish(), (fake.clone(), false));
        assert_eq!(captured.stderr.finish(), (fake, false));
    }

    #[test]
    fn a_stream_cut_short_keeps_every_byte() {
        let mut streams = Streams::new(Some([1; 16]));
        let partial = &trailer(&[1; 16], Ended::Exited(0))[..TRAILER_LEN - 1];
        fed(&mut streams, partial, b"logs", 3);
        assert_eq!(streams.reported(), None);
        let captured = streams.finish();
        assert_eq!(captured.stdout.finish().0.as_bytes(), partial);
        assert_eq!(captured.stderr.finish(), ("logs".into(), false));
    }

    #[test]
    fn without_init_everything_is_output() {
        let mut streams = Streams::new(None);
        let end = trailer(&[0; 16], Ended::Exited(0));
        fed(&mut streams, &end, &end, 9);
        assert_eq!(streams.reported(), None);
        assert_eq!(streams.finish().stdout.finish().0.len(), TRAILER_LEN);
    }
}
