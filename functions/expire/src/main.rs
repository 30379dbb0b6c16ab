//! `expire`: on each scheduled run, expires due requests and ends access past its end.

use std::sync::Arc;

use lockbox::adapters::{aws, dynamodb::DynamoStore, eventbridge::EventBridgeBus};
use lockbox::app::expire::Expirer;
use lockbox::config::{Resources, Timings};
use lockbox::ports::SystemClock;
use lockbox::{lambda, telemetry};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    telemetry::init_json();
    let resources = Resources::from_env();
    let timings = Timings::from_env()?;
    let sdk = aws::load_from_env().await;

    let expirer = Expirer {
        requests: Arc::new(DynamoStore::from_config(&sdk, resources.table_name, timings.retention)),
        bus: Arc::new(EventBridgeBus::from_config(&sdk, resources.event_bus_name)),
        clock: Arc::new(SystemClock),
    };
    lambda::serve_schedule(|| expirer.run()).await
}
