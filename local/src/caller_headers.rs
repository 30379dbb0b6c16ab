//! Local stand-in for the API Gateway authorizer: turns `X-Lockbox-*` headers into the caller.
//! Only the local runner does this; deployed functions read the authorizer's claims.

use axum::extract::Request;
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use lockbox::http::caller::{caller_from_claims, claims};

pub const PRINCIPAL: &str = "x-lockbox-principal";
pub const MFA: &str = "x-lockbox-mfa";
pub const ISOLATED_IDENTITY: &str = "x-lockbox-isolated-identity";
pub const ROLES: &str = "x-lockbox-roles";
pub const TENANT: &str = "x-lockbox-tenant";

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

pub async fn attach_caller(mut request: Request, next: Next) -> Response {
    let headers = request.headers().clone();
    let caller = caller_from_claims(|claim| match claim {
        claims::EMAIL => header(&headers, PRINCIPAL),
        claims::MFA => header(&headers, MFA),
        claims::ISOLATED_IDENTITY => header(&headers, ISOLATED_IDENTITY),
        claims::ROLES => header(&headers, ROLES),
        claims::TENANT_ID => header(&headers, TENANT),
        _ => None,
    });
    if let Some(caller) = caller {
        request.extensions_mut().insert(caller);
    }
    next.run(request).await
}
