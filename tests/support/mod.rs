//! Test harness: starts the moto emulator once per test binary (or uses the one named by
//! `LOCKBOX_TEST_ENDPOINT`), and a whole local lockbox per test, with its own table and bus.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use chrono::TimeDelta;
use lockbox::config::Timings;
use lockbox::domain::form_nonce::{self, FormAction};
use lockbox::domain::ids::Email;
use lockbox::domain::policy::JitPolicy;
use lockbox::domain::token::{ApprovalToken, TokenKey};
use lockbox_local::outbox::SentMail;
use lockbox_local::{Options, System};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};

pub fn repository_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

struct Emulator {
    endpoint: String,
    _process: Option<Child>,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("no free port on loopback")
}

/// Returns the emulator's endpoint, starting moto on a free loopback port the first time.
pub fn emulator_endpoint() -> &'static str {
    static EMULATOR: OnceLock<Emulator> = OnceLock::new();
    &EMULATOR
        .get_or_init(|| {
            if let Ok(endpoint) = std::env::var("LOCKBOX_TEST_ENDPOINT") {
                lockbox_local::require_loopback(&endpoint).expect("LOCKBOX_TEST_ENDPOINT must be on loopback");
                return Emulator {
                    endpoint,
                    _process: None,
                };
            }
            let port = free_port();
            let script = repository_root().join("scripts/moto-server.py");
            let process = Command::new("python3")
                .arg(&script)
                .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--exit-with-parent"])
                // moto-server.py sets this itself; setting it here too keeps the guard if the
                // script is ever replaced.
                .env("AWS_EC2_METADATA_DISABLED", "true")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|error| {
                    panic!(
                        "cannot start {}: {error}; run scripts/ensure-tools.sh",
                        script.display()
                    )
                });
            let started = Instant::now();
            while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
                assert!(
                    started.elapsed() < Duration::from_secs(30),
                    "moto did not start on port {port} within 30 s"
                );
                std::thread::sleep(Duration::from_millis(100));
            }
            Emulator {
                endpoint: format!("http://127.0.0.1:{port}"),
                _process: Some(process),
            }
        })
        .endpoint
}

/// Owners that tests register on their subscriptions.
pub const ALICE: &str = "alice@contoso.example";
pub const BOB: &str = "bob@contoso.example";
pub const CAROL: &str = "carol@contoso.example";
/// The address of [`Identity::engineer`], who receives the outcome mail of their requests.
pub const ENGINEER: &str = "engineer@provider.example";

/// A caller as the local runner's `X-Lockbox-*` headers describe it.
#[derive(Debug, Clone)]
pub struct Identity {
    pub email: String,
    pub roles: String,
    pub mfa: bool,
    pub isolated: bool,
    pub tenant: Option<String>,
}

impl Identity {
    pub fn new(email: &str, roles: &str) -> Self {
        Self {
            email: email.to_owned(),
            roles: roles.to_owned(),
            mfa: true,
            isolated: false,
            tenant: None,
        }
    }

    pub fn admin() -> Self {
        Self::new("admin@provider.example", "provider_admin")
    }

    pub fn engineer() -> Self {
        Self::new("engineer@provider.example", "support_engineer")
    }

    pub fn auditor() -> Self {
        Self::new("auditor@provider.example", "auditor")
    }

    pub fn without_mfa(mut self) -> Self {
        self.mfa = false;
        self
    }

    /// Marks the caller as signed in with an isolated (privileged access) identity.
    pub fn isolated(mut self) -> Self {
        self.isolated = true;
        self
    }

    /// Restricts the caller to one tenant, as for a customer-side auditor.
    pub fn in_tenant(mut self, tenant: &str) -> Self {
        self.tenant = Some(tenant.to_owned());
        self
    }
}

/// Returns the key that every test system signs approval tokens with, so that tests can sign
/// their own.
pub fn test_token_key() -> TokenKey {
    TokenKey::from_bytes(vec![42; 32]).unwrap()
}

/// Settings a test may change before starting its system.
#[derive(Debug, Clone)]
pub struct TestSettings {
    pub timings: Timings,
    pub expiry_interval: Duration,
    pub jit_policy: JitPolicy,
}

impl Default for TestSettings {
    fn default() -> Self {
        // The schedule is slow by default so that tests run the expiry themselves.
        Self {
            timings: Timings::default(),
            expiry_interval: Duration::from_secs(3600),
            jit_policy: JitPolicy::default_policy(),
        }
    }
}

pub struct TestSystem {
    pub system: System,
    pub base: String,
    pub http: reqwest::Client,
}

impl TestSystem {
    pub async fn start() -> Self {
        Self::start_with(TestSettings::default()).await
    }

    pub async fn start_with(settings: TestSettings) -> Self {
        let suffix = uuid::Uuid::new_v4().simple().to_string();
        let options = Options {
            listen: "127.0.0.1:0".parse().unwrap(),
            endpoint: emulator_endpoint().to_owned(),
            region: "us-east-1".to_owned(),
            table: format!("lockbox-test-{}", &suffix[..12]),
            event_bus: format!("lockbox-test-{}", &suffix[..12]),
            public_url: None,
            token_key: test_token_key(),
            sender: Email::parse("lockbox@lockbox.localhost").unwrap(),
            timings: settings.timings,
            expiry_interval: Some(settings.expiry_interval),
            template: repository_root().join("template.yaml"),
            jit_policy: settings.jit_policy,
        };
        let system = lockbox_local::start(options).await.expect("the local system starts");
        let base = system.public_url.clone();
        Self {
            system,
            base,
            http: reqwest::Client::new(),
        }
    }

    pub fn request(&self, method: Method, path: &str, identity: Option<&Identity>) -> RequestBuilder {
        let mut builder = self.http.request(method, format!("{}{path}", self.base));
        if let Some(identity) = identity {
            builder = builder
                .header("X-Lockbox-Principal", &identity.email)
                .header("X-Lockbox-Roles", &identity.roles)
                .header("X-Lockbox-Mfa", identity.mfa.to_string())
                .header("X-Lockbox-Isolated-Identity", identity.isolated.to_string());
            if let Some(tenant) = &identity.tenant {
                builder = builder.header("X-Lockbox-Tenant", tenant);
            }
        }
        builder
    }

    /// Registers `subscription_id` on the premier plan with `owners` (email, locale).
    pub async fn register(&self, subscription_id: &str, owners: &[(&str, &str)]) {
        self.register_with_plan(subscription_id, "premier", owners).await;
    }

    pub async fn register_with_plan(&self, subscription_id: &str, plan: &str, owners: &[(&str, &str)]) {
        self.register_in_tenant(subscription_id, "contoso", plan, owners).await;
    }

    /// Registers `subscription_id` for `tenant` on `plan` with `owners` (email, locale).
    pub async fn register_in_tenant(&self, subscription_id: &str, tenant: &str, plan: &str, owners: &[(&str, &str)]) {
        let owners: Vec<Value> = owners
            .iter()
            .map(|(email, locale)| json!({"email": email, "locale": locale}))
            .collect();
        let response = self
            .request(
                Method::PUT,
                &format!("/subscriptions/{subscription_id}"),
                Some(&Identity::admin()),
            )
            .json(&json!({"tenant_id": tenant, "support_plan": plan, "owners": owners}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "registration failed: {}",
            response.text().await.unwrap()
        );
    }

    /// Submits a read request on a VM as `engineer`, and returns the response.
    pub async fn submit_as(&self, engineer: &Identity, body: Value) -> Response {
        self.request(Method::POST, "/requests", Some(engineer))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Submits a request that the default policy sends to the customer, and returns its id.
    pub async fn submit(&self, subscription_id: &str) -> String {
        let response = self
            .submit_as(&Identity::engineer(), request_body(subscription_id))
            .await;
        assert_eq!(response.status(), StatusCode::ACCEPTED);
        let body: Value = response.json().await.unwrap();
        body["request_id"].as_str().unwrap().to_owned()
    }

    /// Submits a request to `subscription_id` and waits until its approvers are notified.
    /// Returns the request id.
    pub async fn submit_notified(&self, subscription_id: &str) -> String {
        let id = self.submit(subscription_id).await;
        self.wait_for_status(&id, "customer_notified").await;
        id
    }

    pub async fn get_request(&self, id: &str) -> Value {
        let response = self
            .request(Method::GET, &format!("/requests/{id}"), Some(&Identity::engineer()))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    /// Polls the request until it has `status`, for up to ten seconds.
    pub async fn wait_for_status(&self, id: &str, status: &str) -> Value {
        let started = Instant::now();
        loop {
            let request = self.get_request(id).await;
            if request["status"] == status {
                return request;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "request {id} stayed {} instead of {status}",
                request["status"]
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Polls the request until its stored status (what the expiry run writes) is `status`, for
    /// up to ten seconds.
    pub async fn wait_for_stored_status(&self, id: &str, status: &str) -> Value {
        let started = Instant::now();
        loop {
            let request = self.get_request(id).await;
            if request["stored_status"] == status {
                return request;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "request {id} stayed stored as {} instead of {status}",
                request["stored_status"]
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn mail_to(&self, email: &str) -> Vec<SentMail> {
        self.system
            .outbox
            .list()
            .into_iter()
            .filter(|mail| mail.to == email)
            .collect()
    }

    /// Waits until `email` has received `count` mails, for up to ten seconds.
    pub async fn wait_for_mail(&self, email: &str, count: usize) -> Vec<SentMail> {
        let started = Instant::now();
        loop {
            let mails = self.mail_to(email);
            if mails.len() >= count {
                return mails;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{email} received {} mails instead of {count}",
                mails.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Returns the link to the request's page from the newest mail to `email`.
    pub async fn approver_link(&self, email: &str) -> String {
        let mails = self.wait_for_mail(email, 1).await;
        let link = mails
            .last()
            .unwrap()
            .links
            .iter()
            .find(|link| link.contains("/lockbox/requests/"))
            .cloned();
        link.expect("the approver mail links to the request")
    }

    /// Returns the link to request `id`'s page from the mail to `email`, waiting up to ten
    /// seconds for that mail.
    pub async fn link_for(&self, email: &str, id: &str) -> String {
        let started = Instant::now();
        loop {
            let link = self
                .mail_to(email)
                .iter()
                .flat_map(|mail| mail.links.iter())
                .find(|link| link.contains(&format!("/lockbox/requests/{id}?")))
                .cloned();
            if let Some(link) = link {
                return link;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{email} received no link to request {id}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Opens an approver link as a browser does: the first GET stores the token in a cookie and
    /// names the page to move on to. Returns the cookie (`name=value`) and that page's address.
    pub async fn open_link(&self, link: &str) -> (String, String) {
        let response = self.http.get(link).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "GET {link}");
        let cookie = set_cookie_pair(&response).unwrap_or_else(|| panic!("GET {link} set no cookie"));
        let html = response.text().await.unwrap();
        let target = refresh_target(&html).unwrap_or_else(|| panic!("GET {link} names no page to move on to: {html}"));
        (cookie, format!("{}{target}", self.base))
    }

    /// Opens an approver link and then the page it moves on to, with the link's cookie, and
    /// returns that page's response.
    pub async fn open_page(&self, link: &str) -> Response {
        let (cookie, page) = self.open_link(link).await;
        self.http.get(page).header("Cookie", cookie).send().await.unwrap()
    }

    /// Returns the form nonce that the page of the link's request would carry now, for `action`.
    /// A link whose token does not verify gets a nonce that matches nothing, because the service
    /// rejects its token before it reads the nonce.
    pub async fn current_nonce(&self, link: &str, action: FormAction) -> String {
        let (page, token) = split_link(link);
        let Ok(claims) = ApprovalToken::verify(&token, &test_token_key(), chrono::Utc::now()) else {
            return "nonce-of-an-invalid-link".to_owned();
        };
        let id = page.rsplit('/').next().unwrap();
        let item = self.raw_request_item(id).await;
        let version: u64 = item["version"].as_n().unwrap().parse().unwrap();
        form_nonce::issue(&test_token_key(), action, claims.request_id, &claims.approver, version)
    }

    /// Posts `form` to `url` as an approver's browser does after loading the page, and follows
    /// the redirect that a success returns, carrying the cookie it sets. Returns the last
    /// response.
    pub async fn post_form(&self, url: &str, form: &[(&str, &str)]) -> Response {
        let response = no_redirects().post(url).form(form).send().await.unwrap();
        if response.status() != StatusCode::SEE_OTHER {
            return response;
        }
        let cookie = set_cookie_pair(&response).expect("the redirect after a form post sets the link cookie");
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        self.http
            .get(format!("{}{location}", self.base))
            .header("Cookie", cookie)
            .send()
            .await
            .unwrap()
    }

    /// Posts an approver's decision from a link, with the nonce of the request's current
    /// version, as the page's form does.
    pub async fn post_decision(&self, link: &str, decision: &str) -> Response {
        let (page, token) = split_link(link);
        let nonce = self.current_nonce(link, FormAction::Decision).await;
        self.post_form(
            &format!("{page}/decision"),
            &[
                ("token", token.as_str()),
                ("nonce", nonce.as_str()),
                ("decision", decision),
            ],
        )
        .await
    }

    /// Posts a revocation from an approver's link, with the nonce of the request's current
    /// version, as the page's form does.
    pub async fn post_revoke(&self, link: &str) -> Response {
        let (page, token) = split_link(link);
        let nonce = self.current_nonce(link, FormAction::Revoke).await;
        self.post_form(
            &format!("{page}/revoke"),
            &[("token", token.as_str()), ("nonce", nonce.as_str())],
        )
        .await
    }

    pub async fn audit(&self, query: &str) -> Value {
        let response = self
            .request(Method::GET, &format!("/audit?{query}"), Some(&Identity::auditor()))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    /// Lists the operation names of a request's audit entries, oldest first.
    pub async fn audit_operations(&self, id: &str) -> Vec<String> {
        let page = self.audit(&format!("request_id={id}&limit=100")).await;
        let mut operations: Vec<String> = page["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["operation"].as_str().unwrap().to_owned())
            .collect();
        operations.reverse();
        operations
    }

    /// Lists the entries of one audit page for `query` (at most 100), newest first.
    pub async fn audit_entries(&self, query: &str) -> Vec<Value> {
        let page = self.audit(&format!("{query}&limit=100")).await;
        page["entries"].as_array().unwrap().clone()
    }

    /// Counts the request's audit entries of `operation`.
    pub async fn count_operation(&self, id: &str, operation: &str) -> usize {
        self.audit_operations(id)
            .await
            .iter()
            .filter(|name| *name == operation)
            .count()
    }

    /// Reads the raw DynamoDB item of a request.
    pub async fn raw_request_item(
        &self,
        id: &str,
    ) -> std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue> {
        let client = aws_sdk_dynamodb::Client::new(&self.system.sdk);
        let output = client
            .get_item()
            .table_name(&self.system.table)
            .key(
                "pk",
                aws_sdk_dynamodb::types::AttributeValue::S(format!("REQUEST#{id}")),
            )
            .key("sk", aws_sdk_dynamodb::types::AttributeValue::S("REQUEST".into()))
            .send()
            .await
            .unwrap();
        output.item.expect("the request item exists")
    }
}

/// Returns a client that does not follow redirects.
pub fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Returns the `name=value` part of a response's first `Set-Cookie` header.
pub fn set_cookie_pair(response: &Response) -> Option<String> {
    let value = response.headers().get("set-cookie")?.to_str().ok()?;
    value.split(';').next().map(str::to_owned)
}

/// Returns the address in a page's `<meta http-equiv="refresh">`, unescaped.
pub fn refresh_target(html: &str) -> Option<String> {
    let (_, rest) = html.split_once("http-equiv=\"refresh\" content=\"0; url=")?;
    let (target, _) = rest.split_once('"')?;
    Some(
        target
            .replace("&amp;", "&")
            .replace("&#x2f;", "/")
            .replace("&#47;", "/"),
    )
}

/// Splits an approver link into the request page's address and the token.
pub fn split_link(link: &str) -> (String, String) {
    let (page, token) = link.split_once("?token=").expect("the link carries a token");
    (page.to_owned(), token.to_owned())
}

/// Reads a JSON error response's status and body.
pub async fn api_error(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or_else(|_| panic!("the {status} response is not JSON: {text}"));
    (status, body)
}

/// Returns a request body that the default JIT policy sends straight to the customer.
pub fn request_body(subscription_id: &str) -> Value {
    json!({
        "subscription_id": subscription_id,
        "resource_id": "vm-web-01",
        "resource_kind": "virtual_machine",
        "scope": "resource",
        "permission_level": "read",
        "support_ticket_id": "T-1001",
        "justification": "The web VM's disk is full and the service is down",
    })
}

/// Timings with a short request expiry, for expiry tests.
pub fn short_expiry(request_expiry: TimeDelta, access_duration: TimeDelta) -> TestSettings {
    TestSettings {
        timings: Timings {
            request_expiry,
            access_duration,
            retention: TimeDelta::days(90),
        },
        ..TestSettings::default()
    }
}
