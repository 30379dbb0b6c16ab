//! What the running system writes to its log while an approver uses a link: the request's id,
//! never the link's token. The log is read at the level a deployment runs at (`info`), and at
//! `trace` for the lockbox's own code and the HTTP server.

use std::io::Write;
use std::sync::{Arc, Mutex};

use lockbox_tests::*;
use reqwest::StatusCode;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;

/// A log destination that keeps every line in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn logs_never_contain_link_tokens() {
    let captured = Captured::default();
    let writer = captured.clone();
    let filter = Targets::new()
        .with_default(LevelFilter::INFO)
        .with_target("lockbox", LevelFilter::TRACE)
        .with_target("lockbox_local", LevelFilter::TRACE)
        .with_target("axum", LevelFilter::TRACE)
        .with_target("tower", LevelFilter::TRACE);
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .json()
                .with_writer(move || writer.clone())
                .with_filter(filter),
        )
        .init();

    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = lockbox.submit_notified("sub-1").await;
    let link = lockbox.link_for(ALICE, &id).await;
    let (_, token) = split_link(&link);

    let opened = lockbox.open_page(&link).await;
    assert_eq!(opened.status(), StatusCode::OK, "opening the link");
    let approved = lockbox.post_decision(&link, "approve").await;
    assert_eq!(approved.status(), StatusCode::OK, "approving");
    lockbox.wait_for_status(&id, "approved").await;
    let forged = format!("{}x", &token[..token.len() - 1]);
    let rejected = lockbox.http.get(link.replace(&token, &forged)).send().await.unwrap();
    assert_eq!(rejected.status(), StatusCode::FORBIDDEN, "a damaged link");
    let revoked = lockbox.post_revoke(&link).await;
    assert_eq!(revoked.status(), StatusCode::OK, "revoking");
    lockbox.system.stop();

    let log = captured.text();
    assert!(
        log.contains(&id),
        "the log never names the request, so it shows nothing: {log}"
    );
    let signature = token.rsplit('.').next().unwrap();
    assert!(!log.contains(&token), "the log contains a link token");
    assert!(!log.contains(signature), "the log contains a link token's signature");
    assert!(!log.contains(&forged), "the log contains a damaged link token");
    assert!(!log.contains("token="), "the log contains a query string with a token");
}
