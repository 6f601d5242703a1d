//! Example posts for topics: when a topic has none, Gemini writes five (the predecessor did
//! the same). Examples sharpen relevance — by words and by embeddings alike.

use rand::SeedableRng;

use crate::budget::{self, Budget};
use crate::error::{FinderError, Result};
use crate::ledger::{self, CallEntry};
use crate::limiter::Limiter;
use crate::prices::{self, BilledTokens};
use crate::projects::{self, Project};
use crate::retry;
use crate::runner::planning::{estimate_input_tokens, generation_settings};
use crate::store::Store;

/// What asking for examples needs from the outside world.
pub struct ExampleRequester<'a> {
    pub store: &'a Store,
    pub client: &'a gemini::Client,
    pub limiter: Option<&'a Limiter>,
    pub model: &'a str,
    pub wall_clock: fn() -> i64,
    /// Spending caps the calls count against (a run's, when asked for during one).
    pub budget: Option<&'a Budget>,
    /// The run the calls are made for, in the ledger.
    pub run_id: Option<i64>,
}

impl ExampleRequester<'_> {
    /// Asks for example posts for one topic of a project. Every call is in the cost ledger
    /// (billed even when the answer is unusable); transient failures are retried like a
    /// run's own calls. The examples are returned, not saved.
    pub async fn suggest(&self, project: &Project, label: &str) -> Result<Vec<String>> {
        let topic = project
            .settings
            .topics
            .iter()
            .find(|t| t.label.eq_ignore_ascii_case(label.trim()))
            .ok_or_else(|| {
                FinderError::InvalidInput(format!("The project has no topic called \"{label}\"."))
            })?;
        let mut settings = generation_settings(project, self.model);
        settings.temperature = replies::EXAMPLES_TEMPERATURE;
        // Five posts of up to 280 characters, plus room to think on thinking models.
        let profile = crate::models::profile(self.model, None);
        settings.max_output_tokens =
            (1_024 + profile.thinking_allowance).min(profile.output_token_limit);
        let request = replies::examples_request(&topic.label, &topic.description, &settings);
        let price = prices::require(self.store, self.model).await?;
        let input = estimate_input_tokens(&request);
        let mut rng = rand::rngs::StdRng::seed_from_u64((self.wall_clock)() as u64);
        let mut failures = 0;
        loop {
            let _reservation = match self.budget {
                Some(b) => match b
                    .reserve(budget::worst_case_picos(
                        &price,
                        input,
                        settings.max_output_tokens as u64,
                    ))
                    .await?
                {
                    Ok((r, _)) => Some(r),
                    Err(refused) => return Err(FinderError::Budget(refused.reached)),
                },
                None => None,
            };
            if let Some(limiter) = self.limiter {
                limiter.admit(input).await?;
            }
            let called_at = (self.wall_clock)();
            let (record, result) = self
                .client
                .generate_content(self.model, &request)
                .await
                .into_parts();
            let outcome = match &result {
                Ok(_) => "ok",
                Err(e) => e.code(),
            };
            ledger::record(
                self.store.pool(),
                &CallEntry {
                    run_id: self.run_id,
                    project_id: Some(project.id),
                    called_at,
                    model: self.model,
                    endpoint: "generate",
                    attempt: failures + 1,
                    outcome,
                    http_status: record.http_status,
                    latency_ms: record.latency.as_millis() as u64,
                    tokens: BilledTokens::from(&record.usage),
                    price,
                },
            )
            .await?;
            match result {
                Ok(generated) => {
                    return replies::parse_examples(&generated.text).map_err(|e| {
                        FinderError::InvalidInput(format!(
                            "Gemini's example posts could not be read: {e}"
                        ))
                    })
                }
                Err(error) => {
                    failures += 1;
                    match retry::next_wait(&error, failures, self.limiter, &mut rng) {
                        Some(wait) => {
                            tracing::warn!(
                                failures,
                                ?wait,
                                "example call failed, retrying: {error}"
                            );
                            tokio::time::sleep(wait).await;
                        }
                        None => return Err(error.into()),
                    }
                }
            }
        }
    }
    /// Writes examples for every topic that has none and saves the project. Returns how many
    /// topics got examples.
    pub async fn fill_missing(&self, project: &mut Project) -> Result<usize> {
        let empty: Vec<String> = project
            .settings
            .topics
            .iter()
            .filter(|t| t.examples.iter().all(|e| e.trim().is_empty()))
            .map(|t| t.label.clone())
            .collect();
        if empty.is_empty() {
            return Ok(0);
        }
        let mut settings = project.settings.clone();
        for label in &empty {
            let examples = self.suggest(project, label).await?;
            if let Some(topic) = settings.topics.iter_mut().find(|t| &t.label == label) {
                topic.examples = examples;
            }
        }
        *project = projects::update(self.store, project.id, &settings, (self.wall_clock)()).await?;
        Ok(empty.len())
    }
}
