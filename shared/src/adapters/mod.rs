//! Implementations of the ports on AWS services: DynamoDB for state and audit, SES v2 for mail,
//! EventBridge for events, Secrets Manager for the key that signs approver links.

pub mod aws;
pub mod dynamodb;
pub mod eventbridge;
pub mod secrets;
pub mod ses;
