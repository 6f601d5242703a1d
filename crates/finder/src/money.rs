//! Money for people: pico-dollars (and micro-dollar prices) as text and as display numbers.
//! Stored money stays integer pico-dollars; these only show it.

/// 300000 → "0.30", 75000 → "0.075", 1250000 → "1.25".
pub fn micros_to_usd(micros: i64) -> String {
    let whole = micros / 1_000_000;
    let fraction = format!("{:06}", (micros % 1_000_000).abs());
    let fraction = fraction.trim_end_matches('0');
    let fraction = if fraction.len() < 2 {
        format!("{fraction:0<2}")
    } else {
        fraction.to_string()
    };
    format!("{whole}.{fraction}")
}

/// Pico-dollars as dollars for people: "$0.0341", "$12.50", "$1,234.50", "$0.000081". The one
/// money formatter: the CLI prints it and the app's window shows it as sent.
pub fn format_usd(picos: i64) -> String {
    let usd = picos as f64 / 1e12;
    let sign = if usd < 0.0 { "-" } else { "" };
    let abs = usd.abs();
    if abs == 0.0 {
        "$0.00".into()
    } else if abs >= 1.0 {
        let text = format!("{abs:.2}");
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, "00"));
        let whole = crate::text::group_thousands(whole.parse().unwrap_or(i64::MAX));
        format!("{sign}${whole}.{fraction}")
    } else if abs >= 0.01 {
        format!("{sign}${abs:.4}")
    } else {
        // Small amounts keep two significant digits, so "$0.000081" is not shown as "$0.00".
        let digits = (-abs.log10()).ceil() as usize + 1;
        let text = format!("{abs:.digits$}");
        format!("{sign}${}", text.trim_end_matches('0'))
    }
}

/// An amount of money as the window shows it and as it fills an input field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MoneyText {
    pub picos: i64,
    /// For reading: "$0.50", "$1,200.00".
    pub text: String,
    /// For an input field: "0.5", "1200".
    pub input: String,
}

impl MoneyText {
    pub fn of(picos: i64) -> Self {
        MoneyText {
            picos,
            text: format_usd(picos),
            input: usd_input_text(picos),
        }
    }
}

/// Pico-dollars as plain dollars for an input field: "0.5", "12", "0.000081".
pub fn usd_input_text(picos: i64) -> String {
    let sign = if picos < 0 { "-" } else { "" };
    let abs = picos.unsigned_abs();
    let whole = abs / PICOS_PER_USD_U64;
    let fraction = format!("{:012}", abs % PICOS_PER_USD_U64);
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction}")
    }
}

const PICOS_PER_USD_U64: u64 = 1_000_000_000_000;

/// What a person typed as dollars ("0.50", "$1,200", " 3 ") as exact pico-dollars, read as
/// text (never through a float). `None` when it is not an amount.
pub fn parse_usd_picos(text: &str) -> Option<i64> {
    let cleaned: String = text.trim().trim_start_matches('$').replace(',', "");
    let cleaned = cleaned.trim();
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((cleaned, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
        || fraction.len() > 12
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = format!("{fraction:0<12}").parse().ok()?;
    whole.checked_mul(1_000_000_000_000)?.checked_add(fraction)
}

/// A starting value for a raised budget, as input text in whole cents ("0.10", "4.00"): twice
/// the old budget (or what was spent, when more), rounded up to a cent; at least a cent.
pub fn suggest_raised_budget(cap_picos: Option<i64>, spent_picos: i64) -> String {
    const CENT: i64 = 10_000_000_000;
    let base = cap_picos.unwrap_or(0).max(spent_picos).max(0);
    let doubled = base.saturating_mul(2);
    let target = (doubled.saturating_add(CENT - 1) / CENT).max(1) * CENT;
    let cents = target / CENT;
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// A budget typed by a person, checked: an amount above $0 and above what is already spent.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BudgetInput {
    /// The budget in pico-dollars, when the text is a valid one.
    pub picos: Option<i64>,
    /// What to fix, in plain words, when it is not.
    pub problem: Option<String>,
}

/// Reads a budget field ("Raise this run's budget to $…", "Stop if this run would cost more
/// than $…"): a positive amount above `spent_picos`.
pub fn read_budget(text: &str, spent_picos: i64) -> BudgetInput {
    let problem = |m: String| BudgetInput {
        picos: None,
        problem: Some(m),
    };
    if text.trim().is_empty() {
        return problem("Type the new budget in dollars, like 0.50.".into());
    }
    let Some(picos) = parse_usd_picos(text) else {
        return problem("Type an amount in dollars, like 0.50.".into());
    };
    if picos <= 0 {
        return problem("The budget must be more than $0.".into());
    }
    if picos <= spent_picos {
        return problem(format!(
            "This run has already spent {}. Type a budget above that.",
            format_usd(spent_picos)
        ));
    }
    BudgetInput {
        picos: Some(picos),
        problem: None,
    }
}

/// Pico-dollars as a JSON-friendly USD number (display only; stored money stays integer).
pub fn picos_to_usd(picos: i64) -> f64 {
    picos as f64 / 1e12
}
