//! The approver's page in a real browser: headless Chromium, driven over WebDriver through
//! chromedriver, both from Debian's packages (`bash scripts/ensure-tools.sh --browser`).
//!
//! These tests check what the HTTP tests cannot: that opening the mailed link in a browser
//! decides nothing, and that the page's own form posts the decision under the page's
//! Content-Security-Policy.

use std::fs;
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use lockbox_tests::*;
use serde_json::json;

const INSTALL_HINT: &str = "install it with `bash scripts/ensure-tools.sh --browser`";

/// How long a page may take to show an element after a click.
const PAGE_TIMEOUT: Duration = Duration::from_secs(10);

/// Chromium's switches, besides a new empty profile directory for every browser. The `--disable-*`
/// switches stop Chromium's own background connections (component updates, sync and other
/// services). The resolver rule fails every host name without a DNS query, because Debian's
/// Chromium 156 still opens its start page (start.duckduckgo.com) when the browser starts.
const CHROMIUM_SWITCHES: [&str; 10] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--window-size=1000,1100",
];

/// Returns the path of the executable `name` in a directory of `PATH`.
fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|directory| directory.join(name))
        .find(|candidate| candidate.is_file())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("no free port on loopback")
}

/// A chromedriver process and the Chromium profile directory it uses. Dropping it kills the
/// process group, so chromedriver and the browsers it started end even when a test panics.
struct ChromeDriver {
    process: Child,
    profile: PathBuf,
    chromium: PathBuf,
    url: String,
}

impl ChromeDriver {
    /// Starts chromedriver on a free loopback port and waits until it accepts connections.
    fn start() -> Self {
        let driver = find_on_path("chromedriver")
            .unwrap_or_else(|| panic!("chromedriver was not found on PATH; {INSTALL_HINT}"));
        let chromium =
            find_on_path("chromium").unwrap_or_else(|| panic!("chromium was not found on PATH; {INSTALL_HINT}"));

        // Without --allowed-ips, chromedriver listens on 127.0.0.1 and ::1 only. Any value of
        // --allowed-ips, even an empty one or 127.0.0.1, makes it listen on every interface.
        let port = free_port();
        let process = Command::new(&driver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|error| panic!("failed to start {}: {error}", driver.display()));
        let profile = std::env::temp_dir().join(format!("lockbox-chromium-{}", uuid::Uuid::new_v4().simple()));
        let mut started = Self {
            process,
            profile,
            chromium,
            url: format!("http://127.0.0.1:{port}"),
        };
        fs::create_dir(&started.profile).unwrap_or_else(|error| {
            panic!(
                "failed to create the profile directory {}: {error}",
                started.profile.display()
            )
        });

        let since = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = started.process.try_wait() {
                panic!("chromedriver exited with {status} before it listened on port {port}");
            }
            assert!(
                since.elapsed() < Duration::from_secs(10),
                "chromedriver did not listen on port {port} within 10 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        started
    }

    /// Opens a headless Chromium session.
    async fn open_browser(&self) -> Client {
        let mut capabilities = Capabilities::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        let mut arguments: Vec<String> = CHROMIUM_SWITCHES.iter().map(|switch| switch.to_string()).collect();
        arguments.push(format!("--user-data-dir={}", self.profile.display()));
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({"binary": self.chromium, "args": arguments}),
        );
        ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .unwrap_or_else(|error| {
                panic!(
                    "chromedriver failed to start {}: {error}; {INSTALL_HINT}",
                    self.chromium.display()
                )
            })
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        // The process group id is chromedriver's process id, because of process_group(0).
        let group = format!("-{}", self.process.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.process.wait();
        let _ = fs::remove_dir_all(&self.profile);
    }
}

/// Returns the text of the first element that matches the CSS `selector`.
async fn text_of(browser: &Client, selector: &str) -> String {
    let element = browser
        .find(Locator::Css(selector))
        .await
        .unwrap_or_else(|error| panic!("the page has no element that matches {selector}: {error}"));
    element.text().await.unwrap()
}

/// Waits up to [`PAGE_TIMEOUT`] for an element that matches the CSS `selector`, and returns its
/// text.
async fn wait_for_text(browser: &Client, selector: &str) -> String {
    let element = browser
        .wait()
        .at_most(PAGE_TIMEOUT)
        .for_element(Locator::Css(selector))
        .await
        .unwrap_or_else(|error| {
            panic!(
                "timed out after {PAGE_TIMEOUT:?} waiting for {selector}, so the form post did not complete \
                 (a form-action violation of the Content-Security-Policy is one cause): {error}"
            )
        });
    element.text().await.unwrap()
}

/// Returns the directory where the test saves screenshots: `$CARGO_TARGET_DIR` or `target/`.
fn screenshot_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repository_root().join("target"))
}

fn save_screenshot(png: &[u8], path: &Path) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, png).unwrap_or_else(|error| panic!("failed to write {}: {error}", path.display()));
}

const DECISION_OPERATIONS: [&str; 2] = ["Approve Lockbox Request", "Deny Lockbox Request"];

#[tokio::test(flavor = "multi_thread")]
async fn browser_open_does_not_decide() {
    let driver = ChromeDriver::start();
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = lockbox.submit("sub-1").await;
    lockbox.wait_for_status(&id, "customer_notified").await;
    let link = lockbox.approver_link(ALICE).await;

    let browser = driver.open_browser().await;
    browser.goto(&link).await.unwrap();
    let status = text_of(&browser, "#status").await;
    let ticket = text_of(&browser, "#support-ticket").await;
    let png = browser.screenshot().await.unwrap();
    browser.close().await.unwrap();

    assert_eq!(status, "Waiting for your decision", "the page shows the pending status");
    assert_eq!(ticket, "T-1001", "the page shows the support ticket ID");
    let path = screenshot_dir().join("browser-pending-request.png");
    save_screenshot(&png, &path);
    assert!(
        png.starts_with(b"\x89PNG"),
        "the screenshot {} is not a PNG",
        path.display()
    );

    let request = lockbox.get_request(&id).await;
    assert_eq!(
        request["status"], "customer_notified",
        "opening the page changed the request"
    );
    let operations = lockbox.audit_operations(&id).await;
    for decision in DECISION_OPERATIONS {
        assert!(
            !operations.iter().any(|operation| operation == decision),
            "opening the page wrote {decision:?} to the audit log: {operations:?}"
        );
    }
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn browser_click_approves() {
    let driver = ChromeDriver::start();
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = lockbox.submit("sub-1").await;
    lockbox.wait_for_status(&id, "customer_notified").await;
    let link = lockbox.approver_link(ALICE).await;

    let browser = driver.open_browser().await;
    browser.goto(&link).await.unwrap();
    let approve = browser
        .find(Locator::Css("button.approve"))
        .await
        .expect("the pending page has an Approve button");
    approve.click().await.unwrap();
    let notice = wait_for_text(&browser, "p.notice").await;
    let status = text_of(&browser, "#status").await;
    let url = browser.current_url().await.unwrap();

    // The post redirects to the request's page, so a reload reads the page again instead of
    // posting the decision a second time.
    browser.refresh().await.unwrap();
    let status_after_reload = text_of(&browser, "#status").await;
    let title_after_reload = browser.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
    browser.close().await.unwrap();

    assert!(
        notice.starts_with("You approved this request."),
        "the page after the click shows {notice:?} instead of the approved notice"
    );
    assert_eq!(status, "Approved", "the page after the click shows the wrong status");
    assert!(
        url.path().ends_with(&format!("/lockbox/requests/{id}")),
        "the decision did not redirect to the request's page: {url}"
    );
    assert_eq!(
        status_after_reload, "Approved",
        "the page after a reload shows the wrong status"
    );
    assert_eq!(
        title_after_reload, "Access request",
        "a reload after approving shows {title_after_reload:?}"
    );

    let request = lockbox.get_request(&id).await;
    assert_eq!(request["status"], "approved", "the click did not approve the request");
    let approvals = lockbox.count_operation(&id, "Approve Lockbox Request").await;
    assert_eq!(approvals, 1, "the audit log has {approvals} approvals instead of one");
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn browser_french_page() {
    let driver = ChromeDriver::start();
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en"), (BOB, "fr")]).await;
    let id = lockbox.submit("sub-1").await;
    lockbox.wait_for_status(&id, "customer_notified").await;
    let link = lockbox.approver_link(BOB).await;

    let browser = driver.open_browser().await;
    browser.goto(&link).await.unwrap();
    let lang = browser
        .find(Locator::Css("html"))
        .await
        .unwrap()
        .attr("lang")
        .await
        .unwrap();
    let deny = browser
        .find(Locator::Css("button.deny"))
        .await
        .expect("the pending page has a deny button");
    let deny_label = deny.text().await.unwrap();
    deny.click().await.unwrap();
    let notice = wait_for_text(&browser, "p.notice").await;
    browser.close().await.unwrap();

    assert_eq!(lang.as_deref(), Some("fr"), "Bob's page is not marked as French");
    assert_eq!(deny_label, "Refuser", "the deny button is not in French");
    assert_eq!(
        notice, "Vous avez refusé cette demande. Aucun accès n’est accordé.",
        "the page after the click does not show the French denied notice"
    );

    let request = lockbox.get_request(&id).await;
    assert_eq!(request["status"], "denied", "the click did not deny the request");
    lockbox.system.stop();
}
