//! Comparing assessed statuses against a target profile.

mod common;

use std::collections::BTreeMap;

use caf::{Certainty, Profile, Status, Totals, bundled_framework, bundled_profile, compare};
use common::tiny_framework;

fn statuses(pairs: &[(&str, Status)]) -> BTreeMap<String, Status> {
    pairs.iter().map(|(id, s)| ((*id).to_owned(), *s)).collect()
}

#[test]
fn rows_and_totals_per_principle_objective_and_overall() {
    let framework = tiny_framework();
    let profile = Profile {
        id: "p".to_owned(),
        name: "P".to_owned(),
        framework_version: framework.version.clone(),
        certainty: Certainty::Published,
        source: "Test.".to_owned(),
        caveat: None,
        targets: statuses(&[
            ("A1.a", Status::Achieved),
            ("A1.b", Status::PartiallyAchieved),
            ("A2.a", Status::NotAchieved),
        ]),
    };
    let given = statuses(&[
        ("A1.a", Status::PartiallyAchieved),
        ("A1.b", Status::Achieved),
        ("Z9.z", Status::Achieved),
    ]);
    let comparison = compare(&framework, &profile, &given);
    let rows: Vec<(&str, Status, Option<Status>, Option<bool>)> = comparison
        .rows
        .iter()
        .map(|r| (r.outcome_id.as_str(), r.target, r.status, r.meets))
        .collect();
    assert_eq!(
        rows,
        [
            (
                "A1.a",
                Status::Achieved,
                Some(Status::PartiallyAchieved),
                Some(false)
            ),
            (
                "A1.b",
                Status::PartiallyAchieved,
                Some(Status::Achieved),
                Some(true)
            ),
            ("A2.a", Status::NotAchieved, None, None),
        ]
    );
    assert_eq!(comparison.rows[0].title, "Outcome A1.a");
    let a1 = Totals {
        outcomes: 2,
        assessed: 2,
        meeting: 1,
        below: 1,
    };
    let a2 = Totals {
        outcomes: 1,
        ..Totals::default()
    };
    assert_eq!(comparison.principles[0].id, "A1");
    assert_eq!(comparison.principles[0].totals, a1);
    assert_eq!(comparison.principles[1].totals, a2);
    let all = Totals {
        outcomes: 3,
        assessed: 2,
        meeting: 1,
        below: 1,
    };
    assert_eq!(comparison.objectives[0].totals, all);
    assert_eq!(comparison.overall, all);
    let below: Vec<&str> = comparison
        .below_target()
        .map(|r| r.outcome_id.as_str())
        .collect();
    assert_eq!(below, ["A1.a"]);
}

#[test]
fn a_not_achieved_target_is_met_by_any_status() {
    let framework = bundled_framework("3.2").unwrap();
    let profile = bundled_profile("govassure-baseline-caf3.2").unwrap();
    let given = statuses(&[("C2.b", Status::NotAchieved), ("A1.a", Status::Achieved)]);
    let comparison = compare(&framework, &profile, &given);
    assert_eq!(comparison.profile_id, "govassure-baseline-caf3.2");
    assert_eq!(comparison.rows.len(), 39);
    assert_eq!(comparison.principles.len(), 14);
    assert_eq!(comparison.objectives.len(), 4);
    let c2b = comparison
        .rows
        .iter()
        .find(|r| r.outcome_id == "C2.b")
        .unwrap();
    assert_eq!(c2b.meets, Some(true));
    assert_eq!(comparison.overall.meeting, 2);
    assert_eq!(comparison.overall.assessed, 2);
}

#[test]
fn everything_achieved_meets_every_bundled_profile() {
    for profile in caf::bundled_profiles() {
        let framework = bundled_framework(&profile.framework_version).unwrap();
        let all = framework
            .outcomes()
            .map(|o| (o.id.clone(), Status::Achieved))
            .collect();
        let comparison = compare(&framework, &profile, &all);
        assert_eq!(comparison.overall.below, 0, "{}", profile.id);
        assert_eq!(comparison.overall.meeting, comparison.overall.outcomes);
    }
}
