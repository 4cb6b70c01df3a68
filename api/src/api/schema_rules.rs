//! The rules of request fields that the `faas-shared` types' attributes cannot
//! say (utoipa takes only literals there, and has no `not`), written into the
//! document's schemas from the constants the server checks with, so that the
//! document allows exactly what the server accepts:
//! - `FunctionSpec.image`: the reference grammar ([`IMAGE_PATTERN`]), at most
//!   [`MAX_IMAGE_LEN`] characters, and not an image id ([`IMAGE_ID_PATTERN`]);
//! - `FunctionSpec.secrets`: secret names, at most [`MAX_SECRETS_PER_FUNCTION`],
//!   each once;
//! - `Registration.username`: the username rule, and none of the names reserved
//!   for the platform ([`RESERVED_USERNAMES`], or starting with `faas`).

use faas_shared::MAX_SECRETS_PER_FUNCTION;
use faas_shared::names::{
    IMAGE_ID_PATTERN, IMAGE_PATTERN, MAX_IMAGE_LEN, NAME_PATTERN, RESERVED_USERNAME_PREFIX,
    RESERVED_USERNAMES, USERNAME_PATTERN,
};
use serde_json::json;
use utoipa::Modify;
use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaType, Type};
use utoipa::openapi::{RefOr, Schema};

/// Replaces the properties above in the components' schemas.
pub struct SchemaRules;

impl Modify for SchemaRules {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        for (schema, property, rule) in [
            ("FunctionSpec", "image", image()),
            ("FunctionSpec", "secrets", secret_names()),
            ("Registration", "username", new_username()),
        ] {
            if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(schema) {
                // Only a property the type has: the schema test names one missing.
                if let Some(slot) = object.properties.get_mut(property) {
                    *slot = rule;
                }
            }
        }
    }
}

/// JSON Schema's `not: schema`. utoipa 5 has no `not`: the keyword goes in as the
/// schema's one extension field, which its serializer flattens into the schema
/// (one field, so its place in the document is fixed).
fn not(schema: serde_json::Value) -> Extensions {
    [("not", schema)].into_iter().collect()
}

/// A reference `faas_shared::names::validate_image` accepts.
fn image() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(IMAGE_PATTERN))
        .max_length(Some(MAX_IMAGE_LEN))
        .description(Some(format!(
            "A Docker image reference, `[registry[:port]/]path[:tag][@digest]`, at most {MAX_IMAGE_LEN} characters (the Docker Engine's limit on a name with `docker.io/library/` in front); a digest is sha256, sha384 or sha512 in lowercase hex. One whose registry the image policy refuses (loopback, link-local, private or local by default; see `FAAS_ALLOWED_REGISTRIES`) is 403 `image_not_allowed`"
        )))
        .examples(["faas-examples/reverse:latest"])
        .extensions(Some(not(json!({ "pattern": IMAGE_ID_PATTERN }))))
        .into()
}

/// Up to [`MAX_SECRETS_PER_FUNCTION`] secret names, each once; or `null`, as absent.
fn secret_names() -> RefOr<Schema> {
    ArrayBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(NAME_PATTERN)),
        )
        .max_items(Some(MAX_SECRETS_PER_FUNCTION))
        .unique_items(true)
        .description(Some(format!(
            "Names of the caller's secrets the function reads, as files under `/run/secrets/NAME`: at most {MAX_SECRETS_PER_FUNCTION}, each once"
        )))
        .into()
}

/// A new account's name (`faas_shared::names::validate_new_username`).
fn new_username() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(USERNAME_PATTERN))
        .description(Some(format!(
            "3 to 32 characters a-z, 0-9, '_' or '-', starting with a letter; not a name reserved for the platform (`admin`, `root`, ..., or any starting with `{RESERVED_USERNAME_PREFIX}`): 400 `username_reserved`"
        )))
        .extensions(Some(not(json!({
            "anyOf": [
                { "enum": RESERVED_USERNAMES },
                { "pattern": format!("^{RESERVED_USERNAME_PREFIX}") },
            ]
        }))))
        .into()
}
