//! The just-in-time (JIT) policy that weighs a request before any customer is asked.
//!
//! Some checks are fixed in code, so that no policy file can weaken them. The subscription must
//! be registered on a support plan of `developer` or above. Classic resources are never
//! eligible. The requester must use an isolated identity or multi-factor authentication.
//! The rest is data: an ordered list of rules, read from a JSON file, where the first rule that
//! matches decides. A request that no rule matches is rejected.

use serde::{Deserialize, Serialize};

use super::identity::Role;
use super::request::{AccessRequest, PermissionLevel, ResourceKind, Scope};
use super::subscription::Subscription;

/// The policy that ships with the service; a deployment can replace it with its own file.
pub const DEFAULT_POLICY_JSON: &str = include_str!("../../../policy/jit-policy.json");

/// The policy's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Verdict {
    /// Ask the customer's designated approvers.
    CustomerApproval,
    /// Ask a provider-side approver with `role` first.
    InternalApproval { role: Role },
    /// Refuse the request.
    Reject { reason: String },
}

/// A verdict and the name of the rule (or fixed check) that produced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JitEvaluation {
    pub rule: String,
    pub verdict: Verdict,
}

/// The kind of strong identity the requester used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityKind {
    IsolatedIdentity,
    Mfa,
}

/// Conditions of a rule; an absent list matches any value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMatch {
    #[serde(default)]
    pub scopes: Option<Vec<Scope>>,
    #[serde(default)]
    pub permission_levels: Option<Vec<PermissionLevel>>,
    #[serde(default)]
    pub identities: Option<Vec<IdentityKind>>,
    #[serde(default)]
    pub resource_kinds: Option<Vec<ResourceKind>>,
}

/// The outcome a rule gives, as written in the policy file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleOutcome {
    CustomerApproval,
    InternalApproval(Role),
    Reject(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub name: String,
    #[serde(default, rename = "match")]
    pub conditions: RuleMatch,
    pub outcome: RuleOutcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JitPolicy {
    pub rules: Vec<Rule>,
}

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("the JIT policy is not valid JSON for a policy: {0}")]
    Syntax(#[from] serde_json::Error),
    #[error("JIT rule `{rule}` requires internal approval by `{role}`; only support_manager and devops_manager approve internally")]
    InternalRole { rule: String, role: Role },
    #[error("the JIT policy has no rules")]
    Empty,
    #[error("the JIT policy names rule `{0}` twice")]
    DuplicateRule(String),
}

impl JitPolicy {
    /// Parses and checks a policy file's contents.
    pub fn from_json(json: &str) -> Result<Self, PolicyError> {
        let policy: JitPolicy = serde_json::from_str(json)?;
        if policy.rules.is_empty() {
            return Err(PolicyError::Empty);
        }
        let mut names = std::collections::HashSet::new();
        for rule in &policy.rules {
            if !names.insert(rule.name.as_str()) {
                return Err(PolicyError::DuplicateRule(rule.name.clone()));
            }
            if let RuleOutcome::InternalApproval(role) = rule.outcome {
                if !matches!(role, Role::SupportManager | Role::DevopsManager) {
                    return Err(PolicyError::InternalRole {
                        rule: rule.name.clone(),
                        role,
                    });
                }
            }
        }
        Ok(policy)
    }

    pub fn default_policy() -> Self {
        Self::from_json(DEFAULT_POLICY_JSON).expect("the bundled JIT policy is valid")
    }

    /// Evaluates `request` against the fixed checks, then the rules in order.
    pub fn evaluate(&self, request: &AccessRequest, subscription: Option<&Subscription>) -> JitEvaluation {
        let fixed = |rule: &str, reason: String| JitEvaluation {
            rule: rule.to_owned(),
            verdict: Verdict::Reject { reason },
        };

        let Some(subscription) = subscription else {
            return fixed(
                "registered-subscription",
                format!("subscription {} is not registered", request.subscription_id),
            );
        };
        if !subscription.support_plan.is_eligible() {
            let plan = subscription.support_plan.as_str();
            return fixed(
                "eligible-support-plan",
                format!("the tenant's support plan `{plan}` is below `developer`, so lockbox access is not available"),
            );
        }
        if request.resource_kind == ResourceKind::ClassicVm {
            return fixed(
                "no-classic-resources",
                "classic resources are not eligible for lockbox access".to_owned(),
            );
        }
        let identity = if request.requester_isolated_identity {
            IdentityKind::IsolatedIdentity
        } else if request.requester_mfa {
            IdentityKind::Mfa
        } else {
            return fixed(
                "strong-identity",
                "the requester used neither an isolated identity nor multi-factor authentication".to_owned(),
            );
        };

        let found = self
            .rules
            .iter()
            .find(|rule| rule.conditions.matches(request, identity));
        match found {
            Some(rule) => JitEvaluation {
                rule: rule.name.clone(),
                verdict: match &rule.outcome {
                    RuleOutcome::CustomerApproval => Verdict::CustomerApproval,
                    RuleOutcome::InternalApproval(role) => Verdict::InternalApproval { role: *role },
                    RuleOutcome::Reject(reason) => Verdict::Reject { reason: reason.clone() },
                },
            },
            None => fixed("no-matching-rule", "no JIT rule allows this request".to_owned()),
        }
    }
}

impl RuleMatch {
    fn matches(&self, request: &AccessRequest, identity: IdentityKind) -> bool {
        fn allows<T: PartialEq>(list: &Option<Vec<T>>, value: &T) -> bool {
            list.as_ref().is_none_or(|values| values.contains(value))
        }
        allows(&self.scopes, &request.scope)
            && allows(&self.permission_levels, &request.permission_level)
            && allows(&self.identities, &identity)
            && allows(&self.resource_kinds, &request.resource_kind)
    }
}

#[cfg(test)]
mod tests;
