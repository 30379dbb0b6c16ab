//! Approval tokens: the signed part of the links mailed to designated approvers.
//!
//! A token binds one request, one approver and an expiry instant, and is signed with
//! HMAC-SHA256 under a key from configuration. Its text form is two base64url strings without
//! padding, joined by a dot: the payload and the signature. Decoding is strict (no padding, no
//! stray bits), so a link that a mail client changed by one character does not verify.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::ids::{Email, RequestId};

type HmacSha256 = Hmac<Sha256>;

const FORMAT_VERSION: u8 = 1;
/// Version byte, request id and expiry in epoch seconds come before the approver's address.
const FIXED_LEN: usize = 1 + 16 + 8;
/// The shortest signing key accepted, in bytes.
pub const MIN_KEY_LEN: usize = 32;

/// The secret that signs and checks approval tokens.
#[derive(Clone)]
pub struct TokenKey(Vec<u8>);

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKey(..)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the token key is not valid base64")]
    NotBase64,
    #[error("the token key is {0} bytes long; it must be at least {MIN_KEY_LEN} bytes")]
    TooShort(usize),
}

impl TokenKey {
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, KeyError> {
        if bytes.len() < MIN_KEY_LEN {
            return Err(KeyError::TooShort(bytes.len()));
        }
        Ok(Self(bytes))
    }

    /// Reads a key written in standard or URL-safe base64.
    pub fn from_base64(text: &str) -> Result<Self, KeyError> {
        let text = text.trim();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .or_else(|_| URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')))
            .map_err(|_| KeyError::NotBase64)?;
        Self::from_bytes(bytes)
    }

    /// Writes the key in standard base64, the form [`TokenKey::from_base64`] reads, for storing
    /// it in a secret.
    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(&self.0)
    }

    pub(crate) fn mac(&self) -> HmacSha256 {
        <HmacSha256 as KeyInit>::new_from_slice(&self.0).expect("HMAC accepts keys of any length")
    }
}

/// The claims a token carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalToken {
    pub request_id: RequestId,
    pub approver: Email,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the link is damaged or incomplete")]
    Malformed,
    #[error("the link's signature does not match")]
    BadSignature,
    #[error("the link has expired")]
    Expired,
}

impl ApprovalToken {
    pub fn sign(&self, key: &TokenKey) -> String {
        let mut payload = Vec::with_capacity(FIXED_LEN + self.approver.as_str().len());
        payload.push(FORMAT_VERSION);
        payload.extend_from_slice(self.request_id.as_bytes());
        // The token stores whole seconds. Rounding up keeps a link valid until its expiry
        // instant rather than up to a second before it.
        let expiry_seconds = self.expires_at.timestamp() + i64::from(self.expires_at.timestamp_subsec_nanos() > 0);
        payload.extend_from_slice(&expiry_seconds.to_be_bytes());
        payload.extend_from_slice(self.approver.as_str().as_bytes());

        let mut mac = key.mac();
        mac.update(&payload);
        let signature = mac.finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&payload),
            URL_SAFE_NO_PAD.encode(signature)
        )
    }

    /// Checks the signature and expiry of `text` and returns its claims.
    pub fn verify(text: &str, key: &TokenKey, now: DateTime<Utc>) -> Result<Self, TokenError> {
        let (payload_text, signature_text) = text.split_once('.').ok_or(TokenError::Malformed)?;
        let payload = URL_SAFE_NO_PAD
            .decode(payload_text)
            .map_err(|_| TokenError::Malformed)?;
        let signature = URL_SAFE_NO_PAD
            .decode(signature_text)
            .map_err(|_| TokenError::Malformed)?;

        let mut mac = key.mac();
        mac.update(&payload);
        mac.verify_slice(&signature).map_err(|_| TokenError::BadSignature)?;

        // The signature is valid, so the payload is one this service wrote; the checks below
        // guard against a key shared with an older token format.
        if payload.len() <= FIXED_LEN || payload[0] != FORMAT_VERSION {
            return Err(TokenError::Malformed);
        }
        let request_bytes: [u8; 16] = payload[1..17].try_into().map_err(|_| TokenError::Malformed)?;
        let expiry_bytes: [u8; 8] = payload[17..25].try_into().map_err(|_| TokenError::Malformed)?;
        let expires_at = DateTime::from_timestamp(i64::from_be_bytes(expiry_bytes), 0).ok_or(TokenError::Malformed)?;
        let approver = std::str::from_utf8(&payload[FIXED_LEN..])
            .ok()
            .and_then(|text| Email::parse(text).ok())
            .ok_or(TokenError::Malformed)?;

        if now >= expires_at {
            return Err(TokenError::Expired);
        }
        Ok(Self {
            request_id: RequestId::from_bytes(request_bytes),
            approver,
            expires_at,
        })
    }
}

#[cfg(test)]
mod tests;
