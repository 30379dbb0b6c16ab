//! The `evaluate-jit` function: applies the JIT policy to each submitted request.

use std::sync::Arc;

use crate::domain::events::StatusChanged;
use crate::domain::policy::JitPolicy;
use crate::domain::request::{Status, TransitionError};
use crate::ports::{Clock, EventBus, PortError, RequestStore, SubscriptionStore};

use super::{event_for, AppError};

pub struct JitEvaluator {
    pub requests: Arc<dyn RequestStore>,
    pub subscriptions: Arc<dyn SubscriptionStore>,
    pub bus: Arc<dyn EventBus>,
    pub clock: Arc<dyn Clock>,
    pub policy: JitPolicy,
}

impl JitEvaluator {
    /// Evaluates the request a `submitted` event names. Safe to call again with the same event:
    /// a request that was already evaluated is not evaluated twice, and the result is announced
    /// again in case the earlier run stopped before publishing it.
    pub async fn handle(&self, event: &StatusChanged) -> Result<(), AppError> {
        let request_id = event.request_id;
        if event.status != Status::Submitted {
            tracing::debug!(request_id = %request_id, status = %event.status, "event ignored: not a submission");
            return Ok(());
        }
        let Some(request) = self.requests.get_request(request_id).await? else {
            tracing::warn!(request_id = %request_id, "event ignored: request not found");
            return Ok(());
        };

        if request.status != Status::Submitted {
            let evaluated_next = request.version == event.version + 1
                && matches!(
                    request.status,
                    Status::PendingInternalApproval | Status::CustomerNotified | Status::Rejected
                );
            if evaluated_next {
                tracing::info!(request_id = %request_id, status = %request.status, "request already evaluated; announcing the result again");
                let again = StatusChanged {
                    request_id,
                    status: request.status,
                    version: request.version,
                    at: self.clock.now(),
                };
                self.bus.publish(&again).await?;
            }
            return Ok(());
        }

        let subscription = self.subscriptions.get_subscription(&request.subscription_id).await?;
        let evaluation = self.policy.evaluate(&request, subscription.as_ref());
        let now = self.clock.now();
        let transition = match request.apply_jit(evaluation, subscription.as_ref(), now) {
            Ok(transition) => transition,
            Err(TransitionError::WrongStatus { status, .. }) => {
                // The request expired before evaluation; the expiry run records that.
                tracing::info!(request_id = %request_id, status = %status, "request not evaluated");
                return Ok(());
            }
            Err(error) => return Err(error.into()),
        };

        match self.requests.apply(&transition).await {
            Ok(()) => {}
            Err(PortError::Conflict) => {
                tracing::info!(request_id = %request_id, "request changed during evaluation; another delivery handled it");
                return Ok(());
            }
            Err(error) => return Err(error.into()),
        }
        let jit = transition
            .request
            .jit
            .as_ref()
            .map(|jit| jit.rule.as_str())
            .unwrap_or_default();
        tracing::info!(request_id = %request_id, status = %transition.request.status, jit_rule = jit, "request evaluated");

        // An error here makes Lambda deliver the event again, which announces the result again.
        self.bus.publish(&event_for(&transition)).await?;
        Ok(())
    }
}
