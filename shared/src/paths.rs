//! The API's paths, spelled once: the server routes these patterns and clients fill
//! them in. `{name}` and `{id}` are axum's path parameters.

pub const USERS: &str = "/v1/users";
pub const LOGIN: &str = "/v1/auth/login";
/// Revokes the token it is sent with.
pub const LOGOUT: &str = "/v1/auth/logout";
/// The caller's own account (`DELETE` deletes it).
pub const ME: &str = "/v1/users/me";
/// The caller's password (`PUT` changes it).
pub const PASSWORD: &str = "/v1/users/me/password";
pub const FUNCTIONS: &str = "/v1/functions";
pub const FUNCTION: &str = "/v1/functions/{name}";
pub const INVOKE: &str = "/v1/functions/{name}/invoke";
pub const ACTIVATIONS: &str = "/v1/activations";
pub const ACTIVATION: &str = "/v1/activations/{id}";
/// The caller's secrets (`GET` lists names only).
pub const SECRETS: &str = "/v1/secrets";
/// One secret (`PUT` sets it, `DELETE` removes it; its value is never served).
pub const SECRET: &str = "/v1/secrets/{name}";
/// The caller's API keys (`POST` creates one, `GET` lists them).
pub const KEYS: &str = "/v1/keys";
pub const KEY: &str = "/v1/keys/{name}";
pub const HEALTHZ: &str = "/healthz";
pub const READYZ: &str = "/readyz";
/// The API's OpenAPI 3.1 document (also checked in as `docs/openapi.json`).
pub const OPENAPI: &str = "/v1/openapi.json";

/// `pattern` with its one `{…}` parameter replaced by `value` (a validated name or
/// id, so nothing needs escaping).
pub fn fill(pattern: &str, value: &str) -> String {
    match (pattern.find('{'), pattern.find('}')) {
        (Some(open), Some(close)) => {
            format!("{}{value}{}", &pattern[..open], &pattern[close + 1..])
        }
        _ => pattern.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fill_replaces_the_parameter() {
        assert_eq!(
            super::fill(super::INVOKE, "rev"),
            "/v1/functions/rev/invoke"
        );
        assert_eq!(super::fill(super::ACTIVATION, "abc"), "/v1/activations/abc");
        assert_eq!(super::fill(super::USERS, "x"), "/v1/users");
    }
}
