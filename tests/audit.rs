//! The audit query: filters by operation, subscription, request and time, paging, invalid
//! parameters, and tenant isolation for customer-side auditors.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, SecondsFormat, Utc};
use lockbox_tests::*;
use reqwest::{Method, StatusCode};
use serde_json::Value;

const DAVE: &str = "dave@fabrikam.example";

async fn query(lockbox: &TestSystem, auditor: &Identity, query: &str) -> (StatusCode, Value) {
    let response = lockbox
        .request(Method::GET, &format!("/audit?{query}"), Some(auditor))
        .send()
        .await
        .unwrap();
    api_error(response).await
}

/// Polls the audit log until `query` returns `count` entries, for up to ten seconds. Mail
/// entries are written just after the mail reaches the outbox, so tests wait for them here.
async fn wait_for_entries(lockbox: &TestSystem, query: &str, count: usize) -> Vec<Value> {
    let started = Instant::now();
    loop {
        let entries = lockbox.audit_entries(query).await;
        if entries.len() >= count {
            return entries;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "audit query {query} returned {} entries instead of {count}",
            entries.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Submits a request to `subscription_id` and waits for its three entries: submitted,
/// created and one mail to its single owner.
async fn audited_request(lockbox: &TestSystem, subscription_id: &str) -> String {
    let id = lockbox.submit(subscription_id).await;
    wait_for_entries(lockbox, &format!("request_id={id}"), 3).await;
    id
}

fn operations(entries: &[Value]) -> Vec<&str> {
    entries
        .iter()
        .map(|entry| entry["operation"].as_str().unwrap())
        .collect()
}

fn entry_ids(entries: &[Value]) -> Vec<String> {
    entries
        .iter()
        .map(|entry| entry["entry_id"].as_str().unwrap().to_owned())
        .collect()
}

/// Reads every page of `filters` with `limit=2`, checking each page's size.
async fn page_through(lockbox: &TestSystem, auditor: &Identity, filters: &str) -> Vec<Value> {
    let mut entries = Vec::new();
    let mut next_token: Option<String> = None;
    for _ in 0..100 {
        let mut parts: Vec<String> = filters
            .split('&')
            .filter(|part| !part.is_empty())
            .map(str::to_owned)
            .collect();
        parts.push("limit=2".to_owned());
        if let Some(token) = &next_token {
            parts.push(format!("next_token={token}"));
        }
        let (status, page) = query(lockbox, auditor, &parts.join("&")).await;
        assert_eq!(status, StatusCode::OK, "page of {filters}: {page}");
        let batch = page["entries"].as_array().unwrap();
        assert!(
            batch.len() <= 2,
            "a page of {filters} with limit=2 has {} entries",
            batch.len()
        );
        entries.extend(batch.iter().cloned());
        match page["next_token"].as_str() {
            Some(token) => next_token = Some(token.to_owned()),
            None => return entries,
        }
    }
    panic!("paging through {filters} did not end after 100 pages");
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

#[tokio::test(flavor = "multi_thread")]
async fn operation_filter_matches_only() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    lockbox
        .register_in_tenant("sub-2", "fabrikam", "premier", &[(DAVE, "en")])
        .await;
    let denied = audited_request(&lockbox, "sub-1").await;
    audited_request(&lockbox, "sub-1").await;
    audited_request(&lockbox, "sub-2").await;
    let response = lockbox
        .post_decision(&lockbox.link_for(ALICE, &denied).await, "deny")
        .await;
    assert_eq!(response.status(), StatusCode::OK, "deny failed");
    wait_for_entries(&lockbox, &format!("request_id={denied}"), 4).await;

    let submissions = lockbox.audit_entries("operation=Submit%20Access%20Request").await;
    assert_eq!(
        submissions.len(),
        3,
        "Submit Access Request entries: {:?}",
        operations(&submissions)
    );
    assert!(
        submissions
            .iter()
            .all(|entry| entry["operation"] == "Submit Access Request"),
        "other operations: {:?}",
        operations(&submissions)
    );

    let denials = lockbox.audit_entries("operation=Deny%20Lockbox%20Request").await;
    assert_eq!(denials.len(), 1, "Deny Lockbox Request entries");
    assert_eq!(denials[0]["request_id"], denied.as_str(), "request of the denial");
    assert_eq!(denials[0]["actor"], ALICE, "actor of the denial");

    let narrowed = lockbox
        .audit_entries("operation=Submit%20Access%20Request&subscription_id=sub-2")
        .await;
    assert_eq!(narrowed.len(), 1, "Submit Access Request entries of sub-2");
    assert_eq!(
        narrowed[0]["subscription_id"], "sub-2",
        "subscription of the narrowed entry"
    );

    let none = lockbox.audit_entries("operation=Revoke%20Lockbox%20Access").await;
    assert!(none.is_empty(), "Revoke Lockbox Access entries: {none:?}");
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_parameters_rejected() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    // (query, field named in the error)
    let cases = [
        ("operation=Delete%20Everything", "operation"),
        ("operation=deny%20lockbox%20request", "operation"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("from=yesterday", "from"),
        ("to=2026-13-01T00:00:00Z", "to"),
        ("from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from"),
        ("from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from"),
        ("request_id=not-a-uuid", "request_id"),
        ("subscription_id=sub%201", "subscription_id"),
        ("colour=red", "query"),
    ];
    for (parameters, field) in cases {
        let (status, error) = query(&lockbox, &Identity::auditor(), parameters).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "status for {parameters}: {error}");
        assert_eq!(error["field"], field, "field for {parameters}: {error}");
    }

    let (status, _) = query(&lockbox, &Identity::engineer(), "subscription_id=sub-1").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "audit query by an engineer");
    let response = lockbox
        .request(Method::GET, "/audit?subscription_id=sub-1", None)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::UNAUTHORIZED,
        "audit query without identity headers"
    );
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn subscription_filter_matches_only() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    lockbox
        .register_in_tenant("sub-2", "fabrikam", "premier", &[(DAVE, "en")])
        .await;
    let first = audited_request(&lockbox, "sub-1").await;
    let other = audited_request(&lockbox, "sub-2").await;

    let entries = lockbox.audit_entries("subscription_id=sub-1").await;
    assert_eq!(
        entries.len(),
        4,
        "entries of sub-1 (registration and three of one request): {:?}",
        operations(&entries)
    );
    assert!(
        entries.iter().all(|entry| entry["subscription_id"] == "sub-1"),
        "entries of other subscriptions: {entries:?}"
    );
    assert!(
        entries.iter().all(|entry| entry["request_id"] != other.as_str()),
        "entries of sub-2's request: {entries:?}"
    );
    assert_eq!(
        operations(&entries).last(),
        Some(&"Register Subscription"),
        "oldest entry of sub-1"
    );

    let by_request = lockbox.audit_entries(&format!("request_id={first}")).await;
    assert_eq!(
        by_request.len(),
        3,
        "entries of the request: {:?}",
        operations(&by_request)
    );
    assert!(
        by_request.iter().all(|entry| entry["request_id"] == first.as_str()),
        "entries of other requests: {by_request:?}"
    );

    let mismatched = lockbox
        .audit_entries(&format!("request_id={first}&subscription_id=sub-2"))
        .await;
    assert!(
        mismatched.is_empty(),
        "entries of sub-1's request filtered by sub-2: {mismatched:?}"
    );
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn time_window_bounds_entries() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let early = audited_request(&lockbox, "sub-1").await;
    let middle = Utc::now();
    let late = audited_request(&lockbox, "sub-1").await;
    let end = Utc::now();

    let after = lockbox
        .audit_entries(&format!("subscription_id=sub-1&from={}", rfc3339(middle)))
        .await;
    assert_eq!(
        after.len(),
        3,
        "entries of sub-1 from the middle: {:?}",
        operations(&after)
    );
    assert!(
        after.iter().all(|entry| entry["request_id"] == late.as_str()),
        "entries from before the middle: {after:?}"
    );

    let before = lockbox
        .audit_entries(&format!("subscription_id=sub-1&to={}", rfc3339(middle)))
        .await;
    assert_eq!(
        before.len(),
        4,
        "entries of sub-1 up to the middle: {:?}",
        operations(&before)
    );
    assert!(
        before.iter().all(|entry| entry["request_id"] != late.as_str()),
        "entries from after the middle: {before:?}"
    );
    assert!(
        before.iter().any(|entry| entry["request_id"] == early.as_str()),
        "no entry of the early request: {before:?}"
    );

    let window = lockbox
        .audit_entries(&format!("from={}&to={}", rfc3339(middle), rfc3339(end)))
        .await;
    assert_eq!(
        window.len(),
        3,
        "entries between the middle and the end, without other filters: {:?}",
        operations(&window)
    );
    for entry in &window {
        let at: DateTime<Utc> = entry["at"].as_str().unwrap().parse().unwrap();
        assert!(at >= middle, "entry at {at} is before the window's start {middle}");
        assert!(at <= end, "entry at {at} is after the window's end {end}");
    }

    let newest = &after[0];
    let newest_at: DateTime<Utc> = newest["at"].as_str().unwrap().parse().unwrap();
    let inclusive = lockbox
        .audit_entries(&format!("subscription_id=sub-1&from={0}&to={0}", rfc3339(newest_at)))
        .await;
    assert_eq!(
        entry_ids(&inclusive),
        entry_ids(std::slice::from_ref(newest)),
        "entries from and to the newest entry's own time"
    );

    let empty = lockbox.audit_entries(&format!("from={}", rfc3339(end))).await;
    assert!(empty.is_empty(), "entries after the end: {empty:?}");
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn paging_visits_each_entry_once() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    lockbox
        .register_in_tenant("sub-2", "fabrikam", "premier", &[(DAVE, "en")])
        .await;
    let first = audited_request(&lockbox, "sub-1").await;
    audited_request(&lockbox, "sub-2").await;
    audited_request(&lockbox, "sub-1").await;
    audited_request(&lockbox, "sub-2").await;
    audited_request(&lockbox, "sub-1").await;

    let contoso = Identity::auditor().in_tenant("contoso");
    let cases = [
        (Identity::auditor(), "subscription_id=sub-1".to_owned()),
        (Identity::auditor(), format!("request_id={first}")),
        (Identity::auditor(), "operation=Submit%20Access%20Request".to_owned()),
        (Identity::auditor(), String::new()),
        (contoso.clone(), String::new()),
        (contoso, "operation=Send%20Lockbox%20Notification".to_owned()),
    ];
    for (auditor, filters) in cases {
        let (status, reference) = query(&lockbox, &auditor, &format!("{filters}&limit=100")).await;
        assert_eq!(status, StatusCode::OK, "one page of {filters}");
        let reference = reference["entries"].as_array().unwrap().clone();
        assert!(
            reference.len() > 2,
            "{filters} has {} entries, too few to page",
            reference.len()
        );

        let paged = page_through(&lockbox, &auditor, &filters).await;
        let ids = entry_ids(&paged);
        let unique: HashSet<&String> = ids.iter().collect();
        assert_eq!(
            unique.len(),
            ids.len(),
            "entries seen twice while paging {filters} as {:?}",
            auditor.tenant
        );
        assert_eq!(
            ids,
            entry_ids(&reference),
            "paged entries of {filters} as {:?} differ from one page",
            auditor.tenant
        );
    }
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_next_token_rejected() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    audited_request(&lockbox, "sub-1").await;

    let cases = [
        "!!!",
        "abc",
        &URL_SAFE_NO_PAD.encode("[1,2]"),
        &URL_SAFE_NO_PAD.encode("{\"key\":\"pk\"}"),
    ];
    for token in cases {
        let (status, error) = query(
            &lockbox,
            &Identity::auditor(),
            &format!("subscription_id=sub-1&next_token={token}"),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "status for next_token {token}: {error}"
        );
        assert_eq!(error["field"], "next_token", "field for next_token {token}: {error}");
    }
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]

async fn forged_next_token_rejected() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    audited_request(&lockbox, "sub-1").await;

    // (filters, a position no page of them returned)
    let month = format!("MONTH#{}", Utc::now().format("%Y-%m"));
    let cases = [
        ("subscription_id=sub-1", r#"{"key":{"pk":"x"}}"#.to_owned()),
        ("subscription_id=sub-1", r#"{"key":{"colour":"red"}}"#.to_owned()),
        ("", format!(r#"{{"month":"{month}","key":{{"gsi3pk":"{month}"}}}}"#)),
    ];
    let mut wrong = Vec::new();
    for (filters, position) in cases {
        let token = URL_SAFE_NO_PAD.encode(&position);
        let (status, error) = query(&lockbox, &Identity::auditor(), &format!("{filters}&next_token={token}")).await;
        if status != StatusCode::BAD_REQUEST || error["field"] != "next_token" {
            wrong.push(format!("{filters:?} from {position}: {status} {error}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "forged positions not rejected as an invalid next_token: {wrong:#?}"
    );
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn other_tenant_sees_nothing() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = audited_request(&lockbox, "sub-1").await;
    let queries = [
        "subscription_id=sub-1".to_owned(),
        format!("request_id={id}"),
        "operation=Submit%20Access%20Request".to_owned(),
        String::new(),
    ];

    let stranger = Identity::auditor().in_tenant("fabrikam");
    for filters in &queries {
        let (status, page) = query(&lockbox, &stranger, filters).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "query {filters:?} by another tenant's auditor: {page}"
        );
        let entries = page["entries"].as_array().unwrap();
        assert!(
            entries.is_empty(),
            "another tenant's auditor sees {} entries of {filters:?}",
            entries.len()
        );
    }

    let owner = Identity::auditor().in_tenant("contoso");
    for filters in &queries {
        let (status, page) = query(&lockbox, &owner, filters).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "query {filters:?} by the tenant's auditor: {page}"
        );
        let entries = page["entries"].as_array().unwrap();
        assert!(
            !entries.is_empty(),
            "the tenant's own auditor sees no entries of {filters:?}"
        );
        assert!(
            entries.iter().all(|entry| entry["tenant_id"] == "contoso"),
            "entries of other tenants: {entries:?}"
        );
    }
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]

async fn malformed_tenant_sees_nothing() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    audited_request(&lockbox, "sub-1").await;

    for tenant in ["fabrikam corp", "", &"f".repeat(65)] {
        let auditor = Identity::auditor().in_tenant(tenant);
        let (status, page) = query(&lockbox, &auditor, "subscription_id=sub-1").await;
        let visible = page["entries"].as_array().map_or(0, Vec::len);
        assert!(
            status != StatusCode::OK || visible == 0,
            "an auditor with the tenant claim {tenant:?} got {status} with {visible} entries of tenant contoso"
        );
    }
    lockbox.system.stop();
}
