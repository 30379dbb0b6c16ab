//! The authenticated caller of the HTTP API and the roles that routes require.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::ids::{Email, TenantId};

/// A role granted to a caller by the identity provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    SupportEngineer,
    SupportManager,
    DevopsManager,
    ProviderAdmin,
    Auditor,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::SupportEngineer,
        Role::SupportManager,
        Role::DevopsManager,
        Role::ProviderAdmin,
        Role::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::SupportEngineer => "support_engineer",
            Role::SupportManager => "support_manager",
            Role::DevopsManager => "devops_manager",
            Role::ProviderAdmin => "provider_admin",
            Role::Auditor => "auditor",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == raw)
            .ok_or_else(|| format!("unknown role `{raw}`"))
    }
}

/// The authenticated caller, built from the authorizer's claims (or, in the local runner only,
/// from `X-Lockbox-*` headers). Never built from a request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The caller's email address, which is how requesters and approvers are compared.
    pub principal: Email,
    /// Whether the caller signed in with multi-factor authentication.
    pub mfa: bool,
    /// Whether the caller uses an isolated (privileged access) identity.
    pub isolated_identity: bool,
    pub roles: Vec<Role>,
    /// The tenant a customer-side caller belongs to; provider-side callers have none.
    pub tenant: Option<TenantId>,
}

impl Caller {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// Parses a list of roles separated by commas or spaces, with optional brackets around it
/// (API Gateway renders a JWT array claim as `[a b]`). Unknown roles are ignored, because
/// identity providers carry roles of other applications too.
pub fn parse_roles(raw: &str) -> Vec<Role> {
    raw.trim_matches(|c| c == '[' || c == ']')
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter_map(|part| part.trim_matches('"').parse().ok())
        .collect()
}

/// Parses a boolean claim or header: `true`, `1` and `yes` are true, anything else is false.
pub fn parse_flag(raw: &str) -> bool {
    matches!(raw.trim().to_ascii_lowercase().as_str(), "true" | "1" | "yes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_from_several_formats() {
        assert_eq!(
            parse_roles("support_engineer,auditor"),
            vec![Role::SupportEngineer, Role::Auditor]
        );
        assert_eq!(
            parse_roles("[support_manager devops_manager]"),
            vec![Role::SupportManager, Role::DevopsManager]
        );
        assert_eq!(parse_roles("other_app_role, provider_admin"), vec![Role::ProviderAdmin]);
        assert!(parse_roles("").is_empty());
    }

    #[test]
    fn flag_parses_true_values_only() {
        assert!(parse_flag("true"));
        assert!(parse_flag("1"));
        assert!(!parse_flag("false"));
        assert!(!parse_flag("maybe"));
    }
}
