//! Approval tokens in mailed links: any damaged, missing, expired, foreign or misplaced token
//! is rejected with 403, and nothing changes.

use chrono::{TimeDelta, Utc};
use lockbox::domain::ids::{Email, RequestId};
use lockbox::domain::token::{ApprovalToken, TokenKey};
use lockbox_tests::*;
use reqwest::StatusCode;

const BASE64URL: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Positions to damage: every 7th character, plus both ends of each part and the dot.
fn sample_positions(token: &str) -> Vec<usize> {
    let dot = token.find('.').expect("a token has two parts joined by a dot");
    let mut positions: Vec<usize> = (0..token.len()).step_by(7).collect();
    positions.extend([0, dot - 1, dot, dot + 1, token.len() - 1]);
    positions.sort_unstable();
    positions.dedup();
    positions
}

/// Lists tokens that differ from `token` by one changed, deleted or inserted character at the
/// sampled positions. Every base64url character and the dot are tried as replacements.
fn damaged_tokens(token: &str) -> Vec<String> {
    let replacements: Vec<char> = BASE64URL.chars().chain(['.']).collect();
    let mut damaged = Vec::new();
    for position in sample_positions(token) {
        let original = token.as_bytes()[position] as char;
        for replacement in replacements.iter().filter(|c| **c != original) {
            let mut changed = token.to_owned();
            changed.replace_range(position..=position, &replacement.to_string());
            damaged.push(changed);
        }
        let mut deleted = token.to_owned();
        deleted.remove(position);
        damaged.push(deleted);
        for inserted in ['A', 'z', '0', '-', '_', '.'] {
            let mut longer = token.to_owned();
            longer.insert(position, inserted);
            damaged.push(longer);
        }
    }
    let mut appended = token.to_owned();
    appended.push('A');
    damaged.push(appended);
    damaged
}

async fn notified_request(lockbox: &TestSystem) -> String {
    let id = lockbox.submit_notified("sub-1").await;
    id
}

/// Checks that request `id` is still waiting for the customer, with no decision recorded.
async fn assert_unchanged(lockbox: &TestSystem, id: &str) {
    let request = lockbox.get_request(id).await;
    assert_eq!(request["status"], "customer_notified", "status of {id}");
    assert_eq!(request["version"], 2, "version of {id}");
    let operations = lockbox.audit_operations(id).await;
    assert!(
        !operations.contains(&"Approve Lockbox Request".to_owned()),
        "approval audited for {id}: {operations:?}"
    );
    assert!(
        !operations.contains(&"Deny Lockbox Request".to_owned()),
        "denial audited for {id}: {operations:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn damaged_token_forbidden() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = notified_request(&lockbox).await;
    let (page, token) = split_link(&lockbox.link_for(ALICE, &id).await);
    let valid = lockbox.http.get(format!("{page}?token={token}")).send().await.unwrap();
    assert_eq!(valid.status(), StatusCode::OK, "the undamaged link");

    let damaged = damaged_tokens(&token);
    let mut accepted = Vec::new();
    for candidate in &damaged {
        let view = lockbox
            .http
            .get(format!("{page}?token={candidate}"))
            .send()
            .await
            .unwrap()
            .status();
        let list = lockbox
            .http
            .get(format!("{}/lockbox?token={candidate}", lockbox.base))
            .send()
            .await
            .unwrap()
            .status();
        let decision = lockbox
            .http
            .post(format!("{page}/decision"))
            .form(&[("token", candidate.as_str()), ("decision", "approve")])
            .send()
            .await
            .unwrap()
            .status();
        for (route, status) in [("page", view), ("list", list), ("decision", decision)] {
            if status != StatusCode::FORBIDDEN {
                accepted.push(format!("{route} {status} {candidate}"));
            }
        }
    }
    assert!(
        accepted.is_empty(),
        "of {} damaged tokens, these got no 403: {accepted:#?}",
        damaged.len()
    );
    assert_unchanged(&lockbox, &id).await;
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_token_forbidden() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = notified_request(&lockbox).await;
    let page = format!("{}/lockbox/requests/{id}", lockbox.base);

    for url in [
        page.clone(),
        format!("{page}?token="),
        format!("{page}?other=1"),
        format!("{}/lockbox", lockbox.base),
    ] {
        let response = lockbox.http.get(&url).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "GET {url}");
    }
    let forms: [(&str, Vec<(&str, &str)>); 4] = [
        ("decision", vec![("decision", "approve")]),
        ("decision", vec![("token", ""), ("decision", "approve")]),
        ("decision", Vec::new()),
        ("revoke", Vec::new()),
    ];
    for (action, form) in forms {
        let response = lockbox
            .http
            .post(format!("{page}/{action}"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "POST {action} with form {form:?}"
        );
    }
    assert_unchanged(&lockbox, &id).await;
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn token_bound_to_request() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let first = notified_request(&lockbox).await;
    let second = notified_request(&lockbox).await;
    let (_, first_token) = split_link(&lockbox.link_for(ALICE, &first).await);
    let second_page = format!("{}/lockbox/requests/{second}", lockbox.base);

    let view = lockbox
        .http
        .get(format!("{second_page}?token={first_token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        view.status(),
        StatusCode::FORBIDDEN,
        "the first request's token on the second request's page"
    );
    let decision = lockbox
        .post_decision(&format!("{second_page}?token={first_token}"), "approve")
        .await;
    assert_eq!(
        decision.status(),
        StatusCode::FORBIDDEN,
        "the first request's token deciding the second request"
    );

    assert_unchanged(&lockbox, &first).await;
    assert_unchanged(&lockbox, &second).await;
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn expired_or_foreign_token_forbidden() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = notified_request(&lockbox).await;
    let claims = |expires_at| ApprovalToken {
        request_id: RequestId::parse(&id).unwrap(),
        approver: Email::parse(ALICE).unwrap(),
        expires_at,
    };

    let fresh = claims(Utc::now() + TimeDelta::hours(1)).sign(&test_token_key());
    let expired = claims(Utc::now() - TimeDelta::seconds(1)).sign(&test_token_key());
    let foreign = claims(Utc::now() + TimeDelta::hours(1)).sign(&TokenKey::from_bytes(vec![7; 32]).unwrap());
    let page = format!("{}/lockbox/requests/{id}", lockbox.base);

    let response = lockbox.http.get(format!("{page}?token={fresh}")).send().await.unwrap();
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "a token signed with the service's key"
    );
    for (case, token) in [("expired", &expired), ("signed with another key", &foreign)] {
        let view = lockbox.http.get(format!("{page}?token={token}")).send().await.unwrap();
        assert_eq!(view.status(), StatusCode::FORBIDDEN, "page with a token {case}");
        let decision = lockbox.post_decision(&format!("{page}?token={token}"), "approve").await;
        assert_eq!(decision.status(), StatusCode::FORBIDDEN, "decision with a token {case}");
    }
    assert_unchanged(&lockbox, &id).await;
    lockbox.system.stop();
}
