//! Runs the whole lockbox on one machine, against an AWS emulator on loopback. It serves every
//! HTTP route on one port, routes events to the functions as the template's rules do, runs the
//! expiry schedule and serves an outbox page, all through the same code that runs in Lambda.

pub mod caller_headers;
pub mod outbox;
pub mod setup;
pub mod template;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use async_trait::async_trait;
use aws_config::SdkConfig;
use axum::Router;
use lockbox::adapters::secrets::SecretsManagerKey;
use lockbox::adapters::{aws, dynamodb::DynamoStore, eventbridge::EventBridgeBus, ses::SesMailer};
use lockbox::app::audit::AuditReader;
use lockbox::app::decide::Decider;
use lockbox::app::expire::{Expirer, ExpiryReport};
use lockbox::app::intake::Intake;
use lockbox::app::jit::JitEvaluator;
use lockbox::app::notify::Notifier;
use lockbox::config::{base_path, Timings};
use lockbox::domain::events::{StatusChanged, EVENT_SOURCE, STATUS_CHANGED};
use lockbox::domain::ids::Email;
use lockbox::domain::policy::JitPolicy;
use lockbox::domain::token::TokenKey;
use lockbox::ports::{Clock, EventBus, PortResult, SystemClock, TokenKeys};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::outbox::{Outbox, RecordingMailer};
use crate::template::{Template, JIT_FUNCTION, NOTIFY_FUNCTION};

/// Everything the local system is started with.
#[derive(Debug, Clone)]
pub struct Options {
    pub listen: SocketAddr,
    /// The emulator's address; only loopback addresses are accepted.
    pub endpoint: String,
    pub region: String,
    pub table: String,
    pub event_bus: String,
    /// Base address of approver links; defaults to `http://<listen address>`.
    pub public_url: Option<String>,
    pub token_key: TokenKey,
    pub sender: Email,
    pub timings: Timings,
    /// How often the expiry run starts; defaults to the template's schedule rate.
    pub expiry_interval: Option<Duration>,
    pub template: PathBuf,
    pub jit_policy: JitPolicy,
}

/// Checks that `endpoint` is an http(s) address on loopback.
pub fn require_loopback(endpoint: &str) -> Result<()> {
    let rest = endpoint
        .strip_prefix("http://")
        .or_else(|| endpoint.strip_prefix("https://"));
    let host = rest
        .map(|rest| rest.split(['/', '?']).next().unwrap_or_default())
        .map(|authority| match authority.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or_default().to_owned(),
            None => authority
                .rsplit_once(':')
                .map_or(authority, |(host, _)| host)
                .to_owned(),
        });
    match host.as_deref() {
        Some("localhost") | Some("::1") => Ok(()),
        Some(host) if host.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback()) => Ok(()),
        _ => bail!("AWS_ENDPOINT_URL `{endpoint}` is not on loopback; the local runner only talks to an emulator on this machine"),
    }
}

/// Events published by a function, on their way to the emulator's bus and to the functions
/// whose rules match.
struct LocalBus {
    eventbridge: EventBridgeBus,
    queue: mpsc::UnboundedSender<StatusChanged>,
}

#[async_trait]
impl EventBus for LocalBus {
    async fn publish(&self, event: &StatusChanged) -> PortResult<()> {
        self.eventbridge.publish(event).await?;
        // The receiver lives as long as the system; a send error means it is shutting down.
        let _ = self.queue.send(event.clone());
        Ok(())
    }
}

/// The event handlers the template's rules can target.
struct Handlers {
    template: Template,
    evaluator: JitEvaluator,
    notifier: Notifier,
}

/// Attempts per delivery, like the retries Lambda makes for an asynchronous invocation.
const DELIVERY_ATTEMPTS: u32 = 3;

impl Handlers {
    /// Delivers `event` to every function whose rule matches it, retrying failures.
    async fn deliver(&self, event: &StatusChanged) -> Result<()> {
        let envelope = serde_json::json!({
            "source": EVENT_SOURCE,
            "detail-type": STATUS_CHANGED,
            "detail": serde_json::to_value(event)?,
        });
        let mut failure = None;
        for function in self.template.targets(&envelope) {
            for attempt in 1..=DELIVERY_ATTEMPTS {
                let result = match function {
                    JIT_FUNCTION => self.evaluator.handle(event).await,
                    NOTIFY_FUNCTION => self.notifier.handle(event).await,
                    other => {
                        tracing::warn!(function = other, "no local handler for this rule's function");
                        Ok(())
                    }
                };
                match result {
                    Ok(()) => break,
                    Err(error) if attempt < DELIVERY_ATTEMPTS => {
                        tracing::warn!(function, request_id = %event.request_id, attempt, error = %error, "event delivery failed; retrying");
                        tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
                    }
                    Err(error) => {
                        tracing::error!(function, request_id = %event.request_id, error = %error, "event delivery failed; giving up");
                        failure = Some(anyhow::Error::new(error).context(format!("{function} failed")));
                    }
                }
            }
        }
        failure.map_or(Ok(()), Err)
    }
}

/// A running local system.
pub struct System {
    pub address: SocketAddr,
    pub public_url: String,
    pub outbox: Outbox,
    pub sdk: SdkConfig,
    pub table: String,
    pub event_bus: String,
    handlers: Arc<Handlers>,
    expirer: Arc<Expirer>,
    tasks: Vec<JoinHandle<()>>,
}

impl System {
    /// Delivers `event` to the functions the template routes it to, as EventBridge would, and
    /// waits for them. Tests use it to deliver an event more than once.
    pub async fn deliver(&self, event: &StatusChanged) -> Result<()> {
        self.handlers.deliver(event).await
    }

    /// Runs the expiry function once, as its schedule does.
    pub async fn run_expiry(&self) -> Result<ExpiryReport> {
        Ok(self.expirer.run().await?)
    }

    pub fn stop(self) {
        for task in self.tasks {
            task.abort();
        }
    }
}

/// Prepares the emulator and starts serving.
pub async fn start(options: Options) -> Result<System> {
    require_loopback(&options.endpoint)?;
    if !options.listen.ip().is_loopback() {
        bail!(
            "LOCKBOX_LISTEN {} is not a loopback address; the local runner trusts X-Lockbox-* headers as the caller's \
             identity, so it serves this machine only",
            options.listen
        );
    }
    let template = Template::load(&options.template)?;
    let listener = tokio::net::TcpListener::bind(options.listen).await.with_context(|| {
        format!(
            "cannot listen on {}; set LOCKBOX_LISTEN to a free address such as 127.0.0.1:3001",
            options.listen
        )
    })?;

    let sdk = aws::for_emulator(&options.endpoint, &options.region).await;
    setup::create_table(&sdk, &options.table, &template.table).await?;
    setup::create_event_bus(&sdk, &options.event_bus).await?;
    setup::verify_sender(&sdk, options.sender.as_str()).await?;
    // The key goes through Secrets Manager, as in a deployment, so that local runs read it
    // the same way.
    let key_secret = format!("{}/token-key", options.table);
    setup::store_token_key(&sdk, &key_secret, &options.token_key).await?;
    let keys: Arc<dyn TokenKeys> = Arc::new(SecretsManagerKey::from_config(&sdk, key_secret));

    let address = listener.local_addr()?;
    let public_url = options
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{address}"));

    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let store = Arc::new(DynamoStore::from_config(
        &sdk,
        options.table.clone(),
        options.timings.retention,
    ));
    let (queue, mut events) = mpsc::unbounded_channel();
    let bus = Arc::new(LocalBus {
        eventbridge: EventBridgeBus::from_config(&sdk, options.event_bus.clone()),
        queue,
    });
    let outbox = Outbox::default();
    let mailer = Arc::new(RecordingMailer {
        inner: SesMailer::from_config(&sdk, options.sender.clone()),
        outbox: outbox.clone(),
    });

    let intake = Intake {
        subscriptions: store.clone(),
        requests: store.clone(),
        bus: bus.clone(),
        clock: clock.clone(),
        timings: options.timings,
    };
    let decider = Decider {
        requests: store.clone(),
        subscriptions: store.clone(),
        bus: bus.clone(),
        clock: clock.clone(),
        audit: store.clone(),
        keys: keys.clone(),
        base_path: base_path(&public_url),
    };
    let reader = AuditReader {
        log: store.clone(),
        clock: clock.clone(),
    };
    let expirer = Arc::new(Expirer {
        requests: store.clone(),
        bus: bus.clone(),
        clock: clock.clone(),
    });
    let expiry_interval = options.expiry_interval.unwrap_or(template.expiry_rate);
    let handlers = Arc::new(Handlers {
        template,
        evaluator: JitEvaluator {
            requests: store.clone(),
            subscriptions: store.clone(),
            bus: bus.clone(),
            clock: clock.clone(),
            policy: options.jit_policy,
        },
        notifier: Notifier {
            requests: store.clone(),
            ledger: store.clone(),
            mailer,
            clock: clock.clone(),
            keys,
            public_url: public_url.clone(),
        },
    });

    let app = Router::new()
        .merge(lockbox::http::intake_router(Arc::new(intake)))
        .merge(lockbox::http::decide_router(Arc::new(decider)))
        .merge(lockbox::http::audit_router(Arc::new(reader)))
        .layer(axum::middleware::from_fn(caller_headers::attach_caller))
        .merge(outbox::router(outbox.clone()));
    let app = lockbox::http::with_json_fallbacks(app);

    let mut tasks = Vec::new();
    tasks.push(tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, app).await {
            tracing::error!(error = %error, "HTTP server stopped");
        }
    }));

    let dispatcher = handlers.clone();
    tasks.push(tokio::spawn(async move {
        while let Some(event) = events.recv().await {
            let handlers = dispatcher.clone();
            tokio::spawn(async move {
                if let Err(error) = handlers.deliver(&event).await {
                    tracing::error!(request_id = %event.request_id, error = %error, "event not handled");
                }
            });
        }
    }));

    let scheduled = expirer.clone();
    tasks.push(tokio::spawn(async move {
        let mut ticker = tokio::time::interval(expiry_interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            if let Err(error) = scheduled.run().await {
                tracing::error!(error = %error, "expiry run failed");
            }
        }
    }));

    tracing::info!(
        %address,
        %public_url,
        table = %options.table,
        request_expiry = %humantime::format_duration(options.timings.request_expiry.to_std().unwrap_or_default()),
        access_duration = %humantime::format_duration(options.timings.access_duration.to_std().unwrap_or_default()),
        expiry_interval = %humantime::format_duration(expiry_interval),
        "lockbox is running"
    );
    Ok(System {
        address,
        public_url,
        outbox,
        sdk,
        table: options.table,
        event_bus: options.event_bus,
        handlers,
        expirer,
        tasks,
    })
}
