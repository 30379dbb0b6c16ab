//! Reads the key that signs approver links from AWS Secrets Manager.

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_secretsmanager::Client;
use tokio::sync::OnceCell;

use crate::config::TokenKeySetting;
use crate::domain::token::TokenKey;
use crate::ports::{PortError, PortResult, TokenKeys};

/// A key kept as a Secrets Manager secret whose string is the key in base64.
///
/// The secret is read on first use rather than at start-up, so that a cold start makes no
/// network call, and the client is built then too, because building a client costs start-up
/// time (docs/benchmarks.md). A successful read is kept for the life of the process, and a
/// failed one is tried again on the next use.
pub struct SecretsManagerKey {
    config: aws_config::SdkConfig,
    secret_id: String,
    key: OnceCell<TokenKey>,
}

impl SecretsManagerKey {
    pub fn from_config(config: &aws_config::SdkConfig, secret_id: String) -> Self {
        Self {
            config: config.clone(),
            secret_id,
            key: OnceCell::new(),
        }
    }

    async fn fetch(&self) -> PortResult<TokenKey> {
        let output = Client::new(&self.config)
            .get_secret_value()
            .secret_id(&self.secret_id)
            .send()
            .await
            .map_err(|error| PortError::service("Secrets Manager GetSecretValue (token key)", error))?;
        let text = output.secret_string().ok_or_else(|| {
            PortError::service(
                "Secrets Manager GetSecretValue (token key)",
                format!("secret {} has no string value", self.secret_id),
            )
        })?;
        TokenKey::from_base64(text).map_err(|error| {
            PortError::service(
                "Secrets Manager GetSecretValue (token key)",
                format!("secret {}: {error}", self.secret_id),
            )
        })
    }
}

#[async_trait]
impl TokenKeys for SecretsManagerKey {
    async fn current(&self) -> PortResult<TokenKey> {
        self.key.get_or_try_init(|| self.fetch()).await.cloned()
    }
}

/// Builds the key source that `setting` names.
pub fn token_keys(setting: TokenKeySetting, config: &aws_config::SdkConfig) -> Arc<dyn TokenKeys> {
    match setting {
        TokenKeySetting::Inline(key) => Arc::new(key),
        TokenKeySetting::Secret(secret_id) => Arc::new(SecretsManagerKey::from_config(config, secret_id)),
    }
}
