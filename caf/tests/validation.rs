//! Loading errors: each rule, with messages that name the id or the JSON position.

mod common;

use caf::{
    Certainty, FrameworkError, Problem, ProfileError, ProfileProblem, bundled_framework,
    parse_framework, parse_profiles, validate_framework, validate_profile,
};
use common::{indicator, tiny_framework};

fn problems(framework: &caf::Framework) -> Vec<Problem> {
    match validate_framework(framework) {
        Err(FrameworkError::Invalid(problems)) => problems,
        other => panic!("expected problems, got {other:?}"),
    }
}

fn message(framework: &caf::Framework) -> String {
    validate_framework(framework).unwrap_err().to_string()
}

#[test]
fn the_tiny_framework_is_valid_and_round_trips() {
    let framework = tiny_framework();
    validate_framework(&framework).unwrap();
    let json = serde_json::to_string_pretty(&framework).unwrap();
    assert_eq!(parse_framework(&json).unwrap(), framework);
}

#[test]
fn syntax_errors_name_the_line_and_column() {
    let json = "{\n  \"format\": 1,\n  \"version\": \"3.2\"\n  \"title\": \"x\"\n}";
    let error = parse_framework(json).unwrap_err();
    let FrameworkError::Json(location) = &error else {
        panic!("expected a JSON error, got {error:?}");
    };
    assert_eq!((location.line, location.column), (4, 3));
    let text = error.to_string();
    assert!(text.contains("line 4, column 3"), "{text}");
    assert!(
        !text.contains("at line 4 column 3"),
        "position given twice: {text}"
    );
}

#[test]
fn shape_errors_name_the_line_and_field() {
    let mut value = serde_json::to_value(tiny_framework()).unwrap();
    value["objectives"][0]["principles"][0]["outcomes"][0]["indicators"]["achieved"][0]
        .as_object_mut()
        .unwrap()
        .remove("text");
    let json = serde_json::to_string_pretty(&value).unwrap();
    let error = parse_framework(&json).unwrap_err();
    let text = error.to_string();
    assert!(text.contains("missing field `text`"), "{text}");
    assert!(text.contains("line "), "{text}");

    let ordered = serde_json::to_string_pretty(&tiny_framework()).unwrap();
    let typo = ordered.replacen(
        "\"title\": \"Test framework\"",
        "\"titel\": \"Test framework\"",
        1,
    );
    let text = parse_framework(&typo).unwrap_err().to_string();
    assert!(text.contains("unknown field `titel`"), "{text}");
    assert!(text.contains("line 4"), "{text}");
}

#[test]
fn unsupported_format_and_empty_version() {
    let mut framework = tiny_framework();
    framework.format = 0;
    framework.version = " ".to_owned();
    let found = problems(&framework);
    assert!(found.contains(&Problem::UnsupportedFormat { found: 0 }));
    assert!(found.contains(&Problem::EmptyField {
        field: "version".to_owned()
    }));
    let text = message(&framework);
    assert!(text.contains("format 0 is not supported"), "{text}");
    assert!(text.contains("version is empty"), "{text}");
}

#[test]
fn no_objectives() {
    let mut framework = tiny_framework();
    framework.objectives.clear();
    assert_eq!(problems(&framework), [Problem::NoObjectives]);
    assert!(message(&framework).contains("no objectives"));
}

#[test]
fn duplicate_ids_at_every_level_are_all_reported() {
    let mut framework = tiny_framework();
    let objective = framework.objectives[0].clone();
    framework.objectives.push(objective);
    let principle = &mut framework.objectives[0].principles[0];
    principle.outcomes[1].id = "A1.a".to_owned();
    principle.outcomes[1].indicators.achieved[0].id = "A1.a.A1".to_owned();
    let found = problems(&framework);
    for id in ["A", "A1", "A2", "A1.a", "A2.a", "A1.a.A1", "A1.a.NA1"] {
        assert!(
            found.contains(&Problem::DuplicateId { id: id.to_owned() }),
            "{id} not reported in {found:?}"
        );
    }
    let text = message(&framework);
    assert!(text.contains("id A1.a.A1 is used more than once"), "{text}");
}

#[test]
fn ids_must_start_with_their_parent() {
    let mut framework = tiny_framework();
    let principle = &mut framework.objectives[0].principles[1];
    principle.id = "B2".to_owned();
    principle.outcomes[0].indicators.not_achieved[0].id = "A2.b.NA1".to_owned();
    framework.objectives[0].principles[0].outcomes[0].id = "A1a".to_owned();
    let found = problems(&framework);
    let bad: Vec<(&str, &str)> = found
        .iter()
        .filter_map(|p| match p {
            Problem::BadPrefix { id, parent, .. } => Some((id.as_str(), parent.as_str())),
            _ => None,
        })
        .collect();
    assert!(bad.contains(&("B2", "A")), "{found:?}");
    assert!(bad.contains(&("A2.a", "B2")), "{found:?}");
    assert!(bad.contains(&("A2.b.NA1", "A2.a")), "{found:?}");
    assert!(bad.contains(&("A1a", "A1")), "{found:?}");
    let text = message(&framework);
    assert!(
        text.contains("principle B2 does not start with the id of its parent A"),
        "{text}"
    );
}

#[test]
fn outcomes_need_achieved_and_not_achieved_statements() {
    let mut framework = tiny_framework();
    let outcome = &mut framework.objectives[0].principles[0].outcomes[1];
    outcome.indicators.achieved.clear();
    outcome.indicators.not_achieved.clear();
    assert_eq!(
        problems(&framework),
        [
            Problem::NoAchieved {
                id: "A1.b".to_owned()
            },
            Problem::NoNotAchieved {
                id: "A1.b".to_owned()
            }
        ]
    );
    let text = message(&framework);
    assert!(text.contains("A1.b has no achieved statements"), "{text}");
    assert!(
        text.contains("A1.b has no not-achieved statements"),
        "{text}"
    );
}

#[test]
fn empty_texts_name_the_item() {
    let mut framework = tiny_framework();
    framework.objectives[0].principles[1].title = String::new();
    let outcome = &mut framework.objectives[0].principles[0].outcomes[0];
    outcome.description = Some("  ".to_owned());
    outcome.indicators.partially_achieved[1].text = "\n".to_owned();
    outcome.indicators.achieved[0].id = String::new();
    let text = message(&framework);
    assert!(text.contains("A2 has an empty title"), "{text}");
    assert!(text.contains("A1.a has an empty description"), "{text}");
    assert!(text.contains("A1.a.PA2 has an empty text"), "{text}");
    assert!(
        text.contains("IGP statement under A1.a has an empty id"),
        "{text}"
    );
    assert!(text.contains("problem(s)"), "{text}");
}

#[test]
fn empty_groups_are_reported() {
    let mut framework = tiny_framework();
    framework.objectives[0].principles[1].outcomes.clear();
    let mut empty = framework.objectives[0].clone();
    empty.id = "B".to_owned();
    empty.principles.clear();
    framework.objectives.push(empty);
    let text = message(&framework);
    assert!(
        text.contains("principle A2 has no contributing outcomes"),
        "{text}"
    );
    assert!(text.contains("objective B has no principles"), "{text}");
}

fn profile_for(framework: &caf::Framework) -> caf::Profile {
    caf::Profile {
        id: "test-profile".to_owned(),
        name: "Test".to_owned(),
        framework_version: framework.version.clone(),
        certainty: Certainty::Published,
        source: "Test.".to_owned(),
        caveat: None,
        targets: framework
            .outcomes()
            .map(|o| (o.id.clone(), caf::Status::Achieved))
            .collect(),
    }
}

fn profile_problems(profile: &caf::Profile, framework: &caf::Framework) -> Vec<ProfileProblem> {
    match validate_profile(profile, framework) {
        Err(ProfileError::Invalid(problems)) => problems,
        other => panic!("expected problems, got {other:?}"),
    }
}

#[test]
fn profiles_need_a_target_for_every_outcome_and_no_others() {
    let framework = tiny_framework();
    let mut profile = profile_for(&framework);
    validate_profile(&profile, &framework).unwrap();
    profile.targets.remove("A1.b");
    profile
        .targets
        .insert("Z1.z".to_owned(), caf::Status::Achieved);
    let found = profile_problems(&profile, &framework);
    assert!(found.contains(&ProfileProblem::MissingTarget {
        profile: "test-profile".to_owned(),
        outcome: "A1.b".to_owned()
    }));
    assert!(found.contains(&ProfileProblem::UnknownOutcome {
        profile: "test-profile".to_owned(),
        outcome: "Z1.z".to_owned()
    }));
    let text = validate_profile(&profile, &framework)
        .unwrap_err()
        .to_string();
    assert!(text.contains("sets no target for outcome A1.b"), "{text}");
    assert!(text.contains("sets a target for Z1.z"), "{text}");
}

#[test]
fn profiles_must_match_the_framework_version_and_explain_uncertainty() {
    let framework = tiny_framework();
    let mut profile = profile_for(&framework);
    profile.framework_version = "3.2".to_owned();
    profile.certainty = Certainty::LessCertain;
    let text = validate_profile(&profile, &framework)
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("profile test-profile is for CAF 3.2 but the framework is CAF 9.9"),
        "{text}"
    );
    assert!(text.contains("less certain but has no caveat"), "{text}");
}

#[test]
fn profiles_files_report_positions_versions_and_duplicates() {
    let frameworks = [bundled_framework("3.2").unwrap()];
    let error = parse_profiles("{\"format\": 1,\n \"profiles\": [}", &frameworks).unwrap_err();
    assert!(error.to_string().contains("line 2, column"), "{error}");

    let framework = &frameworks[0];
    let profile = profile_for(framework);
    let mut other = profile_for(&tiny_framework());
    other.id = "other".to_owned();
    let file = serde_json::json!({
        "format": 2,
        "profiles": [profile, profile, other],
    });
    let error = parse_profiles(&file.to_string(), &frameworks).unwrap_err();
    let text = error.to_string();
    assert!(text.contains("format 2 is not supported"), "{text}");
    assert!(
        text.contains("profile id test-profile is used more than once"),
        "{text}"
    );
    assert!(
        text.contains("profile other is for CAF 9.9, which is not available"),
        "{text}"
    );
}

#[test]
fn indicator_helper_is_plain() {
    assert_eq!(indicator("X1.a.A1").display_text(), "Statement X1.a.A1.");
}

#[test]
fn a_nul_character_anywhere_is_a_problem() {
    // PostgreSQL stores no NUL in text: found by the framework import fuzz as a server fault.
    let mut framework = tiny_framework();
    framework.objectives[0].principles[0].outcomes[0].title = "Board\u{0} direction".into();
    assert!(problems(&framework).contains(&Problem::NulCharacter));
    assert!(message(&framework).contains("NUL character"));
}
