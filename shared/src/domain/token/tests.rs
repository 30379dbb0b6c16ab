use chrono::{TimeDelta, TimeZone};

use super::*;

fn key() -> TokenKey {
    TokenKey::from_bytes(vec![7; 32]).unwrap()
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 10, 0, 0).unwrap()
}

fn token() -> ApprovalToken {
    ApprovalToken {
        request_id: RequestId::new_random(),
        approver: Email::parse("owner@example.com").unwrap(),
        expires_at: now() + TimeDelta::hours(1),
    }
}

#[test]
fn token_round_trips() {
    let token = token();
    let text = token.sign(&key());
    assert_eq!(ApprovalToken::verify(&text, &key(), now()).unwrap(), token);
}

#[test]
fn token_expires_at_its_instant() {
    let token = token();
    let text = token.sign(&key());
    assert_eq!(
        ApprovalToken::verify(&text, &key(), token.expires_at),
        Err(TokenError::Expired)
    );
    assert!(ApprovalToken::verify(&text, &key(), token.expires_at - TimeDelta::seconds(1)).is_ok());
}

#[test]
fn token_from_other_key_fails() {
    let text = token().sign(&TokenKey::from_bytes(vec![8; 32]).unwrap());
    assert_eq!(
        ApprovalToken::verify(&text, &key(), now()),
        Err(TokenError::BadSignature)
    );
}

#[test]
fn token_rejects_every_single_character_change() {
    let text = token().sign(&key());
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ";
    for position in 0..text.len() {
        let original = text.as_bytes()[position] as char;
        for replacement in alphabet.chars().filter(|c| *c != original) {
            let mut changed = text.clone();
            changed.replace_range(position..position + 1, &replacement.to_string());
            assert!(
                ApprovalToken::verify(&changed, &key(), now()).is_err(),
                "{changed} verified"
            );
        }
        let mut missing = text.clone();
        missing.remove(position);
        assert!(
            ApprovalToken::verify(&missing, &key(), now()).is_err(),
            "{missing} verified"
        );
        let mut extra = text.clone();
        extra.insert(position, 'A');
        assert!(
            ApprovalToken::verify(&extra, &key(), now()).is_err(),
            "{extra} verified"
        );
    }
    assert!(ApprovalToken::verify(&format!("{text}A"), &key(), now()).is_err());
}

#[test]
fn token_rejects_garbage() {
    for text in ["", ".", "abc", "abc.def", "....", "\u{1F600}.\u{1F600}"] {
        assert!(ApprovalToken::verify(text, &key(), now()).is_err(), "{text:?} verified");
    }
}

#[test]
fn key_must_be_long_enough() {
    assert_eq!(TokenKey::from_bytes(vec![1; 31]).unwrap_err(), KeyError::TooShort(31));
    assert!(TokenKey::from_base64("not base64!").is_err());
    assert!(TokenKey::from_base64(&base64::engine::general_purpose::STANDARD.encode([3u8; 32])).is_ok());
}
