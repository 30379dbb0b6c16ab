//! Events delivered more than once, as EventBridge may deliver them: each state change happens
//! once, is audited once, and mails each recipient once.

use std::time::{Duration, Instant};

use chrono::Utc;
use lockbox::domain::events::StatusChanged;
use lockbox::domain::ids::RequestId;
use lockbox::domain::request::Status;
use lockbox_tests::*;
use serde_json::Value;

const DELIVERIES: usize = 3;

/// Builds the event announcing that request `id` reached `status` at `version`, with the
/// status as the API returns it.
fn event(id: &str, status: &Value, version: &Value) -> StatusChanged {
    StatusChanged {
        request_id: RequestId::parse(id).unwrap(),
        status: serde_json::from_value::<Status>(status.clone()).unwrap(),
        version: version.as_u64().expect("the version is a number"),
        at: Utc::now(),
    }
}

async fn deliver_repeatedly(lockbox: &TestSystem, event: &StatusChanged) {
    for attempt in 1..=DELIVERIES {
        let result = lockbox.system.deliver(event).await;
        assert!(
            result.is_ok(),
            "delivery {attempt} of the {} event failed: {result:?}",
            event.status
        );
    }
}

/// Checks that `email` has exactly `count` mails and still has them after one second.
///
/// A redelivered `submitted` event makes the JIT function announce its result again. The local
/// runner handles that announcement in the background and signals no end, so a duplicate mail
/// could arrive after the redelivery returns.
async fn assert_mail_count_stays(lockbox: &TestSystem, email: &str, count: usize) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(1) {
        let mails = lockbox.mail_to(email).len();
        assert_eq!(mails, count, "mails to {email}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn submitted_event_redelivered() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en"), (BOB, "en")]).await;
    let response = lockbox.submit_as(&Identity::engineer(), request_body("sub-1")).await;
    let submitted: Value = response.json().await.unwrap();
    let id = submitted["request_id"].as_str().unwrap().to_owned();
    assert_eq!(submitted["status"], "submitted", "status in the submit response");
    lockbox.wait_for_status(&id, "customer_notified").await;
    lockbox.wait_for_mail(ALICE, 1).await;
    lockbox.wait_for_mail(BOB, 1).await;

    // The submit response carries no version; a new request always starts at version 1.
    deliver_repeatedly(&lockbox, &event(&id, &submitted["status"], &Value::from(1))).await;

    let request = lockbox.get_request(&id).await;
    assert_eq!(request["status"], "customer_notified", "status after the redeliveries");
    assert_eq!(request["version"], 2, "version after the redeliveries");
    assert_eq!(
        lockbox.count_operation(&id, "Submit Access Request").await,
        1,
        "Submit Access Request entries"
    );
    assert_eq!(
        lockbox.count_operation(&id, "Create Lockbox Request").await,
        1,
        "Create Lockbox Request entries"
    );
    assert_mail_count_stays(&lockbox, ALICE, 1).await;
    assert_mail_count_stays(&lockbox, BOB, 1).await;
    assert_eq!(
        lockbox.count_operation(&id, "Send Lockbox Notification").await,
        2,
        "Send Lockbox Notification entries"
    );
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn notified_event_redelivered() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en"), (BOB, "en")]).await;
    let id = lockbox.submit("sub-1").await;
    let request = lockbox.wait_for_status(&id, "customer_notified").await;
    lockbox.wait_for_mail(ALICE, 1).await;
    lockbox.wait_for_mail(BOB, 1).await;

    deliver_repeatedly(&lockbox, &event(&id, &request["status"], &request["version"])).await;

    for owner in [ALICE, BOB] {
        assert_eq!(
            lockbox.mail_to(owner).len(),
            1,
            "mails to {owner} after the redeliveries"
        );
    }
    assert_eq!(
        lockbox.count_operation(&id, "Send Lockbox Notification").await,
        2,
        "Send Lockbox Notification entries"
    );
    assert_eq!(
        lockbox.count_operation(&id, "Create Lockbox Request").await,
        1,
        "Create Lockbox Request entries"
    );
    let request = lockbox.get_request(&id).await;
    assert_eq!(request["version"], 2, "version after the redeliveries");
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn outcome_event_redelivered() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = lockbox.submit_notified("sub-1").await;
    let response = lockbox
        .post_decision(&lockbox.link_for(ALICE, &id).await, "approve")
        .await;
    assert_eq!(
        response.status(),
        reqwest::StatusCode::OK,
        "approve failed: {}",
        response.text().await.unwrap()
    );
    let request = lockbox.wait_for_status(&id, "approved").await;
    lockbox.wait_for_mail(ENGINEER, 1).await;

    deliver_repeatedly(&lockbox, &event(&id, &request["status"], &request["version"])).await;
    // An old submitted event after the decision must not re-evaluate or re-announce anything.
    deliver_repeatedly(&lockbox, &event(&id, &Value::from("submitted"), &Value::from(1))).await;

    assert_mail_count_stays(&lockbox, ENGINEER, 1).await;
    assert_mail_count_stays(&lockbox, ALICE, 1).await;
    assert_eq!(
        lockbox.count_operation(&id, "Send Lockbox Notification").await,
        2,
        "Send Lockbox Notification entries"
    );
    assert_eq!(
        lockbox.count_operation(&id, "Approve Lockbox Request").await,
        1,
        "Approve Lockbox Request entries"
    );
    let request = lockbox.get_request(&id).await;
    assert_eq!(request["status"], "approved", "status after the redeliveries");
    assert_eq!(request["version"], 3, "version after the redeliveries");
    lockbox.system.stop();
}
