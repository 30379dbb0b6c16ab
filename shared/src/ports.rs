//! The narrow traits the use cases call. Each AWS service sits behind one of them, so a
//! function's IAM policy can name only what it uses, and tests can supply their own.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::audit::{AuditEntry, Operation};
use crate::domain::events::StatusChanged;
use crate::domain::ids::{Email, RequestId, SubscriptionId, TenantId};
use crate::domain::request::{AccessRequest, Transition};
use crate::domain::subscription::Subscription;
use crate::domain::token::TokenKey;

/// A failure of a backing service, with the cause kept for the log.
#[derive(Debug, thiserror::Error)]
pub enum PortError {
    /// A conditional write found the item changed since it was read.
    #[error("the item changed since it was read")]
    Conflict,
    /// A page token that this store did not issue.
    #[error("the page token is invalid")]
    InvalidPageToken,
    #[error("{context}: {source}")]
    Service {
        context: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl PortError {
    pub fn service(context: &'static str, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        PortError::Service {
            context,
            source: source.into(),
        }
    }
}

pub type PortResult<T> = Result<T, PortError>;

/// Source of the current time, so that tests can fix it.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Subscriptions and their owners.
#[async_trait]
pub trait SubscriptionStore: Send + Sync {
    /// Creates or replaces a subscription, together with its audit entry.
    async fn put_subscription(&self, subscription: &Subscription, audit: &AuditEntry) -> PortResult<()>;
    async fn get_subscription(&self, id: &SubscriptionId) -> PortResult<Option<Subscription>>;
}

/// Lockbox requests and their transitions.
#[async_trait]
pub trait RequestStore: Send + Sync {
    /// Stores a new request together with its audit entry.
    async fn create_request(&self, request: &AccessRequest, audit: &AuditEntry) -> PortResult<()>;
    async fn get_request(&self, id: RequestId) -> PortResult<Option<AccessRequest>>;
    /// Applies a transition as one transaction: the request is written only if it still has
    /// the transition's starting status and version, and the audit entries are written with it.
    /// Returns [`PortError::Conflict`] when the request changed in between.
    async fn apply(&self, transition: &Transition) -> PortResult<()>;
    /// Lists the subscription's requests that wait for a customer decision, oldest first.
    async fn pending_for_subscription(&self, id: &SubscriptionId) -> PortResult<Vec<AccessRequest>>;
    /// Lists up to `limit` requests whose due time (expiry or end of access) is at or before
    /// `now`, from the sparse due-time index.
    async fn due_requests(&self, now: DateTime<Utc>, limit: usize) -> PortResult<Vec<AccessRequest>>;
}

/// A record of mail already sent, so that a redelivered event sends no second copy.
#[async_trait]
pub trait DeliveryLedger: Send + Sync {
    /// Claims the delivery `key` of `request`. Returns `Ok(false)` when a delivery with that key
    /// was already claimed and is not stale.
    async fn claim_delivery(&self, request: RequestId, key: &str, now: DateTime<Utc>) -> PortResult<bool>;
    /// Marks a claimed delivery as done, with its audit entry, in one transaction.
    async fn complete_delivery(
        &self,
        request: RequestId,
        key: &str,
        message_id: &str,
        audit: &AuditEntry,
    ) -> PortResult<()>;
    /// Drops a claim whose mail could not be sent, so that a retry can claim it again.
    async fn release_delivery(&self, request: RequestId, key: &str) -> PortResult<()>;
}

/// Filters of an audit log query. At least one of `request_id`, `subscription_id` and
/// `operation` narrows the query to one index partition; without them, month partitions
/// between `from` and `to` are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFilter {
    pub operation: Option<Operation>,
    pub subscription_id: Option<SubscriptionId>,
    pub request_id: Option<RequestId>,
    /// Only entries of this tenant, for customer-side auditors.
    pub tenant_id: Option<TenantId>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub limit: usize,
}

/// One page of audit entries, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Opaque position of the next page, if there is one.
    pub next_token: Option<String>,
}

#[async_trait]
pub trait AuditLog: Send + Sync {
    /// Reads one page of entries matching `filter`, starting after `page_token`.
    /// A `page_token` this store did not issue is [`PortError::InvalidPageToken`].
    async fn query(&self, filter: &AuditFilter, page_token: Option<&str>) -> PortResult<AuditPage>;
}

/// A mail ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    pub to: Email,
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[async_trait]
pub trait Mailer: Send + Sync {
    /// Sends `mail` and returns the provider's message id.
    async fn send(&self, mail: &OutgoingMail) -> PortResult<String>;
}

#[async_trait]
pub trait EventBus: Send + Sync {
    async fn publish(&self, event: &StatusChanged) -> PortResult<()>;
}

/// Every port the DynamoDB adapter fills, for functions that need several of them.
/// The key that signs and checks approver links.
#[async_trait]
pub trait TokenKeys: Send + Sync {
    /// Returns the current key. A source that fetches it may fail, and the caller then returns
    /// a service error and changes nothing.
    async fn current(&self) -> PortResult<TokenKey>;
}

/// A key given in configuration, as local runs and tests use.
#[async_trait]
impl TokenKeys for TokenKey {
    async fn current(&self) -> PortResult<TokenKey> {
        Ok(self.clone())
    }
}

pub trait Store: SubscriptionStore + RequestStore + DeliveryLedger + AuditLog {}

impl<T: SubscriptionStore + RequestStore + DeliveryLedger + AuditLog> Store for T {}
