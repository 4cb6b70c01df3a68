//! What a function's sandbox must be, whatever makes it: a [`Sandbox`] built from
//! the request by pure functions, which each backend translates into its own terms
//! (Docker: `docker::create`) and must honour in full.
//!
//! Security-critical. Besides what a `Sandbox` holds, every sandbox is the same:
//! no capabilities, no privilege escalation (no-new-privileges), not privileged, a
//! read-only root, nothing mounted from the host but the init binary (read-only),
//! [`PIDS_LIMIT`] processes, [`CPUS`] CPU, memory with no extra swap; the function
//! runs as the image's own user, as `docker run` would.

use std::collections::HashMap;

use faas_shared::ParamMode;
use faas_shared::activation::ActivationRequest;

use crate::labels::{
    LABEL_ACTIVATION, LABEL_FUNCTION, LABEL_OWNER, LABEL_PARKED, LABEL_PLATFORM, LABEL_WORKER,
};

/// Processes a function may run: enough for a shell pipeline, not for a fork bomb.
pub const PIDS_LIMIT: i64 = 64;
/// CPUs a function may use at most.
pub const CPUS: i64 = 1;
/// Where `faas-init` is mounted read-only (`faas_init::INIT_PATH` is in it).
pub const INIT_MOUNT_DIR: &str = "/.faas";
/// `/tmp`: small, and nothing in it runs.
pub const TMP: Tmpfs = Tmpfs {
    target: "/tmp",
    options: &["rw", "noexec", "nosuid", "size=16m"],
};
/// `/run/secrets`, where init writes the secret files (never the environment or
/// the arguments): 1 MiB, nothing in it runs.
pub const SECRETS: Tmpfs = Tmpfs {
    target: faas_init::SECRETS_DIR,
    options: &["rw", "noexec", "nosuid", "nodev", "size=1m", "mode=1777"],
};

/// What one function's sandbox must be.
#[derive(Clone, Debug, PartialEq)]
pub struct Sandbox {
    pub image: String,
    pub process: Process,
    /// The `io.faas.*` labels that name its activation, function, owner, worker
    /// and platform (`crate::labels`): how sweeps and pools find it.
    pub labels: HashMap<String, String>,
    pub network: Network,
    /// The memory limit, swap included: no extra swap.
    pub memory_bytes: i64,
    /// The only writable places: [`TMP`], and [`SECRETS`] for init.
    pub tmpfs: Vec<Tmpfs>,
}

/// What runs first in the sandbox.
#[derive(Clone, Debug, PartialEq)]
pub enum Process {
    /// The function itself, like `docker run --rm IMAGE [PARAM]`: the image's
    /// entrypoint, with `cmd` in place of the image's command when set.
    Function {
        cmd: Option<Vec<String>>,
        env: Vec<String>,
        /// The parameter comes on stdin.
        stdin: bool,
    },
    /// `faas-init`, mounted read-only at [`INIT_MOUNT_DIR`] from `source` (the
    /// backend's name for where the binary is: Docker's volume): it waits on stdin
    /// for the activation frame and execs the function, with its argv and
    /// environment from the frame.
    Init { source: String },
}

/// The network a function is on.
#[derive(Clone, Debug, PartialEq)]
pub enum Network {
    /// None at all: loopback only.
    None,
    /// The function network, by the backend's name for it (Docker: its id), for a
    /// function with `network: true`.
    Function(String),
}

impl Sandbox {
    /// The sandbox of a cold run of `request` by worker `worker_id` of `platform`.
    pub fn cold(
        request: &ActivationRequest,
        worker_id: &str,
        platform: Option<&str>,
        network: Network,
    ) -> Self {
        Self {
            image: request.image.clone(),
            process: Process::Function {
                // Like `docker run --rm IMAGE PARAM`: the parameter replaces CMD, the
                // image's ENTRYPOINT stays.
                cmd: (request.param_mode == ParamMode::Argv).then(|| vec![request.param.clone()]),
                env: environment(request),
                stdin: request.param_mode == ParamMode::Stdin,
            },
            labels: labels(request, worker_id, platform),
            network,
            memory_bytes: i64::try_from(request.memory_mb.saturating_mul(1024 * 1024))
                .unwrap_or(i64::MAX),
            tmpfs: vec![TMP],
        }
    }

    /// The sandbox of an init container for `template`'s function: the cold one,
    /// with `faas-init` from `init_source` and [`SECRETS`]; parked (`activation` is
    /// `None`) or for that activation.
    pub fn init(
        template: &ActivationRequest,
        worker_id: &str,
        platform: Option<&str>,
        network: Network,
        init_source: String,
        activation: Option<&str>,
    ) -> Self {
        let mut sandbox = Self::cold(template, worker_id, platform, network);
        sandbox.process = Process::Init {
            source: init_source,
        };
        sandbox.labels.insert(
            LABEL_ACTIVATION.to_owned(),
            activation.unwrap_or_default().to_owned(),
        );
        if activation.is_none() {
            sandbox
                .labels
                .insert(LABEL_PARKED.to_owned(), "true".to_owned());
        }
        sandbox.tmpfs.push(SECRETS);
        sandbox
    }
}

/// A tmpfs mount: where, and its mount options.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tmpfs {
    pub target: &'static str,
    pub options: &'static [&'static str],
}

fn labels(
    request: &ActivationRequest,
    worker_id: &str,
    platform: Option<&str>,
) -> HashMap<String, String> {
    let mut labels = HashMap::from([
        (LABEL_ACTIVATION.to_owned(), request.activation_id.clone()),
        (LABEL_OWNER.to_owned(), request.owner.clone()),
        (LABEL_FUNCTION.to_owned(), request.function.clone()),
        (LABEL_WORKER.to_owned(), worker_id.to_owned()),
    ]);
    if let Some(platform) = platform {
        labels.insert(LABEL_PLATFORM.to_owned(), platform.to_owned());
    }
    labels
}

/// The function's environment: its activation id always (a redelivered activation
/// may run twice, and the id lets the function deduplicate), and the parameter in
/// `env` mode.
pub(crate) fn environment(request: &ActivationRequest) -> Vec<String> {
    let mut env = vec![format!("FAAS_ACTIVATION_ID={}", request.activation_id)];
    if request.param_mode == ParamMode::Env {
        env.push(format!("{}={}", faas_shared::PARAM_ENV_VAR, request.param));
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::request;

    #[test]
    fn each_param_mode_reaches_the_function_its_own_way() {
        let mut argv = request("img", 0);
        argv.param = "x y".into();
        let Process::Function { cmd, env, stdin } =
            Sandbox::cold(&argv, "w", None, Network::None).process
        else {
            panic!("a cold run runs the function");
        };
        assert_eq!(cmd, Some(vec!["x y".to_owned()]));
        assert_eq!(env, [format!("FAAS_ACTIVATION_ID={}", argv.activation_id)]);
        assert!(!stdin);

        let mut by_env = argv.clone();
        by_env.param_mode = ParamMode::Env;
        let Process::Function { cmd, env, stdin } =
            Sandbox::cold(&by_env, "w", None, Network::None).process
        else {
            panic!("a cold run runs the function");
        };
        assert_eq!(cmd, None, "the image's own command runs");
        assert_eq!(env[1], format!("{}=x y", faas_shared::PARAM_ENV_VAR));
        assert!(!stdin);

        let mut by_stdin = argv;
        by_stdin.param_mode = ParamMode::Stdin;
        let Process::Function { cmd, env, stdin } =
            Sandbox::cold(&by_stdin, "w", None, Network::None).process
        else {
            panic!("a cold run runs the function");
        };
        assert_eq!((cmd, env.len(), stdin), (None, 1, true));
    }

    #[test]
    fn the_memory_limit_includes_swap_and_only_tmp_is_writable() {
        let sandbox = Sandbox::cold(&request("img", 0), "w", None, Network::None);
        assert_eq!(sandbox.memory_bytes, 64 * 1024 * 1024);
        assert_eq!(sandbox.tmpfs, [TMP]);
        assert!(TMP.options.contains(&"noexec") && SECRETS.options.contains(&"noexec"));
    }

    #[test]
    fn labels_name_the_activation_and_a_parked_container_has_none_yet() {
        let template = request("img", 2);
        let cold = Sandbox::cold(&template, "w1", Some("p1"), Network::None);
        for (label, value) in [
            (LABEL_ACTIVATION, template.activation_id.as_str()),
            (LABEL_OWNER, "alice"),
            (LABEL_FUNCTION, "f"),
            (LABEL_WORKER, "w1"),
            (LABEL_PLATFORM, "p1"),
        ] {
            assert_eq!(cold.labels[label], value, "{label}");
        }
        assert!(!cold.labels.contains_key(LABEL_PARKED));

        let parked = Sandbox::init(&template, "w1", Some("p1"), Network::None, "v".into(), None);
        assert_eq!(parked.labels[LABEL_ACTIVATION], "");
        assert_eq!(parked.labels[LABEL_PARKED], "true");
        let taken = Sandbox::init(&template, "w1", None, Network::None, "v".into(), Some("a1"));
        assert_eq!(taken.labels[LABEL_ACTIVATION], "a1");
        assert!(!taken.labels.contains_key(LABEL_PARKED));
        assert!(!taken.labels.contains_key(LABEL_PLATFORM));
    }

    #[test]
    fn an_init_sandbox_is_the_cold_one_plus_init_and_its_secrets_tmpfs() {
        let template = request("img", 1);
        let network = Network::Function("net-id".into());
        let cold = Sandbox::cold(&template, "w", None, network.clone());
        let init = Sandbox::init(
            &template,
            "w",
            None,
            network,
            "faas-init-0123".into(),
            Some(&template.activation_id),
        );
        assert_eq!(
            init.process,
            Process::Init {
                source: "faas-init-0123".into()
            }
        );
        assert_eq!(init.tmpfs, [TMP, SECRETS]);
        assert_eq!(
            Sandbox {
                process: cold.process.clone(),
                tmpfs: cold.tmpfs.clone(),
                ..init
            },
            cold,
            "image, labels, network and memory are the cold run's"
        );
    }
}
