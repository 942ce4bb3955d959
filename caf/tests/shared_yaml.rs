//! Word-for-word check of the bundled JSON against the shared NCSC YAML it was converted from.
//!
//! Runs when `../shared/frameworks` exists beside the workspace. Under CI (the `CI` variable
//! set, as `.ci/run` sets it) a missing folder fails the test: CI must prove the check ran. On a
//! developer's machine without it, the test prints a notice and passes.

use std::path::PathBuf;

use caf::{Column, Framework, Indicator, Status, bundled_framework, bundled_profiles};
use serde_yaml::Value;

fn shared_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/frameworks");
    if dir.is_dir() {
        Some(dir)
    } else if under_ci() {
        panic!(
            "{} not found: under CI the word-for-word check against the shared YAML must run",
            dir.display()
        );
    } else {
        eprintln!(
            "notice: {} not found; skipping the word-for-word check against the shared YAML",
            dir.display()
        );
        None
    }
}

/// Whether this run is CI's: `CI` set to anything but empty, `0` or `false`.
fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}

fn load(dir: &std::path::Path, name: &str) -> Value {
    let text = std::fs::read_to_string(dir.join(name)).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn list<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_sequence)
        .map_or(&[], Vec::as_slice)
}

fn check_indicators(yaml: &[Value], json: &[Indicator], context: &str) {
    assert_eq!(yaml.len(), json.len(), "{context}: statement count");
    for (y, j) in yaml.iter().zip(json) {
        assert_eq!(text(y, "id").as_deref(), Some(j.id.as_str()), "{context}");
        assert_eq!(
            text(y, "text").as_deref(),
            Some(j.text.as_str()),
            "{}",
            j.id
        );
        assert_eq!(
            text(y, "text_dehyphenated"),
            j.text_dehyphenated,
            "{}",
            j.id
        );
        assert_eq!(text(y, "webcaf_id"), j.webcaf_id, "{}", j.id);
    }
}

fn check_framework(yaml: &Value, framework: &Framework) {
    let version = &framework.version;
    assert_eq!(text(yaml, "version").as_deref(), Some(version.as_str()));
    assert_eq!(
        text(yaml, "publication_date").as_deref(),
        Some(framework.published.as_str())
    );
    let rules = &yaml["status_rules"];
    for (key, ours) in [
        ("achieved", &framework.guidance.achieved),
        ("partially_achieved", &framework.guidance.partially_achieved),
        ("not_achieved", &framework.guidance.not_achieved),
        ("expert_judgement", &framework.guidance.expert_judgement),
    ] {
        assert_eq!(
            text(rules, key).as_ref(),
            Some(ours),
            "{version} status_rules.{key}"
        );
    }
    let issues: Vec<String> = list(&yaml["verification"], "issues")
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(issues, framework.notes, "{version} notes");
    let objectives = list(yaml, "objectives");
    assert_eq!(objectives.len(), framework.objectives.len());
    for (yo, o) in objectives.iter().zip(&framework.objectives) {
        assert_eq!(text(yo, "id").as_ref(), Some(&o.id));
        assert_eq!(text(yo, "title").as_ref(), Some(&o.title), "{}", o.id);
        assert_eq!(
            text(yo, "description").as_ref(),
            Some(&o.description),
            "{}",
            o.id
        );
        let principles = list(yo, "principles");
        assert_eq!(principles.len(), o.principles.len(), "{}", o.id);
        for (yp, p) in principles.iter().zip(&o.principles) {
            assert_eq!(text(yp, "id").as_ref(), Some(&p.id));
            assert_eq!(text(yp, "title").as_ref(), Some(&p.title), "{}", p.id);
            assert_eq!(
                text(yp, "description").as_ref(),
                Some(&p.description),
                "{}",
                p.id
            );
            let outcomes = list(yp, "contributing_outcomes");
            assert_eq!(outcomes.len(), p.outcomes.len(), "{}", p.id);
            for (yc, c) in outcomes.iter().zip(&p.outcomes) {
                assert_eq!(text(yc, "id").as_ref(), Some(&c.id));
                assert_eq!(text(yc, "title").as_ref(), Some(&c.title), "{}", c.id);
                assert_eq!(text(yc, "description"), c.description, "{}", c.id);
                let paragraphs = yc.get("description_paragraphs").map(|v| {
                    v.as_sequence()
                        .unwrap()
                        .iter()
                        .map(|p| p.as_str().unwrap().to_owned())
                        .collect::<Vec<_>>()
                });
                assert_eq!(paragraphs, c.description_paragraphs, "{}", c.id);
                let table_rules = yc.get("igp_table_rules");
                assert_eq!(
                    table_rules.is_some(),
                    c.igp_table_rules.is_some(),
                    "{}",
                    c.id
                );
                if let (Some(y), Some(ours)) = (table_rules, &c.igp_table_rules) {
                    assert_eq!(text(y, "not_achieved").as_ref(), Some(&ours.not_achieved));
                    assert_eq!(text(y, "partially_achieved"), ours.partially_achieved);
                    assert_eq!(text(y, "achieved").as_ref(), Some(&ours.achieved));
                }
                for column in Column::ALL {
                    check_indicators(
                        list(&yc["igps"], column.key()),
                        c.indicators.column(column),
                        &format!("{version} {} {}", c.id, column.key()),
                    );
                }
            }
        }
    }
}

#[test]
fn bundled_frameworks_match_the_shared_yaml_word_for_word() {
    let Some(dir) = shared_dir() else {
        return;
    };
    for (file, version) in [("ncsc-caf-v3.2.yaml", "3.2"), ("ncsc-caf-v4.0.yaml", "4.0")] {
        check_framework(&load(&dir, file), &bundled_framework(version).unwrap());
    }
}

#[test]
fn bundled_profiles_match_the_shared_yaml() {
    let Some(dir) = shared_dir() else {
        return;
    };
    let yaml = load(&dir, "caf-profiles.yaml");
    let ours = bundled_profiles();
    let theirs = list(&yaml, "profiles");
    assert_eq!(theirs.len(), ours.len());
    for (y, profile) in theirs.iter().zip(&ours) {
        assert_eq!(text(y, "id").as_ref(), Some(&profile.id));
        assert_eq!(text(y, "name").as_ref(), Some(&profile.name));
        assert_eq!(
            text(y, "caf_version").as_ref(),
            Some(&profile.framework_version)
        );
        let targets = y["targets"].as_mapping().unwrap();
        assert_eq!(targets.len(), profile.targets.len(), "{}", profile.id);
        for (outcome, status) in targets {
            let outcome = outcome.as_str().unwrap();
            let status = Status::from_key(status.as_str().unwrap()).unwrap();
            assert_eq!(
                profile.targets.get(outcome),
                Some(&status),
                "{} {outcome}",
                profile.id
            );
        }
    }
}
