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

/// Routes of the `audit-query` function.
pub fn audit_router(reader: Arc<AuditReader>) -> Router {
    audit::router(reader)
}
