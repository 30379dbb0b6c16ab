//! Creates on the emulator what a deployment's template creates: the table, the event bus, a
//! verified sender identity and the secret that contains the link-signing key.

use anyhow::{Context, Result};
use aws_config::SdkConfig;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection, ProjectionType,
    ScalarAttributeType, TimeToLiveSpecification,
};

use lockbox::domain::token::TokenKey;

use crate::template::TableDefinition;

fn key_schema(elements: &[crate::template::KeyElement]) -> Result<Vec<KeySchemaElement>> {
    elements
        .iter()
        .map(|element| {
            KeySchemaElement::builder()
                .attribute_name(&element.attribute_name)
                .key_type(KeyType::from(element.key_type.as_str()))
                .build()
                .context("invalid key schema in the template")
        })
        .collect()
}

/// Creates the table as the template defines it, unless a table of that name exists.
pub async fn create_table(sdk: &SdkConfig, name: &str, definition: &TableDefinition) -> Result<()> {
    let client = aws_sdk_dynamodb::Client::new(sdk);
    let existing = client
        .list_tables()
        .send()
        .await
        .context("DynamoDB ListTables failed; is the emulator running?")?;
    if existing.table_names().iter().any(|table| table == name) {
        tracing::info!(table = name, "table exists");
        return Ok(());
    }

    let mut request = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest);
    for attribute in &definition.attribute_definitions {
        request = request.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(&attribute.attribute_name)
                .attribute_type(ScalarAttributeType::from(attribute.attribute_type.as_str()))
                .build()?,
        );
    }
    request = request.set_key_schema(Some(key_schema(&definition.key_schema)?));
    for index in &definition.global_secondary_indexes {
        request = request.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(&index.index_name)
                .set_key_schema(Some(key_schema(&index.key_schema)?))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::from(index.projection.projection_type.as_str()))
                        .build(),
                )
                .build()?,
        );
    }
    request
        .send()
        .await
        .with_context(|| format!("DynamoDB CreateTable {name} failed"))?;

    let ttl = &definition.time_to_live_specification;
    client
        .update_time_to_live()
        .table_name(name)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .attribute_name(&ttl.attribute_name)
                .enabled(ttl.enabled)
                .build()?,
        )
        .send()
        .await
        .with_context(|| format!("DynamoDB UpdateTimeToLive {name} failed"))?;
    tracing::info!(table = name, "table created");
    Ok(())
}

/// Creates the event bus unless it exists.
pub async fn create_event_bus(sdk: &SdkConfig, name: &str) -> Result<()> {
    let client = aws_sdk_eventbridge::Client::new(sdk);
    match client.create_event_bus().name(name).send().await {
        Ok(_) => Ok(()),
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|e| e.is_resource_already_exists_exception()) =>
        {
            Ok(())
        }
        Err(error) => Err(aws_sdk_eventbridge::Error::from(error))
            .with_context(|| format!("EventBridge CreateEventBus {name} failed")),
    }
}

/// Registers the sender address with SES, which the emulator then treats as verified.
pub async fn verify_sender(sdk: &SdkConfig, sender: &str) -> Result<()> {
    let client = aws_sdk_sesv2::Client::new(sdk);
    match client.create_email_identity().email_identity(sender).send().await {
        Ok(_) => Ok(()),
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|e| e.is_already_exists_exception()) =>
        {
            Ok(())
        }
        Err(error) => {
            Err(aws_sdk_sesv2::Error::from(error)).with_context(|| format!("SES CreateEmailIdentity {sender} failed"))
        }
    }
}

/// Stores `key` in base64 as the secret `name`, creating the secret or replacing its value.
pub async fn store_token_key(sdk: &SdkConfig, name: &str, key: &TokenKey) -> Result<()> {
    let client = aws_sdk_secretsmanager::Client::new(sdk);
    let value = key.to_base64();
    match client.create_secret().name(name).secret_string(&value).send().await {
        Ok(_) => Ok(()),
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|e| e.is_resource_exists_exception()) =>
        {
            client
                .put_secret_value()
                .secret_id(name)
                .secret_string(value)
                .send()
                .await
                .map(|_| ())
                .map_err(aws_sdk_secretsmanager::Error::from)
                .with_context(|| format!("Secrets Manager PutSecretValue {name} failed"))
        }
        Err(error) => Err(aws_sdk_secretsmanager::Error::from(error))
            .with_context(|| format!("Secrets Manager CreateSecret {name} failed")),
    }
}
