//! The deployment files agree with the server: every API route goes through the
//! gateway with the right methods and with jwt-auth exactly where the server wants a
//! token, API keys pass the gateway exactly where the server accepts them, the
//! gateway's limits fit the server's, and docker-compose, the Swarm stack, Kumori and
//! APISIX describe the same components, images, variables and ports.
//!
//! The YAML files (`apisix/`, the compose and stack files) are read with a YAML
//! parser, merge keys applied as compose applies them; Kumori's CUE files, the
//! scripts and the docs are read as text.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::repo::{faas_names, files_under, repo_file, repo_yaml};

use faas_api::api::ROUTES;
use faas_api::auth::JWT_CONSUMER_KEY;

/// The server's body limit (`MAX_BODY_BYTES` in `api/src/api/extract.rs`).
const SERVER_MAX_BODY_BYTES: u64 = 16 * 1024 * 1024;

/// One route of `apisix.yaml`.
#[derive(Debug, PartialEq)]
struct GatewayRoute {
    id: String,
    uri: String,
    methods: Vec<String>,
    /// Plugin name → its settings.
    plugins: BTreeMap<String, Value>,
    upstream: Option<String>,
    /// The `vars:` condition.
    vars: Option<Value>,
    priority: u64,
}

/// The routes of the gateway configuration `gateway` (an `apisix.yaml`).
fn routes_of(gateway: &Value) -> Vec<GatewayRoute> {
    let routes: Vec<GatewayRoute> = list(&gateway["routes"])
        .iter()
        .map(|route| GatewayRoute {
            id: text(&route["id"]).to_owned(),
            uri: text(&route["uri"]).to_owned(),
            methods: list(&route["methods"])
                .iter()
                .map(|m| text(m).to_owned())
                .collect(),
            plugins: map(&route["plugins"]).clone().into_iter().collect(),
            upstream: route["upstream_id"].as_str().map(str::to_owned),
            vars: Some(route["vars"].clone()).filter(|v| !v.is_null()),
            priority: route["priority"].as_u64().unwrap_or(0),
        })
        .collect();
    assert!(!routes.is_empty(), "no routes in the gateway configuration");
    routes
}

fn gateway_routes() -> Vec<GatewayRoute> {
    routes_of(&repo_yaml("apisix/apisix.yaml"))
}

/// The elements of a YAML sequence; none if it is absent.
fn list(value: &Value) -> &[Value] {
    value.as_array().map_or(&[], Vec::as_slice)
}

/// The entries of a YAML mapping; none if it is absent.
fn map(value: &Value) -> &Map<String, Value> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    value
        .as_object()
        .unwrap_or_else(|| EMPTY.get_or_init(Map::new))
}

/// A YAML string (a number as written is not one); "" if it is absent.
fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

/// `/v1/functions/{name}` as APISIX writes it: `/v1/functions/:name`.
fn gateway_path(server_path: &str) -> String {
    server_path
        .split('/')
        .map(
            |seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(param) => format!(":{param}"),
                None => seg.to_string(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

/// The plugins of every global rule of the gateway configuration, by name.
fn global_plugins(gateway: &Value) -> Vec<(&String, &Value)> {
    list(&gateway["global_rules"])
        .iter()
        .flat_map(|rule| map(&rule["plugins"]))
        .collect()
}

#[test]
fn apisix_yaml_ends_with_the_end_marker() {
    let text = repo_file("apisix/apisix.yaml");
    assert_eq!(
        text.trim_end().lines().last(),
        Some("#END"),
        "standalone APISIX ignores an apisix.yaml that does not end with #END"
    );
}

#[test]
fn every_server_route_has_a_gateway_route_with_matching_auth() {
    let routes = gateway_routes();
    for route in ROUTES {
        let (method, path) = (route.method.as_str(), route.path);
        let needs_token = route.access.needs_token();
        let uri = gateway_path(path);
        let matching: Vec<&GatewayRoute> = routes
            .iter()
            .filter(|r| r.vars.is_none() && r.uri == uri && r.methods.iter().any(|m| m == method))
            .collect();
        assert_eq!(
            matching.len(),
            1,
            "{method} {path}: expected exactly one apisix route with uri {uri} and method \
             {method}, found {matching:?}"
        );
        let gateway = matching[0];
        assert_eq!(
            gateway.plugins.contains_key("jwt-auth"),
            needs_token,
            "{method} {path}: the server {} a token, so route {} must {}have jwt-auth",
            if needs_token {
                "requires"
            } else {
                "does not require"
            },
            gateway.id,
            if needs_token { "" } else { "not " },
        );
        assert_eq!(
            gateway.upstream.as_deref(),
            Some("faas-server"),
            "route {} must go to the faas-server upstream",
            gateway.id
        );
    }
}

/// The `vars` of a route for API keys: a bearer with the key prefix, any case of
/// "Bearer" (the server accepts any).
fn api_key_vars() -> Value {
    json!([[
        "http_authorization",
        "~*",
        format!("^bearer {}", faas_shared::keys::KEY_PREFIX)
    ]])
}

#[test]
fn api_keys_pass_the_gateway_exactly_where_the_server_accepts_them() {
    let routes = gateway_routes();
    let key_routes: Vec<(&str, &str)> = ROUTES
        .iter()
        .filter(|r| r.access.takes_api_key())
        .map(|r| (r.method.as_str(), r.path))
        .collect();
    for &(method, path) in &key_routes {
        let uri = gateway_path(path);
        let keyed: Vec<&GatewayRoute> = routes
            .iter()
            .filter(|r| r.vars.is_some() && r.uri == uri && r.methods.iter().any(|m| m == method))
            .collect();
        assert_eq!(
            keyed.len(),
            1,
            "{method} {path}: one key route, found {keyed:?}"
        );
        let route = keyed[0];
        assert_eq!(route.vars, Some(api_key_vars()), "route {}", route.id);
        assert!(
            route.priority > 0,
            "route {} must be tried before the jwt-auth twin",
            route.id
        );
        assert!(
            !route.plugins.contains_key("jwt-auth"),
            "route {}: the server checks keys",
            route.id
        );
        assert!(
            route.plugins.contains_key("limit-count") && route.plugins.contains_key("limit-req"),
            "route {}: a budget per key and per client address",
            route.id
        );
        assert_eq!(route.upstream.as_deref(), Some("faas-server"));
    }
    // No other route lets a key (or anything else) past jwt-auth by a condition.
    for route in routes.iter().filter(|r| r.vars.is_some()) {
        for method in &route.methods {
            assert!(
                key_routes
                    .iter()
                    .any(|(m, p)| m == method && gateway_path(p) == route.uri),
                "route {} lets {method} {} through by `vars`, but the server takes no key there",
                route.id,
                route.uri
            );
        }
    }
    // The per-key budget counts each key (the Authorization header), as for tokens.
    let key_gateway_routes: Vec<&GatewayRoute> = routes
        .iter()
        .filter(|r| r.vars == Some(api_key_vars()))
        .collect();
    assert_eq!(
        key_gateway_routes.len(),
        key_routes
            .iter()
            .map(|(_, p)| p)
            .collect::<BTreeSet<_>>()
            .len()
    );
    for route in key_gateway_routes {
        assert_eq!(
            route.plugins["limit-count"]["key"], "http_authorization",
            "route {}",
            route.id
        );
    }
}

#[test]
fn every_gateway_route_maps_to_a_server_route() {
    let server: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|r| (r.method.to_string(), gateway_path(r.path)))
        .collect();
    let mut ids = BTreeSet::new();
    for route in gateway_routes() {
        assert!(
            ids.insert(route.id.clone()),
            "duplicate route id {}",
            route.id
        );
        assert!(
            !route.methods.is_empty(),
            "route {} lists no methods",
            route.id
        );
        for method in &route.methods {
            assert!(
                server.contains(&(method.clone(), route.uri.clone())),
                "apisix route {} ({method} {}) has no server route: the server would 404",
                route.id,
                route.uri
            );
        }
    }
}

#[test]
fn public_routes_are_rate_limited_and_invoke_is_counted() {
    for route in gateway_routes() {
        let is_public = !route.plugins.contains_key("jwt-auth");
        let is_probe = route.uri == "/healthz" || route.uri == "/readyz";
        if is_public && !is_probe {
            assert!(
                route.plugins.contains_key("limit-req"),
                "public route {} needs limit-req",
                route.id
            );
        }
        if route.uri.ends_with("/invoke") {
            assert!(
                route.plugins.contains_key("limit-count"),
                "invoke route {} needs limit-count",
                route.id
            );
        }
    }
}

/// The `$name` variables of a `var_combination` key (`$remote_addr $route_id`).
fn key_vars(key: &str) -> BTreeSet<&str> {
    key.split('$')
        .skip(1)
        .map(|v| {
            let v = v.trim_start_matches('{');
            let end = v
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(v.len());
            &v[..end]
        })
        .collect()
}

/// Each route's limits count on their own, in both gateway files. APISIX 3.11's
/// `limit-req` keys its counter by `key .. conf_type .. conf_version`, with no
/// route id, and standalone mode gives every item one version (apisix.yaml's
/// mtime): keyed on `remote_addr` alone, login, registration, the password and
/// account routes, the OpenAPI route and every key twin would drain one bucket per
/// client. So every `limit-req` key combines the client address with `$route_id`.
/// `limit-count`'s key (`gen_limit_key`) already starts with the route's type and
/// id, unless the plugin names a `group`, which shares one counter among routes:
/// none may.
#[test]
fn every_rate_limit_counts_per_route() {
    for file in ["apisix/apisix.yaml", "kumori/apisix/apisix.yaml"] {
        for route in routes_of(&repo_yaml(file)) {
            if let Some(limit) = route.plugins.get("limit-req") {
                assert_eq!(
                    limit["key_type"], "var_combination",
                    "{file}: limit-req on {} must combine variables",
                    route.id
                );
                let vars = key_vars(text(&limit["key"]));
                for var in ["remote_addr", "route_id"] {
                    assert!(
                        vars.contains(var),
                        "{file}: limit-req on {} is keyed on {:?}, without ${var}",
                        route.id,
                        limit["key"]
                    );
                }
            }
            if let Some(limit) = route.plugins.get("limit-count") {
                assert!(
                    limit.get("group").is_none(),
                    "{file}: limit-count on {} shares its counter with a group",
                    route.id
                );
            }
        }
    }
}

#[test]
fn jwt_consumer_checks_the_servers_es256_tokens() {
    let gateway = repo_yaml("apisix/apisix.yaml");
    let consumers = list(&gateway["consumers"]);
    assert_eq!(
        consumers.len(),
        1,
        "one consumer validates every token the server mints"
    );
    let jwt = &consumers[0]["plugins"]["jwt-auth"];
    assert!(jwt.is_object(), "the consumer has no jwt-auth");
    assert_eq!(jwt["key"], JWT_CONSUMER_KEY);
    assert_eq!(jwt["algorithm"], "ES256");
    assert_eq!(jwt["public_key"], "${{FAAS_JWT_PUBLIC_KEY}}");
}

#[test]
fn gateway_limits_fit_the_server() {
    let gateway = repo_yaml("apisix/apisix.yaml");
    let global = global_plugins(&gateway);
    let body_limits: Vec<&Value> = global
        .iter()
        .filter(|(name, _)| *name == "client-control")
        .map(|(_, plugin)| &plugin["max_body_size"])
        .collect();
    assert_eq!(
        body_limits,
        [&json!(SERVER_MAX_BODY_BYTES)],
        "client-control max_body_size must equal the server's body limit"
    );
    for plugin in ["redirect", "request-id", "client-control", "prometheus"] {
        assert!(
            global.iter().any(|(name, _)| *name == plugin),
            "global rule lacks {plugin}"
        );
    }
    assert!(
        global
            .iter()
            .any(|(name, plugin)| *name == "redirect" && plugin["http_to_https"] == true)
    );

    let config = repo_yaml("apisix/config.yaml");
    assert_eq!(
        config["nginx_config"]["http"]["client_max_body_size"],
        format!("{}m", SERVER_MAX_BODY_BYTES / (1024 * 1024)),
        "nginx client_max_body_size must equal the server's body limit"
    );

    assert!(
        list(&gateway["upstreams"])
            .iter()
            .any(|u| u["checks"]["active"]["http_path"] == "/healthz")
    );
}

/// The `services` of a compose or stack file.
fn services(file: &Value) -> &Map<String, Value> {
    map(&file["services"])
}

/// The environment of a compose/stack service, as written (a mapping, or a list of
/// `NAME=value`).
fn environment(service: &Value) -> BTreeMap<String, String> {
    let environment = &service["environment"];
    let pairs = map(environment)
        .iter()
        .map(|(name, value)| (name.clone(), scalar(value)));
    let items = list(environment).iter().filter_map(|item| {
        let (name, value) = text(item).split_once('=')?;
        Some((name.to_owned(), value.to_owned()))
    });
    pairs.chain(items).collect()
}

/// A YAML scalar as the container sees it: a string, or a number or bool as written.
fn scalar(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_owned)
}

/// The `FAAS_*` names a compose/stack service sets.
fn faas_env(service: &Value) -> BTreeSet<String> {
    environment(service)
        .into_keys()
        .filter(|k| k.starts_with("FAAS_"))
        .collect()
}

/// The elements of a list of strings (`volumes`, `command`, `ports`).
fn strings(value: &Value) -> Vec<&str> {
    list(value).iter().map(text).collect()
}

/// The volume sources a compose service mounts (`keys` of `keys:/keys:ro`).
fn volume_sources(service: &Value) -> Vec<&str> {
    strings(&service["volumes"])
        .into_iter()
        .map(|v| v.split(':').next().unwrap_or_default())
        .collect()
}

/// The Swarm secrets a stack service is given (`source:` or the short form).
fn stack_secrets(service: &Value) -> Vec<&str> {
    list(&service["secrets"])
        .iter()
        .map(|s| s.as_str().unwrap_or_else(|| text(&s["source"])))
        .collect()
}

/// Whether the command of `service` passes `flag` followed by `value`.
fn has_arg(service: &Value, flag: &str, value: &str) -> bool {
    strings(&service["command"])
        .windows(2)
        .any(|pair| pair == [flag, value])
}

/// The `stop_grace_period` of a compose/stack service, in seconds.
fn stop_grace_secs(service: &Value) -> Option<u64> {
    text(&service["stop_grace_period"])
        .strip_suffix('s')
        .and_then(|v| v.parse().ok())
}

/// One timeout budget (`faas_shared::budget`) from the gateway to the worker: the
/// gateway outwaits the server's longest wait, the orchestrators outwait a draining
/// worker and server, and the configured queue timeouts are within what the gateway
/// is sized for. (The server's wait and the worker's drain use the same constants in
/// code.)
#[test]
fn one_timeout_budget_from_gateway_to_worker() {
    use faas_shared::budget::{
        GATEWAY_TIMEOUT, LONGEST_SERVER_WAIT, MAX_QUEUE_TIMEOUT, WORKER_STOP_GRACE,
    };
    let apisix = repo_yaml("apisix/apisix.yaml");
    let upstreams = list(&apisix["upstreams"]);
    assert!(!upstreams.is_empty());
    for upstream in upstreams {
        for key in ["read", "send"] {
            assert_eq!(
                upstream["timeout"][key].as_u64(),
                Some(GATEWAY_TIMEOUT.as_secs()),
                "APISIX's upstream {key} timeout must be budget::GATEWAY_TIMEOUT"
            );
        }
    }

    for file in ["docker-compose.yml", "docker-stack.yml"] {
        let services = services(&repo_yaml(file)).clone();
        assert_eq!(
            stop_grace_secs(&services["worker"]),
            Some(WORKER_STOP_GRACE.as_secs()),
            "{file}: the worker's stop_grace_period must be budget::WORKER_STOP_GRACE"
        );
        for (name, service) in &services {
            if let Some(queue_ms) = environment(service).get("FAAS_QUEUE_TIMEOUT_MS") {
                let queue_ms: u64 = queue_ms.parse().expect("FAAS_QUEUE_TIMEOUT_MS is a number");
                assert!(
                    queue_ms <= MAX_QUEUE_TIMEOUT.as_millis() as u64,
                    "{file}: {name}'s FAAS_QUEUE_TIMEOUT_MS={queue_ms} is over the gateway's budget"
                );
            }
        }
    }
    // The servers share one anchor in docker-compose.yml.
    let compose = repo_yaml("docker-compose.yml");
    for server in ["server-1", "server-2"] {
        let server_grace = stop_grace_secs(&services(&compose)[server])
            .unwrap_or_else(|| panic!("{server} sets no stop_grace_period"));
        assert!(
            server_grace >= LONGEST_SERVER_WAIT.as_secs(),
            "{server} gets {server_grace} s to drain; the longest wait is {LONGEST_SERVER_WAIT:?}"
        );
    }

    let kumori = repo_file("kumori/components/server/component.cue");
    let queue_ms: u64 = kumori
        .lines()
        .find_map(|l| l.trim().strip_prefix("queue_timeout_ms:"))
        .and_then(|v| {
            v.trim()
                .trim_start_matches('*')
                .split(' ')
                .next()?
                .parse()
                .ok()
        })
        .expect("kumori's server sets queue_timeout_ms");
    assert!(queue_ms <= MAX_QUEUE_TIMEOUT.as_millis() as u64);
    let worker = repo_file("kumori/components/worker/component.cue");
    assert!(
        worker.contains(&format!("({} s", WORKER_STOP_GRACE.as_secs())),
        "kumori's worker names the stop grace it needs"
    );
    let deploy = repo_file("docs/deploy.md").replace("\n  ", " ");
    assert!(
        deploy.contains(&format!(
            "send/read timeouts {} s",
            GATEWAY_TIMEOUT.as_secs()
        )),
        "docs/deploy.md must give the gateway's timeouts as budget::GATEWAY_TIMEOUT"
    );
}

#[test]
fn config_yaml_is_standalone_and_enables_every_plugin_used() {
    let config = repo_yaml("apisix/config.yaml");
    assert_eq!(config["deployment"]["role"], "data_plane");
    assert_eq!(
        config["deployment"]["role_data_plane"]["config_provider"],
        "yaml"
    );
    assert!(
        list(&config["apisix"]["ssl"]["listen"])
            .iter()
            .any(|l| l["port"] == 9443)
    );
    assert_eq!(
        config["apisix"]["router"]["http"],
        "radixtree_uri_with_parameter"
    );
    let enabled: BTreeSet<&str> = strings(&config["plugins"]).into_iter().collect();
    let mut used: BTreeSet<String> = gateway_routes()
        .into_iter()
        .flat_map(|r| r.plugins.into_keys())
        .collect();
    used.extend(
        [
            "jwt-auth",
            "redirect",
            "request-id",
            "client-control",
            "prometheus",
        ]
        .map(String::from),
    );
    for plugin in &used {
        assert!(
            enabled.contains(plugin.as_str()),
            "plugin {plugin} is used in apisix.yaml but not enabled in config.yaml"
        );
    }
    // APISIX substitutes `${{VAR}}` in the file's text.
    let apisix_yaml = repo_file("apisix/apisix.yaml");
    let envs = strings(&config["nginx_config"]["envs"]);
    for var in ["FAAS_JWT_PUBLIC_KEY", "FAAS_TLS_CERT", "FAAS_TLS_KEY"] {
        assert!(
            apisix_yaml.contains(&format!("${{{{{var}}}}}")),
            "{var} unused"
        );
        assert!(envs.contains(&var), "{var} not in nginx_config.envs");
    }
}

/// `FAAS_*` variable names set in a Kumori CUE file, as `NAME: value:`.
fn faas_vars(cue: &str) -> BTreeSet<String> {
    cue.lines()
        .filter_map(|l| l.trim().split(':').next())
        .filter(|k| k.starts_with("FAAS_") && k.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        .map(String::from)
        .collect()
}

#[test]
fn compose_runs_the_upstream_nodes_apisix_expects() {
    let compose = repo_yaml("docker-compose.yml");
    let services = services(&compose);
    for name in ["keygen", "nats", "server-1", "server-2", "worker", "apisix"] {
        assert!(
            services.contains_key(name),
            "docker-compose.yml lacks {name}"
        );
    }
    let gateway = repo_yaml("apisix/apisix.yaml");
    let nodes: Vec<&String> = list(&gateway["upstreams"])
        .iter()
        .flat_map(|u| map(&u["nodes"]).keys())
        .collect();
    assert_eq!(nodes, ["server-1:8080", "server-2:8080"]);
    for server in ["server-1", "server-2"] {
        assert_eq!(
            environment(&services[server])["FAAS_LISTEN"],
            "0.0.0.0:8080"
        );
    }
    let apisix = &services["apisix"];
    assert_eq!(apisix["image"], "apache/apisix:3.11.0-debian");
    let mounts = strings(&apisix["volumes"]);
    assert!(mounts.contains(&"./apisix/apisix.yaml:/usr/local/apisix/conf/apisix.yaml:ro"));
    assert!(mounts.contains(&"./apisix/config.yaml:/usr/local/apisix/conf/config.yaml:ro"));
    assert!(
        strings(&apisix["ports"])
            .iter()
            .any(|p| p.ends_with(":9443")),
        "compose must publish APISIX's 9443"
    );
    assert!(
        strings(&services["worker"]["volumes"])
            .contains(&"/var/run/docker.sock:/var/run/docker.sock")
    );

    let cluster = repo_yaml("docker-compose.cluster.yml");
    let cluster_services = map(&cluster["services"]);
    for name in ["server-1", "server-2", "worker"] {
        let env = environment(&cluster_services[name]);
        assert_eq!(
            env["FAAS_NATS_URL"], "nats://nats-1:4222,nats://nats-2:4222,nats://nats-3:4222",
            "cluster {name}"
        );
        if name != "worker" {
            assert_eq!(env["FAAS_NATS_REPLICAS"], "3", "cluster {name}");
        }
    }
    for name in ["nats", "nats-2", "nats-3"] {
        assert!(cluster_services.contains_key(name), "cluster lacks {name}");
    }
}

/// Kumori's worker reaches its Docker-in-Docker engine on the instance's loopback,
/// and the engine listens there only: its command starts with `dockerd` (so the
/// image's entrypoint adds no `tcp://0.0.0.0:2375` of its own) and names no other
/// host, and it is the address the worker's `DOCKER_HOST` gives.
#[test]
fn kumori_docker_engine_listens_only_on_the_workers_loopback() {
    let cue = repo_file("kumori/components/worker/component.cue");
    let dockerd = &cue[cue.find("code: dockerd:").expect("a dockerd container")..];
    let cmd: Vec<String> = dockerd
        .lines()
        .find_map(|line| line.trim().strip_prefix("cmd: "))
        .map(|list| serde_json::from_str(list).expect("a list of strings"))
        .expect("dockerd has a cmd: without one the image listens on tcp://0.0.0.0:2375");
    assert_eq!(cmd[0], "dockerd", "{cmd:?}");
    let hosts: Vec<&str> = cmd
        .iter()
        .filter_map(|arg| arg.strip_prefix("--host="))
        .collect();
    assert_eq!(
        hosts,
        ["tcp://127.0.0.1:2375"],
        "dockerd listens on {hosts:?}"
    );
    assert!(
        !cmd.iter().any(|arg| arg == "-H" || arg == "--host"),
        "{cmd:?}"
    );
    assert!(
        cue.contains("DOCKER_HOST: value:       \"tcp://127.0.0.1:2375\""),
        "the worker's DOCKER_HOST is not the engine's address"
    );
}

#[test]
fn compose_and_kumori_agree_on_components_images_variables_and_ports() {
    let compose = repo_yaml("docker-compose.yml");
    let services = services(&compose);
    // The server's settings: config/mod.rs, and the abuse limits in config/abuse.rs.
    let config_rs = repo_file("api/src/config/mod.rs") + &repo_file("api/src/config/abuse.rs");
    let worker_rs = repo_file("worker/src/config.rs");

    let cases = [
        (
            "server",
            "server-1",
            "faas/server:latest",
            "port: 8080",
            &config_rs,
        ),
        ("worker", "worker", "faas/worker:latest", "", &worker_rs),
    ];
    for (component, service, image, port, source) in cases {
        let cue = repo_file(&format!("kumori/components/{component}/component.cue"));
        assert_eq!(services[service]["image"], image, "compose image {image}");
        assert!(
            cue.contains(&format!("tag: \"{image}\"")),
            "kumori image {image}"
        );
        assert!(cue.contains(port), "kumori {component} port");
        let compose_vars = faas_env(&services[service]);
        let cue_vars = faas_vars(&cue);
        assert!(!compose_vars.is_empty());
        for var in compose_vars.union(&cue_vars) {
            if var == "FAAS_LOG_FORMAT" {
                continue; // read by the binaries' tracing set-up, not the config
            }
            assert!(
                source.contains(var),
                "{var} is not read by faas-{component}"
            );
        }
        assert_eq!(
            compose_vars, cue_vars,
            "compose and kumori set different variables for {component}"
        );
    }

    let apisix_cue = repo_file("kumori/components/apisix/component.cue");
    assert!(apisix_cue.contains("tag: \"apache/apisix:3.11.0-debian\""));
    let nats_cue = repo_file("kumori/components/nats/component.cue");
    assert!(nats_cue.contains("port: 4222"));
    assert!(nats_cue.contains("tag: \"nats:2.10\""));
    let nats = &services["nats"];
    assert_eq!(nats["image"], "nats:2.10");
    assert!(nats_cue.contains("\"-c\", \"/nats-auth/nats.conf\", \"-js\", \"-sd\", \"/data\""));
    assert!(strings(&nats["command"]).starts_with(&[
        "-c",
        "/nats-auth/nats.conf",
        "-js",
        "-sd",
        "/data"
    ]));

    let service = repo_file("kumori/service/service.cue");
    for role in ["inbound", "apisix", "server", "worker", "nats"] {
        assert!(
            service.contains(&format!("\t\t\t{role}: {{")),
            "service role {role}"
        );
    }
    assert!(service.contains("type:      \"https\""));
    let deployment = repo_file("kumori/deployment/deployment.cue");
    for role in ["apisix", "server", "worker", "nats"] {
        assert!(
            deployment.contains(&format!("{role}: hsize:")),
            "deployment hsize for {role}"
        );
    }
}

/// NATS requires credentials in every topology: each starts it with the users and
/// permissions keygen writes from `deploy/nats/auth.conf`, gives the server and
/// the worker their own NATS user and the request key, and nothing else: the worker
/// never holds the JWT key or the server's password. The monitoring port is never
/// published.
#[test]
fn every_topology_runs_nats_with_credentials_and_each_service_holds_only_its_secrets() {
    let compose = repo_yaml("docker-compose.yml");
    let cluster = repo_yaml("docker-compose.cluster.yml");
    let stack = repo_yaml("docker-stack.yml");
    let services = services(&compose);
    let cluster_services = self::services(&cluster);
    let stack_services = self::services(&stack);

    assert!(has_arg(&services["nats"], "-c", "/nats-auth/nats.conf"));
    for node in ["nats", "nats-2", "nats-3"] {
        let node_service = &cluster_services[node];
        assert!(
            has_arg(node_service, "-c", "/nats-auth/cluster.conf"),
            "{node}: {}",
            node_service["command"]
        );
        assert!(
            !strings(&node_service["command"])
                .iter()
                .any(|arg| arg.starts_with("--routes")),
            "{node}: routes without a password"
        );
    }
    assert!(has_arg(
        &stack_services["nats"],
        "-c",
        "/run/secrets/faas_nats.conf"
    ));
    let nats_cue = repo_file("kumori/components/nats/component.cue");
    assert!(nats_cue.contains("\"/nats-auth/nats.conf\": {secret: \"auth\"}"));

    for (file, services) in [
        ("docker-compose.yml", services),
        ("docker-compose.cluster.yml", cluster_services),
        ("docker-stack.yml", stack_services),
    ] {
        for (name, service) in services {
            for port in list(&service["ports"]) {
                assert!(
                    !scalar(port).contains("8222"),
                    "{file}: {name} publishes the NATS monitoring port ({port})"
                );
            }
        }
    }

    let worker = &services["worker"];
    assert!(strings(&worker["volumes"]).contains(&"worker-auth:/worker-auth:ro"));
    for secret in ["keys", "server-auth", "nats-auth"] {
        assert!(
            !volume_sources(worker).contains(&secret),
            "the compose worker mounts {secret}"
        );
    }
    for server in ["server-1", "server-2"] {
        let server = &services[server];
        assert!(strings(&server["volumes"]).contains(&"server-auth:/server-auth:ro"));
        let sources = volume_sources(server);
        assert!(!sources.contains(&"worker-auth") && !sources.contains(&"nats-auth"));
    }
    let nats = &services["nats"];
    assert!(strings(&nats["volumes"]).contains(&"nats-auth:/nats-auth:ro"));
    let sources = volume_sources(nats);
    assert!(
        !sources.contains(&"keys")
            && !sources.contains(&"server-auth")
            && !sources.contains(&"worker-auth")
    );
    let stack_worker = &stack_services["worker"];
    let given = stack_secrets(stack_worker);
    assert!(given.contains(&"faas_worker.password") && given.contains(&"faas_request.key"));
    assert!(
        !given
            .iter()
            .any(|s| s.starts_with("faas_jwt") || *s == "faas_server.password")
    );
    let worker_cue = repo_file("kumori/components/worker/component.cue");
    assert!(
        !worker_cue.contains("jwt"),
        "the Kumori worker holds a JWT secret"
    );

    // The same settings everywhere: the user, its password file, the request key.
    let settings = [
        "FAAS_NATS_USER",
        "FAAS_NATS_PASSWORD_FILE",
        "FAAS_REQUEST_KEY_FILE",
    ];
    for (what, service, user) in [
        ("compose server", &services["server-1"], "faas-server"),
        ("compose worker", worker, "faas-worker"),
        ("stack server", &stack_services["server-1"], "faas-server"),
        ("stack worker", stack_worker, "faas-worker"),
    ] {
        let env = environment(service);
        for var in settings {
            assert!(env.contains_key(var), "{what} does not set {var}");
        }
        assert_eq!(env["FAAS_NATS_USER"], user, "{what} logs in as {user}");
    }
    let server_cue = repo_file("kumori/components/server/component.cue");
    for (what, cue, user) in [
        ("kumori server", &server_cue, "faas-server"),
        ("kumori worker", &worker_cue, "faas-worker"),
    ] {
        for var in settings {
            assert!(faas_vars(cue).contains(var), "{what} does not set {var}");
        }
        assert!(cue.contains(user), "{what} logs in as {user}");
    }
    // keygen writes what the compose file mounts, from the one permissions file.
    let keygen = repo_file("deploy/keygen.sh");
    for file in [
        "server.password",
        "worker.password",
        "request.key",
        "nats.conf",
        "cluster.conf",
    ] {
        assert!(keygen.contains(file), "keygen does not write {file}");
    }
    assert!(repo_file("deploy/Dockerfile.keygen").contains("deploy/nats/auth.conf"));
}

/// The docs and the code name the same settings: every `FAAS_*` variable the
/// documentation mentions is read by the code or set by a deployment file, and
/// every one the code reads is documented; likewise every port (see
/// [`check_ports`]).
#[test]
fn every_documented_setting_exists_and_every_setting_is_documented() {
    let mut docs = vec![
        "README.md".to_string(),
        "cli/README.md".to_string(),
        "kumori/README.md".to_string(),
    ];
    docs.extend(files_under("docs", "md"));
    let mut code = Vec::new();
    for dir in [
        "api/src",
        "server/src",
        "dev/src",
        "worker/src",
        "process/src",
        "shared/src",
        "cli/src",
    ] {
        code.extend(files_under(dir, "rs"));
    }
    let mut deploy = vec![
        "docker-compose.yml".to_string(),
        "docker-compose.cluster.yml".to_string(),
        "docker-stack.yml".to_string(),
        "apisix/apisix.yaml".to_string(),
        "apisix/config.yaml".to_string(),
    ];
    deploy.extend(files_under("kumori", "cue"));
    deploy.extend(files_under("kumori", "yaml"));
    for ext in ["yaml", "yml"] {
        deploy.extend(files_under("deploy", ext));
    }

    let documented = faas_names(&docs);
    let in_code = faas_names(&code);
    let in_deploy = faas_names(&deploy);
    // Named in the docs only to say it is not offered.
    let not_offered = ["FAAS_FUNCTION_EGRESS"];
    for name in &documented {
        assert!(
            in_code.contains(name)
                || in_deploy.contains(name)
                || not_offered.contains(&name.as_str()),
            "{name} is documented but neither read by the code nor set by a deployment file"
        );
    }
    for name in in_code.iter().filter(|n| !n.starts_with("FAAS_TEST_")) {
        assert!(
            documented.contains(name),
            "{name} is read by the code but documented nowhere (README or docs/)"
        );
    }
    check_ports(&docs, &code, &deploy);
}

/// Ports a text names: a colon and 2 to 5 digits after a host (`localhost:8443`,
/// `0.0.0.0:8080`, `server-1:8080`, `0.api:80`, `}:9080`) or on their own
/// (`:6222`), and "port NNNN" / "ports NNNN". Not ports: times and ratios (`15:16`,
/// `10001:10001`: only digits before the colon), image tags (`docker:27-dind`,
/// `IP:127.0.0.1`: a dash, dot or letter after the digits).
fn named_ports(text: &str) -> BTreeSet<u16> {
    let mut ports = BTreeSet::new();
    for (colon, _) in text.match_indices(':') {
        let host: String = text[..colon]
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || "._-}]".contains(*c))
            .collect();
        if !host.is_empty() && host.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        ports.extend(port_at(&text[colon + 1..]));
    }
    let lower = text.to_ascii_lowercase();
    for word in ["port ", "ports "] {
        for (at, _) in lower.match_indices(word) {
            let starts_word = lower[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_ascii_alphanumeric() && c != '_');
            if starts_word {
                ports.extend(port_at(&text[at + word.len()..]));
            }
        }
    }
    ports
}

/// The port at the start of `rest`: 2 to 5 digits, then neither another digit nor
/// a dash, dot, colon or letter.
fn port_at(rest: &str) -> Option<u16> {
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let next = rest[digits.len()..].chars().next();
    let ends = next.is_none_or(|c| !c.is_ascii_alphanumeric() && !"-.:".contains(c));
    ((2..=5).contains(&digits.len()) && ends)
        .then(|| digits.parse().ok())
        .flatten()
}

/// Ports a deployment file declares: [`named_ports`], and `KEY: NNNN` where KEY
/// names a port or listen address (`port: 4222`, `node_listen: 9080`,
/// `containerPort: 8080`, `${FAAS_HTTP_PORT:-80}`), compose's `- "4222"` items
/// (`expose`) and NATS's `"-m", "8222"` flag.
fn declared_ports(text: &str) -> BTreeSet<u16> {
    let mut ports = named_ports(text);
    for line in text.lines() {
        if let Some(item) = line.trim().strip_prefix("- \"")
            && let Some(number) = item.strip_suffix('"')
        {
            ports.extend(port_at(number));
        }
        for (colon, _) in line.match_indices(':') {
            let key_start = line[..colon]
                .rfind(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                .map_or(0, |at| at + 1);
            let key = line[key_start..colon].to_ascii_lowercase();
            if key.contains("port") || key.contains("listen") {
                let value = line[colon + 1..].trim_start_matches(['-', ' ', '"']);
                ports.extend(port_at(value));
            }
        }
        for flag in ["\"-m\", \"", "\"-p\", \""] {
            for (at, _) in line.match_indices(flag) {
                ports.extend(port_at(&line[at + flag.len()..]));
            }
        }
    }
    ports
}

/// The ports in the code's defaults: string literals outside tests that are a
/// whole address or URL (`"0.0.0.0:8080"`, `"nats://127.0.0.1:4222"`).
fn default_ports(files: &[String]) -> BTreeSet<u16> {
    let mut ports = BTreeSet::new();
    for file in files {
        let text = repo_file(file);
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for literal in code.split('"').skip(1).step_by(2) {
            let address = literal.split_once("://").map_or(literal, |(_, a)| a);
            if let Some((host, port)) = address.rsplit_once(':')
                && !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-".contains(c))
            {
                ports.extend(port_at(port).filter(|_| port.len() == port.trim().len()));
            }
        }
    }
    ports
}

/// The docs name the ports the platform uses and no other: every port named in
/// `docs` (in the forms of [`named_ports`]) is a default of the code or declared by
/// a deployment file, and every such port is named in the docs.
fn check_ports(docs: &[String], code: &[String], deploy: &[String]) {
    // Named in the docs as examples of something that is not ours: image
    // references to a registry on port 5000.
    let examples = [5000];
    let mut documented = BTreeMap::new();
    for file in docs {
        for port in named_ports(&repo_file(file)) {
            documented.entry(port).or_insert_with(|| file.clone());
        }
    }
    let mut used = BTreeMap::new();
    for port in default_ports(code) {
        used.insert(port, "the code's defaults".to_string());
    }
    for file in deploy {
        for port in declared_ports(&repo_file(file)) {
            used.entry(port).or_insert_with(|| file.clone());
        }
    }
    for (port, file) in &documented {
        assert!(
            used.contains_key(port) || examples.contains(port),
            "port {port} is named in {file} but neither a default of the code nor declared by a deployment file (ports used: {:?})",
            used.keys().collect::<Vec<_>>()
        );
    }
    for (port, source) in &used {
        assert!(
            documented.contains_key(port),
            "port {port} (from {source}) is named in no doc: name it as `host:{port}`, `:{port}` or `port {port}` (README, docs/, kumori/README.md)"
        );
    }
}

/// Runs a repo script with `--check`; it fails, naming the fix, when its output is
/// stale.
fn check_generated(script: &str) {
    let out = std::process::Command::new("bash")
        .arg(crate::repo::root().join(script))
        .arg("--check")
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{script} --check failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn kumori_gateway_routes_are_rendered_from_the_one_gateway_config() {
    check_generated("kumori/apisix/render.sh");
}

/// Kumori's rendered gateway is `apisix/apisix.yaml` but for what `render.sh`
/// says it changes: the upstream is the `api` channel, no `ssls` and no redirect
/// (TLS ends at the inbound), and each limit-count is shared over the APISIX
/// instances of `kumori/deployment/deployment.cue`.
#[test]
fn kumori_gateway_differs_from_the_gateway_only_as_rendered() {
    let deployment = repo_file("kumori/deployment/deployment.cue");
    let instances: u64 = deployment
        .lines()
        .find_map(|l| l.trim().strip_prefix("apisix: hsize:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .expect("deployment.cue sizes apisix");
    let mut expected = repo_yaml("apisix/apisix.yaml");
    let gateway = expected.as_object_mut().unwrap();
    gateway.remove("ssls").expect("apisix.yaml has ssls");
    for upstream in gateway["upstreams"].as_array_mut().unwrap() {
        upstream["nodes"] = json!({ "0.api:80": 1 });
    }
    for rule in gateway["global_rules"].as_array_mut().unwrap() {
        rule["plugins"].as_object_mut().unwrap().remove("redirect");
    }
    for route in gateway["routes"].as_array_mut().unwrap() {
        if let Some(limit) = route.pointer_mut("/plugins/limit-count") {
            limit["count"] = json!(limit["count"].as_u64().unwrap() / instances);
        }
    }
    let kumori = repo_yaml("kumori/apisix/apisix.yaml");
    let sections: BTreeSet<&String> = map(&kumori).keys().chain(map(&expected).keys()).collect();
    for section in sections {
        assert_eq!(
            kumori[section], expected[section],
            "kumori/apisix/apisix.yaml's {section} differs from apisix/apisix.yaml's in more than render.sh changes"
        );
    }
}

#[test]
fn writeup_figures_are_rendered_from_their_sources() {
    check_generated("scripts/render-figures.sh");
}
