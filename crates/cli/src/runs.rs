//! `run`, `runs`, `costs` and `prices`: generating reply drafts and accounting for them.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};
use finder::account_limits;
use finder::engine::{self, GeminiAccess, RunHandle};
use finder::ledger::{self, CostFilter, GroupBy};
use finder::limiter::Limits;
use finder::runner::{self, Progress, RunEvent, RunSettings, RunStatus, RunSummary};
use finder::scoring::Label;
use finder::{budget, prices, projects, FinderError, Store};
use serde_json::json;

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
    /// Posts per request (several posts share one AI call: fewer requests, less repeated prompt).
    #[arg(long, default_value_t = finder::runner::DEFAULT_PER_REQUEST)]
    per_request: u32,
    /// Stop before this run has spent more than this many US dollars (e.g. 0.50).
    #[arg(long)]
    budget: Option<String>,
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
    /// Embedding requests per minute (each post embedded counts as one); default: the
    /// tier's published limit (100 on the free tier).
    #[arg(long)]
    embed_rpm: Option<u32>,
    /// Half price, answered within hours: send the requests through Google's Batch API.
    #[arg(long)]
    batch: bool,
    /// With --batch: submit the jobs and exit; `runs resume ID` collects the answers later.
    #[arg(long, requires = "batch")]
    detach: bool,
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
    Resume {
        run_id: i64,
        /// A new spending cap for the run, in US dollars (for a run stopped at its budget).
        #[arg(long)]
        budget: Option<String>,
        /// Send the remaining posts through the Batch API (half price, within hours).
        #[arg(long, conflicts_with = "now")]
        batch: bool,
        /// Send the remaining posts now, at the standard price.
        #[arg(long)]
        now: bool,
        /// With a batch run: submit and exit; resume again later to collect the answers.
        #[arg(long)]
        detach: bool,
    },
    /// Forecast vs actual for past runs (posts, requests, cost).
    Accuracy {
        #[arg(long)]
        project: Option<String>,
    },
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
pub enum BudgetCommand {
    /// Monthly caps and what this month has used of them.
    Show {
        #[arg(long)]
        project: Option<String>,
    },
    /// Cap a calendar month's spend, overall or for one project (USD; "none" removes it).
    Set {
        /// e.g. 20 or 4.50, or "none".
        usd: String,
        #[arg(long)]
        project: Option<String>,
    },
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

/// Exit codes of `run` and `runs resume` besides 0 (finished), 1 (error) and 2 (usage):
/// the run stopped at a spending cap (3), Google's daily allowance is used up (4), or the
/// run finished but a monthly budget is past 80% (5). Ctrl-C twice exits with 130.
pub const EXIT_BUDGET_REACHED: u8 = 3;
pub const EXIT_DAILY_QUOTA: u8 = 4;
pub const EXIT_BUDGET_WARNING: u8 = 5;

static EXIT_CODE: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

/// The exit code the last run asked for (0 when it finished normally).
pub fn exit_code() -> u8 {
    EXIT_CODE.load(std::sync::atomic::Ordering::SeqCst)
}

/// The Gemini client for the key in the environment or the keychain, checked with the free
/// models list so a bad key is one clear error before anything is created.
pub(crate) async fn gemini_access(store: &Store) -> Result<GeminiAccess, FinderError> {
    let (key, _) = keychain::key_from_env_or_keychain(&crate::keys::keychain_from_env())
        .map_err(crate::keys::keychain_error)?
        .ok_or(FinderError::KeyMissing)?;
    let access = engine::open_gemini(store, key).await?;
    match engine::check_key(&access).await {
        Err(FinderError::Gemini(gemini::GeminiError::InvalidKey)) => Err(FinderError::InvalidInput(
            "Google says your Gemini API key is not valid. Save a new one with `comment-finder key set gemini`.".into(),
        )),
        other => other.map(|()| access),
    }
}

async fn limits_for(store: &Store, args: &RunArgs, model: &str) -> Result<Limits, FinderError> {
    // --tier picks a preset; otherwise the saved settings (custom limits or tier) apply, as in
    // the desktop app. --rpm/--tpm/--rpd override single numbers.
    let base = match &args.tier {
        Some(t) => {
            let tier = account_limits::parse_tier(t).ok_or_else(|| {
                FinderError::InvalidInput(format!("\"{t}\" is not a tier; use free or tier1."))
            })?;
            account_limits::preset(tier, model)
        }
        None => engine::limits_for(store, None, model).await?,
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
    let mut settings = RunSettings::defaults(&model, limits);
    settings.hours_back = args.hours_back;
    settings.min_followers = args.min_followers;
    settings.min_likes = args.min_likes;
    settings.max_candidates = args.max_candidates;
    settings.gate = !args.no_gate;
    settings.batch_size = args.batch_size;
    settings.per_request = args.per_request;
    if args.batch {
        settings.mode = runner::RunMode::Batch;
    }
    settings.embedding_limits = args.embed_rpm.map(|rpm| Limits {
        rpm,
        tpm: None,
        rpd: None,
    });
    settings.budget_picos = match &args.budget {
        Some(text) => Some(prices::parse_usd(text, "--budget")? * 1_000_000),
        None => None,
    };
    settings.labels = if args.greens_only {
        vec![Label::Green]
    } else if args.all_labels {
        vec![Label::Green, Label::Yellow]
            .into_iter()
            .chain([Label::Red])
            .collect()
    } else {
        vec![Label::Green, Label::Yellow]
    };
    settings.validate().map_err(|e| match e {
        FinderError::InvalidInput(m) if m.starts_with("Replies in progress") => {
            FinderError::InvalidInput("--batch-size and --per-request must be at least 1.".into())
        }
        other => other,
    })?;
    if args.dry_run {
        // A dry run spends nothing and needs no key: relevance is estimated from word overlap.
        let prepared = engine::prepare(store, None, project.id, settings, now).await?;
        out.print(
            &json!({"dry_run": true, "forecast": prepared.forecast}),
            &forecast_text(&prepared.forecast, &prepared.settings),
        );
        return Ok(());
    }
    let access = gemini_access(store).await?;
    // The forecast comes before any billed call: embeddings are made after "yes".
    let prepared = engine::prepare(store, Some(&access), project.id, settings, now).await?;
    if !out.json {
        eprintln!("{}", forecast_text(&prepared.forecast, &prepared.settings));
        warn_monthly(store, Some(project.id), now).await?;
    }
    if prepared.plan.send.is_empty() {
        let summary = json!({"run_id": null, "status": "nothing_to_do", "candidates": 0, "gated_out": prepared.plan.gated.len(),
            "deduped": prepared.plan.deduped.len(), "succeeded": 0, "failed": 0, "suggestions": 0, "requests": 0, "retries": 0,
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
    // The run the user agreed to: the plan and forecast shown above.
    let handle = engine::start(store, &access, prepared, now_clock).await?;
    let Some(summary) = drive(out, store, handle, args.detach).await? else {
        return Ok(());
    };
    print_summary(out, &summary);
    finish_with_code(store, &summary, now).await
}

fn now_clock() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Prints a warning when a monthly budget is past 80%.
async fn warn_monthly(
    store: &Store,
    project_id: Option<i64>,
    now: i64,
) -> Result<bool, FinderError> {
    let mut warned = false;
    for usage in budget::monthly_use(store, project_id, now).await? {
        if let Some(alert) = usage.alert {
            eprintln!("Warning: {alert}");
            warned = true;
        }
    }
    Ok(warned)
}

async fn finish_with_code(
    store: &Store,
    summary: &RunSummary,
    now: i64,
) -> Result<(), FinderError> {
    let project_id = runner::project_of(store, summary.run_id).await.ok();
    let over = budget::monthly_use(store, project_id, now)
        .await?
        .iter()
        .any(|u| u.alert.is_some());
    let code = match summary.status {
        RunStatus::BudgetReached => EXIT_BUDGET_REACHED,
        RunStatus::WaitingForQuota => EXIT_DAILY_QUOTA,
        _ if over => EXIT_BUDGET_WARNING,
        _ => 0,
    };
    EXIT_CODE.store(code, std::sync::atomic::Ordering::SeqCst);
    Ok(())
}

/// Follows a run while drawing progress and turning Ctrl-C into a clean stop. With `detach`,
/// returns `None` once a batch run's jobs are at Google (they keep going without us).
async fn drive(
    out: &Out,
    store: &Store,
    handle: RunHandle,
    detach: bool,
) -> Result<Option<RunSummary>, FinderError> {
    let RunHandle {
        run_id,
        mut events,
        task,
        ..
    } = handle;
    let interactive = std::io::stderr().is_terminal();
    let show = !out.json || interactive;
    let (submitted_tx, mut submitted_rx) = tokio::sync::watch::channel(false);
    let printer = tokio::spawn(async move {
        let mut bar = ProgressLine::new(interactive);
        let mut last_batch = String::new();
        while let Some(event) = events.recv().await {
            if let RunEvent::Batch(status) = &event {
                if matches!(
                    status.phase,
                    finder::batch::BatchPhase::QueuedAtGoogle | finder::batch::BatchPhase::Running
                ) {
                    let _ = submitted_tx.send(true);
                }
            }
            if !show {
                continue;
            }
            match event {
                RunEvent::Batch(status) => {
                    // The check countdown changes every time; say only what is new.
                    if status.headline != last_batch {
                        bar.note(&status.sentence);
                        last_batch = status.headline;
                    }
                }
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
                RunEvent::BudgetReached { sentence, .. } => bar.note(&sentence),
                RunEvent::BudgetAlert(usage) => {
                    if let Some(alert) = usage.alert {
                        bar.note(&format!("Warning: {alert}"));
                    }
                }
                RunEvent::DailyQuota {
                    sentence,
                    resets_at,
                } => bar.note(&format!("{sentence} ({})", local_time(resets_at))),
                RunEvent::Finished(_) => bar.finish(),
            }
        }
    });
    let store = store.clone();
    let stopper = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("\nStopping: no new requests; letting the ones in flight finish… (Ctrl-C again to quit now)");
            let _ = engine::cancel(&store, run_id);
            if tokio::signal::ctrl_c().await.is_ok() {
                // Every finished post is already saved; quitting now loses only requests in flight.
                std::process::exit(130);
            }
        }
    });
    let mut task = task;
    let joined = if detach {
        tokio::select! {
            joined = &mut task => Some(joined),
            _ = submitted_rx.wait_for(|submitted| *submitted) => None,
        }
    } else {
        Some((&mut task).await)
    };
    let Some(joined) = joined else {
        // The jobs are at Google and stored with the run: stop following them.
        task.abort();
        stopper.abort();
        printer.abort();
        out.print(
            &json!({"run_id": run_id, "status": "submitted"}),
            &format!(
                "Run #{run_id} is at Google (half price, usually within a few hours). Collect the replies with `comment-finder runs resume {run_id}`; the app picks it up by itself."
            ),
        );
        return Ok(None);
    };
    let result = match joined {
        Ok(result) => result,
        Err(join) => Err(FinderError::InvalidInput(format!(
            "The run stopped unexpectedly: {join}. Finished posts are saved; resume it with `comment-finder runs resume {run_id}`."
        ))),
    };
    let _ = printer.await;
    stopper.abort();
    result.map(Some)
}

/// "resets at 00:00 PST (09:00 your time)": a unix time in the user's local time.
fn local_time(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| {
            format!(
                "resets at {} your time",
                t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M")
            )
        })
        .unwrap_or_default()
}

fn print_summary(out: &Out, s: &RunSummary) {
    let mut text = format!("Run #{}: {}", s.run_id, s.sentence);
    text.push_str(&format!(
        "\n{} replies drafted · {} requests, {} retries",
        s.suggestions, s.requests, s.retries
    ));
    match s.status {
        RunStatus::Finished => {}
        RunStatus::Cancelled => text.push_str(&format!(
            "\nStopped. Continue with `comment-finder runs resume {}`.",
            s.run_id
        )),
        RunStatus::BudgetReached => text.push_str(&format!(
            "\n{}\nRaise the cap (`comment-finder runs resume {} --budget USD`) to go on.",
            s.error.as_deref().unwrap_or("Budget reached."),
            s.run_id
        )),
        RunStatus::WaitingForQuota => text.push_str(&format!(
            "\n{}\nContinue after it resets ({}) with `comment-finder runs resume {}`.",
            s.error
                .as_deref()
                .unwrap_or("Google's daily allowance is used up."),
            s.resume_at.map(local_time).unwrap_or_default(),
            s.run_id
        )),
        _ => {
            if let Some(e) = &s.error {
                text.push_str(&format!("\nStopped: {e}"));
            }
            if s.mode == runner::RunMode::Batch {
                text.push_str(&format!(
                    "\nContinue with `comment-finder runs resume {0}` (half price again), or `comment-finder runs resume {0} --now` (standard price, right away).",
                    s.run_id
                ));
            } else {
                text.push_str(&format!(
                    "\nContinue later with `comment-finder runs resume {}`.",
                    s.run_id
                ));
            }
        }
    }
    out.print(&json!(s), &text);
}

fn forecast_text(f: &runner::Forecast, s: &RunSettings) -> String {
    // The sentences are the engine's (the app shows the same ones); the details are the CLI's.
    let words = &f.text;
    let mut text = format!("Forecast: {}\n  {}", words.headline, words.cost_line);
    for line in [
        &words.held_back,
        &words.planning_line,
        &words.daily_line,
        &words.thinking_line,
        &words.over_budget,
    ]
    .into_iter()
    .flatten()
    {
        text.push_str(&format!("\n  {line}"));
    }
    text.push_str(&format!(
        "\n  Details: {} held back, {} already answered · {} requests of up to {} posts · about {} input + {} output + {} thinking tokens · {} requests/min with {} at once",
        f.gated_out,
        f.deduped,
        f.requests,
        f.per_request,
        f.input_tokens,
        f.output_tokens,
        f.thinking_tokens,
        s.limits.rpm,
        s.batch_size
    ));
    if let Some(cap) = s.budget_picos {
        text.push_str(&format!(" · budget {}", prices::format_usd(cap)));
    }
    text.push_str(&format!(
        "\n  In batch mode (--batch: half price, usually within a few hours): {} posts for about {}.",
        f.batch_posts, words.batch_cost_text
    ));
    if s.mode == runner::RunMode::Batch {
        text.push_str(" This run uses batch mode.");
    }
    for note in &words.notes {
        text.push_str(&format!("\n  {note}"));
    }
    text
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
            let project_id = project_id_of(store, project).await?;
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
                if let Some(b) = &r.batch {
                    text.push_str(&format!("      batch: {}\n", b.headline));
                }
            }
            out.print(&json!({ "runs": list }), text.trim_end());
        }
        RunsCommand::Show { run_id } => {
            let s = runner::summary(store, run_id, now).await?;
            out.print(
                &json!(s),
                &format!("Run #{} ({}): {}", s.run_id, s.status, s.sentence),
            );
        }
        RunsCommand::Resume {
            run_id,
            budget,
            batch,
            now: send_now,
            detach,
        } => {
            let summary = runner::summary(store, run_id, now).await?;
            if summary.status == RunStatus::Finished && summary.failed == 0 {
                out.print(
                    &json!(summary),
                    &format!("Run #{run_id} is already finished: {}", summary.sentence),
                );
                return Ok(());
            }
            if let Some(text) = budget {
                let cap = prices::parse_usd(&text, "--budget")? * 1_000_000;
                runner::set_run_budget(store, run_id, Some(cap)).await?;
            }
            if batch || send_now {
                let mode = if batch {
                    runner::RunMode::Batch
                } else {
                    runner::RunMode::Standard
                };
                engine::set_run_mode(store, run_id, mode).await?;
            }
            let access = gemini_access(store).await?;
            let handle = engine::resume(store, &access, run_id, now_clock).await?;
            let Some(summary) = drive(out, store, handle, detach).await? else {
                return Ok(());
            };
            print_summary(out, &summary);
            finish_with_code(store, &summary, now).await?;
        }
        RunsCommand::Accuracy { project } => {
            let project_id = project_id_of(store, project).await?;
            let rows = runner::forecast_accuracy(store, project_id, 50).await?;
            let mut text = String::from(
                "run   posts fc/actual   requests fc/actual   cost forecast → actual (error)\n",
            );
            for r in &rows {
                text.push_str(&format!(
                    "#{:<4} {:>5}/{:<6} {:>8}/{:<8} {} → {} ({:+.1}%)\n",
                    r.run_id,
                    r.forecast_posts,
                    r.actual_posts,
                    r.forecast_requests,
                    r.actual_requests,
                    prices::format_usd(r.forecast_cost_picos),
                    prices::format_usd(r.actual_cost_picos),
                    r.cost_error_percent
                ));
            }
            if rows.is_empty() {
                text = "No finished run has a stored forecast yet.".into();
            }
            out.print(&json!({ "runs": rows }), text.trim_end());
        }
    }
    Ok(())
}

/// The id of the project named with `--project`, if one was.
async fn project_id_of(store: &Store, name: Option<String>) -> Result<Option<i64>, FinderError> {
    match name {
        Some(n) => Ok(Some(projects::get_by_name(store, &n).await?.id)),
        None => Ok(None),
    }
}

pub async fn budget_command(
    command: BudgetCommand,
    store: &Store,
    out: &Out,
    now: i64,
) -> Result<(), FinderError> {
    match command {
        BudgetCommand::Set { usd, project } => {
            let cap = if usd.trim().eq_ignore_ascii_case("none") {
                None
            } else {
                Some(prices::parse_usd(&usd, "the budget")? * 1_000_000)
            };
            match project_id_of(store, project).await? {
                Some(id) => budget::set_project_monthly_budget(store, id, cap).await?,
                None => budget::set_monthly_budget(store, cap).await?,
            }
            out.print(
                &json!({"cap_picos": cap}),
                &match cap {
                    Some(c) => format!("Monthly budget set to {}.", prices::format_usd(c)),
                    None => "Monthly budget removed.".into(),
                },
            );
        }
        BudgetCommand::Show { project } => {
            let usage =
                budget::monthly_use(store, project_id_of(store, project).await?, now).await?;
            let text = if usage.is_empty() {
                "No monthly budget is set. Set one with `comment-finder budget set USD`."
                    .to_string()
            } else {
                usage
                    .iter()
                    .map(|u| {
                        let what = match u.scope {
                            budget::CapScope::ProjectMonth => "This project",
                            _ => "All projects",
                        };
                        format!(
                            "{what}: {} of {} this month ({:.0}%){}",
                            prices::format_usd(u.spent_picos),
                            prices::format_usd(u.cap_picos),
                            u.share * 100.0,
                            u.alert
                                .as_deref()
                                .map(|a| format!(" — {a}"))
                                .unwrap_or_default()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            out.print(&json!({ "budgets": usage }), &text);
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
    let access = gemini_access(store).await?;
    let limits = engine::limits_for(store, Some(&access), &model)
        .await?
        .unwrap_or(Limits {
            rpm: 5,
            tpm: None,
            rpd: None,
        });
    let limiter = engine::limiter_for(store, &access, &model, limits, now).await?;
    let budget = budget::Budget::load(store, None, Some(project.id), None, now_clock).await?;
    let requester = finder::examples::ExampleRequester {
        store,
        client: &access.client,
        limiter: Some(&limiter),
        model: &model,
        wall_clock: now_clock,
        budget: Some(&budget),
        run_id: None,
    };
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
