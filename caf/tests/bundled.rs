//! The bundled data: counts, lookups, profiles, hashes and the format's canonical form.

use caf::{Certainty, Column, Status, bundled_framework, bundled_frameworks, bundled_profiles};

#[test]
fn bundled_frameworks_load_in_version_order() {
    let versions: Vec<String> = bundled_frameworks()
        .into_iter()
        .map(|f| f.version)
        .collect();
    assert_eq!(versions, ["3.2", "4.0"]);
}

#[test]
fn caf_3_2_counts() {
    let counts = bundled_framework("3.2").unwrap().counts();
    assert_eq!(
        (counts.objectives, counts.principles, counts.outcomes),
        (4, 14, 39)
    );
    assert_eq!(
        (
            counts.not_achieved,
            counts.partially_achieved,
            counts.achieved
        ),
        (154, 111, 184)
    );
    assert_eq!(counts.indicators, 449);
}

#[test]
fn caf_4_0_counts() {
    let counts = bundled_framework("4.0").unwrap().counts();
    assert_eq!(
        (counts.objectives, counts.principles, counts.outcomes),
        (4, 14, 41)
    );
    assert_eq!(
        (
            counts.not_achieved,
            counts.partially_achieved,
            counts.achieved
        ),
        (184, 148, 225)
    );
    assert_eq!(counts.indicators, 557);
}

#[test]
fn publication_dates_and_attribution() {
    let v32 = bundled_framework("3.2").unwrap();
    let v40 = bundled_framework("4.0").unwrap();
    assert_eq!(v32.published, "2024-04-18");
    assert_eq!(v40.published, "2025-08-06");
    for framework in [&v32, &v40] {
        assert_eq!(framework.attribution, caf::ATTRIBUTION);
        assert!(
            framework
                .attribution
                .contains("Open Government Licence v3.0")
        );
        assert!(
            framework
                .guidance
                .expert_judgement
                .contains("expert judgement")
        );
        assert_eq!(framework.guidance.suggestion_rule.steps.len(), 4);
        assert!(!framework.notes.is_empty());
        assert!(framework.sources.iter().any(|s| s.role == "primary"));
    }
}

#[test]
fn lookups_find_outcomes_and_parents() {
    let framework = bundled_framework("4.0").unwrap();
    let outcome = framework.outcome("C1.f").unwrap();
    assert!(outcome.title.starts_with("Understanding User's"));
    assert_eq!(framework.principle_of("C1.f").unwrap().id, "C1");
    assert_eq!(framework.objective_of("C1.f").unwrap().id, "C");
    assert_eq!(
        framework.objective("D").unwrap().title,
        "Minimising the impact of cyber security incidents"
    );
    assert_eq!(framework.principle("C2").unwrap().title, "Threat Hunting");
    let (owner, column, indicator) = framework.indicator("A1.a.NA1").unwrap();
    assert_eq!((owner.id.as_str(), column), ("A1.a", Column::NotAchieved));
    assert_eq!(indicator.webcaf_id.as_deref(), Some("A1.a.1"));
    assert!(framework.outcome("Z9.z").is_none());
    assert!(framework.objective_of("Z9.z").is_none());
    let ids: Vec<&str> = framework.outcomes().map(|o| o.id.as_str()).collect();
    assert_eq!(ids.first(), Some(&"A1.a"));
    assert_eq!(ids.last(), Some(&"D2.b"));
}

#[test]
fn display_text_prefers_the_dehyphenated_text() {
    let framework = bundled_framework("3.2").unwrap();
    let (_, _, indicator) = framework.indicator("A1.a.NA1").unwrap();
    assert!(indicator.text.ends_with("at board- level."));
    assert!(indicator.display_text().ends_with("at board-level."));
    let (_, _, plain) = framework.indicator("A1.a.NA2").unwrap();
    assert_eq!(plain.display_text(), plain.text);
}

#[test]
fn column_rules_use_the_outcome_wording_or_the_ncsc_default() {
    let v40 = bundled_framework("4.0").unwrap();
    let a1a = v40.outcome("A1.a").unwrap();
    assert_eq!(
        a1a.column_rule(Column::NotAchieved),
        Some("At least one of the following statements is true")
    );
    assert_eq!(a1a.column_rule(Column::PartiallyAchieved), None);
    assert_eq!(
        a1a.column_rule(Column::Achieved),
        Some("All the following statements are true")
    );
    let v32 = bundled_framework("3.2").unwrap();
    let b1a = v32.outcome("B1.a").unwrap();
    assert!(b1a.igp_table_rules.is_none());
    assert_eq!(
        b1a.column_rule(Column::PartiallyAchieved),
        Some("All the following statements are true")
    );
}

#[test]
fn bundled_profiles_validate_against_their_frameworks() {
    let frameworks = bundled_frameworks();
    let profiles = bundled_profiles();
    let ids: Vec<&str> = profiles.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "govassure-baseline-caf3.2",
            "govassure-enhanced-caf3.2",
            "govassure-baseline-caf4.0",
            "govassure-enhanced-caf4.0"
        ]
    );
    for profile in &profiles {
        let framework = frameworks
            .iter()
            .find(|f| f.version == profile.framework_version)
            .unwrap();
        caf::validate_profile(profile, framework).unwrap();
        assert_eq!(profile.targets.len(), framework.counts().outcomes);
        match profile.framework_version.as_str() {
            "3.2" => {
                assert_eq!(profile.certainty, Certainty::Published);
                assert!(profile.caveat.is_none());
            }
            _ => {
                assert_eq!(profile.certainty, Certainty::LessCertain);
                assert!(profile.caveat.as_deref().unwrap().contains("single source"));
            }
        }
    }
    let baseline = caf::bundled_profile("govassure-baseline-caf3.2").unwrap();
    let achieved = baseline
        .targets
        .values()
        .filter(|s| **s == Status::Achieved)
        .count();
    assert_eq!(achieved, 10);
    assert_eq!(baseline.targets["C2.b"], Status::NotAchieved);
}

#[test]
fn content_hash_is_stable_and_tracks_the_text() {
    let v32 = bundled_framework("3.2").unwrap();
    let hash = v32.content_hash();
    assert_eq!(hash.len(), 64);
    assert!(
        hash.chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    assert_eq!(hash, bundled_framework("3.2").unwrap().content_hash());
    let reparsed = caf::parse_framework(&serde_json::to_string(&v32).unwrap()).unwrap();
    assert_eq!(reparsed.content_hash(), hash);
    assert_ne!(bundled_framework("4.0").unwrap().content_hash(), hash);
    let mut edited = v32.clone();
    edited.objectives[0].principles[0].outcomes[0]
        .indicators
        .achieved[0]
        .text
        .push('!');
    assert_ne!(edited.content_hash(), hash);
}

/// Pinned so that any change to the bundled text or the model's serialisation is deliberate:
/// assessments record this hash to show which text they were made against.
#[test]
fn content_hashes_are_pinned() {
    assert_eq!(
        bundled_framework("3.2").unwrap().content_hash(),
        "8ea7285f3981927730628d26be78dc4367a6fc61d4c80847b5d2db0c3060dcc3"
    );
    assert_eq!(
        bundled_framework("4.0").unwrap().content_hash(),
        "a876fb1eab06f5395bd45e81cd315d53fd02a2807d611c8031cc86476af9d8c4"
    );
}

#[test]
fn bundled_files_are_in_canonical_form() {
    for version in ["3.2", "4.0"] {
        let framework = bundled_framework(version).unwrap();
        let json = caf::bundled_framework_json(version).unwrap();
        let pretty = serde_json::to_string_pretty(&framework).unwrap() + "\n";
        assert!(
            pretty == json,
            "caf-{version}.json is not what the model serialises"
        );
    }
    let crosswalk = serde_json::to_string_pretty(&caf::bundled_crosswalk()).unwrap() + "\n";
    assert_eq!(crosswalk, caf::CROSSWALK_3_2_4_0_JSON);
    assert!(caf::bundled_framework_json("5.0").is_none());
}

#[test]
fn outcomes_without_descriptions_are_the_documented_ones() {
    let missing = |version: &str| -> Vec<String> {
        bundled_framework(version)
            .unwrap()
            .outcomes()
            .filter(|o| o.description.is_none())
            .map(|o| o.id.clone())
            .collect()
    };
    assert_eq!(missing("4.0"), ["A3.a", "C2.a"]);
    assert_eq!(missing("3.2"), ["A3.a", "A4.a"]);
}
