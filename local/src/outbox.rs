//! The local outbox: every mail that SES (the emulator) accepted, kept in memory and served at
//! `/_local/outbox` so that a person can follow the approver links.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use lockbox::ports::{Mailer, OutgoingMail, PortResult};
use serde::Serialize;

/// A mail as the outbox lists it.
#[derive(Debug, Clone, Serialize)]
pub struct SentMail {
    pub index: usize,
    pub message_id: String,
    pub sent_at: DateTime<Utc>,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The links found in the text body, in order.
    pub links: Vec<String>,
}

#[derive(Clone, Default)]
pub struct Outbox(Arc<Mutex<Vec<SentMail>>>);

impl Outbox {
    pub fn list(&self) -> Vec<SentMail> {
        self.0.lock().map(|mails| mails.clone()).unwrap_or_default()
    }

    fn push(&self, mail: &OutgoingMail, message_id: &str) {
        let links = mail
            .text
            .split_whitespace()
            .filter(|word| word.starts_with("http://") || word.starts_with("https://"))
            .map(str::to_owned)
            .collect();
        if let Ok(mut mails) = self.0.lock() {
            let index = mails.len();
            mails.push(SentMail {
                index,
                message_id: message_id.to_owned(),
                sent_at: Utc::now(),
                to: mail.to.to_string(),
                subject: mail.subject.clone(),
                text: mail.text.clone(),
                html: mail.html.clone(),
                links,
            });
        }
    }
}

/// Sends through the real mailer (SES on the emulator), then records the mail in the outbox.
pub struct RecordingMailer<M> {
    pub inner: M,
    pub outbox: Outbox,
}

#[async_trait]
impl<M: Mailer> Mailer for RecordingMailer<M> {
    async fn send(&self, mail: &OutgoingMail) -> PortResult<String> {
        let message_id = self.inner.send(mail).await?;
        self.outbox.push(mail, &message_id);
        Ok(message_id)
    }
}

pub fn router(outbox: Outbox) -> Router {
    Router::new()
        .route("/_local/outbox", get(list_page))
        .route("/_local/outbox.json", get(list_json))
        .route("/_local/outbox/{index}", get(mail_page))
        .with_state(outbox)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn list_page(State(outbox): State<Outbox>) -> Html<String> {
    let mut rows = String::new();
    for mail in outbox.list().iter().rev() {
        let links: String = mail
            .links
            .iter()
            .map(|link| format!("<li><a href=\"{0}\">{0}</a></li>", escape(link)))
            .collect();
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td><a href=\"/_local/outbox/{}\">{}</a></td><td><ul>{}</ul></td></tr>",
            mail.sent_at.format("%H:%M:%S"),
            escape(&mail.to),
            mail.index,
            escape(&mail.subject),
            links
        ));
    }
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Local outbox</title></head>\
         <body style=\"font-family: sans-serif\"><h1>Local outbox</h1><p>Mail sent through the SES emulator, newest first. \
         JSON: <a href=\"/_local/outbox.json\">/_local/outbox.json</a></p>\
         <table border=\"1\" cellpadding=\"4\"><tr><th>Sent</th><th>To</th><th>Subject</th><th>Links</th></tr>{rows}</table></body></html>"
    ))
}

async fn list_json(State(outbox): State<Outbox>) -> Json<Vec<SentMail>> {
    Json(outbox.list())
}

async fn mail_page(State(outbox): State<Outbox>, Path(index): Path<usize>) -> Response {
    match outbox.list().into_iter().find(|mail| mail.index == index) {
        Some(mail) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], mail.html).into_response(),
        None => (StatusCode::NOT_FOUND, format!("no mail number {index} in the outbox")).into_response(),
    }
}
