//! The OpenAPI document says what the server does: it documents exactly the routes
//! of the route table (`ROUTES`, from which the router is built), with a token
//! exactly where the table wants one, every error code each route can answer, and
//! the checked-in `docs/openapi.json` is the document the server serves.
//!
//! Refresh `docs/openapi.json` with:
//!   UPDATE_OPENAPI=1 cargo nextest run -p faas-api -E 'test(/^openapi::/)'

use std::collections::BTreeSet;
use std::path::PathBuf;

use faas_api::api::ROUTES;
use faas_api::api::openapi::{ApiDoc, BEARER, document_json, operation_mut};
use utoipa::OpenApi;

#[test]
fn checked_in_document_is_up_to_date() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi.json");
    let generated = document_json();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "docs/openapi.json is not the document the server serves; refresh it with:\n  \
         UPDATE_OPENAPI=1 cargo nextest run -p faas-api -E 'test(/^openapi::/)'"
    );
}

/// Every (method, path) the document describes.
fn documented_operations() -> BTreeSet<(String, String)> {
    let doc: serde_json::Value = serde_json::from_str(&document_json()).unwrap();
    let mut operations = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            operations.insert((method.to_uppercase(), path.clone()));
        }
    }
    operations
}

#[test]
fn every_route_is_documented_and_every_documented_operation_is_routed() {
    let documented = documented_operations();
    let routed: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_string()))
        .collect();
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "routes in ROUTES but not in the OpenAPI document (annotate the handler with \
         #[utoipa::path] and list it in ApiDoc, api/src/api/openapi.rs): {undocumented:?}"
    );
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(
        unrouted.is_empty(),
        "operations in the OpenAPI document that the router does not serve (or that \
         ROUTES in api/src/api/routes.rs does not list): {unrouted:?}"
    );
}

#[test]
fn the_document_asks_for_a_token_exactly_where_the_server_does() {
    let mut doc = ApiDoc::openapi();
    for route in ROUTES {
        let (method, path) = (route.method.as_str(), route.path);
        let needs_token = route.access.needs_token();
        let operation = operation_mut(&mut doc, method, path)
            .unwrap_or_else(|| panic!("{method} {path} is not documented"));
        let wants_bearer = operation.security.as_ref().is_some_and(|requirements| {
            let json = serde_json::to_value(requirements).unwrap();
            json.as_array()
                .unwrap()
                .iter()
                .any(|r| r.get(BEARER).is_some())
        });
        assert_eq!(
            wants_bearer,
            needs_token,
            "{method} {path}: the server {} a token; leave `security` to the route table \
             (a handler's #[utoipa::path] sets none)",
            if needs_token {
                "requires"
            } else {
                "does not require"
            }
        );
        let statuses: Vec<&String> = operation.responses.responses.keys().collect();
        if needs_token {
            assert!(
                statuses.iter().any(|s| *s == "401"),
                "{method} {path}: 401 undocumented"
            );
        }
        assert!(
            !statuses
                .iter()
                .any(|s| s.starts_with('5') && *s != "502" && *s != "503" && *s != "504"),
            "{method} {path}: documents {statuses:?}; a 500 must never happen"
        );
    }
}

#[test]
fn every_operation_lists_its_error_codes_under_their_statuses() {
    let mut doc = ApiDoc::openapi();
    for route in ROUTES {
        let (method, path) = (route.method.as_str(), route.path);
        let operation = operation_mut(&mut doc, method, path).unwrap();
        for code in route.errors.iter().chain([
            &faas_shared::ErrorCode::HeadersTooLarge,
            &faas_shared::ErrorCode::RequestTimeout,
        ]) {
            let status = code.http_status().to_string();
            let response = operation
                .responses
                .responses
                .get(&status)
                .unwrap_or_else(|| panic!("{method} {path}: no {status} response for {code}"));
            let json = serde_json::to_string(response).unwrap();
            assert!(
                json.contains(&format!("\"{code}\"")),
                "{method} {path}: the {status} response does not list `{code}` (does the \
                 handler's attribute also declare {status}? leave error statuses to the route \
                 table)"
            );
            if matches!(status.as_str(), "429") {
                assert!(
                    json.contains("Retry-After"),
                    "{method} {path}: 429 without Retry-After"
                );
            }
        }
    }
}

/// utoipa takes only literals for bounds: they must be the server's.
#[test]
fn documented_bounds_are_the_servers() {
    use faas_shared::keys::{MAX_KEY_DAYS, MIN_KEY_DAYS};
    use faas_shared::names::{MAX_PASSWORD_LEN, MIN_PASSWORD_LEN};
    use faas_shared::{
        MAX_FUNCTION_CONCURRENCY, MAX_MEMORY_MB, MAX_PREWARM, MAX_SECRET_BYTES, MAX_TIMEOUT_MS,
        MIN_MEMORY_MB, MIN_TIMEOUT_MS,
    };
    let doc: serde_json::Value = serde_json::from_str(&document_json()).unwrap();
    let schemas = &doc["components"]["schemas"];
    let spec = &schemas["FunctionSpec"]["properties"];
    assert_eq!(spec["timeout_ms"]["minimum"], MIN_TIMEOUT_MS);
    assert_eq!(spec["timeout_ms"]["maximum"], MAX_TIMEOUT_MS);
    assert_eq!(spec["memory_mb"]["minimum"], MIN_MEMORY_MB);
    assert_eq!(spec["memory_mb"]["maximum"], MAX_MEMORY_MB);
    assert_eq!(spec["max_concurrency"]["minimum"], 1);
    assert_eq!(spec["max_concurrency"]["maximum"], MAX_FUNCTION_CONCURRENCY);
    assert_eq!(spec["prewarm"]["minimum"], 0);
    assert_eq!(spec["prewarm"]["maximum"], MAX_PREWARM);
    let key = &schemas["KeyCreate"]["properties"]["expires_in_days"];
    assert_eq!(key["minimum"], MIN_KEY_DAYS);
    assert_eq!(key["maximum"], MAX_KEY_DAYS);
    for (schema, field) in [
        ("Credentials", "password"),
        ("Registration", "password"),
        ("PasswordChange", "new_password"),
    ] {
        let property = &schemas[schema]["properties"][field];
        assert_eq!(property["minLength"], MIN_PASSWORD_LEN, "{schema}.{field}");
        assert_eq!(property["maxLength"], MAX_PASSWORD_LEN, "{schema}.{field}");
    }
    for (schema, field) in [
        ("PasswordChange", "current_password"),
        ("AccountDeletion", "password"),
    ] {
        let property = &schemas[schema]["properties"][field];
        assert_eq!(property["maxLength"], MAX_PASSWORD_LEN, "{schema}.{field}");
    }
    let value = &schemas["SecretValue"]["properties"]["value"];
    assert_eq!(value["minLength"], 1);
    assert_eq!(value["maxLength"], MAX_SECRET_BYTES);
}

/// Every name, username and image the document describes carries the server's
/// rule: the patterns of `faas_shared::names`, the image's length and what is no
/// image name, the secrets' count and uniqueness, the reserved usernames.
#[test]
fn documented_names_follow_the_servers_rules() {
    use faas_shared::MAX_SECRETS_PER_FUNCTION;
    use faas_shared::names::{
        IMAGE_ID_PATTERN, IMAGE_PATTERN, MAX_IMAGE_LEN, NAME_PATTERN, RESERVED_USERNAME_PREFIX,
        RESERVED_USERNAMES, USERNAME_PATTERN,
    };
    let doc: serde_json::Value = serde_json::from_str(&document_json()).unwrap();
    let schemas = &doc["components"]["schemas"];
    let image = &schemas["FunctionSpec"]["properties"]["image"];
    assert_eq!(image["pattern"], IMAGE_PATTERN);
    assert_eq!(image["maxLength"], MAX_IMAGE_LEN);
    assert_eq!(image["not"]["pattern"], IMAGE_ID_PATTERN);
    let secrets = &schemas["FunctionSpec"]["properties"]["secrets"];
    assert_eq!(secrets["items"]["pattern"], NAME_PATTERN);
    assert_eq!(secrets["maxItems"], MAX_SECRETS_PER_FUNCTION);
    assert_eq!(secrets["uniqueItems"], true);
    assert_eq!(
        schemas["KeyCreate"]["properties"]["name"]["pattern"],
        NAME_PATTERN
    );
    for schema in ["Credentials", "Registration"] {
        let username = &schemas[schema]["properties"]["username"];
        assert_eq!(username["pattern"], USERNAME_PATTERN, "{schema}");
    }
    let reserved = &schemas["Registration"]["properties"]["username"]["not"]["anyOf"];
    assert_eq!(reserved[0]["enum"], serde_json::json!(RESERVED_USERNAMES));
    assert_eq!(
        reserved[1]["pattern"],
        format!("^{RESERVED_USERNAME_PREFIX}")
    );
    // Every name in a path or a query: functions, secrets, keys.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let name = parameter["name"].as_str().unwrap();
                if ["name", "function"].contains(&name)
                    || (name == "after" && path == "/v1/functions")
                {
                    assert_eq!(
                        parameter["schema"]["pattern"], NAME_PATTERN,
                        "{method} {path}: {name}"
                    );
                }
            }
        }
    }
}

/// A JSON request body's schema, what the server parses it into, and a body it
/// takes.
struct RequestBody {
    schema: &'static str,
    /// The body parsed as the server does, and serialized back.
    parse: fn(serde_json::Value) -> Result<serde_json::Value, String>,
    valid: fn() -> serde_json::Value,
}

fn parse_as<T: serde::de::DeserializeOwned + serde::Serialize>(
    body: serde_json::Value,
) -> Result<serde_json::Value, String> {
    let parsed: T = serde_json::from_value(body).map_err(|e| e.to_string())?;
    Ok(serde_json::to_value(parsed).unwrap())
}

const REQUEST_BODIES: &[RequestBody] = {
    use faas_shared::keys::KeyCreate;
    use faas_shared::{
        AccountDeletion, Credentials, FunctionSpec, InvokeRequest, PasswordChange, Registration,
        SecretValue,
    };
    use serde_json::json;
    &[
        RequestBody {
            schema: "Registration",
            parse: parse_as::<Registration>,
            valid: || json!({"username": "alice", "password": "correct horse"}),
        },
        RequestBody {
            schema: "Credentials",
            parse: parse_as::<Credentials>,
            valid: || json!({"username": "alice", "password": "correct horse"}),
        },
        RequestBody {
            schema: "PasswordChange",
            parse: parse_as::<PasswordChange>,
            valid: || json!({"current_password": "x", "new_password": "correct horse"}),
        },
        RequestBody {
            schema: "AccountDeletion",
            parse: parse_as::<AccountDeletion>,
            valid: || json!({"password": "x"}),
        },
        RequestBody {
            schema: "FunctionSpec",
            parse: parse_as::<FunctionSpec>,
            valid: || json!({"image": "alpine:3.20"}),
        },
        RequestBody {
            schema: "InvokeRequest",
            parse: parse_as::<InvokeRequest>,
            valid: || json!({}),
        },
        RequestBody {
            schema: "KeyCreate",
            parse: parse_as::<KeyCreate>,
            valid: || json!({"name": "ci"}),
        },
        RequestBody {
            schema: "SecretValue",
            parse: parse_as::<SecretValue>,
            valid: || json!({"value": "v"}),
        },
    ]
};

/// JSON Schema counts `183.0` as an integer, so every integer field of every JSON
/// request body reads it as 183 (`faas_shared::integer`), and refuses `183.5`.
#[test]
fn every_integer_field_of_a_request_body_takes_integral_numbers() {
    let doc: serde_json::Value = serde_json::from_str(&document_json()).unwrap();
    let mut documented = BTreeSet::new();
    for item in doc["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            let schema = &operation["requestBody"]["content"]["application/json"]["schema"];
            if let Some(reference) = schema["$ref"].as_str() {
                documented.insert(reference.trim_start_matches("#/components/schemas/"));
            }
        }
    }
    let listed: BTreeSet<&str> = REQUEST_BODIES.iter().map(|body| body.schema).collect();
    assert_eq!(
        listed, documented,
        "REQUEST_BODIES lists every JSON request body of the document"
    );
    let mut checked = 0;
    for body in REQUEST_BODIES {
        let valid = (body.valid)();
        assert!(
            (body.parse)(valid.clone()).is_ok(),
            "{}: {valid}",
            body.schema
        );
        let properties = doc["components"]["schemas"][body.schema]["properties"]
            .as_object()
            .unwrap();
        for (field, property) in properties {
            let types = &property["type"];
            let integer = types == "integer"
                || types
                    .as_array()
                    .is_some_and(|types| types.iter().any(|t| t == "integer"));
            if !integer {
                continue;
            }
            let value = property["minimum"].as_u64().unwrap_or(1).max(1);
            let mut whole = valid.clone();
            whole[field] = serde_json::json!(value as f64);
            let parsed = (body.parse)(whole.clone())
                .unwrap_or_else(|e| panic!("{}.{field}: {whole} refused: {e}", body.schema));
            assert_eq!(parsed[field], value, "{}.{field}", body.schema);
            let mut half = valid.clone();
            half[field] = serde_json::json!(value as f64 + 0.5);
            let refused = (body.parse)(half.clone()).expect_err(&half.to_string());
            assert!(
                refused.contains("expected an integer"),
                "{}.{field}: {refused}",
                body.schema
            );
            checked += 1;
        }
    }
    // timeout_ms, memory_mb, max_concurrency, prewarm, expires_in_days.
    assert_eq!(checked, 5, "integer fields checked");
}

/// The links the fuzzer's stateful phase follows: each names, as `operationId`
/// (OpenAPI's spelling, not utoipa's `operation_id`), an operation of the
/// document, sets only parameters that operation has, from a field of the
/// response it starts at.
#[test]
fn links_name_operations_parameters_and_fields_that_exist() {
    let doc: serde_json::Value = serde_json::from_str(&document_json()).unwrap();
    let mut operations = std::collections::BTreeMap::new();
    for item in doc["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            operations.insert(operation["operationId"].as_str().unwrap(), operation);
        }
    }
    let schema_of = |response: &serde_json::Value| {
        let reference = response["content"]["application/json"]["schema"]["$ref"]
            .as_str()
            .unwrap_or_default()
            .trim_start_matches("#/components/schemas/")
            .to_owned();
        doc["components"]["schemas"][reference].clone()
    };
    let mut links = 0;
    for (from, operation) in &operations {
        for (status, response) in operation["responses"].as_object().unwrap() {
            for (name, link) in response["links"].as_object().into_iter().flatten() {
                links += 1;
                let fields: BTreeSet<&str> = link
                    .as_object()
                    .unwrap()
                    .keys()
                    .map(String::as_str)
                    .collect();
                assert!(
                    fields.is_subset(&BTreeSet::from([
                        "operationId",
                        "parameters",
                        "description"
                    ])),
                    "{from} {status} {name}: {fields:?}"
                );
                let to = link["operationId"].as_str().unwrap_or_default();
                let target = operations
                    .get(to)
                    .unwrap_or_else(|| panic!("{from} {status} {name}: no operation {to:?}"));
                for (parameter, value) in link["parameters"].as_object().unwrap() {
                    assert!(
                        target["parameters"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .any(|p| p["name"] == parameter.as_str() && p["in"] == "path"),
                        "{from} {status} {name}: {to} has no path parameter {parameter}"
                    );
                    let field = value
                        .as_str()
                        .and_then(|v| v.strip_prefix("$response.body#/"))
                        .unwrap_or_else(|| panic!("{from} {status} {name}: {value}"));
                    assert!(
                        schema_of(response)["properties"].get(field).is_some(),
                        "{from} {status} {name}: the response has no field {field}"
                    );
                }
            }
        }
    }
    let listed: usize = faas_api::api::openapi::LINKS
        .iter()
        .map(|l| l.from.len())
        .sum();
    assert_eq!(links, listed, "every link of LINKS is in the document");
}

#[test]
fn operation_ids_are_unique() {
    let doc: serde_json::Value = serde_json::from_str(&document_json()).unwrap();
    let mut seen = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let id = operation["operationId"].as_str().unwrap_or_default();
            assert!(
                seen.insert(id.to_owned()),
                "{method} {path}: operationId {id:?} is taken; set `operation_id` on its #[utoipa::path]"
            );
        }
    }
}
