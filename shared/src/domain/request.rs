//! A lockbox request, its states, and the transitions between them.
//!
//! Every transition is computed here as a [`Transition`]: the request as it will be, the
//! status and version it must still have in the store, and the audit entries that go with it.
//! The store applies a transition as one conditional transaction, so a request is changed at most
//! once from any given version, and never without its audit entries.

use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::audit::{system_actor, AuditEntry, Operation};
use super::identity::{Caller, Role};
use super::ids::{Email, RequestId, ResourceId, SubscriptionId, SupportTicketId, TenantId};
use super::policy::{JitEvaluation, Verdict};
use super::subscription::{Locale, Owner, Subscription};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    VirtualMachine,
    VmScaleSet,
    PaasV1,
    /// A resource from before the resource manager; never eligible for lockbox access.
    ClassicVm,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Subscription,
    ResourceGroup,
    Resource,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PermissionLevel {
    Read,
    Write,
    Admin,
}

/// The state of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Stored, waiting for the JIT policy.
    Submitted,
    /// The JIT policy requires a provider-side approver before the customer is asked.
    PendingInternalApproval,
    /// Waiting for a designated approver of the customer.
    CustomerNotified,
    /// Access is open until `access_ends_at`.
    Approved,
    Denied,
    /// No decision came before `expires_at`.
    Expired,
    /// Refused by the JIT policy or by an internal approver.
    Rejected,
    /// Withdrawn by the requester while pending.
    Cancelled,
    /// Approved access reached its end.
    AccessEnded,
    /// Approved access ended early by a designated approver.
    Revoked,
}

impl Status {
    /// Every status, in the order of the enum.
    pub const ALL: [Status; 10] = [
        Status::Submitted,
        Status::PendingInternalApproval,
        Status::CustomerNotified,
        Status::Approved,
        Status::Denied,
        Status::Expired,
        Status::Rejected,
        Status::Cancelled,
        Status::AccessEnded,
        Status::Revoked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::PendingInternalApproval => "pending_internal_approval",
            Status::CustomerNotified => "customer_notified",
            Status::Approved => "approved",
            Status::Denied => "denied",
            Status::Expired => "expired",
            Status::Rejected => "rejected",
            Status::Cancelled => "cancelled",
            Status::AccessEnded => "access_ended",
            Status::Revoked => "revoked",
        }
    }

    /// Returns whether the request still waits for a decision.
    pub fn is_pending(self) -> bool {
        matches!(
            self,
            Status::Submitted | Status::PendingInternalApproval | Status::CustomerNotified
        )
    }

    /// Returns whether no further transition is possible.
    pub fn is_final(self) -> bool {
        !self.is_pending() && self != Status::Approved
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A customer approver's choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Deny,
}

/// Limits on free-text fields, in bytes.
pub const MAX_JUSTIFICATION_LEN: usize = 2000;
pub const MAX_REASON_LEN: usize = 1000;

/// The JIT policy's outcome, kept on the request for the requester and the auditor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JitOutcome {
    pub rule: String,
    pub verdict: Verdict,
    pub evaluated_at: DateTime<Utc>,
}

/// A provider-side approval or rejection required by the JIT policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InternalDecision {
    pub approver: Email,
    pub role: Role,
    pub approved: bool,
    pub decided_at: DateTime<Utc>,
}

/// The fields an engineer supplies when asking for access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRequest {
    pub subscription_id: SubscriptionId,
    pub resource_id: ResourceId,
    pub resource_kind: ResourceKind,
    pub scope: Scope,
    pub permission_level: PermissionLevel,
    pub support_ticket_id: SupportTicketId,
    pub justification: String,
    /// The language of the requester's outcome mail.
    pub requester_locale: Locale,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRequest {
    pub request_id: RequestId,
    pub subscription_id: SubscriptionId,
    pub tenant_id: TenantId,
    pub requester: Email,
    pub requester_mfa: bool,
    pub requester_isolated_identity: bool,
    /// The language of the requester's outcome mail. Requests stored before the field existed
    /// read as English.
    #[serde(default)]
    pub requester_locale: Locale,
    pub resource_id: ResourceId,
    pub resource_kind: ResourceKind,
    pub scope: Scope,
    pub permission_level: PermissionLevel,
    pub support_ticket_id: SupportTicketId,
    pub justification: String,
    /// The stored state. Use [`AccessRequest::status_at`] for what a reader should see.
    pub status: Status,
    /// Incremented by every transition; the store refuses a write from a stale version.
    pub version: u64,
    pub created_at: DateTime<Utc>,
    /// A pending request expires at this instant; no decision is accepted from then on.
    pub expires_at: DateTime<Utc>,
    /// How long access lasts once approved, fixed when the request is submitted.
    pub access_duration_seconds: i64,
    pub jit: Option<JitOutcome>,
    pub internal_decision: Option<InternalDecision>,
    /// The subscription's owners other than the requester, copied when the customer is asked.
    #[serde(default)]
    pub approvers: Vec<Owner>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub access_ends_at: Option<DateTime<Utc>>,
    /// When the request reached a final state.
    pub closed_at: Option<DateTime<Utc>>,
    /// The reason the request was rejected, cancelled or revoked, when one was given.
    pub reason: Option<String>,
}

/// The reason a transition is not allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("the request is {status}, so it can no longer be {action}")]
    WrongStatus { status: Status, action: &'static str },
    #[error("{0}")]
    NotAllowed(String),
}

/// A computed change of state, ready for the store to apply as one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    /// The request as it will be stored.
    pub request: AccessRequest,
    /// The status the stored request must still have.
    pub from_status: Status,
    /// The version the stored request must still have.
    pub from_version: u64,
    pub audit: Vec<AuditEntry>,
}

impl AccessRequest {
    /// Creates a submitted request and its audit entry.
    pub fn submit(
        new: NewRequest,
        tenant_id: TenantId,
        caller: &Caller,
        now: DateTime<Utc>,
        request_expiry: TimeDelta,
        access_duration: TimeDelta,
    ) -> (AccessRequest, AuditEntry) {
        let request = AccessRequest {
            request_id: RequestId::new_random(),
            subscription_id: new.subscription_id,
            tenant_id,
            requester: caller.principal.clone(),
            requester_mfa: caller.mfa,
            requester_isolated_identity: caller.isolated_identity,
            requester_locale: new.requester_locale,
            resource_id: new.resource_id,
            resource_kind: new.resource_kind,
            scope: new.scope,
            permission_level: new.permission_level,
            support_ticket_id: new.support_ticket_id,
            justification: new.justification,
            status: Status::Submitted,
            version: 1,
            created_at: now,
            expires_at: now + request_expiry,
            access_duration_seconds: access_duration.num_seconds(),
            jit: None,
            internal_decision: None,
            approvers: Vec::new(),
            decided_by: None,
            decided_at: None,
            access_ends_at: None,
            closed_at: None,
            reason: None,
        };
        let audit = request
            .audit(Operation::SubmitAccessRequest, caller.principal.as_str(), now)
            .with_detail("resource_id", request.resource_id.as_str())
            .with_detail(
                "permission_level",
                format!("{:?}", request.permission_level).to_lowercase(),
            )
            .with_detail("support_ticket_id", request.support_ticket_id.as_str());
        (request, audit)
    }

    /// Returns the status a reader sees at `now`: a pending request past its expiry reads as
    /// expired, and approved access past its end reads as ended, whether or not the expiry run
    /// has stored that yet.
    pub fn status_at(&self, now: DateTime<Utc>) -> Status {
        match self.status {
            status if status.is_pending() && now >= self.expires_at => Status::Expired,
            Status::Approved if self.access_ends_at.is_some_and(|end| now >= end) => Status::AccessEnded,
            status => status,
        }
    }

    /// Returns when the expiry run has work to do on this request, if ever.
    pub fn due_at(&self) -> Option<DateTime<Utc>> {
        match self.status {
            status if status.is_pending() => Some(self.expires_at),
            Status::Approved => self.access_ends_at,
            _ => None,
        }
    }

    /// Returns when the stored item may be purged: `retention` after the last instant at which
    /// anything can still happen to it. Audit entries are kept separately and outlive it.
    pub fn purge_at(&self, retention: TimeDelta) -> DateTime<Utc> {
        let last = self.closed_at.or_else(|| self.due_at()).unwrap_or(self.expires_at);
        last + retention
    }

    /// Returns when the request's approver links expire: one access period after the decision
    /// deadline, so that the same link can revoke access approved just before the deadline.
    pub fn links_expire_at(&self) -> DateTime<Utc> {
        self.expires_at + TimeDelta::seconds(self.access_duration_seconds)
    }

    pub fn is_approver(&self, email: &Email) -> bool {
        self.approvers.iter().any(|owner| &owner.email == email)
    }

    /// Applies a JIT evaluation to a submitted request.
    ///
    /// `subscription` supplies the designated approvers when the verdict sends the request to
    /// the customer. A request with no approver but the requester is rejected.
    pub fn apply_jit(
        &self,
        evaluation: JitEvaluation,
        subscription: Option<&Subscription>,
        now: DateTime<Utc>,
    ) -> Result<Transition, TransitionError> {
        self.require(Status::Submitted, "evaluated", now)?;
        let mut next = self.clone();
        next.jit = Some(JitOutcome {
            rule: evaluation.rule.clone(),
            verdict: evaluation.verdict.clone(),
            evaluated_at: now,
        });
        let actor = system_actor::JIT_POLICY;

        let audit = match &evaluation.verdict {
            Verdict::CustomerApproval => {
                vec![self
                    .send_to_customer(&mut next, subscription, actor, now)
                    .with_detail("jit_rule", &evaluation.rule)]
            }
            Verdict::InternalApproval { role } => {
                next.status = Status::PendingInternalApproval;
                vec![self
                    .audit(Operation::RequireInternalApproval, actor, now)
                    .with_detail("jit_rule", &evaluation.rule)
                    .with_detail("role", role.as_str())]
            }
            Verdict::Reject { reason } => {
                next.reject(reason, now);
                vec![self
                    .audit(Operation::RejectAccessRequest, actor, now)
                    .with_detail("jit_rule", &evaluation.rule)
                    .with_detail("reason", reason)]
            }
        };
        Ok(self.transition(next, audit))
    }

    /// Records an internal approver's decision. Approval sends the request to the customer.
    pub fn decide_internally(
        &self,
        caller: &Caller,
        approve: bool,
        reason: Option<String>,
        subscription: Option<&Subscription>,
        now: DateTime<Utc>,
    ) -> Result<Transition, TransitionError> {
        self.require(Status::PendingInternalApproval, "approved internally", now)?;
        let role = match self.jit.as_ref().map(|jit| &jit.verdict) {
            Some(Verdict::InternalApproval { role }) => *role,
            _ => {
                return Err(TransitionError::NotAllowed(
                    "the request does not require internal approval".into(),
                ))
            }
        };
        if !caller.has_role(role) {
            return Err(TransitionError::NotAllowed(format!(
                "internal approval of this request requires the role {role}"
            )));
        }
        if caller.principal == self.requester {
            return Err(TransitionError::NotAllowed(
                "the requester cannot approve their own request".into(),
            ));
        }

        let mut next = self.clone();
        next.internal_decision = Some(InternalDecision {
            approver: caller.principal.clone(),
            role,
            approved: approve,
            decided_at: now,
        });
        let actor = caller.principal.as_str();
        let mut audit = Vec::new();
        if approve {
            audit.push(
                self.audit(Operation::ApproveInternalAccessRequest, actor, now)
                    .with_detail("role", role.as_str()),
            );
            // The JIT policy checked eligibility at submission; the subscription may have changed
            // plan or tenant while the request waited for this approval.
            let eligible = subscription.is_some_and(|s| s.support_plan.is_eligible() && s.tenant_id == self.tenant_id);
            if eligible {
                audit.push(self.send_to_customer(&mut next, subscription, actor, now));
            } else {
                let reason =
                    "the subscription is no longer registered for this tenant on a support plan of developer or above";
                next.reject(reason, now);
                audit.push(
                    self.audit(Operation::RejectAccessRequest, system_actor::JIT_POLICY, now)
                        .with_detail("reason", reason),
                );
            }
        } else {
            let reason = reason.unwrap_or_else(|| "rejected by the internal approver".to_owned());
            audit.push(
                self.audit(Operation::RejectInternalAccessRequest, actor, now)
                    .with_detail("role", role.as_str())
                    .with_detail("reason", &reason),
            );
            next.reject(&reason, now);
        }
        Ok(self.transition(next, audit))
    }

    /// Records a designated approver's decision, with the approver's reason when one is given.
    /// Approval opens access for the request's access duration, starting now.
    pub fn decide(
        &self,
        approver: &Email,
        decision: Decision,
        reason: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<Transition, TransitionError> {
        let action = match decision {
            Decision::Approve => "approved",
            Decision::Deny => "denied",
        };
        self.require(Status::CustomerNotified, action, now)?;
        if approver == &self.requester || !self.is_approver(approver) {
            return Err(TransitionError::NotAllowed(format!(
                "{approver} is not a designated approver of this request"
            )));
        }

        let mut next = self.clone();
        next.decided_by = Some(approver.to_string());
        next.decided_at = Some(now);
        next.reason = reason.clone();
        let mut audit = match decision {
            Decision::Approve => {
                let ends_at = now + TimeDelta::seconds(self.access_duration_seconds);
                next.status = Status::Approved;
                next.access_ends_at = Some(ends_at);
                self.audit(Operation::ApproveLockboxRequest, approver.as_str(), now)
                    .with_detail(
                        "access_ends_at",
                        ends_at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
                    )
            }
            Decision::Deny => {
                next.status = Status::Denied;
                next.closed_at = Some(now);
                self.audit(Operation::DenyLockboxRequest, approver.as_str(), now)
            }
        };
        if let Some(reason) = reason {
            audit = audit.with_detail("reason", reason);
        }
        Ok(self.transition(next, vec![audit]))
    }

    /// Withdraws a pending request on behalf of its requester.
    pub fn cancel(
        &self,
        caller: &Caller,
        reason: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<Transition, TransitionError> {
        if caller.principal != self.requester {
            return Err(TransitionError::NotAllowed(
                "only the requester can cancel a request".into(),
            ));
        }
        let status = self.status_at(now);
        if !status.is_pending() {
            return Err(TransitionError::WrongStatus {
                status,
                action: "cancelled",
            });
        }
        let mut next = self.clone();
        next.status = Status::Cancelled;
        next.closed_at = Some(now);
        next.reason = reason.clone();
        let mut audit = self.audit(Operation::CancelLockboxRequest, caller.principal.as_str(), now);
        if let Some(reason) = reason {
            audit = audit.with_detail("reason", reason);
        }
        Ok(self.transition(next, vec![audit]))
    }

    /// Ends approved access early on behalf of a designated approver.
    pub fn revoke(
        &self,
        approver: &Email,
        reason: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<Transition, TransitionError> {
        self.require(Status::Approved, "revoked", now)?;
        if !self.is_approver(approver) {
            return Err(TransitionError::NotAllowed(format!(
                "{approver} is not a designated approver of this request"
            )));
        }
        let mut next = self.clone();
        next.status = Status::Revoked;
        next.closed_at = Some(now);
        next.reason = reason.clone();
        let mut audit = self.audit(Operation::RevokeLockboxAccess, approver.as_str(), now);
        if let Some(reason) = reason {
            audit = audit.with_detail("reason", reason);
        }
        Ok(self.transition(next, vec![audit]))
    }

    /// Stores what time has already decided: a pending request past its expiry becomes
    /// `expired`, approved access past its end becomes `access_ended`. Returns `None` when
    /// nothing is due at `now`.
    pub fn expire(&self, now: DateTime<Utc>) -> Option<Transition> {
        let due = self.due_at()?;
        if now < due {
            return None;
        }
        let mut next = self.clone();
        next.closed_at = Some(due);
        let audit = if self.status == Status::Approved {
            next.status = Status::AccessEnded;
            self.audit(Operation::EndLockboxAccess, system_actor::EXPIRY, now)
        } else {
            next.status = Status::Expired;
            self.audit(Operation::LockboxRequestExpiry, system_actor::EXPIRY, now)
                .with_detail("previous_status", self.status.as_str())
        };
        Some(self.transition(next, vec![audit]))
    }

    /// Builds an audit entry about this request.
    pub fn audit(&self, operation: Operation, actor: &str, now: DateTime<Utc>) -> AuditEntry {
        AuditEntry::new(
            operation,
            Some(self.request_id),
            self.subscription_id.clone(),
            self.tenant_id.clone(),
            actor,
            now,
        )
    }

    fn require(&self, expected: Status, action: &'static str, now: DateTime<Utc>) -> Result<(), TransitionError> {
        let status = self.status_at(now);
        if status == expected {
            Ok(())
        } else {
            Err(TransitionError::WrongStatus { status, action })
        }
    }

    /// Moves `next` to the customer, with the subscription's owners other than the requester as
    /// its approvers, and returns the audit entry. Without such an owner, rejects it instead.
    fn send_to_customer(
        &self,
        next: &mut AccessRequest,
        subscription: Option<&Subscription>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> AuditEntry {
        let approvers = subscription
            .map(|s| s.approvers_for(&self.requester))
            .unwrap_or_default();
        if approvers.is_empty() {
            let reason = "the subscription has no designated approver other than the requester";
            next.reject(reason, now);
            return self
                .audit(Operation::RejectAccessRequest, actor, now)
                .with_detail("reason", reason);
        }
        next.approvers = approvers;
        next.status = Status::CustomerNotified;
        self.audit(Operation::CreateLockboxRequest, actor, now)
    }

    fn reject(&mut self, reason: &str, now: DateTime<Utc>) {
        self.status = Status::Rejected;
        self.closed_at = Some(now);
        self.reason = Some(reason.to_owned());
    }

    fn transition(&self, mut next: AccessRequest, audit: Vec<AuditEntry>) -> Transition {
        next.version = self.version + 1;
        Transition {
            request: next,
            from_status: self.status,
            from_version: self.version,
            audit,
        }
    }
}

#[cfg(test)]
mod tests;
