//! The HTTP API as axum routers, one per function. Lambda serves each through `lambda_http`;
//! the local runner serves them all on one port. The caller's identity reaches the handlers as
//! a [`Caller`](crate::domain::identity::Caller) request extension, set by the entry point.

mod approver;
mod audit;
pub mod caller;
mod error;
mod input;
mod intake;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::Router;

use crate::app::audit::AuditReader;
use crate::app::decide::Decider;
use crate::app::intake::Intake;

pub use error::ApiError;

/// The largest request body accepted, in bytes; the biggest legitimate body (a subscription
/// with its maximum owners) is far below it.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Routes of the `submit` function.
pub fn intake_router(intake: Arc<Intake>) -> Router {
    intake::router(intake).layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

/// Routes of the `decide` function: the approver pages and the internal approval.
pub fn decide_router(decider: Arc<Decider>) -> Router {
    approver::router(decider).layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

/// Adds JSON responses for unknown routes (404) and methods (405). It is applied once, to the
/// router that is served, because axum cannot merge two routers that both have a fallback.
pub fn with_json_fallbacks(router: Router) -> Router {
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    error::json_error(
        axum::http::StatusCode::NOT_FOUND,
        "not_found",
        format!("no route for {}", uri.path()),
        None,
    )
}

async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> axum::response::Response {
    error::json_error(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{method} is not allowed on {}", uri.path()),
        None,
    )
}

/// Routes of the `audit-query` function.
pub fn audit_router(reader: Arc<AuditReader>) -> Router {
    audit::router(reader)
}
