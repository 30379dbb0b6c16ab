//! Routes of the `submit` function.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::caller::Authenticated;
use super::error::ApiError;
use super::input::{json_body, Body};
use crate::app::intake::{require_role, Intake, Registration};
use crate::domain::identity::Role;
use crate::domain::ids::{Email, InvalidField, RequestId, ResourceId, SubscriptionId, SupportTicketId, TenantId};
use crate::domain::request::{
    AccessRequest, NewRequest, PermissionLevel, ResourceKind, Scope, MAX_JUSTIFICATION_LEN, MAX_REASON_LEN,
};
use crate::domain::subscription::{Locale, Owner, SupportPlan};

pub fn router(intake: Arc<Intake>) -> Router {
    Router::new()
        .route("/subscriptions/{subscription_id}", put(register_subscription))
        .route("/requests", post(submit))
        .route("/requests/{request_id}", get(get_request))
        .route("/requests/{request_id}/cancel", post(cancel))
        .with_state(intake)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OwnerBody {
    email: String,
    #[serde(default)]
    locale: Locale,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubscriptionBody {
    tenant_id: String,
    support_plan: SupportPlan,
    owners: Vec<OwnerBody>,
}

async fn register_subscription(
    State(intake): State<Arc<Intake>>,
    Authenticated(caller): Authenticated,
    Path(subscription_id): Path<String>,
    Body(body): Body,
) -> Result<Response, ApiError> {
    require_role(&caller, Role::ProviderAdmin)?;
    let body: SubscriptionBody = json_body(&body)?;
    let owners = body
        .owners
        .into_iter()
        .map(|owner| {
            Ok(Owner {
                email: Email::parse_field(&owner.email, "owners[].email")?,
                locale: owner.locale,
            })
        })
        .collect::<Result<Vec<_>, InvalidField>>()?;
    let registration = Registration {
        subscription_id: SubscriptionId::parse(&subscription_id)?,
        tenant_id: TenantId::parse(&body.tenant_id)?,
        support_plan: body.support_plan,
        owners,
    };
    let subscription = intake.register_subscription(&caller, registration).await?;
    Ok((StatusCode::OK, Json(subscription)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubmitBody {
    subscription_id: String,
    resource_id: String,
    resource_kind: ResourceKind,
    scope: Scope,
    permission_level: PermissionLevel,
    support_ticket_id: String,
    justification: String,
    /// The language of the requester's outcome mail. Like an owner's locale, it is `en` or
    /// `fr`, and any other value is rejected. A missing or null locale means English.
    #[serde(default)]
    locale: Option<Locale>,
}

pub(super) fn parse_bounded_text(field: &'static str, raw: String, max: usize) -> Result<String, InvalidField> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(InvalidField::new(field, "must not be empty"));
    }
    if text.len() > max {
        return Err(InvalidField::new(
            field,
            format!("is {} bytes long, the maximum is {max}", text.len()),
        ));
    }
    // The text goes verbatim into the approvers' plain-text mail, where a line break could
    // forge a line or a link, and a direction override could disguise one.
    if let Some(bad) = text.chars().find(|c| c.is_control() || is_invisible_format(*c)) {
        return Err(InvalidField::new(
            field,
            format!("contains the character U+{:04X}; write one line of plain text, without line breaks or control characters", bad as u32),
        ));
    }
    Ok(text.to_owned())
}

/// Returns whether `c` is a zero-width or text-direction character, which renders as nothing
/// or reorders the text around it.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

impl TryFrom<SubmitBody> for NewRequest {
    type Error = InvalidField;

    fn try_from(body: SubmitBody) -> Result<Self, Self::Error> {
        Ok(NewRequest {
            subscription_id: SubscriptionId::parse(&body.subscription_id)?,
            resource_id: ResourceId::parse(&body.resource_id)?,
            resource_kind: body.resource_kind,
            scope: body.scope,
            permission_level: body.permission_level,
            support_ticket_id: SupportTicketId::parse(&body.support_ticket_id)?,
            justification: parse_bounded_text("justification", body.justification, MAX_JUSTIFICATION_LEN)?,
            requester_locale: body.locale.unwrap_or_default(),
        })
    }
}

#[derive(Serialize)]
struct Submitted {
    request_id: RequestId,
    status: &'static str,
    expires_at: chrono::DateTime<chrono::Utc>,
}

async fn submit(
    State(intake): State<Arc<Intake>>,
    Authenticated(caller): Authenticated,
    Body(body): Body,
) -> Result<Response, ApiError> {
    require_role(&caller, Role::SupportEngineer)?;
    let new = NewRequest::try_from(json_body::<SubmitBody>(&body)?)?;
    let request = intake.submit(&caller, new).await?;
    let location = format!("/requests/{}", request.request_id);
    let body = Submitted {
        request_id: request.request_id,
        status: request.status.as_str(),
        expires_at: request.expires_at,
    };
    Ok((StatusCode::ACCEPTED, [(header::LOCATION, location)], Json(body)).into_response())
}

/// Builds a request as engineers read it. `status` is the status at `now` (see
/// `AccessRequest::status_at`) and `stored_status` is the one in the store. Approvers' addresses
/// are left out, and `approvers` gives their count.
pub fn request_response(request: &AccessRequest, now: chrono::DateTime<chrono::Utc>) -> Response {
    let mut value = serde_json::to_value(request).unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        object.insert("status".into(), request.status_at(now).as_str().into());
        object.insert("stored_status".into(), request.status.as_str().into());
        object.insert("approvers".into(), request.approvers.len().into());
    }
    Json(value).into_response()
}

async fn get_request(
    State(intake): State<Arc<Intake>>,
    Authenticated(caller): Authenticated,
    Path(request_id): Path<String>,
) -> Result<Response, ApiError> {
    let id = RequestId::parse(&request_id)?;
    let request = intake.get(&caller, id).await?;
    Ok(request_response(&request, intake.clock.now()))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ReasonBody {
    #[serde(default)]
    reason: Option<String>,
}

/// Parses an optional `{"reason": "..."}` body; an empty body means no reason.
fn optional_reason(body: &[u8]) -> Result<Option<String>, InvalidField> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let body: ReasonBody = json_body(body)?;
    body.reason
        .map(|reason| parse_bounded_text("reason", reason, MAX_REASON_LEN))
        .transpose()
}

async fn cancel(
    State(intake): State<Arc<Intake>>,
    Authenticated(caller): Authenticated,
    Path(request_id): Path<String>,
    Body(body): Body,
) -> Result<Response, ApiError> {
    let id = RequestId::parse(&request_id)?;
    let reason = optional_reason(&body)?;
    let request = intake.cancel(&caller, id, reason).await?;
    Ok(request_response(&request, intake.clock.now()))
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

    fn submission(locale: Option<Value>) -> Vec<u8> {
        let mut body = json!({
            "subscription_id": "sub-1",
            "resource_id": "vm-web-01",
            "resource_kind": "virtual_machine",
            "scope": "resource",
            "permission_level": "read",
            "support_ticket_id": "T-1001",
            "justification": "The disk is full",
        });
        if let Some(locale) = locale {
            body["locale"] = locale;
        }
        serde_json::to_vec(&body).unwrap()
    }

    fn parse(body: &[u8]) -> Result<NewRequest, InvalidField> {
        NewRequest::try_from(json_body::<SubmitBody>(body)?)
    }

    #[test]
    fn submission_locale_defaults_to_english() {
        let missing = parse(&submission(None)).unwrap();
        assert_eq!(missing.requester_locale, Locale::En, "missing locale");
        let null = parse(&submission(Some(Value::Null))).unwrap();
        assert_eq!(null.requester_locale, Locale::En, "null locale");
    }

    #[test]
    fn submission_reads_french_locale() {
        let french = parse(&submission(Some(json!("fr")))).unwrap();
        assert_eq!(french.requester_locale, Locale::Fr);
        let english = parse(&submission(Some(json!("en")))).unwrap();
        assert_eq!(english.requester_locale, Locale::En);
    }

    #[test]
    fn submission_rejects_unknown_locale() {
        for value in [json!("de"), json!("FR"), json!(""), json!(1)] {
            let error = parse(&submission(Some(value.clone()))).unwrap_err();
            assert_eq!(error.field, "locale", "field for {value}");
        }
    }
}
