//! The `audit-query` function: reads the audit log with the customer's filters.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};

use crate::domain::audit::Operation;
use crate::domain::identity::{Caller, Role};
use crate::domain::ids::{InvalidField, RequestId, SubscriptionId};
use crate::ports::{AuditFilter, AuditLog, AuditPage, Clock, PortError};

use super::AppError;

pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 100;
/// How far back a query with no request, subscription or operation filter reads when `from`
/// is not given, since such a query reads one index partition per month.
pub const DEFAULT_WINDOW: TimeDelta = TimeDelta::days(90);
/// The maximum span of such a query.
pub const MAX_WINDOW: TimeDelta = TimeDelta::days(3 * 366);

/// Query parameters as they arrive, before validation.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAuditQuery {
    pub operation: Option<String>,
    pub subscription_id: Option<String>,
    pub request_id: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub limit: Option<String>,
    pub next_token: Option<String>,
}

pub struct AuditReader {
    pub log: Arc<dyn AuditLog>,
    pub clock: Arc<dyn Clock>,
}

fn parse_time(field: &'static str, raw: &str) -> Result<DateTime<Utc>, InvalidField> {
    DateTime::parse_from_rfc3339(raw)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|_| {
            // A `+` in a query string decodes to a space, so `+02:00` arrives as ` 02:00`.
            let hint = if raw.contains(' ') {
                "; write a + offset as %2B"
            } else {
                ""
            };
            InvalidField::new(
                field,
                format!("`{raw}` is not an RFC 3339 time such as 2026-12-04T10:00:00Z{hint}"),
            )
        })
}

impl AuditReader {
    /// Validates the parameters and reads one page.
    pub async fn query(&self, caller: &Caller, raw: RawAuditQuery) -> Result<AuditPage, AppError> {
        if !caller.has_role(Role::Auditor) {
            return Err(AppError::Forbidden("this route requires the role auditor".into()));
        }
        let filter = self.filter(caller, &raw)?;
        match self.log.query(&filter, raw.next_token.as_deref()).await {
            Err(PortError::InvalidPageToken) => {
                Err(InvalidField::new("next_token", "is not a token this service issued").into())
            }
            other => Ok(other?),
        }
    }

    fn filter(&self, caller: &Caller, raw: &RawAuditQuery) -> Result<AuditFilter, InvalidField> {
        let operation = raw
            .operation
            .as_deref()
            .map(|name| {
                name.parse::<Operation>()
                    .map_err(|message| InvalidField::new("operation", message))
            })
            .transpose()?;
        let subscription_id = raw.subscription_id.as_deref().map(SubscriptionId::parse).transpose()?;
        let request_id = raw.request_id.as_deref().map(RequestId::parse).transpose()?;
        let limit = match raw.limit.as_deref() {
            None => DEFAULT_LIMIT,
            Some(text) => match text.parse::<usize>() {
                Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => limit,
                _ => {
                    return Err(InvalidField::new(
                        "limit",
                        format!("`{text}` is not a whole number from 1 to {MAX_LIMIT}"),
                    ))
                }
            },
        };

        let to = raw
            .to
            .as_deref()
            .map(|text| parse_time("to", text))
            .transpose()?
            .unwrap_or_else(|| self.clock.now());
        let keyed = operation.is_some() || subscription_id.is_some() || request_id.is_some();
        let from = match raw.from.as_deref() {
            Some(text) => parse_time("from", text)?,
            None if keyed => DateTime::UNIX_EPOCH,
            None => to - DEFAULT_WINDOW,
        };
        if from > to {
            return Err(InvalidField::new("from", "must not be after `to`"));
        }
        if !keyed && to - from > MAX_WINDOW {
            return Err(InvalidField::new(
                "from",
                "spans more than three years; narrow the range or filter by operation, subscription_id or request_id",
            ));
        }
        Ok(AuditFilter {
            operation,
            subscription_id,
            request_id,
            tenant_id: caller.tenant.clone(),
            from,
            to,
            limit,
        })
    }
}
