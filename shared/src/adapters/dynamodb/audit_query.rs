//! Audit log queries. Each filter combination reads one index partition (or a run of month
//! partitions), newest first; the remaining filters become a filter expression.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::items::decode;
use super::keys::*;
use super::DynamoStore;
use crate::domain::time::sortable;
use crate::ports::{AuditFilter, AuditLog, AuditPage, PortError, PortResult};

/// Start position of the next page: the month partition being read (for month queries) and the
/// last key DynamoDB returned.
#[derive(Debug, Serialize, Deserialize)]
struct PagePosition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    month: Option<String>,
    key: BTreeMap<String, String>,
}

fn encode_position(position: &PagePosition) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(position).unwrap_or_default())
}

fn decode_position(token: &str) -> PortResult<PagePosition> {
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| PortError::InvalidPageToken)?;
    serde_json::from_slice(&bytes).map_err(|_| PortError::InvalidPageToken)
}

/// Lists the month partitions from `to`'s month back to `from`'s, newest first.
fn months_between(from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<String> {
    let mut months = Vec::new();
    let first = NaiveDate::from_ymd_opt(from.year(), from.month(), 1);
    let mut cursor = NaiveDate::from_ymd_opt(to.year(), to.month(), 1);
    while let (Some(month), Some(first)) = (cursor, first) {
        if month < first {
            break;
        }
        months.push(format!("MONTH#{}", month.format("%Y-%m")));
        cursor = month.checked_sub_months(chrono::Months::new(1));
    }
    months
}

/// One index partition to read, with the sort key bounds of the time range.
struct Partition {
    index: Option<&'static str>,
    pk_name: &'static str,
    sk_name: &'static str,
    pk: String,
    low: String,
    high: String,
}

impl Partition {
    fn new(
        index: Option<&'static str>,
        names: (&'static str, &'static str),
        pk: String,
        prefix: &str,
        filter: &AuditFilter,
    ) -> Self {
        Self {
            index,
            pk_name: names.0,
            sk_name: names.1,
            pk,
            low: format!("{prefix}{}", sortable(filter.from)),
            // `~` sorts after `#`, so entries at exactly `to` are included.
            high: format!("{prefix}{}~", sortable(filter.to)),
        }
    }
}

/// Checks that a page position's key is one this query could have returned: exactly the key
/// attributes of the table and the index, in the partition being read, with a sort key in the
/// time range. DynamoDB would reject other keys with an unhelpful validation error.
fn check_start_key(key: &BTreeMap<String, String>, partition: &Partition) -> PortResult<()> {
    if key.is_empty() {
        return Ok(());
    }
    let expected: BTreeSet<&str> = [PK, SK, partition.pk_name, partition.sk_name].into_iter().collect();
    let names: BTreeSet<&str> = key.keys().map(String::as_str).collect();
    let in_partition = key.get(partition.pk_name) == Some(&partition.pk);
    let in_range = key
        .get(partition.sk_name)
        .is_some_and(|sort| partition.low <= *sort && *sort <= partition.high);
    let is_audit_entry = key.get(SK).is_some_and(|sort| sort.starts_with(AUDIT_PREFIX));
    if names == expected && in_partition && in_range && is_audit_entry {
        Ok(())
    } else {
        Err(PortError::InvalidPageToken)
    }
}

#[async_trait]
impl AuditLog for DynamoStore {
    async fn query(&self, filter: &AuditFilter, page_token: Option<&str>) -> PortResult<AuditPage> {
        let position = page_token.map(decode_position).transpose()?;

        // Pick the narrowest partition the filters allow; the other filters go into the
        // filter expression.
        let mut conditions = Vec::new();
        let mut values: HashMap<String, AttributeValue> = HashMap::new();
        let mut months = Vec::new();
        let partition = if let Some(request_id) = filter.request_id {
            Partition::new(None, (PK, SK), request_pk(request_id), AUDIT_PREFIX, filter)
        } else if let Some(subscription_id) = &filter.subscription_id {
            Partition::new(
                Some(INDEX_BY_SUBSCRIPTION),
                (GSI1_PK, GSI1_SK),
                subscription_pk(subscription_id),
                AUDIT_PREFIX,
                filter,
            )
        } else if let Some(operation) = filter.operation {
            Partition::new(
                Some(INDEX_BY_OPERATION),
                (GSI2_PK, GSI2_SK),
                operation_pk(operation),
                "",
                filter,
            )
        } else {
            months = months_between(filter.from, filter.to);
            let start = match position.as_ref().and_then(|p| p.month.clone()) {
                Some(month) if months.contains(&month) => month,
                Some(_) => return Err(PortError::InvalidPageToken),
                None => months.first().cloned().unwrap_or_default(),
            };
            Partition::new(Some(INDEX_BY_MONTH), (GSI3_PK, GSI3_SK), start, "", filter)
        };
        if filter.request_id.is_some() {
            if let Some(subscription_id) = &filter.subscription_id {
                conditions.push("subscription_id = :subscription_id");
                values.insert(
                    ":subscription_id".into(),
                    AttributeValue::S(subscription_id.to_string()),
                );
            }
        }
        if let Some(operation) = filter.operation {
            if filter.request_id.is_some() || filter.subscription_id.is_some() {
                conditions.push("#operation = :operation");
                values.insert(":operation".into(), AttributeValue::S(operation.name().to_owned()));
            }
        }
        if let Some(tenant_id) = &filter.tenant_id {
            conditions.push("tenant_id = :tenant_id");
            values.insert(":tenant_id".into(), AttributeValue::S(tenant_id.to_string()));
        }

        if let Some(position) = &position {
            check_start_key(&position.key, &partition)?;
        }
        let mut pk = partition.pk.clone();
        let mut start_key: Option<HashMap<String, AttributeValue>> = position
            .map(|p| {
                p.key
                    .into_iter()
                    .map(|(name, value)| (name, AttributeValue::S(value)))
                    .collect::<HashMap<_, _>>()
            })
            .filter(|key| !key.is_empty());
        let mut entries = Vec::new();
        loop {
            let remaining = filter.limit - entries.len();
            let mut query = self
                .client
                .query()
                .table_name(&self.table)
                .set_index_name(partition.index.map(str::to_owned))
                .key_condition_expression("#pk = :pk AND #sk BETWEEN :low AND :high")
                .expression_attribute_names("#pk", partition.pk_name)
                .expression_attribute_names("#sk", partition.sk_name)
                .expression_attribute_values(":pk", AttributeValue::S(pk.clone()))
                .expression_attribute_values(":low", AttributeValue::S(partition.low.clone()))
                .expression_attribute_values(":high", AttributeValue::S(partition.high.clone()))
                .scan_index_forward(false)
                .limit(i32::try_from(remaining).unwrap_or(i32::MAX))
                .set_exclusive_start_key(start_key.take());
            if !conditions.is_empty() {
                query = query.filter_expression(conditions.join(" AND "));
                for (name, value) in &values {
                    query = query.expression_attribute_values(name, value.clone());
                }
                if conditions.iter().any(|c| c.contains("#operation")) {
                    query = query.expression_attribute_names("#operation", "operation");
                }
            }
            let output = query.send().await.map_err(|error| {
                PortError::service("DynamoDB Query (audit log)", aws_sdk_dynamodb::Error::from(error))
            })?;
            for item in output.items.unwrap_or_default() {
                entries.push(decode(item, "decoding an audit entry")?);
            }

            let last_key = output.last_evaluated_key.filter(|key| !key.is_empty());
            if let Some(key) = last_key {
                if entries.len() >= filter.limit {
                    let key = key
                        .into_iter()
                        .filter_map(|(name, value)| value.as_s().ok().map(|s| (name, s.clone())))
                        .collect();
                    let month = (!months.is_empty()).then(|| pk.clone());
                    let token = encode_position(&PagePosition { month, key });
                    return Ok(AuditPage {
                        entries,
                        next_token: Some(token),
                    });
                }
                start_key = Some(key);
                continue;
            }

            // This partition is exhausted: move to the next month, if reading months.
            let next_month = months
                .iter()
                .position(|month| month == &pk)
                .and_then(|i| months.get(i + 1))
                .cloned();
            match next_month {
                Some(month) if entries.len() < filter.limit => pk = month,
                Some(month) => {
                    let token = encode_position(&PagePosition {
                        month: Some(month),
                        key: BTreeMap::new(),
                    });
                    return Ok(AuditPage {
                        entries,
                        next_token: Some(token),
                    });
                }
                None => {
                    return Ok(AuditPage {
                        entries,
                        next_token: None,
                    })
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn months_run_newest_first() {
        let from = Utc.with_ymd_and_hms(2026, 11, 15, 0, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2027, 1, 2, 0, 0, 0).unwrap();
        assert_eq!(
            months_between(from, to),
            vec!["MONTH#2027-01", "MONTH#2026-12", "MONTH#2026-11"]
        );
    }

    #[test]
    fn page_token_rejects_garbage() {
        assert!(decode_position("!!!").is_err());
        assert!(decode_position(&URL_SAFE_NO_PAD.encode("[1,2]")).is_err());
    }
}
