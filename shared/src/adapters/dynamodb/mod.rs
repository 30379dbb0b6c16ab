//! The DynamoDB store: requests, subscriptions, mail deliveries and the audit log in one table.
//! See [`keys`] for the layout.

mod audit_query;
mod items;
pub mod keys;

use async_trait::async_trait;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, TimeDelta, Utc};

use self::items::{audit_item, decode, delivery, delivery_claim_item, request_item, subscription_item, Item};
use self::keys::*;
use crate::domain::audit::AuditEntry;
use crate::domain::ids::{RequestId, SubscriptionId};
use crate::domain::request::{AccessRequest, Transition};
use crate::domain::subscription::Subscription;
use crate::ports::{DeliveryLedger, PortError, PortResult, RequestStore, SubscriptionStore};

/// A delivery claim older than this is taken to belong to a run that died before sending, and
/// may be claimed again.
const STALE_CLAIM: TimeDelta = TimeDelta::minutes(10);

/// Upper bound on the pending requests listed for one subscription.
const MAX_PENDING_LISTED: usize = 500;

#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
    /// How long a finished request's item is kept before TTL may delete it.
    retention: TimeDelta,
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>, retention: TimeDelta) -> Self {
        Self {
            client,
            table: table.into(),
            retention,
        }
    }

    pub fn from_config(config: &aws_config::SdkConfig, table: impl Into<String>, retention: TimeDelta) -> Self {
        Self::new(Client::new(config), table, retention)
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    fn put(&self, item: Item, condition: Option<&str>) -> PortResult<TransactWriteItem> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .set_condition_expression(condition.map(str::to_owned))
            .build()
            .map_err(|error| PortError::service("building a transaction", error))?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// Builds the puts of `entries`; an audit entry is written once and never overwritten.
    fn audit_puts(&self, entries: &[&AuditEntry]) -> PortResult<Vec<TransactWriteItem>> {
        entries
            .iter()
            .map(|entry| self.put(audit_item(entry)?, Some("attribute_not_exists(pk)")))
            .collect()
    }

    async fn transact(&self, items: Vec<TransactWriteItem>, context: &'static str) -> PortResult<()> {
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(error) if is_condition_failure(&error) => Err(PortError::Conflict),
            Err(error) => Err(PortError::service(context, aws_sdk_dynamodb::Error::from(error))),
        }
    }

    async fn get_item(&self, pk: String, sk: &str, context: &'static str) -> PortResult<Option<Item>> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PK, AttributeValue::S(pk))
            .key(SK, AttributeValue::S(sk.to_owned()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|error| PortError::service(context, aws_sdk_dynamodb::Error::from(error)))?;
        Ok(output.item)
    }
}

/// Returns whether a transaction was cancelled because one of its conditions failed.
fn is_condition_failure(error: &SdkError<TransactWriteItemsError>) -> bool {
    match error.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => cancelled
            .cancellation_reasons()
            .iter()
            .any(|reason| reason.code() == Some("ConditionalCheckFailed")),
        _ => false,
    }
}

#[async_trait]
impl SubscriptionStore for DynamoStore {
    async fn put_subscription(&self, subscription: &Subscription, audit: &AuditEntry) -> PortResult<()> {
        let mut items = vec![self.put(subscription_item(subscription)?, None)?];
        items.extend(self.audit_puts(&[audit])?);
        self.transact(items, "DynamoDB TransactWriteItems (subscription)").await
    }

    async fn get_subscription(&self, id: &SubscriptionId) -> PortResult<Option<Subscription>> {
        let item = self
            .get_item(subscription_pk(id), SUBSCRIPTION_SK, "DynamoDB GetItem (subscription)")
            .await?;
        item.map(|item| decode(item, "decoding a subscription")).transpose()
    }
}

#[async_trait]
impl RequestStore for DynamoStore {
    async fn create_request(&self, request: &AccessRequest, audit: &AuditEntry) -> PortResult<()> {
        let mut items = vec![self.put(request_item(request, self.retention)?, Some("attribute_not_exists(pk)"))?];
        items.extend(self.audit_puts(&[audit])?);
        self.transact(items, "DynamoDB TransactWriteItems (new request)").await
    }

    async fn get_request(&self, id: RequestId) -> PortResult<Option<AccessRequest>> {
        let item = self
            .get_item(request_pk(id), REQUEST_SK, "DynamoDB GetItem (request)")
            .await?;
        item.map(|item| decode(item, "decoding a request")).transpose()
    }

    async fn apply(&self, transition: &Transition) -> PortResult<()> {
        let item = request_item(&transition.request, self.retention)?;
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("#status = :from_status AND #version = :from_version")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(
                ":from_status",
                AttributeValue::S(transition.from_status.as_str().to_owned()),
            )
            .expression_attribute_values(":from_version", AttributeValue::N(transition.from_version.to_string()))
            .build()
            .map_err(|error| PortError::service("building a transaction", error))?;
        let mut items = vec![TransactWriteItem::builder().put(put).build()];
        let entries: Vec<&AuditEntry> = transition.audit.iter().collect();
        items.extend(self.audit_puts(&entries)?);
        self.transact(items, "DynamoDB TransactWriteItems (transition)").await
    }

    async fn pending_for_subscription(&self, id: &SubscriptionId) -> PortResult<Vec<AccessRequest>> {
        let mut pages = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(INDEX_BY_SUBSCRIPTION)
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .expression_attribute_names("#pk", GSI1_PK)
            .expression_attribute_names("#sk", GSI1_SK)
            .expression_attribute_values(":pk", AttributeValue::S(subscription_pk(id)))
            .expression_attribute_values(":prefix", AttributeValue::S(PENDING_PREFIX.to_owned()))
            .into_paginator()
            .items()
            .send();
        let mut requests = Vec::new();
        while let Some(item) = pages.next().await {
            let item = item.map_err(|error| {
                PortError::service(
                    "DynamoDB Query (pending requests)",
                    aws_sdk_dynamodb::Error::from(error),
                )
            })?;
            requests.push(decode(item, "decoding a request")?);
            if requests.len() >= MAX_PENDING_LISTED {
                break;
            }
        }
        Ok(requests)
    }

    async fn due_requests(&self, now: DateTime<Utc>, limit: usize) -> PortResult<Vec<AccessRequest>> {
        let mut pages = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(INDEX_BY_DUE)
            .key_condition_expression("#pk = :pk AND #due <= :now")
            .expression_attribute_names("#pk", DUE_PK)
            .expression_attribute_names("#due", DUE_AT)
            .expression_attribute_values(":pk", AttributeValue::S(DUE_PARTITION.to_owned()))
            .expression_attribute_values(":now", AttributeValue::N(now.timestamp_millis().to_string()))
            .into_paginator()
            .items()
            .send();
        let mut requests = Vec::new();
        while requests.len() < limit {
            let Some(item) = pages.next().await else { break };
            let item = item.map_err(|error| {
                PortError::service("DynamoDB Query (due requests)", aws_sdk_dynamodb::Error::from(error))
            })?;
            requests.push(decode(item, "decoding a request")?);
        }
        Ok(requests)
    }
}

#[async_trait]
impl DeliveryLedger for DynamoStore {
    async fn claim_delivery(&self, request: RequestId, key: &str, now: DateTime<Utc>) -> PortResult<bool> {
        let item = delivery_claim_item(request_pk(request), key, now, now + self.retention);
        let stale_before = (now - STALE_CLAIM).timestamp_millis();
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk) OR (#state = :claimed AND #claimed_at < :stale_before)")
            .expression_attribute_names("#state", delivery::STATE)
            .expression_attribute_names("#claimed_at", delivery::CLAIMED_AT)
            .expression_attribute_values(":claimed", AttributeValue::S(delivery::CLAIMED.to_owned()))
            .expression_attribute_values(":stale_before", AttributeValue::N(stale_before.to_string()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(false)
            }
            Err(error) => Err(PortError::service(
                "DynamoDB PutItem (delivery claim)",
                aws_sdk_dynamodb::Error::from(error),
            )),
        }
    }

    async fn complete_delivery(
        &self,
        request: RequestId,
        key: &str,
        message_id: &str,
        audit: &AuditEntry,
    ) -> PortResult<()> {
        let update = Update::builder()
            .table_name(&self.table)
            .key(PK, AttributeValue::S(request_pk(request)))
            .key(SK, AttributeValue::S(delivery_sk(key)))
            .update_expression("SET #state = :sent, #message_id = :message_id")
            .condition_expression("#state = :claimed")
            .expression_attribute_names("#state", delivery::STATE)
            .expression_attribute_names("#message_id", delivery::MESSAGE_ID)
            .expression_attribute_values(":sent", AttributeValue::S(delivery::SENT.to_owned()))
            .expression_attribute_values(":claimed", AttributeValue::S(delivery::CLAIMED.to_owned()))
            .expression_attribute_values(":message_id", AttributeValue::S(message_id.to_owned()))
            .build()
            .map_err(|error| PortError::service("building a transaction", error))?;
        let mut items = vec![TransactWriteItem::builder().update(update).build()];
        items.extend(self.audit_puts(&[audit])?);
        self.transact(items, "DynamoDB TransactWriteItems (delivery)").await
    }

    async fn release_delivery(&self, request: RequestId, key: &str) -> PortResult<()> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key(PK, AttributeValue::S(request_pk(request)))
            .key(SK, AttributeValue::S(delivery_sk(key)))
            .condition_expression("#state = :claimed")
            .expression_attribute_names("#state", delivery::STATE)
            .expression_attribute_values(":claimed", AttributeValue::S(delivery::CLAIMED.to_owned()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(())
            }
            Err(error) => Err(PortError::service(
                "DynamoDB DeleteItem (delivery claim)",
                aws_sdk_dynamodb::Error::from(error),
            )),
        }
    }
}
