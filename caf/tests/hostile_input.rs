//! The framework, profile, crosswalk and statement-map readers under hostile input: the bundled
//! files, mutated at random (values replaced, removed, padded, duplicated, cross-wired), cut
//! short, and plain noise. No input may panic; a refusal is an error whose message names what is
//! wrong; what is accepted passes validation again and round-trips.
//!
//! `HOSTILE_CASES` sets the number of cases per reader (default 256); the test prints how many
//! ran and how many were accepted.

#[path = "../../app/tests/support/mutate.rs"]
mod mutate;

use mutate::{Mutation, apply, mutation};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::Value;

#[derive(Debug, Clone)]
enum Case {
    Mutated(Vec<Mutation>),
    CutShort(prop::sample::Index),
    Noise(String),
}

fn case() -> impl Strategy<Value = Case> {
    prop_oneof![
        8 => prop::collection::vec(mutation(), 1..5).prop_map(Case::Mutated),
        1 => any::<prop::sample::Index>().prop_map(Case::CutShort),
        1 => any::<String>().prop_map(Case::Noise),
    ]
}

fn cases() -> u32 {
    std::env::var("HOSTILE_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(256)
}

fn text_of(seed: &str, case: &Case) -> String {
    match case {
        Case::Mutated(mutations) => {
            let mut doc: Value = serde_json::from_str(seed).expect("bundled JSON");
            for m in mutations {
                apply(&mut doc, m);
            }
            serde_json::to_string(&doc).expect("JSON")
        }
        Case::CutShort(i) => {
            let mut end = i.index(seed.len());
            while !seed.is_char_boundary(end) {
                end -= 1;
            }
            seed[..end].to_owned()
        }
        Case::Noise(text) => text.clone(),
    }
}

/// Runs `read` over hostile versions of `seed`. `read` returns whether the text was accepted,
/// or the reason the case fails. Returns (cases run, accepted).
fn hostile(name: &str, seed: &str, read: impl Fn(&str) -> Result<bool, String>) -> (u32, u32) {
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    let run = std::cell::Cell::new(0u32);
    let accepted = std::cell::Cell::new(0u32);
    let outcome = runner.run(&case(), |case| {
        run.set(run.get() + 1);
        match read(&text_of(seed, &case)) {
            Ok(true) => {
                accepted.set(accepted.get() + 1);
                Ok(())
            }
            Ok(false) => Ok(()),
            Err(problem) => Err(TestCaseError::fail(problem)),
        }
    });
    if let Err(failure) = outcome {
        panic!("{name}: {failure}");
    }
    println!(
        "{name}: {} hostile cases, {} accepted, none panicked",
        run.get(),
        accepted.get()
    );
    (run.get(), accepted.get())
}

/// A refusal's message must say something, and say where or what.
fn refusal(message: String) -> Result<bool, String> {
    if message.trim().len() < 10 {
        Err(format!("a refusal without a usable message: {message:?}"))
    } else {
        Ok(false)
    }
}

#[test]
fn hostile_framework_files_are_refused_in_words() {
    for seed in [caf::CAF_3_2_JSON, caf::CAF_4_0_JSON] {
        let (run, _) = hostile("framework", seed, |text| match caf::parse_framework(text) {
            Ok(framework) => {
                caf::validate_framework(&framework).map_err(|e| e.to_string())?;
                let again = serde_json::to_string(&framework).map_err(|e| e.to_string())?;
                let back = caf::parse_framework(&again).map_err(|e| e.to_string())?;
                if back != framework {
                    return Err("an accepted framework does not round-trip".into());
                }
                Ok(true)
            }
            Err(error) => refusal(error.to_string()),
        });
        assert_eq!(run, cases());
    }
}

#[test]
fn hostile_profile_files_are_refused_in_words() {
    let frameworks = caf::bundled_frameworks();
    let (run, _) = hostile(
        "profiles",
        caf::PROFILES_JSON,
        |text| match caf::parse_profiles(text, &frameworks) {
            Ok(_) => Ok(true),
            Err(error) => refusal(error.to_string()),
        },
    );
    assert_eq!(run, cases());
}

#[test]
fn hostile_crosswalks_are_refused_in_words() {
    let frameworks = caf::bundled_frameworks();
    let (run, _) =
        hostile(
            "crosswalk",
            caf::CROSSWALK_3_2_4_0_JSON,
            |text| match caf::parse_crosswalk(text, &frameworks) {
                Ok(_) => Ok(true),
                Err(error) => refusal(error.to_string()),
            },
        );
    assert_eq!(run, cases());
}

#[test]
fn hostile_statement_maps_are_refused_in_words() {
    let (run, _) =
        hostile(
            "statement map",
            caf::STATEMENTS_3_2_4_0_JSON,
            |text| match caf::parse_statement_map(text) {
                Ok(_) => Ok(true),
                Err(error) => refusal(error.to_string()),
            },
        );
    assert_eq!(run, cases());
}
