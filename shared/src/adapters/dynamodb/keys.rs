//! The table's key layout. One table stores every kind of item:
//!
//! | item | `pk` | `sk` |
//! | --- | --- | --- |
//! | request | `REQUEST#<id>` | `REQUEST` |
//! | subscription | `SUBSCRIPTION#<id>` | `SUBSCRIPTION` |
//! | audit entry | the request's or subscription's `pk` | `AUDIT#<at>#<entry id>` |
//! | mail delivery | the request's `pk` | `DELIVERY#<key>` |
//!
//! Global secondary indexes, all projecting every attribute:
//!
//! | index | partition key | sort key | items |
//! | --- | --- | --- | --- |
//! | `by-subscription` | `gsi1pk` = `SUBSCRIPTION#<id>` | `gsi1sk` = `AUDIT#<at>#<entry id>` or `PENDING#<created at>#<request id>` | audit entries; requests while they wait for the customer |
//! | `by-operation` | `gsi2pk` = `OPERATION#<name>` | `gsi2sk` = `<at>#<entry id>` | audit entries |
//! | `by-month` | `gsi3pk` = `MONTH#<yyyy-mm>` | `gsi3sk` = `<at>#<entry id>` | audit entries |
//! | `by-due` | `due_pk` = `DUE` | `due_at` (Number, epoch milliseconds) | requests while pending or approved |
//!
//! `by-subscription` (pending part) and `by-due` are sparse: a request carries their attributes
//! only while it is in a state they list, so queries on them never read finished requests.
//! Times in sort keys are fixed-width RFC 3339 strings in UTC, which sort as the times do.

use chrono::{DateTime, Utc};

use crate::domain::audit::Operation;
use crate::domain::ids::{RequestId, SubscriptionId};
use crate::domain::time::sortable;

pub const PK: &str = "pk";
pub const SK: &str = "sk";
/// The TTL attribute: a Number of epoch seconds after which DynamoDB may delete the item.
pub const TTL: &str = "ttl";

pub const INDEX_BY_SUBSCRIPTION: &str = "by-subscription";
pub const INDEX_BY_OPERATION: &str = "by-operation";
pub const INDEX_BY_MONTH: &str = "by-month";
pub const INDEX_BY_DUE: &str = "by-due";

pub const GSI1_PK: &str = "gsi1pk";
pub const GSI1_SK: &str = "gsi1sk";
pub const GSI2_PK: &str = "gsi2pk";
pub const GSI2_SK: &str = "gsi2sk";
pub const GSI3_PK: &str = "gsi3pk";
pub const GSI3_SK: &str = "gsi3sk";
pub const DUE_PK: &str = "due_pk";
pub const DUE_AT: &str = "due_at";

/// The single partition of the due-time index. One partition is enough for the expiry run's
/// volume; spreading it over shards is the fix if it ever becomes hot.
pub const DUE_PARTITION: &str = "DUE";

pub const REQUEST_SK: &str = "REQUEST";
pub const SUBSCRIPTION_SK: &str = "SUBSCRIPTION";
pub const AUDIT_PREFIX: &str = "AUDIT#";
pub const PENDING_PREFIX: &str = "PENDING#";
pub const DELIVERY_PREFIX: &str = "DELIVERY#";

pub fn request_pk(id: RequestId) -> String {
    format!("REQUEST#{id}")
}

pub fn subscription_pk(id: &SubscriptionId) -> String {
    format!("SUBSCRIPTION#{id}")
}

pub fn operation_pk(operation: Operation) -> String {
    format!("OPERATION#{}", operation.name())
}

pub fn month_pk(at: DateTime<Utc>) -> String {
    format!("MONTH#{}", at.format("%Y-%m"))
}

pub fn delivery_sk(key: &str) -> String {
    format!("{DELIVERY_PREFIX}{key}")
}

/// Builds the time-ordered part of an audit entry's sort keys.
pub fn audit_position(at: DateTime<Utc>, entry_id: &uuid::Uuid) -> String {
    format!("{}#{entry_id}", sortable(at))
}

pub fn pending_sk(created_at: DateTime<Utc>, id: RequestId) -> String {
    format!("{PENDING_PREFIX}{}#{id}", sortable(created_at))
}
