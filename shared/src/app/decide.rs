//! The `decide` function: what designated approvers do through their mailed links, and what
//! internal approvers do through the API.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::domain::audit::Operation;
use crate::domain::form_nonce::{self, FormAction, NonceMatch};
use crate::domain::identity::Caller;
use crate::domain::ids::RequestId;
use crate::domain::request::{AccessRequest, Decision, Status, TransitionError};
use crate::domain::subscription::{Locale, Owner};
use crate::domain::token::{ApprovalToken, TokenError};
use crate::ports::{AuditFilter, AuditLog, Clock, EventBus, RequestStore, SubscriptionStore, TokenKeys};

use super::{event_for, publish_logged, AppError};

pub struct Decider {
    pub requests: Arc<dyn RequestStore>,
    pub subscriptions: Arc<dyn SubscriptionStore>,
    pub bus: Arc<dyn EventBus>,
    pub clock: Arc<dyn Clock>,
    /// The audit log, which the history tab of the lockbox page reads.
    pub audit: Arc<dyn AuditLog>,
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
    /// A page without the token, from a browser that has no link cookie for the request
    /// (it expired, or the browser refused it).
    #[error("the HTTP request has neither a link token nor a link cookie")]
    Missing,
}

/// The reason a posted approver form was rejected before anything was read or written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    #[error("the form has no nonce")]
    MissingNonce,
    #[error("the form's nonce was not issued for this request, approver and action")]
    InvalidNonce,
    #[error("the form was posted from another origin")]
    CrossOrigin,
}

/// An approver's error: a rejected link or form, a request that can no longer change, or
/// anything else the use case can return.
#[derive(Debug, thiserror::Error)]
pub enum ApproverError {
    #[error(transparent)]
    Link(#[from] LinkError),
    #[error(transparent)]
    Form(#[from] FormError),
    /// The request is in a state that no approver action can change (decided, expired,
    /// cancelled, ended), or not yet in one (waiting for internal approval). The locale is the
    /// approver's.
    #[error("the request is {0}, so the approver's action is not possible")]
    Closed(Status, Locale),
    /// The form's nonce belongs to an earlier version of the request: the form was already
    /// used, or the request changed after the page was loaded. The status is the current one.
    #[error("the form is out of date; the request is now {0}")]
    StaleForm(Status, Locale),
    #[error(transparent)]
    App(#[from] AppError),
}

/// Maps a rejected transition: a state that rules the action out becomes [`ApproverError::Closed`].
fn rejected_transition(error: TransitionError, locale: Locale) -> ApproverError {
    match error {
        TransitionError::WrongStatus { status, .. } => ApproverError::Closed(status, locale),
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
    /// When the link's token expires.
    pub link_expires_at: DateTime<Utc>,
}

/// The four operations the history tab of the lockbox page shows and filters by.
pub const HISTORY_OPERATIONS: [Operation; 4] = [
    Operation::CreateLockboxRequest,
    Operation::ApproveLockboxRequest,
    Operation::DenyLockboxRequest,
    Operation::LockboxRequestExpiry,
];

/// The maximum number of audit entries the history tab shows.
pub const HISTORY_LIMIT: usize = 50;

/// How far back the history tab reads the audit log, in days.
pub const HISTORY_DAYS: i64 = 90;

/// The maximum number of audit log pages of 100 entries that one view of the history tab reads.
const HISTORY_MAX_PAGES: usize = 5;

/// The maximum number of decided and expired requests the history tab lists.
pub const HISTORY_REQUESTS: usize = 20;

/// The audit operations that close a request the history tab lists: a decision or an expiry.
const OUTCOME_OPERATIONS: [Operation; 3] = [
    Operation::ApproveLockboxRequest,
    Operation::DenyLockboxRequest,
    Operation::LockboxRequestExpiry,
];

/// A decided or expired request listed in the history tab.
pub struct ClosedEntry {
    pub request: AccessRequest,
    /// When the decision or the expiry happened.
    pub closed_at: DateTime<Utc>,
    /// A fresh link token, when the link's approver is one of the request's approvers and the
    /// request's links have not expired, so that they can open it (and revoke approved access).
    pub token: Option<String>,
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
            link_expires_at: claims.expires_at,
        })
    }

    /// Opens the request a link names, whatever request the caller expected. The lockbox page
    /// uses it, because its link may belong to any request of the subscription.
    pub async fn open_any(&self, token: &str) -> Result<ApproverContext, ApproverError> {
        let claims = self.verify(token).await?;
        self.open_verified(&claims, token).await
    }

    /// Issues the nonce that the page's form for `action` carries.
    pub async fn issue_nonce(&self, context: &ApproverContext, action: FormAction) -> Result<String, ApproverError> {
        let key = self.keys.current().await?;
        let request = &context.request;
        Ok(form_nonce::issue(
            &key,
            action,
            request.request_id,
            &context.approver.email,
            request.version,
        ))
    }

    /// Checks a posted nonce against the request as just read. A nonce of an earlier version
    /// is [`ApproverError::StaleForm`]; the version-conditional write then makes sure that a
    /// nonce that passes here cannot be used for a second transition.
    async fn check_nonce(
        &self,
        context: &ApproverContext,
        nonce: Option<&str>,
        action: FormAction,
    ) -> Result<(), ApproverError> {
        let nonce = nonce.filter(|nonce| !nonce.is_empty()).ok_or(FormError::MissingNonce)?;
        let key = self.keys.current().await?;
        let request = &context.request;
        let approver = &context.approver;
        match form_nonce::check(
            &key,
            nonce,
            action,
            request.request_id,
            &approver.email,
            request.version,
        ) {
            NonceMatch::Current => Ok(()),
            // An expired request is reported as expired whether or not the expiry run stored it yet.
            NonceMatch::Stale => match request.status_at(self.clock.now()) {
                Status::Expired => Err(ApproverError::Closed(Status::Expired, approver.locale)),
                status => Err(ApproverError::StaleForm(status, approver.locale)),
            },
            NonceMatch::Invalid => Err(FormError::InvalidNonce.into()),
        }
    }

    /// Reads the subscription's audit entries of the four history operations, newest first,
    /// for the history tab. `operation` narrows them to one of the four.
    pub async fn history(
        &self,
        context: &ApproverContext,
        operation: Option<Operation>,
    ) -> Result<Vec<crate::domain::audit::AuditEntry>, ApproverError> {
        let now = self.clock.now();
        let filter = AuditFilter {
            operation,
            subscription_id: Some(context.request.subscription_id.clone()),
            request_id: None,
            tenant_id: Some(context.request.tenant_id.clone()),
            from: now - chrono::TimeDelta::days(HISTORY_DAYS),
            to: now,
            limit: 100,
        };
        let mut entries = Vec::new();
        let mut page_token = None;
        // The subscription's partition also contains mail and registration entries, so a page may
        // contain few history entries. Read on until the tab is full, the log ends or
        // HISTORY_MAX_PAGES pages were read.
        for _ in 0..HISTORY_MAX_PAGES {
            let page = self.audit.query(&filter, page_token.as_deref()).await?;
            entries.extend(
                page.entries
                    .into_iter()
                    .filter(|entry| HISTORY_OPERATIONS.contains(&entry.operation)),
            );
            page_token = page.next_token;
            if entries.len() >= HISTORY_LIMIT || page_token.is_none() {
                break;
            }
        }
        entries.truncate(HISTORY_LIMIT);
        Ok(entries)
    }

    /// Lists the requests of the link's subscription that were decided or expired in the history
    /// period, newest first, at most [`HISTORY_REQUESTS`]. It reads the history's audit entries,
    /// then each listed request with one GetItem.
    pub async fn closed_requests(&self, context: &ApproverContext) -> Result<Vec<ClosedEntry>, ApproverError> {
        let entries = self.history(context, None).await?;
        let key = self.keys.current().await?;
        let now = self.clock.now();
        let mut seen = std::collections::HashSet::new();
        let mut closed = Vec::new();
        for entry in entries {
            if !OUTCOME_OPERATIONS.contains(&entry.operation) {
                continue;
            }
            let Some(id) = entry.request_id else { continue };
            if !seen.insert(id) {
                continue;
            }
            let Some(request) = self.requests.get_request(id).await? else {
                continue;
            };
            let approver = &context.approver.email;
            let token = (request.is_approver(approver) && request.links_expire_at() > now).then(|| {
                ApprovalToken {
                    request_id: request.request_id,
                    approver: approver.clone(),
                    expires_at: request.links_expire_at(),
                }
                .sign(&key)
            });
            closed.push(ClosedEntry {
                request,
                closed_at: entry.at,
                token,
            });
            if closed.len() >= HISTORY_REQUESTS {
                break;
            }
        }
        Ok(closed)
    }

    /// Lists the pending requests of the subscription the link's request belongs to, for which
    /// the link's approver is a designated approver, newest first, each with its own link.
    pub async fn pending(&self, token: &str) -> Result<(ApproverContext, Vec<PendingEntry>), ApproverError> {
        let claims = self.verify(token).await?;
        let context = self.open_verified(&claims, token).await?;
        let key = self.keys.current().await?;
        let now = self.clock.now();
        let mut pending = self
            .requests
            .pending_for_subscription(&context.request.subscription_id)
            .await?;
        pending.sort_by_key(|request| std::cmp::Reverse(request.created_at));
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
        Ok((context, entries))
    }

    /// Approves or denies a request on behalf of the link's approver, if `nonce` is the one the
    /// request's page issued for its current version.
    pub async fn decide(
        &self,
        id: RequestId,
        token: &str,
        nonce: Option<&str>,
        decision: Decision,
        reason: Option<String>,
    ) -> Result<ApproverContext, ApproverError> {
        let context = self.open(id, token).await?;
        self.check_nonce(&context, nonce, FormAction::Decision).await?;
        let locale = context.approver.locale;
        let transition = context
            .request
            .decide(&context.approver.email, decision, reason, self.clock.now())
            .map_err(|error| rejected_transition(error, locale))?;
        self.requests.apply(&transition).await?;
        tracing::info!(request_id = %id, status = %transition.request.status, "customer decision recorded");
        publish_logged(self.bus.as_ref(), &event_for(&transition)).await;
        Ok(ApproverContext {
            request: transition.request,
            ..context
        })
    }

    /// Ends approved access early on behalf of the link's approver, if `nonce` is the one the
    /// request's page issued for its current version. Without a reason from the approver, the
    /// request's reason names who revoked.
    pub async fn revoke(
        &self,
        id: RequestId,
        token: &str,
        nonce: Option<&str>,
        reason: Option<String>,
    ) -> Result<ApproverContext, ApproverError> {
        let context = self.open(id, token).await?;
        self.check_nonce(&context, nonce, FormAction::Revoke).await?;
        let locale = context.approver.locale;
        let reason = reason.or_else(|| Some(format!("revoked by {}", context.approver.email)));
        let transition = context
            .request
            .revoke(&context.approver.email, reason, self.clock.now())
            .map_err(|error| rejected_transition(error, locale))?;
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
