//! Whether the worker's OCI backend can run here, for the tests that need it.

use std::os::unix::fs::MetadataExt;

use faas_worker::runtime::oci::runtime_binary;

/// Root, and crun or runc installed; says on stderr that the test is skipped
/// when not.
pub fn can_run() -> bool {
    let root = std::fs::metadata("/proc/self").is_ok_and(|me| me.uid() == 0);
    let can = root && !runtime_binary::installed().is_empty();
    if !can {
        eprintln!(
            "SKIPPED: the OCI backend needs root and crun or runc (apt-get install crun runc)"
        );
    }
    can
}
