//! Validation of user-supplied names, passwords and image references.
//!
//! Usernames and function names end up in NATS subjects and KV keys, and image
//! references are handed to the Docker Engine, so each is checked against a strict
//! grammar before it is stored anywhere.

use crate::error::{ApiError, ErrorCode};

/// Bounds of a password, in characters (Unicode scalar values, as JSON Schema's
/// `minLength` and `maxLength` count them).
pub const MIN_PASSWORD_LEN: usize = 8;
pub const MAX_PASSWORD_LEN: usize = 1024;

/// [`validate_username`]'s rule as a regular expression (the OpenAPI document's
/// `pattern`).
pub const USERNAME_PATTERN: &str = "^[a-z][a-z0-9_-]{2,31}$";
/// [`validate_name`]'s rule (functions, secrets, API keys) as a regular expression.
pub const NAME_PATTERN: &str = "^[a-z0-9][a-z0-9_-]{0,62}$";
/// Longest image reference: the Docker Engine refuses names over 255 characters
/// once normalized, and `docker.io/library/` (18) goes in front of a name that has
/// no registry and one path component.
pub const MAX_IMAGE_LEN: usize = 255 - "docker.io/library/".len();
/// [`validate_image`]'s grammar as a regular expression, with [`MAX_IMAGE_LEN`]
/// for the length and [`IMAGE_ID_PATTERN`] for what is not a name: an optional
/// registry host (a first component with a '.' or a ':port', or `localhost`;
/// labels of letters, digits and inner '-'), path components (lowercase letters
/// and digits joined by '.', '_', '__' or '-'s; the first has no '.' when a
/// registry could be meant), a tag and a digest of an algorithm the engine knows.
pub const IMAGE_PATTERN: &str = concat!(
    "^(?:",
    // registry/path...
    "(?:localhost",
    "|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+(?::[0-9]{1,5})?",
    "|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?:[0-9]{1,5}",
    ")/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*",
    // path/path... without a registry: its first component has no '.'
    "|[a-z0-9]+(?:(?:_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)+",
    // one component
    "|[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*",
    ")",
    "(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?",
    "(?:@sha256:[0-9a-f]{64}|@sha384:[0-9a-f]{96}|@sha512:[0-9a-f]{128})?$",
);
/// What [`IMAGE_PATTERN`] matches but is no image name: 64 hex digits, an image id
/// to the Docker Engine.
pub const IMAGE_ID_PATTERN: &str = "^[0-9a-f]{64}$";

/// `^[a-z][a-z0-9_-]{2,31}$`
pub fn validate_username(name: &str) -> Result<(), ApiError> {
    let ok = (3..=32).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(is_name_char);
    if ok {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::InvalidUsername,
            format!(
                "invalid username {name:?}: use 3 to 32 characters a-z, 0-9, '_' or '-', starting with a letter"
            ),
        ))
    }
}

/// Names no account may take: the roles an operator needs (an operator role is
/// coming), the platform's own names, and names people take for the platform's.
/// Any name starting with [`RESERVED_USERNAME_PREFIX`] is the platform's too.
pub const RESERVED_USERNAMES: &[&str] = &[
    "admin",
    "administrator",
    "root",
    "operator",
    "operators",
    "system",
    "sysadmin",
    "superuser",
    "sudo",
    "staff",
    "support",
    "security",
    "moderator",
    "owner",
    "platform",
    "service",
    "internal",
    "daemon",
    "nobody",
    "guest",
    "anonymous",
    "everyone",
    "api",
    "www",
    "worker",
    "workers",
    "server",
    "nats",
    "postmaster",
    "hostmaster",
    "webmaster",
    "abuse",
    "noreply",
    "null",
];

/// What the platform's own names start with: no account's name does.
pub const RESERVED_USERNAME_PREFIX: &str = "faas";

/// A valid username ([`validate_username`]) that is not reserved
/// ([`RESERVED_USERNAMES`], or starting with `faas`): 400 `username_reserved`
/// otherwise. Registration checks this; a login with such a name simply finds no
/// account.
pub fn validate_new_username(name: &str) -> Result<(), ApiError> {
    validate_username(name)?;
    if RESERVED_USERNAMES.contains(&name) || name.starts_with(RESERVED_USERNAME_PREFIX) {
        return Err(ApiError::new(
            ErrorCode::UsernameReserved,
            format!("the username {name:?} is reserved for the platform: choose another"),
        ));
    }
    Ok(())
}

/// `^[a-z0-9][a-z0-9_-]{0,62}$`
pub fn validate_function_name(name: &str) -> Result<(), ApiError> {
    validate_name("function", name)
}

/// `^[a-z0-9][a-z0-9_-]{0,62}$`, as function names: a secret's name is its file
/// name under `/run/secrets/` and part of a KV key, so no dots or slashes.
pub fn validate_secret_name(name: &str) -> Result<(), ApiError> {
    validate_name("secret", name)
}

/// `^[a-z0-9][a-z0-9_-]{0,62}$`, the rule of every name a user gives (functions,
/// secrets, API keys); `what` names the kind in the error.
pub fn validate_name(what: &str, name: &str) -> Result<(), ApiError> {
    let ok = (1..=63).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name.chars().all(is_name_char);
    if ok {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::InvalidName,
            format!(
                "invalid {what} name {name:?}: use 1 to 63 characters a-z, 0-9, '_' or '-', starting with a letter or digit"
            ),
        ))
    }
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-'
}

/// Length bounds only: long passphrases are better than composition rules.
pub fn validate_password(password: &str) -> Result<(), ApiError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_LEN {
        return Err(ApiError::new(
            ErrorCode::WeakPassword,
            format!("password too short: use at least {MIN_PASSWORD_LEN} characters"),
        ));
    }
    if is_too_long_password(password) {
        return Err(ApiError::new(
            ErrorCode::WeakPassword,
            format!("password too long: use at most {MAX_PASSWORD_LEN} characters"),
        ));
    }
    Ok(())
}

/// Longer than any password an account can have ([`MAX_PASSWORD_LEN`]
/// characters): such a password is refused without being hashed.
pub fn is_too_long_password(password: &str) -> bool {
    // At most 4 bytes a character: no need to count the characters of a short one.
    password.len() > MAX_PASSWORD_LEN && password.chars().count() > MAX_PASSWORD_LEN
}

/// A Docker image reference: `[registry[:port]/]path[:tag][@digest]`.
///
/// Follows the grammar of the distribution reference (lowercase path components
/// separated by `.`, `_`, `__` or `-`; tag `[\w][\w.-]{0,127}`; digest
/// `algorithm:hex`), which also rules out whitespace and shell metacharacters, and
/// refuses what the Docker Engine would refuse when the function runs (a reference
/// stored here must not fail there as the engine's error): digests other than
/// sha256, sha384 and sha512 in lowercase hex of their length, names over
/// [`MAX_IMAGE_LEN`], and 64 hex digits alone (an image id). [`IMAGE_PATTERN`] is
/// the same rule for the OpenAPI document.
pub fn validate_image(image: &str) -> Result<(), ApiError> {
    ImageRef::parse(image).map(drop)
}

/// The parts of a valid image reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// `registry.example.com:5000`, when the first path component names a host.
    pub registry: Option<&'a str>,
    /// The repository path without the registry: `team/fn`.
    pub repository: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

impl<'a> ImageRef<'a> {
    /// Parses and validates `image`; the error names what is wrong with it.
    pub fn parse(image: &'a str) -> Result<Self, ApiError> {
        parse_image(image).map_err(|why| {
        ApiError::new(
            ErrorCode::InvalidImage,
            format!("invalid image reference {image:?}: {why} (expected e.g. \"alpine:3.20\" or \"registry.example.com/team/fn@sha256:...\")"),
        )
    })
    }

    /// Whether a tag or digest pins the reference; without one the engine would pull
    /// every tag of the repository.
    pub fn is_pinned(&self) -> bool {
        self.tag.is_some() || self.digest.is_some()
    }
}

fn parse_image(image: &str) -> Result<ImageRef<'_>, &'static str> {
    if image.is_empty() {
        return Err("it is empty");
    }
    if image.len() > MAX_IMAGE_LEN {
        return Err(
            "it is longer than 237 characters (the Docker Engine takes names of at most 255 with `docker.io/library/` in front)",
        );
    }
    if image.len() == 64
        && image
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err("64 hex digits are an image id to the Docker Engine, not a name");
    }
    let (rest, digest) = match image.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (image, None),
    };
    if let Some(digest) = digest {
        let (algo, hex) = digest
            .split_once(':')
            .ok_or("the digest needs 'algorithm:hex'")?;
        // The algorithms the engine verifies, and their lengths in lowercase hex.
        let digits = match algo {
            "sha256" => 64,
            "sha384" => 96,
            "sha512" => 128,
            _ => return Err("the digest's algorithm is not sha256, sha384 or sha512"),
        };
        let hex_ok =
            hex.len() == digits && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if !hex_ok {
            return Err("the digest is malformed (its algorithm's length in lowercase hex)");
        }
    }
    // A tag follows the last ':' only if no '/' comes after it (else it is a port).
    let (name, tag) = match rest.rfind(':') {
        Some(i) if !rest[i..].contains('/') => (&rest[..i], Some(&rest[i + 1..])),
        _ => (rest, None),
    };
    if let Some(tag) = tag {
        let ok = (1..=128).contains(&tag.len())
            && tag.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            && tag
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
        if !ok {
            return Err("the tag is malformed");
        }
    }
    let mut components = name.split('/').peekable();
    let first = components.peek().copied().unwrap_or_default();
    // The first component is a registry host when it looks like one.
    let has_registry =
        name.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    let mut registry = None;
    if has_registry {
        let host = components.next().unwrap_or_default();
        registry = Some(host);
        let (hostname, port) = match host.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host, None),
        };
        let host_ok = !hostname.is_empty()
            && hostname.split('.').all(|label| {
                !label.is_empty()
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && !label.starts_with('-')
                    && !label.ends_with('-')
            });
        let port_ok = port
            .is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.chars().all(|c| c.is_ascii_digit()));
        if !host_ok || !port_ok {
            return Err("the registry host is malformed");
        }
    }
    let mut any = false;
    for component in components {
        any = true;
        if !is_path_component(component) {
            return Err(
                "a path component is malformed (lowercase letters, digits and single separators only)",
            );
        }
    }
    if !any {
        return Err("the repository name is missing");
    }
    let repository = match registry {
        Some(host) => &name[host.len() + 1..],
        None => name,
    };
    Ok(ImageRef {
        registry,
        repository,
        tag,
        digest,
    })
}

/// Activation ids are UUIDs in simple form; anything else cannot name a record.
pub fn is_activation_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric())
}

/// `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`
fn is_path_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    if bytes.is_empty() || !is_alnum(bytes[0]) || !is_alnum(bytes[bytes.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if is_alnum(b) {
            i += 1;
            continue;
        }
        // A separator run: '.', '_', '__', or one or more '-'.
        let start = i;
        while i < bytes.len() && !is_alnum(bytes[i]) {
            i += 1;
        }
        let sep = &component[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|c| c == b'-');
        if !ok {
            return false;
        }
    }
    true
}

fn is_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        for ok in [
            "alice",
            "bob_2",
            "a-b",
            "abc",
            "a2345678901234567890123456789012",
        ] {
            assert!(validate_username(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "ab",
            "Alice",
            "1abc",
            "al ice",
            "al.ice",
            "al*",
            "a23456789012345678901234567890123",
        ] {
            let err = validate_username(bad).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidUsername, "{bad}");
        }
    }

    #[test]
    fn function_names() {
        for ok in ["reverse", "0fn", "a", "my_fn-2"] {
            assert!(validate_function_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "-x", "_x", "Fn", "a.b", "a/b", "a b", &"x".repeat(64)] {
            assert_eq!(
                validate_function_name(bad).unwrap_err().code,
                ErrorCode::InvalidName,
                "{bad}"
            );
        }
    }

    #[test]
    fn passwords() {
        assert!(validate_password("correct horse").is_ok());
        assert_eq!(
            validate_password("short").unwrap_err().code,
            ErrorCode::WeakPassword
        );
        assert!(validate_password(&"x".repeat(2000)).is_err());
        // Characters, not bytes, as the document's maxLength counts them.
        assert!(validate_password(&"é".repeat(MAX_PASSWORD_LEN)).is_ok());
        assert!(validate_password(&"é".repeat(MAX_PASSWORD_LEN + 1)).is_err());
        assert!(!is_too_long_password(&"x".repeat(MAX_PASSWORD_LEN)));
        assert!(is_too_long_password(&"x".repeat(MAX_PASSWORD_LEN + 1)));
    }

    #[test]
    fn images() {
        for ok in [
            "alpine",
            "alpine:3.20",
            "faas-examples/reverse:latest",
            "library/busybox",
            "localhost:5000/team/fn:v1.2",
            "registry.example.com/a/b/c",
            "ghcr.io/org/fn__x@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "a:1@sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "my-image--x.y_z",
            &"a".repeat(MAX_IMAGE_LEN),
            &format!("{}:tag", "ab".repeat(32)),
        ] {
            assert!(validate_image(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "Alpine",
            "alpine;rm -rf /",
            "alpine latest",
            "$(whoami)",
            "a:",
            "a:-tag",
            "/alpine",
            "alpine/",
            "a..b",
            "a@sha256:zz",
            // What the Docker Engine refuses: digests it cannot verify, names over
            // its limit once `docker.io/library/` is in front, image ids.
            "a@sha256:0123456789abcdef0123456789abcdef",
            "a@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
            "a@md5:0123456789abcdef0123456789abcdef",
            &"a".repeat(238),
            &"ab".repeat(32),
            "registry.example.com:99999999/x",
            "`id`",
            "a|b",
        ] {
            let err = validate_image(bad).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidImage, "{bad}");
        }
    }

    #[test]
    fn image_parts_tell_a_registry_port_from_a_tag() {
        let image = ImageRef::parse("registry:5000/team/fn").unwrap();
        assert_eq!(image.registry, Some("registry:5000"));
        assert_eq!(image.repository, "team/fn");
        assert!(!image.is_pinned());
        let image = ImageRef::parse("registry:5000/team/fn:1.2").unwrap();
        assert_eq!(image.tag, Some("1.2"));
        assert!(
            ImageRef::parse("faas-examples/reverse:latest")
                .unwrap()
                .is_pinned()
        );
        assert!(
            ImageRef::parse(
                "alpine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
            )
            .unwrap()
            .is_pinned()
        );
        let image = ImageRef::parse("alpine").unwrap();
        assert_eq!((image.registry, image.repository), (None, "alpine"));
        assert!(!image.is_pinned());
    }

    #[test]
    fn activation_ids_are_simple_uuids() {
        assert!(is_activation_id("0191e0c6a3b47c1e9a2b3c4d5e6f7a8b"));
        for bad in ["", "../x", "a.b", "a*", &"a".repeat(65)] {
            assert!(!is_activation_id(bad), "{bad}");
        }
    }
}
