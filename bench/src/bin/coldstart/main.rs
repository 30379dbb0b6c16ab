//! `coldstart`: measures the cold start of Lambda function binaries on this machine.
//!
//! It serves a fake Lambda Runtime API on 127.0.0.1 and starts each binary as a new process
//! with the environment Lambda would give it. Init time runs from just before the spawn to the
//! binary's first `GET /2018-06-01/runtime/invocation/next`. First-invocation time runs from
//! the same start to its first `POST .../response` or `POST .../error`. Each process is killed
//! after its first invocation. Runs go round-robin over the binaries, so that changes in
//! background load spread over all of them, and the first target is the baseline.

mod report;
mod runtime_api;

use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use tokio::net::{TcpListener, TcpSocket};
use tokio::process::Command;
use tokio::sync::mpsc;

use report::Measurements;
use runtime_api::{Invocation, RuntimeApi, Signal};

const USAGE: &str = "\
Usage: coldstart [OPTIONS] BINARY=EVENT_FILE...

Starts each BINARY as a Lambda function against a fake Runtime API on 127.0.0.1, hands it the
JSON in EVENT_FILE as its first invocation, and prints a Markdown table of binary sizes, init
times and first-invocation times. The first BINARY is the baseline for the init difference.

Options:
  --runs N           timed runs per binary (default 30)
  --warmup N         untimed runs per binary before the timed ones (default 1)
  --timeout SECONDS  time allowed for init plus the first invocation of one run (default 10)
  -h, --help         print this help";

/// Base64 of the 32 bytes 0x00 to 0x1f: a fixed, non-secret approval-link key for the functions
/// that sign links.
const TOKEN_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

#[derive(Debug)]
struct Options {
    runs: usize,
    warmup: usize,
    timeout: Duration,
    targets: Vec<Target>,
}

#[derive(Debug)]
struct Target {
    name: String,
    binary: PathBuf,
    payload: Bytes,
}

/// The timings of one run, from just before the spawn.
struct Sample {
    init: Duration,
    first_invocation: Duration,
    /// The error document, when the function posted to `/error`.
    error: Option<String>,
}

/// Parses the command line. Returns `Ok(None)` when it requests the help text.
fn parse_options(args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
    let mut options = Options {
        runs: 30,
        warmup: 1,
        timeout: Duration::from_secs(10),
        targets: Vec::new(),
    };
    let mut args = args;
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| args.next().ok_or(format!("{flag} requires a value"));
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--runs" => options.runs = parse_count("--runs", &value("--runs")?)?,
            "--warmup" => {
                options.warmup = value("--warmup")?
                    .parse()
                    .map_err(|_| "--warmup must be a whole number".to_owned())?
            }
            "--timeout" => {
                let seconds: u64 = value("--timeout")?
                    .parse()
                    .map_err(|_| "--timeout must be a whole number of seconds".to_owned())?;
                options.timeout = Duration::from_secs(seconds);
            }
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag}\n\n{USAGE}")),
            target => options.targets.push(parse_target(target)?),
        }
    }
    if options.targets.is_empty() {
        return Err(format!("no BINARY=EVENT_FILE given\n\n{USAGE}"));
    }
    Ok(Some(options))
}

fn parse_count(flag: &str, raw: &str) -> Result<usize, String> {
    match raw.parse::<usize>() {
        Ok(count) if count > 0 => Ok(count),
        _ => Err(format!("{flag} must be a whole number above 0, not `{raw}`")),
    }
}

fn parse_target(raw: &str) -> Result<Target, String> {
    let (binary, event) = raw.split_once('=').ok_or(format!("`{raw}` is not BINARY=EVENT_FILE"))?;
    let binary = PathBuf::from(binary);
    if !binary.is_file() {
        return Err(format!(
            "binary {} not found; build it first (make bench builds them all)",
            binary.display()
        ));
    }
    let payload = std::fs::read(event).map_err(|error| format!("failed to read event file {event}: {error}"))?;
    serde_json::from_slice::<serde_json::Value>(&payload)
        .map_err(|error| format!("event file {event} is not JSON: {error}"))?;
    let name = binary
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(Target {
        name,
        binary,
        payload: Bytes::from(payload),
    })
}

/// Builds the environment of a function process. It starts empty, as in Lambda, so no AWS
/// setting of the caller's shell reaches the function. Every AWS endpoint points at a closed
/// port on 127.0.0.1, and the SDK has fixed credentials and no metadata service, so no call
/// can leave this machine. `HOME` stays unset, as in Lambda, so the SDK looks for its shared
/// config files at `~/.aws/...` relative to the working directory, an empty scratch directory.
fn function_environment(name: &str, runtime_api: &str, aws_endpoint: &str) -> Vec<(String, String)> {
    let log_group = format!("/aws/lambda/{name}");
    let pairs = [
        ("PATH", "/usr/local/bin:/usr/bin:/bin"),
        ("LANG", "en_US.UTF-8"),
        ("TZ", ":UTC"),
        ("AWS_LAMBDA_RUNTIME_API", runtime_api),
        ("AWS_LAMBDA_FUNCTION_NAME", name),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        ("AWS_LAMBDA_LOG_GROUP_NAME", log_group.as_str()),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "coldstart"),
        ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_ENDPOINT_URL", aws_endpoint),
        // A refused connection fails the invocation at once instead of after retries.
        ("AWS_MAX_ATTEMPTS", "1"),
        ("LOCKBOX_PUBLIC_URL", "https://lockbox.example.com"),
        ("LOCKBOX_TOKEN_KEY", TOKEN_KEY),
        ("LOCKBOX_SENDER", "lockbox@example.com"),
    ];
    pairs
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect()
}

/// Starts `target` once in `scratch/work` and waits for its first `/next` and its first
/// result. The process writes its output to `scratch/<name>.log`.
async fn run_once(
    api: &RuntimeApi,
    target: &Target,
    environment: &[(String, String)],
    scratch: &Path,
    timeout: Duration,
    run: usize,
) -> Result<Sample, String> {
    let log_path = scratch.join(format!("{}.log", target.name));
    let (signals, mut received) = mpsc::unbounded_channel();
    api.start_run(Invocation {
        request_id: format!("coldstart-{}-{run}", target.name),
        function_arn: format!("arn:aws:lambda:us-east-1:123456789012:function:{}", target.name),
        timeout,
        payload: target.payload.clone(),
        signals,
    });

    let log = std::fs::File::create(&log_path)
        .map_err(|error| format!("failed to create {}: {error}", log_path.display()))?;
    let log_copy = log
        .try_clone()
        .map_err(|error| format!("failed to open {}: {error}", log_path.display()))?;
    let mut command = Command::new(&target.binary);
    command
        .env_clear()
        .envs(environment.iter().cloned())
        .current_dir(scratch.join("work"))
        .stdin(Stdio::null())
        .stdout(log_copy)
        .stderr(log)
        .kill_on_drop(true);

    let started = Instant::now();
    let mut child = command
        .spawn()
        .map_err(|error| format!("failed to start {}: {error}", target.binary.display()))?;
    let waited = tokio::time::timeout(timeout, async {
        let mut init = None;
        loop {
            tokio::select! {
                biased;
                signal = received.recv() => match signal {
                    Some(Signal::Next(at)) => init = Some(at - started),
                    Some(Signal::Response(at)) => return Ok((init, at - started, None)),
                    Some(Signal::Error(at, document)) => return Ok((init, at - started, Some(document))),
                    Some(Signal::InitError(document)) => return Err(format!("init failed: {document}")),
                    None => return Err("the fake Runtime API stopped".to_owned()),
                },
                status = child.wait() => {
                    let status = status.map_or_else(|error| error.to_string(), |status| status.to_string());
                    return Err(format!("exited ({status}) before its first invocation finished"));
                }
            }
        }
    })
    .await;

    let _ = child.start_kill();
    let _ = child.wait().await;
    api.end_run();

    let failure = |reason: String| format!("{}: {reason}. Its output is in {}", target.name, log_path.display());
    match waited {
        Err(_) => Err(failure(format!("no result within {} s", timeout.as_secs()))),
        Ok(Err(reason)) => Err(failure(reason)),
        Ok(Ok((None, _, _))) => Err(failure("posted a result without requesting an invocation".to_owned())),
        Ok(Ok((Some(init), first_invocation, error))) => Ok(Sample {
            init,
            first_invocation,
            error,
        }),
    }
}

fn new_measurements(target: &Target) -> Result<Measurements, String> {
    let bytes = std::fs::read(&target.binary)
        .map_err(|error| format!("failed to read {}: {error}", target.binary.display()))?;
    Ok(Measurements {
        name: target.name.clone(),
        size_bytes: bytes.len() as u64,
        has_symbol_table: report::has_symbol_table(&bytes),
        init: Vec::new(),
        first_invocation: Vec::new(),
        responses: 0,
        errors: 0,
        last_error: None,
    })
}

async fn measure(options: &Options) -> Result<Vec<Measurements>, String> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|error| format!("failed to listen on 127.0.0.1: {error}"))?;
    let runtime_api = listener.local_addr().map_err(|error| error.to_string())?.to_string();
    let api = RuntimeApi::default();
    let router = api.router();
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, router).await {
            eprintln!("coldstart: the fake Runtime API failed: {error}");
        }
    });

    // A bound socket that never listens keeps its port reserved, and connections to it are
    // refused, so AWS SDK calls fail at once without reaching anything.
    let closed_port = TcpSocket::new_v4().map_err(|error| error.to_string())?;
    closed_port
        .bind("127.0.0.1:0".parse().expect("valid socket address"))
        .map_err(|error| format!("failed to bind 127.0.0.1: {error}"))?;
    let aws_endpoint = format!(
        "http://{}",
        closed_port.local_addr().map_err(|error| error.to_string())?
    );

    let scratch = std::env::temp_dir().join(format!("coldstart-{}", std::process::id()));
    std::fs::create_dir_all(scratch.join("work"))
        .map_err(|error| format!("failed to create {}: {error}", scratch.display()))?;
    eprintln!(
        "coldstart: Runtime API on {runtime_api}, AWS endpoint {aws_endpoint}, function output in {} \
         (kept only if a run fails)",
        scratch.display()
    );

    let mut results = options
        .targets
        .iter()
        .map(new_measurements)
        .collect::<Result<Vec<_>, _>>()?;
    let environments: Vec<_> = options
        .targets
        .iter()
        .map(|target| function_environment(&target.name, &runtime_api, &aws_endpoint))
        .collect();

    for run in 0..options.warmup + options.runs {
        for ((target, environment), result) in options.targets.iter().zip(&environments).zip(&mut results) {
            let sample = run_once(&api, target, environment, &scratch, options.timeout, run).await?;
            if run < options.warmup {
                continue;
            }
            result.init.push(sample.init);
            result.first_invocation.push(sample.first_invocation);
            match sample.error {
                None => result.responses += 1,
                Some(document) => {
                    result.errors += 1;
                    result.last_error = Some(document);
                }
            }
        }
        if run >= options.warmup {
            eprintln!("coldstart: run {}/{} done", run + 1 - options.warmup, options.runs);
        }
    }
    if let Err(error) = std::fs::remove_dir_all(&scratch) {
        eprintln!("coldstart: failed to remove {}: {error}", scratch.display());
    }
    Ok(results)
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse_options(std::env::args().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };

    let results = match measure(&options).await {
        Ok(results) => results,
        Err(message) => {
            eprintln!("coldstart: {message}");
            return ExitCode::FAILURE;
        }
    };

    println!(
        "{} timed runs per binary after {} warm-up run(s); times are from spawn, in ms.\n",
        options.runs, options.warmup
    );
    print!("{}", report::table(&results));
    let errors: Vec<_> = results
        .iter()
        .filter_map(|result| Some((&result.name, result.last_error.as_ref()?)))
        .collect();
    if !errors.is_empty() {
        println!("\nError documents of failed first invocations (the AWS endpoint is a closed port):\n");
        for (name, document) in errors {
            println!("- {name}: `{}`", document.trim());
        }
    }
    ExitCode::SUCCESS
}
