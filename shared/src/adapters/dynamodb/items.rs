//! Conversion between domain values and DynamoDB items.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, TimeDelta, Utc};

use super::keys::*;
use crate::domain::audit::AuditEntry;
use crate::domain::request::{AccessRequest, Status};
use crate::domain::subscription::Subscription;
use crate::ports::{PortError, PortResult};

pub type Item = HashMap<String, AttributeValue>;

fn string(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn number(value: i64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn encode<T: serde::Serialize>(value: &T, context: &'static str) -> PortResult<Item> {
    serde_dynamo::to_item(value).map_err(|error| PortError::service(context, error))
}

pub fn decode<T: serde::de::DeserializeOwned>(item: Item, context: &'static str) -> PortResult<T> {
    serde_dynamo::from_item(item).map_err(|error| PortError::service(context, error))
}

/// Builds a request's item, with the index attributes its state calls for and its TTL.
pub fn request_item(request: &AccessRequest, retention: TimeDelta) -> PortResult<Item> {
    let mut item = encode(request, "encoding a request")?;
    item.insert(PK.into(), string(request_pk(request.request_id)));
    item.insert(SK.into(), string(REQUEST_SK));
    item.insert(TTL.into(), number(request.purge_at(retention).timestamp()));
    if request.status == Status::CustomerNotified {
        item.insert(GSI1_PK.into(), string(subscription_pk(&request.subscription_id)));
        item.insert(
            GSI1_SK.into(),
            string(pending_sk(request.created_at, request.request_id)),
        );
    }
    if let Some(due) = request.due_at() {
        item.insert(DUE_PK.into(), string(DUE_PARTITION));
        item.insert(DUE_AT.into(), number(due.timestamp_millis()));
    }
    Ok(item)
}

pub fn subscription_item(subscription: &Subscription) -> PortResult<Item> {
    let mut item = encode(subscription, "encoding a subscription")?;
    item.insert(PK.into(), string(subscription_pk(&subscription.subscription_id)));
    item.insert(SK.into(), string(SUBSCRIPTION_SK));
    Ok(item)
}

/// Builds an audit entry's item, filed under its request (or its subscription when it has no
/// request) and in the subscription, operation and month indexes. Audit items have no TTL.
pub fn audit_item(entry: &AuditEntry) -> PortResult<Item> {
    let mut item = encode(entry, "encoding an audit entry")?;
    let position = audit_position(entry.at, &entry.entry_id);
    let pk = match entry.request_id {
        Some(id) => request_pk(id),
        None => subscription_pk(&entry.subscription_id),
    };
    item.insert(PK.into(), string(pk));
    item.insert(SK.into(), string(format!("{AUDIT_PREFIX}{position}")));
    item.insert(GSI1_PK.into(), string(subscription_pk(&entry.subscription_id)));
    item.insert(GSI1_SK.into(), string(format!("{AUDIT_PREFIX}{position}")));
    item.insert(GSI2_PK.into(), string(operation_pk(entry.operation)));
    item.insert(GSI2_SK.into(), string(position.clone()));
    item.insert(GSI3_PK.into(), string(month_pk(entry.at)));
    item.insert(GSI3_SK.into(), string(position));
    Ok(item)
}

/// Attribute names and values of a delivery record.
pub mod delivery {
    pub const STATE: &str = "delivery_state";
    pub const CLAIMED_AT: &str = "claimed_at";
    pub const MESSAGE_ID: &str = "message_id";
    pub const CLAIMED: &str = "claimed";
    pub const SENT: &str = "sent";
}

pub fn delivery_claim_item(pk: String, key: &str, now: DateTime<Utc>, purge_at: DateTime<Utc>) -> Item {
    HashMap::from([
        (PK.to_owned(), string(pk)),
        (SK.to_owned(), string(delivery_sk(key))),
        (delivery::STATE.to_owned(), string(delivery::CLAIMED)),
        (delivery::CLAIMED_AT.to_owned(), number(now.timestamp_millis())),
        (TTL.to_owned(), number(purge_at.timestamp())),
    ])
}
