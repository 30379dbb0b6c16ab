//! Publishes state changes to an EventBridge bus.

use async_trait::async_trait;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use aws_sdk_eventbridge::Client;

use crate::domain::events::{StatusChanged, EVENT_SOURCE, STATUS_CHANGED};
use crate::ports::{EventBus, PortError, PortResult};

pub struct EventBridgeBus {
    client: Client,
    bus_name: String,
}

impl EventBridgeBus {
    pub fn new(client: Client, bus_name: String) -> Self {
        Self { client, bus_name }
    }

    pub fn from_config(config: &aws_config::SdkConfig, bus_name: impl Into<String>) -> Self {
        Self::new(Client::new(config), bus_name.into())
    }
}

#[async_trait]
impl EventBus for EventBridgeBus {
    async fn publish(&self, event: &StatusChanged) -> PortResult<()> {
        let detail =
            serde_json::to_string(event).map_err(|error| PortError::service("encoding event detail", error))?;
        let entry = PutEventsRequestEntry::builder()
            .event_bus_name(&self.bus_name)
            .source(EVENT_SOURCE)
            .detail_type(STATUS_CHANGED)
            .detail(detail)
            .build();
        let output =
            self.client.put_events().entries(entry).send().await.map_err(|error| {
                PortError::service("EventBridge PutEvents", aws_sdk_eventbridge::Error::from(error))
            })?;

        // PutEvents reports a rejected entry in the response, not as an error.
        if output.failed_entry_count > 0 {
            let reason = output
                .entries
                .unwrap_or_default()
                .into_iter()
                .find_map(|entry| entry.error_message)
                .unwrap_or_else(|| "no reason given".to_owned());
            return Err(PortError::service("EventBridge PutEvents rejected the event", reason));
        }
        Ok(())
    }
}
