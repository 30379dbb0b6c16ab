//! The use cases of each function, called from Lambda, the local runner and tests alike.
//!
//! One module per function: `intake` (submit), `jit` (evaluate-jit), `notify`, `decide`,
//! `expire` and `audit` (audit-query).

pub mod audit;
pub mod decide;
pub mod expire;
pub mod intake;
pub mod jit;
pub mod notify;

use crate::domain::events::StatusChanged;
use crate::domain::ids::InvalidField;
use crate::domain::request::{Transition, TransitionError};
use crate::ports::{EventBus, PortError};

/// The outcome of a use case that did not succeed, mapped to a status code in `http::error`.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input is malformed or out of range; nothing was written.
    #[error(transparent)]
    Invalid(#[from] InvalidField),
    /// The caller is not allowed to do this.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// The request's state does not allow this any more (already decided, expired, cancelled).
    #[error("{0}")]
    Conflict(String),
    /// A backing service failed; the cause goes to the log, not to the caller.
    #[error("a backing service failed")]
    Service(#[source] PortError),
}

impl From<PortError> for AppError {
    fn from(error: PortError) -> Self {
        match error {
            PortError::Conflict => {
                AppError::Conflict("the request changed at the same time; reload it and try again".into())
            }
            other => AppError::Service(other),
        }
    }
}

impl From<TransitionError> for AppError {
    fn from(error: TransitionError) -> Self {
        match error {
            TransitionError::WrongStatus { .. } => AppError::Conflict(error.to_string()),
            TransitionError::NotAllowed(message) => AppError::Forbidden(message),
        }
    }
}

/// Builds the event announcing the state `transition` reached.
pub fn event_for(transition: &Transition) -> StatusChanged {
    let request = &transition.request;
    StatusChanged {
        request_id: request.request_id,
        status: request.status,
        version: request.version,
        at: transition
            .audit
            .first()
            .map(|entry| entry.at)
            .unwrap_or(request.created_at),
    }
}

/// Publishes a state change after an HTTP caller's transition was stored. A failure is logged
/// but not returned: the change is committed, and failing the call would make the caller retry
/// a change that already happened.
// NOTE: if PutEvents still fails after the SDK's retries, the next function never hears of
// this change (the request then expires on schedule). A transactional outbox would close this.
pub async fn publish_logged(bus: &dyn EventBus, event: &StatusChanged) {
    if let Err(error) = bus.publish(event).await {
        tracing::error!(request_id = %event.request_id, status = %event.status, error = %error, "failed to publish state change");
    }
}
