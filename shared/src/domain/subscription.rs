//! Subscriptions and their owners, the designated approvers of lockbox requests.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ids::{Email, InvalidField, SubscriptionId, TenantId};

/// A customer's support plan. Plans from `Developer` up are enrolled in the lockbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupportPlan {
    Basic,
    Developer,
    Standard,
    ProfessionalDirect,
    Premier,
}

impl SupportPlan {
    pub fn as_str(self) -> &'static str {
        match self {
            SupportPlan::Basic => "basic",
            SupportPlan::Developer => "developer",
            SupportPlan::Standard => "standard",
            SupportPlan::ProfessionalDirect => "professional_direct",
            SupportPlan::Premier => "premier",
        }
    }

    pub fn is_eligible(self) -> bool {
        self >= SupportPlan::Developer
    }
}

/// The language of the mail and pages an approver receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Locale {
    #[default]
    En,
    Fr,
}

/// An owner of a subscription, who approves or denies its lockbox requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    pub email: Email,
    pub locale: Locale,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    pub subscription_id: SubscriptionId,
    pub tenant_id: TenantId,
    pub support_plan: SupportPlan,
    pub owners: Vec<Owner>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Email,
}

/// Upper bound on owners per subscription, which keeps one notification run and one item small.
pub const MAX_OWNERS: usize = 50;

impl Subscription {
    /// Builds a subscription, rejecting an empty or oversized owner list and duplicate owners.
    pub fn new(
        subscription_id: SubscriptionId,
        tenant_id: TenantId,
        support_plan: SupportPlan,
        owners: Vec<Owner>,
        updated_at: DateTime<Utc>,
        updated_by: Email,
    ) -> Result<Self, InvalidField> {
        if owners.is_empty() {
            return Err(InvalidField::new("owners", "must list at least one owner"));
        }
        if owners.len() > MAX_OWNERS {
            return Err(InvalidField::new(
                "owners",
                format!("lists {} owners, the maximum is {MAX_OWNERS}", owners.len()),
            ));
        }
        let mut seen = HashSet::new();
        for owner in &owners {
            if !seen.insert(owner.email.clone()) {
                return Err(InvalidField::new("owners", format!("lists {} twice", owner.email)));
            }
        }
        Ok(Self {
            subscription_id,
            tenant_id,
            support_plan,
            owners,
            updated_at,
            updated_by,
        })
    }

    /// Returns the owners who may decide a request made by `requester`: every owner but the
    /// requester.
    pub fn approvers_for(&self, requester: &Email) -> Vec<Owner> {
        self.owners
            .iter()
            .filter(|owner| &owner.email != requester)
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_names_match_serde() {
        let plans = [
            SupportPlan::Basic,
            SupportPlan::Developer,
            SupportPlan::Standard,
            SupportPlan::ProfessionalDirect,
            SupportPlan::Premier,
        ];
        for plan in plans {
            assert_eq!(serde_json::to_value(plan).unwrap(), plan.as_str(), "{plan:?}");
        }
    }
}
