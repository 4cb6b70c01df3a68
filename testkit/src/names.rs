//! Names the suites share: unique user, worker and activation names, the example
//! function images (`bash scripts/build-function-images.sh` builds them), and the
//! password every test user has.

use std::sync::atomic::{AtomicU32, Ordering};

pub const REVERSE: &str = "faas-examples/reverse:latest";
pub const ECHO: &str = "faas-examples/echo:latest";
pub const FAIL: &str = "faas-examples/fail:latest";
pub const SLEEP: &str = "faas-examples/sleep:latest";
pub const CAT: &str = "faas-examples/cat:latest";
pub const DIGEST: &str = "faas-examples/digest:latest";
pub const ENV: &str = "faas-examples/env:latest";
pub const SH: &str = "faas-examples/sh:latest";

/// The password of every user the kit registers.
pub const PASSWORD: &str = "correct horse battery";

/// `prefix` made unique to this test run, so tests sharing the Docker Engine find
/// their own containers by label. Short enough for a username with a prefix of up
/// to nine characters.
pub fn unique(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{prefix}-{}{nanos:x}{n}", std::process::id())
}
