//! Identifiers and other validated strings. Each is parsed once at the edge.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A reason why a raw value is not a valid domain value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct InvalidField {
    pub field: &'static str,
    pub message: String,
}

impl InvalidField {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

/// Identifier of a lockbox request, a random UUID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RequestId(Uuid);

impl RequestId {
    pub fn new_random() -> Self {
        Self(Uuid::new_v4())
    }

    pub fn parse(raw: &str) -> Result<Self, InvalidField> {
        Uuid::try_parse(raw)
            .map(Self)
            .map_err(|_| InvalidField::new("request_id", format!("`{}` is not a UUID", truncate(raw))))
    }

    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(Uuid::from_bytes(bytes))
    }

    pub fn as_bytes(&self) -> &[u8; 16] {
        self.0.as_bytes()
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

/// Defines a newtype over a short identifier made of letters, digits, `-`, `_`, `.` and `/`.
macro_rules! identifier {
    ($(#[$doc:meta])* $name:ident, $field:literal, $max:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const FIELD: &'static str = $field;
            pub const MAX_LEN: usize = $max;

            pub fn parse(raw: &str) -> Result<Self, InvalidField> {
                parse_identifier(raw, $field, $max).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidField;
            fn try_from(raw: String) -> Result<Self, Self::Error> {
                Self::parse(&raw)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

identifier!(
    /// Identifier of a customer subscription, the unit that owns resources.
    SubscriptionId, "subscription_id", 64
);
identifier!(
    /// Identifier of a customer organisation.
    TenantId, "tenant_id", 64
);
identifier!(
    /// Identifier of the support ticket that a request refers to.
    SupportTicketId, "support_ticket_id", 64
);
identifier!(
    /// Identifier of the resource a request wants to reach, such as a VM's ARN or path.
    ResourceId, "resource_id", 512
);

fn parse_identifier(raw: &str, field: &'static str, max_len: usize) -> Result<String, InvalidField> {
    if raw.is_empty() {
        return Err(InvalidField::new(field, "must not be empty"));
    }
    if raw.len() > max_len {
        return Err(InvalidField::new(
            field,
            format!("is {} bytes long, the maximum is {max_len}", raw.len()),
        ));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ':');
    if let Some(bad) = raw.chars().find(|c| !allowed(*c)) {
        return Err(InvalidField::new(
            field,
            format!("contains {bad:?}; use letters, digits and - _ . / : only"),
        ));
    }
    Ok(raw.to_owned())
}

/// An email address, stored in lower case so that comparisons ignore case.
///
/// The check is deliberately loose (one `@`, a dot in the domain, no spaces or angle brackets):
/// delivery is the real test, and SES rejects what it cannot send to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, InvalidField> {
        Self::parse_field(raw, "email")
    }

    /// Parses `raw`, naming `field` in the error.
    pub fn parse_field(raw: &str, field: &'static str) -> Result<Self, InvalidField> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(InvalidField::new(field, "must not be empty"));
        }
        if trimmed.len() > Self::MAX_LEN {
            return Err(InvalidField::new(
                field,
                format!("is longer than {} bytes", Self::MAX_LEN),
            ));
        }
        // Only ASCII addresses are accepted, so that two addresses never compare equal after
        // case folding unless they are the same text, and look-alike characters cannot pass.
        if !trimmed.is_ascii() {
            return Err(InvalidField::new(field, "must contain ASCII characters only"));
        }
        let invalid = || InvalidField::new(field, format!("`{}` is not an email address", truncate(trimmed)));
        let (local, domain) = trimmed.split_once('@').ok_or_else(invalid)?;
        let forbidden = |c: char| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"' | '@');
        if local.is_empty()
            || domain.len() < 3
            || !domain.contains('.')
            || trimmed.chars().filter(|c| *c == '@').count() != 1
        {
            return Err(invalid());
        }
        if local.chars().any(forbidden)
            || domain.chars().any(forbidden)
            || domain.starts_with('.')
            || domain.ends_with('.')
        {
            return Err(invalid());
        }
        Ok(Self(trimmed.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = InvalidField;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> String {
        value.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Shortens a rejected value before it goes into an error message.
pub(crate) fn truncate(raw: &str) -> String {
    const MAX: usize = 64;
    if raw.chars().count() <= MAX {
        raw.to_owned()
    } else {
        let head: String = raw.chars().take(MAX).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_lowercased() {
        let email = Email::parse(" Alice@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "alice@example.com");
    }

    #[test]
    fn email_rejects_malformed_values() {
        for raw in [
            "\u{212A}im@contoso.example",
            "alice\u{200b}@contoso.example",
            "",
            "alice",
            "alice@",
            "@example.com",
            "a@b",
            "a b@example.com",
            "a@@example.com",
            "a@example.com>",
            "a@.example.com",
        ] {
            assert!(Email::parse(raw).is_err(), "{raw:?} was accepted");
        }
    }

    #[test]
    fn identifier_rejects_empty_long_and_odd() {
        assert!(SubscriptionId::parse("").is_err());
        assert!(SubscriptionId::parse(&"a".repeat(65)).is_err());
        assert!(SubscriptionId::parse("sub 1").is_err());
        assert!(SubscriptionId::parse("sub-1_a.b").is_ok());
    }

    #[test]
    fn identifier_error_names_field() {
        let error = SupportTicketId::parse("").unwrap_err();
        assert_eq!(error.field, "support_ticket_id");
    }

    #[test]
    fn request_id_rejects_non_uuid() {
        assert!(RequestId::parse("not-a-uuid").is_err());
        let id = RequestId::new_random();
        assert_eq!(RequestId::parse(&id.to_string()).unwrap(), id);
    }
}
