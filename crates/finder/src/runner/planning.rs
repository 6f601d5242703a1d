//! Planning a run: which posts it sends (filters, score and gate, labels, posts already
//! answered, near-duplicates), how they are packed into requests, and the forecast of its
//! requests, tokens, cost and time. Nothing billed happens here except the embedding calls of
//! [`plan_with_embeddings`], which are recorded like any other call.

use gemini::GenerateContentRequest;
use serde::Serialize;

use super::{RunContext, RunSettings};
use crate::embeddings::{self, DedupIndex, Embedder};
use crate::error::Result;
use crate::models;
use crate::posts::{self, PostFilter, StoredPost};
use crate::prices::{self, BilledTokens, Price};
use crate::projects::Project;
use crate::store::Store;

/// Which posts a run would send, and why the others are left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub send: Vec<StoredPost>,
    pub gated: Vec<(String, String)>,
    pub deduped: Vec<String>,
    /// Posts that passed the filters but whose label is not asked for.
    pub other_labels: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Forecast {
    /// Posts the run will ask replies for.
    pub posts: usize,
    pub gated_out: usize,
    pub deduped: usize,
    /// Requests, re-asks included.
    pub requests: usize,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// Thinking tokens expected (billed as output).
    pub thinking_tokens: u64,
    /// Cost of the calls made while planning (embeddings, example posts), included in `cost_picos`.
    pub planning_cost_picos: i64,
    pub cost_picos: i64,
    // For the CLI's JSON; the window shows the engine's money text instead.
    #[cfg_attr(feature = "specta", specta(skip))]
    pub cost_usd: f64,
    #[cfg_attr(feature = "specta", specta(type = crate::FiniteNumber))]
    pub duration_s: f64,
    /// Posts per request the run will use (the setting, bounded by the model's output limit).
    pub per_request: u32,
    /// Requests the run makes for every pack, from this project's past runs (1.0 = no re-asks).
    #[cfg_attr(feature = "specta", specta(type = crate::FiniteNumber))]
    pub requests_per_pack: f64,
    /// Requests left today under the daily limit, when there is one.
    pub requests_left_today: Option<u32>,
    /// Why the run will do fewer posts than planned, or spend differently, in plain words.
    pub notes: Vec<String>,
    /// The same run in batch mode (half price, within hours; Google's daily request
    /// allowance does not apply): posts it would answer and its cost.
    pub batch_posts: usize,
    pub batch_cost_picos: i64,
    // For the CLI's JSON; the window shows the engine's money text instead.
    #[cfg_attr(feature = "specta", specta(skip))]
    pub batch_cost_usd: f64,
    /// The forecast in plain words, with the run's budget: written by
    /// [`crate::engine::prepare`] (empty in a bare [`forecast`]).
    pub text: ForecastText,
}

/// A forecast in plain words, composed by [`crate::run_text::forecast_text`]. Optional lines
/// are absent when there is nothing to say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ForecastText {
    /// "120 posts will get reply drafts, in about 120 requests."
    pub headline: String,
    /// "Estimated cost $0.0412 · about 2 m 30 s at your current limits."
    pub cost_line: String,
    /// "20 posts held back (spam, reposts, repeats, authors or words you avoid) cost nothing."
    pub held_back: Option<String>,
    /// Set when the estimate is above the run's budget.
    pub over_budget: Option<String>,
    /// "+ 4,000 thinking tokens (billed as output)", only when the model thinks.
    pub thinking_line: Option<String>,
    /// "AI relevance check: $0.002 included", only when the run makes that check.
    pub planning_line: Option<String>,
    /// "Google allows 180 more requests today", when the daily allowance is known.
    pub daily_line: Option<String>,
    /// The planner's own notes (why fewer posts than asked, what is included), blanks dropped.
    pub notes: Vec<String>,
    /// The estimate now, as money text: "$0.0412".
    pub cost_text: String,
    /// The same run at half price (batch mode): "$0.0206".
    pub batch_cost_text: String,
    /// How long the run takes now: "2 m 30 s".
    pub duration_text: String,
}

/// What past runs and the planning step add to a forecast.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ForecastInputs {
    /// Average thinking tokens per generate call of this model in this project, if any.
    pub thinking_per_request: Option<f64>,
    /// Past requests per pack for this project and model (1.0 when unknown).
    pub requests_per_pack: Option<f64>,
    /// Output tokens (drafts, thinking excluded) per answered post in this project's past
    /// runs on the model.
    pub output_per_post: Option<f64>,
    /// Cost of the planning calls still to make (embeddings of uncached texts, examples).
    pub planning_cost_picos: i64,
    /// Requests left today under the daily limit.
    pub requests_left_today: Option<u32>,
    /// Money left under the tightest cap.
    pub budget_left_picos: Option<i64>,
    /// The model's output limit, when the models endpoint told us.
    pub output_token_limit: Option<u64>,
    /// Why the posts may differ once planning calls are made (new posts to embed).
    pub planning_note: Option<String>,
}

/// Chooses the posts: filters, then score and gate, then label, then skip posts already
/// answered in this project (failed ones stay eligible). Relevance is lexical here whatever
/// `settings.embeddings` says: this is the plan for callers without a Gemini client.
pub async fn plan(
    store: &Store,
    project: &Project,
    settings: &RunSettings,
    now: i64,
) -> Result<Plan> {
    plan_using(store, project, settings, now, None).await
}

/// Like [`plan`], with embeddings when `settings.embeddings` is on: relevance by embedding
/// cosine, and semantic dedup against posts already answered in the project and posts
/// chosen earlier in this plan. The embedding calls are recorded for the project (no run
/// exists yet) with the default embedding model and size, outside the generation limiter.
pub async fn plan_with_embeddings(
    ctx: &RunContext,
    project: &Project,
    settings: &RunSettings,
    now: i64,
) -> Result<Plan> {
    if !settings.embeddings {
        return plan(&ctx.store, project, settings, now).await;
    }
    let mut embedder = Embedder::new(ctx.store.clone(), ctx.client.clone(), ctx.wall_clock);
    embedder.project_id = Some(project.id);
    plan_using(&ctx.store, project, settings, now, Some(&embedder)).await
}

/// The posts a run considers: its filters, the freshest `max_candidates` first.
pub async fn candidates(
    store: &Store,
    project: &Project,
    settings: &RunSettings,
    now: i64,
) -> Result<Vec<StoredPost>> {
    let filter = PostFilter {
        posted_since: Some(now - (settings.hours_back * 3600.0) as i64),
        min_followers: settings.min_followers,
        min_likes: settings.min_likes,
        limit: Some(settings.max_candidates),
    };
    posts::select(store, project.id, &filter).await
}

/// The plan, with embedding relevance and semantic dedup when an embedder is given.
pub async fn plan_using(
    store: &Store,
    project: &Project,
    settings: &RunSettings,
    now: i64,
    embedder: Option<&Embedder>,
) -> Result<Plan> {
    let candidates = candidates(store, project, settings, now).await?;
    let (scores, vectors) = match embedder {
        Some(embedder) => {
            let (scores, vectors) = embedder
                .score_with_vectors(project, &candidates, now)
                .await?;
            (scores, Some(vectors))
        }
        None => (posts::score(project, &candidates, now), None),
    };
    posts::save_scores(store, project.id, &candidates, &scores, now).await?;
    let answered: std::collections::HashSet<String> = sqlx::query_scalar!(
        "SELECT DISTINCT tweet_id FROM suggestions
         WHERE project_id = ? AND rejected_reason IS NULL AND review != 'rejected' AND sample = 0",
        project.id,
    )
    .fetch_all(store.pool())
    .await?
    .into_iter()
    .collect();
    let mut plan = Plan {
        send: Vec::new(),
        gated: Vec::new(),
        deduped: Vec::new(),
        other_labels: 0,
    };
    let mut ranked: Vec<(StoredPost, f64, usize)> = Vec::new();
    for (i, (post, score)) in candidates.into_iter().zip(scores).enumerate() {
        if settings.gate {
            if let Some(reason) = score.gate {
                plan.gated.push((post.id, reason.to_string()));
                continue;
            }
        }
        if !settings.labels.contains(&score.label) {
            plan.other_labels += 1;
            continue;
        }
        if answered.contains(&post.id) {
            plan.deduped.push(post.id);
            continue;
        }
        ranked.push((post, score.total, i));
    }
    // Best first, so a run stopped early has spent its budget on the best posts.
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    let (Some(embedder), Some(vectors)) = (embedder, vectors) else {
        plan.send = ranked.into_iter().map(|(p, _, _)| p).collect();
        return Ok(plan);
    };
    // Semantic dedup: the answered posts' vectors (cached after their first plan), then
    // each chosen post in turn, so of near-duplicates only the best-scored one is sent.
    let answered_texts: Vec<String> = sqlx::query_scalar!(
        "SELECT t.text FROM tweets t WHERE t.id IN (
             SELECT tweet_id FROM suggestions
             WHERE project_id = ? AND rejected_reason IS NULL AND review != 'rejected'
               AND sample = 0)",
        project.id,
    )
    .fetch_all(store.pool())
    .await?;
    let mut index = DedupIndex::new(embeddings::DEDUP_THRESHOLD);
    for vector in embedder.vectors(&answered_texts, embeddings::TASK).await? {
        index.add(&vector);
    }
    for (post, _, i) in ranked {
        if index.is_duplicate(&vectors[i]) {
            plan.deduped.push(post.id);
        } else {
            index.add(&vectors[i]);
            plan.send.push(post);
        }
    }
    Ok(plan)
}

/// Reply types and voice as the prompt builder wants them.
pub(crate) fn prompt_inputs(project: &Project) -> (replies::Voice, Vec<&'static str>) {
    let v = &project.settings.voice;
    let voice = replies::Voice {
        persona: v.persona.clone(),
        rules: v.rules.clone(),
        good_examples: v.good_examples.clone(),
        bad_examples: v.bad_examples.clone(),
    };
    (
        voice,
        project
            .settings
            .reply_types
            .iter()
            .map(|t| t.as_str())
            .collect(),
    )
}

pub(crate) fn generation_settings(project: &Project, model: &str) -> replies::GenerationSettings {
    let profile = models::profile(model, None);
    let types = project.settings.reply_types.len().max(1) as u32;
    replies::GenerationSettings {
        temperature: project.settings.generation.temperature as f32,
        max_output_tokens: profile.max_output_tokens(1, types),
        thinking: profile.thinking,
    }
}

pub(crate) fn prompt_post(
    project: &Project,
    post: &StoredPost,
    topic: Option<&str>,
) -> replies::PromptPost {
    let topic = topic
        .and_then(|label| project.settings.topics.iter().find(|t| t.label == label))
        .map(|t| replies::TopicContext {
            label: t.label.clone(),
            description: t.description.clone(),
        });
    replies::PromptPost {
        id: post.id.clone(),
        text: post.text.clone(),
        author: post.handle.clone(),
        topic,
    }
}

/// Input tokens of a request, estimated the way Gemini counts English (≈ 4 characters each).
pub fn estimate_input_tokens(request: &GenerateContentRequest) -> u64 {
    let chars: usize = request
        .contents
        .iter()
        .chain(request.system_instruction.iter())
        .flat_map(|c| c.parts.iter())
        .map(|p| p.text.chars().count())
        .sum();
    (chars as u64).div_ceil(4)
}

/// Requests, tokens, cost and time a plan would take at the current limits, with no history.
pub fn forecast(project: &Project, plan: &Plan, settings: &RunSettings, price: Price) -> Forecast {
    forecast_with(project, plan, settings, price, &ForecastInputs::default())
}

/// The forecast with what the project's history, the day's allowance and the budgets add.
pub fn forecast_with(
    project: &Project,
    plan: &Plan,
    settings: &RunSettings,
    price: Price,
    inputs: &ForecastInputs,
) -> Forecast {
    let (voice, types) = prompt_inputs(project);
    let profile = models::profile(&settings.model, inputs.output_token_limit);
    let k = settings
        .per_request
        .clamp(1, profile.max_posts_per_request(types.len() as u32)) as usize;
    let gen = generation_settings(project, &settings.model);
    let per_pack = inputs.requests_per_pack.unwrap_or(1.0).clamp(1.0, 4.0);
    let thinking_each = inputs
        .thinking_per_request
        .unwrap_or(profile.typical_thinking as f64);
    let mut notes = Vec::new();

    // Each pack: its prompt, its drafts, its thinking; re-asks repeat a share of packs.
    let mut packs: Vec<(u64, u64)> = Vec::new(); // (input, output) tokens
    for chunk in plan.send.chunks(k) {
        let posts: Vec<replies::PromptPost> = chunk
            .iter()
            .map(|p| prompt_post(project, p, None))
            .collect();
        let input = estimate_input_tokens(&replies::build_request(&posts, &voice, &types, &gen));
        // From this project's history, else about 30 tokens per reply plus the JSON around it.
        let output = match inputs.output_per_post {
            Some(per_post) => (chunk.len() as f64 * per_post).round() as u64,
            None => (chunk.len() * types.len() * 40) as u64,
        };
        packs.push((input, output));
    }
    let pack_cost = |(input, output): (u64, u64)| {
        price.cost_picos(&BilledTokens {
            prompt: input,
            cached: 0,
            output,
            thinking: thinking_each.round() as u64,
        })
    };
    let planned_posts = plan.send.len();
    // Batch mode: the same packs at the batch price; only the budget limits it.
    let batch_price = price.at_batch_rate();
    let batch_pack_cost = |(input, output): (u64, u64)| {
        batch_price.cost_picos(&BilledTokens {
            prompt: input,
            cached: 0,
            output,
            thinking: thinking_each.round() as u64,
        })
    };
    let mut batch_spent = inputs.planning_cost_picos;
    let mut batch_fit = 0;
    for pack in &packs {
        let c = (batch_pack_cost(*pack) as f64 * per_pack) as i64;
        if inputs
            .budget_left_picos
            .is_some_and(|left| batch_spent + c > left)
        {
            break;
        }
        batch_spent += c;
        batch_fit += 1;
    }
    // Packs the day's allowance and the budget leave room for, best posts first.
    let mut fit = packs.len();
    if let Some(left) = inputs.requests_left_today {
        let packs_today = (left as f64 / per_pack).floor() as usize;
        if packs_today < fit {
            fit = packs_today;
            notes.push(format!(
                "Google allows {left} more requests today for this model, enough for about {} posts at {k} per request; the rest stay queued until the allowance resets at midnight Pacific time.",
                (packs_today * k).min(planned_posts)
            ));
        }
    }
    if let Some(left) = inputs.budget_left_picos {
        let mut spent = inputs.planning_cost_picos;
        let mut affordable = 0;
        for pack in packs.iter().take(fit) {
            let c = (pack_cost(*pack) as f64 * per_pack) as i64;
            if spent + c > left {
                break;
            }
            spent += c;
            affordable += 1;
        }
        if affordable < fit {
            fit = affordable;
            notes.push(format!(
                "The budget left ({}) covers about {} posts; the run stops there.",
                prices::format_usd(left),
                (affordable * k).min(planned_posts)
            ));
        }
    }
    let posts = (fit * k).min(planned_posts);
    let used = &packs[..fit];
    let input_tokens = (used.iter().map(|p| p.0).sum::<u64>() as f64 * per_pack) as u64;
    let output_tokens = (used.iter().map(|p| p.1).sum::<u64>() as f64 * per_pack) as u64;
    let requests = (fit as f64 * per_pack).ceil() as usize;
    let thinking_tokens = (requests as f64 * thinking_each) as u64;
    let cost = price.cost_picos(&BilledTokens {
        prompt: input_tokens,
        cached: 0,
        output: output_tokens,
        thinking: thinking_tokens,
    }) + inputs.planning_cost_picos;
    if let Some(note) = &inputs.planning_note {
        notes.push(note.clone());
    }
    if planned_posts > 0 && inputs.planning_cost_picos > 0 {
        notes.push(format!(
            "Includes {} for the AI relevance check of posts not seen before.",
            prices::format_usd(inputs.planning_cost_picos)
        ));
    }
    if (settings.per_request as usize) > k {
        notes.push(format!(
            "{} posts per request is more than this model can answer at once; {k} are sent.",
            settings.per_request
        ));
    }
    let per_minute = settings.limits.rpm.max(1) as f64;
    Forecast {
        posts,
        gated_out: plan.gated.len(),
        deduped: plan.deduped.len(),
        requests,
        input_tokens,
        output_tokens,
        thinking_tokens,
        planning_cost_picos: inputs.planning_cost_picos,
        cost_picos: cost,
        cost_usd: prices::picos_to_usd(cost),
        duration_s: if requests == 0 {
            0.0
        } else {
            (requests as f64 - 1.0).max(0.0) * 60.0 / per_minute + 2.0
        },
        per_request: k as u32,
        requests_per_pack: per_pack,
        requests_left_today: inputs.requests_left_today,
        notes,
        batch_posts: (batch_fit * k).min(planned_posts),
        batch_cost_picos: batch_spent,
        batch_cost_usd: prices::picos_to_usd(batch_spent),
        text: ForecastText::default(),
    }
}
