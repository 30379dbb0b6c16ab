//! The `notify` function: mails designated approvers when a request reaches them, and the
//! requester when their request reaches an outcome.

use std::sync::Arc;

use crate::domain::audit::{system_actor, Operation};
use crate::domain::events::StatusChanged;
use crate::domain::request::{AccessRequest, Status};
use crate::domain::token::ApprovalToken;
use crate::ports::{Clock, DeliveryLedger, Mailer, OutgoingMail, RequestStore, TokenKeys};
use crate::render::mail::{approver_mail, requester_mail};

use super::AppError;

pub struct Notifier {
    pub requests: Arc<dyn RequestStore>,
    pub ledger: Arc<dyn DeliveryLedger>,
    pub mailer: Arc<dyn Mailer>,
    pub clock: Arc<dyn Clock>,
    /// Signs the tokens in approver links.
    pub keys: Arc<dyn TokenKeys>,
    /// The address approver links start with, without a trailing slash.
    pub public_url: String,
}

/// Statuses the requester is mailed about.
pub const OUTCOMES: [Status; 6] = [
    Status::Approved,
    Status::Denied,
    Status::Expired,
    Status::Rejected,
    Status::AccessEnded,
    Status::Revoked,
];

impl Notifier {
    /// Sends the mail a state change calls for. Each mail has a delivery key in the ledger, so
    /// the same event delivered again sends nothing twice. When some mail fails, the others
    /// are still sent and the error is returned, so that a retry sends only what is missing.
    pub async fn handle(&self, event: &StatusChanged) -> Result<(), AppError> {
        let Some(request) = self.requests.get_request(event.request_id).await? else {
            tracing::warn!(request_id = %event.request_id, "event ignored: request not found");
            return Ok(());
        };
        let now = self.clock.now();

        let mut first_error = None;
        if event.status == Status::CustomerNotified {
            if request.status_at(now) != Status::CustomerNotified {
                tracing::info!(request_id = %request.request_id, status = %request.status_at(now), "approvers not mailed: request no longer pending");
                return Ok(());
            }
            let key = self.keys.current().await?;
            let token_expiry = request.links_expire_at();
            for approver in &request.approvers {
                let token = ApprovalToken {
                    request_id: request.request_id,
                    approver: approver.email.clone(),
                    expires_at: token_expiry,
                }
                .sign(&key);
                let mail = approver_mail(&request, approver, &self.public_url, &token, now);
                let key = format!("approver#{}", approver.email);
                if let Err(error) = self.deliver(&request, &key, "approver", &mail).await {
                    first_error.get_or_insert(error);
                }
            }
        } else if OUTCOMES.contains(&event.status) {
            // Versions only grow, so the stored request is at the event's version or later.
            // A stored request that is behind the event, or at its version in another state,
            // did not go through the change the event announces.
            let happened =
                request.version > event.version || (request.version == event.version && request.status == event.status);
            if !happened {
                tracing::warn!(
                    request_id = %request.request_id,
                    event_status = %event.status,
                    event_version = event.version,
                    stored_status = %request.status,
                    stored_version = request.version,
                    "outcome event ignored: the stored request does not match it"
                );
                return Ok(());
            }
            let Some(mail) = requester_mail(&request, event.status, &request.requester) else {
                // Every status in OUTCOMES has outcome texts, and a unit test in render::mail
                // checks it, so this branch is a bug if it runs.
                tracing::error!(request_id = %request.request_id, status = %event.status, "requester not mailed: no mail text for this outcome");
                return Ok(());
            };
            let key = format!("outcome#{}", event.status);
            if let Err(error) = self.deliver(&request, &key, "requester", &mail).await {
                first_error.get_or_insert(error);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    async fn deliver(
        &self,
        request: &AccessRequest,
        key: &str,
        recipient_role: &str,
        mail: &OutgoingMail,
    ) -> Result<(), AppError> {
        let request_id = request.request_id;
        let now = self.clock.now();
        if !self.ledger.claim_delivery(request_id, key, now).await? {
            tracing::info!(request_id = %request_id, delivery = key, "mail already sent");
            return Ok(());
        }
        let message_id = match self.mailer.send(mail).await {
            Ok(message_id) => message_id,
            Err(error) => {
                tracing::error!(request_id = %request_id, delivery = key, error = %error, "failed to send mail");
                if let Err(release_error) = self.ledger.release_delivery(request_id, key).await {
                    tracing::error!(request_id = %request_id, delivery = key, error = %release_error, "failed to release delivery claim");
                }
                return Err(error.into());
            }
        };
        // NOTE: if this write fails after SES accepted the mail, the claim stays open. A
        // redelivery within the ledger's stale-claim window then skips the mail, leaving no
        // audit entry for it, and a later one sends it again.
        let audit = request
            .audit(Operation::SendLockboxNotification, system_actor::NOTIFIER, now)
            .with_detail("recipient", mail.to.as_str())
            .with_detail("recipient_role", recipient_role)
            .with_detail("message_id", &message_id);
        self.ledger
            .complete_delivery(request_id, key, &message_id, &audit)
            .await?;
        tracing::info!(request_id = %request_id, delivery = key, message_id = %message_id, "mail sent");
        Ok(())
    }
}
