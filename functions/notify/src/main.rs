//! `notify`: mails designated approvers and requesters about state changes.

use std::sync::Arc;

use lockbox::adapters::{aws, dynamodb::DynamoStore, secrets, ses::SesMailer};
use lockbox::app::notify::Notifier;
use lockbox::config::{public_url_from_env, MailSettings, Resources, Timings, TokenKeySetting};
use lockbox::ports::SystemClock;
use lockbox::{lambda, telemetry};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda::Error> {
    telemetry::init_json();
    let resources = Resources::from_env();
    let timings = Timings::from_env()?;
    let public_url = public_url_from_env()?;
    let key_setting = TokenKeySetting::from_env()?;
    let mail = MailSettings::from_env()?;
    let sdk = aws::load_from_env().await;

    let store = Arc::new(DynamoStore::from_config(&sdk, resources.table_name, timings.retention));
    let notifier = Notifier {
        requests: store.clone(),
        ledger: store,
        mailer: Arc::new(SesMailer::from_config(&sdk, mail.sender)),
        clock: Arc::new(SystemClock),
        keys: secrets::token_keys(key_setting, &sdk),
        public_url,
    };
    let notifier = &notifier;
    lambda::serve_events(move |event| async move { notifier.handle(&event).await }).await
}
