//! Form nonces: the value an approver page puts into each form, which a POST must return.
//!
//! A nonce is HMAC-SHA256, under the link-signing key, of the form's action, the request id,
//! the approver and the request's version. It needs no storage: every transition increments the
//! version, and the store writes a transition only from the version it was read at, so a nonce
//! stops matching as soon as the request changes. A page loaded before a decision therefore
//! cannot post a second one, and a page of one request or approver cannot post for another.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::Mac;

use super::ids::{Email, RequestId};
use super::token::TokenKey;

/// Separates nonce MACs from token signatures made with the same key.
const DOMAIN: &[u8] = b"lockbox form nonce v1\0";

/// The form a nonce was issued for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormAction {
    Decision,
    Revoke,
}

impl FormAction {
    fn as_bytes(self) -> &'static [u8] {
        match self {
            FormAction::Decision => b"decision",
            FormAction::Revoke => b"revoke",
        }
    }
}

/// The result of checking a posted nonce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonceMatch {
    /// The nonce of the request's current version.
    Current,
    /// The nonce of an earlier version: the form was already used, or the request changed after
    /// the page was loaded.
    Stale,
    /// No version of this request, approver and action.
    Invalid,
}

/// Issues the nonce of `action` on version `version` of request `request_id` for `approver`.
pub fn issue(key: &TokenKey, action: FormAction, request_id: RequestId, approver: &Email, version: u64) -> String {
    URL_SAFE_NO_PAD.encode(mac(key, action, request_id, approver, version))
}

/// Checks a posted nonce against the request's current version and every earlier one.
pub fn check(
    key: &TokenKey,
    nonce: &str,
    action: FormAction,
    request_id: RequestId,
    approver: &Email,
    version: u64,
) -> NonceMatch {
    let Ok(posted) = URL_SAFE_NO_PAD.decode(nonce) else {
        return NonceMatch::Invalid;
    };
    let matches = |candidate: u64| {
        let mut hmac = key.mac();
        hmac.update(&message(action, request_id, approver, candidate));
        hmac.verify_slice(&posted).is_ok()
    };
    if matches(version) {
        return NonceMatch::Current;
    }
    // Versions start at 1 and a request has a handful of transitions, so this loop is short.
    if (1..version).any(matches) {
        return NonceMatch::Stale;
    }
    NonceMatch::Invalid
}

fn message(action: FormAction, request_id: RequestId, approver: &Email, version: u64) -> Vec<u8> {
    let mut message = Vec::with_capacity(DOMAIN.len() + 16 + 8 + 16 + approver.as_str().len());
    message.extend_from_slice(DOMAIN);
    message.extend_from_slice(action.as_bytes());
    message.push(0);
    message.extend_from_slice(request_id.as_bytes());
    message.extend_from_slice(&version.to_be_bytes());
    message.extend_from_slice(approver.as_str().as_bytes());
    message
}

fn mac(key: &TokenKey, action: FormAction, request_id: RequestId, approver: &Email, version: u64) -> Vec<u8> {
    let mut hmac = key.mac();
    hmac.update(&message(action, request_id, approver, version));
    hmac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> TokenKey {
        TokenKey::from_bytes(vec![9; 32]).unwrap()
    }

    fn approver() -> Email {
        Email::parse("owner@example.com").unwrap()
    }

    #[test]
    fn nonce_matches_its_version() {
        let id = RequestId::new_random();
        let nonce = issue(&key(), FormAction::Decision, id, &approver(), 3);
        let result = check(&key(), &nonce, FormAction::Decision, id, &approver(), 3);
        assert_eq!(result, NonceMatch::Current);
    }

    #[test]
    fn nonce_of_earlier_version_is_stale() {
        let id = RequestId::new_random();
        let nonce = issue(&key(), FormAction::Decision, id, &approver(), 2);
        let result = check(&key(), &nonce, FormAction::Decision, id, &approver(), 3);
        assert_eq!(result, NonceMatch::Stale);
    }

    #[test]
    fn nonce_is_bound_to_every_claim() {
        let id = RequestId::new_random();
        let nonce = issue(&key(), FormAction::Decision, id, &approver(), 2);
        let other = Email::parse("other@example.com").unwrap();
        let other_key = TokenKey::from_bytes(vec![8; 32]).unwrap();
        let cases = [
            (
                "other action",
                check(&key(), &nonce, FormAction::Revoke, id, &approver(), 2),
            ),
            (
                "other request",
                check(
                    &key(),
                    &nonce,
                    FormAction::Decision,
                    RequestId::new_random(),
                    &approver(),
                    2,
                ),
            ),
            (
                "other approver",
                check(&key(), &nonce, FormAction::Decision, id, &other, 2),
            ),
            (
                "other key",
                check(&other_key, &nonce, FormAction::Decision, id, &approver(), 2),
            ),
            (
                "later version",
                check(&key(), &nonce, FormAction::Decision, id, &approver(), 1),
            ),
        ];
        for (case, result) in cases {
            assert_eq!(result, NonceMatch::Invalid, "{case}");
        }
    }

    #[test]
    fn damaged_nonce_is_invalid() {
        let id = RequestId::new_random();
        let nonce = issue(&key(), FormAction::Decision, id, &approver(), 1);
        for damaged in ["", "not base64!", &nonce[1..], &format!("{nonce}A")] {
            let result = check(&key(), damaged, FormAction::Decision, id, &approver(), 1);
            assert_eq!(result, NonceMatch::Invalid, "{damaged:?}");
        }
    }
}
