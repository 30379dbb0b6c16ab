//! The one place where errors become HTTP responses: JSON for the API, HTML for approvers.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::app::decide::{ApproverError, LinkError};
use crate::app::AppError;
use crate::domain::ids::InvalidField;
use crate::domain::subscription::Locale;
use crate::domain::token::TokenError;
use crate::i18n::{status_label, EN, FR};
use crate::render::pages::ErrorPage;

/// An API error. A 4xx response states what to fix. A 5xx response reveals nothing internal, and
/// the cause goes to the log.
#[derive(Debug)]
pub enum ApiError {
    Unauthenticated,
    /// The body is larger than the limit, or could not be read.
    PayloadTooLarge,
    App(AppError),
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        ApiError::App(error)
    }
}

impl From<InvalidField> for ApiError {
    fn from(error: InvalidField) -> Self {
        ApiError::App(AppError::Invalid(error))
    }
}

pub(super) fn json_error(status: StatusCode, code: &str, message: String, field: Option<&str>) -> Response {
    let mut body = json!({ "error": code, "message": message });
    if let Some(field) = field {
        body["field"] = json!(field);
    }
    (status, axum::Json(body)).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Unauthenticated => {
                tracing::warn!("request without an authenticated caller");
                json_error(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "no authenticated caller: the authorizer must supply a valid email claim, and a valid tenant claim when it sends one (locally: the X-Lockbox-Principal and X-Lockbox-Tenant headers)".into(),
                None,
            )
            }
            ApiError::PayloadTooLarge => json_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!(
                    "the body could not be read or is larger than {} bytes",
                    super::MAX_BODY_BYTES
                ),
                Some("body"),
            ),
            ApiError::App(error) => match error {
                AppError::Invalid(invalid) => {
                    tracing::warn!(field = invalid.field, message = %invalid.message, "invalid input");
                    json_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_request",
                        invalid.to_string(),
                        Some(invalid.field),
                    )
                }
                AppError::Forbidden(message) => {
                    tracing::warn!(message = %message, "request forbidden");
                    json_error(StatusCode::FORBIDDEN, "forbidden", message, None)
                }
                AppError::NotFound(message) => {
                    tracing::info!(message = %message, "not found");
                    json_error(StatusCode::NOT_FOUND, "not_found", message, None)
                }
                AppError::Conflict(message) => {
                    tracing::info!(message = %message, "request conflicts with the current state");
                    json_error(StatusCode::CONFLICT, "conflict", message, None)
                }
                AppError::Service(source) => {
                    tracing::error!(error = %source, "request failed");
                    json_error(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "internal_error",
                        "the service failed; try again later".into(),
                        None,
                    )
                }
            },
        }
    }
}

/// Builds an HTML response with headers that keep approver pages out of caches, referrers and
/// frames.
pub fn html(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    response
}

/// Renders an approver's error as a page in English and French, and logs it with the request id
/// from the path, when there is one.
pub fn approver_error_page(error: ApproverError, request_id: Option<&str>) -> Response {
    use askama::Template;

    let request_id = request_id.unwrap_or("-");
    let (status, en_title, fr_title, en_message, fr_message): (StatusCode, &str, &str, String, String) = match &error {
        ApproverError::Link(link) => {
            tracing::warn!(request_id, error = %link, "approver link rejected");
            let (en, fr) = match link {
                LinkError::Token(TokenError::Expired) => (EN.token_expired, FR.token_expired),
                LinkError::Token(_) => (EN.token_damaged, FR.token_damaged),
                LinkError::OtherRequest | LinkError::NotApprover => (EN.token_other_request, FR.token_other_request),
                LinkError::NoLongerOwner => (EN.token_not_owner, FR.token_not_owner),
            };
            (
                StatusCode::FORBIDDEN,
                EN.forbidden_title,
                FR.forbidden_title,
                en.to_owned(),
                fr.to_owned(),
            )
        }
        ApproverError::Closed(state) => {
            tracing::info!(request_id, status = %state, "approver action on a closed request");
            let en = EN.closed_body.replace("{status}", status_label(*state, Locale::En));
            let fr = FR.closed_body.replace("{status}", status_label(*state, Locale::Fr));
            (StatusCode::CONFLICT, EN.conflict_title, FR.conflict_title, en, fr)
        }
        ApproverError::App(AppError::Conflict(message)) => {
            tracing::info!(request_id, message = %message, "approver action lost a race");
            (
                StatusCode::CONFLICT,
                EN.conflict_title,
                FR.conflict_title,
                EN.changed_body.to_owned(),
                FR.changed_body.to_owned(),
            )
        }
        ApproverError::App(AppError::NotFound(message)) => {
            tracing::info!(request_id, message = %message, "approver link to a missing request");
            (
                StatusCode::NOT_FOUND,
                EN.not_found_title,
                FR.not_found_title,
                EN.not_found_body.to_owned(),
                FR.not_found_body.to_owned(),
            )
        }
        ApproverError::App(AppError::Forbidden(message)) => {
            tracing::warn!(request_id, message = %message, "approver action forbidden");
            (
                StatusCode::FORBIDDEN,
                EN.forbidden_title,
                FR.forbidden_title,
                message.clone(),
                message.clone(),
            )
        }
        ApproverError::App(AppError::Invalid(invalid)) => {
            tracing::warn!(request_id, field = invalid.field, message = %invalid.message, "invalid approver form");
            let en = EN.invalid_body.replace("{field}", invalid.field);
            let fr = FR.invalid_body.replace("{field}", invalid.field);
            (StatusCode::BAD_REQUEST, EN.invalid_title, FR.invalid_title, en, fr)
        }
        ApproverError::App(AppError::Service(source)) => {
            tracing::error!(request_id, error = %source, "approver request failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                EN.error_title,
                FR.error_title,
                EN.error_body.to_owned(),
                FR.error_body.to_owned(),
            )
        }
    };
    let page = ErrorPage {
        en_title,
        en_message: &en_message,
        fr_title,
        fr_message: &fr_message,
    };
    html(status, page.render().unwrap_or_else(|_| en_message.clone()))
}
