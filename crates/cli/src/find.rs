//! Finding posts from the command line: `search`, `refresh` (for cron), `analyze-terms`,
//! `searches` (saved searches), `data-prices`, and `bench-find` (fetch speed against the fakes).

use std::io::IsTerminal;

use clap::{Args, Subcommand};
use finder::search::analysis::{self, TermAnalysis};
use finder::search::{
    self, data_prices, parse_terms, saved, schedule, PollPolicy, SearchCancel, SearchFilters,
    SearchOptions, SearchOutcome, SearchProgress, SearchRequest, SearchSort, SearchStatus, Source,
    SourceAccess,
};
use finder::{projects, ErrorCode, FinderError, Store};
use keychain::Secret;
use serde_json::json;

use crate::keys::{keychain_error, keychain_from_env};
use crate::output::Out;

/// Environment variables that win over the keychain's tokens (automation, cron).
pub use keychain::{APIFY_TOKEN_ENV, X_TOKEN_ENV};

#[derive(Args, Clone)]
pub struct FilterFlags {
    /// Where to search: apify (default) or x.
    #[arg(long, default_value = "apify")]
    source: String,
    /// Posts per term, at most (10–1000).
    #[arg(long, default_value_t = search::DEFAULT_COUNT)]
    count: u32,
    #[arg(long, default_value_t = 0)]
    min_likes: u32,
    #[arg(long, default_value_t = 0)]
    min_reposts: u32,
    #[arg(long, default_value_t = 0)]
    min_replies: u32,
    /// Only posts from the last N days (X: at most 7).
    #[arg(long)]
    days_back: Option<u32>,
    /// Only posts in this language (e.g. en).
    #[arg(long)]
    language: Option<String>,
    #[arg(long)]
    only_verified: bool,
    #[arg(long)]
    only_image: bool,
    #[arg(long)]
    only_video: bool,
    #[arg(long)]
    only_quote: bool,
    /// Use each term exactly as typed (X search syntax), adding no filters.
    #[arg(long)]
    raw_query: bool,
    /// Latest (default) or Top.
    #[arg(long, default_value = "latest")]
    sort: String,
}

impl FilterFlags {
    fn request(&self, terms: &str) -> Result<SearchRequest, FinderError> {
        let source = Source::parse(&self.source).ok_or_else(|| {
            FinderError::InvalidInput(format!(
                "\"{}\" is not a source; use apify or x.",
                self.source
            ))
        })?;
        let sort = match self.sort.to_ascii_lowercase().as_str() {
            "latest" => SearchSort::Latest,
            "top" => SearchSort::Top,
            other => {
                return Err(FinderError::InvalidInput(format!(
                    "\"{other}\" is not a sort order; use latest or top."
                )))
            }
        };
        let request = SearchRequest {
            source,
            terms: parse_terms(terms),
            filters: SearchFilters {
                min_likes: self.min_likes,
                min_reposts: self.min_reposts,
                min_replies: self.min_replies,
                days_back: self.days_back,
                language: self.language.clone(),
                only_verified: self.only_verified,
                only_image: self.only_image,
                only_video: self.only_video,
                only_quote: self.only_quote,
                raw_query: self.raw_query,
                sort,
            },
            count: self.count,
        }
        .normalised();
        request.validate()?;
        Ok(request)
    }
}

#[derive(Args)]
pub struct SearchArgs {
    #[arg(long)]
    project: String,
    /// Search terms, comma-separated (at most 5).
    #[arg(long)]
    terms: String,
    #[command(flatten)]
    filters: FilterFlags,
    /// Also save the search under this name, for `refresh` and the app's "Find new posts".
    #[arg(long)]
    save: Option<String>,
}

#[derive(Args)]
pub struct RefreshArgs {
    #[arg(long)]
    project: String,
    /// Then draft replies for the new green posts (Gemini; within the monthly budgets).
    #[arg(long)]
    draft: bool,
    /// With --draft: the most the drafting may spend, in US dollars (e.g. 0.50).
    #[arg(long, requires = "draft")]
    budget: Option<String>,
}

#[derive(Args)]
pub struct AnalyzeArgs {
    #[arg(long)]
    project: String,
    /// Terms to compare, comma-separated (at most 5).
    #[arg(long)]
    terms: String,
    #[command(flatten)]
    filters: FilterFlags,
}

#[derive(Subcommand)]
pub enum SearchesCommand {
    /// Saved searches (of one project, or all).
    List {
        #[arg(long)]
        project: Option<String>,
    },
    /// Refresh a saved search every N hours while the app runs (0: never).
    Schedule {
        id: i64,
        #[arg(long)]
        every: u32,
        /// After each scheduled refresh, draft replies for the new green posts.
        #[arg(long)]
        draft: bool,
    },
    /// Forget a saved search (the posts it found stay).
    Delete { id: i64 },
}

#[derive(Subcommand)]
pub enum DataPricesCommand {
    /// What reading posts costs, per source.
    List,
    /// A new price from now on, in US dollars per 1,000 posts (past costs keep theirs).
    Set {
        /// apify-tweet-scraper or x-api-recent-search.
        provider: String,
        usd_per_1000_posts: String,
    },
}

/// The source's token: the environment variable, else the OS keychain.
pub fn access_for(source: Source, base_url: String) -> Result<SourceAccess, FinderError> {
    let (env, secret) = match source {
        Source::Apify => (APIFY_TOKEN_ENV, Secret::Apify),
        Source::X => (X_TOKEN_ENV, Secret::XBearer),
    };
    let (token, _) = keychain::secret_from_env_or_keychain(&keychain_from_env(), secret)
        .map_err(keychain_error)?
        .ok_or_else(|| FinderError::Source {
            code: ErrorCode::SourceTokenMissing,
            message: format!(
                "No {} is saved. Save one with `comment-finder key set {}` (or set {env}).",
                secret.describe(),
                if source == Source::Apify {
                    "apify"
                } else {
                    "x"
                }
            ),
        })?;
    Ok(SourceAccess {
        source,
        base_url,
        token,
    })
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A progress line on a terminal (stderr), nothing otherwise.
fn progress_printer(out: &Out) -> impl Fn(SearchProgress) + Send + Sync {
    let live = !out.json && std::io::stderr().is_terminal();
    move |p: SearchProgress| {
        if live {
            eprint!(
                "\r\x1b[2K\"{}\" ({}/{}): {} found, {} new, {} skipped · {} · {}",
                p.term,
                p.term_number,
                p.terms,
                p.found,
                p.added,
                p.skipped,
                finder::prices::format_usd(p.cost_picos),
                p.note
            );
        }
    }
}

/// Ctrl-C cancels the search; what arrived is kept.
fn cancel_on_ctrl_c() -> SearchCancel {
    let cancel = SearchCancel::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            trigger.cancel();
        }
    });
    cancel
}

fn outcome_text(o: &SearchOutcome) -> String {
    let mut text = o.summary.clone();
    if o.found > 0 {
        text.push_str(&format!(
            "\nScored: {} green, {} yellow, {} red, {} held back ({} new green).",
            o.green, o.yellow, o.red, o.held_back, o.new_greens
        ));
    }
    for t in &o.terms {
        text.push_str(&format!(
            "\n  \"{}\": {} found, {} new{}",
            t.term,
            t.found,
            t.added,
            if t.complete { "" } else { " (stopped early)" }
        ));
    }
    for s in o.skipped.iter().take(10) {
        text.push_str(&format!("\n  skipped {}: {}", s.place, s.reason));
    }
    text
}

/// A search that failed half-way still prints what it kept, then exits 1 with its sentence.
fn finish(out: &Out, outcome: &SearchOutcome, value: serde_json::Value) -> Result<(), FinderError> {
    if !out.json && std::io::stderr().is_terminal() {
        eprintln!();
    }
    out.print(&value, &outcome_text(outcome));
    match &outcome.error {
        Some(e) if outcome.status == SearchStatus::Failed => Err(FinderError::Source {
            code: ErrorCode::SearchStopped,
            message: e.message.clone(),
        }),
        _ => Ok(()),
    }
}

async fn run_search(
    store: &Store,
    project_id: i64,
    request: &SearchRequest,
    out: &Out,
) -> Result<SearchOutcome, FinderError> {
    let estimate = search::estimate(store, request, now()).await?;
    out.note(&estimate.sentence);
    let access = access_for(
        request.source,
        search::base_url(store, request.source).await?,
    )?;
    let cancel = cancel_on_ctrl_c();
    search::run(
        store,
        project_id,
        request,
        &access,
        &SearchOptions::default(),
        &now,
        &progress_printer(out),
        &cancel,
    )
    .await
}

pub async fn search_command(args: SearchArgs, store: &Store, out: &Out) -> Result<(), FinderError> {
    let project = projects::get_by_name(store, &args.project).await?;
    let request = args.filters.request(&args.terms)?;
    let outcome = run_search(store, project.id, &request, out).await?;
    let mut saved_id = None;
    if let Some(name) = &args.save {
        let saved = saved::save(
            store,
            project.id,
            name,
            &request,
            Some(outcome.search_id),
            now(),
        )
        .await?;
        out.note(&format!(
            "Saved as \"{}\" (#{}): `comment-finder refresh --project \"{}\"` finds only newer posts.",
            saved.name,
            saved.id,
            project.name()
        ));
        saved_id = Some(saved.id);
    }
    finish(
        out,
        &outcome,
        json!({"project": project.name(), "search": outcome, "saved_search_id": saved_id}),
    )
}

pub async fn refresh_command(
    args: RefreshArgs,
    store: &Store,
    out: &Out,
) -> Result<(), FinderError> {
    let project = projects::get_by_name(store, &args.project).await?;
    let list = saved::list(store, Some(project.id)).await?;
    if list.is_empty() {
        return Err(FinderError::InvalidInput(format!(
            "\"{}\" has no saved searches yet. Save one with `comment-finder search --project \"{}\" --terms … --save NAME`.",
            project.name(),
            project.name()
        )));
    }
    let budget_picos = match &args.budget {
        Some(text) => Some(finder::prices::parse_usd(text, "--budget")? * 1_000_000),
        None => None,
    };
    // The window the refresh asks for starts at the oldest previous fetch.
    let since = list
        .iter()
        .map(|s| s.refresh_window_start(now()))
        .min()
        .unwrap_or(now());
    let cancel = cancel_on_ctrl_c();
    let mut results = Vec::new();
    let mut text = String::new();
    let mut failures = Vec::new();
    let mut new_greens = 0;
    for s in &list {
        let access = access_for(
            s.request.source,
            search::base_url(store, s.request.source).await?,
        )?;
        let outcome = saved::find_new_posts(
            store,
            s.id,
            &access,
            PollPolicy::default(),
            &now,
            &progress_printer(out),
            &cancel,
        )
        .await?;
        if !out.json && std::io::stderr().is_terminal() {
            eprintln!();
        }
        new_greens += outcome.new_greens;
        text.push_str(&format!("\"{}\": {}\n", s.name, outcome.summary));
        if let Some(e) = &outcome.error {
            failures.push(format!("\"{}\": {}", s.name, e.message));
        }
        results.push(json!({"saved_search": s.name, "id": s.id, "search": outcome}));
        if cancel.is_cancelled() {
            break;
        }
    }
    let headline =
        schedule::worth_a_reply(new_greens).unwrap_or_else(|| "No new posts worth a reply.".into());
    text.push_str(&headline);
    let mut drafts = serde_json::Value::Null;
    if args.draft && new_greens > 0 && !cancel.is_cancelled() {
        let access = crate::runs::gemini_access(store).await?;
        let options = finder::search::drafts::DraftOptions {
            budget_picos,
            ..Default::default()
        };
        match finder::search::drafts::draft_new_greens(
            store, &access, project.id, since, options, now,
        )
        .await?
        {
            Some(summary) => {
                text.push_str(&format!("\nReplies drafted: {}", summary.sentence));
                drafts = json!(summary);
            }
            None => text.push_str("\nNo new green post needs replies."),
        }
    }
    out.print(
        &json!({"project": project.name(), "refreshed": results, "new_greens": new_greens, "notification": schedule::worth_a_reply(new_greens), "drafts": drafts}),
        &text,
    );
    if failures.is_empty() {
        Ok(())
    } else {
        Err(FinderError::Source {
            code: ErrorCode::RefreshIncomplete,
            message: failures.join(" "),
        })
    }
}

pub async fn analyze_command(
    args: AnalyzeArgs,
    store: &Store,
    out: &Out,
) -> Result<(), FinderError> {
    let project = projects::get_by_name(store, &args.project).await?;
    let request = args.filters.request(&args.terms)?;
    let outcome = run_search(store, project.id, &request, out).await?;
    if !out.json && std::io::stderr().is_terminal() {
        eprintln!();
    }
    let rows = analysis::analyze_search(store, outcome.search_id, now()).await?;
    out.print(
        &json!({"project": project.name(), "search": outcome, "terms": rows}),
        &analysis_table(&rows),
    );
    match outcome.error {
        Some(e) => Err(FinderError::Source {
            code: ErrorCode::SearchStopped,
            message: e.message,
        }),
        None => Ok(()),
    }
}

pub fn analysis_table(rows: &[TermAnalysis]) -> String {
    let pct = |x: f64| format!("{:.0}%", x * 100.0);
    let mut text = format!(
        "{:<28} {:>6} {:>6} {:>7} {:>5} {:>6}  {:<10} {:>10}  top topics\n",
        "term", "posts", "green", "yellow", "red", "48 h", "verdict", "reply cost"
    );
    for r in rows {
        text.push_str(&format!(
            "{:<28} {:>6} {:>6} {:>7} {:>5} {:>6}  {:<10} {:>10}  {}\n",
            r.term.chars().take(28).collect::<String>(),
            r.found,
            pct(r.green_share),
            pct(r.yellow_share),
            pct(r.red_share),
            pct(r.fresh_share),
            r.verdict.as_str(),
            r.reply_cost,
            r.top_topics
                .iter()
                .map(|t| format!("{} ({})", t.topic, t.posts))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    for r in rows {
        text.push_str(&format!("\n\"{}\": {}", r.term, r.verdict_sentence));
    }
    text
}

pub async fn searches_command(
    command: SearchesCommand,
    store: &Store,
    out: &Out,
) -> Result<(), FinderError> {
    match command {
        SearchesCommand::List { project } => {
            let project_id = match project {
                Some(name) => Some(projects::get_by_name(store, &name).await?.id),
                None => None,
            };
            let list = saved::list(store, project_id).await?;
            let mut text = String::new();
            for s in &list {
                text.push_str(&format!(
                    "#{} \"{}\" on {}: {} · {}{}\n",
                    s.id,
                    s.name,
                    s.request.source.describe(),
                    s.request.terms.join(", "),
                    match s.refresh_hours {
                        Some(h) => format!("every {h} h"),
                        None => "refreshed when asked".into(),
                    },
                    s.last_fetched_at
                        .map(|t| format!(
                            " · last fetched {}",
                            chrono::DateTime::from_timestamp(t, 0)
                                .unwrap_or_default()
                                .format("%Y-%m-%d %H:%M UTC")
                        ))
                        .unwrap_or_default()
                ));
            }
            if list.is_empty() {
                text = "No saved searches yet. Add one with `comment-finder search … --save NAME`."
                    .into();
            }
            out.print(&json!({ "saved_searches": list }), text.trim_end());
        }
        SearchesCommand::Schedule { id, every, draft } => {
            let s = saved::set_schedule(store, id, (every > 0).then_some(every), draft).await?;
            out.print(
                &json!({ "saved_search": s }),
                &match s.refresh_hours {
                    Some(h) => format!(
                        "\"{}\" is refreshed every {h} hours while the app runs.",
                        s.name
                    ),
                    None => format!("\"{}\" is refreshed only when asked.", s.name),
                },
            );
        }
        SearchesCommand::Delete { id } => {
            saved::delete(store, id).await?;
            out.print(
                &json!({ "deleted": id }),
                &format!("Saved search #{id} removed."),
            );
        }
    }
    Ok(())
}

pub async fn data_prices_command(
    command: DataPricesCommand,
    store: &Store,
    out: &Out,
) -> Result<(), FinderError> {
    let rows = match command {
        DataPricesCommand::List => data_prices::list(store).await?,
        DataPricesCommand::Set {
            provider,
            usd_per_1000_posts,
        } => {
            data_prices::set(store, &provider, &usd_per_1000_posts, now()).await?;
            data_prices::list(store).await?
        }
    };
    let mut text = String::from("source                 per 1,000 posts   since\n");
    for r in &rows {
        text.push_str(&format!(
            "{:<22} {:>15}   {}\n",
            r.provider, r.usd_per_1000_posts, r.source
        ));
    }
    out.print(&json!({ "data_prices": rows }), text.trim_end());
    Ok(())
}

#[cfg(feature = "bench")]
#[derive(Args)]
pub struct BenchFindArgs {
    /// Posts to fetch (one term).
    #[arg(long, default_value_t = 1_000)]
    posts: u32,
    /// Apify (default) or x.
    #[arg(long, default_value = "apify")]
    source: String,
}

/// Fetch speed: posts a second through fetch + import, and through scoring, against the fake
/// sources on 127.0.0.1 with a fresh database and the sample project's settings.
#[cfg(feature = "bench")]
pub async fn bench_find(args: BenchFindArgs, out: &Out) -> Result<(), FinderError> {
    use gemini::ApiKey;
    use std::time::Instant;

    let source = Source::parse(&args.source)
        .ok_or_else(|| FinderError::InvalidInput("use --source apify or x".into()))?;
    let dir = tempfile::tempdir().map_err(|e| FinderError::InvalidInput(e.to_string()))?;
    let (store, _) = Store::open(&dir.path().join("bench.db")).await?;
    let project = projects::create(&store, &finder::sample::settings(), now()).await?;
    // Runs of 5 simulated seconds that take 10 ms: the measurement is ours, not the wait.
    let server = fake_sources::FakeSources::start(fake_sources::SourcesConfig {
        time_scale: 500.0,
        apify_run_secs: 5.0,
        ..Default::default()
    })
    .await
    .map_err(|e| FinderError::InvalidInput(format!("The fake sources could not start: {e}")))?;
    let access = SourceAccess {
        source,
        base_url: server.base_url(),
        token: ApiKey::new(match source {
            Source::Apify => server.apify_token(),
            Source::X => server.x_token(),
        }),
    };
    let request = SearchRequest {
        source,
        terms: vec!["onboarding".into()],
        filters: SearchFilters::default(),
        count: args.posts.clamp(search::MIN_COUNT, search::MAX_COUNT),
    };
    let options = SearchOptions {
        poll: PollPolicy::quick(),
        skip_scoring: true,
        ..SearchOptions::default()
    };
    let started = Instant::now();
    let outcome = search::run(
        &store,
        project.id,
        &request,
        &access,
        &options,
        &now,
        &|_| {},
        &SearchCancel::new(),
    )
    .await?;
    let fetch = started.elapsed();
    let scoring_started = Instant::now();
    let report =
        finder::posts::score_project(&store, &project, &Default::default(), 0, now()).await?;
    let scoring = scoring_started.elapsed();
    let total = fetch + scoring;
    let rate = |n: u64, d: std::time::Duration| n as f64 / d.as_secs_f64().max(1e-9);
    let value = json!({
        "source": source.as_str(),
        "posts": outcome.found,
        "fetch_and_import_s": fetch.as_secs_f64(),
        "scoring_s": scoring.as_secs_f64(),
        "posts_per_s_fetch_and_import": rate(outcome.found, fetch),
        "posts_per_s_scoring": rate(report.scored as u64, scoring),
        "posts_per_s_overall": rate(outcome.found, total),
    });
    out.print(
        &value,
        &format!(
            "{} posts from the fake {} server: fetch + import {:.2} s ({:.0} posts/s), scoring {:.2} s ({:.0} posts/s), overall {:.0} posts/s.",
            outcome.found,
            if source == Source::Apify { "Apify" } else { "X API" },
            fetch.as_secs_f64(),
            rate(outcome.found, fetch),
            scoring.as_secs_f64(),
            rate(report.scored as u64, scoring),
            rate(outcome.found, total)
        ),
    );
    server.shutdown().await;
    store.close().await;
    Ok(())
}
