//! What a mail scanner or another site can do with an approver link and its forms: nothing that
//! changes the request.

use lockbox::domain::form_nonce::FormAction;
use lockbox_tests::*;
use reqwest::{Method, StatusCode};

/// Waits for a request to reach the customer and returns its id and Alice's link.
async fn notified(lockbox: &TestSystem) -> (String, String) {
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = lockbox.submit_notified("sub-1").await;
    let link = lockbox.link_for(ALICE, &id).await;
    (id, link)
}

/// Checks that the request is still pending, at version 2, with no decision in its audit log.
async fn assert_pending(lockbox: &TestSystem, id: &str) {
    let request = lockbox.get_request(id).await;
    assert_eq!(request["status"], "customer_notified", "the request's status");
    let operations = lockbox.audit_operations(id).await;
    for decision in ["Approve Lockbox Request", "Deny Lockbox Request"] {
        assert!(
            !operations.iter().any(|operation| operation == decision),
            "the audit log has {decision:?}: {operations:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn mail_scanner_leaves_request_pending() {
    let lockbox = TestSystem::start().await;
    let (id, link) = notified(&lockbox).await;
    let list = link.replace(&format!("/requests/{id}"), "");

    for url in [&link, &list] {
        for method in [Method::GET, Method::HEAD, Method::GET] {
            let response = no_redirects().request(method.clone(), url).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{method} {url}");
            let headers = response.headers();
            assert_eq!(headers["cache-control"], "no-store", "{method} {url}");
            assert_eq!(headers["referrer-policy"], "no-referrer", "{method} {url}");
            assert_eq!(headers["x-frame-options"], "DENY", "{method} {url}");
            let cookie = headers["set-cookie"].to_str().unwrap();
            assert!(
                cookie.ends_with("; HttpOnly; Secure; SameSite=Strict"),
                "{method} {url}: {cookie}"
            );
        }
    }
    assert_pending(&lockbox, &id).await;
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn page_moves_on_without_token() {
    let lockbox = TestSystem::start().await;
    let (id, link) = notified(&lockbox).await;

    let (cookie, page) = lockbox.open_link(&link).await;
    assert_eq!(
        page,
        format!("{}/lockbox/requests/{id}", lockbox.base),
        "the page after the link"
    );
    let response = lockbox.http.get(&page).header("Cookie", &cookie).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "the page with the cookie");
    let html = response.text().await.unwrap();
    let (_, token) = split_link(&link);
    assert!(!html.contains(&token), "the page shows the link's token");
    assert!(html.contains("name=\"nonce\""), "the page's forms carry a nonce");

    let without_cookie = lockbox.http.get(&page).send().await.unwrap();
    assert_eq!(
        without_cookie.status(),
        StatusCode::FORBIDDEN,
        "the page without the cookie"
    );
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn decision_without_nonce_rejected() {
    let lockbox = TestSystem::start().await;
    let (id, link) = notified(&lockbox).await;
    let (cookie, page) = lockbox.open_link(&link).await;

    let cases: [(&str, Vec<(&str, &str)>); 3] = [
        ("no nonce", vec![("decision", "approve")]),
        ("an empty nonce", vec![("nonce", ""), ("decision", "approve")]),
        (
            "a forged nonce",
            vec![
                ("nonce", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
                ("decision", "approve"),
            ],
        ),
    ];
    for (case, form) in cases {
        let response = no_redirects()
            .post(format!("{page}/decision"))
            .header("Cookie", &cookie)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "a decision with {case}");
        let html = response.text().await.unwrap();
        assert!(html.contains("This form cannot be used"), "the page for {case}: {html}");
    }
    let revoke_nonce = lockbox.current_nonce(&link, FormAction::Revoke).await;
    let response = no_redirects()
        .post(format!("{page}/decision"))
        .header("Cookie", &cookie)
        .form(&[("nonce", revoke_nonce.as_str()), ("decision", "approve")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "a decision with the revoke form's nonce"
    );
    assert_pending(&lockbox, &id).await;
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn reused_nonce_rejected() {
    let lockbox = TestSystem::start().await;
    let (id, link) = notified(&lockbox).await;
    let (cookie, page) = lockbox.open_link(&link).await;
    let nonce = lockbox.current_nonce(&link, FormAction::Decision).await;
    let post = |decision: &'static str| {
        no_redirects()
            .post(format!("{page}/decision"))
            .header("Cookie", &cookie)
            .form(&[("nonce", nonce.as_str()), ("decision", decision)])
            .send()
    };

    let first = post("deny").await.unwrap();
    assert_eq!(first.status(), StatusCode::SEE_OTHER, "the first post");
    let second = post("approve").await.unwrap();
    assert_eq!(
        second.status(),
        StatusCode::CONFLICT,
        "the second post with the same nonce"
    );
    let html = second.text().await.unwrap();
    assert!(html.contains("This page was out of date"), "{html}");
    assert!(html.contains("“Denied”"), "the page names the current state: {html}");

    let request = lockbox.get_request(&id).await;
    assert_eq!(request["status"], "denied", "the status after both posts");
    let approvals = lockbox.count_operation(&id, "Approve Lockbox Request").await;
    assert_eq!(approvals, 0, "approvals in the audit log");
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn cross_origin_post_rejected() {
    let lockbox = TestSystem::start().await;
    let (id, link) = notified(&lockbox).await;
    let (cookie, page) = lockbox.open_link(&link).await;
    let nonce = lockbox.current_nonce(&link, FormAction::Decision).await;

    let cases = [
        ("Sec-Fetch-Site cross-site", "sec-fetch-site", "cross-site"),
        ("Sec-Fetch-Site same-site", "sec-fetch-site", "same-site"),
        ("another Origin", "origin", "http://attacker.localhost"),
    ];
    for (case, name, value) in cases {
        let response = no_redirects()
            .post(format!("{page}/decision"))
            .header("Cookie", &cookie)
            .header(name, value)
            .form(&[("nonce", nonce.as_str()), ("decision", "approve")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "a post with {case}");
        let html = response.text().await.unwrap();
        assert!(html.contains("sent from another site"), "the page for {case}: {html}");
    }
    assert_pending(&lockbox, &id).await;
    lockbox.system.stop();
}
