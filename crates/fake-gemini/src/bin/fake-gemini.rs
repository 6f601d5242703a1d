//! Standalone fake Gemini server for manual runs, benchmarks and tests in other processes.
//!
//! Prints `listening on http://127.0.0.1:PORT`, then serves until interrupted or killed.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use fake_gemini::{
    FakeConfig, FakeGemini, Fault, QuotaErrorStyle, QuotaLimits, RandomFaults, DEFAULT_API_KEY,
};

/// Fake Gemini API server (v1beta wire format) on 127.0.0.1.
#[derive(Debug, Parser)]
#[command(name = "fake-gemini", version)]
struct Args {
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Requests per minute per (key, model); unlimited when absent.
    #[arg(long)]
    rpm: Option<u32>,
    /// Input tokens per minute per (key, model); unlimited when absent.
    #[arg(long)]
    tpm: Option<u64>,
    /// Requests per day per (key, model); unlimited when absent.
    #[arg(long)]
    rpd: Option<u32>,
    /// Quota clock speed-up: 60 makes a quota minute last one real second.
    #[arg(long, default_value_t = 1.0)]
    time_scale: f64,
    /// Base latency of each model call, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Extra seeded latency, uniform in [0, N] milliseconds.
    #[arg(long, default_value_t = 0)]
    jitter_ms: u64,
    /// Probability in [0, 1] that a generateContent call gets a random fault.
    #[arg(long, default_value_t = 0.0)]
    fault_rate: f64,
    /// Faults drawn at that rate, comma-separated (503, 500, 429, 429-daily, 429-bare,
    /// billing-required, region-unsupported, out-of-credit, max-tokens, safety, recitation,
    /// invalid-json, hang); default: the transient ones (no hang, per-day or account faults).
    #[arg(long, value_delimiter = ',')]
    fault_mix: Vec<Fault>,
    /// Faults for the first calls, in order, comma-separated.
    #[arg(long, value_delimiter = ',')]
    script: Vec<Fault>,
    /// Seed for jitter, random faults and answer imperfections (omitted posts, empty drafts,
    /// generic openers).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Accepted API key; repeat for several.
    #[arg(long = "key")]
    keys: Vec<String>,
    /// Thinking tokens reported per successful call on 2.5 models (and Gemini 3's `low`).
    #[arg(long, default_value_t = 0)]
    thinking_tokens: u64,
    /// Details of every 429: full (Help, QuotaFailure, RetryInfo), help-only or bare.
    #[arg(long, default_value_t = QuotaErrorStyle::Full)]
    quota_style: QuotaErrorStyle,
    /// Probability in [0, 1] that a packed answer leaves out each post.
    #[arg(long, default_value_t = 0.0)]
    omit_rate: f64,
    /// Probability in [0, 1] that a draft comes back empty.
    #[arg(long, default_value_t = 0.0)]
    empty_draft_rate: f64,
    /// Probability in [0, 1] that a draft opens with a generic phrase ("Great point! ").
    #[arg(long, default_value_t = 0.0)]
    generic_opener_rate: f64,
    /// Share in [0, 1] of prompts of 1024+ tokens reported as implicitly cached.
    #[arg(long, default_value_t = 0.0)]
    cached_share: f64,
    /// Milliseconds a batch job stays pending, then running.
    #[arg(long, default_value_t = 500)]
    batch_pending_ms: u64,
    #[arg(long, default_value_t = 1500)]
    batch_running_ms: u64,
    /// How the first batch jobs end, in order, comma-separated (fail, expire,
    /// responses-file, drop-keys).
    #[arg(long, value_delimiter = ',')]
    batch_script: Vec<fake_gemini::BatchFault>,
    /// Every n-th request of a batch job fails with a per-request error.
    #[arg(long)]
    batch_error_every: Option<u32>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let rates = [
        ("--fault-rate", args.fault_rate),
        ("--omit-rate", args.omit_rate),
        ("--empty-draft-rate", args.empty_draft_rate),
        ("--generic-opener-rate", args.generic_opener_rate),
        ("--cached-share", args.cached_share),
    ];
    for (flag, rate) in rates {
        if !(0.0..=1.0).contains(&rate) {
            eprintln!("{flag} must be between 0 and 1");
            return ExitCode::FAILURE;
        }
    }
    if !(args.time_scale.is_finite() && args.time_scale > 0.0) {
        eprintln!("--time-scale must be a positive number");
        return ExitCode::FAILURE;
    }
    let mix = if args.fault_mix.is_empty() {
        RandomFaults::default_mix()
    } else {
        args.fault_mix.iter().map(|fault| (*fault, 1)).collect()
    };
    let keys = if args.keys.is_empty() {
        vec![DEFAULT_API_KEY.to_owned()]
    } else {
        args.keys
    };
    let config = FakeConfig {
        port: args.port,
        api_keys: keys,
        limits: QuotaLimits {
            rpm: args.rpm,
            tpm: args.tpm,
            rpd: args.rpd,
        },
        time_scale: args.time_scale,
        latency: Duration::from_millis(args.latency_ms),
        latency_jitter: Duration::from_millis(args.jitter_ms),
        scripted_faults: args.script,
        random_faults: RandomFaults {
            rate: args.fault_rate,
            mix,
        },
        seed: args.seed,
        thinking_tokens: args.thinking_tokens,
        quota_error_style: args.quota_style,
        omit_rate: args.omit_rate,
        empty_draft_rate: args.empty_draft_rate,
        generic_opener_rate: args.generic_opener_rate,
        cached_prompt_share: args.cached_share,
        batch_pending: Duration::from_millis(args.batch_pending_ms),
        batch_running: Duration::from_millis(args.batch_running_ms),
        batch_faults: args.batch_script,
        batch_request_error_every: args.batch_error_every,
        ..FakeConfig::default()
    };
    let server = match FakeGemini::start(config).await {
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
