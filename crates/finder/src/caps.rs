//! Spending caps as plain values: which cap, how much of it is used, and the one the next
//! request would cross. The caps themselves (stored, reserved against) are in
//! [`crate::budget`]; these values are what runs, errors and windows report.

use serde::{Deserialize, Serialize};

use crate::money;

/// Share of a monthly cap at which the user is warned.
pub const ALERT_SHARE: f64 = 0.8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CapScope {
    Run,
    ProjectMonth,
    Month,
}

impl CapScope {
    pub(crate) fn words(self) -> &'static str {
        match self {
            CapScope::Run => "this run's budget",
            CapScope::ProjectMonth => "this project's monthly budget",
            CapScope::Month => "the monthly budget",
        }
    }
}

/// A cap that the next request would cross.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetReached {
    pub scope: CapScope,
    pub spent_picos: i64,
    pub cap_picos: i64,
}

impl BudgetReached {
    /// "Budget reached: $0.0412 of $0.05 (this run's budget)."
    pub fn sentence(&self) -> String {
        format!(
            "Budget reached: {} of {} ({}). Raise it to go on.",
            money::format_usd(self.spent_picos),
            money::format_usd(self.cap_picos),
            self.scope.words()
        )
    }
}

/// How much of a monthly cap is used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapUse {
    pub scope: CapScope,
    pub spent_picos: i64,
    pub cap_picos: i64,
    /// 0.0 – 1.0 and beyond.
    pub share: f64,
    /// "80% of the monthly budget used ($40.00 of $50.00)." when at or above the alert share.
    pub alert: Option<String>,
}

pub(crate) fn cap_use(scope: CapScope, spent: i64, cap: i64) -> CapUse {
    let share = if cap > 0 {
        spent as f64 / cap as f64
    } else {
        1.0
    };
    let alert = (share >= ALERT_SHARE).then(|| {
        let what = scope.words();
        if share >= 1.0 {
            format!(
                "All of {what} is used ({} of {}). Runs stop until it is raised or the month ends.",
                money::format_usd(spent),
                money::format_usd(cap)
            )
        } else {
            format!(
                "{}% of {what} is used ({} of {}).",
                (share * 100.0).floor() as i64,
                money::format_usd(spent),
                money::format_usd(cap)
            )
        }
    });
    CapUse {
        scope,
        spent_picos: spent,
        cap_picos: cap,
        share,
        alert,
    }
}
