//! `comment-finder`: the headless interface to the engine, for automation, benchmarks and
//! power users. Human output uses plain words; `--json` prints one JSON document on stdout;
//! errors go to stderr with a non-zero exit, never a stack trace.

// The benchmarks run against the fake servers, which the shipped CLI does not link.
#[cfg(feature = "bench")]
mod bench;
mod find;
mod keys;
mod output;
mod runs;
#[cfg(feature = "bench")]
mod scenarios;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use finder::export::{ExportOptions, Sort, Status};
use finder::posts::PostFilter;
use finder::project::ProjectSettings;
use finder::scoring::Label;
use finder::{import, posts, projects, sample, FinderError, Store};
use serde_json::json;

use output::Out;

#[derive(Parser)]
#[command(
    name = "comment-finder",
    version,
    about = "Find fresh X posts worth replying to, score them, export them."
)]
struct Cli {
    /// The database file (default: the app's data folder, shared with the desktop app).
    #[arg(long, global = true, env = "COMMENT_FINDER_DB")]
    db: Option<PathBuf>,
    /// Print one JSON document on stdout instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// Do not add the sample project when creating a new database.
    #[arg(long, global = true)]
    no_sample: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create, list, show or export projects.
    #[command(subcommand)]
    Project(ProjectCommand),
    /// Import posts from an Apify export (JSON, JSONL, CSV) or X API search results (JSON).
    Import {
        file: PathBuf,
        /// The project the posts are for (optional when there is only one project).
        #[arg(long)]
        project: Option<String>,
    },
    /// Score a project's posts without generating replies; prints label counts and the best posts.
    Score {
        #[arg(long)]
        project: String,
        #[command(flatten)]
        filter: FilterArgs,
        /// How many of the best posts to list.
        #[arg(long, default_value_t = 10)]
        top: usize,
    },
    /// Write a project's scored posts (and their reply drafts) to a CSV file.
    Export {
        #[arg(long)]
        project: String,
        #[arg(long)]
        out: PathBuf,
        /// Only these labels (green, yellow, red); repeat or separate with commas.
        #[arg(long, value_delimiter = ',')]
        label: Vec<String>,
        /// Only posts with this status: pending (default), exported, posted, skipped, or all.
        #[arg(long, default_value = "pending")]
        status: String,
        /// Order: score, views, or balanced (score × √views).
        #[arg(long, default_value = "score")]
        sort: String,
        /// At most this many posts.
        #[arg(long)]
        limit: Option<u32>,
        /// Start the file with a UTF-8 byte-order mark (for older Excel).
        #[arg(long)]
        bom: bool,
        /// Also mark the pending posts in the file as exported (done): they leave the "to
        /// review" queue and the next default export. Without it, exporting changes nothing.
        #[arg(long)]
        mark_exported: bool,
    },
    /// Add the sample project again, with its posts re-dated to now.
    Sample,
    /// Measure import and scoring speed on generated posts (release build recommended).
    #[cfg(feature = "bench")]
    Bench(bench::BenchArgs),
    /// Measure the batch runner against the fake Gemini server with a real quota (sped up).
    #[cfg(feature = "bench")]
    BenchRun(bench::RunBenchArgs),
    /// Measure runs against a harsh fake provider (quotas, 429 storms, budgets, forecasts).
    #[cfg(feature = "bench")]
    BenchScenarios(scenarios::ScenarioArgs),
    /// Store, check or remove API keys in the OS keychain.
    #[command(subcommand)]
    Key(keys::KeyCommand),
    /// Ask Gemini for reply drafts for a project's best fresh posts (rate-limited batch).
    Run(runs::RunArgs),
    /// List, show or resume runs.
    #[command(subcommand)]
    Runs(runs::RunsCommand),
    /// What the AI calls cost, by day, project, model or run.
    Costs(runs::CostsArgs),
    /// The price table used for costs.
    #[command(subcommand)]
    Prices(runs::PricesCommand),
    /// Monthly spending caps, overall and per project (shared with the desktop app).
    #[command(subcommand)]
    Budget(runs::BudgetCommand),
    /// Find posts on Apify or the X API for a project: imported, scored and costed.
    Search(find::SearchArgs),
    /// Run a project's saved searches, asking only for posts newer than the last fetch (cron).
    Refresh(find::RefreshArgs),
    /// Compare search terms: posts found, green/yellow/red shares, freshness, verdict, reply cost.
    AnalyzeTerms(find::AnalyzeArgs),
    /// A project's saved searches: list, schedule, delete.
    #[command(subcommand)]
    Searches(find::SearchesCommand),
    /// What reading posts costs per source (dated; a change applies from now on).
    #[command(subcommand)]
    DataPrices(find::DataPricesCommand),
    /// Measure fetch speed (posts a second through import and scoring) against the fake sources.
    #[cfg(feature = "bench")]
    BenchFind(find::BenchFindArgs),
}

#[derive(Subcommand)]
enum ProjectCommand {
    /// Create a project with default settings, or from a project file (TOML, or the old finder.yml).
    Create {
        name: String,
        #[arg(long)]
        from: Option<PathBuf>,
    },
    /// List projects.
    List,
    /// Show a project's settings.
    Show { name: String },
    /// Ask Gemini for example posts: for one topic (shown), or for every topic without any (saved).
    SuggestExamples {
        name: String,
        #[arg(long)]
        topic: Option<String>,
    },
    /// Write a project's settings to a TOML file you can edit and import again.
    Export {
        name: String,
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Args, Clone)]
struct FilterArgs {
    /// Only posts from the last H hours.
    #[arg(long)]
    hours_back: Option<f64>,
    /// Only authors with at least N followers.
    #[arg(long, default_value_t = 0)]
    min_followers: i64,
    /// Only posts with at least N likes.
    #[arg(long, default_value_t = 0)]
    min_likes: i64,
    /// At most N posts (the freshest that pass the filters).
    #[arg(long)]
    max_posts: Option<u32>,
}

impl FilterArgs {
    fn to_filter(&self, now: i64) -> PostFilter {
        PostFilter {
            posted_since: self.hours_back.map(|h| now - (h * 3600.0) as i64),
            min_followers: self.min_followers,
            min_likes: self.min_likes,
            limit: self.max_posts,
        }
    }
}

fn main() -> ExitCode {
    // GEMINI_API_KEY is read now and taken out of the environment (no child process inherits
    // it). First, before the runtime's threads exist.
    keychain::take_secrets_from_env();
    std::panic::set_hook(Box::new(|info| {
        eprintln!(
            "Comment Finder hit an internal problem and stopped: {info}. Your stored data is safe."
        );
    }));
    let cli = Cli::parse();
    let out = Out { json: cli.json };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("Could not start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli, &out)) {
        // A run that stopped at a budget or the daily quota, or warns about a monthly
        // budget, says so with its own exit code (see `runs::EXIT_*`).
        Ok(()) => ExitCode::from(runs::exit_code()),
        Err(e) => {
            out.error(&e);
            ExitCode::FAILURE
        }
    }
}

fn default_db_path() -> Result<PathBuf, FinderError> {
    directories::BaseDirs::new()
        .map(|dirs| {
            dirs.data_dir()
                .join("app.commentfinder")
                .join("comment-finder.db")
        })
        .ok_or_else(|| {
            FinderError::InvalidInput("No home folder was found; pass --db PATH.".into())
        })
}

async fn open_store(
    cli_db: Option<PathBuf>,
    no_sample: bool,
    out: &Out,
    now: i64,
) -> Result<Store, FinderError> {
    let path = match cli_db {
        Some(p) => p,
        None => default_db_path()?,
    };
    let (store, report) = Store::open(&path).await?;
    if let Some(backup) = &report.backup {
        out.note(&format!(
            "Updated the database layout; the previous version is saved at {}.",
            backup.display()
        ));
    }
    if report.created && !no_sample {
        let (project, imported) = sample::load(&store, now).await?;
        out.note(&format!(
            "Created a new database at {} with the sample project \"{}\" ({} posts).",
            path.display(),
            project.name(),
            imported.added
        ));
    }
    Ok(store)
}

async fn run(cli: Cli, out: &Out) -> Result<(), FinderError> {
    let now = chrono::Utc::now().timestamp();
    // The benchmarks make their own throw-away databases.
    #[cfg(feature = "bench")]
    let cli = match cli.command {
        Command::Bench(args) => return bench::run(&args, out).await,
        Command::BenchRun(args) => return bench::run_benchmark(&args, out).await,
        Command::BenchScenarios(args) => return scenarios::run(&args, out).await,
        Command::BenchFind(args) => return find::bench_find(args, out).await,
        command => Cli { command, ..cli },
    };
    if let Command::Key(command) = cli.command {
        let db = match cli.db {
            Some(p) => p,
            None => default_db_path()?,
        };
        return keys::run(command, &db, out).await;
    }
    let store = open_store(cli.db, cli.no_sample, out, now).await?;
    let result = dispatch(cli.command, &store, out, now).await;
    store.close().await;
    result
}

async fn dispatch(command: Command, store: &Store, out: &Out, now: i64) -> Result<(), FinderError> {
    match command {
        Command::Project(ProjectCommand::Create { name, from }) => {
            let settings = match from {
                None => ProjectSettings::with_defaults(&name),
                Some(path) => {
                    let text = finder::project::read_project_file(&path)?;
                    let file_name = path
                        .file_name()
                        .map(|n| n.to_string_lossy().to_string())
                        .unwrap_or_default();
                    ProjectSettings::from_file_text(&text, &file_name, &name)?
                }
            };
            let project = projects::create(store, &settings, now).await?;
            out.print(
                &json!({"project": {"id": project.id, "name": project.name(), "topics": project.settings.topics.len()}}),
                &format!("Created project \"{}\" with {} topic(s).", project.name(), project.settings.topics.len()),
            );
        }
        Command::Project(ProjectCommand::SuggestExamples { name, topic }) => {
            runs::suggest_examples(&name, topic.as_deref(), store, out, now).await?;
        }
        Command::Project(ProjectCommand::List) => {
            let list = projects::list(store).await?;
            out.print(&json!({ "projects": list }), &output::project_list(&list));
        }
        Command::Project(ProjectCommand::Show { name }) => {
            let project = projects::get_by_name(store, &name).await?;
            out.print(
                &json!({"id": project.id, "settings": project.settings}),
                &project.settings.to_toml(),
            );
        }
        Command::Project(ProjectCommand::Export { name, out: path }) => {
            let project = projects::get_by_name(store, &name).await?;
            std::fs::write(&path, project.settings.to_toml()).map_err(|e| {
                FinderError::FileUnwritable {
                    path: path.clone(),
                    message: e.to_string(),
                }
            })?;
            out.print(
                &json!({"project": project.name(), "path": path}),
                &format!(
                    "Wrote the settings of \"{}\" to {}.",
                    project.name(),
                    path.display()
                ),
            );
        }
        Command::Import { file, project } => {
            let project = match project {
                Some(name) => projects::get_by_name(store, &name).await?,
                None => only_project(store).await?,
            };
            let report = import::import_file(store, project.id, &file, now).await?;
            out.print(
                &json!({"project": project.name(), "report": report}),
                &output::import_report(&file, project.name(), &report),
            );
        }
        Command::Score {
            project,
            filter,
            top,
        } => {
            let project = projects::get_by_name(store, &project).await?;
            let report =
                posts::score_project(store, &project, &filter.to_filter(now), top, now).await?;
            out.print(
                &json!({"project": project.name(), "report": report}),
                &output::score_report(&report),
            );
        }
        Command::Export {
            project,
            out: path,
            label,
            status,
            sort,
            limit,
            bom,
            mark_exported,
        } => {
            let project = projects::get_by_name(store, &project).await?;
            let mut options = export_options(&label, &status, &sort, limit, bom)?;
            options.mark_exported = mark_exported;
            let report = finder::export::export_csv(store, &project, &options, &path).await?;
            out.print(
                &json!(report),
                &format!(
                    "Wrote {} post(s) to {}{}.",
                    report.rows,
                    path.display(),
                    if report.marked_exported > 0 {
                        format!(" and marked {} as exported (done)", report.marked_exported)
                    } else {
                        String::new()
                    }
                ),
            );
        }
        Command::Sample => {
            let (project, report) = sample::load(store, now).await?;
            out.print(
                &json!({"project": project.name(), "report": report}),
                &format!(
                    "Sample project \"{}\" is ready: {} posts added, {} refreshed.",
                    project.name(),
                    report.added,
                    report.updated
                ),
            );
        }
        Command::Key(_) => {}
        #[cfg(feature = "bench")]
        Command::Bench(_)
        | Command::BenchRun(_)
        | Command::BenchScenarios(_)
        | Command::BenchFind(_) => {}
        Command::Run(args) => runs::run(args, store, out, now).await?,
        Command::Runs(command) => runs::runs(command, store, out, now).await?,
        Command::Costs(args) => runs::costs(args, store, out).await?,
        Command::Prices(command) => runs::prices_command(command, store, out, now).await?,
        Command::Budget(command) => runs::budget_command(command, store, out, now).await?,
        Command::Search(args) => find::search_command(args, store, out).await?,
        Command::Refresh(args) => find::refresh_command(args, store, out).await?,
        Command::AnalyzeTerms(args) => find::analyze_command(args, store, out).await?,
        Command::Searches(command) => find::searches_command(command, store, out).await?,
        Command::DataPrices(command) => find::data_prices_command(command, store, out).await?,
    }
    Ok(())
}

async fn only_project(store: &Store) -> Result<projects::Project, FinderError> {
    let list = projects::list(store).await?;
    match list.as_slice() {
        [one] => projects::get(store, one.id).await,
        [] => Err(FinderError::InvalidInput(
            "There is no project yet. Create one with `comment-finder project create NAME`.".into(),
        )),
        _ => Err(FinderError::InvalidInput(format!(
            "Say which project the posts are for with --project (one of: {}).",
            list.iter()
                .map(|p| format!("\"{}\"", p.name))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

fn export_options(
    labels: &[String],
    status: &str,
    sort: &str,
    limit: Option<u32>,
    bom: bool,
) -> Result<ExportOptions, FinderError> {
    let labels = labels
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            Label::parse(l).ok_or_else(|| {
                FinderError::InvalidInput(format!(
                    "\"{l}\" is not a label; use green, yellow or red."
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let status = if status.eq_ignore_ascii_case("all") {
        None
    } else {
        Some(Status::parse(status).ok_or_else(|| {
            FinderError::InvalidInput(format!(
                "\"{status}\" is not a status; use pending, exported, posted, skipped or all."
            ))
        })?)
    };
    let sort = Sort::parse(sort).ok_or_else(|| {
        FinderError::InvalidInput(format!(
            "\"{sort}\" is not a sort order; use score, views or balanced."
        ))
    })?;
    Ok(ExportOptions {
        labels,
        status,
        sort,
        limit,
        bom,
        mark_exported: false,
    })
}
