//! Start-up of `lockbox-local` with invalid settings: it stops at once and names the variable.

use std::process::Command;

/// Runs the binary with `settings` and returns its exit success and standard error.
fn start_with(settings: &[(&str, &str)]) -> (bool, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lockbox-local"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    command.env("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
    for (name, value) in settings {
        command.env(name, value);
    }
    let output = command.output().expect("lockbox-local runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn invalid_durations_are_named() {
    for name in ["LOCKBOX_REQUEST_EXPIRY", "LOCKBOX_ACCESS_DURATION", "LOCKBOX_RETENTION"] {
        let (success, stderr) = start_with(&[(name, "eight hours")]);
        assert!(!success, "{name}=eight hours was accepted");
        assert!(stderr.contains(name), "the error does not name {name}: {stderr}");
    }
}

#[test]
fn zero_duration_is_rejected() {
    let (success, stderr) = start_with(&[("LOCKBOX_REQUEST_EXPIRY", "0s")]);
    assert!(!success);
    assert!(stderr.contains("LOCKBOX_REQUEST_EXPIRY"), "{stderr}");
}

#[test]
fn remote_endpoint_is_rejected() {
    let (success, stderr) = start_with(&[("AWS_ENDPOINT_URL", "http://emulator.invalid:5000")]);
    assert!(!success, "a non-loopback endpoint was accepted");
    assert!(stderr.contains("loopback"), "{stderr}");
}

#[test]
fn missing_endpoint_is_named() {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lockbox-local"));
    command.env_clear();
    let output = command.output().expect("lockbox-local runs");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("AWS_ENDPOINT_URL"));
}

#[test]
fn invalid_policy_file_is_named() {
    let path = std::env::temp_dir().join(format!("lockbox-policy-{}.json", std::process::id()));
    std::fs::write(&path, r#"{"rules": []}"#).unwrap();
    let (success, stderr) = start_with(&[("LOCKBOX_JIT_POLICY_FILE", path.to_str().unwrap())]);
    std::fs::remove_file(&path).ok();
    assert!(!success);
    assert!(stderr.contains("LOCKBOX_JIT_POLICY_FILE"), "{stderr}");
}

#[test]
fn invalid_token_key_is_named() {
    let (success, stderr) = start_with(&[("LOCKBOX_TOKEN_KEY", "c2hvcnQ=")]);
    assert!(!success);
    assert!(stderr.contains("LOCKBOX_TOKEN_KEY"), "{stderr}");
}

#[test]
fn non_loopback_listen_is_rejected() {
    let (success, stderr) = start_with(&[("LOCKBOX_LISTEN", "0.0.0.0:0")]);
    assert!(!success, "a non-loopback listen address was accepted");
    assert!(stderr.contains("LOCKBOX_LISTEN"), "{stderr}");
}

#[test]
fn unusable_durations_are_rejected() {
    for (name, value) in [
        ("LOCKBOX_ACCESS_DURATION", "500ms"),
        ("LOCKBOX_REQUEST_EXPIRY", "10000000000h"),
        ("LOCKBOX_RETENTION", "10000000000h"),
        ("LOCKBOX_EXPIRY_INTERVAL", "0s"),
    ] {
        let (success, stderr) = start_with(&[(name, value)]);
        assert!(!success, "{name}={value} was accepted");
        assert!(stderr.contains(name), "the error does not name {name}: {stderr}");
    }
}
