//! The lockbox domain: plain Rust types and rules, with no AWS or Lambda types.

pub mod audit;
pub mod events;
pub mod form_nonce;
pub mod identity;
pub mod ids;
pub mod policy;
pub mod request;
pub mod subscription;
pub mod time;
pub mod token;
