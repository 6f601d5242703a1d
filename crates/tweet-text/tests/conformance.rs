//! twitter-text's official conformance cases (tests/data/twitter-text-validate.yml, see
//! tests/data/NOTICE) for X's current v3 counting.

use std::collections::BTreeMap;

use serde::Deserialize;

/// The sections that describe the v3 configuration (the others are older configs or test
/// other functions).
const SECTIONS: [&str; 2] = [
    "WeightedTweetsWithDiscountedEmojiCounterTest",
    "UnicodeDirectionalMarkerCounterTest",
];

#[derive(Deserialize)]
struct Suite {
    tests: BTreeMap<String, Vec<serde_yaml::Value>>,
}

#[derive(Deserialize)]
struct Case {
    description: String,
    text: String,
    expected: Expected,
}

#[derive(Deserialize, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
struct Expected {
    weighted_length: usize,
    valid: bool,
    permillage: usize,
    display_range_start: usize,
    display_range_end: usize,
    valid_range_start: usize,
    valid_range_end: usize,
}

fn load_cases() -> Vec<(String, Case)> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/twitter-text-validate.yml"
    );
    let yaml = std::fs::read_to_string(path).expect("read the conformance file");
    // serde_yaml decodes the file's "\U0001f431"-style escapes in double-quoted strings.
    let suite: Suite = serde_yaml::from_str(&yaml).expect("parse the conformance file");
    let mut cases = Vec::new();
    for section in SECTIONS {
        let entries = suite
            .tests
            .get(section)
            .unwrap_or_else(|| panic!("section {section} missing"));
        for entry in entries {
            let case: Case = serde_yaml::from_value(entry.clone())
                .unwrap_or_else(|e| panic!("bad case in {section}: {e}"));
            cases.push((section.to_string(), case));
        }
    }
    cases
}

fn preview(text: &str) -> String {
    let shown: String = text.chars().take(60).collect();
    if shown.len() < text.len() {
        format!("{shown:?}…")
    } else {
        format!("{shown:?}")
    }
}

#[test]
fn v3_conformance_cases_all_pass() {
    let cases = load_cases();
    // Guard against a silently shrunken or mis-parsed file.
    assert!(cases.len() >= 24, "only {} cases loaded", cases.len());

    let mut failures = Vec::new();
    for (section, case) in &cases {
        let parsed = tweet_text::parse(&case.text);
        let got = Expected {
            weighted_length: parsed.weighted_length,
            valid: parsed.valid,
            permillage: parsed.permillage,
            display_range_start: parsed.display_range.0,
            display_range_end: parsed.display_range.1,
            valid_range_start: parsed.valid_range.0,
            valid_range_end: parsed.valid_range.1,
        };
        if got != case.expected {
            failures.push(format!(
                "{section} / {}\n  text:     {}\n  expected: {:?}\n  got:      {:?}",
                case.description,
                preview(&case.text),
                case.expected,
                got
            ));
        }
    }
    for failure in &failures {
        eprintln!("{failure}\n");
    }
    println!(
        "{} conformance cases checked, {} failed",
        cases.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} conformance cases failed (details above)",
        failures.len(),
        cases.len()
    );
}
