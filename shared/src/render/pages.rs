//! The HTML pages approvers reach from their mail.

use askama::Template;

use super::RequestView;
use crate::i18n::{Texts, EN, FR};

/// One pending request in the list, with its own signed link.
pub struct PendingItem {
    pub view: RequestView,
    pub link: String,
}

#[derive(Template)]
#[template(path = "pages/pending.html")]
pub struct PendingPage<'a> {
    pub t: &'a Texts,
    pub items: Vec<PendingItem>,
}

/// A request's details, with the forms the approver may use now.
#[derive(Template)]
#[template(path = "pages/request.html")]
pub struct RequestPage<'a> {
    pub t: &'a Texts,
    pub v: RequestView,
    pub token: &'a str,
    /// The absolute address of the request's page, without the token; forms post below it.
    pub request_url: String,
    pub list_link: String,
    pub can_decide: bool,
    pub can_revoke: bool,
    /// A sentence confirming what the approver just did.
    pub notice: Option<String>,
}

/// An error page. The approver's language may be unknown (the link is damaged), so it shows
/// both languages.
#[derive(Template)]
#[template(path = "pages/error.html")]
pub struct ErrorPage<'a> {
    pub en_title: &'a str,
    pub en_message: &'a str,
    pub fr_title: &'a str,
    pub fr_message: &'a str,
}

impl ErrorPage<'_> {
    pub fn english() -> &'static Texts {
        &EN
    }

    pub fn french() -> &'static Texts {
        &FR
    }
}
