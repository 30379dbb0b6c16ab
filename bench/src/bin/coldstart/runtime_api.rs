//! A fake Lambda Runtime API (the `2018-06-01` HTTP interface that `lambda_runtime` polls).
//! It hands out one invocation per run and reports when the function under test calls it.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tokio::sync::mpsc::UnboundedSender;

/// A call from the function under test, stamped when its handler starts.
#[derive(Debug)]
pub enum Signal {
    /// The first `GET .../invocation/next`, which ends init.
    Next(Instant),
    /// `POST .../invocation/{id}/response`.
    Response(Instant),
    /// `POST .../invocation/{id}/error`, with the error document the function sent.
    Error(Instant, String),
    /// `POST .../init/error`, with the error document the function sent.
    InitError(String),
}

/// The invocation of one run.
pub struct Invocation {
    pub request_id: String,
    pub function_arn: String,
    /// How long the function may take. It is sent as the `Lambda-Runtime-Deadline-Ms` epoch time.
    pub timeout: Duration,
    pub payload: Bytes,
    pub signals: UnboundedSender<Signal>,
}

struct CurrentRun {
    invocation: Invocation,
    handed_out: bool,
}

/// The shared state of the fake API: the run in progress, if any.
#[derive(Clone, Default)]
pub struct RuntimeApi {
    current: Arc<Mutex<Option<CurrentRun>>>,
}

impl RuntimeApi {
    /// Makes `invocation` the one that the next `/next` request receives.
    pub fn start_run(&self, invocation: Invocation) {
        *self.lock() = Some(CurrentRun {
            invocation,
            handed_out: false,
        });
    }

    /// Forgets the current run, so that calls from a process that is being killed are ignored.
    pub fn end_run(&self) {
        *self.lock() = None;
    }

    pub fn router(&self) -> Router {
        Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route("/2018-06-01/runtime/invocation/{request_id}/response", post(response))
            .route("/2018-06-01/runtime/invocation/{request_id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(self.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<CurrentRun>> {
        self.current.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sends `signal` if `request_id` belongs to the current run.
    fn report(&self, request_id: &str, signal: Signal) {
        if let Some(run) = self.lock().as_ref() {
            if run.invocation.request_id == request_id {
                let _ = run.invocation.signals.send(signal);
            }
        }
    }
}

/// Returns the run's invocation to the first `/next` request. Later requests, such as the poll
/// that follows the first response, wait until the process is killed and its connection closes.
async fn next(State(api): State<RuntimeApi>) -> Response {
    let now = Instant::now();
    let handed_out = {
        let mut current = api.lock();
        match current.as_mut() {
            Some(run) if !run.handed_out => {
                run.handed_out = true;
                let _ = run.invocation.signals.send(Signal::Next(now));
                Some(invocation_response(&run.invocation))
            }
            _ => None,
        }
    };
    match handed_out {
        Some(response) => response,
        None => std::future::pending().await,
    }
}

fn invocation_response(invocation: &Invocation) -> Response {
    let deadline = SystemTime::now() + invocation.timeout;
    let deadline_ms = deadline.duration_since(UNIX_EPOCH).unwrap_or_default().as_millis();
    let headers = [
        (header::CONTENT_TYPE, "application/json".to_owned()),
        (
            HeaderName::from_static("lambda-runtime-aws-request-id"),
            invocation.request_id.clone(),
        ),
        (
            HeaderName::from_static("lambda-runtime-deadline-ms"),
            deadline_ms.to_string(),
        ),
        (
            HeaderName::from_static("lambda-runtime-invoked-function-arn"),
            invocation.function_arn.clone(),
        ),
    ];
    (headers, invocation.payload.clone()).into_response()
}

async fn response(State(api): State<RuntimeApi>, Path(request_id): Path<String>, _body: Bytes) -> StatusCode {
    api.report(&request_id, Signal::Response(Instant::now()));
    StatusCode::ACCEPTED
}

async fn error(State(api): State<RuntimeApi>, Path(request_id): Path<String>, body: Bytes) -> StatusCode {
    let now = Instant::now();
    api.report(
        &request_id,
        Signal::Error(now, String::from_utf8_lossy(&body).into_owned()),
    );
    StatusCode::ACCEPTED
}

async fn init_error(State(api): State<RuntimeApi>, body: Bytes) -> StatusCode {
    if let Some(run) = api.lock().as_ref() {
        let _ = run
            .invocation
            .signals
            .send(Signal::InitError(String::from_utf8_lossy(&body).into_owned()));
    }
    StatusCode::ACCEPTED
}
