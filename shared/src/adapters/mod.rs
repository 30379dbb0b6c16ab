//! Implementations of the ports on AWS services: DynamoDB for state and audit, SES v2 for mail,
//! EventBridge for events.

pub mod aws;
pub mod dynamodb;
pub mod eventbridge;
pub mod ses;
