//! Mail and HTML pages for approvers and requesters, rendered with askama templates from
//! `shared/templates`. HTML templates escape every value.

pub mod mail;
pub mod pages;

use chrono::{DateTime, Utc};

use crate::domain::request::{AccessRequest, Status};
use crate::domain::subscription::Locale;
use crate::i18n::{self, format_time};

/// A request's fields as an approver reads them, in one language.
pub struct RequestView {
    pub request_id: String,
    pub subscription_id: String,
    pub tenant_id: String,
    pub resource_id: String,
    pub resource_kind: &'static str,
    pub scope: &'static str,
    pub permission: &'static str,
    pub support_ticket_id: String,
    pub requester: String,
    pub justification: String,
    pub status: &'static str,
    pub created_at: String,
    pub expires_at: String,
    pub access_ends_at: Option<String>,
    pub decided_by: Option<String>,
    /// Whether the request still waits for a decision at the time of rendering.
    pub pending: bool,
    /// How long access lasts once approved, such as `8 hours`.
    pub access_duration: String,
    /// How long the request still waits for a decision, while it is pending.
    pub time_left: Option<String>,
    /// The JIT policy's outcome, and the provider-side approver who approved first, if any.
    pub jit_summary: Option<String>,
    /// The reason recorded with the request's last step (a denial, revocation or cancellation).
    pub reason: Option<String>,
}

impl RequestView {
    pub fn new(request: &AccessRequest, locale: Locale, now: DateTime<Utc>) -> Self {
        Self {
            request_id: request.request_id.to_string(),
            subscription_id: request.subscription_id.to_string(),
            tenant_id: request.tenant_id.to_string(),
            resource_id: request.resource_id.to_string(),
            resource_kind: i18n::resource_kind_label(request.resource_kind, locale),
            scope: i18n::scope_label(request.scope, locale),
            permission: i18n::permission_label(request.permission_level, locale),
            support_ticket_id: request.support_ticket_id.to_string(),
            requester: request.requester.to_string(),
            justification: request.justification.clone(),
            status: i18n::status_label(request.status_at(now), locale),
            created_at: format_time(request.created_at, locale),
            expires_at: format_time(request.expires_at, locale),
            access_ends_at: access_end(request, now).map(|at| format_time(at, locale)),
            decided_by: request.decided_by.clone(),
            pending: request.status_at(now).is_pending(),
            access_duration: i18n::format_duration(request.access_duration_seconds, locale),
            time_left: request
                .status_at(now)
                .is_pending()
                .then(|| i18n::format_time_left(request.expires_at - now, locale)),
            jit_summary: jit_summary(request, locale),
            reason: request.reason.clone(),
        }
    }
}

/// Returns when access ends or ended: the scheduled end, or the revocation's time once access
/// was revoked before it.
fn access_end(request: &AccessRequest, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    match request.status_at(now) {
        Status::Revoked => request.closed_at.or(request.access_ends_at),
        _ => request.access_ends_at,
    }
}

fn jit_summary(request: &AccessRequest, locale: Locale) -> Option<String> {
    let t = i18n::texts(locale);
    let jit = request.jit.as_ref()?;
    let mut summary = t.jit_customer.replace("{rule}", &jit.rule);
    if let Some(internal) = request.internal_decision.as_ref().filter(|decision| decision.approved) {
        summary.push_str(", ");
        summary.push_str(&t.jit_internal.replace("{approver}", internal.approver.as_str()));
    }
    Some(summary)
}
