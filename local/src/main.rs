//! `lockbox-local`: the whole lockbox on this machine, against an AWS emulator on loopback.
//! `make run` starts the emulator and this program; see the README for the settings.

use std::env;
use std::path::PathBuf;

use anyhow::{Context, Result};
use lockbox::config::{jit_policy_from_env, Timings};
use lockbox::domain::ids::Email;
use lockbox::domain::token::TokenKey;
use lockbox_local::Options;

fn setting(name: &str) -> Option<String> {
    env::var(name).ok().filter(|value| !value.trim().is_empty())
}

/// Reads the signing key, or makes a random one; links then stop working when the runner
/// restarts, as does everything else the in-memory emulator held.
fn token_key() -> Result<TokenKey> {
    match setting("LOCKBOX_TOKEN_KEY") {
        Some(raw) => TokenKey::from_base64(&raw).context("LOCKBOX_TOKEN_KEY is invalid"),
        None => {
            let bytes: Vec<u8> = [uuid::Uuid::new_v4(), uuid::Uuid::new_v4()]
                .iter()
                .flat_map(|id| id.as_bytes().to_vec())
                .collect();
            tracing::info!("LOCKBOX_TOKEN_KEY is not set; signing links with a random key for this run");
            Ok(TokenKey::from_bytes(bytes)?)
        }
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    lockbox::telemetry::init_text();

    let endpoint = setting("AWS_ENDPOINT_URL")
        .context("AWS_ENDPOINT_URL is not set; `make run` starts an emulator and sets it")?;
    let listen = setting("LOCKBOX_LISTEN").unwrap_or_else(|| "127.0.0.1:3000".to_owned());
    let expiry_interval = setting("LOCKBOX_EXPIRY_INTERVAL")
        .map(|raw| {
            lockbox::domain::time::parse_duration("LOCKBOX_EXPIRY_INTERVAL", &raw)
                .map_err(|error| anyhow::anyhow!("LOCKBOX_EXPIRY_INTERVAL is invalid: {}", error.message))
                .and_then(|delta| delta.to_std().context("LOCKBOX_EXPIRY_INTERVAL is out of range"))
        })
        .transpose()?;
    let timings = Timings::from_env()?;
    let jit_policy = jit_policy_from_env()?;
    let sender = setting("LOCKBOX_SENDER").unwrap_or_else(|| "lockbox@lockbox.localhost".to_owned());

    let options = Options {
        listen: listen
            .parse()
            .with_context(|| format!("LOCKBOX_LISTEN `{listen}` is not an address like 127.0.0.1:3000"))?,
        endpoint,
        region: setting("AWS_REGION").unwrap_or_else(|| "us-east-1".to_owned()),
        table: setting("LOCKBOX_TABLE").unwrap_or_else(|| "lockbox".to_owned()),
        event_bus: setting("LOCKBOX_EVENT_BUS").unwrap_or_else(|| "lockbox".to_owned()),
        public_url: setting("LOCKBOX_PUBLIC_URL")
            .map(|raw| lockbox::config::parse_public_url(&raw).map_err(anyhow::Error::msg))
            .transpose()
            .context("LOCKBOX_PUBLIC_URL is invalid")?,
        token_key: token_key()?,
        sender: Email::parse(&sender).map_err(|error| anyhow::anyhow!("LOCKBOX_SENDER is invalid: {error}"))?,
        timings,
        expiry_interval,
        template: PathBuf::from(setting("LOCKBOX_TEMPLATE").unwrap_or_else(|| "template.yaml".to_owned())),
        jit_policy,
    };

    let system = lockbox_local::start(options).await?;
    println!("Lockbox is listening on {}", system.public_url);
    println!("Mail outbox: {}/_local/outbox", system.public_url);
    tokio::signal::ctrl_c().await.context("cannot wait for Ctrl-C")?;
    system.stop();
    Ok(())
}
