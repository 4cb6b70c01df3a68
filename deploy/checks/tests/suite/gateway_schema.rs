//! The gateway files against APISIX 3.11.0's own JSON schemas
//! (`apisix/schema/schema-3.11.0.json`, what its control API serves at
//! `GET /v1/schema`). In standalone mode APISIX drops an item of `apisix.yaml` that
//! fails its schema with one error-log line, so a typo silently turns a route into
//! a 404 or the consumer into a 401; here it fails the suite instead.
//!
//! Each item is checked as APISIX checks it: against its kind's schema
//! (`main.route`, `main.upstream`, ...), and each of its plugins against the
//! plugin's schema (a consumer's against `consumer_schema`), with a draft-7
//! validator, after what APISIX does first: `${{VAR}}` placeholders replaced (here
//! by test values: a P-256 public key, a certificate and its key) and schema
//! defaults filled in (so `if`/`then` sees `policy: local` where it is unset,
//! instead of demanding `redis_host`). One check more than APISIX's: every field a
//! plugin is given must be one its schema names, since APISIX ignores an unknown
//! (misspelt) one without a word, and the setting it meant never applies.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::repo::{repo_file, repo_yaml};

/// The schema file, as JSON.
fn schemas() -> Value {
    serde_json::from_str(&repo_file("apisix/schema/schema-3.11.0.json"))
        .expect("apisix/schema/schema-3.11.0.json is JSON")
}

/// The schema (in `main`) of each section of a standalone `apisix.yaml`.
const SECTIONS: &[(&str, &str)] = &[
    ("routes", "route"),
    ("services", "service"),
    ("upstreams", "upstream"),
    ("consumers", "consumer"),
    ("consumer_groups", "consumer_group"),
    ("ssls", "ssl"),
    ("global_rules", "global_rule"),
    ("plugin_configs", "plugin_config"),
    ("plugins", "plugins"),
];

/// Test values for the `${{VAR}}` placeholders: what the compose entrypoint reads
/// into the environment from the keys volume (a PEM each).
fn placeholder_values() -> BTreeMap<String, String> {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    BTreeMap::from([
        ("FAAS_JWT_PUBLIC_KEY".to_owned(), key.public_key_pem()),
        ("FAAS_TLS_CERT".to_owned(), cert.pem()),
        ("FAAS_TLS_KEY".to_owned(), key.serialize_pem()),
    ])
}

/// `value` with every `${{VAR}}` in its strings replaced from `values`; a
/// placeholder without a value is an error.
fn substitute(value: &mut Value, values: &BTreeMap<String, String>, errors: &mut Vec<String>) {
    match value {
        Value::String(text) => {
            while let Some(start) = text.find("${{") {
                let Some(len) = text[start..].find("}}") else {
                    errors.push(format!("unclosed placeholder in {text:?}"));
                    return;
                };
                let name = text[start + 3..start + len].to_owned();
                let Some(replacement) = values.get(&name) else {
                    errors.push(format!("no test value for ${{{{{name}}}}}"));
                    return;
                };
                text.replace_range(start..start + len + 2, replacement);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| substitute(v, values, errors)),
        Value::Object(map) => map.values_mut().for_each(|v| substitute(v, values, errors)),
        _ => {}
    }
}

/// Fills in `schema`'s `default`s where `value` lacks the property, through nested
/// objects and arrays, as APISIX's validator does before it evaluates `if`/`then`.
fn fill_defaults(schema: &Value, value: &mut Value) {
    if let (Some(properties), Some(object)) =
        (schema["properties"].as_object(), value.as_object_mut())
    {
        for (name, property) in properties {
            match object.get_mut(name) {
                Some(present) => fill_defaults(property, present),
                None => {
                    if let Some(default) = property.get("default") {
                        object.insert(name.clone(), default.clone());
                    }
                }
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array_mut()) {
        array.iter_mut().for_each(|item| fill_defaults(items, item));
    }
}

/// Every property name a schema gives anywhere at its top level: `properties`,
/// and those of its `if`/`then`/`else`, `oneOf`/`anyOf`/`allOf` and
/// `dependencies` branches.
fn known_fields(schema: &Value, known: &mut BTreeSet<String>) {
    if let Some(properties) = schema["properties"].as_object() {
        known.extend(properties.keys().cloned());
    }
    for branch in ["if", "then", "else", "not"] {
        if let Some(sub) = schema.get(branch) {
            known_fields(sub, known);
        }
    }
    for list in ["oneOf", "anyOf", "allOf"] {
        for sub in schema[list].as_array().into_iter().flatten() {
            known_fields(sub, known);
        }
    }
    for sub in schema["dependencies"]
        .as_object()
        .into_iter()
        .flat_map(Map::values)
    {
        known_fields(sub, known);
    }
}

/// `instance` against `schema` (draft 7, defaults filled in first); each error as
/// `what at path: message`.
fn validate(schema: &Value, instance: &Value, what: &str, errors: &mut Vec<String>) {
    let validator = jsonschema::draft7::new(schema)
        .unwrap_or_else(|e| panic!("the schema for {what} does not compile: {e}"));
    let mut filled = instance.clone();
    fill_defaults(schema, &mut filled);
    for error in validator.iter_errors(&filled) {
        let path = error.instance_path().to_string();
        let path = if path.is_empty() { "/" } else { &path };
        errors.push(format!("{what} at {path}: {error}"));
    }
}

/// Everything APISIX 3.11 would refuse in the standalone `apisix.yaml` `gateway`
/// (and the one check more, unknown plugin fields), as messages naming the item.
fn gateway_errors(gateway: &Value) -> Vec<String> {
    let schemas = schemas();
    let mut errors = Vec::new();
    let mut gateway = gateway.clone();
    substitute(&mut gateway, &placeholder_values(), &mut errors);
    let Some(sections) = gateway.as_object() else {
        return vec!["apisix.yaml is not a mapping".to_owned()];
    };
    for (section, items) in sections {
        let Some((_, kind)) = SECTIONS.iter().find(|(name, _)| name == section) else {
            errors.push(format!(
                "unknown section {section}: APISIX reads none of it"
            ));
            continue;
        };
        let schema = &schemas["main"][kind];
        if *kind == "plugins" {
            // The list of plugins to load: one array, not items with plugins.
            validate(schema, items, section, &mut errors);
            continue;
        }
        for (index, item) in items.as_array().into_iter().flatten().enumerate() {
            let id = item["id"]
                .as_str()
                .or(item["username"].as_str())
                .map_or(index.to_string(), str::to_owned);
            let what = format!("{section}[{id}]");
            validate(schema, item, &what, &mut errors);
            for (plugin, conf) in item["plugins"].as_object().into_iter().flatten() {
                let what = format!("{what}.plugins.{plugin}");
                let Some(known) = schemas["plugins"].get(plugin) else {
                    errors.push(format!("{what}: no such plugin (or not enabled)"));
                    continue;
                };
                let plugin_schema = match known.get("consumer_schema") {
                    Some(consumer) if *kind == "consumer" => consumer,
                    _ => &known["schema"],
                };
                validate(plugin_schema, conf, &what, &mut errors);
                let mut fields = BTreeSet::new();
                known_fields(plugin_schema, &mut fields);
                for field in conf.as_object().into_iter().flat_map(Map::keys) {
                    if !fields.contains(field) {
                        errors.push(format!(
                            "{what}: unknown field {field:?}, which APISIX ignores"
                        ));
                    }
                }
            }
        }
    }
    errors
}

/// The plugins a `config.yaml` enables that APISIX 3.11 (with that config) has no
/// schema for: a misspelt name, or a plugin this version lacks.
fn unknown_plugins(config: &Value) -> Vec<String> {
    let schemas = schemas();
    let enabled = config["plugins"]
        .as_array()
        .expect("config.yaml lists plugins");
    enabled
        .iter()
        .map(|name| name.as_str().unwrap_or_default())
        .filter(|name| schemas["plugins"].get(*name).is_none())
        .map(str::to_owned)
        .collect()
}

/// The schema file is the one taken from APISIX run with `apisix/config.yaml`: it
/// has a schema for exactly the plugins that config enables.
fn assert_schemas_are_for(config: &Value) {
    let schemas = schemas();
    let enabled: BTreeSet<&str> = config["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let covered: BTreeSet<&str> = schemas["plugins"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        enabled, covered,
        "apisix/schema/ is not for config.yaml's plugins"
    );
}

#[test]
fn gateway_files_pass_apisix_3_11_schemas() {
    let config = repo_yaml("apisix/config.yaml");
    assert_schemas_are_for(&config);
    for config in ["apisix/config.yaml", "kumori/apisix/config.yaml"] {
        let unknown = unknown_plugins(&repo_yaml(config));
        assert!(
            unknown.is_empty(),
            "{config} enables unknown plugins {unknown:?}"
        );
    }
    for gateway in ["apisix/apisix.yaml", "kumori/apisix/apisix.yaml"] {
        let errors = gateway_errors(&repo_yaml(gateway));
        assert!(
            errors.is_empty(),
            "APISIX 3.11 would drop items of {gateway}:\n{}",
            errors.join("\n")
        );
    }
}

/// `apisix/apisix.yaml` with one change made to the item `id` of `section`.
fn mutated(section: &str, id: &str, change: impl FnOnce(&mut Value)) -> Value {
    let mut gateway = repo_yaml("apisix/apisix.yaml");
    let item = gateway[section]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|item| item["id"] == id || item["username"] == id)
        .unwrap_or_else(|| panic!("apisix.yaml has no {section} item {id}"));
    change(item);
    gateway
}

/// The check fails, naming the item, on what APISIX would drop (or ignore): each
/// mutation of a valid copy of `apisix.yaml` is caught.
#[test]
fn gateway_schema_check_fails_on_typos() {
    let rename = |plugin: &'static str, from: &'static str, to: &'static str| {
        move |route: &mut Value| {
            let conf = route["plugins"][plugin].as_object_mut().unwrap();
            let value = conf.remove(from).unwrap();
            conf.insert(to.to_owned(), value);
        }
    };
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            // a required field misspelt: APISIX drops the route (login → 404)
            "misspelt limit-req field burst",
            mutated("routes", "login", rename("limit-req", "burst", "brust")),
            "routes[login].plugins.limit-req",
        ),
        (
            // an optional field misspelt: APISIX keeps the route and answers 503
            // instead of 429
            "misspelt limit-req field rejected_code",
            mutated(
                "routes",
                "register",
                rename("limit-req", "rejected_code", "reject_code"),
            ),
            "routes[register].plugins.limit-req",
        ),
        (
            "unknown jwt-auth algorithm",
            mutated("consumers", "faas_api", |consumer| {
                consumer["plugins"]["jwt-auth"]["algorithm"] = "ES384".into();
            }),
            "consumers[faas_api].plugins.jwt-auth",
        ),
        (
            "bad HTTP method",
            mutated("routes", "invoke", |route| {
                route["methods"] = serde_json::json!(["POTS"]);
            }),
            "routes[invoke]",
        ),
    ];
    for (case, gateway, item) in cases {
        let errors = gateway_errors(&gateway);
        assert!(
            errors.iter().any(|e| e.starts_with(item)),
            "{case}: the check does not fail on {item}: {errors:?}"
        );
        println!("{case}: {}", errors.join("; "));
    }
}
