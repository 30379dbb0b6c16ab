//! The JIT policy: fixed rejections, the default rules, and internal approval.

use lockbox_tests::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Submits `body` as `engineer`, expecting 202, and returns the request id.
async fn submit_accepted(lockbox: &TestSystem, engineer: &Identity, body: Value) -> String {
    let response = lockbox.submit_as(engineer, body).await;
    assert_eq!(
        response.status(),
        StatusCode::ACCEPTED,
        "submit failed: {}",
        response.text().await.unwrap()
    );
    let body: Value = response.json().await.unwrap();
    body["request_id"].as_str().unwrap().to_owned()
}

/// Checks that request `id` was rejected by `rule` with a reason containing `reason`, that the
/// requester was mailed, and that no owner was.
async fn assert_rejected(lockbox: &TestSystem, id: &str, rule: &str, reason: &str) {
    let request = lockbox.wait_for_status(id, "rejected").await;
    assert_eq!(request["jit"]["rule"], rule, "JIT rule of {id}");
    let stored_reason = request["reason"].as_str().unwrap_or_default();
    assert!(stored_reason.contains(reason), "reason of {id}: {stored_reason:?}");

    let mails = lockbox.wait_for_mail(ENGINEER, 1).await;
    assert_eq!(mails.len(), 1, "outcome mails to the requester");
    assert!(
        mails[0].subject.contains("rejected"),
        "outcome mail subject: {}",
        mails[0].subject
    );
    assert!(
        mails[0].text.contains(reason),
        "the outcome mail gives the reason: {}",
        mails[0].text
    );

    let rejections = lockbox
        .audit_entries(&format!("request_id={id}&operation=Reject%20Access%20Request"))
        .await;
    assert_eq!(rejections.len(), 1, "Reject Access Request entries");
    assert_eq!(rejections[0]["actor"], "system:jit-policy", "actor of the rejection");
    assert_eq!(
        lockbox.count_operation(id, "Create Lockbox Request").await,
        0,
        "Create Lockbox Request entries"
    );
    assert!(
        lockbox.mail_to(ALICE).is_empty(),
        "an owner was mailed about a rejected request"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn weak_identity_rejected() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = submit_accepted(&lockbox, &Identity::engineer().without_mfa(), request_body("sub-1")).await;
    assert_rejected(
        &lockbox,
        &id,
        "strong-identity",
        "neither an isolated identity nor multi-factor authentication",
    )
    .await;
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn isolated_identity_without_mfa_accepted() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = submit_accepted(
        &lockbox,
        &Identity::engineer().without_mfa().isolated(),
        request_body("sub-1"),
    )
    .await;
    let request = lockbox.wait_for_status(&id, "customer_notified").await;
    assert_eq!(request["jit"]["rule"], "customer-decides", "JIT rule");
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn classic_vm_rejected() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let mut body = request_body("sub-1");
    body["resource_kind"] = json!("classic_vm");
    let id = submit_accepted(&lockbox, &Identity::engineer(), body).await;
    assert_rejected(
        &lockbox,
        &id,
        "no-classic-resources",
        "classic resources are not eligible",
    )
    .await;
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn basic_plan_rejected() {
    let lockbox = TestSystem::start().await;
    lockbox.register_with_plan("sub-1", "basic", &[(ALICE, "en")]).await;
    let id = submit_accepted(&lockbox, &Identity::engineer(), request_body("sub-1")).await;
    assert_rejected(
        &lockbox,
        &id,
        "eligible-support-plan",
        "support plan `basic` is below `developer`",
    )
    .await;
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn developer_plan_accepted() {
    let lockbox = TestSystem::start().await;
    lockbox.register_with_plan("sub-1", "developer", &[(ALICE, "en")]).await;
    lockbox.submit_notified("sub-1").await;
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn default_rules_route_requests() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let mfa = Identity::engineer();
    let isolated = Identity::engineer().without_mfa().isolated();
    // (identity, scope, permission level, expected status, expected rule)
    let cases = [
        (
            &mfa,
            "resource",
            "admin",
            "pending_internal_approval",
            "admin-needs-devops-manager",
        ),
        (
            &isolated,
            "subscription",
            "write",
            "pending_internal_approval",
            "subscription-wide-write-needs-support-manager",
        ),
        (
            &mfa,
            "resource_group",
            "write",
            "pending_internal_approval",
            "mfa-only-write-needs-support-manager",
        ),
        (
            &isolated,
            "resource_group",
            "write",
            "customer_notified",
            "customer-decides",
        ),
        (&mfa, "subscription", "read", "customer_notified", "customer-decides"),
    ];
    for (identity, scope, level, status, rule) in cases {
        let mut body = request_body("sub-1");
        body["scope"] = json!(scope);
        body["permission_level"] = json!(level);
        let id = submit_accepted(&lockbox, identity, body).await;
        let request = lockbox.wait_for_status(&id, status).await;
        assert_eq!(
            request["jit"]["rule"], rule,
            "JIT rule for {level} at {scope} scope, isolated {}",
            identity.isolated
        );
    }
    lockbox.system.stop();
}

fn internal_approval(lockbox: &TestSystem, id: &str, caller: &Identity, body: Value) -> reqwest::RequestBuilder {
    lockbox
        .request(Method::POST, &format!("/requests/{id}/internal-approval"), Some(caller))
        .json(&body)
}

fn admin_body() -> Value {
    let mut body = request_body("sub-1");
    body["permission_level"] = json!("admin");
    body
}

#[tokio::test(flavor = "multi_thread")]
async fn internal_approval_needs_role() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en"), (BOB, "fr")]).await;
    let requester = Identity::new(ENGINEER, "support_engineer,devops_manager");
    let id = submit_accepted(&lockbox, &requester, admin_body()).await;
    lockbox.wait_for_status(&id, "pending_internal_approval").await;
    assert_eq!(
        lockbox.count_operation(&id, "Require Internal Approval").await,
        1,
        "Require Internal Approval entries"
    );
    assert!(
        lockbox.mail_to(ALICE).is_empty(),
        "an owner was mailed before internal approval"
    );

    let support_manager = Identity::new("manager@provider.example", "support_manager");
    let response = internal_approval(&lockbox, &id, &support_manager, json!({"decision": "approve"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "internal approval by a support_manager"
    );

    let response = internal_approval(&lockbox, &id, &requester, json!({"decision": "approve"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "internal approval by the requester who has the role"
    );

    let request = lockbox.get_request(&id).await;
    assert_eq!(
        request["status"], "pending_internal_approval",
        "status after the rejected approvals"
    );

    let devops = Identity::new("devops@provider.example", "devops_manager");
    let response = internal_approval(&lockbox, &id, &devops, json!({"decision": "approve"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "internal approval by a devops_manager"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["status"], "customer_notified",
        "status in the internal approval response"
    );
    assert_eq!(
        body["internal_decision"]["approver"], "devops@provider.example",
        "internal approver"
    );

    for owner in [ALICE, BOB] {
        let mails = lockbox.wait_for_mail(owner, 1).await;
        assert_eq!(mails.len(), 1, "mails to {owner}");
    }
    let operations = lockbox.audit_operations(&id).await;
    let approvals = operations
        .iter()
        .filter(|name| *name == "Approve Internal Access Request")
        .count();
    assert_eq!(approvals, 1, "Approve Internal Access Request entries: {operations:?}");
    assert!(
        operations.contains(&"Create Lockbox Request".to_owned()),
        "no Create Lockbox Request entry: {operations:?}"
    );

    let response = internal_approval(&lockbox, &id, &devops, json!({"decision": "approve"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT, "second internal approval");
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn internal_reject_closes_request() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = submit_accepted(&lockbox, &Identity::engineer(), admin_body()).await;
    lockbox.wait_for_status(&id, "pending_internal_approval").await;

    let devops = Identity::new("devops@provider.example", "devops_manager");
    let body = json!({"decision": "reject", "reason": "Admin access is not needed for a full disk"});
    let response = internal_approval(&lockbox, &id, &devops, body).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "internal rejection");

    let request = lockbox.get_request(&id).await;
    assert_eq!(request["status"], "rejected", "status after the internal rejection");
    assert_eq!(
        request["reason"], "Admin access is not needed for a full disk",
        "reason after the internal rejection"
    );
    assert_eq!(
        lockbox.count_operation(&id, "Reject Internal Access Request").await,
        1,
        "Reject Internal Access Request entries"
    );

    let mails = lockbox.wait_for_mail(ENGINEER, 1).await;
    assert!(
        mails[0].subject.contains("rejected"),
        "outcome mail subject: {}",
        mails[0].subject
    );
    assert!(
        lockbox.mail_to(ALICE).is_empty(),
        "an owner was mailed about an internally rejected request"
    );
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn internal_approval_needs_pending() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = lockbox.submit_notified("sub-1").await;

    let devops = Identity::new("devops@provider.example", "devops_manager");
    let response = internal_approval(&lockbox, &id, &devops, json!({"decision": "approve"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::CONFLICT,
        "internal approval of a request waiting for the customer"
    );
    let request = lockbox.get_request(&id).await;
    assert_eq!(
        request["status"], "customer_notified",
        "status after the rejected internal approval"
    );
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn sole_owner_requester_rejected() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ENGINEER, "en")]).await;
    let id = submit_accepted(&lockbox, &Identity::engineer(), request_body("sub-1")).await;

    let request = lockbox.wait_for_status(&id, "rejected").await;
    let reason = request["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("no designated approver other than the requester"),
        "reason: {reason:?}"
    );
    let mails = lockbox.wait_for_mail(ENGINEER, 1).await;
    assert_eq!(mails.len(), 1, "mails to the requester who is the only owner");
    assert!(
        mails[0].subject.contains("rejected"),
        "the requester's only mail is the outcome: {}",
        mails[0].subject
    );
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_internal_decisions_one_wins() {
    const POSTS: usize = 10;
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = submit_accepted(&lockbox, &Identity::engineer(), admin_body()).await;
    lockbox.wait_for_status(&id, "pending_internal_approval").await;

    let mut tasks = Vec::new();
    for i in 0..POSTS {
        let devops = Identity::new(&format!("devops{}@provider.example", i % 2), "devops_manager");
        let decision = if i % 2 == 0 { "approve" } else { "reject" };
        let request = internal_approval(&lockbox, &id, &devops, json!({"decision": decision}));
        tasks.push(tokio::spawn(async move {
            (decision, request.send().await.unwrap().status())
        }));
    }
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }

    let winners: Vec<&str> = results
        .iter()
        .filter(|(_, status)| *status == StatusCode::OK)
        .map(|(decision, _)| *decision)
        .collect();
    let conflicts = results
        .iter()
        .filter(|(_, status)| *status == StatusCode::CONFLICT)
        .count();
    assert_eq!(winners.len(), 1, "internal decisions accepted: {winners:?}");
    assert_eq!(
        conflicts,
        POSTS - 1,
        "internal decisions rejected with 409: {results:?}"
    );

    let operations = lockbox.audit_operations(&id).await;
    let decisions = operations
        .iter()
        .filter(|name| *name == "Approve Internal Access Request" || *name == "Reject Internal Access Request")
        .count();
    assert_eq!(decisions, 1, "internal decision entries: {operations:?}");
    let expected = if winners[0] == "approve" {
        "customer_notified"
    } else {
        "rejected"
    };
    let request = lockbox.get_request(&id).await;
    assert_eq!(request["status"], expected, "status after the accepted {}", winners[0]);
    lockbox.system.stop();
}
