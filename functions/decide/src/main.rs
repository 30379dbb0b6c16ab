//! `decide`: serves the approver pages and the internal approval API.

use std::sync::Arc;

use lockbox::adapters::{aws, dynamodb::DynamoStore, eventbridge::EventBridgeBus, secrets};
use lockbox::app::decide::Decider;
use lockbox::config::{base_path_from_env, Resources, Timings, TokenKeySetting};
use lockbox::ports::SystemClock;
use lockbox::{http, lambda, telemetry};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    telemetry::init_json();
    let resources = Resources::from_env();
    let timings = Timings::from_env()?;
    let base_path = base_path_from_env()?;
    let key_setting = TokenKeySetting::from_env()?;
    let sdk = aws::load_from_env().await;

    let store = Arc::new(DynamoStore::from_config(&sdk, resources.table_name, timings.retention));
    let decider = Decider {
        requests: store.clone(),
        subscriptions: store.clone(),
        audit: store,
        bus: Arc::new(EventBridgeBus::from_config(&sdk, resources.event_bus_name)),
        clock: Arc::new(SystemClock),
        keys: secrets::token_keys(key_setting, &sdk),
        base_path,
    };
    lambda::serve_http(http::decide_router(Arc::new(decider))).await
}
