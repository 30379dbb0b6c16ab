//! Audit entries: one per step of a request's life, written in the same transaction as the step.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ids::{RequestId, SubscriptionId, TenantId};

/// The public name of an audited operation, which the customer filters the log by.
///
/// The first four names are the ones customers know from other lockbox products and are kept
/// word for word. The others follow the same pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Operation {
    CreateLockboxRequest,
    ApproveLockboxRequest,
    DenyLockboxRequest,
    LockboxRequestExpiry,
    SubmitAccessRequest,
    RejectAccessRequest,
    RequireInternalApproval,
    ApproveInternalAccessRequest,
    RejectInternalAccessRequest,
    SendLockboxNotification,
    CancelLockboxRequest,
    EndLockboxAccess,
    RevokeLockboxAccess,
    RegisterSubscription,
}

impl Operation {
    pub const ALL: [Operation; 14] = [
        Operation::CreateLockboxRequest,
        Operation::ApproveLockboxRequest,
        Operation::DenyLockboxRequest,
        Operation::LockboxRequestExpiry,
        Operation::SubmitAccessRequest,
        Operation::RejectAccessRequest,
        Operation::RequireInternalApproval,
        Operation::ApproveInternalAccessRequest,
        Operation::RejectInternalAccessRequest,
        Operation::SendLockboxNotification,
        Operation::CancelLockboxRequest,
        Operation::EndLockboxAccess,
        Operation::RevokeLockboxAccess,
        Operation::RegisterSubscription,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Operation::CreateLockboxRequest => "Create Lockbox Request",
            Operation::ApproveLockboxRequest => "Approve Lockbox Request",
            Operation::DenyLockboxRequest => "Deny Lockbox Request",
            Operation::LockboxRequestExpiry => "Lockbox Request Expiry",
            Operation::SubmitAccessRequest => "Submit Access Request",
            Operation::RejectAccessRequest => "Reject Access Request",
            Operation::RequireInternalApproval => "Require Internal Approval",
            Operation::ApproveInternalAccessRequest => "Approve Internal Access Request",
            Operation::RejectInternalAccessRequest => "Reject Internal Access Request",
            Operation::SendLockboxNotification => "Send Lockbox Notification",
            Operation::CancelLockboxRequest => "Cancel Lockbox Request",
            Operation::EndLockboxAccess => "End Lockbox Access",
            Operation::RevokeLockboxAccess => "Revoke Lockbox Access",
            Operation::RegisterSubscription => "Register Subscription",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Operation {
    type Err = String;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Operation::ALL
            .into_iter()
            .find(|operation| operation.name() == raw)
            .ok_or_else(|| format!("unknown operation `{raw}`"))
    }
}

impl TryFrom<String> for Operation {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        raw.parse()
    }
}

impl From<Operation> for String {
    fn from(value: Operation) -> String {
        value.name().to_owned()
    }
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub entry_id: Uuid,
    pub operation: Operation,
    /// The request the step belongs to; none for subscription registrations.
    pub request_id: Option<RequestId>,
    pub subscription_id: SubscriptionId,
    pub tenant_id: TenantId,
    /// The acting party: an email address, or `system:<component>` for automatic steps.
    pub actor: String,
    pub at: DateTime<Utc>,
    /// Facts specific to the step, such as the JIT rule that matched or a mail's recipient.
    #[serde(default)]
    pub details: BTreeMap<String, String>,
}

impl AuditEntry {
    pub fn new(
        operation: Operation,
        request_id: Option<RequestId>,
        subscription_id: SubscriptionId,
        tenant_id: TenantId,
        actor: impl Into<String>,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            entry_id: Uuid::new_v4(),
            operation,
            request_id,
            subscription_id,
            tenant_id,
            actor: actor.into(),
            at,
            details: BTreeMap::new(),
        }
    }

    pub fn with_detail(mut self, key: &str, value: impl Into<String>) -> Self {
        self.details.insert(key.to_owned(), value.into());
        self
    }
}

/// Actor names for steps no person takes.
pub mod system_actor {
    pub const JIT_POLICY: &str = "system:jit-policy";
    pub const EXPIRY: &str = "system:expiry";
    pub const NOTIFIER: &str = "system:notify";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_round_trip() {
        for operation in Operation::ALL {
            assert_eq!(operation.name().parse::<Operation>().unwrap(), operation);
        }
    }

    #[test]
    fn operation_keeps_public_names() {
        assert_eq!(Operation::CreateLockboxRequest.name(), "Create Lockbox Request");
        assert_eq!(Operation::ApproveLockboxRequest.name(), "Approve Lockbox Request");
        assert_eq!(Operation::DenyLockboxRequest.name(), "Deny Lockbox Request");
        assert_eq!(Operation::LockboxRequestExpiry.name(), "Lockbox Request Expiry");
    }
}
