//! The `expire` function: stores what time has decided, on a schedule.

use std::sync::Arc;

use crate::ports::{Clock, EventBus, PortError, RequestStore};

use super::{event_for, publish_logged, AppError};

/// Requests read from the due-time index per query.
const BATCH: usize = 100;
/// Maximum batches in one run, so that a lagging index cannot keep a run going. The next
/// scheduled run picks up what is left.
const MAX_BATCHES: usize = 50;

pub struct Expirer {
    pub requests: Arc<dyn RequestStore>,
    pub bus: Arc<dyn EventBus>,
    pub clock: Arc<dyn Clock>,
}

/// Counts of what one expiry run changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ExpiryReport {
    /// Pending requests that became `expired`.
    pub expired: usize,
    /// Approved requests whose access became `access_ended`.
    pub access_ended: usize,
    /// Due requests that another writer changed first, or that the index listed early.
    pub skipped: usize,
}

impl Expirer {
    /// Expires every due request. Running it again at once changes nothing more, because each
    /// change is conditional on the state it was computed from.
    pub async fn run(&self) -> Result<ExpiryReport, AppError> {
        let now = self.clock.now();
        let mut report = ExpiryReport::default();
        for _ in 0..MAX_BATCHES {
            let due = self.requests.due_requests(now, BATCH).await?;
            let mut changed = 0;
            for request in &due {
                let Some(transition) = request.expire(now) else {
                    report.skipped += 1;
                    continue;
                };
                match self.requests.apply(&transition).await {
                    Ok(()) => {}
                    Err(PortError::Conflict) => {
                        report.skipped += 1;
                        continue;
                    }
                    Err(error) => return Err(error.into()),
                }
                changed += 1;
                if transition.request.status == crate::domain::request::Status::AccessEnded {
                    report.access_ended += 1;
                } else {
                    report.expired += 1;
                }
                tracing::info!(request_id = %request.request_id, status = %transition.request.status, "request expired");
                publish_logged(self.bus.as_ref(), &event_for(&transition)).await;
            }
            if due.len() < BATCH || changed == 0 {
                break;
            }
        }
        tracing::info!(
            expired = report.expired,
            access_ended = report.access_ended,
            skipped = report.skipped,
            "expiry run finished"
        );
        Ok(report)
    }
}
