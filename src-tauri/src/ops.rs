//! The command bodies, written against [`AppState`] so they run (and are tested) without a
//! window. Each Tauri command in `commands.rs` is a one-line call into here.

use std::path::{Path, PathBuf};

use finder::examples::ExampleRequester;
use finder::export::{self, ExportOptions};
use finder::posts::{self, PostFilter};
use finder::project::ProjectSettings as EngineSettings;
use finder::spend::{self, SpendRange};
use finder::{engine, import, prices, projects, review, runner, ErrorCode};
use keychain::Secret;

use crate::dto::{self, *};
use crate::error::{AppError, AppResult, ShellErrorCode};
use crate::logging;
use crate::runs::{self, Emit};
use crate::state::{check_key, keys, AppState};

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn path_arg(path: &str, what: &str) -> AppResult<PathBuf> {
    let trimmed = path.trim();
    if trimmed.is_empty() {
        return Err(AppError::invalid(format!("Choose {what} first.")));
    }
    Ok(PathBuf::from(trimmed))
}

fn range_of(query: &CostQuery) -> AppResult<SpendRange> {
    Ok(SpendRange::from_local_dates(
        query.project_id,
        query.since.as_deref().filter(|s| !s.trim().is_empty()),
        query.until.as_deref().filter(|s| !s.trim().is_empty()),
    )?)
}

impl AppState {
    pub fn app_info(&self) -> AppInfo {
        AppInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            data_dir: self
                .paths
                .db_path
                .parent()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            database_path: self.paths.db_path.display().to_string(),
            log_dir: self.paths.log_dir.display().to_string(),
            imports_dir: self.paths.data_dir().join("imports").display().to_string(),
            exports_dir: self.paths.data_dir().join("exports").display().to_string(),
        }
    }

    // ---------- keys ----------

    pub fn key_status(&self, which: SecretName) -> AppResult<KeyStatus> {
        let secret = which;
        let from_environment =
            secret == Secret::Gemini && keychain::gemini_key_from_env().is_some();
        let status = if from_environment {
            let key = keychain::gemini_key_from_env();
            keychain::KeyStatus {
                set: true,
                last4: key.map(|k| k.last4()),
            }
        } else {
            self.keychain.status(secret)?
        };
        Ok(KeyStatus {
            secret: which,
            set: status.set,
            last4: status.last4,
            from_environment,
        })
    }

    pub fn key_statuses(&self) -> AppResult<Vec<KeyStatus>> {
        [SecretName::Gemini, SecretName::Apify, SecretName::XBearer]
            .into_iter()
            .map(|s| self.key_status(s))
            .collect()
    }

    /// Saves a key in the keychain; the Gemini key is checked with the models endpoint first
    /// and nothing is saved when the check fails.
    pub async fn set_key(&self, which: SecretName, value: &str) -> AppResult<KeyStatus> {
        let key = gemini::ApiKey::new(value);
        let secret = which;
        if key.is_empty() {
            return Err(AppError::invalid(format!(
                "Paste your {} first.",
                secret.describe()
            )));
        }
        if secret == Secret::Gemini {
            // Entering the key with the server shown in Settings confirms it for that server.
            let server = finder::engine::gemini_server(&self.store).await?;
            let client = gemini::Client::new(gemini::ClientConfig {
                base_url: server.address.as_str().to_owned(),
                api_key: key.clone(),
                request_timeout: std::time::Duration::from_secs(20),
            })
            .map_err(|e| {
                AppError::new(
                    ErrorCode::InvalidKey,
                    format!("This is not a valid Gemini key: {e}"),
                )
            })?;
            check_key(&client, &key.last4()).await?;
            self.keychain.set(secret, &key)?;
            finder::engine::confirm_server(&self.store, &key).await?;
        } else {
            self.keychain.set(secret, &key)?;
        }
        tracing::info!(key = secret.name(), last4 = %key.last4(), "key saved");
        self.key_status(which)
    }

    pub fn delete_key(&self, which: SecretName) -> AppResult<KeyStatus> {
        let secret = which;
        self.keychain.delete(secret)?;
        tracing::info!(key = secret.name(), "key removed");
        self.key_status(which)
    }

    /// Checks the key in use (environment or keychain) with the models endpoint.
    pub async fn check_saved_key(&self) -> AppResult<KeyCheck> {
        let (access, last4) = self.gemini_access().await?;
        Ok(KeyCheck {
            models: check_key(&access.client, &last4).await?,
        })
    }

    // ---------- limits and settings ----------

    pub async fn set_limits(
        &self,
        tier: Tier,
        model: &str,
        custom: Option<Limits>,
    ) -> AppResult<LimitSettings> {
        let model = model.trim().trim_start_matches("models/");
        if !model.is_empty() {
            self.store
                .set_setting(keys::MODEL, &serde_json::json!(model))
                .await?;
        }
        match tier {
            Tier::Free | Tier::Tier1 => {
                // Stored as the CLI reads it, so `comment-finder run` uses the same tier.
                let name = if tier == Tier::Free { "free" } else { "tier1" };
                self.store
                    .set_setting(keys::TIER, &serde_json::json!(name))
                    .await?;
                self.store
                    .set_setting(keys::CUSTOM_LIMITS, &serde_json::Value::Null)
                    .await?;
            }
            Tier::Custom => {
                let custom = custom.ok_or_else(|| {
                    AppError::invalid("Enter your limits: at least the requests per minute.")
                })?;
                if custom.rpm == 0 {
                    return Err(AppError::invalid("Requests per minute must be at least 1."));
                }
                self.store
                    .set_setting(
                        keys::CUSTOM_LIMITS,
                        &serde_json::to_value(custom).unwrap_or_default(),
                    )
                    .await?;
            }
        }
        self.limit_settings().await
    }

    pub async fn set_monthly_budget(&self, picos: Option<i64>) -> AppResult<LimitSettings> {
        finder::budget::set_monthly_budget(&self.store, picos).await?;
        self.limit_settings().await
    }

    pub async fn set_gemini_base_url(&self, url: Option<String>) -> AppResult<LimitSettings> {
        let url = url
            .map(|u| u.trim().trim_end_matches('/').to_string())
            .filter(|u| !u.is_empty());
        // Parsed, not prefix-checked: https to any host, plain http only to this computer.
        // The key is not sent to a new address until the user confirms it (Settings shows
        // the host and asks).
        if let Some(u) = &url {
            finder::engine::parse_server_address(u)?;
        }
        self.store
            .set_setting(
                keys::GEMINI_BASE_URL,
                &url.map(serde_json::Value::from).unwrap_or_default(),
            )
            .await?;
        self.limit_settings().await
    }

    /// Text models the app can use: those in the price table (so their cost is known).
    pub async fn models(&self) -> AppResult<Vec<String>> {
        Ok(prices::list(&self.store)
            .await?
            .into_iter()
            .map(|r| r.model)
            .filter(|m| !m.contains("embedding"))
            .collect())
    }

    // ---------- projects ----------

    pub async fn list_projects(&self) -> AppResult<Vec<ProjectSummary>> {
        Ok(projects::list(&self.store).await?)
    }

    pub async fn get_project(&self, id: i64) -> AppResult<Project> {
        Ok(projects::get(&self.store, id).await?)
    }

    pub fn default_project_settings(&self, name: &str) -> dto::ProjectSettings {
        EngineSettings::with_defaults(name.trim())
    }

    /// What the editor must show before the settings can be saved (empty when they can).
    pub fn project_settings_problems(
        &self,
        settings: dto::ProjectSettings,
    ) -> Vec<finder::project::SettingsProblem> {
        settings.problems()
    }

    pub async fn create_project(&self, settings: dto::ProjectSettings) -> AppResult<Project> {
        let project = projects::create(&self.store, &settings, now()).await?;
        tracing::info!(project = project.name(), "project created");
        Ok(project)
    }

    pub async fn update_project(
        &self,
        id: i64,
        settings: dto::ProjectSettings,
    ) -> AppResult<Project> {
        Ok(projects::update(&self.store, id, &settings, now()).await?)
    }

    pub async fn delete_project(&self, id: i64) -> AppResult<()> {
        projects::delete(&self.store, id, now()).await?;
        tracing::info!(project_id = id, "project deleted");
        Ok(())
    }

    /// Creates a project from a project file (TOML, or the old finder.yml). `name` overrides
    /// the file's name (needed for a finder.yml, which has none).
    pub async fn import_project_file(
        &self,
        path: &str,
        name: Option<String>,
    ) -> AppResult<Project> {
        let path = self.grants.readable(&path_arg(path, "a project file")?)?;
        let text = finder::project::read_project_file(&path)?;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let fallback = path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        let name = name.filter(|n| !n.trim().is_empty()).unwrap_or_default();
        let mut settings = EngineSettings::from_file_text(&text, &file_name, &name)?;
        if settings.name.trim().is_empty() {
            settings.name = fallback;
        }
        let project = projects::create(&self.store, &settings, now()).await?;
        Ok(project)
    }

    pub async fn export_project_file(&self, id: i64, path: &str) -> AppResult<String> {
        let path = self
            .grants
            .writable(&path_arg(path, "where to save the project file")?)?;
        let project = projects::get(&self.store, id).await?;
        write_atomically(&path, project.settings.to_toml().as_bytes())?;
        Ok(path.display().to_string())
    }

    /// Asks Gemini for example posts for a topic (the topic as shown in the editor, saved or
    /// not). The call is in the cost ledger; the examples are returned, not saved.
    pub async fn suggest_topic_examples(
        &self,
        project_id: i64,
        label: &str,
        description: &str,
    ) -> AppResult<Vec<String>> {
        if label.trim().is_empty() {
            return Err(AppError::invalid("Give the topic a name first."));
        }
        let mut project = projects::get(&self.store, project_id).await?;
        match project
            .settings
            .topics
            .iter_mut()
            .find(|t| t.label.eq_ignore_ascii_case(label.trim()))
        {
            Some(topic) => topic.description = description.to_string(),
            None => project.settings.topics.push(finder::project::Topic {
                label: label.trim().to_string(),
                description: description.to_string(),
                examples: Vec::new(),
            }),
        }
        let model = project.settings.generation.model.clone();
        let limits = self.limits_for(&model).await?;
        let (access, _) = self.gemini_access().await?;
        let limiter =
            finder::engine::limiter_for(&self.store, &access, &model, limits, now()).await?;
        // Monthly caps apply to these calls too.
        let budget =
            finder::budget::Budget::load(&self.store, None, Some(project_id), None, now).await?;
        let requester = ExampleRequester {
            store: &self.store,
            client: &access.client,
            limiter: Some(&limiter),
            model: &model,
            wall_clock: now,
            budget: Some(&budget),
            run_id: None,
        };
        Ok(requester.suggest(&project, label).await?)
    }

    // ---------- posts ----------

    /// Imports posts and scores the project, so the new posts show in the review queue.
    pub async fn import_posts(
        &self,
        project_id: i64,
        source: ImportSource,
    ) -> AppResult<dto::ImportReport> {
        let project = projects::get(&self.store, project_id).await?;
        let at = now();
        let report = match source {
            ImportSource::Path { path } => {
                let path = self
                    .grants
                    .readable(&path_arg(&path, "a file to import")?)?;
                import::import_file(&self.store, project.id, &path, at).await?
            }
        };
        let scored =
            posts::score_project(&self.store, &project, &PostFilter::default(), 0, at).await?;
        tracing::info!(
            project = project.name(),
            added = report.added,
            updated = report.updated,
            skipped = report.skipped.len(),
            "posts imported"
        );
        Ok(dto::ImportReport::from_engine(report, scored.scored as u64))
    }

    // ---------- runs ----------

    pub async fn default_run_settings(&self, project_id: i64) -> AppResult<dto::RunSettings> {
        let project = projects::get(&self.store, project_id).await?;
        let model = project.settings.generation.model.clone();
        let limits = self.limits_for(&model).await?;
        Ok(runner::RunSettings::defaults(&model, limits))
    }

    /// Requests, tokens, cost and time before starting. Spends nothing: relevance is by word
    /// overlap here, so the real run (with embeddings) may pick slightly different posts.
    pub async fn forecast_run(
        &self,
        project_id: i64,
        settings: RunSettings,
        budget_picos: Option<i64>,
    ) -> AppResult<Forecast> {
        // With a key, the forecast knows what embeddings cost and Google's daily allowance;
        // without one it is still shown (nothing is paid either way).
        let access = self.gemini_access().await.ok().map(|(access, _)| access);
        let prepared =
            finder::engine::prepare(&self.store, access.as_ref(), project_id, settings, now())
                .await?;
        // The words say whether the estimate is above the budget typed beside the settings.
        let mut forecast = prepared.forecast;
        forecast.text = finder::run_text::forecast_text(&forecast, budget_picos);
        Ok(forecast)
    }

    pub async fn list_runs(&self, project_id: Option<i64>) -> AppResult<Vec<RunListing>> {
        Ok(runner::list(&self.store, project_id, 200, now())
            .await?
            .into_iter()
            .map(|mut r| {
                r.active = self.runs.is_active(r.run_id);
                r
            })
            .collect())
    }

    pub async fn run_summary(&self, run_id: i64) -> AppResult<dto::RunSummary> {
        Ok(runner::summary(&self.store, run_id, now()).await?)
    }

    // ---------- review ----------

    pub async fn list_opportunities(&self, query: OpportunityQuery) -> AppResult<OpportunityPage> {
        Ok(review::list(&self.store, &query, now()).await?)
    }

    pub async fn set_post_status(
        &self,
        project_id: i64,
        tweet_ids: Vec<String>,
        status: PostStatus,
    ) -> AppResult<StatusChange> {
        Ok(review::set_status(&self.store, project_id, &tweet_ids, status).await?)
    }

    pub async fn undo_post_status(&self, change: StatusChange) -> AppResult<u64> {
        Ok(review::undo_status(&self.store, &change).await?)
    }

    pub async fn set_draft_review(&self, draft_id: i64, review: DraftReview) -> AppResult<Draft> {
        Ok(review::set_review(&self.store, draft_id, review).await?)
    }

    pub async fn edit_draft(&self, draft_id: i64, text: &str) -> AppResult<Draft> {
        Ok(review::edit_draft(&self.store, draft_id, text).await?)
    }

    pub async fn topics_in_use(&self, project_id: i64) -> AppResult<Vec<String>> {
        Ok(review::topics_in_use(&self.store, project_id).await?)
    }

    // ---------- costs ----------

    pub async fn costs_by_day(
        &self,
        query: CostQuery,
        by: CostGroupBy,
    ) -> AppResult<Vec<CostDayRow>> {
        Ok(spend::by_day(&self.store, &range_of(&query)?, by).await?)
    }

    pub async fn cost_overview(&self, query: CostQuery) -> AppResult<CostOverview> {
        let o = spend::overview(&self.store, &range_of(&query)?, now()).await?;
        Ok(CostOverview {
            month_to_date_picos: o.month_to_date_picos,
            monthly_budget_picos: finder::budget::monthly_budget(&self.store).await?,
            range_total_picos: o.range_total_picos,
            range_calls: o.range_calls,
            range_posts_answered: o.range_posts_answered,
            avg_picos_per_post: o.avg_picos_per_post,
        })
    }

    pub async fn costs_per_run(&self, query: CostQuery) -> AppResult<Vec<RunCost>> {
        Ok(spend::per_run(&self.store, &range_of(&query)?).await?)
    }

    pub async fn average_cost_per_post(&self, query: CostQuery) -> AppResult<Vec<DayAverage>> {
        Ok(spend::average_per_post(&self.store, &range_of(&query)?).await?)
    }

    pub async fn export_costs_csv(&self, query: CostQuery, path: &str) -> AppResult<CsvReport> {
        let out = self
            .grants
            .writable(&path_arg(path, "where to save the CSV")?)?;
        let report = spend::export_csv(&self.store, &range_of(&query)?, &out, false).await?;
        Ok(CsvReport {
            path: out.display().to_string(),
            rows: report.rows as u64,
            marked_exported: 0,
        })
    }

    // ---------- export ----------

    pub async fn export_opportunities_csv(
        &self,
        options: OpportunityExport,
    ) -> AppResult<CsvReport> {
        let out = self
            .grants
            .writable(&path_arg(&options.path, "where to save the CSV")?)?;
        let project = projects::get(&self.store, options.project_id).await?;
        let report = export::export_csv(
            &self.store,
            &project,
            &ExportOptions {
                labels: options.labels,
                status: options.status,
                sort: options.sort,
                limit: options.limit,
                bom: options.bom,
                mark_exported: options.mark_exported,
            },
            &out,
        )
        .await?;
        tracing::info!(project = project.name(), rows = report.rows, path = %out.display(), "opportunities exported");
        Ok(CsvReport {
            path: report.path.display().to_string(),
            rows: report.rows as u64,
            marked_exported: report.marked_exported,
        })
    }

    // ---------- prices, logs ----------

    pub async fn list_prices(&self) -> AppResult<Vec<PriceRow>> {
        Ok(prices::list(&self.store).await?)
    }

    pub async fn set_price(&self, price: PriceInput) -> AppResult<PriceRow> {
        let cached = price
            .cached_usd_per_mtok
            .as_deref()
            .filter(|c| !c.trim().is_empty());
        prices::set(
            &self.store,
            &price.model,
            &price.input_usd_per_mtok,
            &price.output_usd_per_mtok,
            cached,
            now(),
        )
        .await?;
        let model = price.model.trim().trim_start_matches("models/").to_string();
        prices::list(&self.store)
            .await?
            .into_iter()
            .find(|r| r.model == model)
            .ok_or_else(|| {
                AppError::new(
                    ShellErrorCode::Internal,
                    "The price was saved but could not be read back.",
                )
            })
    }

    pub fn log_tail(&self, lines: u32) -> AppResult<LogTail> {
        logging::tail(&self.paths.log_dir, lines as usize)
    }
}

/// Writes beside the target and renames into place, so an interrupted save leaves no half file.
fn write_atomically(path: &Path, bytes: &[u8]) -> AppResult<()> {
    let unwritable = |e: std::io::Error| -> AppError {
        finder::FinderError::FileUnwritable {
            path: path.to_path_buf(),
            message: e.to_string(),
        }
        .into()
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "project.toml".into());
    let temp = dir.join(format!(".{name}.partial"));
    std::fs::write(&temp, bytes).map_err(unwritable)?;
    std::fs::rename(&temp, path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        unwritable(e)
    })
}

/// Amounts of money as the window shows them (the engine's one formatter).
pub fn money_texts(picos: Vec<i64>) -> Vec<prices::MoneyText> {
    picos.into_iter().map(prices::MoneyText::of).collect()
}

/// A budget typed in a field, checked against what the run already spent.
pub fn read_budget(text: &str, spent_picos: Option<i64>) -> prices::BudgetInput {
    prices::read_budget(text, spent_picos.unwrap_or(0))
}

/// A post's score in its parts (velocity, relevance, openness, author) with these weights.
pub fn score_parts(weights: dto::Weights, parts: [f64; 4]) -> Vec<finder::score_parts::ScorePart> {
    let [velocity, relevance, openness, author] = parts;
    finder::score_parts::score_parts(&weights, velocity, relevance, openness, author)
}

// ---------- runs ----------

impl AppState {
    /// Starts a run from the window's settings; returns its id once the engine has stored it.
    /// The engine checks the settings, plans and refuses a run with nothing to do.
    pub async fn start_run(
        &self,
        emit: Emit,
        project_id: i64,
        mut settings: RunSettings,
        budget_picos: Option<i64>,
        now: i64,
    ) -> AppResult<i64> {
        settings.budget_picos = budget_picos;
        let (access, last4) = self.gemini_access().await?;
        check_key(&access.client, &last4).await?;
        let handle = engine::start_run(
            &self.store,
            &access,
            project_id,
            settings,
            now,
            runs::wall_clock,
        )
        .await?;
        Ok(runs::forward(emit, handle))
    }

    /// Continues a stopped, interrupted or crashed run: finished posts are skipped. A new budget
    /// (for a run that stopped at its cap) is stored with the run first.
    pub async fn resume_run(
        &self,
        emit: Emit,
        run_id: i64,
        budget_picos: Option<i64>,
        mode: Option<runner::RunMode>,
    ) -> AppResult<i64> {
        if budget_picos.is_some() {
            runner::set_run_budget(&self.store, run_id, budget_picos).await?;
        }
        if let Some(mode) = mode {
            engine::set_run_mode(&self.store, run_id, mode).await?;
        }
        let (access, last4) = self.gemini_access().await?;
        check_key(&access.client, &last4).await?;
        tracing::info!(run_id, "resuming run");
        let handle = engine::resume(&self.store, &access, run_id, runs::wall_clock).await?;
        Ok(runs::forward(emit, handle))
    }

    /// Picks up batch runs whose jobs are still at Google (after the app was closed, a reboot
    /// or a kill): their answers are collected and stored as if the app had never stopped.
    pub async fn pick_up_batch_runs(&self, emit: Emit) {
        let ids = match finder::batch::runs_with_open_jobs(&self.store).await {
            Ok(ids) => ids,
            Err(e) => {
                tracing::warn!(error = %e, "could not look for batch runs to pick up");
                return;
            }
        };
        let ids: Vec<i64> = ids
            .into_iter()
            .filter(|id| !self.runs.is_active(*id))
            .collect();
        if ids.is_empty() {
            return;
        }
        // One key check for them all (it asks Google), not one per run.
        let access = match self.gemini_access().await {
            Ok((access, last4)) => match check_key(&access.client, &last4).await {
                Ok(_) => access,
                Err(e) => return not_picked_up(&ids, &e),
            },
            Err(e) => return not_picked_up(&ids, &e),
        };
        for run_id in ids {
            match engine::resume(&self.store, &access, run_id, runs::wall_clock).await {
                Ok(handle) => {
                    runs::forward(emit.clone(), handle);
                    tracing::info!(run_id, "picked up a batch run");
                }
                // Another window works on it: the Runs list offers Resume.
                Err(e) => not_picked_up(&[run_id], &AppError::from(e)),
            }
        }
    }
}

/// No key yet, or another window works on them: the Runs list offers Resume.
fn not_picked_up(run_ids: &[i64], e: &AppError) {
    for run_id in run_ids {
        tracing::info!(run_id, code = %e.code, "batch run not picked up: {}", e.message);
    }
}
