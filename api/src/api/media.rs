//! Media types, parsed as media types (`mime`), never compared as strings: whether
//! a request's body is JSON by its `Content-Type`, and whether its `Accept`
//! prefers plain text.

use axum::http::{HeaderMap, header};
use faas_shared::ErrorCode;

use crate::error::AppError;

/// Whether the body is JSON by the request's `Content-Type`: the media type
/// `application/json`, matched as media types are (case-insensitive, parameters
/// such as `charset` allowed), never by a string prefix (`application/jsonx` is not
/// JSON). No `Content-Type` is not JSON; one that is not a media type at all is 400.
pub fn is_json_body(headers: &HeaderMap) -> Result<bool, AppError> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Ok(false);
    };
    let media_type = value
        .to_str()
        .ok()
        .and_then(parse_media_type)
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::BadRequest,
                "the Content-Type header is not a media type (e.g. application/json, text/plain; charset=utf-8)",
            )
        })?;
    Ok(media_type.type_() == mime::APPLICATION
        && media_type.subtype() == mime::JSON
        && media_type.suffix().is_none())
}

/// A media type, allowing the whitespace HTTP allows around `;` (RFC 9110:
/// `type "/" subtype *( OWS ";" OWS parameter )`), which `mime` does not.
fn parse_media_type(value: &str) -> Option<mime::Mime> {
    let parts: Vec<&str> = value.split(';').map(str::trim).collect();
    parts.join("; ").parse().ok()
}

/// Whether the client's `Accept` prefers `text/plain` (or `text/*`) to JSON, the
/// default: media ranges parsed as such (case-insensitive, with `q` weights), a
/// range that does not parse ignored.
pub fn prefers_text(headers: &HeaderMap) -> bool {
    let (mut text, mut json) = (0.0f32, 0.0f32);
    let ranges = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','));
    for range in ranges {
        let Some(range) = parse_media_type(range) else {
            continue;
        };
        let q = range
            .get_param("q")
            .and_then(|q| q.as_str().parse::<f32>().ok())
            .unwrap_or(1.0);
        match (range.type_(), range.subtype()) {
            (mime::TEXT, mime::PLAIN) | (mime::TEXT, mime::STAR) => text = text.max(q),
            (mime::APPLICATION, mime::JSON)
            | (mime::APPLICATION, mime::STAR)
            | (mime::STAR, mime::STAR) => json = json.max(q),
            _ => {}
        }
    }
    text > json
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| (name.clone(), value.parse().unwrap()))
            .collect()
    }

    #[test]
    fn json_bodies_are_told_by_their_media_type() {
        let json = |value: &str| is_json_body(&headers(&[(header::CONTENT_TYPE, value)]));
        for yes in [
            "application/json",
            "APPLICATION/JSON",
            "Application/Json; charset=UTF-8",
            " application/json ;charset=utf-8",
        ] {
            assert!(json(yes).unwrap(), "{yes}");
        }
        for no in [
            "application/jsonx",
            "application/json-seq",
            "text/plain",
            "application/problem+json",
            "text/json",
        ] {
            assert!(!json(no).unwrap(), "{no}");
        }
        assert!(!is_json_body(&HeaderMap::new()).unwrap());
        assert_eq!(
            json("not a media type").unwrap_err().code(),
            ErrorCode::BadRequest
        );
    }

    #[test]
    fn accept_is_parsed_with_weights() {
        let text = |value: &str| prefers_text(&headers(&[(header::ACCEPT, value)]));
        assert!(text("text/plain"));
        assert!(text("TEXT/PLAIN; charset=utf-8"));
        assert!(text("text/plain, application/json;q=0.5"));
        assert!(!text("text/plain;q=0.5, application/json"));
        assert!(!text("application/json"));
        assert!(!text("*/*"));
        assert!(!text("text/plainx"));
        assert!(!prefers_text(&HeaderMap::new()));
    }
}
