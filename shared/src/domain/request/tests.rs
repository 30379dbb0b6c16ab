use chrono::{TimeDelta, TimeZone};

use super::*;
use crate::domain::policy::{JitEvaluation, Verdict};
use crate::domain::subscription::{Locale, SupportPlan};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 10, 0, 0).unwrap()
}

fn email(raw: &str) -> Email {
    Email::parse(raw).unwrap()
}

fn caller(principal: &str, roles: Vec<Role>) -> Caller {
    Caller {
        principal: email(principal),
        mfa: true,
        isolated_identity: false,
        roles,
        tenant: None,
    }
}

fn subscription(owners: &[&str]) -> Subscription {
    Subscription::new(
        SubscriptionId::parse("sub-1").unwrap(),
        TenantId::parse("tenant-1").unwrap(),
        SupportPlan::Premier,
        owners
            .iter()
            .map(|o| Owner {
                email: email(o),
                locale: Locale::En,
            })
            .collect(),
        t0(),
        email("admin@provider.example"),
    )
    .unwrap()
}

fn submitted() -> AccessRequest {
    submitted_in(Locale::En)
}

fn submitted_in(requester_locale: Locale) -> AccessRequest {
    let new = NewRequest {
        subscription_id: SubscriptionId::parse("sub-1").unwrap(),
        resource_id: ResourceId::parse("vm-1").unwrap(),
        resource_kind: ResourceKind::VirtualMachine,
        scope: Scope::Resource,
        permission_level: PermissionLevel::Read,
        support_ticket_id: SupportTicketId::parse("T-1").unwrap(),
        justification: "disk is full".into(),
        requester_locale,
    };
    let engineer = caller("engineer@provider.example", vec![Role::SupportEngineer]);
    AccessRequest::submit(
        new,
        TenantId::parse("tenant-1").unwrap(),
        &engineer,
        t0(),
        TimeDelta::hours(96),
        TimeDelta::hours(8),
    )
    .0
}

fn customer_approval() -> JitEvaluation {
    JitEvaluation {
        rule: "customer-decides".into(),
        verdict: Verdict::CustomerApproval,
    }
}

fn notified() -> AccessRequest {
    let owners = subscription(&["a@customer.example", "b@customer.example"]);
    submitted()
        .apply_jit(customer_approval(), Some(&owners), t0())
        .unwrap()
        .request
}

#[test]
fn submit_sets_four_day_expiry() {
    let request = submitted();
    assert_eq!(request.status, Status::Submitted);
    assert_eq!(request.expires_at - request.created_at, TimeDelta::hours(96));
    assert_eq!(request.version, 1);
}

#[test]
fn submit_keeps_requester_locale() {
    assert_eq!(submitted_in(Locale::Fr).requester_locale, Locale::Fr);
    assert_eq!(submitted_in(Locale::En).requester_locale, Locale::En);
}

#[test]
fn stored_request_without_locale_reads_english() {
    let mut stored = serde_json::to_value(submitted_in(Locale::Fr)).unwrap();
    let removed = stored.as_object_mut().unwrap().remove("requester_locale");
    assert_eq!(
        removed,
        Some(serde_json::json!("fr")),
        "the locale is stored as its code"
    );

    let decoded: AccessRequest = serde_json::from_value(stored).unwrap();
    assert_eq!(decoded.requester_locale, Locale::En);
}

#[test]
fn jit_copies_approvers_without_requester() {
    let owners = subscription(&["a@customer.example", "engineer@provider.example"]);
    let transition = submitted().apply_jit(customer_approval(), Some(&owners), t0()).unwrap();
    assert_eq!(transition.request.status, Status::CustomerNotified);
    assert_eq!(transition.request.approvers.len(), 1);
    assert_eq!(transition.request.approvers[0].email, email("a@customer.example"));
    assert_eq!(transition.audit[0].operation, Operation::CreateLockboxRequest);
    assert_eq!(transition.from_version, 1);
    assert_eq!(transition.request.version, 2);
}

#[test]
fn jit_rejects_when_requester_is_only_owner() {
    let owners = subscription(&["engineer@provider.example"]);
    let transition = submitted().apply_jit(customer_approval(), Some(&owners), t0()).unwrap();
    assert_eq!(transition.request.status, Status::Rejected);
    assert_eq!(transition.audit[0].operation, Operation::RejectAccessRequest);
}

#[test]
fn approval_opens_eight_hours() {
    let at = t0() + TimeDelta::hours(1);
    let transition = notified()
        .decide(&email("a@customer.example"), Decision::Approve, None, at)
        .unwrap();
    assert_eq!(transition.request.status, Status::Approved);
    assert_eq!(transition.request.access_ends_at, Some(at + TimeDelta::hours(8)));
    assert_eq!(transition.audit[0].operation, Operation::ApproveLockboxRequest);
}

#[test]
fn decision_at_expiry_is_refused() {
    let request = notified();
    let result = request.decide(
        &email("a@customer.example"),
        Decision::Approve,
        None,
        request.expires_at,
    );
    assert_eq!(
        result.unwrap_err(),
        TransitionError::WrongStatus {
            status: Status::Expired,
            action: "approved"
        }
    );
    assert!(request
        .decide(
            &email("a@customer.example"),
            Decision::Deny,
            None,
            request.expires_at - TimeDelta::milliseconds(1)
        )
        .is_ok());
}

#[test]
fn decision_by_stranger_is_refused() {
    let result = notified().decide(&email("stranger@example.com"), Decision::Approve, None, t0());
    assert!(matches!(result, Err(TransitionError::NotAllowed(_))));
}

#[test]
fn requester_cannot_decide_own_request() {
    let result = notified().decide(&email("engineer@provider.example"), Decision::Approve, None, t0());
    assert!(matches!(result, Err(TransitionError::NotAllowed(_))));
}

#[test]
fn second_decision_is_refused() {
    let approved = notified()
        .decide(&email("a@customer.example"), Decision::Approve, None, t0())
        .unwrap()
        .request;
    let result = approved.decide(&email("b@customer.example"), Decision::Deny, None, t0());
    assert_eq!(
        result.unwrap_err(),
        TransitionError::WrongStatus {
            status: Status::Approved,
            action: "denied"
        }
    );
}

#[test]
fn status_reads_expired_before_expiry_run() {
    let request = notified();
    assert_eq!(
        request.status_at(request.expires_at - TimeDelta::seconds(1)),
        Status::CustomerNotified
    );
    assert_eq!(request.status_at(request.expires_at), Status::Expired);
}

#[test]
fn status_reads_access_ended_after_end() {
    let approved = notified()
        .decide(&email("a@customer.example"), Decision::Approve, None, t0())
        .unwrap()
        .request;
    let end = approved.access_ends_at.unwrap();
    assert_eq!(approved.status_at(end - TimeDelta::seconds(1)), Status::Approved);
    assert_eq!(approved.status_at(end), Status::AccessEnded);
}

#[test]
fn expire_ends_pending_and_approved() {
    let request = notified();
    assert!(request.expire(request.expires_at - TimeDelta::seconds(1)).is_none());
    let expired = request.expire(request.expires_at).unwrap();
    assert_eq!(expired.request.status, Status::Expired);
    assert_eq!(expired.audit[0].operation, Operation::LockboxRequestExpiry);
    assert!(expired
        .request
        .expire(request.expires_at + TimeDelta::days(1))
        .is_none());

    let approved = notified()
        .decide(&email("a@customer.example"), Decision::Approve, None, t0())
        .unwrap()
        .request;
    let end = approved.access_ends_at.unwrap();
    let ended = approved.expire(end).unwrap();
    assert_eq!(ended.request.status, Status::AccessEnded);
    assert_eq!(ended.audit[0].operation, Operation::EndLockboxAccess);
}

#[test]
fn cancel_only_by_requester_while_pending() {
    let request = notified();
    let other = caller("someone@provider.example", vec![Role::SupportEngineer]);
    assert!(matches!(
        request.cancel(&other, None, t0()),
        Err(TransitionError::NotAllowed(_))
    ));
    let requester = caller("engineer@provider.example", vec![Role::SupportEngineer]);
    let cancelled = request.cancel(&requester, None, t0()).unwrap().request;
    assert_eq!(cancelled.status, Status::Cancelled);
    assert!(cancelled.cancel(&requester, None, t0()).is_err());
}

#[test]
fn revoke_ends_approved_access() {
    let approved = notified()
        .decide(&email("a@customer.example"), Decision::Approve, None, t0())
        .unwrap()
        .request;
    let revoked = approved
        .revoke(&email("b@customer.example"), None, t0() + TimeDelta::hours(1))
        .unwrap();
    assert_eq!(revoked.request.status, Status::Revoked);
    assert_eq!(revoked.audit[0].operation, Operation::RevokeLockboxAccess);
    assert!(notified().revoke(&email("a@customer.example"), None, t0()).is_err());
}

#[test]
fn internal_approval_needs_role_and_other_person() {
    let evaluation = JitEvaluation {
        rule: "r".into(),
        verdict: Verdict::InternalApproval {
            role: Role::SupportManager,
        },
    };
    let owners = subscription(&["a@customer.example"]);
    let pending = submitted().apply_jit(evaluation, Some(&owners), t0()).unwrap().request;
    assert_eq!(pending.status, Status::PendingInternalApproval);

    let wrong_role = caller("boss@provider.example", vec![Role::DevopsManager]);
    assert!(pending
        .decide_internally(&wrong_role, true, None, Some(&owners), t0())
        .is_err());
    let requester = caller("engineer@provider.example", vec![Role::SupportManager]);
    assert!(pending
        .decide_internally(&requester, true, None, Some(&owners), t0())
        .is_err());

    let manager = caller("boss@provider.example", vec![Role::SupportManager]);
    let approved = pending
        .decide_internally(&manager, true, None, Some(&owners), t0())
        .unwrap();
    assert_eq!(approved.request.status, Status::CustomerNotified);
    let operations: Vec<_> = approved.audit.iter().map(|entry| entry.operation).collect();
    assert_eq!(
        operations,
        vec![Operation::ApproveInternalAccessRequest, Operation::CreateLockboxRequest]
    );

    let rejected = pending
        .decide_internally(&manager, false, Some("not needed".into()), Some(&owners), t0())
        .unwrap();
    assert_eq!(rejected.request.status, Status::Rejected);
    assert_eq!(rejected.request.reason.as_deref(), Some("not needed"));
}

#[test]
fn purge_time_follows_last_activity() {
    let request = notified();
    assert_eq!(
        request.purge_at(TimeDelta::days(90)),
        request.expires_at + TimeDelta::days(90)
    );
    let denied = request
        .decide(&email("a@customer.example"), Decision::Deny, None, t0())
        .unwrap()
        .request;
    assert_eq!(denied.purge_at(TimeDelta::days(90)), t0() + TimeDelta::days(90));
}

#[test]
fn denial_records_reason() {
    let reason = "No maintenance window this week".to_owned();
    let transition = notified()
        .decide(&email("a@customer.example"), Decision::Deny, Some(reason.clone()), t0())
        .unwrap();
    assert_eq!(
        transition.request.reason.as_ref(),
        Some(&reason),
        "the request's reason"
    );
    let audit = &transition.audit[0];
    assert_eq!(audit.operation, Operation::DenyLockboxRequest);
    assert_eq!(audit.details.get("reason"), Some(&reason), "the audit entry's reason");
}

#[test]
fn internal_approval_rechecks_plan() {
    let evaluation = JitEvaluation {
        rule: "r".into(),
        verdict: Verdict::InternalApproval {
            role: Role::SupportManager,
        },
    };
    let owners = subscription(&["a@customer.example"]);
    let pending = submitted().apply_jit(evaluation, Some(&owners), t0()).unwrap().request;

    let mut downgraded = owners.clone();
    downgraded.support_plan = SupportPlan::Basic;
    let manager = caller("boss@provider.example", vec![Role::SupportManager]);
    let transition = pending
        .decide_internally(&manager, true, None, Some(&downgraded), t0())
        .unwrap();
    assert_eq!(transition.request.status, Status::Rejected);
    assert_eq!(
        transition.audit.last().unwrap().operation,
        Operation::RejectAccessRequest
    );

    let mut moved = owners.clone();
    moved.tenant_id = TenantId::parse("fabrikam").unwrap();
    let transition = pending
        .decide_internally(&manager, true, None, Some(&moved), t0())
        .unwrap();
    assert_eq!(transition.request.status, Status::Rejected);
}
