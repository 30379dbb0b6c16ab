//! Routes of the `decide` function: the pages approvers reach from their mail, and the internal
//! approval API. Only POST routes change anything, so mail scanners that follow links (GET or
//! HEAD) cannot decide a request.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::caller::Authenticated;
use super::error::{approver_error_page, html, ApiError};
use super::input::{form_body, json_body, Body};
use super::intake::{parse_bounded_text, request_response};
use crate::app::decide::{ApproverContext, ApproverError, Decider, LinkError};
use crate::app::AppError;
use crate::domain::ids::RequestId;
use crate::domain::request::{Decision, Status, MAX_REASON_LEN};
use crate::domain::token::TokenError;
use crate::i18n::{format_time, texts};
use crate::render::pages::{PendingItem, PendingPage, RequestPage};
use crate::render::RequestView;

pub fn router(decider: Arc<Decider>) -> Router {
    Router::new()
        .route("/lockbox", get(pending))
        .route("/lockbox/requests/{request_id}", get(view))
        .route("/lockbox/requests/{request_id}/decision", post(decide))
        .route("/lockbox/requests/{request_id}/revoke", post(revoke))
        .route("/requests/{request_id}/internal-approval", post(internal_approval))
        .with_state(decider)
}

/// The query of an approver's page: the link's token and, after a redirect from a form, the
/// action just done.
#[derive(Deserialize, Default)]
struct PageQuery {
    token: Option<String>,
    done: Option<Done>,
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

async fn pending(State(decider): State<Arc<Decider>>, RawQuery(query): RawQuery) -> Response {
    let token = page_query(query).token.unwrap_or_default();
    if token.is_empty() {
        return approver_error_page(missing_token(), None);
    }
    match decider.pending(&token).await {
        Ok((approver, entries)) => {
            let now = decider.clock.now();
            let base = &decider.base_path;
            let items = entries
                .into_iter()
                .map(|entry| PendingItem {
                    link: format!(
                        "{base}/lockbox/requests/{}?token={}",
                        entry.request.request_id, entry.token
                    ),
                    view: RequestView::new(&entry.request, approver.locale, now),
                })
                .collect();
            let page = PendingPage {
                t: texts(approver.locale),
                items,
            };
            html(StatusCode::OK, page.render().unwrap_or_default())
        }
        Err(error) => approver_error_page(error, None),
    }
}

/// Renders a request's page. Its links and form actions are paths under the public address's
/// path, so that they work whatever origin the page was reached on.
fn request_page(decider: &Decider, context: &ApproverContext, done: Option<Done>) -> Response {
    let now = decider.clock.now();
    let locale = context.approver.locale;
    let t = texts(locale);
    let base = &decider.base_path;
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
        _ => None,
    };
    let page = RequestPage {
        t,
        v: RequestView::new(&context.request, locale, now),
        token: &context.token,
        request_url: format!("{base}/lockbox/requests/{}", context.request.request_id),
        list_link: format!("{base}/lockbox?token={}", context.token),
        can_decide: status == Status::CustomerNotified,
        can_revoke: status == Status::Approved,
        notice,
    };
    html(StatusCode::OK, page.render().unwrap_or_default())
}

/// Redirects to the request's page after a form post (post, redirect, get), so that reloading
/// the page does not send the form again.
fn redirect_to_page(decider: &Decider, context: &ApproverContext, done: Done) -> Response {
    let location = format!(
        "{}/lockbox/requests/{}?token={}&done={}",
        decider.base_path,
        context.request.request_id,
        context.token,
        done.as_str()
    );
    let mut response = Redirect::to(&location).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
        .headers_mut()
        .insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

async fn view(
    State(decider): State<Arc<Decider>>,
    Path(request_id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let query = page_query(query);
    let token = query.token.unwrap_or_default();
    let result = async {
        let id = path_request_id(&request_id)?;
        if token.is_empty() {
            return Err(missing_token());
        }
        decider.open(id, &token).await
    }
    .await;
    match result {
        Ok(context) => request_page(&decider, &context, query.done),
        Err(error) => approver_error_page(error, Some(&request_id)),
    }
}

#[derive(Deserialize)]
struct DecisionForm {
    token: String,
    decision: Decision,
}

async fn decide(State(decider): State<Arc<Decider>>, Path(request_id): Path<String>, Body(body): Body) -> Response {
    let result = async {
        let id = path_request_id(&request_id)?;
        let form: DecisionForm = form_body(&body).map_err(|error| {
            if error.field == "token" {
                missing_token()
            } else {
                ApproverError::App(AppError::Invalid(error))
            }
        })?;
        let context = decider.decide(id, &form.token, form.decision).await?;
        Ok::<_, ApproverError>((context, form.decision))
    }
    .await;
    match result {
        Ok((context, Decision::Approve)) => redirect_to_page(&decider, &context, Done::Approved),
        Ok((context, Decision::Deny)) => redirect_to_page(&decider, &context, Done::Denied),
        Err(error) => approver_error_page(error, Some(&request_id)),
    }
}

#[derive(Deserialize)]
struct RevokeForm {
    token: String,
}

async fn revoke(State(decider): State<Arc<Decider>>, Path(request_id): Path<String>, Body(body): Body) -> Response {
    let result = async {
        let id = path_request_id(&request_id)?;
        let form: RevokeForm = form_body(&body).map_err(|_| missing_token())?;
        decider.revoke(id, &form.token).await
    }
    .await;
    match result {
        Ok(context) => redirect_to_page(&decider, &context, Done::Revoked),
        Err(error) => approver_error_page(error, Some(&request_id)),
    }
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
