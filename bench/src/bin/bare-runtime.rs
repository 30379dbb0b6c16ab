//! `bare-runtime`: the cold-start baseline. It echoes each event back and builds no
//! configuration, clients or logging, so its init time is the floor for every function.

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;

// The same single-threaded runtime as the six functions, so the baseline differs from them
// only in what `main` builds before it starts polling.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| async move {
        Ok::<_, Error>(event.payload)
    }))
    .await
}
