//! The mail sent to designated approvers and to requesters.

use askama::Template;
use chrono::{DateTime, Utc};

use super::RequestView;
use crate::domain::ids::Email;
use crate::domain::request::{AccessRequest, Status};
use crate::domain::subscription::Owner;
use crate::i18n::{format_time, texts, Texts};
use crate::ports::OutgoingMail;

#[derive(Template)]
#[template(path = "mail/approver.txt")]
struct ApproverText<'a> {
    t: &'a Texts,
    v: &'a RequestView,
    expiry: &'a str,
    request_link: &'a str,
    list_link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/approver.html")]
struct ApproverHtml<'a> {
    t: &'a Texts,
    v: &'a RequestView,
    expiry: &'a str,
    request_link: &'a str,
    list_link: &'a str,
}

/// Builds the mail that requests `approver`'s decision on `request`. The links carry `token`.
pub fn approver_mail(
    request: &AccessRequest,
    approver: &Owner,
    public_url: &str,
    token: &str,
    now: DateTime<Utc>,
) -> OutgoingMail {
    let t = texts(approver.locale);
    let view = RequestView::new(request, approver.locale, now);
    let request_link = format!("{public_url}/lockbox/requests/{}?token={token}", request.request_id);
    let list_link = format!("{public_url}/lockbox?token={token}");
    let expiry = t.mail_expiry.replace("{date}", &view.expires_at);
    let text = ApproverText {
        t,
        v: &view,
        expiry: &expiry,
        request_link: &request_link,
        list_link: &list_link,
    };
    let html = ApproverHtml {
        t,
        v: &view,
        expiry: &expiry,
        request_link: &request_link,
        list_link: &list_link,
    };
    OutgoingMail {
        to: approver.email.clone(),
        subject: format!("{} – {}", t.mail_subject, request.subscription_id),
        text: text.render().unwrap_or_default(),
        html: html.render().unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "mail/requester.txt")]
struct RequesterText<'a> {
    request: &'a AccessRequest,
    status: &'a str,
    access_ends_at: Option<String>,
    reason: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "mail/requester.html")]
struct RequesterHtml<'a> {
    request: &'a AccessRequest,
    status: &'a str,
    access_ends_at: Option<String>,
    reason: Option<&'a str>,
}

/// Builds the mail that informs the requester of their request's outcome. It is in English only,
/// because requesters are provider staff.
pub fn requester_mail(request: &AccessRequest, outcome: Status, to: &Email) -> OutgoingMail {
    let status = outcome.as_str();
    let access_ends_at = request
        .access_ends_at
        .map(|at| format_time(at, crate::domain::subscription::Locale::En));
    let reason = request.reason.as_deref();
    let text = RequesterText {
        request,
        status,
        access_ends_at: access_ends_at.clone(),
        reason,
    };
    let html = RequesterHtml {
        request,
        status,
        access_ends_at,
        reason,
    };
    OutgoingMail {
        to: to.clone(),
        subject: format!("Lockbox request {} is {}", request.request_id, status),
        text: text.render().unwrap_or_default(),
        html: html.render().unwrap_or_default(),
    }
}
