//! Cases from an adversarial review: changes to a subscription while a request waits, events
//! that do not match the stored request, and input meant to forge mail or pages.

use lockbox::domain::events::StatusChanged;
use lockbox::domain::ids::RequestId;
use lockbox::domain::request::Status;
use lockbox_tests::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn notified_request(lockbox: &TestSystem) -> String {
    let id = lockbox.submit_notified("sub-1").await;
    id
}

#[tokio::test(flavor = "multi_thread")]
async fn removed_owner_link_rejected() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en"), (BOB, "en")]).await;
    let id = notified_request(&lockbox).await;
    let bob = lockbox.link_for(BOB, &id).await;

    lockbox.register("sub-1", &[(ALICE, "en")]).await;

    let page = lockbox.http.get(&bob).send().await.unwrap();
    assert_eq!(
        page.status(),
        StatusCode::FORBIDDEN,
        "a removed owner can still read the request"
    );
    let response = lockbox.post_decision(&bob, "approve").await;
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "a removed owner can still approve"
    );
    assert_eq!(lockbox.get_request(&id).await["status"], "customer_notified");

    let alice = lockbox.link_for(ALICE, &id).await;
    assert_eq!(
        lockbox.post_decision(&alice, "approve").await.status(),
        StatusCode::OK,
        "a current owner cannot approve"
    );
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn moved_subscription_link_rejected() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = notified_request(&lockbox).await;
    let alice = lockbox.link_for(ALICE, &id).await;

    lockbox
        .register_in_tenant("sub-1", "fabrikam", "premier", &[(ALICE, "en")])
        .await;

    let response = lockbox.post_decision(&alice, "approve").await;
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "an owner under the old tenant can still approve"
    );
    assert_eq!(lockbox.get_request(&id).await["status"], "customer_notified");
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn mismatched_outcome_event_ignored() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = notified_request(&lockbox).await;
    let stored = lockbox.get_request(&id).await;
    let version = stored["version"].as_u64().unwrap();

    let ahead = StatusChanged {
        request_id: RequestId::parse(&id).unwrap(),
        status: Status::Approved,
        version: version + 1,
        at: chrono::Utc::now(),
    };
    lockbox.system.deliver(&ahead).await.unwrap();
    let same_version_other_status = StatusChanged {
        version,
        ..ahead.clone()
    };
    lockbox.system.deliver(&same_version_other_status).await.unwrap();
    assert!(
        lockbox.mail_to(ENGINEER).is_empty(),
        "the requester was mailed about an outcome that did not happen"
    );
    let sends = lockbox.count_operation(&id, "Send Lockbox Notification").await;
    assert_eq!(
        sends, 1,
        "a notification entry was written for an outcome that did not happen"
    );

    let alice = lockbox.link_for(ALICE, &id).await;
    assert_eq!(lockbox.post_decision(&alice, "approve").await.status(), StatusCode::OK);
    let mails = lockbox.wait_for_mail(ENGINEER, 1).await;
    assert!(
        mails[0].subject.starts_with("Access approved:"),
        "the real outcome mail says {:?}",
        mails[0].subject
    );
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn justification_line_break_rejected() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    for justification in [
        "Disk full\n\nOpen the request:\nhttp://evil.example/x",
        "tab\there",
        "right\u{202E}left",
        "zero\u{200B}width",
    ] {
        let mut body = request_body("sub-1");
        body["justification"] = json!(justification);
        let (status, error) = api_error(lockbox.submit_as(&Identity::engineer(), body).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{justification:?} was accepted");
        assert_eq!(error["field"], "justification", "{justification:?}");
    }
    let submitted = lockbox
        .audit_entries("subscription_id=sub-1&operation=Submit%20Access%20Request")
        .await;
    assert!(submitted.is_empty(), "a rejected request was written: {submitted:?}");
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn trailing_json_rejected() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let body = format!("{} {{\"permission_level\":\"admin\"}}", request_body("sub-1"));
    let response = lockbox
        .request(Method::POST, "/requests", Some(&Identity::engineer()))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let (status, error) = api_error(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["field"], "body");
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn role_checked_before_body() {
    let lockbox = TestSystem::start().await;
    let response = lockbox
        .request(Method::POST, "/requests", Some(&Identity::auditor()))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "a caller without the role learns about the body"
    );
    let response = lockbox
        .request(Method::PUT, "/subscriptions/sub-1", Some(&Identity::engineer()))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_route_answers_json() {
    let lockbox = TestSystem::start().await;
    let (status, error) = api_error(lockbox.request(Method::GET, "/nowhere", None).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error["error"], "not_found");
    let (status, error) = api_error(lockbox.request(Method::DELETE, "/requests", None).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(error["error"], "method_not_allowed");
    lockbox.system.stop();
}
