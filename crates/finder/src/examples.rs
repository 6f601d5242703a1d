//! Example posts for topics: when a topic has none, Gemini writes five (the predecessor did
//! the same). Examples sharpen relevance — by words and by embeddings alike.

use crate::error::{FinderError, Result};
use crate::ledger::{self, CallEntry};
use crate::limiter::Limiter;
use crate::prices::{self, BilledTokens};
use crate::projects::{self, Project};
use crate::runner::{estimate_input_tokens, generation_settings};
use crate::store::Store;

/// What asking for examples needs from the outside world.
pub struct ExampleRequester<'a> {
    pub store: &'a Store,
    pub client: &'a gemini::Client,
    pub limiter: Option<&'a Limiter>,
    pub model: &'a str,
    pub wall_clock: fn() -> i64,
}

impl ExampleRequester<'_> {
    /// Asks for example posts for one topic of a project. The call is in the cost ledger
    /// (billed even when the answer is unusable); the examples are returned, not saved.
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
        let request = replies::examples_request(&topic.label, &topic.description, &settings);
        if let Some(limiter) = self.limiter {
            limiter
                .admit(estimate_input_tokens(&request))
                .await
                .map_err(|e| FinderError::InvalidInput(e.to_string()))?;
        }
        let price = prices::require(self.store, self.model).await?;
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
                run_id: None,
                project_id: Some(project.id),
                called_at,
                model: self.model,
                endpoint: "generate",
                attempt: 1,
                outcome,
                http_status: record.http_status,
                latency_ms: record.latency.as_millis() as u64,
                tokens: BilledTokens {
                    prompt: record.usage.prompt_tokens,
                    cached: record.usage.cached_tokens,
                    output: record.usage.output_tokens,
                    thinking: record.usage.thinking_tokens,
                },
                price,
            },
        )
        .await?;
        let generated = result?;
        replies::parse_examples(&generated.text).map_err(|e| {
            FinderError::InvalidInput(format!("Gemini's example posts could not be read: {e}"))
        })
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
