//! Builds the AWS SDK configuration shared by every client.

use aws_config::{BehaviorVersion, SdkConfig};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};

/// Starts the shared configuration with an HTTPS client on rustls with the `ring` provider,
/// which keeps binaries smaller than the SDK's default `aws-lc` provider.
// TODO: building each client loads the system's root certificates, and scanning
// /etc/ssl/certs makes up about 3 ms of a function's cold start (docs/benchmarks.md).
// Setting SSL_CERT_FILE to the image's CA bundle in template.yaml skips the scan, once the
// bundle's path in the provided.al2023 image is confirmed.
fn defaults() -> aws_config::ConfigLoader {
    let http_client = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https();
    aws_config::defaults(BehaviorVersion::latest()).http_client(http_client)
}

/// Loads configuration the way the SDK does by default: region, credentials and an optional
/// `AWS_ENDPOINT_URL` from the environment (in Lambda, the function's role).
pub async fn load_from_env() -> SdkConfig {
    defaults().load().await
}

/// Builds configuration for a local emulator at `endpoint`, with fixed test credentials, so
/// that no credential provider looks beyond the environment it was given.
pub async fn for_emulator(endpoint: &str, region: &str) -> SdkConfig {
    let credentials = aws_credential_types::Credentials::new("test", "test", None, None, "lockbox-emulator");
    defaults()
        .endpoint_url(endpoint)
        .region(aws_config::Region::new(region.to_owned()))
        .credentials_provider(credentials)
        .load()
        .await
}
