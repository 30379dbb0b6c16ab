//! Parsing request bodies and query strings into raw input types, with errors that name the
//! offending field.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::domain::ids::InvalidField;

/// A request body within [`MAX_BODY_BYTES`](super::MAX_BODY_BYTES). A larger one is rejected
/// with `413` and a JSON error naming `body`, instead of axum's plain-text rejection.
pub struct Body(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(request, state)
            .await
            .map(Body)
            .map_err(|rejection| {
                tracing::warn!(error = %rejection, "request body rejected");
                ApiError::PayloadTooLarge
            })
    }
}

/// Parses a JSON body. Syntax errors, missing fields, unknown fields and unknown enum values
/// all become an [`InvalidField`] naming the field, or `body` when no field is to blame.
pub fn json_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, InvalidField> {
    if body.is_empty() {
        return Err(InvalidField::new("body", "is empty; send a JSON object"));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let message = inner.to_string();
        // serde_json reports a value that an enum cannot start with, such as a number where a
        // name is expected, as a syntax error, but at the field's path. Structural errors
        // have no known path (`?`).
        let at_field = !matches!(path.as_str(), "?" | "." | "");
        if inner.is_eof() || (inner.is_syntax() && !at_field) {
            return InvalidField::new("body", message);
        }
        if inner.is_syntax() {
            return InvalidField::new(
                static_field(field_of(&path, &message)),
                format!("has an invalid value: {message}"),
            );
        }
        InvalidField::new(static_field(field_of(&path, &message)), message)
    })?;
    // Anything after the object, such as a second object, would otherwise be ignored.
    deserializer
        .end()
        .map_err(|error| InvalidField::new("body", format!("has data after the JSON object: {error}")))?;
    Ok(value)
}

/// Parses an HTML form body, naming the offending field in the error.
pub fn form_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, InvalidField> {
    let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(body));
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let message = error.into_inner().to_string();
        let field = match field_of(&path, &message).as_str() {
            "body" => "form".to_owned(),
            other => other.to_owned(),
        };
        InvalidField::new(static_field(field), message)
    })
}

/// Names the field an error is about. serde names a missing or unknown field only in its
/// message, at the parent's path; other errors sit at the field's own path.
fn field_of(path: &str, message: &str) -> String {
    let named = ["missing field `", "unknown field `"].iter().find_map(|prefix| {
        message
            .split_once(prefix)
            .and_then(|(_, rest)| rest.split_once('`'))
            .map(|(name, _)| name.to_owned())
    });
    match (named, path) {
        (Some(name), "." | "") => name,
        (Some(name), parent) => format!("{parent}.{name}"),
        (None, "." | "") => "body".to_owned(),
        (None, path) => path.to_owned(),
    }
}

/// Field names in errors are `&'static str` so that domain code can name fields without
/// allocating. Names parsed from input are matched against a fixed list, and anything else is
/// reported as `body`, so nothing a caller sends is leaked.
fn static_field(name: String) -> &'static str {
    const KNOWN: &[&str] = &[
        "subscription_id",
        "resource_id",
        "resource_kind",
        "scope",
        "permission_level",
        "support_ticket_id",
        "justification",
        "tenant_id",
        "support_plan",
        "owners",
        "email",
        "locale",
        "decision",
        "reason",
        "token",
        "body",
        "form",
    ];
    let last = name.rsplit('.').next().unwrap_or(&name);
    let last = last.split('[').next().unwrap_or(last);
    if let Some(known) = KNOWN.iter().find(|known| **known == name) {
        return known;
    }
    if name.starts_with("owners") {
        return match last {
            "email" => "owners[].email",
            "locale" => "owners[].locale",
            _ => "owners",
        };
    }
    KNOWN.iter().find(|known| **known == last).copied().unwrap_or("body")
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        scope: crate::domain::request::Scope,
        justification: String,
    }

    #[test]
    fn missing_field_is_named() {
        let error = json_body::<Sample>(br#"{"scope":"resource"}"#).unwrap_err();
        assert_eq!(error.field, "justification");
    }

    #[test]
    fn unknown_enum_value_is_named() {
        let error = json_body::<Sample>(br#"{"scope":"galaxy","justification":"x"}"#).unwrap_err();
        assert_eq!(error.field, "scope");
        assert!(error.message.contains("galaxy"));
    }

    #[test]
    fn enum_of_wrong_type_is_named() {
        for body in [
            &br#"{"scope":1,"justification":"x"}"#[..],
            br#"{"scope":["resource"],"justification":"x"}"#,
            br#"{"scope":null,"justification":"x"}"#,
        ] {
            let error = json_body::<Sample>(body).unwrap_err();
            assert_eq!(error.field, "scope", "{}", String::from_utf8_lossy(body));
            assert!(error.message.starts_with("has an invalid value"), "{}", error.message);
        }
    }

    #[test]
    fn missing_comma_names_body() {
        let error = json_body::<Sample>(br#"{"scope":"resource" "justification":"x"}"#).unwrap_err();
        assert_eq!(error.field, "body");
    }

    #[test]
    fn malformed_json_names_body() {
        let error = json_body::<Sample>(b"{not json").unwrap_err();
        assert_eq!(error.field, "body");
    }

    #[test]
    fn trailing_data_is_rejected() {
        let error =
            json_body::<Sample>(br#"{"scope":"resource","justification":"x"} {"scope":"subscription"}"#).unwrap_err();
        assert_eq!(error.field, "body");
    }

    #[test]
    fn truncated_json_names_body() {
        let error = json_body::<Sample>(br#"{"scope":"resource","justification":"#).unwrap_err();
        assert_eq!(error.field, "body");
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Form {
        token: String,
        decision: crate::domain::request::Decision,
    }

    #[test]
    fn form_names_bad_field() {
        let error = form_body::<Form>(b"token=abc&decision=maybe").unwrap_err();
        assert_eq!(error.field, "decision");
        let error = form_body::<Form>(b"decision=approve").unwrap_err();
        assert_eq!(error.field, "token");
    }

    #[test]
    fn unknown_field_is_named_as_body() {
        let error = json_body::<Sample>(br#"{"scope":"resource","justification":"x","extra":1}"#).unwrap_err();
        assert_eq!(error.field, "body");
        assert!(error.message.contains("extra"));
    }
}
