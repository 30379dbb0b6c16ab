//! Table contents: the TTL that lets DynamoDB purge finished requests, and audit entries that
//! have no TTL, so DynamoDB never purges them.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, TimeDelta, Utc};
use lockbox_tests::*;

/// Reads the request item's `ttl` and checks that it is a Number of 10 digits.
async fn ttl_of(lockbox: &TestSystem, id: &str) -> DateTime<Utc> {
    let item = lockbox.raw_request_item(id).await;
    let ttl = item
        .get("ttl")
        .unwrap_or_else(|| panic!("the item of {id} has no ttl: {item:?}"));
    let AttributeValue::N(digits) = ttl else {
        panic!("the ttl of {id} is not a Number: {ttl:?}");
    };
    assert_eq!(digits.len(), 10, "digits in the ttl {digits} (epoch seconds)");
    assert!(
        digits.bytes().all(|byte| byte.is_ascii_digit()),
        "the ttl {digits} is not a whole number"
    );
    DateTime::from_timestamp(digits.parse().unwrap(), 0).unwrap()
}

fn assert_about_90_days_after(ttl: DateTime<Utc>, start: DateTime<Utc>, start_field: &str) {
    assert!(
        ttl >= start + TimeDelta::days(89),
        "ttl {ttl} is less than 89 days after {start_field} {start}"
    );
    assert!(
        ttl <= start + TimeDelta::days(91),
        "ttl {ttl} is more than 91 days after {start_field} {start}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn pending_request_ttl() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = lockbox.submit("sub-1").await;
    let request = lockbox.wait_for_status(&id, "customer_notified").await;
    let expires_at: DateTime<Utc> = request["expires_at"].as_str().unwrap().parse().unwrap();

    let ttl = ttl_of(&lockbox, &id).await;
    assert_about_90_days_after(ttl, expires_at, "expires_at");
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn closed_request_ttl() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = lockbox.submit_notified("sub-1").await;
    let response = lockbox.post_decision(&lockbox.link_for(ALICE, &id).await, "deny").await;
    assert_eq!(
        response.status(),
        reqwest::StatusCode::OK,
        "deny failed: {}",
        response.text().await.unwrap()
    );
    let request = lockbox.wait_for_status(&id, "denied").await;
    let closed_at: DateTime<Utc> = request["closed_at"].as_str().unwrap().parse().unwrap();

    let ttl = ttl_of(&lockbox, &id).await;
    assert_about_90_days_after(ttl, closed_at, "closed_at");
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_items_have_no_ttl() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = lockbox.submit_notified("sub-1").await;
    lockbox.wait_for_mail(ALICE, 1).await;

    let client = aws_sdk_dynamodb::Client::new(&lockbox.system.sdk);
    let output = client
        .query()
        .table_name(&lockbox.system.table)
        .key_condition_expression("pk = :pk AND begins_with(sk, :audit)")
        .expression_attribute_values(":pk", AttributeValue::S(format!("REQUEST#{id}")))
        .expression_attribute_values(":audit", AttributeValue::S("AUDIT#".into()))
        .send()
        .await
        .unwrap();
    let items = output.items.unwrap_or_default();
    assert!(items.len() >= 3, "audit items of the request: {}", items.len());
    for item in &items {
        assert!(!item.contains_key("ttl"), "an audit item has a ttl: {item:?}");
    }
    lockbox.system.stop();
}
