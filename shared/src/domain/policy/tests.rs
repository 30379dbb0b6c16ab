use chrono::{TimeDelta, TimeZone, Utc};

use super::*;
use crate::domain::identity::Caller;
use crate::domain::ids::{Email, ResourceId, SubscriptionId, SupportTicketId, TenantId};
use crate::domain::request::NewRequest;
use crate::domain::subscription::{Locale, Owner, SupportPlan};

fn subscription(plan: SupportPlan) -> Subscription {
    Subscription::new(
        SubscriptionId::parse("sub-1").unwrap(),
        TenantId::parse("tenant-1").unwrap(),
        plan,
        vec![Owner {
            email: Email::parse("owner@example.com").unwrap(),
            locale: Locale::En,
        }],
        Utc::now(),
        Email::parse("admin@provider.example").unwrap(),
    )
    .unwrap()
}

fn request(kind: ResourceKind, scope: Scope, level: PermissionLevel, mfa: bool, isolated: bool) -> AccessRequest {
    let caller = Caller {
        principal: Email::parse("engineer@provider.example").unwrap(),
        mfa,
        isolated_identity: isolated,
        roles: vec![Role::SupportEngineer],
        tenant: None,
    };
    let new = NewRequest {
        subscription_id: SubscriptionId::parse("sub-1").unwrap(),
        resource_id: ResourceId::parse("vm-1").unwrap(),
        resource_kind: kind,
        scope,
        permission_level: level,
        support_ticket_id: SupportTicketId::parse("T-1").unwrap(),
        justification: "disk is full".into(),
        requester_locale: Locale::En,
    };
    let now = Utc.with_ymd_and_hms(2026, 12, 4, 10, 0, 0).unwrap();
    AccessRequest::submit(
        new,
        TenantId::parse("tenant-1").unwrap(),
        &caller,
        now,
        TimeDelta::hours(96),
        TimeDelta::hours(8),
    )
    .0
}

fn verdict(request: &AccessRequest, plan: SupportPlan) -> Verdict {
    JitPolicy::default_policy()
        .evaluate(request, Some(&subscription(plan)))
        .verdict
}

#[test]
fn read_with_mfa_goes_to_customer() {
    let request = request(
        ResourceKind::VirtualMachine,
        Scope::Resource,
        PermissionLevel::Read,
        true,
        false,
    );
    assert_eq!(verdict(&request, SupportPlan::Developer), Verdict::CustomerApproval);
}

#[test]
fn admin_needs_devops_manager() {
    let request = request(
        ResourceKind::VirtualMachine,
        Scope::Resource,
        PermissionLevel::Admin,
        false,
        true,
    );
    assert_eq!(
        verdict(&request, SupportPlan::Premier),
        Verdict::InternalApproval {
            role: Role::DevopsManager
        }
    );
}

#[test]
fn subscription_write_needs_support_manager() {
    let request = request(
        ResourceKind::VmScaleSet,
        Scope::Subscription,
        PermissionLevel::Write,
        false,
        true,
    );
    assert_eq!(
        verdict(&request, SupportPlan::Standard),
        Verdict::InternalApproval {
            role: Role::SupportManager
        }
    );
}

#[test]
fn no_strong_identity_is_rejected() {
    let request = request(
        ResourceKind::VirtualMachine,
        Scope::Resource,
        PermissionLevel::Read,
        false,
        false,
    );
    assert!(
        matches!(verdict(&request, SupportPlan::Premier), Verdict::Reject { reason } if reason.contains("multi-factor"))
    );
}

#[test]
fn classic_resource_is_rejected() {
    let request = request(
        ResourceKind::ClassicVm,
        Scope::Resource,
        PermissionLevel::Read,
        true,
        true,
    );
    assert!(
        matches!(verdict(&request, SupportPlan::Premier), Verdict::Reject { reason } if reason.contains("classic"))
    );
}

#[test]
fn basic_plan_is_rejected() {
    let request = request(
        ResourceKind::VirtualMachine,
        Scope::Resource,
        PermissionLevel::Read,
        true,
        true,
    );
    assert!(matches!(verdict(&request, SupportPlan::Basic), Verdict::Reject { reason } if reason.contains("basic")));
}

#[test]
fn unregistered_subscription_is_rejected() {
    let request = request(
        ResourceKind::VirtualMachine,
        Scope::Resource,
        PermissionLevel::Read,
        true,
        true,
    );
    let evaluation = JitPolicy::default_policy().evaluate(&request, None);
    assert!(matches!(evaluation.verdict, Verdict::Reject { .. }));
}

#[test]
fn unmatched_request_is_rejected() {
    let policy = JitPolicy::from_json(
        r#"{"rules":[{"name":"only-read","match":{"permission_levels":["read"]},"outcome":"customer_approval"}]}"#,
    )
    .unwrap();
    let request = request(
        ResourceKind::VirtualMachine,
        Scope::Resource,
        PermissionLevel::Write,
        true,
        true,
    );
    let evaluation = policy.evaluate(&request, Some(&subscription(SupportPlan::Premier)));
    assert_eq!(evaluation.rule, "no-matching-rule");
}

#[test]
fn policy_rejects_bad_files() {
    assert!(matches!(JitPolicy::from_json("{"), Err(PolicyError::Syntax(_))));
    assert!(matches!(
        JitPolicy::from_json(r#"{"rules":[]}"#),
        Err(PolicyError::Empty)
    ));
    assert!(matches!(
        JitPolicy::from_json(r#"{"rules":[{"name":"a","outcome":{"internal_approval":"auditor"}}]}"#),
        Err(PolicyError::InternalRole { .. })
    ));
    assert!(matches!(
        JitPolicy::from_json(
            r#"{"rules":[{"name":"a","outcome":"customer_approval"},{"name":"a","outcome":"customer_approval"}]}"#
        ),
        Err(PolicyError::DuplicateRule(_))
    ));
    assert!(matches!(
        JitPolicy::from_json(r#"{"rules":[{"name":"a","outcome":"customer_approval","typo":1}]}"#),
        Err(PolicyError::Syntax(_))
    ));
}
