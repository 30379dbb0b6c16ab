//! Sends mail through Amazon SES v2.

use async_trait::async_trait;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use aws_sdk_sesv2::Client;

use crate::domain::ids::Email;
use crate::ports::{Mailer, OutgoingMail, PortError, PortResult};

pub struct SesMailer {
    client: Client,
    sender: Email,
}

impl SesMailer {
    pub fn new(client: Client, sender: Email) -> Self {
        Self { client, sender }
    }

    pub fn from_config(config: &aws_config::SdkConfig, sender: Email) -> Self {
        Self::new(Client::new(config), sender)
    }
}

fn utf8(data: &str) -> PortResult<Content> {
    Content::builder()
        .data(data)
        .charset("UTF-8")
        .build()
        .map_err(|error| PortError::service("building mail content", error))
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send(&self, mail: &OutgoingMail) -> PortResult<String> {
        let body = Body::builder().text(utf8(&mail.text)?).html(utf8(&mail.html)?).build();
        let message = Message::builder().subject(utf8(&mail.subject)?).body(body).build();
        let output = self
            .client
            .send_email()
            .from_email_address(self.sender.as_str())
            .destination(Destination::builder().to_addresses(mail.to.as_str()).build())
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await
            .map_err(|error| PortError::service("SES SendEmail", aws_sdk_sesv2::Error::from(error)))?;
        Ok(output.message_id.unwrap_or_default())
    }
}
