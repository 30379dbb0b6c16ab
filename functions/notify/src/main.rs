//! `notify`: mails designated approvers and requesters about state changes.

use std::sync::Arc;

use lockbox::adapters::{aws, dynamodb::DynamoStore, ses::SesMailer};
use lockbox::app::notify::Notifier;
use lockbox::config::{Links, MailSettings, Resources, Timings};
use lockbox::ports::SystemClock;
use lockbox::{lambda, telemetry};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    telemetry::init_json();
    let resources = Resources::from_env();
    let timings = Timings::from_env()?;
    let links = Links::from_env()?;
    let mail = MailSettings::from_env()?;
    let sdk = aws::load_from_env().await;

    let store = Arc::new(DynamoStore::from_config(&sdk, resources.table_name, timings.retention));
    let notifier = Notifier {
        requests: store.clone(),
        ledger: store,
        mailer: Arc::new(SesMailer::from_config(&sdk, mail.sender)),
        clock: Arc::new(SystemClock),
        links,
    };
    let notifier = &notifier;
    lambda::serve_events(move |event| async move { notifier.handle(&event).await }).await
}
