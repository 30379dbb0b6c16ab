//! The HTML pages approvers reach from their mail.

use askama::Template;

use super::RequestView;
use crate::i18n::Texts;

/// The links that show the current page in English and in French.
pub struct LanguageLinks {
    pub en: String,
    pub fr: String,
}

/// One pending request in the list, with its own signed link.
pub struct PendingItem {
    pub view: RequestView,
    pub link: String,
}

/// One decided or expired request in the history tab, with a link when the approver may open it.
pub struct ClosedItem {
    pub view: RequestView,
    pub closed_at: String,
    pub link: Option<String>,
}

/// One audit entry in the history tab.
pub struct HistoryRow {
    pub at: String,
    pub operation: String,
    pub request_id: String,
    pub actor: String,
    pub reason: Option<String>,
}

/// A choice of the history tab's operation filter.
pub struct FilterOption {
    /// The public operation name, or an empty string for all four.
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The lockbox page: the subscription's pending requests, or its history.
#[derive(Template)]
#[template(path = "pages/pending.html")]
pub struct PendingPage<'a> {
    pub t: &'a Texts,
    pub languages: LanguageLinks,
    /// Whether the history tab is shown rather than the pending requests.
    pub history: bool,
    pub pending_link: String,
    pub history_link: String,
    /// The page's path, where the history filter form sends its GET.
    pub page_path: String,
    /// The request whose link opened the page; the filter form passes it on.
    pub request_id: String,
    /// The `lang` parameter to pass on, if the approver chose a language.
    pub lang: Option<&'a str>,
    pub items: Vec<PendingItem>,
    pub history_intro: String,
    /// The decided and expired requests the history tab lists above its audit entries.
    pub closed: Vec<ClosedItem>,
    pub rows: Vec<HistoryRow>,
    pub filters: Vec<FilterOption>,
}

/// A request's details, with the forms the approver may use now.
#[derive(Template)]
#[template(path = "pages/request.html")]
pub struct RequestPage<'a> {
    pub t: &'a Texts,
    pub languages: LanguageLinks,
    pub v: RequestView,
    /// The request's page, without a query; forms post below it.
    pub request_url: String,
    pub list_link: String,
    /// The nonce of the Approve and Deny form, when the request waits for a decision.
    pub decision_nonce: Option<String>,
    /// The nonce of the Revoke form, while access is open.
    pub revoke_nonce: Option<String>,
    /// The `lang` parameter to pass on, if the approver chose a language.
    pub lang: Option<&'a str>,
    /// A sentence confirming what the approver just did, or why nothing can be done.
    pub notice: Option<String>,
}

/// The page that moves the browser from a link with a token to the same page without it, once
/// the token is in a cookie. It moves on with a meta refresh, so that the next request starts
/// on this site and carries the `SameSite=Strict` cookie.
#[derive(Template)]
#[template(path = "pages/continue.html")]
pub struct ContinuePage<'a> {
    pub t: &'a Texts,
    pub target: String,
}

/// One language's part of an error page.
pub struct ErrorSection<'a> {
    pub lang: &'static str,
    pub title: &'a str,
    pub message: String,
}

/// An error page, in the approver's language when it is known, else in English and French.
#[derive(Template)]
#[template(path = "pages/error.html")]
pub struct ErrorPage<'a> {
    pub lang: &'static str,
    pub sections: Vec<ErrorSection<'a>>,
}
