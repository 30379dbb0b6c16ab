//! Runs the six function binaries under `cargo lambda watch`, as a developer would, and invokes
//! each with every sample event in `events/` through `cargo lambda invoke`.
//!
//! The functions get the environment that template.yaml's `Globals` sets, and reach the
//! emulator on loopback for DynamoDB, EventBridge, SES and Secrets Manager.

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use lockbox_local::template::Template;
use lockbox_tests::{emulator_endpoint, repository_root, TestSystem};
use serde_json::Value;
use tokio::process::{Child, Command};

/// The expected response to an event.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// An API Gateway response with this status code.
    Http(u16),
    /// An EventBridge event that the function handled.
    Handled,
    /// A scheduled run that returned its report.
    Report,
}

/// Every file under `events/`, in the order they are sent, and the expected response. The
/// subscription is registered first, so that the submissions are accepted. The sample request
/// id belongs to no stored request, and the sample link tokens are not signed with the key.
const CASES: &[(&str, &str, Expect)] = &[
    ("submit", "submit/register-subscription.json", Expect::Http(200)),
    ("submit", "submit/submit-request.json", Expect::Http(202)),
    ("submit", "submit/submit-request-prod-stage.json", Expect::Http(202)),
    ("submit", "submit/submit-request-rest-api.json", Expect::Http(202)),
    ("submit", "submit/get-request.json", Expect::Http(404)),
    ("submit", "submit/cancel-request.json", Expect::Http(404)),
    ("evaluate-jit", "evaluate-jit/request-submitted.json", Expect::Handled),
    ("notify", "notify/request-customer-notified.json", Expect::Handled),
    ("notify", "notify/request-approved.json", Expect::Handled),
    ("notify", "notify/request-denied.json", Expect::Handled),
    ("notify", "notify/request-expired.json", Expect::Handled),
    ("notify", "notify/request-rejected.json", Expect::Handled),
    ("notify", "notify/request-access-ended.json", Expect::Handled),
    ("notify", "notify/request-revoked.json", Expect::Handled),
    ("decide", "decide/pending-requests.json", Expect::Http(403)),
    ("decide", "decide/view-request.json", Expect::Http(403)),
    ("decide", "decide/decision.json", Expect::Http(403)),
    ("decide", "decide/internal-approval.json", Expect::Http(404)),
    ("expire", "expire/schedule.json", Expect::Report),
    ("audit-query", "audit-query/audit-by-request.json", Expect::Http(200)),
];

/// How long one invocation may take, including the first build of its function.
const INVOKE_TIMEOUT: Duration = Duration::from_secs(600);

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free loopback port")
}

fn event_files(root: &Path) -> BTreeSet<String> {
    let mut files = BTreeSet::new();
    for folder in std::fs::read_dir(root).expect("events/ is readable") {
        let folder = folder.unwrap().path();
        for file in std::fs::read_dir(&folder).unwrap() {
            let file = file.unwrap().path();
            let relative = file.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            files.insert(relative);
        }
    }
    files
}

#[test]
fn every_event_file_has_a_case() {
    let listed: BTreeSet<String> = CASES.iter().map(|(_, path, _)| path.to_string()).collect();
    let present = event_files(&repository_root().join("events"));
    assert_eq!(listed, present, "events/ and CASES list different files");
    for (function, path, _) in CASES {
        assert!(
            path.starts_with(&format!("{function}/")),
            "{path} is not in the folder of {function}"
        );
    }
}

/// Starts `cargo lambda watch` on a free loopback port with the given environment.
fn start_watch(port: u16, environment: &[(String, String)], log: &Path) -> Child {
    let log = std::fs::File::create(log).expect("the watch log can be created");
    let mut command = Command::new("cargo");
    command
        .current_dir(repository_root())
        .args(["lambda", "watch", "--ignore-changes", "--invoke-address", "127.0.0.1"])
        .args(["--invoke-port", &port.to_string()])
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .kill_on_drop(true);
    for (name, value) in environment {
        command.args(["--env-var", &format!("{name}={value}")]);
    }
    command
        .spawn()
        .expect("cargo lambda starts; scripts/ensure-tools.sh --cargo-lambda installs it")
}

async fn wait_for_port(port: u16, watch: &mut Child, log: &Path) {
    for _ in 0..600 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return;
        }
        if let Some(status) = watch.try_wait().unwrap() {
            let output = std::fs::read_to_string(log).unwrap_or_default();
            panic!("cargo lambda watch exited with {status}:\n{output}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("cargo lambda watch did not listen on port {port} within 60 s");
}

/// Invokes `function` with the event in `events/<path>` and returns the function's response.
async fn invoke(function: &str, path: &str, port: u16, log: &Path) -> Value {
    let data_file = repository_root().join("events").join(path);
    let output = Command::new("cargo")
        .current_dir(repository_root())
        .args(["lambda", "invoke", function, "--output-format", "json"])
        .args(["--invoke-address", "127.0.0.1", "--invoke-port", &port.to_string()])
        .arg("--data-file")
        .arg(&data_file)
        .kill_on_drop(true)
        .output();
    // A function that exits leaves the invocation waiting, so the watch log is checked too.
    let output = tokio::select! {
        output = output => output.expect("cargo lambda invoke runs"),
        _ = tokio::time::sleep(INVOKE_TIMEOUT) => panic!("invoking {function} with {path} timed out"),
        exited = function_exited(log) => panic!("{function} exited on {path}:\n{exited}"),
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        let watch_log = std::fs::read_to_string(log).unwrap_or_default();
        panic!(
            "{function} failed on {path}:\n{stdout}\n{}\nwatch log:\n{watch_log}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    serde_json::from_str(&stdout)
        .unwrap_or_else(|error| panic!("{function} on {path}: `{stdout}` is not JSON: {error}"))
}

/// Waits until the watch log reports that a function process exited, and returns the log.
async fn function_exited(log: &Path) -> String {
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if text.contains("command exited") {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn events_invoke_under_cargo_lambda_watch() {
    let lockbox = TestSystem::start().await;
    let template = Template::load(&repository_root().join("template.yaml")).unwrap();

    let mut environment: Vec<(String, String)> = template.global_environment.clone().into_iter().collect();
    environment.extend(
        [
            ("AWS_ENDPOINT_URL", emulator_endpoint()),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", "test"),
            ("AWS_SECRET_ACCESS_KEY", "test"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("LOCKBOX_TABLE", &lockbox.system.table),
            ("LOCKBOX_EVENT_BUS", &lockbox.system.event_bus),
            (
                "LOCKBOX_TOKEN_KEY_SECRET",
                &format!("{}/token-key", lockbox.system.table),
            ),
            ("LOCKBOX_PUBLIC_URL", &lockbox.base),
            ("LOCKBOX_SENDER", "lockbox@lockbox.localhost"),
        ]
        .map(|(name, value)| (name.to_owned(), value.to_owned())),
    );

    let port = free_port();
    let log = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cargo-lambda-watch.log");
    let mut watch = start_watch(port, &environment, &log);
    wait_for_port(port, &mut watch, &log).await;

    for (function, path, expect) in CASES {
        let response = invoke(function, path, port, &log).await;
        match expect {
            Expect::Http(status) => {
                assert_eq!(response["statusCode"], *status, "{function} on {path}: {response}");
            }
            Expect::Handled => {
                assert_eq!(response, serde_json::json!({"handled": true}), "{function} on {path}");
            }
            Expect::Report => {
                assert_eq!(
                    response,
                    serde_json::json!({"expired": 0, "access_ended": 0, "skipped": 0}),
                    "{function} on {path}"
                );
            }
        }
    }

    watch.kill().await.ok();
    lockbox.system.stop();
}
