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

/// Pico-dollars as dollars for people: "$0.0341", "$12.50", "$0.000081".
pub fn format_usd(picos: i64) -> String {
    let usd = picos as f64 / 1e12;
    if usd == 0.0 {
        "$0.00".into()
    } else if usd.abs() >= 1.0 {
        format!("${usd:.2}")
    } else if usd.abs() >= 0.01 {
        format!("${usd:.4}")
    } else {
        // Small amounts keep two significant digits, so "$0.000081" is not shown as "$0.00".
        let digits = (-usd.abs().log10()).ceil() as usize + 1;
        let text = format!("{usd:.digits$}");
        format!("${}", text.trim_end_matches('0'))
    }
}

/// Pico-dollars as a JSON-friendly USD number (display only; stored money stays integer).
pub fn picos_to_usd(picos: i64) -> f64 {
    picos as f64 / 1e12
}
