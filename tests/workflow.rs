//! The request's life over HTTP, against the moto emulator.

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use lockbox::domain::form_nonce::FormAction;
use lockbox_local::outbox::SentMail;
use lockbox_tests::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread")]
async fn approval_story_end_to_end() {
    let lockbox = TestSystem::start().await;
    lockbox
        .register(
            "sub-1",
            &[("alice@contoso.example", "en"), ("bob@contoso.example", "fr")],
        )
        .await;

    let id = lockbox.submit_notified("sub-1").await;

    let link = lockbox.approver_link("alice@contoso.example").await;
    let page = lockbox.open_page(&link).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("T-1001"), "the page shows the support ticket ID");

    let response = lockbox.post_decision(&link, "approve").await;
    assert_eq!(response.status(), StatusCode::OK);

    let request = lockbox.wait_for_status(&id, "approved").await;
    let decided_at: DateTime<Utc> = request["decided_at"].as_str().unwrap().parse().unwrap();
    let ends_at: DateTime<Utc> = request["access_ends_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(ends_at - decided_at, TimeDelta::hours(8));

    let operations = lockbox.audit_operations(&id).await;
    assert!(
        operations.contains(&"Create Lockbox Request".to_owned()),
        "{operations:?}"
    );
    assert!(
        operations.contains(&"Approve Lockbox Request".to_owned()),
        "{operations:?}"
    );
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn french_owner_gets_french_mail() {
    let lockbox = TestSystem::start().await;
    lockbox
        .register(
            "sub-1",
            &[("alice@contoso.example", "en"), ("bob@contoso.example", "fr")],
        )
        .await;
    lockbox.submit_notified("sub-1").await;

    let mails = lockbox.wait_for_mail("bob@contoso.example", 1).await;
    assert!(mails[0].subject.contains("Demande d’accès"), "{}", mails[0].subject);
    assert!(mails[0].html.contains("lang=\"fr\""));
    let page = lockbox
        .open_page(&lockbox.approver_link("bob@contoso.example").await)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Approuver"));
    lockbox.system.stop();
}

/// Approves request `id` as Alice, and returns the requester's outcome mail about it and the
/// request's access end.
async fn approve_and_read_outcome(lockbox: &TestSystem, id: &str) -> (SentMail, DateTime<Utc>) {
    lockbox.wait_for_status(id, "customer_notified").await;
    let link = lockbox.link_for(ALICE, id).await;
    assert_eq!(lockbox.post_decision(&link, "approve").await.status(), StatusCode::OK);
    let request = lockbox.wait_for_status(id, "approved").await;
    let ends_at: DateTime<Utc> = request["access_ends_at"].as_str().unwrap().parse().unwrap();

    let started = Instant::now();
    loop {
        let outcome = lockbox
            .mail_to(ENGINEER)
            .into_iter()
            .find(|mail| mail.text.contains(id));
        if let Some(mail) = outcome {
            return (mail, ends_at);
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the requester got no outcome mail about {id}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn requester_mail_in_request_locale() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;

    let mut body = request_body("sub-1");
    body["locale"] = json!("fr");
    let response = lockbox.submit_as(&Identity::engineer(), body).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let submitted: Value = response.json().await.unwrap();
    let french_id = submitted["request_id"].as_str().unwrap().to_owned();
    let (mail, ends_at) = approve_and_read_outcome(&lockbox, &french_id).await;
    assert_eq!(
        lockbox.get_request(&french_id).await["requester_locale"],
        "fr",
        "the request's view shows the requester's locale"
    );
    assert_eq!(mail.subject, "Accès approuvé\u{a0}: vm-web-01 dans l’abonnement sub-1");
    let end = lockbox::i18n::format_time_written(ends_at, lockbox::domain::subscription::Locale::Fr);
    let sentence = format!("Votre accès est ouvert jusqu’au {end}.");
    assert!(
        mail.text.contains(&sentence),
        "the French mail lacks {sentence:?}: {}",
        mail.text
    );
    assert!(
        mail.html.contains(&sentence),
        "the French HTML lacks {sentence:?}: {}",
        mail.html
    );
    assert!(mail.text.contains("Ticket de support\u{a0}: T-1001"), "{}", mail.text);
    assert!(mail.html.contains("lang=\"fr\""), "{}", mail.html);
    assert!(mail.links.is_empty(), "the outcome mail has links: {:?}", mail.links);

    let english_id = lockbox.submit("sub-1").await;
    let (mail, ends_at) = approve_and_read_outcome(&lockbox, &english_id).await;
    assert_eq!(
        lockbox.get_request(&english_id).await["requester_locale"],
        "en",
        "a request without a locale is in English"
    );
    assert_eq!(mail.subject, "Access approved: vm-web-01 in subscription sub-1");
    let end = lockbox::i18n::format_time_written(ends_at, lockbox::domain::subscription::Locale::En);
    let sentence = format!("Your access is open until {end}.");
    assert!(
        mail.text.contains(&sentence),
        "the English mail lacks {sentence:?}: {}",
        mail.text
    );
    assert!(mail.text.contains("Support ticket: T-1001"), "{}", mail.text);
    assert!(mail.html.contains("lang=\"en\""), "{}", mail.html);
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn closed_request_page_names_status() {
    let lockbox = TestSystem::start().await;
    lockbox
        .register(
            "sub-1",
            &[("alice@contoso.example", "en"), ("bob@contoso.example", "fr")],
        )
        .await;
    lockbox.submit_notified("sub-1").await;

    let alice = lockbox.approver_link("alice@contoso.example").await;
    let bob = lockbox.approver_link("bob@contoso.example").await;
    assert_eq!(lockbox.post_decision(&alice, "approve").await.status(), StatusCode::OK);

    let response = lockbox.post_decision(&bob, "deny").await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("« Approuvée »"),
        "Bob's page names the state in French: {page}"
    );
    assert!(
        !page.contains("“Approved”"),
        "Bob's page is in his language only: {page}"
    );
    assert!(
        !page.contains("so it can no longer be"),
        "the internal message stays out of the page: {page}"
    );
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn pending_page_shows_access_duration() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[("alice@contoso.example", "en")]).await;
    lockbox.submit_notified("sub-1").await;

    let link = lockbox.approver_link("alice@contoso.example").await;
    let page = lockbox.open_page(&link).await.text().await.unwrap();
    assert!(page.contains("grant access for 8\u{a0}hours"), "{page}");
    assert!(
        page.contains("Expires at"),
        "a pending request shows its deadline: {page}"
    );

    let approved = lockbox.post_decision(&link, "approve").await.text().await.unwrap();
    assert!(
        !approved.contains("Expires at"),
        "an approved request hides the decision deadline: {approved}"
    );
    assert!(approved.contains("Access ends at"), "{approved}");
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn page_forms_use_root_paths() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[("alice@contoso.example", "en")]).await;
    let id = lockbox.submit_notified("sub-1").await;

    let link = lockbox.approver_link("alice@contoso.example").await;
    let page = lockbox.open_page(&link).await.text().await.unwrap();
    let action = format!("action=\"/lockbox/requests/{id}/decision\"");
    assert!(
        page.contains(&action),
        "the form action is not a root path, so another origin would break it: {page}"
    );
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn decision_redirects_to_page() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[("alice@contoso.example", "en")]).await;
    let id = lockbox.submit_notified("sub-1").await;

    let link = lockbox.approver_link("alice@contoso.example").await;
    let (page, token) = split_link(&link);
    let nonce = lockbox.current_nonce(&link, FormAction::Decision).await;
    let response = no_redirects()
        .post(format!("{page}/decision"))
        .form(&[
            ("token", token.as_str()),
            ("nonce", nonce.as_str()),
            ("decision", "approve"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(
        location,
        format!("/lockbox/requests/{id}?done=approved"),
        "the redirect goes to the request's page, without the token"
    );
    let cookie = set_cookie_pair(&response).expect("a token posted in the form is stored in the link cookie");
    assert!(cookie.ends_with(&token), "{cookie}");
    lockbox.system.stop();
}
