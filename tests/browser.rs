//! The approver's page in a real browser: headless Chromium, driven over WebDriver through
//! chromedriver, both from Debian's packages (`bash scripts/ensure-tools.sh --browser`).
//!
//! These tests check what the HTTP tests cannot. A mailed link opened from another site (the
//! mail, shown from a `data:` address) reaches the request's page with the link cookie, and
//! opening it decides nothing. The page's own forms post under the page's
//! Content-Security-Policy, and a keyboard alone can reach and press every control. Each test
//! saves screenshots of the mail and the pages, at desktop and 360 px widths, under
//! `$CARGO_TARGET_TMPDIR/screenshots/<test name>/`.

use std::fs;
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;

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
    let found = browser
        .wait()
        .at_most(PAGE_TIMEOUT)
        .for_element(Locator::Css(selector))
        .await;
    match found {
        Ok(element) => element.text().await.unwrap(),
        Err(error) => {
            let url = browser
                .current_url()
                .await
                .map(|url| url.to_string())
                .unwrap_or_default();
            let source = browser.source().await.unwrap_or_default();
            panic!(
                "timed out after {PAGE_TIMEOUT:?} waiting for {selector}, so the navigation or form post did not \
                 complete (a form-action violation of the Content-Security-Policy is one cause): {error}; the \
                 browser shows {url}:\n{source}"
            )
        }
    }
}

/// Waits up to [`PAGE_TIMEOUT`] until the element that matches the CSS `selector` has the text
/// `expected`. It reads the page again while a navigation replaces the element.
async fn wait_for_exact_text(browser: &Client, selector: &str, expected: &str) {
    let deadline = Instant::now() + PAGE_TIMEOUT;
    let mut last = String::new();
    while Instant::now() < deadline {
        if let Ok(element) = browser.find(Locator::Css(selector)).await {
            if let Ok(text) = element.text().await {
                if text == expected {
                    return;
                }
                last = text;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out after {PAGE_TIMEOUT:?} waiting for {selector} to read {expected:?}; it reads {last:?}");
}

/// Window widths of the screenshots: a desktop and a small phone.
const WIDTHS: [(&str, u32); 2] = [("desktop", 1000), ("360px", 360)];

/// Window height while a page is measured, and the tallest screenshot taken.
const MEASURE_HEIGHT: u32 = 800;
const MAX_SCREENSHOT_HEIGHT: u32 = 8000;

/// Returns the folder where test `name` saves its screenshots.
fn screenshot_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots").join(name)
}

/// Saves screenshots of the whole current page as `<page>-desktop.png` and `<page>-360px.png`
/// in `dir`, then restores the desktop width. At each width the window is first made as tall
/// as the page plus the window's own frame, because WebDriver screenshots show only the
/// viewport.
async fn save_screenshots(browser: &Client, dir: &Path, page: &str) {
    fs::create_dir_all(dir).unwrap();
    for (label, width) in WIDTHS {
        browser.set_window_size(width, MEASURE_HEIGHT).await.unwrap();
        let height = browser
            .execute(
                "return document.documentElement.scrollHeight + window.outerHeight - window.innerHeight;",
                vec![],
            )
            .await
            .unwrap()
            .as_u64()
            .expect("the page height is a number");
        let height = u32::try_from(height)
            .unwrap_or(u32::MAX)
            .clamp(MEASURE_HEIGHT, MAX_SCREENSHOT_HEIGHT);
        browser.set_window_size(width, height).await.unwrap();
        let png = browser.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "the screenshot of {page} is not a PNG");
        let path = dir.join(format!("{page}-{label}.png"));
        fs::write(&path, png).unwrap_or_else(|error| panic!("failed to write {}: {error}", path.display()));
    }
    browser.set_window_size(WIDTHS[0].1, MEASURE_HEIGHT).await.unwrap();
}

/// Shows `mail`'s HTML part from a `data:` address, as a mail client on another site would,
/// saves its screenshots, and follows its link to the request. Returns once the request's page
/// shows its status, which it does only if the link cookie came along.
async fn open_mail(browser: &Client, mail: &lockbox_local::outbox::SentMail, dir: &Path) {
    let encoded = base64::engine::general_purpose::STANDARD.encode(mail.html.as_bytes());
    browser
        .goto(&format!("data:text/html;charset=utf-8;base64,{encoded}"))
        .await
        .unwrap();
    save_screenshots(browser, dir, "mail").await;
    browser
        .find(Locator::Css("a[href*='/lockbox/requests/']"))
        .await
        .expect("the mail links to the request")
        .click()
        .await
        .unwrap();
    wait_for_text(browser, "#status").await;
}

/// Clicks the element that `selector` finds on the current page.
async fn click(browser: &Client, selector: &str) {
    browser
        .find(Locator::Css(selector))
        .await
        .unwrap_or_else(|error| panic!("{selector} is not on the page: {error}"))
        .click()
        .await
        .unwrap();
}

/// Types `text` into the field that `selector` finds on the current page.
async fn type_into(browser: &Client, selector: &str, text: &str) {
    browser
        .find(Locator::Css(selector))
        .await
        .unwrap_or_else(|error| panic!("{selector} is not on the page: {error}"))
        .send_keys(text)
        .await
        .unwrap();
}

/// Waits for the approver mail to `email` and returns the newest one.
async fn approver_mail(lockbox: &TestSystem, email: &str) -> lockbox_local::outbox::SentMail {
    lockbox.wait_for_mail(email, 1).await.pop().unwrap()
}

/// Returns the current page's path, after checking that its address carries no token.
async fn tokenless_path(browser: &Client) -> String {
    let url = browser.current_url().await.unwrap();
    assert!(
        !url.as_str().contains("token="),
        "the address bar still shows the link's token: {url}"
    );
    url.path().to_owned()
}

const DECISION_OPERATIONS: [&str; 2] = ["Approve Lockbox Request", "Deny Lockbox Request"];

#[tokio::test(flavor = "multi_thread")]
async fn browser_open_does_not_decide() {
    let driver = ChromeDriver::start();
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = lockbox.submit_notified("sub-1").await;
    let mail = approver_mail(&lockbox, ALICE).await;
    let dir = screenshot_dir("browser_open_does_not_decide");

    let browser = driver.open_browser().await;
    open_mail(&browser, &mail, &dir).await;
    let status = text_of(&browser, "#status").await;
    let ticket = text_of(&browser, "#support-ticket").await;
    let path = tokenless_path(&browser).await;
    // A reload reads the page again with the cookie alone.
    browser.refresh().await.unwrap();
    let status_after_reload = text_of(&browser, "#status").await;
    browser.close().await.unwrap();

    assert_eq!(status, "Waiting for your decision", "the page shows the pending status");
    assert_eq!(ticket, "T-1001", "the page shows the support ticket ID");
    assert_eq!(path, format!("/lockbox/requests/{id}"), "the page's address");
    assert_eq!(
        status_after_reload, "Waiting for your decision",
        "the page after a reload"
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
    let older = lockbox.submit("sub-1").await;
    let id = lockbox.submit("sub-1").await;
    lockbox.wait_for_status(&older, "customer_notified").await;
    lockbox.wait_for_status(&id, "customer_notified").await;
    let mail = lockbox
        .wait_for_mail(ALICE, 2)
        .await
        .into_iter()
        .find(|mail| mail.links.iter().any(|link| link.contains(&id)))
        .expect("Alice has the mail of the newer request");
    let dir = screenshot_dir("browser_click_approves");

    let browser = driver.open_browser().await;
    open_mail(&browser, &mail, &dir).await;
    save_screenshots(&browser, &dir, "request").await;

    // The lockbox page lists both pending requests, newest first, with the time left.
    click(&browser, "#list-link").await;
    wait_for_text(&browser, "ul.requests").await;
    let listed: Vec<String> = {
        let mut ids = Vec::new();
        for element in browser.find_all(Locator::Css(".request-id")).await.unwrap() {
            ids.push(element.text().await.unwrap());
        }
        ids
    };
    let time_left = text_of(&browser, ".time-left").await;
    tokenless_path(&browser).await;
    save_screenshots(&browser, &dir, "lockbox").await;
    click(&browser, "#tab-history").await;
    let history = wait_for_text(&browser, "#history").await;
    save_screenshots(&browser, &dir, "history").await;
    browser.back().await.unwrap();

    // Back on the request's page through the list's link.
    click(&browser, &format!("a[href*='/lockbox/requests/{id}']")).await;
    wait_for_text(&browser, "#status").await;
    click(&browser, "button.approve").await;
    let notice = wait_for_text(&browser, "p.notice").await;
    let status = text_of(&browser, "#status").await;
    let access_ends = text_of(&browser, "#access-ends").await;
    let path = tokenless_path(&browser).await;
    save_screenshots(&browser, &dir, "result").await;

    // The post redirects to the request's page, so a reload reads the page again instead of
    // posting the decision a second time.
    browser.refresh().await.unwrap();
    let status_after_reload = text_of(&browser, "#status").await;
    browser.close().await.unwrap();

    assert_eq!(
        listed,
        vec![id.clone(), older.clone()],
        "the pending requests, newest first"
    );
    // WebDriver returns the page's no-break spaces as plain spaces.
    assert_eq!(
        time_left.replace('\u{a0}', " "),
        "3 d 23 h",
        "the time left of a new request"
    );
    assert!(history.contains("Create Lockbox Request"), "the history tab: {history}");
    assert!(
        notice.starts_with("You approved this request. Access is open until"),
        "the page after the click shows {notice:?} instead of the approved notice"
    );
    assert!(
        notice.contains(&access_ends),
        "the notice names the access end {access_ends:?}: {notice:?}"
    );
    assert_eq!(status, "Approved", "the page after the click shows the wrong status");
    assert_eq!(path, format!("/lockbox/requests/{id}"), "the result page's address");
    assert_eq!(status_after_reload, "Approved", "the page after a reload");

    let request = lockbox.get_request(&id).await;
    assert_eq!(request["status"], "approved", "the click did not approve the request");
    let approvals = lockbox.count_operation(&id, "Approve Lockbox Request").await;
    assert_eq!(approvals, 1, "the audit log has {approvals} approvals instead of one");
    assert_eq!(
        lockbox.get_request(&older).await["status"],
        "customer_notified",
        "the other request"
    );
    lockbox.system.stop();
}

/// Returns the reason in the request's newest audit entry of `operation`.
async fn audit_reason(lockbox: &TestSystem, id: &str, operation: &str) -> Option<String> {
    let entries = lockbox.audit_entries(&format!("request_id={id}")).await;
    let entry = entries
        .iter()
        .find(|entry| entry["operation"] == operation)
        .unwrap_or_else(|| panic!("request {id} has no {operation:?} entry: {entries:?}"));
    entry["details"]["reason"].as_str().map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread")]
async fn browser_deny_with_reason() {
    const REASON: &str = "No access during the quarter close";
    let driver = ChromeDriver::start();
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = lockbox.submit_notified("sub-1").await;
    let mail = approver_mail(&lockbox, ALICE).await;
    let dir = screenshot_dir("browser_deny_with_reason");

    let browser = driver.open_browser().await;
    open_mail(&browser, &mail, &dir).await;
    let label = text_of(&browser, "label[for='deny-reason']").await;
    type_into(&browser, "#deny-reason", REASON).await;
    click(&browser, "button.deny").await;
    let notice = wait_for_text(&browser, "p.notice").await;
    let shown_reason = text_of(&browser, "#reason").await;
    tokenless_path(&browser).await;
    save_screenshots(&browser, &dir, "result").await;
    browser.close().await.unwrap();

    assert!(
        label.starts_with("Reason for denying"),
        "the reason field's label: {label:?}"
    );
    assert_eq!(notice, "You denied this request. No access is granted.");
    assert_eq!(shown_reason, REASON, "the result page shows the reason");
    assert_eq!(lockbox.get_request(&id).await["status"], "denied", "the stored status");
    let stored = audit_reason(&lockbox, &id, "Deny Lockbox Request").await;
    assert_eq!(stored.as_deref(), Some(REASON), "the denial's audit entry");
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn browser_revoke_with_reason() {
    const REASON: &str = "The ticket was solved";
    let driver = ChromeDriver::start();
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = lockbox.submit_notified("sub-1").await;
    let mail = approver_mail(&lockbox, ALICE).await;
    let dir = screenshot_dir("browser_revoke_with_reason");

    let browser = driver.open_browser().await;
    open_mail(&browser, &mail, &dir).await;
    click(&browser, "button.approve").await;
    wait_for_text(&browser, "button.revoke").await;
    save_screenshots(&browser, &dir, "approved").await;
    type_into(&browser, "#revoke-reason", REASON).await;
    click(&browser, "button.revoke").await;
    // The approved page has a notice too, so wait for the revoked page's status first.
    wait_for_exact_text(&browser, "#status", "Access revoked").await;
    let notice = wait_for_text(&browser, "p.notice").await;
    let status = text_of(&browser, "#status").await;
    save_screenshots(&browser, &dir, "result").await;

    // The history tab lists the request among the closed ones, with its current status.
    click(&browser, "#list-link").await;
    wait_for_text(&browser, "#tab-history").await;
    click(&browser, "#tab-history").await;
    let closed_status = wait_for_text(&browser, "#closed .closed-status").await;
    let closed_id = text_of(&browser, "#closed .closed-request-id").await;
    save_screenshots(&browser, &dir, "history").await;
    browser.close().await.unwrap();

    assert_eq!(closed_status, "Access revoked", "the history tab's status");
    assert_eq!(closed_id, id, "the history tab's request");
    assert_eq!(notice, "You revoked access. It has ended.");
    assert_eq!(status, "Access revoked", "the result page's status");
    assert_eq!(lockbox.get_request(&id).await["status"], "revoked", "the stored status");
    let stored = audit_reason(&lockbox, &id, "Revoke Lockbox Access").await;
    assert_eq!(stored.as_deref(), Some(REASON), "the revocation's audit entry");
    lockbox.system.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn browser_french_owner() {
    let driver = ChromeDriver::start();
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en"), (BOB, "fr")]).await;
    let id = lockbox.submit_notified("sub-1").await;
    let mail = approver_mail(&lockbox, BOB).await;
    let dir = screenshot_dir("browser_french_owner");

    let browser = driver.open_browser().await;
    open_mail(&browser, &mail, &dir).await;
    let lang = browser
        .find(Locator::Css("html"))
        .await
        .unwrap()
        .attr("lang")
        .await
        .unwrap();
    let approve_label = text_of(&browser, "button.approve").await;
    save_screenshots(&browser, &dir, "request").await;

    // The language links switch the page without JavaScript, and back.
    click(&browser, "a[hreflang='en']").await;
    let english_label = wait_for_text(&browser, "button.approve").await;
    click(&browser, "a[hreflang='fr']").await;
    wait_for_text(&browser, "button.approve").await;

    click(&browser, "#list-link").await;
    let list_title = wait_for_text(&browser, "h1").await;
    save_screenshots(&browser, &dir, "lockbox").await;
    browser.back().await.unwrap();
    wait_for_text(&browser, "button.approve").await;

    click(&browser, "button.approve").await;
    let notice = wait_for_text(&browser, "p.notice").await;
    let status = text_of(&browser, "#status").await;
    save_screenshots(&browser, &dir, "result").await;
    browser.close().await.unwrap();

    assert_eq!(lang.as_deref(), Some("fr"), "Bob's page is not marked as French");
    assert_eq!(approve_label, "Approuver", "the approve button is not in French");
    assert_eq!(english_label, "Approve", "the English link does not switch the page");
    assert_eq!(
        list_title, "Demandes en attente de votre décision",
        "the lockbox page's title"
    );
    assert!(
        notice.starts_with("Vous avez approuvé cette demande. L’accès est ouvert jusqu’au"),
        "the page after the click does not show the French approved notice: {notice:?}"
    );
    assert_eq!(status, "Approuvée", "the result page's status");
    assert_eq!(
        lockbox.get_request(&id).await["status"],
        "approved",
        "the click did not approve the request"
    );
    lockbox.system.stop();
}

/// Describes the focused element for the keyboard test: its id, else its button value, else
/// its tag.
const FOCUSED_ELEMENT: &str = "const e = document.activeElement; \
    return e.id || (e.tagName === 'BUTTON' ? e.value || e.className : '') || e.tagName.toLowerCase();";

/// WebDriver's key codes: Tab, Enter, and Shift+Tab followed by the code that releases Shift.
const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";
const SHIFT_TAB: &str = "\u{E008}\u{E004}\u{E000}";

#[tokio::test(flavor = "multi_thread")]
async fn browser_keyboard_approves() {
    let driver = ChromeDriver::start();
    let lockbox = TestSystem::start().await;
    lockbox.register("sub-1", &[(ALICE, "en")]).await;
    let id = lockbox.submit_notified("sub-1").await;
    let mail = approver_mail(&lockbox, ALICE).await;
    let dir = screenshot_dir("browser_keyboard_approves");

    let browser = driver.open_browser().await;
    open_mail(&browser, &mail, &dir).await;

    // Tab from the top of the page visits the controls in reading order: the decision before
    // the deny reason, the reason before its button, and the list link last.
    browser.execute("document.activeElement.blur();", vec![]).await.unwrap();
    let mut visited = Vec::new();
    for _ in 0..12 {
        browser.active_element().await.unwrap().send_keys(TAB).await.unwrap();
        let focused = browser.execute(FOCUSED_ELEMENT, vec![]).await.unwrap();
        let focused = focused.as_str().unwrap_or_default().to_owned();
        let done = focused == "list-link";
        visited.push(focused);
        if done {
            break;
        }
    }
    let position = |name: &str| {
        visited
            .iter()
            .position(|focused| focused == name)
            .unwrap_or_else(|| panic!("Tab never reaches {name}; it visits {visited:?}"))
    };
    assert!(position("approve") < position("deny-reason"), "{visited:?}");
    assert!(position("deny-reason") < position("deny"), "{visited:?}");
    assert!(position("deny") < position("list-link"), "{visited:?}");

    // Shift+Tab back to Approve, then Enter decides.
    let steps_back = position("list-link") - position("approve");
    for _ in 0..steps_back {
        browser
            .active_element()
            .await
            .unwrap()
            .send_keys(SHIFT_TAB)
            .await
            .unwrap();
    }
    let focused = browser.execute(FOCUSED_ELEMENT, vec![]).await.unwrap();
    assert_eq!(focused, json!("approve"), "Shift+Tab does not lead back to Approve");
    browser.active_element().await.unwrap().send_keys(ENTER).await.unwrap();
    wait_for_text(&browser, "p.notice").await;

    assert_eq!(lockbox.get_request(&id).await["status"], "approved");
    lockbox.system.stop();
}
