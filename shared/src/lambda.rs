//! The glue between Lambda and the routers and handlers: what each function's `main` calls
//! after building its clients.

use std::future::Future;

use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use lambda_http::request::RequestContext;
use lambda_http::RequestExt;
use lambda_runtime::{service_fn, LambdaEvent};
use serde::Deserialize;

use crate::domain::events::StatusChanged;
use crate::http::caller::caller_from_claims;

pub use lambda_runtime::Error;

/// Serves `router` for API Gateway events (HTTP API payload 2.0 and REST API 1.0).
pub async fn serve_http(router: Router) -> Result<(), Error> {
    lambda_http::run(api_gateway_app(router)).await
}

/// Wraps `router` so that it serves requests built from API Gateway events: the caller comes
/// from the authorizer's claims, and a named stage (`/Prod/requests`) reaches the same route as
/// the `$default` stage (`/requests`). The wrapper runs before routing, so it can change the path.
pub fn api_gateway_app(router: Router) -> Router {
    let router = crate::http::with_json_fallbacks(router);
    Router::new().fallback_service(tower::Layer::layer(&middleware::from_fn(from_api_gateway), router))
}

async fn from_api_gateway(mut request: Request, next: Next) -> Response {
    if let Some(context) = request.request_context_ref() {
        let claims = authorizer_claims(context);
        let caller = caller_from_claims(|name| claims.get(name).cloned());
        let stage = match context {
            RequestContext::ApiGatewayV2(context) => context.stage.clone(),
            RequestContext::ApiGatewayV1(context) => context.stage.clone(),
            #[allow(unreachable_patterns)]
            _ => None,
        };
        if let Some(caller) = caller {
            request.extensions_mut().insert(caller);
        }
        if let Some(uri) = stage.and_then(|stage| without_stage(request.uri(), &stage)) {
            *request.uri_mut() = uri;
        }
    }
    next.run(request).await
}

/// Returns `uri` without a leading `/<stage>` segment, or `None` when it has none.
fn without_stage(uri: &axum::http::Uri, stage: &str) -> Option<axum::http::Uri> {
    if stage.is_empty() || stage == "$default" {
        return None;
    }
    let prefix = format!("/{stage}");
    let rest = uri.path().strip_prefix(&prefix)?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    let path = if rest.is_empty() { "/" } else { rest };
    let path_and_query = match uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_owned(),
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = path_and_query.parse().ok();
    axum::http::Uri::from_parts(parts).ok()
}

/// Collects the authorizer's claims as strings: JWT claims of an HTTP API, or the `claims`
/// object (Cognito) or flat context fields (Lambda authorizer) of a REST API.
fn authorizer_claims(context: &RequestContext) -> std::collections::HashMap<String, String> {
    fn text(value: &serde_json::Value) -> Option<String> {
        match value {
            serde_json::Value::String(text) => Some(text.clone()),
            serde_json::Value::Null => None,
            other => Some(other.to_string()),
        }
    }
    match context {
        RequestContext::ApiGatewayV2(context) => context
            .authorizer
            .as_ref()
            .and_then(|authorizer| authorizer.jwt.as_ref())
            .map(|jwt| jwt.claims.clone().into_iter().collect())
            .unwrap_or_default(),
        RequestContext::ApiGatewayV1(context) => {
            let fields = &context.authorizer.fields;
            match fields.get("claims").and_then(|claims| claims.as_object()) {
                Some(claims) => claims
                    .iter()
                    .filter_map(|(name, value)| Some((name.clone(), text(value)?)))
                    .collect(),
                None => fields
                    .iter()
                    .filter_map(|(name, value)| Some((name.clone(), text(value)?)))
                    .collect(),
            }
        }
        #[allow(unreachable_patterns)]
        _ => Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_is_removed_from_path() {
        let uri: axum::http::Uri = "/Prod/requests/abc?x=1".parse().unwrap();
        assert_eq!(without_stage(&uri, "Prod").unwrap(), "/requests/abc?x=1");
        assert!(without_stage(&uri, "$default").is_none());
        assert!(without_stage(&"/Production/requests".parse().unwrap(), "Prod").is_none());
    }
}

/// The EventBridge envelope around an event's `detail`.
#[derive(Debug, Deserialize)]
pub struct EventBridgeEvent<T> {
    #[serde(default)]
    pub id: String,
    #[serde(rename = "detail-type")]
    pub detail_type: String,
    pub source: String,
    pub detail: T,
}

/// Serves `handler` for EventBridge state-change events. An error makes Lambda deliver the
/// event again (then to the dead-letter queue), so handlers must be idempotent.
pub async fn serve_events<F, Fut, E>(handler: F) -> Result<(), Error>
where
    F: Fn(StatusChanged) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: std::error::Error + Send + Sync + 'static,
{
    let handler = &handler;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<EventBridgeEvent<StatusChanged>>| async move {
        let detail = event.payload.detail;
        tracing::info!(event_id = %event.payload.id, request_id = %detail.request_id, status = %detail.status, "event received");
        handler(detail).await.map_err(|error| {
            tracing::error!(error = %error, "event handling failed");
            Error::from(Box::new(error) as Box<dyn std::error::Error + Send + Sync>)
        })?;
        Ok::<_, Error>(serde_json::json!({ "handled": true }))
    }))
    .await
}

/// Serves `run` for scheduled events, whose content it ignores.
pub async fn serve_schedule<F, Fut, T, E>(run: F) -> Result<(), Error>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    T: serde::Serialize,
    E: std::error::Error + Send + Sync + 'static,
{
    let run = &run;
    lambda_runtime::run(service_fn(move |_event: LambdaEvent<serde_json::Value>| async move {
        let report = run().await.map_err(|error| {
            tracing::error!(error = %error, "scheduled run failed");
            Error::from(Box::new(error) as Box<dyn std::error::Error + Send + Sync>)
        })?;
        Ok::<_, Error>(report)
    }))
    .await
}
