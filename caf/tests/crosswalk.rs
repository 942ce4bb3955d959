//! The 3.2 -> 4.0 crosswalk: what changed, and the checks on a crosswalk.

mod common;

use caf::{
    CrosswalkError, CrosswalkProblem, OutcomeLink, bundled_crosswalk, bundled_framework, changes,
    normalise, validate_crosswalk,
};
use common::tiny_framework;

#[test]
fn the_bundled_crosswalk_links_every_4_0_outcome() {
    let crosswalk = bundled_crosswalk();
    assert_eq!(
        (
            crosswalk.from_version.as_str(),
            crosswalk.to_version.as_str()
        ),
        ("3.2", "4.0")
    );
    assert_eq!(crosswalk.outcomes.len(), 41);
    assert_eq!(crosswalk.removed, ["C2.b"]);
    assert_eq!(crosswalk.predecessor("A2.c"), Some("A2.b"));
    assert_eq!(crosswalk.predecessor("A2.b"), None);
    assert_eq!(crosswalk.predecessor("C2.a"), Some("C2.a"));
    assert_eq!(crosswalk.successors("A2.b").collect::<Vec<_>>(), ["A2.c"]);
    assert_eq!(crosswalk.successors("C2.b").count(), 0);
}

#[test]
fn changes_from_3_2_to_4_0() {
    let from = bundled_framework("3.2").unwrap();
    let to = bundled_framework("4.0").unwrap();
    let result = changes(&from, &to, &bundled_crosswalk());
    let added: Vec<&str> = result.added.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(added, ["A2.b", "A4.b", "C1.f"]);
    assert_eq!(result.added[0].title, "Understanding Threat");
    let removed: Vec<(&str, &str)> = result
        .removed
        .iter()
        .map(|o| (o.id.as_str(), o.title.as_str()))
        .collect();
    assert_eq!(removed, [("C2.b", "Proactive Attack Discovery")]);
    let renumbered: Vec<(&str, &str)> = result
        .renumbered
        .iter()
        .map(|r| (r.from.as_str(), r.to.as_str()))
        .collect();
    assert_eq!(renumbered, [("A2.b", "A2.c")]);
    let renamed: Vec<&str> = result.renamed.iter().map(|r| r.to.as_str()).collect();
    assert_eq!(renamed, ["C1.a", "C1.d", "C1.e", "C2.a", "D2.a"]);
    let c2a = result.renamed.iter().find(|r| r.to == "C2.a").unwrap();
    assert_eq!(c2a.old_title, "System Abnormalities for Attack Detection");
    assert_eq!(c2a.new_title, "Threat Hunting");
    let principles: Vec<&str> = result
        .renamed_principles
        .iter()
        .map(|r| r.to.as_str())
        .collect();
    assert_eq!(principles, ["C2"]);

    assert_eq!(result.statements.len(), 38);
    let unchanged = result.statements.iter().find(|s| s.to == "B1.b").unwrap();
    assert!(unchanged.new_statements.is_empty() && unchanged.dropped_statements.is_empty());
    let board = result.statements.iter().find(|s| s.to == "A1.a").unwrap();
    assert_eq!(board.new_statements, ["A1.a.A4", "A1.a.A5", "A1.a.A6"]);
    assert_eq!(board.dropped_statements, ["A1.a.A4"]);
    let assurance = result.statements.iter().find(|s| s.to == "A2.c").unwrap();
    assert_eq!(assurance.from, "A2.b");
    assert_eq!(result.new_statement_count(), 271);
    assert_eq!(result.dropped_statement_count(), 215);
}

#[test]
fn normalise_ignores_case_spacing_and_apostrophe_style() {
    assert_eq!(
        normalise("Understanding  User\u{2019}s\nBehaviour"),
        normalise("understanding user's behaviour")
    );
}

fn invalid(crosswalk: &caf::Crosswalk) -> Vec<CrosswalkProblem> {
    let framework = tiny_framework();
    match validate_crosswalk(crosswalk, &framework, &framework) {
        Err(CrosswalkError::Invalid(problems)) => problems,
        other => panic!("expected problems, got {other:?}"),
    }
}

fn identity() -> caf::Crosswalk {
    let framework = tiny_framework();
    caf::Crosswalk {
        format: 1,
        from_version: framework.version.clone(),
        to_version: framework.version.clone(),
        outcomes: framework
            .outcomes()
            .map(|o| OutcomeLink {
                to: o.id.clone(),
                from: Some(o.id.clone()),
            })
            .collect(),
        removed: Vec::new(),
    }
}

#[test]
fn crosswalk_checks_report_every_problem() {
    let framework = tiny_framework();
    validate_crosswalk(&identity(), &framework, &framework).unwrap();

    let mut crosswalk = identity();
    crosswalk.outcomes[1] = OutcomeLink {
        to: "A1.a".to_owned(),
        from: Some("Q1.q".to_owned()),
    };
    crosswalk.outcomes.push(OutcomeLink {
        to: "Z9.z".to_owned(),
        from: None,
    });
    crosswalk.removed.push("A2.a".to_owned());
    crosswalk.to_version = "1.0".to_owned();
    let found = invalid(&crosswalk);
    let expect = [
        CrosswalkProblem::DuplicateTo {
            id: "A1.a".to_owned(),
        },
        CrosswalkProblem::UnknownOutcome {
            id: "Q1.q".to_owned(),
            version: "9.9".to_owned(),
        },
        CrosswalkProblem::UnknownOutcome {
            id: "Z9.z".to_owned(),
            version: "9.9".to_owned(),
        },
        CrosswalkProblem::MissingTo {
            id: "A1.b".to_owned(),
            version: "9.9".to_owned(),
        },
        CrosswalkProblem::RemovedButLinked {
            id: "A2.a".to_owned(),
        },
        CrosswalkProblem::Unaccounted {
            id: "A1.b".to_owned(),
            version: "9.9".to_owned(),
        },
    ];
    for problem in &expect {
        assert!(
            found.contains(problem),
            "{problem:?} missing from {found:?}"
        );
    }
    let text = validate_crosswalk(&crosswalk, &framework, &framework)
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("outcome A1.a is listed more than once"),
        "{text}"
    );
    assert!(
        text.contains("outcome A1.b of CAF 9.9 is not listed"),
        "{text}"
    );
    assert!(text.contains("Z9.z is not an outcome of CAF 9.9"), "{text}");
    assert!(text.contains("to version is CAF 1.0"), "{text}");
}

#[test]
fn parse_crosswalk_needs_both_frameworks() {
    let frameworks = [bundled_framework("3.2").unwrap()];
    let error = caf::parse_crosswalk(caf::CROSSWALK_3_2_4_0_JSON, &frameworks).unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains("to version is CAF 4.0 but the framework given is missing"),
        "{text}"
    );
    let error =
        caf::parse_crosswalk("{\"format\": 1,\n\"from_version\": 3}", &frameworks).unwrap_err();
    assert!(error.to_string().contains("line 2, column"), "{error}");
}
