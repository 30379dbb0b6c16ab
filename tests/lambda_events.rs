//! Replays the sample events in `events/` through the same glue the Lambda functions use:
//! API Gateway events become requests with the caller from the JWT claims, and EventBridge and
//! schedule events parse into what the handlers take.

use std::sync::Arc;

use axum::body::Body;
use lockbox::adapters::{dynamodb::DynamoStore, eventbridge::EventBridgeBus};
use lockbox::app::audit::AuditReader;
use lockbox::app::decide::Decider;
use lockbox::app::intake::Intake;
use lockbox::config::Timings;
use lockbox::domain::events::StatusChanged;
use lockbox::domain::token::TokenKey;
use lockbox::lambda::{api_gateway_app, EventBridgeEvent};
use lockbox::ports::SystemClock;
use lockbox_tests::{repository_root, TestSystem};
use reqwest::StatusCode;
use tower::ServiceExt;

fn event(path: &str) -> String {
    std::fs::read_to_string(repository_root().join("events").join(path))
        .unwrap_or_else(|error| panic!("cannot read events/{path}: {error}"))
}

struct Apps {
    intake: axum::Router,
    decide: axum::Router,
    audit: axum::Router,
}

fn apps(lockbox: &TestSystem) -> Apps {
    let sdk = &lockbox.system.sdk;
    let store = Arc::new(DynamoStore::from_config(
        sdk,
        lockbox.system.table.clone(),
        Timings::default().retention,
    ));
    let bus = Arc::new(EventBridgeBus::from_config(sdk, lockbox.system.event_bus.clone()));
    let clock = Arc::new(SystemClock);
    let intake = Intake {
        subscriptions: store.clone(),
        requests: store.clone(),
        bus: bus.clone(),
        clock: clock.clone(),
        timings: Timings::default(),
    };
    let decider = Decider {
        requests: store.clone(),
        subscriptions: store.clone(),
        bus,
        clock: clock.clone(),
        audit: store.clone(),
        keys: Arc::new(TokenKey::from_bytes(vec![1; 32]).unwrap()),
        base_path: String::new(),
    };
    let reader = AuditReader { log: store, clock };
    Apps {
        intake: api_gateway_app(lockbox::http::intake_router(Arc::new(intake))),
        decide: api_gateway_app(lockbox::http::decide_router(Arc::new(decider))),
        audit: api_gateway_app(lockbox::http::audit_router(Arc::new(reader))),
    }
}

/// Sends an API Gateway event to `app` and returns the status and body.
async fn invoke(app: &axum::Router, path: &str) -> (StatusCode, String) {
    let request = lambda_http::request::from_str(&event(path))
        .unwrap_or_else(|error| panic!("events/{path} is not an API Gateway event: {error}"));
    let (parts, body) = request.into_parts();
    let request = axum::http::Request::from_parts(parts, Body::from(body.to_vec()));
    let response = app.clone().oneshot(request).await.unwrap();
    let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn submit_events_reach_their_routes() {
    let lockbox = TestSystem::start().await;
    let apps = apps(&lockbox);

    let (status, body) = invoke(&apps.intake, "submit/register-subscription.json").await;
    assert_eq!(status, StatusCode::OK, "register: {body}");
    let (status, body) = invoke(&apps.intake, "submit/submit-request.json").await;
    assert_eq!(status, StatusCode::ACCEPTED, "HTTP API $default stage: {body}");
    assert!(body.contains("\"status\":\"submitted\""), "{body}");
    let (status, body) = invoke(&apps.intake, "submit/submit-request-prod-stage.json").await;
    assert_eq!(status, StatusCode::ACCEPTED, "HTTP API named stage: {body}");
    let (status, body) = invoke(&apps.intake, "submit/submit-request-rest-api.json").await;
    assert_eq!(status, StatusCode::ACCEPTED, "REST API with Cognito claims: {body}");
    let (status, body) = invoke(&apps.intake, "submit/get-request.json").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "unknown request: {body}");
    let (status, body) = invoke(&apps.intake, "submit/cancel-request.json").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "cancel unknown request: {body}");
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn decide_events_refuse_sample_tokens() {
    let lockbox = TestSystem::start().await;
    let apps = apps(&lockbox);

    for path in [
        "decide/pending-requests.json",
        "decide/view-request.json",
        "decide/decision.json",
    ] {
        let (status, body) = invoke(&apps.decide, path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
        assert!(body.contains("<html"), "{path} answers with a page: {body}");
    }
    let (status, body) = invoke(&apps.decide, "decide/internal-approval.json").await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "internal approval of an unknown request: {body}"
    );
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_event_returns_entries() {
    let lockbox = TestSystem::start().await;
    let apps = apps(&lockbox);
    let (status, body) = invoke(&apps.audit, "audit-query/audit-by-request.json").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let page: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(page["entries"].is_array(), "{body}");
    lockbox.system.stop();
}

#[test]
fn bus_events_parse_for_handlers() {
    for (path, status) in [
        ("evaluate-jit/request-submitted.json", "submitted"),
        ("notify/request-customer-notified.json", "customer_notified"),
        ("notify/request-approved.json", "approved"),
    ] {
        let parsed: EventBridgeEvent<StatusChanged> =
            serde_json::from_str(&event(path)).unwrap_or_else(|error| panic!("{path}: {error}"));
        assert_eq!(parsed.source, "lockbox", "{path}");
        assert_eq!(parsed.detail_type, "Lockbox Request Status Changed", "{path}");
        assert_eq!(parsed.detail.status.as_str(), status, "{path}");
    }
    let schedule: serde_json::Value = serde_json::from_str(&event("expire/schedule.json")).unwrap();
    assert_eq!(schedule["detail-type"], "Scheduled Event");
}
