//! Customer Lockbox: the domain, the ports it needs and the adapters that fill them.
//!
//! - `domain`: requests and their states, the JIT policy, approval tokens, audit entries.
//!   It has no AWS or Lambda types.
//! - `ports`: the narrow traits the use cases call (store, mailer, event bus, clock).
//! - `adapters`: DynamoDB, SES v2 and EventBridge implementations of those traits.
//! - `app`: one module per function, holding what that function does.
//! - `http`: the axum routers that the Lambda entry points and the local runner serve.
//! - `lambda`: the glue between Lambda events and the routers and handlers.

pub mod adapters;
pub mod app;
pub mod config;
pub mod domain;
pub mod http;
pub mod i18n;
pub mod lambda;
pub mod ports;
pub mod render;
pub mod telemetry;
