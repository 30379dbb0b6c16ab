//! The one place where errors become HTTP responses: JSON for the API, HTML for approvers.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::app::decide::{ApproverError, FormError, LinkError};
use crate::app::AppError;
use crate::domain::ids::InvalidField;
use crate::domain::request::Status;
use crate::domain::subscription::Locale;
use crate::domain::token::TokenError;
use crate::i18n::{status_label, texts, Texts, EN, FR};
use crate::render::pages::{ErrorPage, ErrorSection};

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
/// frames, and that allow no script.
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
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    response
}

/// The title and body of an approver error page, in one language.
type ErrorText = Box<dyn Fn(&'static Texts) -> (&'static str, String)>;

/// Renders an approver's error as a page, and logs it with the request id from the path, when
/// there is one. The page is in `chosen`, the language the approver picked on the page, else in
/// the approver's language when the error carries it, else in English and French.
pub fn approver_error_page(error: ApproverError, request_id: Option<&str>, chosen: Option<Locale>) -> Response {
    use askama::Template;

    let request_id = request_id.unwrap_or("-");
    let mut known_locale = None;
    let (status, text): (StatusCode, ErrorText) = match error {
        ApproverError::Link(link) => {
            tracing::warn!(request_id, error = %link, "approver link rejected");
            let text: ErrorText = Box::new(move |t| {
                let message = match link {
                    LinkError::Token(TokenError::Expired) => t.token_expired,
                    LinkError::Token(_) => t.token_damaged,
                    LinkError::OtherRequest | LinkError::NotApprover => t.token_other_request,
                    LinkError::NoLongerOwner => t.token_not_owner,
                    LinkError::Missing => t.session_expired,
                };
                (t.forbidden_title, message.to_owned())
            });
            (StatusCode::FORBIDDEN, text)
        }
        ApproverError::Form(form) => {
            tracing::warn!(request_id, error = %form, "approver form rejected");
            let text: ErrorText = Box::new(move |t| {
                let message = match form {
                    FormError::MissingNonce => t.form_missing_nonce,
                    FormError::InvalidNonce => t.form_invalid_nonce,
                    FormError::CrossOrigin => t.form_cross_origin,
                };
                (t.form_rejected_title, message.to_owned())
            });
            (StatusCode::FORBIDDEN, text)
        }
        ApproverError::StaleForm(state, locale) => {
            tracing::info!(request_id, status = %state, "approver form out of date");
            known_locale = Some(locale);
            let text: ErrorText = Box::new(move |t| {
                let label = status_label(state, locale_of(t));
                (t.stale_form_title, t.stale_form_body.replace("{status}", label))
            });
            (StatusCode::CONFLICT, text)
        }
        ApproverError::Closed(Status::Expired, locale) => {
            tracing::info!(request_id, "approver action on an expired request");
            known_locale = Some(locale);
            let text: ErrorText = Box::new(|t| (t.expired_title, t.expired_body.to_owned()));
            (StatusCode::GONE, text)
        }
        ApproverError::Closed(state, locale) => {
            tracing::info!(request_id, status = %state, "approver action on a closed request");
            known_locale = Some(locale);
            let text: ErrorText = Box::new(move |t| {
                let label = status_label(state, locale_of(t));
                (t.conflict_title, t.closed_body.replace("{status}", label))
            });
            (StatusCode::CONFLICT, text)
        }
        ApproverError::App(AppError::Conflict(message)) => {
            tracing::info!(request_id, message = %message, "approver action lost a race");
            let text: ErrorText = Box::new(|t| (t.conflict_title, t.changed_body.to_owned()));
            (StatusCode::CONFLICT, text)
        }
        ApproverError::App(AppError::NotFound(message)) => {
            tracing::info!(request_id, message = %message, "approver link to a missing request");
            let text: ErrorText = Box::new(|t| (t.not_found_title, t.not_found_body.to_owned()));
            (StatusCode::NOT_FOUND, text)
        }
        ApproverError::App(AppError::Forbidden(message)) => {
            tracing::warn!(request_id, message = %message, "approver action forbidden");
            let text: ErrorText = Box::new(move |t| (t.forbidden_title, message.clone()));
            (StatusCode::FORBIDDEN, text)
        }
        ApproverError::App(AppError::Invalid(invalid)) => {
            tracing::warn!(request_id, field = invalid.field, message = %invalid.message, "invalid approver form");
            let field = invalid.field;
            let text: ErrorText = Box::new(move |t| (t.invalid_title, t.invalid_body.replace("{field}", field)));
            (StatusCode::BAD_REQUEST, text)
        }
        ApproverError::App(AppError::Service(source)) => {
            tracing::error!(request_id, error = %source, "approver request failed");
            let text: ErrorText = Box::new(|t| (t.error_title, t.error_body.to_owned()));
            (StatusCode::INTERNAL_SERVER_ERROR, text)
        }
    };
    let languages: Vec<&'static Texts> = match chosen.or(known_locale) {
        Some(locale) => vec![texts(locale)],
        None => vec![&EN, &FR],
    };
    let sections: Vec<ErrorSection> = languages
        .into_iter()
        .map(|t| {
            let (title, message) = text(t);
            ErrorSection {
                lang: t.lang,
                title,
                message,
            }
        })
        .collect();
    let fallback = sections
        .first()
        .map(|section| section.message.clone())
        .unwrap_or_default();
    let page = ErrorPage {
        lang: if sections.len() == 1 { sections[0].lang } else { "en" },
        sections,
    };
    html(status, page.render().unwrap_or(fallback))
}

fn locale_of(t: &Texts) -> Locale {
    if t.lang == FR.lang {
        Locale::Fr
    } else {
        Locale::En
    }
}
