//! The API's OpenAPI 3.1 document, generated with utoipa from the handlers'
//! `#[utoipa::path]` attributes, the `faas-shared` types and the route table
//! ([`ROUTES`]), served at `GET /v1/openapi.json` and checked in as
//! `docs/openapi.json`.
//!
//! The handlers' attributes describe the successes. The rest comes from the table:
//! the bearer requirement of each route that needs a token, and the errors, one
//! response per status ([`ErrorCode::http_status`]) whose body schema allows exactly
//! the codes listed, so the fuzzer in the test command checks the table against
//! what the server really answers. utoipa needs the handlers by name ([`ApiDoc`]);
//! the tests in `api/tests/suite/openapi.rs` fail, naming the route, until that list,
//! the table and the checked-in copy agree.
//!
//! The request schemas say exactly what the server accepts: a request the document
//! allows is never refused for its shape (the fuzzer checks both ways, with every
//! check on), so the rules the types' attributes cannot say are written in by
//! `schema_rules`. The links between operations ([`LINKS`]: create, then read,
//! invoke, delete) let a client, and the fuzzer's stateful phase, chain calls.

use std::sync::LazyLock;

use faas_shared::paths;
use faas_shared::{ErrorBody, ErrorCode};
use utoipa::openapi::link::{Link, LinkBuilder};
use utoipa::openapi::path::{HttpMethod, Operation};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    Content, HeaderBuilder, ObjectBuilder, Ref, RefOr, ResponseBuilder, Schema, Type,
};
use utoipa::{Modify, OpenApi};

use super::routes::ROUTES;
use super::schema_rules::SchemaRules;
use super::{account, activations, functions, invoke, keys, meta, secrets, users};

/// The name of the bearer-token security scheme (a session token or, later, an API
/// key, sent as `Authorization: Bearer <token>`).
pub const BEARER: &str = "bearer";

/// The document, as utoipa derives it: every handler of the route table, by name
/// (the macro needs the list; `api/tests/suite/openapi.rs` checks it against the table),
/// completed from the table by [`FromRouteTable`].
#[derive(OpenApi)]
#[openapi(
    info(
        title = "faas",
        description = "Functions as a Service: register container images as functions and invoke them with one string parameter. Every error is `{\"error\": {\"code\", \"message\"}}` with a stable `code`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    paths(
        users::register,
        users::login,
        account::logout,
        account::change_password,
        account::delete_account,
        functions::list,
        functions::get,
        functions::put,
        functions::delete,
        invoke::invoke,
        activations::list,
        activations::get,
        keys::create,
        keys::list,
        keys::delete,
        secrets::list,
        secrets::put,
        secrets::delete,
        meta::healthz,
        meta::readyz,
        meta::document,
    ),
    components(schemas(ErrorBody, ErrorCode)),
    modifiers(&BearerScheme, &FromRouteTable, &OptionalInvokeBody, &Links, &SchemaRules),
    tags(
        (name = "users", description = "Registration, login and one's own account"),
        (name = "functions", description = "Registering and invoking one's own functions"),
        (name = "activations", description = "Records of finished invocations, kept 24 h"),
        (name = "keys", description = "API keys for CI: they open the function, invocation and activation routes; managing them needs a session"),
        (name = "secrets", description = "One's secrets: set and listed by name, never read back; functions read them as files"),
        (name = "meta", description = "Probes and this document"),
    ),
)]
pub struct ApiDoc;

/// Answered on every route: by the header-size middleware, and by the body read
/// when a client sends too slowly.
const EVERY_ROUTE: &[ErrorCode] = &[ErrorCode::HeadersTooLarge, ErrorCode::RequestTimeout];

/// The document as served and checked in: pretty JSON with a final newline.
pub fn document_json() -> String {
    let mut json = ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serializes");
    json.push('\n');
    json
}

/// [`document_json`], made once: what `GET /v1/openapi.json` serves.
pub fn served_json() -> &'static str {
    static DOCUMENT: LazyLock<String> = LazyLock::new(document_json);
    &DOCUMENT
}

/// The operation `method path` of `openapi`, if documented.
pub fn operation_mut<'a>(
    openapi: &'a mut utoipa::openapi::OpenApi,
    method: &str,
    path: &str,
) -> Option<&'a mut Operation> {
    let item = openapi.paths.paths.get_mut(path)?;
    match http_method(method)? {
        HttpMethod::Get => item.get.as_mut(),
        HttpMethod::Put => item.put.as_mut(),
        HttpMethod::Post => item.post.as_mut(),
        HttpMethod::Delete => item.delete.as_mut(),
        HttpMethod::Options => item.options.as_mut(),
        HttpMethod::Head => item.head.as_mut(),
        HttpMethod::Patch => item.patch.as_mut(),
        HttpMethod::Trace => item.trace.as_mut(),
    }
}

fn http_method(method: &str) -> Option<HttpMethod> {
    Some(match method {
        "GET" => HttpMethod::Get,
        "PUT" => HttpMethod::Put,
        "POST" => HttpMethod::Post,
        "DELETE" => HttpMethod::Delete,
        "OPTIONS" => HttpMethod::Options,
        "HEAD" => HttpMethod::Head,
        "PATCH" => HttpMethod::Patch,
        "TRACE" => HttpMethod::Trace,
        _ => return None,
    })
}

/// The `bearer` security scheme: `Authorization: Bearer <token>`.
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A session token from POST /v1/auth/login (valid 12 h) or, on the function, invocation and activation routes, an API key `faas_k_…` from POST /v1/keys; sent as `Authorization: Bearer <token>`",
                    ))
                    .build(),
            ),
        );
    }
}

/// Invoke's body may be empty (the empty parameter); utoipa marks a body of
/// several content types required.
struct OptionalInvokeBody;

impl Modify for OptionalInvokeBody {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(body) = operation_mut(openapi, "POST", paths::INVOKE)
            .and_then(|operation| operation.request_body.as_mut())
        {
            body.required = Some(utoipa::openapi::Required::False);
        }
    }
}

/// The links between operations (OpenAPI's `links` of a response): from a
/// created function to reading, invoking and deleting it, from an invocation to
/// its activation record, from a stored secret and a new API key to deleting
/// them. A client (and the fuzzer's stateful phase) follows them to chain create
/// → read → delete with the name the server answered.
pub const LINKS: &[OperationLink] = &[
    OperationLink {
        from: &[("put_function", "201"), ("put_function", "200")],
        name: "GetFunction",
        to: "get_function",
        parameter: "name",
        value: "$response.body#/name",
        description: "Read the function",
    },
    OperationLink {
        from: &[
            ("put_function", "201"),
            ("put_function", "200"),
            ("get_function", "200"),
        ],
        name: "InvokeFunction",
        to: "invoke",
        parameter: "name",
        value: "$response.body#/name",
        description: "Invoke the function",
    },
    OperationLink {
        from: &[
            ("put_function", "201"),
            ("put_function", "200"),
            ("get_function", "200"),
        ],
        name: "DeleteFunction",
        to: "delete_function",
        parameter: "name",
        value: "$response.body#/name",
        description: "Delete the function",
    },
    OperationLink {
        from: &[("invoke", "200"), ("invoke", "202")],
        name: "GetActivation",
        to: "get_activation",
        parameter: "id",
        value: "$response.body#/activation_id",
        description: "The activation's record (once it has finished)",
    },
    OperationLink {
        from: &[("put_secret", "201"), ("put_secret", "200")],
        name: "DeleteSecret",
        to: "delete_secret",
        parameter: "name",
        value: "$response.body#/name",
        description: "Delete the secret",
    },
    OperationLink {
        from: &[("create_key", "201")],
        name: "DeleteKey",
        to: "delete_key",
        parameter: "name",
        value: "$response.body#/name",
        description: "Revoke the key",
    },
];

/// One link of [`LINKS`]: from the responses `from` (operation id, status), named
/// `name`, to operation `to` with its `parameter` set to `value` (a runtime
/// expression).
#[derive(Debug, Clone, Copy)]
pub struct OperationLink {
    pub from: &'static [(&'static str, &'static str)],
    pub name: &'static str,
    pub to: &'static str,
    pub parameter: &'static str,
    pub value: &'static str,
    pub description: &'static str,
}

/// Writes [`LINKS`] into the responses they start from.
struct Links;

impl Modify for Links {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for spec in LINKS {
            for &(operation_id, status) in spec.from {
                let Some(RefOr::T(response)) = operation_by_id_mut(openapi, operation_id)
                    .and_then(|operation| operation.responses.responses.get_mut(status))
                else {
                    // The links test names it; the document stays servable.
                    continue;
                };
                response
                    .links
                    .insert(spec.name.to_owned(), RefOr::T(link(spec)));
            }
        }
    }
}

/// The link object of `spec`.
///
/// utoipa 5's `Link` writes its fields in snake case (`operation_id`, which no
/// OpenAPI tool reads), so the target goes in as the one extension field
/// `operationId`, flattened into the link object by the same serializer: the
/// document says `"operationId"` as OpenAPI spells it (the links test checks the
/// served document for it).
fn link(spec: &OperationLink) -> Link {
    let target: utoipa::openapi::extensions::Extensions =
        [("operationId", serde_json::Value::from(spec.to))]
            .into_iter()
            .collect();
    LinkBuilder::new()
        .description(spec.description)
        .parameter(spec.parameter, spec.value)
        .extensions(Some(target))
        .build()
}

/// The operation whose `operationId` is `id`, if any.
fn operation_by_id_mut<'a>(
    openapi: &'a mut utoipa::openapi::OpenApi,
    id: &str,
) -> Option<&'a mut Operation> {
    openapi.paths.paths.values_mut().find_map(|item| {
        [
            item.get.as_mut(),
            item.put.as_mut(),
            item.post.as_mut(),
            item.delete.as_mut(),
            item.options.as_mut(),
            item.head.as_mut(),
            item.patch.as_mut(),
            item.trace.as_mut(),
        ]
        .into_iter()
        .flatten()
        .find(|operation| operation.operation_id.as_deref() == Some(id))
    })
}

/// Completes each operation from its row of [`ROUTES`]: the bearer requirement
/// where the route needs a token, and the error responses.
struct FromRouteTable;

impl Modify for FromRouteTable {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for route in ROUTES {
            let Some(operation) = operation_mut(openapi, route.method.as_str(), route.path) else {
                // The route test names it; the document stays servable.
                continue;
            };
            if route.access.needs_token() {
                operation.security =
                    Some(vec![SecurityRequirement::new(BEARER, Vec::<String>::new())]);
            }
            let codes = route.errors;
            let mut statuses: Vec<u16> = codes
                .iter()
                .chain(EVERY_ROUTE)
                .map(|c| c.http_status())
                .collect();
            statuses.sort_unstable();
            statuses.dedup();
            for status in statuses {
                let codes: Vec<ErrorCode> = codes
                    .iter()
                    .chain(EVERY_ROUTE)
                    .copied()
                    .filter(|c| c.http_status() == status)
                    .collect();
                operation
                    .responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| error_response(status, &codes).into());
            }
        }
    }
}

/// One error status of an operation: the error body with `code` one of `codes`.
fn error_response(status: u16, codes: &[ErrorCode]) -> utoipa::openapi::Response {
    let names: Vec<String> = codes.iter().map(|c| c.as_str()).collect();
    let reason = axum::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error");
    let listed = names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let narrowed = ObjectBuilder::new().property(
        "error",
        ObjectBuilder::new().property(
            "code",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(names.clone())),
        ),
    );
    let schema = Schema::AllOf(
        utoipa::openapi::AllOfBuilder::new()
            .item(Ref::from_schema_name("ErrorBody"))
            .item(narrowed)
            .build(),
    );
    let mut response = ResponseBuilder::new()
        .description(format!("{reason}: {listed}"))
        .content("application/json", Content::new(Some(RefOr::T(schema))));
    if codes.iter().any(|c| retries_later(*c)) {
        response = response.header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(
                    ObjectBuilder::new()
                        .schema_type(Type::Integer)
                        .minimum(Some(0)),
                )
                .description(Some("Seconds to wait before trying again"))
                .build(),
        );
    }
    if status == 401 {
        response = response.header(
            "WWW-Authenticate",
            HeaderBuilder::new()
                .schema(ObjectBuilder::new().schema_type(Type::String))
                .description(Some("`Bearer realm=\"faas\"`"))
                .build(),
        );
    }
    response.build()
}

/// Codes answered with `Retry-After`: the refusals that pass with time.
fn retries_later(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::RateLimited
            | ErrorCode::ConcurrencyLimit
            | ErrorCode::NoCapacity
            | ErrorCode::BackendUnavailable
    )
}
