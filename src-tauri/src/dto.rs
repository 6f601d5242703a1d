//! The IPC contract: every shape that crosses to the web UI, with its TypeScript twin generated
//! by tauri-specta (`ui/src/bindings.ts`).
//!
//! The engine stays free of UI concerns (no specta there), so these types mirror its types
//! field for field, with `From` conversions both ways where the UI sends data back. A change
//! in the engine that the UI would notice breaks the build here, not at run time in the
//! window. Field names are the engine's (snake_case, as serde writes them).
//!
//! Numbers: ids, counts and pico-dollar amounts are exported as TypeScript `number`. Money as
//! pico-dollars stays exact in a JS number up to about $9,000 per figure (2^53 picos), far
//! above what one project spends; tweet ids, which are larger, cross as strings.

use finder::export::{Sort, Status};
use finder::limiter::Limits as EngineLimits;
use finder::project::{self as p};
use finder::review::{self, Review, ReviewSort};
use finder::scoring::Label as EngineLabel;
use finder::spend::StackBy;
use finder::{import, prices, projects, runner, spend};
use serde::{Deserialize, Serialize};
use specta::Type;

/// How `f64` fields are exported: TypeScript `number`. (specta writes `number | null` for
/// floats, since serde turns NaN and infinities into null; these values are always finite.)
pub type JsNumber = i32;

// ---------- small enums ----------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    Green,
    Yellow,
    Red,
}

impl From<EngineLabel> for Label {
    fn from(l: EngineLabel) -> Self {
        match l {
            EngineLabel::Green => Label::Green,
            EngineLabel::Yellow => Label::Yellow,
            EngineLabel::Red => Label::Red,
        }
    }
}

impl From<Label> for EngineLabel {
    fn from(l: Label) -> Self {
        match l {
            Label::Green => EngineLabel::Green,
            Label::Yellow => EngineLabel::Yellow,
            Label::Red => EngineLabel::Red,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum PostStatus {
    Pending,
    Exported,
    Posted,
    Skipped,
}

impl From<Status> for PostStatus {
    fn from(s: Status) -> Self {
        match s {
            Status::Pending => PostStatus::Pending,
            Status::Exported => PostStatus::Exported,
            Status::Posted => PostStatus::Posted,
            Status::Skipped => PostStatus::Skipped,
        }
    }
}

impl From<PostStatus> for Status {
    fn from(s: PostStatus) -> Self {
        match s {
            PostStatus::Pending => Status::Pending,
            PostStatus::Exported => Status::Exported,
            PostStatus::Posted => Status::Posted,
            PostStatus::Skipped => Status::Skipped,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum DraftReview {
    Draft,
    Approved,
    Rejected,
}

impl From<Review> for DraftReview {
    fn from(r: Review) -> Self {
        match r {
            Review::Draft => DraftReview::Draft,
            Review::Approved => DraftReview::Approved,
            Review::Rejected => DraftReview::Rejected,
        }
    }
}

impl From<DraftReview> for Review {
    fn from(r: DraftReview) -> Self {
        match r {
            DraftReview::Draft => Review::Draft,
            DraftReview::Approved => Review::Approved,
            DraftReview::Rejected => Review::Rejected,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    Score,
    Views,
    Balanced,
    Newest,
}

impl From<SortKey> for ReviewSort {
    fn from(s: SortKey) -> Self {
        match s {
            SortKey::Score => ReviewSort::Score,
            SortKey::Views => ReviewSort::Views,
            SortKey::Balanced => ReviewSort::Balanced,
            SortKey::Newest => ReviewSort::Newest,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ExportSort {
    Score,
    Views,
    Balanced,
}

impl From<ExportSort> for Sort {
    fn from(s: ExportSort) -> Self {
        match s {
            ExportSort::Score => Sort::Score,
            ExportSort::Views => Sort::Views,
            ExportSort::Balanced => Sort::Balanced,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum CostGroupBy {
    Model,
    Project,
}

impl From<CostGroupBy> for StackBy {
    fn from(g: CostGroupBy) -> Self {
        match g {
            CostGroupBy::Model => StackBy::Model,
            CostGroupBy::Project => StackBy::Project,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "kebab-case")]
pub enum SecretName {
    Gemini,
    Apify,
    XBearer,
}

impl From<SecretName> for keychain::Secret {
    fn from(s: SecretName) -> Self {
        match s {
            SecretName::Gemini => keychain::Secret::Gemini,
            SecretName::Apify => keychain::Secret::Apify,
            SecretName::XBearer => keychain::Secret::XBearer,
        }
    }
}

/// The account's rate-limit tier: Google's published limits, or the user's own numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Free,
    Tier1,
    Custom,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ReplyType {
    AddValue,
    AskQuestion,
    Funny,
    Debate,
    Relate,
}

impl From<p::ReplyType> for ReplyType {
    fn from(t: p::ReplyType) -> Self {
        match t {
            p::ReplyType::AddValue => ReplyType::AddValue,
            p::ReplyType::AskQuestion => ReplyType::AskQuestion,
            p::ReplyType::Funny => ReplyType::Funny,
            p::ReplyType::Debate => ReplyType::Debate,
            p::ReplyType::Relate => ReplyType::Relate,
        }
    }
}

impl From<ReplyType> for p::ReplyType {
    fn from(t: ReplyType) -> Self {
        match t {
            ReplyType::AddValue => p::ReplyType::AddValue,
            ReplyType::AskQuestion => p::ReplyType::AskQuestion,
            ReplyType::Funny => p::ReplyType::Funny,
            ReplyType::Debate => p::ReplyType::Debate,
            ReplyType::Relate => p::ReplyType::Relate,
        }
    }
}

// ---------- app, keys, limits ----------

#[derive(Debug, Clone, Serialize, Type)]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub database_path: String,
    pub log_dir: String,
    /// The app's own folders: files in them can be imported or saved by typing their path.
    pub imports_dir: String,
    pub exports_dir: String,
}

/// What the window may know about a key: set or not and its last four characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct KeyStatus {
    pub secret: SecretName,
    pub set: bool,
    pub last4: Option<String>,
    /// The Gemini key comes from the GEMINI_API_KEY environment variable (it wins over the
    /// saved one).
    pub from_environment: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Limits {
    /// Requests per minute.
    pub rpm: u32,
    /// Input tokens per minute.
    pub tpm: Option<u64>,
    /// Requests per day.
    pub rpd: Option<u32>,
}

impl From<EngineLimits> for Limits {
    fn from(l: EngineLimits) -> Self {
        Limits {
            rpm: l.rpm,
            tpm: l.tpm,
            rpd: l.rpd,
        }
    }
}

impl From<Limits> for EngineLimits {
    fn from(l: Limits) -> Self {
        EngineLimits {
            rpm: l.rpm,
            tpm: l.tpm,
            rpd: l.rpd,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct LimitSettings {
    pub tier: Tier,
    /// The model the limits below are for.
    pub model: String,
    /// The limits runs use for that model.
    pub limits: Limits,
    /// The user's own limits when the tier is custom.
    pub custom: Option<Limits>,
    /// Optional spending budget per calendar month, in pico-dollars.
    pub monthly_budget_picos: Option<i64>,
    /// The Gemini server (advanced; tests point it at a fake server).
    pub gemini_base_url: String,
    /// Where the key goes, as a host name to show ("generativelanguage.googleapis.com").
    pub gemini_server_host: String,
    /// True when the address was changed (or came with the database) and the saved key is not
    /// sent there until the user confirms it for this host.
    pub gemini_server_needs_confirmation: bool,
    /// A sentence when the stored address is refused (plain http to another computer, …).
    pub gemini_server_problem: Option<String>,
    /// What Google told us about this key's daily allowance, if it ever did: "Google says
    /// this key allows 20 requests a day of gemini-2.5-flash (learned from Google on …)."
    pub learned: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct KeyCheck {
    /// Models the key can use for text generation.
    pub models: Vec<String>,
}

// ---------- projects ----------

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct Topic {
    pub label: String,
    pub description: String,
    pub examples: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct Voice {
    pub persona: String,
    pub rules: Vec<String>,
    pub good_examples: Vec<String>,
    pub bad_examples: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct Sources {
    pub favour_authors: Vec<String>,
    pub avoid_authors: Vec<String>,
    pub avoid_keywords: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Type)]
pub struct Weights {
    #[specta(type = JsNumber)]
    pub velocity: f64,
    #[specta(type = JsNumber)]
    pub relevance: f64,
    #[specta(type = JsNumber)]
    pub openness: f64,
    #[specta(type = JsNumber)]
    pub author: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Type)]
pub struct Thresholds {
    #[specta(type = JsNumber)]
    pub green: f64,
    #[specta(type = JsNumber)]
    pub yellow: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct Generation {
    pub model: String,
    #[specta(type = JsNumber)]
    pub temperature: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct ProjectSettings {
    pub name: String,
    pub languages: Vec<String>,
    pub reply_types: Vec<ReplyType>,
    pub topics: Vec<Topic>,
    pub voice: Voice,
    pub sources: Sources,
    pub weights: Weights,
    pub thresholds: Thresholds,
    pub generation: Generation,
}

impl From<p::ProjectSettings> for ProjectSettings {
    fn from(s: p::ProjectSettings) -> Self {
        ProjectSettings {
            name: s.name,
            languages: s.languages,
            reply_types: s.reply_types.into_iter().map(Into::into).collect(),
            topics: s
                .topics
                .into_iter()
                .map(|t| Topic {
                    label: t.label,
                    description: t.description,
                    examples: t.examples,
                })
                .collect(),
            voice: Voice {
                persona: s.voice.persona,
                rules: s.voice.rules,
                good_examples: s.voice.good_examples,
                bad_examples: s.voice.bad_examples,
            },
            sources: Sources {
                favour_authors: s.sources.favour_authors,
                avoid_authors: s.sources.avoid_authors,
                avoid_keywords: s.sources.avoid_keywords,
            },
            weights: Weights {
                velocity: s.weights.velocity,
                relevance: s.weights.relevance,
                openness: s.weights.openness,
                author: s.weights.author,
            },
            thresholds: Thresholds {
                green: s.thresholds.green,
                yellow: s.thresholds.yellow,
            },
            generation: Generation {
                model: s.generation.model,
                temperature: s.generation.temperature,
            },
        }
    }
}

impl From<ProjectSettings> for p::ProjectSettings {
    fn from(s: ProjectSettings) -> Self {
        p::ProjectSettings {
            name: s.name,
            languages: s.languages,
            reply_types: s.reply_types.into_iter().map(Into::into).collect(),
            topics: s
                .topics
                .into_iter()
                .map(|t| p::Topic {
                    label: t.label,
                    description: t.description,
                    examples: t.examples,
                })
                .collect(),
            voice: p::Voice {
                persona: s.voice.persona,
                rules: s.voice.rules,
                good_examples: s.voice.good_examples,
                bad_examples: s.voice.bad_examples,
            },
            sources: p::Sources {
                favour_authors: s.sources.favour_authors,
                avoid_authors: s.sources.avoid_authors,
                avoid_keywords: s.sources.avoid_keywords,
            },
            weights: p::Weights {
                velocity: s.weights.velocity,
                relevance: s.weights.relevance,
                openness: s.weights.openness,
                author: s.weights.author,
            },
            thresholds: p::Thresholds {
                green: s.thresholds.green,
                yellow: s.thresholds.yellow,
            },
            generation: p::Generation {
                model: s.generation.model,
                temperature: s.generation.temperature,
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct Project {
    pub id: i64,
    pub settings: ProjectSettings,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<projects::Project> for Project {
    fn from(p: projects::Project) -> Self {
        Project {
            id: p.id,
            settings: p.settings.into(),
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct ProjectSummary {
    pub id: i64,
    pub name: String,
    pub topics: i64,
    pub posts: i64,
    pub updated_at: i64,
}

impl From<projects::ProjectSummary> for ProjectSummary {
    fn from(s: projects::ProjectSummary) -> Self {
        ProjectSummary {
            id: s.id,
            name: s.name,
            topics: s.topics,
            posts: s.posts,
            updated_at: s.updated_at,
        }
    }
}

// ---------- import ----------

/// Where imported posts come from: a path picked in the file dialog or dropped on the window
/// (the file is streamed from disk; its bytes never cross IPC), or a file in the app's
/// imports folder.
#[derive(Debug, Clone, PartialEq, Deserialize, Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ImportSource {
    Path { path: String },
}

/// A file type offered in a file dialog.
#[derive(Debug, Clone, PartialEq, Deserialize, Type)]
pub struct FileFilter {
    pub name: String,
    pub extensions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct SkippedRow {
    /// Where in the file, e.g. "item 12" or "line 40".
    pub place: String,
    pub id: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct ImportReport {
    /// "Apify JSON", "JSON Lines", "Apify CSV" or "X API JSON".
    pub format: String,
    pub added: u64,
    pub updated: u64,
    pub skipped: Vec<SkippedRow>,
    pub stopped_early: Option<String>,
    /// Posts of the project scored after the import (they show in the review queue).
    pub scored: u64,
}

impl ImportReport {
    pub fn from_engine(r: import::ImportReport, scored: u64) -> Self {
        ImportReport {
            format: r.format.describe().to_string(),
            added: r.added,
            updated: r.updated,
            skipped: r
                .skipped
                .into_iter()
                .map(|s| SkippedRow {
                    place: s.place,
                    id: s.id,
                    reason: s.reason,
                })
                .collect(),
            stopped_early: r.stopped_early,
            scored,
        }
    }
}

// ---------- runs ----------

/// How a run's requests reach Google.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum RunMode {
    /// Now, at the standard price.
    Standard,
    /// Google's Batch API: half price, usually within a few hours.
    Batch,
}

impl From<runner::RunMode> for RunMode {
    fn from(m: runner::RunMode) -> Self {
        match m {
            runner::RunMode::Standard => RunMode::Standard,
            runner::RunMode::Batch => RunMode::Batch,
        }
    }
}

impl From<RunMode> for runner::RunMode {
    fn from(m: RunMode) -> Self {
        match m {
            RunMode::Standard => runner::RunMode::Standard,
            RunMode::Batch => runner::RunMode::Batch,
        }
    }
}

/// A batch run's jobs at Google.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct BatchStatus {
    /// submitting, queued_at_google, running or done.
    pub phase: String,
    pub jobs: u32,
    pub jobs_done: u32,
    pub requests: u64,
    pub answered: u64,
    pub failed: u64,
    #[specta(type = Option<JsNumber>)]
    pub next_check_s: Option<f64>,
    /// "Queued at Google: 1 job, 14 requests. Next check in 10 s."
    pub sentence: String,
}

impl From<finder::batch::BatchStatus> for BatchStatus {
    fn from(s: finder::batch::BatchStatus) -> Self {
        use finder::batch::BatchPhase;
        BatchStatus {
            phase: match s.phase {
                BatchPhase::Submitting => "submitting",
                BatchPhase::QueuedAtGoogle => "queued_at_google",
                BatchPhase::Running => "running",
                BatchPhase::Done => "done",
            }
            .to_owned(),
            jobs: s.jobs,
            jobs_done: s.jobs_done,
            requests: s.requests,
            answered: s.answered,
            failed: s.failed,
            next_check_s: s.next_check_s,
            sentence: s.sentence,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct RunSettings {
    #[specta(type = JsNumber)]
    pub hours_back: f64,
    pub min_followers: i64,
    pub min_likes: i64,
    /// The most posts a run considers.
    pub max_candidates: u32,
    /// Labels that get replies.
    pub labels: Vec<Label>,
    /// Hold back posts that should never cost a call (spam, reposts, …).
    pub gate: bool,
    /// Requests in flight at once.
    pub batch_size: u32,
    /// Posts per request.
    pub per_request: u32,
    pub model: String,
    pub limits: Limits,
    pub max_attempts: u32,
    /// Relevance by Gemini embeddings and skipping near-duplicates.
    pub embeddings: bool,
    /// Now (standard price) or batch (half price, within hours).
    pub mode: RunMode,
}

impl From<runner::RunSettings> for RunSettings {
    fn from(s: runner::RunSettings) -> Self {
        RunSettings {
            hours_back: s.hours_back,
            min_followers: s.min_followers,
            min_likes: s.min_likes,
            max_candidates: s.max_candidates,
            labels: s.labels.into_iter().map(Into::into).collect(),
            gate: s.gate,
            batch_size: s.batch_size,
            per_request: s.per_request,
            model: s.model,
            limits: s.limits.into(),
            max_attempts: s.max_attempts,
            embeddings: s.embeddings,
            mode: s.mode.into(),
        }
    }
}

impl From<RunSettings> for runner::RunSettings {
    fn from(s: RunSettings) -> Self {
        runner::RunSettings {
            hours_back: s.hours_back,
            min_followers: s.min_followers,
            min_likes: s.min_likes,
            max_candidates: s.max_candidates,
            labels: s.labels.into_iter().map(Into::into).collect(),
            gate: s.gate,
            batch_size: s.batch_size,
            per_request: s.per_request,
            model: s.model,
            limits: s.limits.into(),
            max_attempts: s.max_attempts,
            embeddings: s.embeddings,
            // The cap travels beside the settings (`start_run`'s budget).
            budget_picos: None,
            embedding_limits: None,
            mode: s.mode.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct Forecast {
    /// Posts that will be sent.
    pub posts: u64,
    /// Posts held back (spam, reposts, avoided authors…): they never cost a call.
    pub gated_out: u64,
    /// Posts already answered.
    pub deduped: u64,
    pub requests: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost_picos: i64,
    #[specta(type = JsNumber)]
    pub duration_s: f64,
    /// Thinking tokens expected (billed as output).
    pub thinking_tokens: u64,
    /// Cost of the calls planning makes (AI relevance check), included in `cost_picos`.
    pub planning_cost_picos: i64,
    /// Posts per AI call the run will use.
    pub per_request: u32,
    /// Requests left today under Google's daily limit, when known.
    pub requests_left_today: Option<u32>,
    /// Why the run will do fewer posts than planned, in plain words.
    pub notes: Vec<String>,
    /// The same run in batch mode (half price, within hours).
    pub batch_posts: u64,
    pub batch_cost_picos: i64,
    pub text: finder::run_text::ForecastText,
}

impl From<runner::Forecast> for Forecast {
    fn from(f: runner::Forecast) -> Self {
        Forecast {
            text: finder::run_text::forecast_text(&f, None),
            posts: f.posts as u64,
            gated_out: f.gated_out as u64,
            deduped: f.deduped as u64,
            requests: f.requests as u64,
            input_tokens: f.input_tokens,
            output_tokens: f.output_tokens,
            cost_picos: f.cost_picos,
            duration_s: f.duration_s,
            thinking_tokens: f.thinking_tokens,
            planning_cost_picos: f.planning_cost_picos,
            per_request: f.per_request,
            requests_left_today: f.requests_left_today,
            notes: f.notes,
            batch_posts: f.batch_posts as u64,
            batch_cost_picos: f.batch_cost_picos,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct RunProgress {
    pub run_id: i64,
    pub total: u64,
    pub done: u64,
    pub failed: u64,
    pub requests: u64,
    pub retries: u64,
    #[specta(type = JsNumber)]
    pub requests_per_minute: f64,
    pub cost_picos: i64,
    #[specta(type = Option<JsNumber>)]
    pub eta_s: Option<f64>,
}

impl From<runner::Progress> for RunProgress {
    fn from(p: runner::Progress) -> Self {
        RunProgress {
            run_id: p.run_id,
            total: p.total,
            done: p.done,
            failed: p.failed,
            requests: p.requests,
            retries: p.retries,
            requests_per_minute: p.requests_per_minute,
            cost_picos: p.cost_picos,
            eta_s: p.eta_s,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct RunSummary {
    pub run_id: i64,
    /// running, cancelled, interrupted, budget_reached, waiting_for_quota, finished or failed.
    pub status: String,
    pub candidates: i64,
    pub gated_out: i64,
    pub deduped: i64,
    pub succeeded: i64,
    pub failed: i64,
    pub suggestions: i64,
    pub requests: i64,
    pub retries: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub thinking_tokens: i64,
    pub cost_picos: i64,
    #[specta(type = JsNumber)]
    pub elapsed_s: f64,
    pub error: Option<String>,
    /// For a run waiting for Google's daily allowance: when it resets (unix seconds).
    pub resume_at: Option<i64>,
    /// "426 succeeded, 0 failed · $0.0341 (avg $0.00008 per post) · 2 m 51 s"
    pub sentence: String,
    pub mode: RunMode,
    /// A batch run's jobs at Google.
    pub batch: Option<BatchStatus>,
    /// Why the run replied to fewer posts than its estimate said, when it did.
    pub forecast_note: Option<String>,
}

impl From<runner::RunSummary> for RunSummary {
    fn from(s: runner::RunSummary) -> Self {
        let sentence = s.sentence();
        RunSummary {
            run_id: s.run_id,
            status: s.status.to_string(),
            candidates: s.candidates,
            gated_out: s.gated_out,
            deduped: s.deduped,
            succeeded: s.succeeded,
            failed: s.failed,
            suggestions: s.suggestions,
            requests: s.requests,
            retries: s.retries,
            input_tokens: s.input_tokens,
            output_tokens: s.output_tokens,
            thinking_tokens: s.thinking_tokens,
            cost_picos: s.cost_picos,
            elapsed_s: s.elapsed_s,
            error: s.error,
            resume_at: s.resume_at,
            sentence,
            mode: s.mode.into(),
            batch: s.batch.map(Into::into),
            forecast_note: s.forecast_note,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct RunListing {
    pub run_id: i64,
    pub project: String,
    pub status: String,
    pub created_at: i64,
    pub posts: i64,
    pub done: i64,
    pub failed: i64,
    pub cost_picos: i64,
    /// The run is working right now in this app.
    pub active: bool,
    /// A batch run's jobs at Google (queued, running, n of m answered, done).
    pub batch: Option<BatchStatus>,
}

impl RunListing {
    pub fn from_engine(r: runner::RunListing, active: bool) -> Self {
        RunListing {
            run_id: r.run_id,
            project: r.project,
            status: r.status.to_string(),
            created_at: r.created_at,
            posts: r.posts,
            done: r.done,
            failed: r.failed,
            cost_picos: r.cost_picos,
            active,
            batch: r.batch.map(Into::into),
        }
    }
}

// ---------- review queue ----------

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct Draft {
    pub id: i64,
    pub run_id: Option<i64>,
    pub reply_type: String,
    pub rank: i64,
    /// The model's text, as it came.
    pub text: String,
    /// The user's edit, when there is one (it is what would be posted).
    pub edited_text: Option<String>,
    pub review: DraftReview,
    /// Written by hand for the sample project (shown as "Sample draft"; never billed).
    pub sample: bool,
    /// X's reply box for the post with this draft filled in, built by the engine from the
    /// numeric post id; empty when no safe link can be built.
    pub reply_url: String,
}

impl From<review::Draft> for Draft {
    fn from(d: review::Draft) -> Self {
        Draft {
            id: d.id,
            run_id: d.run_id,
            reply_type: d.reply_type,
            rank: d.rank,
            text: d.text,
            edited_text: d.edited_text,
            review: d.review.into(),
            sample: d.sample,
            reply_url: d.reply_url,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct Opportunity {
    pub project_id: i64,
    /// X's id: a string, as it is too large for a JavaScript number.
    pub tweet_id: String,
    pub url: String,
    pub handle: String,
    pub author_name: Option<String>,
    pub followers: i64,
    pub text: String,
    pub posted_at: i64,
    pub age_s: i64,
    pub likes: i64,
    pub replies: i64,
    pub retweets: i64,
    pub views: i64,
    pub status: PostStatus,
    pub label: Label,
    pub topic: Option<String>,
    pub why: String,
    #[specta(type = JsNumber)]
    pub total: f64,
    #[specta(type = JsNumber)]
    pub velocity: f64,
    #[specta(type = JsNumber)]
    pub relevance: f64,
    #[specta(type = JsNumber)]
    pub openness: f64,
    #[specta(type = JsNumber)]
    pub author_score: f64,
    pub relevance_method: Option<String>,
    pub run_id: Option<i64>,
    pub drafts: Vec<Draft>,
}

impl From<review::Opportunity> for Opportunity {
    fn from(o: review::Opportunity) -> Self {
        Opportunity {
            project_id: o.project_id,
            tweet_id: o.tweet_id,
            url: o.url,
            handle: o.handle,
            author_name: o.author_name,
            followers: o.followers,
            text: o.text,
            posted_at: o.posted_at,
            age_s: o.age_s,
            likes: o.likes,
            replies: o.replies,
            retweets: o.retweets,
            views: o.views,
            status: o.status.into(),
            label: o.label.into(),
            topic: o.topic,
            why: o.why,
            total: o.total,
            velocity: o.velocity,
            relevance: o.relevance,
            openness: o.openness,
            author_score: o.author_score,
            relevance_method: o.relevance_method,
            run_id: o.run_id,
            drafts: o.drafts.into_iter().map(Into::into).collect(),
        }
    }
}

/// The queue's views: to review, approved, posted, skipped, rejected (and exported, all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum QueueView {
    ToReview,
    Approved,
    Posted,
    Skipped,
    Rejected,
    Exported,
    All,
}

impl From<QueueView> for review::QueueView {
    fn from(v: QueueView) -> Self {
        match v {
            QueueView::ToReview => review::QueueView::ToReview,
            QueueView::Approved => review::QueueView::Approved,
            QueueView::Posted => review::QueueView::Posted,
            QueueView::Skipped => review::QueueView::Skipped,
            QueueView::Rejected => review::QueueView::Rejected,
            QueueView::Exported => review::QueueView::Exported,
            QueueView::All => review::QueueView::All,
        }
    }
}

/// What a status change did, to undo it: each changed post with the status it had.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct StatusChange {
    pub project_id: i64,
    pub changed: u64,
    pub previous: Vec<PreviousStatus>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct PreviousStatus {
    pub tweet_id: String,
    pub status: PostStatus,
}

impl From<review::StatusChange> for StatusChange {
    fn from(c: review::StatusChange) -> Self {
        StatusChange {
            project_id: c.project_id,
            changed: c.changed,
            previous: c
                .previous
                .into_iter()
                .map(|(tweet_id, status)| PreviousStatus {
                    tweet_id,
                    status: status.into(),
                })
                .collect(),
        }
    }
}

impl From<StatusChange> for review::StatusChange {
    fn from(c: StatusChange) -> Self {
        review::StatusChange {
            project_id: c.project_id,
            changed: c.changed,
            previous: c
                .previous
                .into_iter()
                .map(|p| (p.tweet_id, p.status.into()))
                .collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Type)]
pub struct OpportunityQuery {
    pub project_id: i64,
    pub labels: Vec<Label>,
    /// null means every status.
    pub status: Option<PostStatus>,
    /// One of the queue's views (null: the status alone decides).
    #[serde(default)]
    pub view: Option<QueueView>,
    pub topic: Option<String>,
    pub run_id: Option<i64>,
    pub search: String,
    pub sort: SortKey,
    /// Only posts that have reply drafts.
    pub with_drafts: bool,
    pub offset: u32,
    pub limit: u32,
}

impl From<OpportunityQuery> for review::OpportunityQuery {
    fn from(q: OpportunityQuery) -> Self {
        review::OpportunityQuery {
            project_id: q.project_id,
            labels: q.labels.into_iter().map(Into::into).collect(),
            status: q.status.map(Into::into),
            view: q.view.map(Into::into),
            topic: q.topic,
            run_id: q.run_id,
            search: q.search,
            sort: q.sort.into(),
            with_drafts: q.with_drafts,
            offset: q.offset,
            limit: q.limit,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct OpportunityPage {
    pub items: Vec<Opportunity>,
    pub total: i64,
}

// ---------- costs ----------

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Type)]
pub struct CostQuery {
    /// Inclusive local dates, YYYY-MM-DD; null for open ends.
    pub since: Option<String>,
    pub until: Option<String>,
    pub project_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct CostDayRow {
    pub day: String,
    pub group: String,
    pub calls: i64,
    pub cost_picos: i64,
}

impl From<spend::DaySpend> for CostDayRow {
    fn from(d: spend::DaySpend) -> Self {
        CostDayRow {
            day: d.day,
            group: d.group,
            calls: d.calls,
            cost_picos: d.cost_picos,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct CostOverview {
    pub month_to_date_picos: i64,
    pub monthly_budget_picos: Option<i64>,
    pub range_total_picos: i64,
    pub range_calls: i64,
    /// Posts that got reply drafts in the range.
    pub range_posts_answered: i64,
    pub avg_picos_per_post: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct RunCost {
    pub run_id: i64,
    pub project: String,
    pub status: String,
    pub created_at: i64,
    pub model: String,
    pub succeeded: i64,
    pub failed: i64,
    pub calls: i64,
    pub cost_picos: i64,
    pub avg_picos_per_post: Option<i64>,
    #[specta(type = JsNumber)]
    pub elapsed_s: f64,
}

impl From<spend::RunSpend> for RunCost {
    fn from(r: spend::RunSpend) -> Self {
        RunCost {
            run_id: r.run_id,
            project: r.project,
            status: r.status.to_string(),
            created_at: r.created_at,
            model: r.model,
            succeeded: r.succeeded,
            failed: r.failed,
            calls: r.calls,
            cost_picos: r.cost_picos,
            avg_picos_per_post: r.avg_picos_per_post,
            elapsed_s: r.elapsed_s,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct DayAverage {
    pub day: String,
    pub posts: i64,
    pub cost_picos: i64,
    pub avg_picos_per_post: Option<i64>,
}

impl From<spend::DayAverage> for DayAverage {
    fn from(d: spend::DayAverage) -> Self {
        DayAverage {
            day: d.day,
            posts: d.posts,
            cost_picos: d.cost_picos,
            avg_picos_per_post: d.avg_picos_per_post,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct CsvReport {
    pub path: String,
    pub rows: u64,
    /// Opportunities only: pending posts marked as exported.
    pub marked_exported: u64,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Type)]
pub struct OpportunityExport {
    pub project_id: i64,
    pub path: String,
    pub labels: Vec<Label>,
    /// null means every status.
    pub status: Option<PostStatus>,
    pub sort: ExportSort,
    pub limit: Option<u32>,
    /// Start the file with a byte-order mark (for older Excel).
    pub bom: bool,
    /// Mark the pending posts in the file as exported (done). Off unless chosen.
    #[serde(default)]
    pub mark_exported: bool,
}

// ---------- prices, logs ----------

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct PriceRow {
    pub model: String,
    /// USD per 1M tokens, exact decimals as text ("0.30").
    pub input_usd_per_mtok: String,
    pub output_usd_per_mtok: String,
    pub cached_usd_per_mtok: String,
    /// e.g. "published 2026-09-20" or "edited".
    pub source: String,
    pub effective_from: i64,
    /// Batch API prices (half price), with where they come from.
    pub batch_input_usd_per_mtok: String,
    pub batch_output_usd_per_mtok: String,
    pub batch_source: String,
}

impl From<prices::PriceRow> for PriceRow {
    fn from(r: prices::PriceRow) -> Self {
        PriceRow {
            model: r.model,
            input_usd_per_mtok: r.input_usd_per_mtok,
            output_usd_per_mtok: r.output_usd_per_mtok,
            cached_usd_per_mtok: r.cached_usd_per_mtok,
            source: r.source,
            effective_from: r.effective_from,
            batch_input_usd_per_mtok: r.batch_input_usd_per_mtok,
            batch_output_usd_per_mtok: r.batch_output_usd_per_mtok,
            batch_source: r.batch_source,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Type)]
pub struct PriceInput {
    pub model: String,
    pub input_usd_per_mtok: String,
    pub output_usd_per_mtok: String,
    /// Empty or null: the same as input.
    pub cached_usd_per_mtok: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct LogTail {
    pub path: String,
    pub lines: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_settings_round_trip_through_the_contract() {
        let mut engine = finder::sample::settings();
        engine.sources.avoid_keywords.push("giveaway".into());
        let dto: ProjectSettings = engine.clone().into();
        let back: p::ProjectSettings = dto.clone().into();
        assert_eq!(back, engine);
        // Same JSON as the engine writes, so the CLI's --json and the app agree.
        assert_eq!(
            serde_json::to_value(&dto).unwrap(),
            serde_json::to_value(&engine).unwrap()
        );
    }

    #[test]
    fn run_settings_round_trip() {
        let engine = runner::RunSettings::defaults(
            "gemini-2.5-flash",
            EngineLimits {
                rpm: 10,
                tpm: Some(250_000),
                rpd: Some(250),
            },
        );
        let dto: RunSettings = engine.clone().into();
        assert_eq!(runner::RunSettings::from(dto), engine);
    }

    #[test]
    fn import_sources_are_tagged() {
        let path: ImportSource =
            serde_json::from_str(r#"{"kind":"path","path":"/tmp/a.json"}"#).unwrap();
        assert_eq!(
            path,
            ImportSource::Path {
                path: "/tmp/a.json".into()
            }
        );
        // A file's bytes never cross IPC (no unbounded JSON array of numbers): dropped files
        // come as paths and are streamed from disk.
        assert!(serde_json::from_str::<ImportSource>(
            r#"{"kind":"bytes","file_name":"a.json","bytes":[91,93]}"#
        )
        .is_err());
    }
}
