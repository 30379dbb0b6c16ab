//! Routes of the `decide` function: the pages approvers reach from their mail, and the internal
//! approval API. Only POST routes change anything, so mail scanners that follow links (GET or
//! HEAD) cannot decide a request.
//!
//! A link's first GET exchanges its token for a cookie (see [`link_cookie`]) and returns a
//! page that moves on to the same address without the token. Every later page reads the token
//! from the cookie. A form post needs the token (from the cookie, or a `token` field for
//! clients without cookies), the nonce its page was rendered with, and, from a browser, this
//! origin.

mod link_cookie;
mod origin;

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::caller::Authenticated;
use super::error::{approver_error_page, html, ApiError};
use super::input::{form_body, json_body, Body};
use super::intake::{parse_bounded_text, request_response};
use crate::app::decide::{ApproverContext, ApproverError, Decider, LinkError, HISTORY_DAYS, HISTORY_OPERATIONS};
use crate::app::AppError;
use crate::domain::audit::Operation;
use crate::domain::form_nonce::FormAction;
use crate::domain::ids::{InvalidField, RequestId};
use crate::domain::request::{Decision, Status, MAX_REASON_LEN};
use crate::domain::subscription::Locale;
use crate::domain::token::TokenError;
use crate::i18n::{format_time, operation_label, parse_locale, status_label, texts};
use crate::render::pages::{
    ClosedItem, ContinuePage, FilterOption, HistoryRow, LanguageLinks, PendingItem, PendingPage, RequestPage,
};
use crate::render::RequestView;

pub fn router(decider: Arc<Decider>) -> Router {
    Router::new()
        .route("/lockbox", get(lockbox_page))
        .route("/lockbox/requests/{request_id}", get(view))
        .route("/lockbox/requests/{request_id}/decision", post(decide))
        .route("/lockbox/requests/{request_id}/revoke", post(revoke))
        .route("/requests/{request_id}/internal-approval", post(internal_approval))
        .with_state(decider)
}

/// The query of an approver's page.
#[derive(Deserialize, Default)]
struct PageQuery {
    /// The link's token, on the first GET only.
    token: Option<String>,
    /// The action just done, after the redirect that follows a form post.
    done: Option<Done>,
    /// The language the approver chose on the page, `en` or `fr`.
    lang: Option<String>,
    /// On the lockbox page: the request whose link cookie authorizes the page.
    request: Option<String>,
    /// On the lockbox page: `history` for the history tab.
    tab: Option<String>,
    /// On the history tab: one of the four history operations, or empty for all four.
    operation: Option<String>,
}

/// An approver action, named in the redirect that follows it so the page can confirm it.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Done {
    Approved,
    Denied,
    Revoked,
}

impl Done {
    fn as_str(self) -> &'static str {
        match self {
            Done::Approved => "approved",
            Done::Denied => "denied",
            Done::Revoked => "revoked",
        }
    }
}

/// Reads the query; a query string that does not parse counts as an empty one.
fn page_query(query: Option<String>) -> PageQuery {
    query
        .and_then(|raw| serde_urlencoded::from_str::<PageQuery>(&raw).ok())
        .unwrap_or_default()
}

fn missing_token() -> ApproverError {
    LinkError::Token(TokenError::Malformed).into()
}

/// Parses the request id in an approver's path. A damaged id is reported like a damaged link.
fn path_request_id(raw: &str) -> Result<RequestId, ApproverError> {
    RequestId::parse(raw).map_err(|_| missing_token())
}

/// Returns the language the approver chose with the page's language links, if any.
fn chosen_locale(lang: Option<&str>) -> Option<Locale> {
    lang.and_then(parse_locale)
}

fn locale_code(locale: Locale) -> &'static str {
    match locale {
        Locale::En => "en",
        Locale::Fr => "fr",
    }
}

/// Builds `path` with a query of the non-empty `params`.
fn url(path: &str, params: &[(&str, &str)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in params.iter().filter(|(_, value)| !value.is_empty()) {
        query.append_pair(name, value);
    }
    let query = query.finish();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// Builds the English and French addresses of a page from a function of the language code.
fn language_links(link: impl Fn(&str) -> String) -> LanguageLinks {
    LanguageLinks {
        en: link("en"),
        fr: link("fr"),
    }
}

fn request_path(decider: &Decider, id: RequestId) -> String {
    format!("{}/lockbox/requests/{id}", decider.base_path)
}

fn lockbox_path(decider: &Decider) -> String {
    format!("{}/lockbox", decider.base_path)
}

/// Handles a link's first GET: stores its token in a cookie and moves the browser on to
/// `target`, the same page without the token.
fn exchange_token(decider: &Decider, context: &ApproverContext, target: String, locale: Locale) -> Response {
    let page = ContinuePage {
        t: texts(locale),
        target,
    };
    let mut response = html(StatusCode::OK, page.render().unwrap_or_default());
    let cookie = link_cookie::set(
        context.request.request_id,
        &context.token,
        &decider.base_path,
        context.link_expires_at,
        decider.clock.now(),
    );
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

/// Serves `/lockbox`: the subscription's pending requests, or the history tab.
async fn lockbox_page(State(decider): State<Arc<Decider>>, RawQuery(query): RawQuery, headers: HeaderMap) -> Response {
    let query = page_query(query);
    let chosen = chosen_locale(query.lang.as_deref());
    let lang = chosen.map(locale_code).unwrap_or_default();

    // A mailed list link carries the token of the mail's request.
    if let Some(token) = query.token.as_deref().filter(|token| !token.is_empty()) {
        return match decider.open_any(token).await {
            Ok(context) => {
                let id = context.request.request_id.to_string();
                let target = url(&lockbox_path(&decider), &[("request", &id), ("lang", lang)]);
                let locale = chosen.unwrap_or(context.approver.locale);
                exchange_token(&decider, &context, target, locale)
            }
            Err(error) => approver_error_page(error, None, chosen),
        };
    }

    let raw_id = query.request.clone().unwrap_or_default();
    let result = async {
        let id = path_request_id(&raw_id)?;
        let token = link_cookie::read(&headers, id).ok_or(LinkError::Missing)?;
        if query.tab.as_deref() == Some("history") {
            history_page(&decider, &token, &query, chosen).await
        } else {
            pending_page(&decider, &token, chosen).await
        }
    }
    .await;
    result.unwrap_or_else(|error| approver_error_page(error, Some(&raw_id), chosen))
}

/// The addresses of the lockbox page's two tabs, and of the page in each language.
struct LockboxLinks {
    pending: String,
    history: String,
    languages: LanguageLinks,
}

fn lockbox_links(decider: &Decider, request_id: &str, history: bool, lang: &str, operation: &str) -> LockboxLinks {
    let path = lockbox_path(decider);
    let tab = if history { "history" } else { "" };
    LockboxLinks {
        pending: url(&path, &[("request", request_id), ("lang", lang)]),
        history: url(&path, &[("request", request_id), ("tab", "history"), ("lang", lang)]),
        languages: language_links(|code| {
            url(
                &path,
                &[
                    ("request", request_id),
                    ("tab", tab),
                    ("operation", operation),
                    ("lang", code),
                ],
            )
        }),
    }
}

async fn pending_page(decider: &Decider, token: &str, chosen: Option<Locale>) -> Result<Response, ApproverError> {
    let (context, entries) = decider.pending(token).await?;
    let locale = chosen.unwrap_or(context.approver.locale);
    let lang = chosen.map(locale_code).unwrap_or_default();
    let now = decider.clock.now();
    let request_id = context.request.request_id.to_string();
    let items = entries
        .into_iter()
        .map(|entry| PendingItem {
            link: url(
                &request_path(decider, entry.request.request_id),
                &[("token", &entry.token), ("lang", lang)],
            ),
            view: RequestView::new(&entry.request, locale, now),
        })
        .collect();
    let links = lockbox_links(decider, &request_id, false, lang, "");
    let t = texts(locale);
    let page = PendingPage {
        t,
        languages: links.languages,
        history: false,
        pending_link: links.pending,
        history_link: links.history,
        page_path: lockbox_path(decider),
        request_id,
        lang: chosen.map(locale_code),
        items,
        history_intro: String::new(),
        closed: Vec::new(),
        rows: Vec::new(),
        filters: Vec::new(),
    };
    Ok(html(StatusCode::OK, page.render().unwrap_or_default()))
}

/// Parses the history tab's operation filter: empty for all four operations, else one of them.
fn history_operation(raw: Option<&str>) -> Result<Option<Operation>, ApproverError> {
    let raw = raw.unwrap_or_default();
    if raw.is_empty() {
        return Ok(None);
    }
    HISTORY_OPERATIONS
        .into_iter()
        .find(|operation| operation.name() == raw)
        .map(Some)
        .ok_or_else(|| {
            let names: Vec<&str> = HISTORY_OPERATIONS.iter().map(|operation| operation.name()).collect();
            let message = format!("must be empty or one of {}", names.join(", "));
            ApproverError::App(AppError::Invalid(InvalidField::new("operation", message)))
        })
}

async fn history_page(
    decider: &Decider,
    token: &str,
    query: &PageQuery,
    chosen: Option<Locale>,
) -> Result<Response, ApproverError> {
    let operation = history_operation(query.operation.as_deref())?;
    let context = decider.open_any(token).await?;
    let entries = decider.history(&context, operation).await?;
    let locale = chosen.unwrap_or(context.approver.locale);
    let lang = chosen.map(locale_code).unwrap_or_default();
    let t = texts(locale);
    let request_id = context.request.request_id.to_string();

    let now = decider.clock.now();
    let closed = decider
        .closed_requests(&context)
        .await?
        .into_iter()
        .map(|entry| ClosedItem {
            link: entry.token.map(|token| {
                url(
                    &request_path(decider, entry.request.request_id),
                    &[("token", &token), ("lang", lang)],
                )
            }),
            closed_at: format_time(entry.closed_at, locale),
            view: RequestView::new(&entry.request, locale, now),
        })
        .collect();
    let rows = entries
        .into_iter()
        .map(|entry| HistoryRow {
            at: format_time(entry.at, locale),
            operation: operation_label(entry.operation, locale),
            request_id: entry.request_id.map(|id| id.to_string()).unwrap_or_default(),
            actor: entry.actor,
            reason: entry.details.get("reason").cloned(),
        })
        .collect();
    let mut filters = vec![FilterOption {
        value: String::new(),
        label: t.filter_all.to_owned(),
        selected: operation.is_none(),
    }];
    filters.extend(HISTORY_OPERATIONS.into_iter().map(|candidate| FilterOption {
        value: candidate.name().to_owned(),
        label: operation_label(candidate, locale),
        selected: operation == Some(candidate),
    }));
    let links = lockbox_links(
        decider,
        &request_id,
        true,
        lang,
        operation.map(Operation::name).unwrap_or_default(),
    );
    let page = PendingPage {
        t,
        languages: links.languages,
        history: true,
        pending_link: links.pending,
        history_link: links.history,
        page_path: lockbox_path(decider),
        request_id,
        lang: chosen.map(locale_code),
        items: Vec::new(),
        history_intro: t.history_intro.replace("{days}", &HISTORY_DAYS.to_string()),
        closed,
        rows,
        filters,
    };
    Ok(html(StatusCode::OK, page.render().unwrap_or_default()))
}

/// Renders a request's page. Its links and form actions are paths under the public address's
/// path, so that they work whatever origin the page was reached on. An expired request's page
/// has the status `410 Gone`.
async fn request_page(
    decider: &Decider,
    context: &ApproverContext,
    done: Option<Done>,
    chosen: Option<Locale>,
) -> Result<Response, ApproverError> {
    let now = decider.clock.now();
    let locale = chosen.unwrap_or(context.approver.locale);
    let lang = chosen.map(locale_code).unwrap_or_default();
    let t = texts(locale);
    let id = context.request.request_id;
    let status = context.request.status_at(now);

    // Confirm an action only while the request is still in the state it produced.
    let notice = match (done, status) {
        (Some(Done::Approved), Status::Approved) => {
            let end = context
                .request
                .access_ends_at
                .map(|at| format_time(at, locale))
                .unwrap_or_default();
            Some(format!("{} {end}.", t.approved_done))
        }
        (Some(Done::Denied), Status::Denied) => Some(t.denied_done.to_owned()),
        (Some(Done::Revoked), Status::Revoked) => Some(t.revoked_done.to_owned()),
        (_, Status::Expired) => Some(t.expired_body.to_owned()),
        // A request opened from an old mail after its outcome states at once that it is closed.
        (_, status) if status.is_final() => Some(t.closed_body.replace("{status}", status_label(status, locale))),
        _ => None,
    };

    let decision_nonce = match status {
        Status::CustomerNotified => Some(decider.issue_nonce(context, FormAction::Decision).await?),
        _ => None,
    };
    let revoke_nonce = match status {
        Status::Approved => Some(decider.issue_nonce(context, FormAction::Revoke).await?),
        _ => None,
    };

    let done_code = done.map(Done::as_str).unwrap_or_default();
    let page_path = request_path(decider, id);
    let page = RequestPage {
        t,
        languages: language_links(|code| url(&page_path, &[("done", done_code), ("lang", code)])),
        v: RequestView::new(&context.request, locale, now),
        request_url: page_path.clone(),
        list_link: url(&lockbox_path(decider), &[("request", &id.to_string()), ("lang", lang)]),
        decision_nonce,
        revoke_nonce,
        lang: chosen.map(locale_code),
        notice,
    };

    let code = if status == Status::Expired {
        StatusCode::GONE
    } else {
        StatusCode::OK
    };
    Ok(html(code, page.render().unwrap_or_default()))
}

/// Redirects to the request's page after a form post (post, redirect, get), so that reloading
/// the page does not send the form again. A token that came in the form, from a client without
/// the cookie, goes into the cookie here.
fn redirect_to_page(
    decider: &Decider,
    context: &ApproverContext,
    done: Done,
    lang: Option<&str>,
    token_from_form: bool,
) -> Response {
    let location = url(
        &request_path(decider, context.request.request_id),
        &[("done", done.as_str()), ("lang", lang.unwrap_or_default())],
    );
    let mut response = Redirect::to(&location).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if token_from_form {
        let cookie = link_cookie::set(
            context.request.request_id,
            &context.token,
            &decider.base_path,
            context.link_expires_at,
            decider.clock.now(),
        );
        headers.append(header::SET_COOKIE, cookie);
    }
    response
}

async fn view(
    State(decider): State<Arc<Decider>>,
    Path(request_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let query = page_query(query);
    let chosen = chosen_locale(query.lang.as_deref());
    let result = async {
        let id = path_request_id(&request_id)?;
        if let Some(token) = query.token.as_deref().filter(|token| !token.is_empty()) {
            let context = decider.open(id, token).await?;
            let lang = chosen.map(locale_code).unwrap_or_default();
            let target = url(&request_path(&decider, id), &[("lang", lang)]);
            let locale = chosen.unwrap_or(context.approver.locale);
            return Ok(exchange_token(&decider, &context, target, locale));
        }
        let token = link_cookie::read(&headers, id).ok_or(LinkError::Missing)?;
        let context = decider.open(id, &token).await?;
        request_page(&decider, &context, query.done, chosen).await
    }
    .await;
    result.unwrap_or_else(|error| approver_error_page(error, Some(&request_id), chosen))
}

/// Reads the optional reason of a form: blank means none.
fn form_reason(reason: Option<String>) -> Result<Option<String>, ApproverError> {
    match reason {
        Some(reason) if !reason.trim().is_empty() => parse_bounded_text("reason", reason, MAX_REASON_LEN)
            .map(Some)
            .map_err(|error| ApproverError::App(AppError::Invalid(error))),
        _ => Ok(None),
    }
}

/// Finds the token of a form post: the `token` field, else the link cookie. Returns whether it
/// came from the field.
fn form_token(headers: &HeaderMap, id: RequestId, field: Option<String>) -> Result<(String, bool), ApproverError> {
    if let Some(token) = field.filter(|token| !token.is_empty()) {
        return Ok((token, true));
    }
    let token = link_cookie::read(headers, id).ok_or(LinkError::Missing)?;
    Ok((token, false))
}

/// The fields of the decision and revocation forms. Only the decision form has `decision`.
#[derive(Deserialize)]
struct ApproverForm {
    token: Option<String>,
    nonce: Option<String>,
    decision: Option<Decision>,
    reason: Option<String>,
    lang: Option<String>,
}

/// An approver form after the checks that both forms share.
struct PostedForm {
    id: RequestId,
    token: String,
    /// Whether the token came in a form field rather than the link cookie.
    token_from_form: bool,
    nonce: Option<String>,
    decision: Option<Decision>,
    reason: Option<String>,
}

/// Checks a posted approver form's origin, path and fields, and finds its token. Sets `chosen`
/// as soon as the form names a language, so that a later error page uses it.
fn read_form(
    headers: &HeaderMap,
    request_id: &str,
    body: &[u8],
    chosen: &mut Option<Locale>,
) -> Result<PostedForm, ApproverError> {
    origin::require_same_origin(headers)?;
    let id = path_request_id(request_id)?;
    let form: ApproverForm = form_body(body).map_err(|error| ApproverError::App(AppError::Invalid(error)))?;
    *chosen = chosen_locale(form.lang.as_deref());
    let (token, token_from_form) = form_token(headers, id, form.token)?;
    let reason = form_reason(form.reason)?;
    Ok(PostedForm {
        id,
        token,
        token_from_form,
        nonce: form.nonce,
        decision: form.decision,
        reason,
    })
}

async fn decide(
    State(decider): State<Arc<Decider>>,
    Path(request_id): Path<String>,
    headers: HeaderMap,
    Body(body): Body,
) -> Response {
    let mut chosen = None;
    let result = async {
        let form = read_form(&headers, &request_id, &body, &mut chosen)?;
        let decision = form
            .decision
            .ok_or_else(|| ApproverError::App(AppError::Invalid(InvalidField::new("decision", "is missing"))))?;
        let context = decider
            .decide(form.id, &form.token, form.nonce.as_deref(), decision, form.reason)
            .await?;
        let done = match decision {
            Decision::Approve => Done::Approved,
            Decision::Deny => Done::Denied,
        };
        Ok::<_, ApproverError>(redirect_to_page(
            &decider,
            &context,
            done,
            chosen.map(locale_code),
            form.token_from_form,
        ))
    }
    .await;
    result.unwrap_or_else(|error| approver_error_page(error, Some(&request_id), chosen))
}

async fn revoke(
    State(decider): State<Arc<Decider>>,
    Path(request_id): Path<String>,
    headers: HeaderMap,
    Body(body): Body,
) -> Response {
    let mut chosen = None;
    let result = async {
        let form = read_form(&headers, &request_id, &body, &mut chosen)?;
        let context = decider
            .revoke(form.id, &form.token, form.nonce.as_deref(), form.reason)
            .await?;
        Ok::<_, ApproverError>(redirect_to_page(
            &decider,
            &context,
            Done::Revoked,
            chosen.map(locale_code),
            form.token_from_form,
        ))
    }
    .await;
    result.unwrap_or_else(|error| approver_error_page(error, Some(&request_id), chosen))
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum InternalDecisionValue {
    Approve,
    Reject,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InternalApprovalBody {
    decision: InternalDecisionValue,
    #[serde(default)]
    reason: Option<String>,
}

async fn internal_approval(
    State(decider): State<Arc<Decider>>,
    Authenticated(caller): Authenticated,
    Path(request_id): Path<String>,
    Body(body): Body,
) -> Result<Response, ApiError> {
    let id = RequestId::parse(&request_id)?;
    let body: InternalApprovalBody = json_body(&body)?;
    let reason = body
        .reason
        .map(|reason| parse_bounded_text("reason", reason, MAX_REASON_LEN))
        .transpose()?;
    let approve = body.decision == InternalDecisionValue::Approve;
    let request = decider.decide_internally(&caller, id, approve, reason).await?;
    Ok(request_response(&request, decider.clock.now()))
}
