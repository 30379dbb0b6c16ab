//! `audit-query`: serves `GET /audit` with the filtered audit log.

use std::sync::Arc;

use lockbox::adapters::{aws, dynamodb::DynamoStore};
use lockbox::app::audit::AuditReader;
use lockbox::config::{Resources, Timings};
use lockbox::ports::SystemClock;
use lockbox::{http, lambda, telemetry};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    telemetry::init_json();
    let resources = Resources::from_env();
    let timings = Timings::from_env()?;
    let sdk = aws::load_from_env().await;

    let reader = AuditReader {
        log: Arc::new(DynamoStore::from_config(&sdk, resources.table_name, timings.retention)),
        clock: Arc::new(SystemClock),
    };
    lambda::serve_http(http::audit_router(Arc::new(reader))).await
}
