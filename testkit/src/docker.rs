//! What tests ask the local Docker Engine: which containers are left, and whether
//! the example images are there.

use std::time::Duration;

use faas_worker::labels::{LABEL_ACTIVATION, LABEL_OWNER, LABEL_WORKER};

/// Containers (running or not) of `owner`'s functions, once none are left or 10 s
/// have passed.
pub async fn leftover_containers(owner: &str) -> Vec<String> {
    containers_labelled(LABEL_OWNER, owner, Duration::from_secs(10)).await
}

/// Containers (running or not) the worker `worker_id` started, once none are left
/// or 10 s have passed.
pub async fn worker_leftovers(worker_id: &str) -> Vec<String> {
    containers_labelled(LABEL_WORKER, worker_id, Duration::from_secs(10)).await
}

/// The activation's container is gone within 5 s.
pub async fn assert_container_removed(activation_id: &str) {
    let left = containers_labelled(LABEL_ACTIVATION, activation_id, Duration::from_secs(5)).await;
    assert!(
        left.is_empty(),
        "the container of activation {activation_id} was not removed: {left:?}"
    );
}

/// Fails with the fix when an example image is missing, instead of a Docker error
/// halfway through a test.
pub fn require_image(image: &str) {
    let present = std::process::Command::new("docker")
        .args(["image", "inspect", image])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        present,
        "the image {image} is missing: build the example images with `bash scripts/build-function-images.sh`"
    );
}

/// Polls `docker ps` until no container has `label=value` or `wait` has passed;
/// returns the ids still there.
async fn containers_labelled(label: &str, value: &str, wait: Duration) -> Vec<String> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let output = tokio::process::Command::new("docker")
            .args(["ps", "-aq", "--filter", &format!("label={label}={value}")])
            .output()
            .await
            .expect("the docker CLI runs");
        let ids: Vec<String> = String::from_utf8_lossy(&output.stdout)
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        if ids.is_empty() || tokio::time::Instant::now() >= deadline {
            return ids;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
