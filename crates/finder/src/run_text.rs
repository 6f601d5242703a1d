//! The sentences said about a run before it starts, composed in one place for the app's Run
//! screen and the CLI: how many posts, what it costs, what is held back, what Google still
//! allows today. The window shows these as they are; it never rebuilds them from numbers.

use crate::import::group_thousands;
use crate::prices::format_usd;
use crate::runner::{duration_words, Forecast, ForecastText};

/// "1 post" / "1,200 posts".
pub fn plural(n: u64, one: &str, many: &str) -> String {
    let count = group_thousands(i64::try_from(n).unwrap_or(i64::MAX));
    format!("{count} {}", if n == 1 { one } else { many })
}

/// The words for a forecast. `budget_picos` is the cap the person set for this run, if any.
pub fn forecast_text(f: &Forecast, budget_picos: Option<i64>) -> ForecastText {
    let posts = f.posts as u64;
    let batch_posts = f.batch_posts as u64;
    let headline = if posts == 0 && batch_posts > 0 {
        format!(
            "Nothing can be sent now, but a half-price run can write reply drafts for {}.",
            plural(batch_posts, "post", "posts")
        )
    } else if posts == 0 {
        "No posts match these filters, so nothing would be sent.".to_string()
    } else {
        format!(
            "{} will get reply drafts, in about {}.",
            plural(posts, "post", "posts"),
            plural(f.requests as u64, "request", "requests")
        )
    };
    let cost_line = if posts == 0 {
        "Estimated cost $0.00.".to_string()
    } else {
        format!(
            "Estimated cost {} · about {} at your current limits.",
            format_usd(f.cost_picos),
            duration_words(f.duration_s)
        )
    };
    let skipped = (f.gated_out + f.deduped) as u64;
    let held_back = (skipped > 0).then(|| {
        format!(
            "{} held back (spam, reposts, repeats, authors or words you avoid) {} nothing.",
            plural(skipped, "post", "posts"),
            if skipped == 1 { "costs" } else { "cost" }
        )
    });
    let over_budget = budget_picos.filter(|cap| f.cost_picos > *cap).map(|cap| {
        format!(
            "The estimate is above your budget of {}: the run will stop when it reaches it.",
            format_usd(cap)
        )
    });
    let thinking_line = (f.thinking_tokens > 0).then(|| {
        format!(
            "+ {} thinking tokens (billed as output)",
            group_thousands(i64::try_from(f.thinking_tokens).unwrap_or(i64::MAX))
        )
    });
    let planning_line = (f.planning_cost_picos > 0).then(|| {
        format!(
            "AI relevance check: {} included",
            format_usd(f.planning_cost_picos)
        )
    });
    let daily_line = f.requests_left_today.map(|left| {
        if left == 0 {
            "Google allows no more requests today".to_string()
        } else {
            format!(
                "Google allows {} today",
                plural(u64::from(left), "more request", "more requests")
            )
        }
    });
    let notes = f
        .notes
        .iter()
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect();
    ForecastText {
        headline,
        cost_line,
        held_back,
        over_budget,
        thinking_line,
        planning_line,
        daily_line,
        notes,
        cost_text: format_usd(f.cost_picos),
        batch_cost_text: format_usd(f.batch_cost_picos),
        duration_text: duration_words(f.duration_s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forecast() -> Forecast {
        Forecast {
            posts: 120,
            gated_out: 18,
            deduped: 2,
            requests: 120,
            input_tokens: 1,
            output_tokens: 1,
            thinking_tokens: 0,
            planning_cost_picos: 0,
            cost_picos: 41_200_000_000,
            cost_usd: 0.0412,
            duration_s: 150.0,
            per_request: 1,
            requests_per_pack: 1.0,
            requests_left_today: None,
            notes: vec![],
            batch_posts: 120,
            batch_cost_picos: 0,
            batch_cost_usd: 0.0,
            text: Default::default(),
        }
    }

    #[test]
    fn says_how_many_posts_requests_cost_and_time() {
        let t = forecast_text(&forecast(), None);
        assert_eq!(
            t.headline,
            "120 posts will get reply drafts, in about 120 requests."
        );
        assert_eq!(
            t.cost_line,
            "Estimated cost $0.0412 · about 2 m 30 s at your current limits."
        );
        assert_eq!(
            t.held_back.as_deref(),
            Some("20 posts held back (spam, reposts, repeats, authors or words you avoid) cost nothing.")
        );
        assert_eq!(t.over_budget, None);
        assert_eq!(t.thinking_line, None);
        assert_eq!(t.planning_line, None);
        assert_eq!(t.daily_line, None);
        assert!(t.notes.is_empty());
        assert_eq!(t.cost_text, "$0.0412");
        assert_eq!(t.batch_cost_text, "$0.00");
        assert_eq!(t.duration_text, "2 m 30 s");
    }

    #[test]
    fn adds_thinking_the_relevance_check_the_daily_allowance_and_the_notes() {
        let f = Forecast {
            thinking_tokens: 4000,
            planning_cost_picos: 2_000_000_000,
            requests_left_today: Some(180),
            notes: vec![
                "Google allows 180 more requests today, so this run does 180 posts.".into(),
                "  ".into(),
            ],
            ..forecast()
        };
        let t = forecast_text(&f, None);
        assert_eq!(
            t.thinking_line.as_deref(),
            Some("+ 4,000 thinking tokens (billed as output)")
        );
        assert_eq!(
            t.planning_line.as_deref(),
            Some("AI relevance check: $0.002 included")
        );
        assert_eq!(
            t.daily_line.as_deref(),
            Some("Google allows 180 more requests today")
        );
        assert_eq!(
            t.notes,
            vec!["Google allows 180 more requests today, so this run does 180 posts."]
        );
        let one = Forecast {
            requests_left_today: Some(1),
            ..forecast()
        };
        assert_eq!(
            forecast_text(&one, None).daily_line.as_deref(),
            Some("Google allows 1 more request today")
        );
        let none = Forecast {
            requests_left_today: Some(0),
            ..forecast()
        };
        assert_eq!(
            forecast_text(&none, None).daily_line.as_deref(),
            Some("Google allows no more requests today")
        );
    }

    #[test]
    fn warns_when_the_estimate_is_above_the_budget() {
        assert_eq!(
            forecast_text(&forecast(), Some(10_000_000_000))
                .over_budget
                .as_deref(),
            Some("The estimate is above your budget of $0.0100: the run will stop when it reaches it.")
        );
        assert_eq!(
            forecast_text(&forecast(), Some(50_000_000_000)).over_budget,
            None
        );
    }

    #[test]
    fn handles_nothing_to_send_and_the_half_price_way() {
        let empty = Forecast {
            posts: 0,
            requests: 0,
            gated_out: 0,
            deduped: 0,
            cost_picos: 0,
            batch_posts: 0,
            ..forecast()
        };
        let t = forecast_text(&empty, None);
        assert!(t.headline.starts_with("No posts match"));
        assert_eq!(t.held_back, None);
        assert_eq!(t.cost_line, "Estimated cost $0.00.");
        let batch_only = Forecast {
            batch_posts: 87,
            batch_cost_picos: 27_800_000_000,
            requests_left_today: Some(0),
            ..empty
        };
        assert_eq!(
            forecast_text(&batch_only, None).headline,
            "Nothing can be sent now, but a half-price run can write reply drafts for 87 posts."
        );
    }

    #[test]
    fn avoids_the_words_kept_out_of_the_main_ui() {
        let t = forecast_text(&forecast(), Some(1));
        let all = serde_json::to_string(&t).unwrap().to_lowercase();
        for word in ["candidate", "gate", "embedding", "rpm"] {
            assert!(!all.contains(word), "{word} in {all}");
        }
    }
}
