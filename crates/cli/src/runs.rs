//! `run`, `runs`, `costs` and `prices`: generating reply drafts and accounting for them.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};
use finder::ledger::{self, CostFilter, GroupBy};
use finder::limiter::{self, Limits, Tier};
use finder::runner::{self, CancelToken, Progress, RunContext, RunEvent, RunSettings, RunSummary};
use finder::scoring::Label;
use finder::{prices, projects, FinderError, Store};
use serde_json::json;
use tokio::sync::mpsc;

use crate::output::Out;

#[derive(Args)]
pub struct RunArgs {
    #[arg(long)]
    project: String,
    /// Only posts from the last H hours.
    #[arg(long, default_value_t = 6.0)]
    hours_back: f64,
    /// Only authors with at least N followers.
    #[arg(long, default_value_t = 1000)]
    min_followers: i64,
    /// Only posts with at least N likes.
    #[arg(long, default_value_t = 0)]
    min_likes: i64,
    /// At most N posts (the freshest that pass the filters).
    #[arg(long, default_value_t = 150)]
    max_candidates: u32,
    /// Only green posts get replies.
    #[arg(long, conflicts_with = "all_labels")]
    greens_only: bool,
    /// Red posts get replies too.
    #[arg(long)]
    all_labels: bool,
    /// Send every post, even reposts, spam and posts that don't allow replies.
    #[arg(long)]
    no_gate: bool,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 5)]
    batch_size: u32,
    /// Posts per request.
    #[arg(long, default_value_t = 1)]
    per_request: u32,
    /// Gemini model (default: the project's).
    #[arg(long)]
    model: Option<String>,
    /// Your account's limits; default: the free tier's published limits for the model.
    #[arg(long)]
    tier: Option<String>,
    #[arg(long)]
    rpm: Option<u32>,
    #[arg(long)]
    tpm: Option<u64>,
    #[arg(long)]
    rpd: Option<u32>,
    /// Show the forecast and stop.
    #[arg(long)]
    dry_run: bool,
    /// Start without asking.
    #[arg(long)]
    yes: bool,
}

#[derive(Subcommand)]
pub enum RunsCommand {
    /// Recent runs with their status and cost.
    List {
        #[arg(long)]
        project: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Continue a stopped, interrupted or crashed run: finished posts are skipped.
    Resume { run_id: i64 },
    /// One run's summary.
    Show { run_id: i64 },
}

#[derive(Args)]
pub struct CostsArgs {
    #[arg(long)]
    project: Option<String>,
    /// Group by day, project, model or run.
    #[arg(long, default_value = "day")]
    by: String,
    /// From this date (YYYY-MM-DD, local time).
    #[arg(long)]
    since: Option<String>,
    /// Up to (not including) this date.
    #[arg(long)]
    until: Option<String>,
}

#[derive(Subcommand)]
pub enum PricesCommand {
    /// The price in force for each model (USD per 1M tokens).
    List,
    /// Set a model's price from now on (past costs keep the prices they were billed at).
    Set {
        model: String,
        #[arg(long)]
        input: String,
        #[arg(long)]
        output: String,
        /// Price of cached input; default: the input price.
        #[arg(long)]
        cached: Option<String>,
    },
}

fn base_url(store_setting: Option<String>) -> String {
    std::env::var("GEMINI_BASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .or(store_setting)
        .unwrap_or_else(|| gemini::DEFAULT_BASE_URL.to_string())
}

async fn gemini_client(store: &Store) -> Result<(Arc<gemini::Client>, u64), FinderError> {
    let (key, _) = keychain::key_from_env_or_keychain(&crate::keys::keychain_from_env())
        .map_err(crate::keys::keychain_error)?
        .ok_or(FinderError::KeyMissing)?;
    let fingerprint = limiter::key_fingerprint(key.expose());
    let setting = store
        .setting("gemini_base_url")
        .await?
        .and_then(|v| v.as_str().map(str::to_string));
    let client = gemini::Client::new(gemini::ClientConfig {
        base_url: base_url(setting),
        api_key: key,
        request_timeout: Duration::from_secs(120),
    })?;
    Ok((Arc::new(client), fingerprint))
}

/// The free models-list call: a bad key is one clear error before anything is created.
async fn check_key(client: &gemini::Client) -> Result<(), FinderError> {
    match client.list_models().await {
        Ok(_) => Ok(()),
        Err(gemini::GeminiError::InvalidKey) => Err(FinderError::InvalidInput(
            "Google says your Gemini API key is not valid. Save a new one with `comment-finder key set gemini`.".into(),
        )),
        Err(e) => Err(e.into()),
    }
}

async fn limits_for(store: &Store, args: &RunArgs, model: &str) -> Result<Limits, FinderError> {
    // --tier picks a preset; otherwise the saved settings (custom limits or tier) apply, as in
    // the desktop app. --rpm/--tpm/--rpd override single numbers.
    let base = match &args.tier {
        Some(t) => {
            let tier = limiter::parse_tier(t).ok_or_else(|| {
                FinderError::InvalidInput(format!("\"{t}\" is not a tier; use free or tier1."))
            })?;
            limiter::preset(tier, model)
        }
        None => limiter::configured(store, model).await?,
    };
    let rpm = args.rpm.or(base.map(|p| p.rpm)).ok_or_else(|| {
        FinderError::InvalidInput(format!(
            "No limits are known for the model \"{model}\"; pass --rpm (and --tpm, --rpd)."
        ))
    })?;
    if rpm == 0 {
        return Err(FinderError::InvalidInput(
            "--rpm must be at least 1.".into(),
        ));
    }
    Ok(Limits {
        rpm,
        tpm: args.tpm.or(base.and_then(|p| p.tpm)),
        rpd: args.rpd.or(base.and_then(|p| p.rpd)),
    })
}

pub async fn run(args: RunArgs, store: &Store, out: &Out, now: i64) -> Result<(), FinderError> {
    let project = projects::get_by_name(store, &args.project).await?;
    let model = args
        .model
        .clone()
        .unwrap_or_else(|| project.settings.generation.model.clone());
    let limits = limits_for(store, &args, &model).await?;
    if args.batch_size == 0 || args.per_request == 0 {
        return Err(FinderError::InvalidInput(
            "--batch-size and --per-request must be at least 1.".into(),
        ));
    }
    let mut settings = RunSettings::defaults(&model, limits);
    settings.hours_back = args.hours_back;
    settings.min_followers = args.min_followers;
    settings.min_likes = args.min_likes;
    settings.max_candidates = args.max_candidates;
    settings.gate = !args.no_gate;
    settings.batch_size = args.batch_size;
    settings.per_request = args.per_request;
    settings.labels = if args.greens_only {
        vec![Label::Green]
    } else if args.all_labels {
        vec![Label::Green, Label::Yellow, Label::Red]
    } else {
        vec![Label::Green, Label::Yellow]
    };
    let price = prices::require(store, &model).await?;
    if args.dry_run {
        // A dry run spends nothing: relevance is estimated from word overlap, not embeddings.
        let plan = runner::plan(store, &project, &settings, now).await?;
        let forecast = runner::forecast(&project, &plan, &settings, price);
        out.print(
            &json!({"dry_run": true, "forecast": forecast}),
            &forecast_text(&forecast, &settings),
        );
        return Ok(());
    }
    let (client, fingerprint) = gemini_client(store).await?;
    check_key(&client).await?;
    let ctx = context(store, client, fingerprint, &settings, now).await?;
    let mut project = project;
    let filled = examples_for(&ctx.0, &model)
        .fill_missing(&mut project)
        .await?;
    if filled > 0 && !out.json {
        eprintln!("Wrote example posts for {filled} topic(s) that had none (see `comment-finder project show`).");
    }
    let plan = runner::plan_with_embeddings(&ctx.0, &project, &settings, now).await?;
    let forecast = runner::forecast(&project, &plan, &settings, price);
    if !out.json {
        eprintln!("{}", forecast_text(&forecast, &settings));
    }
    if plan.send.is_empty() {
        let summary = json!({"run_id": null, "status": "nothing_to_do", "candidates": 0, "gated_out": plan.gated.len(),
            "deduped": plan.deduped.len(), "succeeded": 0, "failed": 0, "suggestions": 0, "requests": 0, "retries": 0,
            "input_tokens": 0, "output_tokens": 0, "thinking_tokens": 0, "cost_usd": 0.0, "elapsed_s": 0.0});
        out.print(
            &summary,
            "No posts need replies right now: import fresh posts or widen the filters.",
        );
        return Ok(());
    }
    if !args.yes
        && !out.json
        && std::io::stdin().is_terminal()
        && !confirm("Start this run? [y/N] ")
    {
        out.print(&json!({"status": "not_started"}), "Not started.");
        return Ok(());
    }
    let summary = drive(
        out,
        |ctx| {
            Box::pin(async move {
                // The closure form keeps the Ctrl-C and progress handling in one place for run and resume.
                runner::start(ctx, &project, &settings, &plan).await
            })
        },
        ctx,
    )
    .await?;
    print_summary(out, &summary);
    Ok(())
}

async fn context(
    store: &Store,
    client: Arc<gemini::Client>,
    fingerprint: u64,
    settings: &RunSettings,
    now: i64,
) -> Result<(RunContext, mpsc::UnboundedReceiver<RunEvent>), FinderError> {
    let today =
        ledger::requests_since(store, &settings.model, limiter::pacific_midnight(now)).await?;
    let limiter = limiter::shared(fingerprint, &settings.model, settings.limits, today);
    let (tx, rx) = mpsc::unbounded_channel();
    Ok((
        RunContext {
            store: store.clone(),
            client,
            limiter,
            events: tx,
            cancel: CancelToken::default(),
            wall_clock: || chrono::Utc::now().timestamp(),
            seed: now as u64,
        },
        rx,
    ))
}

type RunFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<RunSummary, FinderError>> + 'a>>;

/// Runs the work while drawing progress and turning Ctrl-C into a clean stop.
async fn drive<F>(
    out: &Out,
    work: F,
    (ctx, mut events): (RunContext, mpsc::UnboundedReceiver<RunEvent>),
) -> Result<RunSummary, FinderError>
where
    F: for<'a> FnOnce(&'a RunContext) -> RunFuture<'a>,
{
    let cancel = ctx.cancel.clone();
    let interactive = std::io::stderr().is_terminal();
    let show = !out.json || interactive;
    let printer = tokio::spawn(async move {
        let mut bar = ProgressLine::new(interactive);
        while let Some(event) = events.recv().await {
            if !show {
                continue;
            }
            match event {
                RunEvent::Started {
                    run_id,
                    total,
                    already_done,
                } => {
                    bar.note(&format!(
                        "Run #{run_id}: {total} posts ({already_done} already finished)."
                    ));
                }
                RunEvent::Progress(p) => bar.update(&p),
                RunEvent::Paused { seconds } => bar.note(&format!(
                    "Gemini asked us to slow down; pausing {seconds:.1} s."
                )),
                RunEvent::Finished(_) => bar.finish(),
            }
        }
    });
    let stopper = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("\nStopping: no new requests; letting the ones in flight finish… (Ctrl-C again to quit now)");
            cancel.cancel();
            if tokio::signal::ctrl_c().await.is_ok() {
                // Every finished post is already saved; quitting now loses only requests in flight.
                std::process::exit(130);
            }
        }
    });
    let result = work(&ctx).await;
    drop(ctx);
    let _ = printer.await;
    stopper.abort();
    result
}

fn print_summary(out: &Out, s: &RunSummary) {
    let mut text = format!("Run #{}: {}", s.run_id, s.sentence());
    text.push_str(&format!(
        "\n{} replies drafted · {} requests, {} retries",
        s.suggestions, s.requests, s.retries
    ));
    match s.status.as_str() {
        "finished" => {}
        "cancelled" => text.push_str(&format!(
            "\nStopped. Continue with `comment-finder runs resume {}`.",
            s.run_id
        )),
        _ => {
            if let Some(e) = &s.error {
                text.push_str(&format!("\nStopped: {e}"));
            }
            text.push_str(&format!(
                "\nContinue later with `comment-finder runs resume {}`.",
                s.run_id
            ));
        }
    }
    out.print(&json!(s), &text);
}

fn forecast_text(f: &runner::Forecast, s: &RunSettings) -> String {
    format!(
        "Forecast: {} posts to reply to ({} held back, {} already answered) · {} requests of up to {} posts · about {} input + {} output tokens · about {} · about {} at {} requests/min with {} at once",
        f.posts,
        f.gated_out,
        f.deduped,
        f.requests,
        s.per_request,
        f.input_tokens,
        f.output_tokens,
        prices::format_usd(f.cost_picos),
        runner::duration_words(f.duration_s),
        s.limits.rpm,
        s.batch_size
    )
}

fn confirm(question: &str) -> bool {
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer).is_ok()
        && matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

/// A one-line progress bar on a terminal; occasional plain lines otherwise (logs, CI).
struct ProgressLine {
    interactive: bool,
    last_plain: Option<Instant>,
    drawn: bool,
}

impl ProgressLine {
    fn new(interactive: bool) -> Self {
        ProgressLine {
            interactive,
            last_plain: None,
            drawn: false,
        }
    }

    fn update(&mut self, p: &Progress) {
        let finished = p.done + p.failed;
        let width = 24usize;
        let filled = if p.total == 0 {
            width
        } else {
            (finished as usize * width / p.total as usize).min(width)
        };
        let eta = p
            .eta_s
            .map(|s| format!(" · about {} left", runner::duration_words(s)))
            .unwrap_or_default();
        let line = format!(
            "[{}{}] {}/{} posts · {} failed · {:.1} requests/min · {}{}",
            "#".repeat(filled),
            "-".repeat(width - filled),
            finished,
            p.total,
            p.failed,
            p.requests_per_minute,
            prices::format_usd(p.cost_picos),
            eta
        );
        if self.interactive {
            eprint!("\r\x1b[2K{line}");
            let _ = std::io::stderr().flush();
            self.drawn = true;
        } else if self
            .last_plain
            .is_none_or(|t| t.elapsed() >= Duration::from_secs(5))
            || finished == p.total
        {
            eprintln!("{line}");
            self.last_plain = Some(Instant::now());
        }
    }

    fn note(&mut self, text: &str) {
        if self.drawn {
            eprintln!();
            self.drawn = false;
        }
        eprintln!("{text}");
    }

    fn finish(&mut self) {
        if self.drawn {
            eprintln!();
            self.drawn = false;
        }
    }
}

pub async fn runs(
    command: RunsCommand,
    store: &Store,
    out: &Out,
    now: i64,
) -> Result<(), FinderError> {
    match command {
        RunsCommand::List { project, limit } => {
            let project_id = match project {
                Some(name) => Some(projects::get_by_name(store, &name).await?.id),
                None => None,
            };
            let list = runner::list(store, project_id, limit, now).await?;
            let mut text = String::new();
            if list.is_empty() {
                text.push_str("No runs yet. Start one with `comment-finder run --project NAME`.");
            }
            for r in &list {
                let when = chrono::DateTime::from_timestamp(r.created_at, 0)
                    .map(|t| {
                        t.with_timezone(&chrono::Local)
                            .format("%Y-%m-%d %H:%M")
                            .to_string()
                    })
                    .unwrap_or_default();
                text.push_str(&format!(
                    "#{:<4} {}  {:<11} {:<24} {}/{} done, {} failed · {}\n",
                    r.run_id,
                    when,
                    r.status,
                    r.project,
                    r.done,
                    r.posts,
                    r.failed,
                    prices::format_usd(r.cost_picos)
                ));
            }
            out.print(&json!({ "runs": list }), text.trim_end());
        }
        RunsCommand::Show { run_id } => {
            let s = runner::summary(store, run_id, now).await?;
            out.print(
                &json!(s),
                &format!("Run #{} ({}): {}", s.run_id, s.status, s.sentence()),
            );
        }
        RunsCommand::Resume { run_id } => {
            let summary = runner::summary(store, run_id, now).await?;
            if summary.status == "finished" && summary.failed == 0 {
                out.print(
                    &json!(summary),
                    &format!("Run #{run_id} is already finished: {}", summary.sentence()),
                );
                return Ok(());
            }
            let settings = runner::settings_of(store, run_id).await?;
            let (client, fingerprint) = gemini_client(store).await?;
            check_key(&client).await?;
            let ctx = context(store, client, fingerprint, &settings, now).await?;
            let summary = drive(
                out,
                move |ctx| Box::pin(async move { runner::resume(ctx, run_id).await }),
                ctx,
            )
            .await?;
            print_summary(out, &summary);
        }
    }
    Ok(())
}

pub async fn costs(args: CostsArgs, store: &Store, out: &Out) -> Result<(), FinderError> {
    let by = GroupBy::parse(&args.by).ok_or_else(|| {
        FinderError::InvalidInput(format!(
            "\"{}\" is not a grouping; use day, project, model or run.",
            args.by
        ))
    })?;
    let filter = CostFilter {
        project_id: match &args.project {
            Some(name) => Some(projects::get_by_name(store, name).await?.id),
            None => None,
        },
        since: args.since.as_deref().map(ledger::parse_date).transpose()?,
        until: args.until.as_deref().map(ledger::parse_date).transpose()?,
    };
    let groups = ledger::costs(store, by, &filter).await?;
    let total: i64 = groups.iter().map(|g| g.cost_picos).sum();
    let mut text = String::new();
    if groups.is_empty() {
        text.push_str("No AI costs recorded yet.");
    } else {
        for g in &groups {
            text.push_str(&format!(
                "{:<24} {:>9}  {:>5} calls  {:>10} in  {:>9} out  {:>8} thinking\n",
                g.group,
                prices::format_usd(g.cost_picos),
                g.calls,
                g.prompt_tokens,
                g.output_tokens,
                g.thinking_tokens
            ));
        }
        text.push_str(&format!("{:<24} {:>9}", "total", prices::format_usd(total)));
    }
    out.print(&json!({"by": by, "groups": groups, "total_cost_usd": prices::picos_to_usd(total), "total_cost_picos": total}), &text);
    Ok(())
}

pub async fn prices_command(
    command: PricesCommand,
    store: &Store,
    out: &Out,
    now: i64,
) -> Result<(), FinderError> {
    match command {
        PricesCommand::List => {
            let rows = prices::list(store).await?;
            let mut text = String::from(
                "model                    input   output   cached   (USD per 1M tokens)\n",
            );
            for r in &rows {
                text.push_str(&format!(
                    "{:<24} {:>6}  {:>7}  {:>7}   {}\n",
                    r.model,
                    r.input_usd_per_mtok,
                    r.output_usd_per_mtok,
                    r.cached_usd_per_mtok,
                    r.source
                ));
            }
            out.print(&json!({ "prices": rows }), text.trim_end());
        }
        PricesCommand::Set {
            model,
            input,
            output,
            cached,
        } => {
            let price = prices::set(store, &model, &input, &output, cached.as_deref(), now).await?;
            out.print(
                &json!({"model": model, "input_usd_per_mtok": prices::micros_to_usd(price.input_micros_per_mtok),
                        "output_usd_per_mtok": prices::micros_to_usd(price.output_micros_per_mtok),
                        "cached_usd_per_mtok": prices::micros_to_usd(price.cached_micros_per_mtok)}),
                &format!(
                    "{model} now costs ${} in / ${} out / ${} cached per 1M tokens. Past costs are unchanged.",
                    prices::micros_to_usd(price.input_micros_per_mtok),
                    prices::micros_to_usd(price.output_micros_per_mtok),
                    prices::micros_to_usd(price.cached_micros_per_mtok)
                ),
            );
        }
    }
    Ok(())
}

fn examples_for<'a>(ctx: &'a RunContext, model: &'a str) -> finder::examples::ExampleRequester<'a> {
    finder::examples::ExampleRequester {
        store: &ctx.store,
        client: &ctx.client,
        limiter: Some(&ctx.limiter),
        model,
        wall_clock: ctx.wall_clock,
    }
}

/// `project suggest-examples`: example posts for one topic (shown), or for every topic without
/// examples (saved).
pub async fn suggest_examples(
    name: &str,
    topic: Option<&str>,
    store: &Store,
    out: &Out,
    now: i64,
) -> Result<(), FinderError> {
    let mut project = projects::get_by_name(store, name).await?;
    let model = project.settings.generation.model.clone();
    let limits = limiter::preset(Tier::Free, &model).unwrap_or(Limits {
        rpm: 5,
        tpm: None,
        rpd: None,
    });
    let (client, fingerprint) = gemini_client(store).await?;
    check_key(&client).await?;
    let settings = RunSettings::defaults(&model, limits);
    let (ctx, _events) = context(store, client, fingerprint, &settings, now).await?;
    let requester = examples_for(&ctx, &model);
    match topic {
        Some(label) => {
            let examples = requester.suggest(&project, label).await?;
            let text = format!("Example posts for \"{label}\" (not saved; add the ones you like to the project file):\n{}",
                examples.iter().map(|e| format!("  - {e}")).collect::<Vec<_>>().join("\n"));
            out.print(
                &json!({"topic": label, "examples": examples, "saved": false}),
                &text,
            );
        }
        None => {
            let filled = requester.fill_missing(&mut project).await?;
            let text = if filled == 0 {
                "Every topic already has example posts. Name one with --topic to see suggestions for it.".to_string()
            } else {
                format!("Wrote and saved example posts for {filled} topic(s).")
            };
            out.print(
                &json!({"filled_topics": filled, "saved": filled > 0}),
                &text,
            );
        }
    }
    Ok(())
}
