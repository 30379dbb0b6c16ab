//! `evaluate-jit`: applies the JIT policy to each submitted request.

use std::sync::Arc;

use lockbox::adapters::{aws, dynamodb::DynamoStore, eventbridge::EventBridgeBus};
use lockbox::app::jit::JitEvaluator;
use lockbox::config::{jit_policy_from_env, Resources, Timings};
use lockbox::ports::SystemClock;
use lockbox::{lambda, telemetry};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    telemetry::init_json();
    let resources = Resources::from_env();
    let timings = Timings::from_env()?;
    let policy = jit_policy_from_env()?;
    let sdk = aws::load_from_env().await;

    let store = Arc::new(DynamoStore::from_config(&sdk, resources.table_name, timings.retention));
    let evaluator = JitEvaluator {
        requests: store.clone(),
        subscriptions: store,
        bus: Arc::new(EventBridgeBus::from_config(&sdk, resources.event_bus_name)),
        clock: Arc::new(SystemClock),
        policy,
    };
    let evaluator = &evaluator;
    lambda::serve_events(move |event| async move { evaluator.handle(&event).await }).await
}
