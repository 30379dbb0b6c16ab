//! Customer decisions through the mailed links: deny, cancel, revoke, concurrent decisions,
//! links that only read, and who counts as a designated approver.

use chrono::{TimeDelta, Utc};
use lockbox::domain::form_nonce::FormAction;
use lockbox::domain::ids::{Email, RequestId};
use lockbox::domain::token::ApprovalToken;
use lockbox_tests::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn deny_closes_request() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en"), (BOB, "en")]).await;
    let id = lockbox.submit_notified("sub-1").await;
    let alice_link = lockbox.link_for(ALICE, &id).await;
    let bob_link = lockbox.link_for(BOB, &id).await;

    let response = lockbox.post_decision(&alice_link, "deny").await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "deny failed: {}",
        response.text().await.unwrap()
    );

    let request = lockbox.get_request(&id).await;
    assert_eq!(request["status"], "denied", "status after deny");
    assert_eq!(request["stored_status"], "denied", "stored status after deny");
    assert_eq!(request["decided_by"], ALICE, "decided_by after deny");
    assert!(
        request["closed_at"].is_string(),
        "a denied request has closed_at: {request}"
    );

    let mails = lockbox.wait_for_mail(ENGINEER, 1).await;
    assert_eq!(mails.len(), 1, "the requester gets one outcome mail");
    assert!(
        mails[0].subject.contains("denied"),
        "outcome mail subject: {}",
        mails[0].subject
    );
    assert!(
        mails[0].text.contains(&id),
        "the outcome mail names the request: {}",
        mails[0].text
    );
    assert_eq!(
        lockbox.count_operation(&id, "Deny Lockbox Request").await,
        1,
        "Deny Lockbox Request entries"
    );

    for link in [&bob_link, &alice_link] {
        let late = lockbox.post_decision(link, "approve").await;
        assert_eq!(late.status(), StatusCode::CONFLICT, "approve after deny from {link}");
    }
    let request = lockbox.get_request(&id).await;
    assert_eq!(request["status"], "denied", "status after the late approvals");
    assert_eq!(
        lockbox.count_operation(&id, "Approve Lockbox Request").await,
        0,
        "Approve Lockbox Request entries"
    );
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn cancel_by_requester_only() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = lockbox.submit_notified("sub-1").await;
    let link = lockbox.link_for(ALICE, &id).await;
    let cancel_path = format!("/requests/{id}/cancel");

    let other = Identity::new("other.engineer@provider.example", "support_engineer");
    let response = lockbox
        .request(Method::POST, &cancel_path, Some(&other))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN, "cancel by another engineer");
    let request = lockbox.get_request(&id).await;
    assert_eq!(
        request["status"], "customer_notified",
        "status after the rejected cancel"
    );

    let response = lockbox
        .request(Method::POST, &cancel_path, Some(&Identity::engineer()))
        .json(&json!({"reason": "The customer fixed the disk themselves"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "cancel by the requester");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "cancelled", "status in the cancel response");
    assert_eq!(
        body["reason"], "The customer fixed the disk themselves",
        "reason in the cancel response"
    );

    let request = lockbox.get_request(&id).await;
    assert_eq!(request["stored_status"], "cancelled", "stored status after cancel");
    assert_eq!(
        lockbox.count_operation(&id, "Cancel Lockbox Request").await,
        1,
        "Cancel Lockbox Request entries"
    );

    let again = lockbox
        .request(Method::POST, &cancel_path, Some(&Identity::engineer()))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT, "second cancel");

    let decision = lockbox.post_decision(&link, "approve").await;
    assert_eq!(decision.status(), StatusCode::CONFLICT, "approve after cancel");
    let request = lockbox.get_request(&id).await;
    assert_eq!(request["status"], "cancelled", "status after the late approval");
    assert_eq!(
        lockbox.count_operation(&id, "Cancel Lockbox Request").await,
        1,
        "Cancel Lockbox Request entries at the end"
    );
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn revoke_ends_approved_access() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en"), (BOB, "en")]).await;
    let approved = lockbox.submit_notified("sub-1").await;
    let pending = lockbox.submit_notified("sub-1").await;

    let approve = lockbox
        .post_decision(&lockbox.link_for(ALICE, &approved).await, "approve")
        .await;
    assert_eq!(
        approve.status(),
        StatusCode::OK,
        "approve failed: {}",
        approve.text().await.unwrap()
    );

    let response = lockbox.post_revoke(&lockbox.link_for(BOB, &approved).await).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "revoke failed: {}",
        response.text().await.unwrap()
    );
    let request = lockbox.get_request(&approved).await;
    assert_eq!(request["status"], "revoked", "status after revoke");
    assert_eq!(request["reason"], format!("revoked by {BOB}"), "reason after revoke");
    assert_eq!(
        lockbox.count_operation(&approved, "Revoke Lockbox Access").await,
        1,
        "Revoke Lockbox Access entries"
    );

    let mails = lockbox.wait_for_mail(ENGINEER, 2).await;
    let subjects: Vec<&str> = mails.iter().map(|mail| mail.subject.as_str()).collect();
    assert!(
        subjects.iter().any(|subject| subject.contains("revoked")),
        "outcome mail subjects: {subjects:?}"
    );

    let again = lockbox.post_revoke(&lockbox.link_for(ALICE, &approved).await).await;
    assert_eq!(again.status(), StatusCode::CONFLICT, "second revoke");

    let response = lockbox.post_revoke(&lockbox.link_for(ALICE, &pending).await).await;
    assert_eq!(response.status(), StatusCode::CONFLICT, "revoke of a pending request");
    let request = lockbox.get_request(&pending).await;
    assert_eq!(
        request["status"], "customer_notified",
        "status of the pending request after the rejected revoke"
    );
    assert_eq!(
        lockbox.count_operation(&pending, "Revoke Lockbox Access").await,
        0,
        "Revoke Lockbox Access entries of the pending request"
    );
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_decisions_one_wins() {
    const POSTS: usize = 50;
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en"), (BOB, "en")]).await;
    let id = lockbox.submit_notified("sub-1").await;
    let links = [lockbox.link_for(ALICE, &id).await, lockbox.link_for(BOB, &id).await];

    // Every post carries the nonce of the version both pages were loaded at, as two approvers
    // who click at the same moment do.
    let nonces = [
        lockbox.current_nonce(&links[0], FormAction::Decision).await,
        lockbox.current_nonce(&links[1], FormAction::Decision).await,
    ];
    let mut tasks = Vec::new();
    for i in 0..POSTS {
        let (page, token) = split_link(&links[(i / 2) % 2]);
        let nonce = nonces[(i / 2) % 2].clone();
        let decision = if i % 2 == 0 { "approve" } else { "deny" };
        let http = no_redirects();
        tasks.push(tokio::spawn(async move {
            let response = http
                .post(format!("{page}/decision"))
                .form(&[
                    ("token", token.as_str()),
                    ("nonce", nonce.as_str()),
                    ("decision", decision),
                ])
                .send()
                .await
                .unwrap();
            (decision, response.status())
        }));
    }
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }

    let winners: Vec<&str> = results
        .iter()
        .filter(|(_, status)| *status == StatusCode::SEE_OTHER)
        .map(|(decision, _)| *decision)
        .collect();
    let conflicts = results
        .iter()
        .filter(|(_, status)| *status == StatusCode::CONFLICT)
        .count();
    let others: Vec<StatusCode> = results
        .iter()
        .map(|(_, status)| *status)
        .filter(|s| *s != StatusCode::SEE_OTHER && *s != StatusCode::CONFLICT)
        .collect();
    assert_eq!(winners.len(), 1, "decisions accepted: {winners:?}");
    assert_eq!(conflicts, POSTS - 1, "decisions rejected with 409");
    assert!(others.is_empty(), "responses other than 303 and 409: {others:?}");

    let operations = lockbox.audit_operations(&id).await;
    let approvals = operations
        .iter()
        .filter(|name| *name == "Approve Lockbox Request")
        .count();
    let denials = operations.iter().filter(|name| *name == "Deny Lockbox Request").count();
    assert_eq!(
        approvals + denials,
        1,
        "decision entries in the audit log: {operations:?}"
    );

    let expected = if winners[0] == "approve" { "approved" } else { "denied" };
    let request = lockbox.get_request(&id).await;
    assert_eq!(
        request["status"], expected,
        "status after the accepted {} decision",
        winners[0]
    );
    assert_eq!(
        request["version"], 3,
        "versions: submitted, customer_notified, one decision"
    );
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn reading_link_changes_nothing() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = lockbox.submit_notified("sub-1").await;
    let link = lockbox.link_for(ALICE, &id).await;
    let list_link = link.replace(&format!("/requests/{id}"), "");
    let operations_before = lockbox.audit_operations(&id).await;
    let version_before = lockbox.get_request(&id).await["version"].clone();

    for url in [&link, &list_link] {
        for method in [Method::GET, Method::HEAD, Method::GET] {
            let response = lockbox.http.request(method.clone(), url).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{method} {url}");
            let cache = response
                .headers()
                .get("cache-control")
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            assert_eq!(cache, "no-store", "cache-control of {method} {url}");
        }
    }

    let request = lockbox.get_request(&id).await;
    assert_eq!(request["status"], "customer_notified", "status after reading the links");
    assert_eq!(request["version"], version_before, "version after reading the links");
    assert_eq!(
        lockbox.audit_operations(&id).await,
        operations_before,
        "audit entries after reading the links"
    );
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn three_owners_one_mail_each() {
    let lockbox = TestSystem::start().await;
    lockbox
        .register("sub-1", &[(ALICE, "en"), (BOB, "fr"), (CAROL, "en")])
        .await;
    let id = lockbox.submit_notified("sub-1").await;

    for owner in [ALICE, BOB, CAROL] {
        let mails = lockbox.wait_for_mail(owner, 1).await;
        assert_eq!(mails.len(), 1, "mails to {owner}");
        assert!(mails[0].text.contains(&id), "the mail to {owner} names the request");
    }
    let request = lockbox.get_request(&id).await;
    assert_eq!(request["approvers"], 3, "approver count");
    assert_eq!(
        lockbox.count_operation(&id, "Send Lockbox Notification").await,
        3,
        "Send Lockbox Notification entries"
    );
    assert!(
        lockbox.mail_to(ENGINEER).is_empty(),
        "the requester gets no mail while the request is pending"
    );
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn owner_engineer_not_approver() {
    let lockbox = TestSystem::start().await;
    lockbox
        .register("sub-1", &[(ALICE, "en"), (BOB, "en"), (CAROL, "en")])
        .await;
    // Addresses compare without case, as the service stores them in lower case.
    let carol = Identity::new("Carol@Contoso.Example", "support_engineer");
    let response = lockbox.submit_as(&carol, request_body("sub-1")).await;
    assert_eq!(
        response.status(),
        StatusCode::ACCEPTED,
        "submit by an owner who is an engineer"
    );
    let own: serde_json::Value = response.json().await.unwrap();
    let own = own["request_id"].as_str().unwrap().to_owned();
    let request = lockbox.wait_for_status(&own, "customer_notified").await;
    assert_eq!(
        request["approvers"], 2,
        "approver count of a request by one of three owners"
    );

    let alice_link = lockbox.link_for(ALICE, &own).await;
    lockbox.link_for(BOB, &own).await;
    assert_eq!(
        lockbox.count_operation(&own, "Send Lockbox Notification").await,
        2,
        "Send Lockbox Notification entries"
    );
    assert!(
        lockbox.mail_to(CAROL).is_empty(),
        "the requesting owner gets no approver mail"
    );

    // The service never signs a token for the requester. A token signed with the service's key
    // must still be rejected, because the requester is not among the request's approvers.
    let forged = ApprovalToken {
        request_id: RequestId::parse(&own).unwrap(),
        approver: Email::parse(CAROL).unwrap(),
        expires_at: Utc::now() + TimeDelta::hours(1),
    }
    .sign(&test_token_key());
    let own_link = format!("{}/lockbox/requests/{own}?token={forged}", lockbox.base);
    let page = lockbox.http.get(&own_link).send().await.unwrap();
    assert_eq!(
        page.status(),
        StatusCode::FORBIDDEN,
        "the requester's own link opens the page"
    );
    let decision = lockbox.post_decision(&own_link, "approve").await;
    assert_eq!(
        decision.status(),
        StatusCode::FORBIDDEN,
        "the requester's own link approves"
    );

    let other = lockbox.submit_notified("sub-1").await;
    let (_, alice_token) = split_link(&alice_link);
    let crossed = format!("{}/lockbox/requests/{other}?token={alice_token}", lockbox.base);
    let page = lockbox.http.get(&crossed).send().await.unwrap();
    assert_eq!(
        page.status(),
        StatusCode::FORBIDDEN,
        "a link of one request opens another"
    );
    let decision = lockbox.post_decision(&crossed, "approve").await;
    assert_eq!(
        decision.status(),
        StatusCode::FORBIDDEN,
        "a link of one request decides another"
    );

    for id in [&own, &other] {
        let request = lockbox.get_request(id).await;
        assert_eq!(
            request["status"], "customer_notified",
            "status of {id} after the rejected links"
        );
    }
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_decision_rejected() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = lockbox.submit_notified("sub-1").await;
    let link = lockbox.link_for(ALICE, &id).await;

    let response = lockbox.post_decision(&link, "maybe").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "decision `maybe`");
    let request = lockbox.get_request(&id).await;
    assert_eq!(
        request["status"], "customer_notified",
        "status after the invalid decision"
    );
    assert_eq!(request["version"], 2, "version after the invalid decision");
    lockbox.system.stop();
}

/// Lists the request links in an approver page's HTML.
fn page_links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|link| link.replace("&amp;", "&"))
        .filter(|link| link.contains("/lockbox/requests/"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn pending_list_shows_open_requests() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let denied = lockbox.submit_notified("sub-1").await;
    let open = lockbox.submit_notified("sub-1").await;
    let (_, token) = split_link(&lockbox.link_for(ALICE, &denied).await);
    let list = format!("{}/lockbox?token={token}", lockbox.base);

    let html = lockbox.open_page(&list).await.text().await.unwrap();
    let links = page_links(&html);
    for id in [&denied, &open] {
        assert!(
            links.iter().any(|link| link.contains(id.as_str())),
            "the list lacks request {id}: {links:?}"
        );
    }
    let open_link = links.iter().find(|link| link.contains(open.as_str())).unwrap();
    // The list's links are paths, so that they work on any origin the page is served from.
    let page = lockbox
        .http
        .get(format!("{}{open_link}", lockbox.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK, "the list's link to request {open}");

    let response = lockbox
        .post_decision(&lockbox.link_for(ALICE, &denied).await, "deny")
        .await;
    assert_eq!(response.status(), StatusCode::OK, "deny failed");
    let html = lockbox.open_page(&list).await.text().await.unwrap();
    let links = page_links(&html);
    assert!(
        !links.iter().any(|link| link.contains(denied.as_str())),
        "the list still shows the denied request: {links:?}"
    );
    assert!(
        links.iter().any(|link| link.contains(open.as_str())),
        "the list lacks the open request {open}: {links:?}"
    );
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn cancel_races_decision() {
    const POSTS: usize = 20;
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = lockbox.submit_notified("sub-1").await;
    let link = lockbox.link_for(ALICE, &id).await;
    let (page, token) = split_link(&link);
    let nonce = lockbox.current_nonce(&link, FormAction::Decision).await;

    let mut tasks = Vec::new();
    for i in 0..POSTS {
        let request = if i % 2 == 0 {
            no_redirects().post(format!("{page}/decision")).form(&[
                ("token", token.as_str()),
                ("nonce", nonce.as_str()),
                ("decision", "approve"),
            ])
        } else {
            lockbox.request(
                Method::POST,
                &format!("/requests/{id}/cancel"),
                Some(&Identity::engineer()),
            )
        };
        let action = if i % 2 == 0 { "approve" } else { "cancel" };
        tasks.push(tokio::spawn(
            async move { (action, request.send().await.unwrap().status()) },
        ));
    }
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }

    // An accepted approval returns 303 and an accepted cancel 200.
    let accepted = |status: &StatusCode| *status == StatusCode::SEE_OTHER || *status == StatusCode::OK;
    let winners: Vec<&str> = results
        .iter()
        .filter(|(_, status)| accepted(status))
        .map(|(action, _)| *action)
        .collect();
    let others: Vec<_> = results
        .iter()
        .filter(|(_, status)| !accepted(status) && *status != StatusCode::CONFLICT)
        .collect();
    assert_eq!(winners.len(), 1, "actions accepted: {winners:?}");
    assert!(others.is_empty(), "responses other than 303, 200 and 409: {others:?}");

    let operations = lockbox.audit_operations(&id).await;
    let changes = operations
        .iter()
        .filter(|name| *name == "Approve Lockbox Request" || *name == "Cancel Lockbox Request")
        .count();
    assert_eq!(changes, 1, "approval and cancel entries: {operations:?}");
    let expected = if winners[0] == "approve" {
        "approved"
    } else {
        "cancelled"
    };
    let request = lockbox.get_request(&id).await;
    assert_eq!(request["status"], expected, "status after the accepted {}", winners[0]);
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn page_escapes_justification() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let mut body = request_body("sub-1");
    body["justification"] = json!("<script>alert(1)</script> & \"quotes\"");
    let response = lockbox.submit_as(&Identity::engineer(), body).await;
    assert_eq!(
        response.status(),
        StatusCode::ACCEPTED,
        "submit with markup in the justification"
    );
    let id = response.json::<serde_json::Value>().await.unwrap()["request_id"]
        .as_str()
        .unwrap()
        .to_owned();
    lockbox.wait_for_status(&id, "customer_notified").await;

    let link = lockbox.link_for(ALICE, &id).await;
    let page = lockbox.open_page(&link).await.text().await.unwrap();
    assert!(!page.contains("<script>"), "the approver page contains the raw markup");
    assert!(page.contains("alert(1)"), "the approver page lacks the justification");
    let mail = lockbox.mail_to(ALICE).pop().unwrap();
    assert!(
        !mail.html.contains("<script>"),
        "the approver mail's HTML contains the raw markup"
    );
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn history_lists_decided_requests() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let approved = lockbox.submit("sub-1").await;
    let denied = lockbox.submit("sub-1").await;
    let pending = lockbox.submit("sub-1").await;
    for id in [&approved, &denied, &pending] {
        lockbox.wait_for_status(id, "customer_notified").await;
    }
    let approve = lockbox
        .post_decision(&lockbox.link_for(ALICE, &approved).await, "approve")
        .await;
    assert_eq!(approve.status(), StatusCode::OK, "approving");
    let deny = lockbox
        .post_decision(&lockbox.link_for(ALICE, &denied).await, "deny")
        .await;
    assert_eq!(deny.status(), StatusCode::OK, "denying");

    let (cookie, _) = lockbox.open_link(&lockbox.link_for(ALICE, &pending).await).await;
    let response = lockbox
        .http
        .get(format!("{}/lockbox?request={pending}&tab=history", lockbox.base))
        .header("Cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "the history tab");
    let html = response.text().await.unwrap();
    let start = html
        .find("id=\"closed\"")
        .expect("the history tab lists closed requests");
    let closed = &html[start..start + html[start..].find("</ul>").unwrap()];

    let denied_at = closed.find(&denied).expect("the denied request is listed");
    let approved_at = closed.find(&approved).expect("the approved request is listed");
    assert!(denied_at < approved_at, "the newest outcome comes first");
    assert!(!closed.contains(&pending), "a pending request is listed as closed");
    assert!(
        closed.contains(&format!("/lockbox/requests/{approved}?token=")),
        "the approved request has a link that can revoke it"
    );
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn closed_request_page_says_so() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let denied = lockbox.submit_notified("sub-1").await;
    let denied_link = lockbox.link_for(ALICE, &denied).await;
    let deny = lockbox.post_decision(&denied_link, "deny").await;
    assert_eq!(deny.status(), StatusCode::OK, "denying");

    let page = lockbox.open_page(&denied_link).await.text().await.unwrap();
    assert!(
        page.contains("It can no longer be approved, denied or revoked."),
        "the page of a denied request says it is closed: {page}"
    );
    assert!(
        !page.contains("name=\"decision\""),
        "a denied request's page offers a decision"
    );

    let revoked = lockbox.submit_notified("sub-1").await;
    let revoked_link = lockbox.link_for(ALICE, &revoked).await;
    let approve = lockbox.post_decision(&revoked_link, "approve").await;
    assert_eq!(approve.status(), StatusCode::OK, "approving");
    let revoke = lockbox.post_revoke(&revoked_link).await;
    assert_eq!(revoke.status(), StatusCode::OK, "revoking");
    let request = lockbox.get_request(&revoked).await;
    let closed_at: chrono::DateTime<Utc> = request["closed_at"].as_str().unwrap().parse().unwrap();
    let scheduled_end: chrono::DateTime<Utc> = request["access_ends_at"].as_str().unwrap().parse().unwrap();
    let page = lockbox.open_page(&revoked_link).await.text().await.unwrap();
    let ended_at = closed_at.format("%Y-%m-%d %H:%M UTC").to_string();
    let scheduled = scheduled_end.format("%Y-%m-%d %H:%M UTC").to_string();
    assert!(
        page.contains(&format!("id=\"access-ends\">{ended_at}<")),
        "a revoked request's page shows when access ended, {ended_at}: {page}"
    );
    assert!(
        !page.contains(&scheduled),
        "a revoked request's page shows the scheduled end {scheduled}"
    );
    lockbox.system.stop();
}
