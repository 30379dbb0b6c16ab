//! Routes of the `audit-query` function.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use super::caller::Authenticated;
use super::error::ApiError;
use crate::app::audit::{AuditReader, RawAuditQuery};
use crate::domain::ids::InvalidField;

pub fn router(reader: Arc<AuditReader>) -> Router {
    Router::new().route("/audit", get(query)).with_state(reader)
}

async fn query(
    State(reader): State<Arc<AuditReader>>,
    Authenticated(caller): Authenticated,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let raw: RawAuditQuery = serde_urlencoded::from_str(query.as_deref().unwrap_or_default())
        .map_err(|error| InvalidField::new("query", format!("the query string is invalid: {error}")))?;
    let page = reader.query(&caller, raw).await?;
    let entries: Vec<_> = page
        .entries
        .iter()
        .map(|entry| {
            json!({
                "entry_id": entry.entry_id,
                "operation": entry.operation.name(),
                "request_id": entry.request_id,
                "subscription_id": entry.subscription_id,
                "tenant_id": entry.tenant_id,
                "actor": entry.actor,
                "at": entry.at,
                "details": entry.details,
            })
        })
        .collect();
    Ok(Json(json!({ "entries": entries, "next_token": page.next_token })).into_response())
}
