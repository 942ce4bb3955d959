//! The comparison on its own, without a database.

use super::*;

fn fw(version: &str) -> Framework {
    caf::bundled_framework(version).expect("bundled")
}

fn scope(
    kind: ScopeKind,
    name: &str,
    system_id: Option<i64>,
    pairs: &[(&str, Status)],
) -> ScopeYear {
    ScopeYear {
        kind,
        name: name.to_owned(),
        system_id,
        statuses: pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
        targets: BTreeMap::new(),
    }
}

fn change_of(c: &YearComparison, index: usize, outcome: &str) -> Change {
    c.outcome(index, outcome).expect("outcome").change
}

#[test]
fn same_version_compares_by_id_and_counts_per_objective() {
    use Status::*;
    let before = [scope(
        ScopeKind::Organisation,
        "Organisation",
        None,
        &[
            ("A1.a", NotAchieved),
            ("A1.b", Achieved),
            ("A1.c", PartiallyAchieved),
        ],
    )];
    let now = [scope(
        ScopeKind::Organisation,
        "Organisation",
        None,
        &[
            ("A1.a", Achieved),
            ("A1.b", PartiallyAchieved),
            ("A1.c", PartiallyAchieved),
            ("A2.a", Achieved),
        ],
    )];
    let c = compare_years(&fw("4.0"), &now, &fw("4.0"), &before);
    assert_eq!(c.matching, Matching::SameVersion);
    assert_eq!(change_of(&c, 0, "A1.a"), Change::Better);
    assert_eq!(change_of(&c, 0, "A1.b"), Change::Worse);
    assert_eq!(change_of(&c, 0, "A1.c"), Change::Same);
    assert_eq!(change_of(&c, 0, "A2.a"), Change::NotAssessedLastYear);
    assert_eq!(change_of(&c, 0, "D1.a"), Change::NotYetAssessed);
    assert!(
        c.outcome(0, "B1.a").is_none(),
        "the organisation is not assessed against B"
    );
    let a = &c.objectives[0];
    assert_eq!(
        (
            a.objective.as_str(),
            a.improved,
            a.worse,
            a.unchanged,
            a.new
        ),
        ("A", 1, 1, 1, 1)
    );
    assert_eq!(c.objectives[1].objective, "B");
    assert_eq!(
        c.objectives[1].not_yet_assessed, 0,
        "no system scope this year"
    );
}

#[test]
fn systems_match_by_identity_never_by_name() {
    use Status::*;
    let before = [
        scope(ScopeKind::System, "Payroll", Some(1), &[("B1.a", Achieved)]),
        scope(
            ScopeKind::System,
            "Housing",
            Some(2),
            &[("B1.a", NotAchieved)],
        ),
        scope(ScopeKind::System, "Libraries", Some(3), &[]),
    ];
    let now = [
        scope(
            ScopeKind::System,
            "Payroll",
            Some(2),
            &[("B1.a", PartiallyAchieved)],
        ),
        scope(
            ScopeKind::System,
            "Payroll and HR",
            Some(1),
            &[("B1.a", PartiallyAchieved)],
        ),
        scope(
            ScopeKind::System,
            "Parking",
            Some(4),
            &[("B1.a", PartiallyAchieved)],
        ),
        scope(
            ScopeKind::System,
            "Unlinked",
            None,
            &[("B1.a", PartiallyAchieved)],
        ),
    ];
    let c = compare_years(&fw("4.0"), &now, &fw("4.0"), &before);
    assert_eq!(c.scopes[0].previous_name.as_deref(), Some("Housing"));
    assert_eq!(change_of(&c, 0, "B1.a"), Change::Better);
    assert_eq!(c.scopes[1].previous_name.as_deref(), Some("Payroll"));
    assert_eq!(change_of(&c, 1, "B1.a"), Change::Worse);
    assert_eq!(c.scopes[2].previous_name, None);
    assert_eq!(change_of(&c, 2, "B1.a"), Change::NewThisYear);
    assert_eq!(change_of(&c, 3, "B1.a"), Change::NewThisYear);
    assert_eq!(c.not_carried, vec!["Libraries".to_owned()]);
}

#[test]
fn across_versions_the_crosswalk_matches_and_says_so() {
    use Status::*;
    let before = [scope(
        ScopeKind::Organisation,
        "Organisation",
        None,
        &[("A2.b", Achieved), ("A1.a", PartiallyAchieved)],
    )];
    let now = [scope(
        ScopeKind::Organisation,
        "Organisation",
        None,
        &[
            ("A2.c", NotAchieved),
            ("A2.b", Achieved),
            ("A1.a", PartiallyAchieved),
        ],
    )];
    let c = compare_years(&fw("4.0"), &now, &fw("3.2"), &before);
    assert_eq!(c.matching, Matching::Crosswalk);
    assert!(c.comparable());
    assert!(
        c.matched_by()
            .starts_with("through the CAF 3.2 to 4.0 crosswalk")
    );
    let moved = c.outcome(0, "A2.c").expect("A2.c");
    assert_eq!(moved.previous_outcome.as_deref(), Some("A2.b"));
    assert_eq!(
        (moved.matched, moved.change),
        (OutcomeMatch::Crosswalk, Change::Worse)
    );
    let new = c.outcome(0, "A2.b").expect("A2.b");
    assert_eq!(
        (new.matched, new.change),
        (OutcomeMatch::None, Change::NewThisYear)
    );
    assert_eq!(change_of(&c, 0, "A1.a"), Change::Same);
    assert_eq!(c.removed_outcomes, vec!["C2.b".to_owned()]);

    // Backwards there is no crosswalk: nothing is matched, and the words say why.
    let back = compare_years(&fw("3.2"), &before, &fw("4.0"), &now);
    assert_eq!(back.matching, Matching::Unmatched);
    assert!(!back.comparable());
    assert_eq!(change_of(&back, 0, "A1.a"), Change::NewThisYear);
    assert!(
        back.matched_by()
            .contains("no crosswalk from CAF 4.0 to CAF 3.2")
    );
}

#[test]
fn every_change_has_words_and_only_movements_have_arrows() {
    for change in [
        Change::Better,
        Change::Worse,
        Change::Same,
        Change::NewThisYear,
        Change::NotAssessedLastYear,
        Change::NotYetAssessed,
    ] {
        assert!(!change.words().is_empty());
        let moving = matches!(change, Change::Better | Change::Worse | Change::Same);
        assert_eq!(!change.arrow().is_empty(), moving, "{change:?}");
    }
}
