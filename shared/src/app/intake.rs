//! The `submit` function: registering subscriptions, submitting, reading and cancelling
//! requests.

use std::sync::Arc;

use crate::config::Timings;
use crate::domain::audit::{AuditEntry, Operation};
use crate::domain::events::StatusChanged;
use crate::domain::identity::{Caller, Role};
use crate::domain::ids::{RequestId, SubscriptionId, TenantId};
use crate::domain::request::{AccessRequest, NewRequest};
use crate::domain::subscription::{Owner, Subscription, SupportPlan};
use crate::ports::{Clock, EventBus, RequestStore, SubscriptionStore};

use super::{publish_logged, AppError};

pub struct Intake {
    pub subscriptions: Arc<dyn SubscriptionStore>,
    pub requests: Arc<dyn RequestStore>,
    pub bus: Arc<dyn EventBus>,
    pub clock: Arc<dyn Clock>,
    pub timings: Timings,
}

/// A subscription's registration as a provider admin sends it.
#[derive(Debug, Clone)]
pub struct Registration {
    pub subscription_id: SubscriptionId,
    pub tenant_id: TenantId,
    pub support_plan: SupportPlan,
    pub owners: Vec<Owner>,
}

/// Checks that `caller` has `role`. Handlers call it before parsing a body, so that a caller
/// without the role learns nothing about the input's validity.
pub fn require_role(caller: &Caller, role: Role) -> Result<(), AppError> {
    if caller.has_role(role) {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!("this route requires the role {role}")))
    }
}

impl Intake {
    /// Creates or replaces a subscription and its owner list.
    pub async fn register_subscription(
        &self,
        caller: &Caller,
        registration: Registration,
    ) -> Result<Subscription, AppError> {
        require_role(caller, Role::ProviderAdmin)?;
        let now = self.clock.now();
        let subscription = Subscription::new(
            registration.subscription_id,
            registration.tenant_id,
            registration.support_plan,
            registration.owners,
            now,
            caller.principal.clone(),
        )?;
        let audit = AuditEntry::new(
            Operation::RegisterSubscription,
            None,
            subscription.subscription_id.clone(),
            subscription.tenant_id.clone(),
            caller.principal.as_str(),
            now,
        )
        .with_detail("owners", subscription.owners.len().to_string());
        self.subscriptions.put_subscription(&subscription, &audit).await?;
        tracing::info!(subscription_id = %subscription.subscription_id, owners = subscription.owners.len(), "subscription registered");
        Ok(subscription)
    }

    /// Stores a new request and announces it to the JIT policy.
    pub async fn submit(&self, caller: &Caller, new: NewRequest) -> Result<AccessRequest, AppError> {
        require_role(caller, Role::SupportEngineer)?;
        let subscription = self
            .subscriptions
            .get_subscription(&new.subscription_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("subscription {} is not registered", new.subscription_id)))?;

        let now = self.clock.now();
        let (request, audit) = AccessRequest::submit(
            new,
            subscription.tenant_id.clone(),
            caller,
            now,
            self.timings.request_expiry,
            self.timings.access_duration,
        );
        self.requests.create_request(&request, &audit).await?;
        tracing::info!(request_id = %request.request_id, subscription_id = %request.subscription_id, "request submitted");

        let event = StatusChanged {
            request_id: request.request_id,
            status: request.status,
            version: request.version,
            at: now,
        };
        publish_logged(self.bus.as_ref(), &event).await;
        Ok(request)
    }

    /// Reads a request. Engineers and managers may read any request.
    pub async fn get(&self, caller: &Caller, id: RequestId) -> Result<AccessRequest, AppError> {
        let allowed = [Role::SupportEngineer, Role::SupportManager, Role::DevopsManager];
        if !allowed.iter().any(|role| caller.has_role(*role)) {
            return Err(AppError::Forbidden(
                "this route requires the role support_engineer, support_manager or devops_manager".into(),
            ));
        }
        self.requests
            .get_request(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("request {id} was not found")))
    }

    /// Withdraws a pending request on behalf of its requester.
    pub async fn cancel(
        &self,
        caller: &Caller,
        id: RequestId,
        reason: Option<String>,
    ) -> Result<AccessRequest, AppError> {
        require_role(caller, Role::SupportEngineer)?;
        let request = self
            .requests
            .get_request(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("request {id} was not found")))?;
        let transition = request.cancel(caller, reason, self.clock.now())?;
        self.requests.apply(&transition).await?;
        tracing::info!(request_id = %id, "request cancelled");
        publish_logged(self.bus.as_ref(), &super::event_for(&transition)).await;
        Ok(transition.request)
    }
}
