//! Input checks: invalid input gets 400 with a `field` that names what to fix, and nothing is
//! written. Callers without an identity get 401, and callers without the role get 403.

use lockbox_tests::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const SUBMISSIONS: &str = "subscription_id=sub-1&operation=Submit%20Access%20Request";

async fn post_raw(lockbox: &TestSystem, body: Vec<u8>) -> reqwest::Response {
    lockbox
        .request(Method::POST, "/requests", Some(&Identity::engineer()))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
}

fn body_with(field: &str, value: Value) -> Vec<u8> {
    let mut body = request_body("sub-1");
    body[field] = value;
    serde_json::to_vec(&body).unwrap()
}

fn body_without(field: &str) -> Vec<u8> {
    let mut body = request_body("sub-1");
    body.as_object_mut().unwrap().remove(field);
    serde_json::to_vec(&body).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn submit_rejects_bad_input() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let before = lockbox.audit_entries(SUBMISSIONS).await.len();

    // (case, body, field named in the error, text the message contains)
    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        (
            "malformed JSON",
            b"{\"subscription_id\": \"sub-1\",".to_vec(),
            "body",
            "",
        ),
        ("missing field", body_without("scope"), "scope", "missing field"),
        (
            "unknown enum value",
            body_with("resource_kind", json!("mainframe")),
            "resource_kind",
            "mainframe",
        ),
        (
            "oversized justification",
            body_with("justification", json!("x".repeat(2001))),
            "justification",
            "2001 bytes",
        ),
        (
            "oversized multibyte justification",
            body_with("justification", json!("é".repeat(1001))),
            "justification",
            "2002 bytes",
        ),
        (
            "blank justification",
            body_with("justification", json!("   ")),
            "justification",
            "must not be empty",
        ),
        ("empty body", Vec::new(), "body", "empty"),
        (
            "unknown field",
            body_with("priority", json!("high")),
            "body",
            "priority",
        ),
        (
            "invalid subscription id",
            body_with("subscription_id", json!("sub 1")),
            "subscription_id",
            "contains",
        ),
        (
            "wrong type",
            body_with("support_ticket_id", json!(1001)),
            "support_ticket_id",
            "invalid type",
        ),
        (
            "oversized ticket id",
            body_with("support_ticket_id", json!("T".repeat(65))),
            "support_ticket_id",
            "65 bytes",
        ),
        (
            "resource id with a space",
            body_with("resource_id", json!("vm web")),
            "resource_id",
            "contains",
        ),
        (
            "unknown locale",
            body_with("locale", json!("de")),
            "locale",
            "expected `en` or `fr`",
        ),
        ("locale in upper case", body_with("locale", json!("FR")), "locale", "FR"),
        (
            "locale of the wrong type",
            body_with("locale", json!(1)),
            "locale",
            "invalid value",
        ),
    ];
    for (case, body, field, message) in cases {
        let (status, error) = api_error(post_raw(&lockbox, body).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "status for {case}: {error}");
        assert_eq!(error["field"], field, "field for {case}: {error}");
        let text = error["message"].as_str().unwrap_or_default();
        assert!(text.contains(message), "message for {case} lacks {message:?}: {text:?}");
    }

    let after = lockbox.audit_entries(SUBMISSIONS).await.len();
    assert_eq!(
        after, before,
        "Submit Access Request entries after the invalid submissions"
    );
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_body_rejected() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = lockbox.submit_notified("sub-1").await;
    let before = lockbox.audit_entries(SUBMISSIONS).await.len();
    let registrations = lockbox
        .audit_entries("subscription_id=sub-1&operation=Register%20Subscription")
        .await
        .len();

    let mut body = request_body("sub-1");
    body["justification"] = json!("x".repeat(70 * 1024));
    let oversized = serde_json::to_vec(&body).unwrap();
    let routes = [
        (Method::POST, "/requests".to_owned(), Identity::engineer()),
        (Method::PUT, "/subscriptions/sub-1".to_owned(), Identity::admin()),
        (Method::POST, format!("/requests/{id}/cancel"), Identity::engineer()),
    ];
    for (method, path, caller) in routes {
        let response = lockbox
            .request(method.clone(), &path, Some(&caller))
            .header("content-type", "application/json")
            .body(oversized.clone())
            .send()
            .await
            .unwrap();
        let (status, error) = api_error(response).await;
        assert_eq!(
            status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "status for a body over 64 KiB to {method} {path}: {error}"
        );
        assert_eq!(
            error["field"], "body",
            "field for a body over 64 KiB to {method} {path}: {error}"
        );
    }

    let after = lockbox.audit_entries(SUBMISSIONS).await.len();
    assert_eq!(
        after, before,
        "Submit Access Request entries after the oversized bodies"
    );
    let after = lockbox
        .audit_entries("subscription_id=sub-1&operation=Register%20Subscription")
        .await
        .len();
    assert_eq!(
        after, registrations,
        "Register Subscription entries after the oversized bodies"
    );
    let request = lockbox.get_request(&id).await;
    assert_eq!(
        request["status"], "customer_notified",
        "status after the oversized cancel"
    );
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn justification_limit_inclusive() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let response = post_raw(&lockbox, body_with("justification", json!("é".repeat(1000)))).await;
    assert_eq!(
        response.status(),
        StatusCode::ACCEPTED,
        "a justification of exactly 2000 bytes"
    );
    lockbox.system.stop();
}

async fn put_subscription(lockbox: &TestSystem, id: &str, body: Value) -> reqwest::Response {
    lockbox
        .request(Method::PUT, &format!("/subscriptions/{id}"), Some(&Identity::admin()))
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn register_rejects_bad_owner() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let registrations = "subscription_id=sub-1&operation=Register%20Subscription";
    let before = lockbox.audit_entries(registrations).await.len();

    let owners = |owners: Value| json!({"tenant_id": "contoso", "support_plan": "premier", "owners": owners});
    // (case, body, field named in the error)
    let cases = [
        (
            "bad owner email",
            owners(json!([{"email": BOB, "locale": "en"}, {"email": "not-an-address", "locale": "en"}])),
            "owners[].email",
        ),
        (
            "unknown locale",
            owners(json!([{"email": BOB, "locale": "de"}])),
            "owners[].locale",
        ),
        ("no owners", owners(json!([])), "owners"),
        (
            "duplicate owner",
            owners(json!([{"email": BOB}, {"email": "Bob@Contoso.example"}])),
            "owners",
        ),
        (
            "too many owners",
            owners(Value::Array(
                (0..51)
                    .map(|i| json!({"email": format!("owner{i}@contoso.example")}))
                    .collect(),
            )),
            "owners",
        ),
        (
            "unknown plan",
            json!({"tenant_id": "contoso", "support_plan": "gold", "owners": [{"email": BOB}]}),
            "support_plan",
        ),
    ];
    for (case, body, field) in cases {
        let (status, error) = api_error(put_subscription(&lockbox, "sub-1", body).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "status for {case}: {error}");
        assert_eq!(error["field"], field, "field for {case}: {error}");
    }

    let after = lockbox.audit_entries(registrations).await.len();
    assert_eq!(
        after, before,
        "Register Subscription entries after the invalid registrations"
    );
    lockbox.submit_notified("sub-1").await;
    lockbox.wait_for_mail(ALICE, 1).await;
    assert!(
        lockbox.mail_to(BOB).is_empty(),
        "an owner from a rejected registration was mailed"
    );

    let (status, _) =
        api_error(put_subscription(&lockbox, "sub-2", owners(json!([{"email": "not-an-address"}]))).await).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "status for a new subscription with a bad owner email"
    );
    let response = lockbox.submit_as(&Identity::engineer(), request_body("sub-2")).await;
    assert_eq!(
        response.status(),
        StatusCode::NOT_FOUND,
        "submit to a subscription whose registration was rejected"
    );
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn submit_checks_caller() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let before = lockbox.audit_entries(SUBMISSIONS).await.len();

    let response = lockbox.submit_as(&Identity::auditor(), request_body("sub-1")).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN, "submit by an auditor");

    let response = lockbox
        .request(Method::POST, "/requests", None)
        .json(&request_body("sub-1"))
        .send()
        .await
        .unwrap();
    let (status, error) = api_error(response).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "submit without identity headers");
    assert_eq!(error["error"], "unauthenticated", "error code without identity headers");

    let response = lockbox
        .submit_as(&Identity::engineer(), request_body("sub-unknown"))
        .await;
    assert_eq!(
        response.status(),
        StatusCode::NOT_FOUND,
        "submit to an unregistered subscription"
    );

    let registration = json!({"tenant_id": "contoso", "support_plan": "premier", "owners": [{"email": BOB}]});
    let response = lockbox
        .request(Method::PUT, "/subscriptions/sub-1", Some(&Identity::engineer()))
        .json(&registration)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN, "registration by an engineer");

    let after = lockbox.audit_entries(SUBMISSIONS).await.len();
    assert_eq!(
        after, before,
        "Submit Access Request entries after the rejected submissions"
    );
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn cancel_rejects_bad_reason() {
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = lockbox.submit_notified("sub-1").await;
    let path = format!("/requests/{id}/cancel");

    // (case, body, field named in the error)
    let cases = [
        ("oversized reason", json!({"reason": "x".repeat(1001)}), "reason"),
        ("blank reason", json!({"reason": " "}), "reason"),
        ("unknown field", json!({"reason": "done", "force": true}), "body"),
    ];
    for (case, body, field) in cases {
        let response = lockbox
            .request(Method::POST, &path, Some(&Identity::engineer()))
            .json(&body)
            .send()
            .await
            .unwrap();
        let (status, error) = api_error(response).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "status for {case}: {error}");
        assert_eq!(error["field"], field, "field for {case}: {error}");
    }
    let request = lockbox.get_request(&id).await;
    assert_eq!(
        request["status"], "customer_notified",
        "status after the invalid cancels"
    );
    assert_eq!(
        lockbox.count_operation(&id, "Cancel Lockbox Request").await,
        0,
        "Cancel Lockbox Request entries"
    );

    let response = lockbox
        .request(Method::GET, "/requests/not-a-uuid", Some(&Identity::engineer()))
        .send()
        .await
        .unwrap();
    let (status, error) = api_error(response).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "GET of a malformed request id: {error}"
    );
    assert_eq!(
        error["field"], "request_id",
        "field for a malformed request id: {error}"
    );
    let unknown = uuid::Uuid::new_v4();
    let response = lockbox
        .request(
            Method::GET,
            &format!("/requests/{unknown}"),
            Some(&Identity::engineer()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND, "GET of an unknown request");
    lockbox.system.stop();
}
