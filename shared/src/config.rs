//! Settings read from the environment once, at cold start.
//!
//! Each function reads only the groups it needs. A missing or invalid variable stops start-up
//! with an error that names it.

use std::env;

use chrono::TimeDelta;
use url::Url;

use crate::domain::ids::Email;
use crate::domain::policy::JitPolicy;
use crate::domain::time::parse_duration;
use crate::domain::token::TokenKey;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is not set; {hint}")]
    Missing { name: &'static str, hint: &'static str },
    #[error("{name} is invalid: {message}")]
    Invalid { name: &'static str, message: String },
}

fn optional(name: &'static str) -> Option<String> {
    env::var(name).ok().filter(|value| !value.trim().is_empty())
}

fn required(name: &'static str, hint: &'static str) -> Result<String, ConfigError> {
    optional(name).ok_or(ConfigError::Missing { name, hint })
}

fn invalid(name: &'static str, message: impl ToString) -> ConfigError {
    ConfigError::Invalid {
        name,
        message: message.to_string(),
    }
}

/// Names of the table that stores requests, subscriptions and audit entries, and of the event bus.
#[derive(Debug, Clone)]
pub struct Resources {
    /// `LOCKBOX_TABLE`, default `lockbox`.
    pub table_name: String,
    /// `LOCKBOX_EVENT_BUS`, default `lockbox`.
    pub event_bus_name: String,
}

impl Resources {
    pub fn from_env() -> Self {
        Self {
            table_name: optional("LOCKBOX_TABLE").unwrap_or_else(|| "lockbox".to_owned()),
            event_bus_name: optional("LOCKBOX_EVENT_BUS").unwrap_or_else(|| "lockbox".to_owned()),
        }
    }
}

/// How long things last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timings {
    /// `LOCKBOX_REQUEST_EXPIRY`, default `96h`: how long a request waits for a decision.
    pub request_expiry: TimeDelta,
    /// `LOCKBOX_ACCESS_DURATION`, default `8h`: how long approved access lasts.
    pub access_duration: TimeDelta,
    /// `LOCKBOX_RETENTION`, default `2160h` (90 days): how long a finished request's item is
    /// kept before DynamoDB's TTL may delete it. Audit entries are not deleted.
    pub retention: TimeDelta,
}

impl Default for Timings {
    fn default() -> Self {
        Self {
            request_expiry: TimeDelta::hours(96),
            access_duration: TimeDelta::hours(8),
            retention: TimeDelta::days(90),
        }
    }
}

impl Timings {
    pub fn from_env() -> Result<Self, ConfigError> {
        let defaults = Self::default();
        let read = |name: &'static str, default: TimeDelta| match optional(name) {
            None => Ok(default),
            Some(raw) => parse_duration(name, &raw).map_err(|error| invalid(name, error.message)),
        };
        Ok(Self {
            request_expiry: read("LOCKBOX_REQUEST_EXPIRY", defaults.request_expiry)?,
            access_duration: read("LOCKBOX_ACCESS_DURATION", defaults.access_duration)?,
            retention: read("LOCKBOX_RETENTION", defaults.retention)?,
        })
    }
}

/// The source of the key that signs approver links.
#[derive(Debug, Clone)]
pub enum TokenKeySetting {
    /// `LOCKBOX_TOKEN_KEY`: the key itself, at least 32 bytes in base64. Local runs and tests
    /// use it, and a deployed stack uses a secret instead.
    Inline(TokenKey),
    /// `LOCKBOX_TOKEN_KEY_SECRET`: the name or ARN of a Secrets Manager secret whose string is
    /// the key in base64.
    Secret(String),
}

impl TokenKeySetting {
    pub fn from_env() -> Result<Self, ConfigError> {
        const INLINE: &str = "LOCKBOX_TOKEN_KEY";
        const SECRET: &str = "LOCKBOX_TOKEN_KEY_SECRET";
        match (optional(INLINE), optional(SECRET)) {
            (Some(_), Some(_)) => Err(invalid(INLINE, format!("set either {INLINE} or {SECRET}, not both"))),
            (None, Some(secret)) => Ok(Self::Secret(secret.trim().to_owned())),
            (Some(raw), None) => TokenKey::from_base64(&raw)
                .map(Self::Inline)
                .map_err(|error| invalid(INLINE, error)),
            (None, None) => Err(ConfigError::Missing {
                name: SECRET,
                hint: "set it to the Secrets Manager secret that holds the link-signing key, \
                       or set LOCKBOX_TOKEN_KEY to a key in base64 (`openssl rand -base64 32`)",
            }),
        }
    }
}

/// Reads `LOCKBOX_PUBLIC_URL`, the address approvers' links start with, such as
/// `https://lockbox.example.com` or an API Gateway stage URL. Mail needs it.
pub fn public_url_from_env() -> Result<String, ConfigError> {
    const NAME: &str = "LOCKBOX_PUBLIC_URL";
    let raw = required(NAME, "set it to the address approvers' links start with")?;
    parse_public_url(&raw).map_err(|message| invalid(NAME, message))
}

/// Reads the path that pages put before their links and form actions: the path of
/// `LOCKBOX_PUBLIC_URL`, or nothing when it is not set, which suits an HTTP API's `$default`
/// stage.
pub fn base_path_from_env() -> Result<String, ConfigError> {
    match optional("LOCKBOX_PUBLIC_URL") {
        None => Ok(String::new()),
        Some(_) => public_url_from_env().map(|url| base_path(&url)),
    }
}

/// Returns the path part of a public address without a trailing slash, such as `/Prod` or an
/// empty string.
pub fn base_path(public_url: &str) -> String {
    Url::parse(public_url)
        .map(|url| url.path().trim_end_matches('/').to_owned())
        .unwrap_or_default()
}

/// Checks the public address and drops any trailing slash, so that paths can be appended.
pub fn parse_public_url(raw: &str) -> Result<String, String> {
    let url = Url::parse(raw).map_err(|error| format!("`{raw}` is not a URL ({error})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("`{raw}` must start with http:// or https://"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("`{raw}` must not have a query or fragment"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// Settings of outgoing mail.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// `LOCKBOX_SENDER`: a verified SES identity.
    pub sender: Email,
}

impl MailSettings {
    pub fn from_env() -> Result<Self, ConfigError> {
        let raw = required("LOCKBOX_SENDER", "set it to the SES-verified address mail is sent from")?;
        let sender = Email::parse(&raw).map_err(|error| invalid("LOCKBOX_SENDER", error.message))?;
        Ok(Self { sender })
    }
}

/// Reads the JIT policy from `LOCKBOX_JIT_POLICY_FILE`, or returns the bundled one.
pub fn jit_policy_from_env() -> Result<JitPolicy, ConfigError> {
    const NAME: &str = "LOCKBOX_JIT_POLICY_FILE";
    match optional(NAME) {
        None => Ok(JitPolicy::default_policy()),
        Some(path) => {
            let text = std::fs::read_to_string(&path)
                .map_err(|error| invalid(NAME, format!("cannot read {path}: {error}")))?;
            JitPolicy::from_json(&text).map_err(|error| invalid(NAME, format!("{path}: {error}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_url_drops_trailing_slash() {
        let url = parse_public_url("https://lockbox.example.com/Prod/").unwrap();
        assert_eq!(url, "https://lockbox.example.com/Prod");
        assert_eq!(
            parse_public_url("http://127.0.0.1:3000").unwrap(),
            "http://127.0.0.1:3000"
        );
    }

    #[test]
    fn base_path_is_the_url_path() {
        assert_eq!(base_path("https://api.example.com/Prod"), "/Prod");
        assert_eq!(base_path("http://127.0.0.1:3000"), "");
    }

    #[test]
    fn public_url_rejects_other_schemes() {
        assert!(parse_public_url("ftp://example.com").is_err());
        assert!(parse_public_url("not a url").is_err());
        assert!(parse_public_url("https://example.com/?a=b").is_err());
    }
}
