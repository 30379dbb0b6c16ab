//! Expiry: a pending request expires at its deadline and approved access ends after its
//! duration. Readers see the new status at once, and the expiry run stores it.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use lockbox::domain::form_nonce::FormAction;
use lockbox_tests::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn expiry_run_skips_undue() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = lockbox.submit_notified("sub-1").await;

    let report = lockbox.system.run_expiry().await.unwrap();
    assert_eq!(report.expired, 0, "requests expired before their deadline");
    assert_eq!(report.access_ended, 0, "access ended before its end");
    let request = lockbox.get_request(&id).await;
    assert_eq!(
        request["stored_status"], "customer_notified",
        "stored status after an early expiry run"
    );
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn request_expires_at_deadline() {
    let lockbox = TestSystem::start_with(short_expiry(TimeDelta::seconds(2), TimeDelta::hours(8))).await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = lockbox.submit_notified("sub-1").await;
    let link = lockbox.link_for(ALICE, &id).await;

    // The scheduled run is hourly, so only the computed status can change here.
    let request = lockbox.wait_for_status(&id, "expired").await;
    let expires_at: DateTime<Utc> = request["expires_at"].as_str().unwrap().parse().unwrap();
    assert!(
        Utc::now() >= expires_at,
        "the request reads expired before {expires_at}"
    );
    assert_eq!(
        request["stored_status"], "customer_notified",
        "stored status before any expiry run"
    );

    for decision in ["approve", "deny"] {
        let response = lockbox.post_decision(&link, decision).await;
        assert_eq!(response.status(), StatusCode::GONE, "{decision} after the deadline");
    }
    let cancel = lockbox
        .request(
            Method::POST,
            &format!("/requests/{id}/cancel"),
            Some(&Identity::engineer()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(cancel.status(), StatusCode::CONFLICT, "cancel after the deadline");
    let request = lockbox.get_request(&id).await;
    assert_eq!(
        request["stored_status"], "customer_notified",
        "stored status after the late decisions"
    );
    assert!(
        request["decided_by"].is_null(),
        "decided_by after the late decisions: {}",
        request["decided_by"]
    );
    let operations = lockbox.audit_operations(&id).await;
    assert!(
        !operations.contains(&"Approve Lockbox Request".to_owned()),
        "late approval audited: {operations:?}"
    );
    assert!(
        !operations.contains(&"Deny Lockbox Request".to_owned()),
        "late denial audited: {operations:?}"
    );

    let report = lockbox.system.run_expiry().await.unwrap();
    assert_eq!(report.expired, 1, "requests expired by the first run");
    let request = lockbox.get_request(&id).await;
    assert_eq!(request["stored_status"], "expired", "stored status after the first run");
    assert_eq!(
        request["closed_at"], request["expires_at"],
        "closed_at of an expired request"
    );
    let expiries = lockbox
        .audit_entries(&format!("request_id={id}&operation=Lockbox%20Request%20Expiry"))
        .await;
    assert_eq!(expiries.len(), 1, "Lockbox Request Expiry entries after the first run");
    assert_eq!(expiries[0]["actor"], "system:expiry", "actor of the expiry entry");

    let report = lockbox.system.run_expiry().await.unwrap();
    assert_eq!(report.expired, 0, "requests expired by the second run");
    assert_eq!(report.access_ended, 0, "access ended by the second run");
    assert_eq!(report.skipped, 0, "due requests skipped by the second run");
    assert_eq!(
        lockbox.count_operation(&id, "Lockbox Request Expiry").await,
        1,
        "Lockbox Request Expiry entries after the second run"
    );

    let mails = lockbox.wait_for_mail(ENGINEER, 1).await;
    assert!(
        mails[0].subject.contains("expired"),
        "outcome mail subject: {}",
        mails[0].subject
    );
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn schedule_expires_request() {
    let mut settings = short_expiry(TimeDelta::seconds(2), TimeDelta::hours(8));
    settings.expiry_interval = Duration::from_secs(1);
    let lockbox = TestSystem::start_with(settings).await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = lockbox.submit("sub-1").await;

    let request = lockbox.wait_for_stored_status(&id, "expired").await;
    assert_eq!(request["status"], "expired", "status after the scheduled run");
    let expiries = lockbox
        .audit_entries(&format!("request_id={id}&operation=Lockbox%20Request%20Expiry"))
        .await;
    assert_eq!(expiries.len(), 1, "Lockbox Request Expiry entries");
    assert_eq!(expiries[0]["actor"], "system:expiry", "actor of the expiry entry");
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn access_ends_after_duration() {
    let lockbox = TestSystem::start_with(short_expiry(TimeDelta::hours(1), TimeDelta::seconds(2))).await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = lockbox.submit_notified("sub-1").await;
    let link = lockbox.link_for(ALICE, &id).await;
    let response = lockbox.post_decision(&link, "approve").await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "approve failed: {}",
        response.text().await.unwrap()
    );

    let request = lockbox.wait_for_status(&id, "access_ended").await;
    assert_eq!(
        request["stored_status"], "approved",
        "stored status before the expiry run"
    );
    let response = lockbox.post_revoke(&link).await;
    assert_eq!(response.status(), StatusCode::CONFLICT, "revoke after access ended");

    let report = lockbox.system.run_expiry().await.unwrap();
    assert_eq!(report.access_ended, 1, "access ended by the run");
    assert_eq!(report.expired, 0, "requests expired by the run");
    let request = lockbox.get_request(&id).await;
    assert_eq!(request["stored_status"], "access_ended", "stored status after the run");
    assert_eq!(
        request["closed_at"], request["access_ends_at"],
        "closed_at of ended access"
    );
    let ends = lockbox
        .audit_entries(&format!("request_id={id}&operation=End%20Lockbox%20Access"))
        .await;
    assert_eq!(ends.len(), 1, "End Lockbox Access entries");
    assert_eq!(
        ends[0]["actor"], "system:expiry",
        "actor of the End Lockbox Access entry"
    );

    let mails = lockbox.wait_for_mail(ENGINEER, 2).await;
    let subjects: Vec<&str> = mails.iter().map(|mail| mail.subject.as_str()).collect();
    assert!(
        subjects.iter().any(|subject| subject.starts_with("Access ended:")),
        "outcome mail subjects: {subjects:?}"
    );
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn internal_approval_expires() {
    let lockbox = TestSystem::start_with(short_expiry(TimeDelta::seconds(2), TimeDelta::hours(8))).await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let mut body = request_body("sub-1");
    body["permission_level"] = json!("admin");
    let response = lockbox.submit_as(&Identity::engineer(), body).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED, "submit of an admin request");
    let id = response.json::<serde_json::Value>().await.unwrap()["request_id"]
        .as_str()
        .unwrap()
        .to_owned();
    lockbox.wait_for_status(&id, "pending_internal_approval").await;

    let request = lockbox.wait_for_status(&id, "expired").await;
    assert_eq!(
        request["stored_status"], "pending_internal_approval",
        "stored status before the expiry run"
    );
    let devops = Identity::new("devops@provider.example", "devops_manager");
    let response = lockbox
        .request(
            Method::POST,
            &format!("/requests/{id}/internal-approval"),
            Some(&devops),
        )
        .json(&json!({"decision": "approve"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::CONFLICT,
        "internal approval after the deadline"
    );

    let report = lockbox.system.run_expiry().await.unwrap();
    assert_eq!(report.expired, 1, "requests expired by the run");
    let expiries = lockbox
        .audit_entries(&format!("request_id={id}&operation=Lockbox%20Request%20Expiry"))
        .await;
    assert_eq!(expiries.len(), 1, "Lockbox Request Expiry entries");
    assert_eq!(
        expiries[0]["details"]["previous_status"], "pending_internal_approval",
        "previous status in the expiry entry"
    );
    assert!(
        lockbox.mail_to(ALICE).is_empty(),
        "an owner was mailed about a request that expired before internal approval"
    );
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_expiry_runs_expire_once() {
    let lockbox = TestSystem::start_with(short_expiry(TimeDelta::seconds(2), TimeDelta::hours(8))).await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(lockbox.submit("sub-1").await);
    }
    for id in &ids {
        lockbox.wait_for_status(id, "expired").await;
    }

    let (first, second) = tokio::join!(lockbox.system.run_expiry(), lockbox.system.run_expiry());
    let (first, second) = (first.unwrap(), second.unwrap());
    assert_eq!(
        first.expired + second.expired,
        ids.len(),
        "requests expired by two concurrent runs: {first:?} {second:?}"
    );
    for id in &ids {
        assert_eq!(
            lockbox.count_operation(id, "Lockbox Request Expiry").await,
            1,
            "Lockbox Request Expiry entries of {id}"
        );
        let request = lockbox.get_request(id).await;
        assert_eq!(request["stored_status"], "expired", "stored status of {id}");
    }
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn stored_expiry_answers_gone() {
    let lockbox = TestSystem::start_with(short_expiry(TimeDelta::seconds(2), TimeDelta::hours(8))).await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = lockbox.submit_notified("sub-1").await;
    let link = lockbox.link_for(ALICE, &id).await;
    let (page, token) = split_link(&link);
    // The nonce of the page as the approver loaded it, before the request expired.
    let nonce = lockbox.current_nonce(&link, FormAction::Decision).await;

    lockbox.wait_for_status(&id, "expired").await;
    lockbox.system.run_expiry().await.unwrap();
    lockbox.wait_for_stored_status(&id, "expired").await;

    let response = lockbox
        .post_form(
            &format!("{page}/decision"),
            &[("token", &token), ("nonce", &nonce), ("decision", "approve")],
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::GONE,
        "a decision with the page's nonce after the stored expiry"
    );
    let body = response.text().await.unwrap();
    assert!(body.contains("expired"), "the page says the request expired: {body}");
    lockbox.system.stop();
}
