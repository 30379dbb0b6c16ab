//! Rejects approver forms that another site makes the browser post.

use axum::http::{header, HeaderMap};

use crate::app::decide::FormError;

/// Checks that a form post comes from a page of this origin.
///
/// Current browsers send `Sec-Fetch-Site` (Chromium since version 76, Firefox since 90, Safari
/// since 16.4), and it must then be `same-origin`. The `Origin` of a post from an approver page
/// is `null`, because the pages are sent with `Referrer-Policy: no-referrer`, so `Origin` is
/// checked only when it names an origin, for browsers without `Sec-Fetch-Site`. A post with
/// neither header, such as one from curl, passes: it still needs the link's token and the
/// form's nonce, which another site cannot read.
pub fn require_same_origin(headers: &HeaderMap) -> Result<(), FormError> {
    if let Some(site) = headers.get("sec-fetch-site") {
        return if site.as_bytes() == b"same-origin" {
            Ok(())
        } else {
            Err(FormError::CrossOrigin)
        };
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    if origin.as_bytes() == b"null" {
        return Ok(());
    }
    let host = headers.get(header::HOST).and_then(|host| host.to_str().ok());
    let origin_host = origin.to_str().ok().and_then(|origin| {
        origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"))
    });
    match (origin_host, host) {
        (Some(origin_host), Some(host)) if origin_host.eq_ignore_ascii_case(host) => Ok(()),
        _ => Err(FormError::CrossOrigin),
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn same_origin_post_passes() {
        let cases = [
            headers(&[
                ("host", "127.0.0.1:3000"),
                ("origin", "http://127.0.0.1:3000"),
                ("sec-fetch-site", "same-origin"),
            ]),
            headers(&[
                ("host", "lockbox.example.com"),
                ("origin", "https://lockbox.example.com"),
            ]),
            headers(&[("host", "127.0.0.1:3000")]),
            headers(&[
                ("host", "127.0.0.1:3000"),
                ("origin", "null"),
                ("sec-fetch-site", "same-origin"),
            ]),
            headers(&[("host", "127.0.0.1:3000"), ("origin", "null")]),
        ];
        for case in cases {
            assert_eq!(require_same_origin(&case), Ok(()), "{case:?}");
        }
    }

    #[test]
    fn cross_origin_post_fails() {
        let cases = [
            headers(&[("host", "127.0.0.1:3000"), ("origin", "http://127.0.0.1:4000")]),
            headers(&[("host", "127.0.0.1:3000"), ("origin", "http://evil.example")]),
            headers(&[
                ("host", "127.0.0.1:3000"),
                ("origin", "null"),
                ("sec-fetch-site", "cross-site"),
            ]),
            headers(&[("host", "127.0.0.1:3000"), ("sec-fetch-site", "same-site")]),
            headers(&[("host", "127.0.0.1:3000"), ("sec-fetch-site", "cross-site")]),
            headers(&[("host", "127.0.0.1:3000"), ("sec-fetch-site", "none")]),
            headers(&[("origin", "http://127.0.0.1:3000")]),
        ];
        for case in cases {
            assert_eq!(require_same_origin(&case), Err(FormError::CrossOrigin), "{case:?}");
        }
    }
}
