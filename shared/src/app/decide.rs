//! The `decide` function: what designated approvers do through their mailed links, and what
//! internal approvers do through the API.

use std::sync::Arc;

use crate::domain::identity::Caller;
use crate::domain::ids::RequestId;
use crate::domain::request::{AccessRequest, Decision, Status, TransitionError};
use crate::domain::subscription::Owner;
use crate::domain::token::{ApprovalToken, TokenError};
use crate::ports::{Clock, EventBus, RequestStore, SubscriptionStore, TokenKeys};

use super::{event_for, publish_logged, AppError};

pub struct Decider {
    pub requests: Arc<dyn RequestStore>,
    pub subscriptions: Arc<dyn SubscriptionStore>,
    pub bus: Arc<dyn EventBus>,
    pub clock: Arc<dyn Clock>,
    /// Signs and checks the tokens in approver links.
    pub keys: Arc<dyn TokenKeys>,
    /// The path that pages put before their links and form actions, such as `/Prod`, or an
    /// empty string (see [`crate::config::base_path_from_env`]).
    pub base_path: String,
}

/// The reason an approver link was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error("the link belongs to another request")]
    OtherRequest,
    #[error("the link's approver is not a designated approver of the request")]
    NotApprover,
    #[error("the link's approver is no longer an owner of the request's subscription")]
    NoLongerOwner,
}

/// An approver's error: a rejected link, a request that can no longer change, or anything else
/// the use case can return.
#[derive(Debug, thiserror::Error)]
pub enum ApproverError {
    #[error(transparent)]
    Link(#[from] LinkError),
    /// The request is in a state that no approver action can change (decided, expired,
    /// cancelled, ended), or not yet in one (waiting for internal approval).
    #[error("the request is {0}, so the approver's action is not possible")]
    Closed(Status),
    #[error(transparent)]
    App(#[from] AppError),
}

/// Maps a rejected transition: a state that rules the action out becomes [`ApproverError::Closed`].
fn rejected_transition(error: TransitionError) -> ApproverError {
    match error {
        TransitionError::WrongStatus { status, .. } => ApproverError::Closed(status),
        other => ApproverError::App(other.into()),
    }
}

impl From<crate::ports::PortError> for ApproverError {
    fn from(error: crate::ports::PortError) -> Self {
        ApproverError::App(error.into())
    }
}

/// The request an approver's link opens, with the approver and the token to reuse.
pub struct ApproverContext {
    pub request: AccessRequest,
    pub approver: Owner,
    pub token: String,
}

/// A pending request listed for an approver, with a fresh link of its own.
pub struct PendingEntry {
    pub request: AccessRequest,
    pub token: String,
}

impl Decider {
    async fn verify(&self, token: &str) -> Result<ApprovalToken, ApproverError> {
        let key = self.keys.current().await?;
        ApprovalToken::verify(token, &key, self.clock.now()).map_err(|error| LinkError::from(error).into())
    }

    /// Opens the request a link names. Reading changes nothing.
    pub async fn open(&self, id: RequestId, token: &str) -> Result<ApproverContext, ApproverError> {
        let claims = self.verify(token).await?;
        if claims.request_id != id {
            return Err(LinkError::OtherRequest.into());
        }
        self.open_verified(&claims, token).await
    }

    /// Opens the request of verified `claims`, checking that their approver still speaks for the
    /// customer.
    async fn open_verified(&self, claims: &ApprovalToken, token: &str) -> Result<ApproverContext, ApproverError> {
        let id = claims.request_id;
        let request = self
            .requests
            .get_request(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("request {id} was not found")))?;
        let approver = request
            .approvers
            .iter()
            .find(|owner| owner.email == claims.approver)
            .cloned()
            .ok_or(LinkError::NotApprover)?;

        // The approvers were copied when the request reached the customer. Someone removed
        // from the subscription since then, or a subscription that moved to another tenant,
        // no longer speaks for the customer.
        let subscription = self.subscriptions.get_subscription(&request.subscription_id).await?;
        let still_owner = subscription.as_ref().is_some_and(|subscription| {
            subscription.tenant_id == request.tenant_id
                && subscription.owners.iter().any(|owner| owner.email == claims.approver)
        });
        if !still_owner {
            return Err(LinkError::NoLongerOwner.into());
        }
        Ok(ApproverContext {
            request,
            approver,
            token: token.to_owned(),
        })
    }

    /// Lists the pending requests of the subscription the link's request belongs to, for which
    /// the link's approver is a designated approver, each with its own link.
    pub async fn pending(&self, token: &str) -> Result<(Owner, Vec<PendingEntry>), ApproverError> {
        let claims = self.verify(token).await?;
        let context = self.open_verified(&claims, token).await?;
        let key = self.keys.current().await?;
        let now = self.clock.now();
        let pending = self
            .requests
            .pending_for_subscription(&context.request.subscription_id)
            .await?;
        let entries = pending
            .into_iter()
            .filter(|request| {
                request.status_at(now) == Status::CustomerNotified && request.is_approver(&claims.approver)
            })
            .map(|request| {
                let token = ApprovalToken {
                    request_id: request.request_id,
                    approver: claims.approver.clone(),
                    expires_at: request.links_expire_at(),
                }
                .sign(&key);
                PendingEntry { request, token }
            })
            .collect();
        Ok((context.approver, entries))
    }

    /// Approves or denies a request on behalf of the link's approver.
    pub async fn decide(
        &self,
        id: RequestId,
        token: &str,
        decision: Decision,
    ) -> Result<ApproverContext, ApproverError> {
        let context = self.open(id, token).await?;
        let transition = context
            .request
            .decide(&context.approver.email, decision, self.clock.now())
            .map_err(rejected_transition)?;
        self.requests.apply(&transition).await?;
        tracing::info!(request_id = %id, status = %transition.request.status, "customer decision recorded");
        publish_logged(self.bus.as_ref(), &event_for(&transition)).await;
        Ok(ApproverContext {
            request: transition.request,
            ..context
        })
    }

    /// Ends approved access early on behalf of the link's approver.
    pub async fn revoke(&self, id: RequestId, token: &str) -> Result<ApproverContext, ApproverError> {
        let context = self.open(id, token).await?;
        let reason = Some(format!("revoked by {}", context.approver.email));
        let transition = context
            .request
            .revoke(&context.approver.email, reason, self.clock.now())
            .map_err(rejected_transition)?;
        self.requests.apply(&transition).await?;
        tracing::info!(request_id = %id, "access revoked");
        publish_logged(self.bus.as_ref(), &event_for(&transition)).await;
        Ok(ApproverContext {
            request: transition.request,
            ..context
        })
    }

    /// Records an internal approver's decision on a request that the JIT policy held back.
    pub async fn decide_internally(
        &self,
        caller: &Caller,
        id: RequestId,
        approve: bool,
        reason: Option<String>,
    ) -> Result<AccessRequest, AppError> {
        let request = self
            .requests
            .get_request(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("request {id} was not found")))?;
        let subscription = self.subscriptions.get_subscription(&request.subscription_id).await?;
        let transition = request.decide_internally(caller, approve, reason, subscription.as_ref(), self.clock.now())?;
        self.requests.apply(&transition).await?;
        tracing::info!(request_id = %id, status = %transition.request.status, "internal decision recorded");
        publish_logged(self.bus.as_ref(), &event_for(&transition)).await;
        Ok(transition.request)
    }
}
