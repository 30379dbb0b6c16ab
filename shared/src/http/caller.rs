//! Turning authorizer claims into a [`Caller`], and reading it back in handlers.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::error::ApiError;
use crate::domain::identity::{parse_flag, parse_roles, Caller};
use crate::domain::ids::{Email, TenantId};

/// Claim names read from the authorizer context (JWT claims in an HTTP API).
pub mod claims {
    /// The caller's email address; requesters and approvers are compared by it.
    pub const EMAIL: &str = "email";
    /// Authentication methods; a value containing `mfa` marks multi-factor sign-in.
    pub const AMR: &str = "amr";
    /// `true` when the caller signed in with multi-factor authentication.
    pub const MFA: &str = "lockbox_mfa";
    /// `true` when the caller uses an isolated (privileged access) identity.
    pub const ISOLATED_IDENTITY: &str = "lockbox_isolated_identity";
    /// The caller's lockbox roles, separated by commas or spaces.
    pub const ROLES: &str = "lockbox_roles";
    /// For customer-side auditors, the tenant whose entries they may read.
    pub const TENANT_ID: &str = "lockbox_tenant_id";
}

/// Builds a caller from a claim lookup. Returns `None` without a valid email claim, and when a
/// tenant claim is present but invalid, because dropping it would widen the caller's view.
pub fn caller_from_claims(claim: impl Fn(&str) -> Option<String>) -> Option<Caller> {
    let principal = Email::parse(&claim(claims::EMAIL)?).ok()?;
    let tenant = match claim(claims::TENANT_ID) {
        None => None,
        Some(raw) => Some(TenantId::parse(&raw).ok()?),
    };
    let amr_has_mfa = claim(claims::AMR).is_some_and(|amr| amr.to_ascii_lowercase().contains("mfa"));
    Some(Caller {
        principal,
        mfa: amr_has_mfa || claim(claims::MFA).is_some_and(|raw| parse_flag(&raw)),
        isolated_identity: claim(claims::ISOLATED_IDENTITY).is_some_and(|raw| parse_flag(&raw)),
        roles: claim(claims::ROLES).map(|raw| parse_roles(&raw)).unwrap_or_default(),
        tenant,
    })
}

/// Extracts the caller that the entry point attached to the request.
pub struct Authenticated(pub Caller);

impl<S: Send + Sync> FromRequestParts<S> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .map(Authenticated)
            .ok_or(ApiError::Unauthenticated)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::domain::identity::Role;

    #[test]
    fn caller_reads_claims() {
        let map = HashMap::from([
            ("email", "Eng@Provider.example"),
            ("amr", "[pwd mfa]"),
            ("lockbox_roles", "[support_engineer auditor]"),
        ]);
        let caller = caller_from_claims(|name| map.get(name).map(|v| v.to_string())).unwrap();
        assert_eq!(caller.principal.as_str(), "eng@provider.example");
        assert!(caller.mfa);
        assert!(!caller.isolated_identity);
        assert_eq!(caller.roles, vec![Role::SupportEngineer, Role::Auditor]);
    }

    #[test]
    fn invalid_tenant_claim_rejects_caller() {
        let map = HashMap::from([
            ("email", "auditor@contoso.example"),
            ("lockbox_tenant_id", "fabrikam corp"),
        ]);
        assert!(caller_from_claims(|name| map.get(name).map(|v| v.to_string())).is_none());
    }

    #[test]
    fn caller_needs_email() {
        assert!(caller_from_claims(|_| None).is_none());
        assert!(caller_from_claims(|name| (name == "email").then(|| "not-an-email".to_owned())).is_none());
    }
}
