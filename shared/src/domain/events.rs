//! The event that carries a request's state changes between functions.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ids::RequestId;
use super::request::Status;

/// The EventBridge `source` of every event the lockbox emits.
pub const EVENT_SOURCE: &str = "lockbox";

/// The EventBridge `detail-type` of a state change.
pub const STATUS_CHANGED: &str = "Lockbox Request Status Changed";

/// The `detail` of a state change. Handlers reload the request, so the event stays small and
/// carries nothing secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChanged {
    pub request_id: RequestId,
    pub status: Status,
    /// The request's version after the change; with `request_id` it identifies the change.
    pub version: u64,
    pub at: DateTime<Utc>,
}
