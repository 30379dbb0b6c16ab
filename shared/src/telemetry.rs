//! Logging setup. Lambda gets JSON lines (with the invocation's request id from the runtime's
//! span); the local runner gets compact text. `RUST_LOG` sets the level, default `info`.

use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Reads `RUST_LOG` as a list of targets and levels (`info`, `lockbox=debug,info`). `Targets`
/// has no regular expressions, which keeps the binaries smaller than `EnvFilter` would.
fn filter() -> Targets {
    std::env::var("RUST_LOG")
        .ok()
        .and_then(|raw| raw.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO))
}

/// Installs JSON logging for a Lambda function. CloudWatch stamps each line, so lines carry no
/// time of their own.
pub fn init_json() {
    let format = tracing_subscriber::fmt::layer()
        .json()
        .with_current_span(true)
        .with_span_list(false)
        .flatten_event(true)
        .without_time()
        .with_target(false);
    let _ = tracing_subscriber::registry().with(format).with(filter()).try_init();
}

/// Installs compact text logging for the local runner and tests.
pub fn init_text() {
    let format = tracing_subscriber::fmt::layer().compact().with_target(false);
    let _ = tracing_subscriber::registry().with(format).with(filter()).try_init();
}
