//! `submit`: registers subscriptions, and stores, reads and cancels access requests.

use std::sync::Arc;

use lockbox::adapters::{aws, dynamodb::DynamoStore, eventbridge::EventBridgeBus};
use lockbox::app::intake::Intake;
use lockbox::config::{Resources, Timings};
use lockbox::ports::SystemClock;
use lockbox::{http, lambda, telemetry};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    telemetry::init_json();
    let resources = Resources::from_env();
    let timings = Timings::from_env()?;
    let sdk = aws::load_from_env().await;

    let store = Arc::new(DynamoStore::from_config(&sdk, resources.table_name, timings.retention));
    let intake = Intake {
        subscriptions: store.clone(),
        requests: store,
        bus: Arc::new(EventBridgeBus::from_config(&sdk, resources.event_bus_name)),
        clock: Arc::new(SystemClock),
        timings,
    };
    lambda::serve_http(http::intake_router(Arc::new(intake))).await
}
