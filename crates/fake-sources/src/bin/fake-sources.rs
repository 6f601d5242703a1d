//! Standalone fake Apify + X API server for manual runs, benchmarks and the E2E.
//!
//! Prints `listening on http://127.0.0.1:PORT`, then serves until interrupted or killed.

use std::process::ExitCode;

use clap::Parser;
use fake_sources::{ApifyFault, FakeSources, SourcesConfig, XFault};

/// Fake Apify tweet-scraper and X API v2 recent search on 127.0.0.1.
#[derive(Debug, Parser)]
#[command(name = "fake-sources", version)]
struct Args {
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Accepted Apify token; repeat for several (default: the built-in test token).
    #[arg(long = "apify-token")]
    apify_tokens: Vec<String>,
    /// Accepted X bearer token; repeat for several (default: the built-in test token).
    #[arg(long = "x-token")]
    x_tokens: Vec<String>,
    /// Speed-up of actor runs and rate-limit waits: 100 makes a 20 s run last 0.2 s.
    #[arg(long, default_value_t = 1.0)]
    time_scale: f64,
    /// Simulated length of an actor run, in seconds.
    #[arg(long, default_value_t = 20.0)]
    run_secs: f64,
    /// Faults for the next actor-run starts, comma-separated (401, 402, 429, failed,
    /// timed-out, aborted).
    #[arg(long, value_delimiter = ',')]
    apify_script: Vec<ApifyFault>,
    /// Faults for the next X searches, comma-separated (401, 402, 429).
    #[arg(long, value_delimiter = ',')]
    x_script: Vec<XFault>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    if !(args.time_scale.is_finite() && args.time_scale > 0.0) {
        eprintln!("--time-scale must be a positive number");
        return ExitCode::FAILURE;
    }
    let mut config = SourcesConfig {
        port: args.port,
        time_scale: args.time_scale,
        apify_run_secs: args.run_secs,
        apify_faults: args.apify_script,
        x_faults: args.x_script,
        ..SourcesConfig::default()
    };
    if !args.apify_tokens.is_empty() {
        config.apify_tokens = args.apify_tokens;
    }
    if !args.x_tokens.is_empty() {
        config.x_tokens = args.x_tokens;
    }
    let server = match FakeSources::start(config).await {
        Ok(server) => server,
        Err(error) => {
            eprintln!("cannot listen on 127.0.0.1:{}: {error}", args.port);
            return ExitCode::FAILURE;
        }
    };
    // Scripts wait for this exact line before connecting.
    println!("listening on {}", server.base_url());
    wait_for_stop_signal().await;
    server.shutdown().await;
    ExitCode::SUCCESS
}

async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
