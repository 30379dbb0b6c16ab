//! The cookie that carries an approver link's token once the browser has left the link's URL.
//!
//! The first GET of a link with `?token=` stores the token in a cookie named after the link's
//! request. The browser then moves on to the same page without the token, so the token stays
//! out of the address bar, the history and any later `Referer`. The cookie is `HttpOnly` (no script
//! reads it), `Secure` (sent over HTTPS only; Chromium 156 also keeps and sends it on
//! `http://127.0.0.1`, which it treats as a secure context), `SameSite=Strict` (no other site
//! can make the browser send it) and limited to the approver pages' path.

use axum::http::{header, HeaderMap, HeaderValue};
use chrono::{DateTime, Utc};

use crate::domain::ids::RequestId;

/// How long the cookie lasts, in seconds, unless the link expires sooner. It only needs to last
/// while the approver reads the page and decides.
pub const MAX_AGE_SECONDS: i64 = 30 * 60;

const NAME_PREFIX: &str = "lockbox_link_";

fn cookie_name(request_id: RequestId) -> String {
    format!("{NAME_PREFIX}{request_id}")
}

/// Reads the token that the cookie of `request_id` carries.
pub fn read(headers: &HeaderMap, request_id: RequestId) -> Option<String> {
    let name = cookie_name(request_id);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty())
}

/// Builds the `Set-Cookie` value that stores `token` for `request_id` under `base_path`'s
/// approver pages, until the earlier of [`MAX_AGE_SECONDS`] from now and the link's expiry.
pub fn set(
    request_id: RequestId,
    token: &str,
    base_path: &str,
    link_expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> HeaderValue {
    let max_age = (link_expires_at - now).num_seconds().clamp(0, MAX_AGE_SECONDS);
    let value = format!(
        "{}={token}; Path={base_path}/lockbox; Max-Age={max_age}; HttpOnly; Secure; SameSite=Strict",
        cookie_name(request_id)
    );
    // A verified token is base64url and a dot, and the path comes from a parsed URL, so the
    // value is always a valid header.
    HeaderValue::from_str(&value).expect("a cookie of base64url text is a valid header value")
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    #[test]
    fn cookie_round_trips() {
        let id = RequestId::new_random();
        let now = Utc::now();
        let set_cookie = set(id, "abc.def", "/Prod", now + TimeDelta::days(5), now);
        let text = set_cookie.to_str().unwrap();
        assert!(text.contains("; Path=/Prod/lockbox;"), "{text}");
        assert!(text.contains("; Max-Age=1800;"), "{text}");
        assert!(text.ends_with("; HttpOnly; Secure; SameSite=Strict"), "{text}");

        let pair = text.split(';').next().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("other=1; {pair}")).unwrap(),
        );
        assert_eq!(read(&headers, id).as_deref(), Some("abc.def"));
        assert_eq!(
            read(&headers, RequestId::new_random()),
            None,
            "another request's cookie"
        );
    }

    #[test]
    fn cookie_ends_with_its_link() {
        let now = Utc::now();
        let set_cookie = set(RequestId::new_random(), "a.b", "", now + TimeDelta::seconds(90), now);
        assert!(set_cookie.to_str().unwrap().contains("; Max-Age=90;"));
    }
}
