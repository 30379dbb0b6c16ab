//! Logging setup. Lambda gets JSON lines (with the invocation's request id from the runtime's
//! span); the local runner gets compact text. `RUST_LOG` sets the level, default `info`.

use tracing_subscriber::EnvFilter;

fn filter() -> EnvFilter {
    EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"))
}

/// Installs JSON logging for a Lambda function. CloudWatch stamps each line, so lines carry no
/// time of their own.
pub fn init_json() {
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter())
        .with_current_span(true)
        .with_span_list(false)
        .flatten_event(true)
        .without_time()
        .with_target(false)
        .try_init();
}

/// Installs compact text logging for the local runner and tests.
pub fn init_text() {
    let _ = tracing_subscriber::fmt().compact().with_env_filter(filter()).with_target(false).try_init();
}
