//! The suggested-status rule: worked examples and properties over the bundled outcomes.

mod common;

use std::collections::BTreeMap;

use caf::{Answer, Column, ContributingOutcome, Status, bundled_framework, suggest_status};
use common::{outcome, tiny_framework};
use proptest::prelude::*;

fn answers(pairs: &[(&str, Answer)]) -> BTreeMap<String, Answer> {
    pairs
        .iter()
        .map(|(id, answer)| ((*id).to_owned(), answer.clone()))
        .collect()
}

/// A1.a has NA1-2, PA1-2, A1-3; A1.b has NA1, no PA column, A1-2.
fn outcomes() -> (ContributingOutcome, ContributingOutcome) {
    let framework = tiny_framework();
    (
        framework.outcome("A1.a").unwrap().clone(),
        framework.outcome("A1.b").unwrap().clone(),
    )
}

#[test]
fn a_true_not_achieved_statement_gives_not_achieved() {
    let (a, _) = outcomes();
    let given = answers(&[
        ("A1.a.NA2", Answer::True),
        ("A1.a.A1", Answer::True),
        ("A1.a.A2", Answer::True),
        ("A1.a.A3", Answer::True),
    ]);
    let suggestion = suggest_status(&a, &given);
    assert_eq!(suggestion.status, Status::NotAchieved);
    assert_eq!(suggestion.true_not_achieved, ["A1.a.NA2"]);
    assert_eq!(
        suggestion.reason,
        "One or more not-achieved statements are true: A1.a.NA2."
    );
    assert_eq!(suggestion.unanswered, ["A1.a.NA1", "A1.a.PA1", "A1.a.PA2"]);
}

#[test]
fn all_achieved_met_gives_achieved() {
    let (a, _) = outcomes();
    let given = answers(&[
        ("A1.a.NA1", Answer::False),
        ("A1.a.NA2", Answer::not_applicable("Not relevant here.")),
        ("A1.a.A1", Answer::True),
        ("A1.a.A2", Answer::not_applicable("Compensating control X.")),
        ("A1.a.A3", Answer::True),
    ]);
    let suggestion = suggest_status(&a, &given);
    assert_eq!(suggestion.status, Status::Achieved);
    assert_eq!(
        suggestion.reason,
        "All achieved statements are met and no not-achieved statement is true."
    );
    assert_eq!(
        suggestion.unmet_partially_achieved,
        ["A1.a.PA1", "A1.a.PA2"]
    );
}

#[test]
fn partially_achieved_when_that_column_is_met() {
    let (a, _) = outcomes();
    let given = answers(&[
        ("A1.a.PA1", Answer::True),
        ("A1.a.PA2", Answer::True),
        ("A1.a.A1", Answer::True),
        ("A1.a.A3", Answer::False),
    ]);
    let suggestion = suggest_status(&a, &given);
    assert_eq!(suggestion.status, Status::PartiallyAchieved);
    assert_eq!(suggestion.unmet_achieved, ["A1.a.A2", "A1.a.A3"]);
    assert_eq!(
        suggestion.reason,
        "No not-achieved statement is true and all partially-achieved statements are met; \
         achieved statements not met: A1.a.A2, A1.a.A3."
    );
}

#[test]
fn without_a_partially_achieved_column_unmet_achieved_gives_not_achieved() {
    let (_, b) = outcomes();
    let suggestion = suggest_status(&b, &answers(&[("A1.b.A1", Answer::True)]));
    assert_eq!(suggestion.status, Status::NotAchieved);
    assert_eq!(
        suggestion.reason,
        "Not all of the achieved or partially-achieved statements are met: A1.b.A2. \
         This outcome has no partially-achieved column."
    );
}

#[test]
fn blank_justifications_do_not_count_and_are_named() {
    let (a, _) = outcomes();
    let given = answers(&[
        ("A1.a.NA1", Answer::not_applicable("")),
        ("A1.a.PA1", Answer::True),
        ("A1.a.PA2", Answer::not_applicable("   ")),
        ("A1.a.A1", Answer::True),
        ("A1.a.A2", Answer::True),
        ("A1.a.A3", Answer::True),
    ]);
    let suggestion = suggest_status(&a, &given);
    assert_eq!(suggestion.status, Status::Achieved);
    assert_eq!(
        suggestion.unjustified_not_applicable,
        ["A1.a.NA1", "A1.a.PA2"]
    );

    let given = answers(&[
        ("A1.a.PA1", Answer::True),
        ("A1.a.PA2", Answer::True),
        ("A1.a.A1", Answer::True),
        ("A1.a.A2", Answer::not_applicable("\t")),
        ("A1.a.A3", Answer::True),
    ]);
    let suggestion = suggest_status(&a, &given);
    assert_eq!(suggestion.status, Status::PartiallyAchieved);
    assert_eq!(suggestion.unmet_achieved, ["A1.a.A2"]);
    assert!(
        suggestion.reason.ends_with(
            "Not applicable counts as met only with a justification; none was given for: A1.a.A2."
        ),
        "{}",
        suggestion.reason
    );
}

#[test]
fn nothing_answered_gives_not_achieved_listing_everything() {
    let (a, _) = outcomes();
    let suggestion = suggest_status(&a, &BTreeMap::new());
    assert_eq!(suggestion.status, Status::NotAchieved);
    assert_eq!(suggestion.unanswered.len(), 7);
    assert_eq!(
        suggestion.reason,
        "Not all of the achieved or partially-achieved statements are met: \
         A1.a.PA1, A1.a.PA2, A1.a.A1, A1.a.A2, A1.a.A3."
    );
}

#[test]
fn answers_serialise_with_an_answer_tag() {
    let json = serde_json::to_string(&Answer::not_applicable("Why")).unwrap();
    assert_eq!(json, r#"{"answer":"not_applicable","justification":"Why"}"#);
    assert_eq!(
        serde_json::to_string(&Answer::True).unwrap(),
        r#"{"answer":"true"}"#
    );
    let back: Answer = serde_json::from_str(r#"{"answer":"false"}"#).unwrap();
    assert_eq!(back, Answer::False);
}

#[test]
fn the_outcome_helper_builds_columns() {
    let built = outcome("B1.a", 1, 0, 1);
    assert!(!built.has_partially_achieved());
    assert_eq!(built.indicators.len(), 2);
}

fn any_answer() -> impl Strategy<Value = Option<Answer>> {
    prop_oneof![
        Just(None),
        Just(Some(Answer::True)),
        Just(Some(Answer::False)),
        Just(Some(Answer::not_applicable(""))),
        Just(Some(Answer::not_applicable(" \n"))),
        Just(Some(Answer::not_applicable("Compensating measure."))),
    ]
}

/// A bundled outcome (from either version) and an answer for each of its statements.
fn outcome_and_answers() -> impl Strategy<Value = (ContributingOutcome, BTreeMap<String, Answer>)> {
    let all: Vec<ContributingOutcome> = ["3.2", "4.0"]
        .iter()
        .flat_map(|v| {
            bundled_framework(v)
                .unwrap()
                .outcomes()
                .cloned()
                .collect::<Vec<_>>()
        })
        .collect();
    (
        proptest::sample::select(all),
        proptest::collection::vec(any_answer(), 30),
    )
        .prop_map(|(outcome, picks)| {
            let answers = outcome
                .indicators
                .iter()
                .zip(picks)
                .filter_map(|((_, indicator), answer)| answer.map(|a| (indicator.id.clone(), a)))
                .collect();
            (outcome, answers)
        })
}

fn ids(outcome: &ContributingOutcome, column: Column) -> Vec<String> {
    outcome
        .indicators
        .column(column)
        .iter()
        .map(|i| i.id.clone())
        .collect()
}

fn met(answers: &BTreeMap<String, Answer>, id: &str) -> bool {
    answers.get(id).is_some_and(Answer::meets)
}

proptest! {
    #[test]
    fn any_true_not_achieved_statement_wins(
        (outcome, mut answers) in outcome_and_answers(),
        pick in any::<proptest::sample::Index>(),
    ) {
        let na = ids(&outcome, Column::NotAchieved);
        answers.insert(pick.get(&na).clone(), Answer::True);
        let suggestion = suggest_status(&outcome, &answers);
        prop_assert_eq!(suggestion.status, Status::NotAchieved);
        prop_assert!(suggestion.true_not_achieved.contains(pick.get(&na)));
    }

    #[test]
    fn all_achieved_met_and_no_not_achieved_true_gives_achieved(
        (outcome, mut answers) in outcome_and_answers(),
    ) {
        for id in ids(&outcome, Column::NotAchieved) {
            if answers.get(&id) == Some(&Answer::True) {
                answers.insert(id, Answer::False);
            }
        }
        for id in ids(&outcome, Column::Achieved) {
            if !met(&answers, &id) {
                answers.insert(id, Answer::True);
            }
        }
        prop_assert_eq!(suggest_status(&outcome, &answers).status, Status::Achieved);
    }

    #[test]
    fn the_status_follows_the_rule_in_order((outcome, answers) in outcome_and_answers()) {
        let suggestion = suggest_status(&outcome, &answers);
        let any_na_true = ids(&outcome, Column::NotAchieved)
            .iter()
            .any(|id| answers.get(id) == Some(&Answer::True));
        let all_a_met = ids(&outcome, Column::Achieved).iter().all(|id| met(&answers, id));
        let pa = ids(&outcome, Column::PartiallyAchieved);
        let all_pa_met = !pa.is_empty() && pa.iter().all(|id| met(&answers, id));
        let expected = if any_na_true {
            Status::NotAchieved
        } else if all_a_met {
            Status::Achieved
        } else if all_pa_met {
            Status::PartiallyAchieved
        } else {
            Status::NotAchieved
        };
        prop_assert_eq!(suggestion.status, expected);
        if suggestion.status == Status::PartiallyAchieved {
            prop_assert!(outcome.has_partially_achieved());
        }
        prop_assert!(!suggestion.reason.is_empty());
    }

    #[test]
    fn blank_justifications_never_count_as_met((outcome, answers) in outcome_and_answers()) {
        let suggestion = suggest_status(&outcome, &answers);
        for (column, indicator) in outcome.indicators.iter() {
            let blank = matches!(
                answers.get(&indicator.id),
                Some(Answer::NotApplicable { justification }) if justification.trim().is_empty()
            );
            prop_assert_eq!(blank, suggestion.unjustified_not_applicable.contains(&indicator.id));
            if !blank {
                continue;
            }
            match column {
                Column::Achieved => {
                    prop_assert_ne!(suggestion.status, Status::Achieved);
                    prop_assert!(suggestion.unmet_achieved.contains(&indicator.id));
                }
                Column::PartiallyAchieved => {
                    prop_assert_ne!(suggestion.status, Status::PartiallyAchieved);
                    prop_assert!(suggestion.unmet_partially_achieved.contains(&indicator.id));
                }
                Column::NotAchieved => {
                    prop_assert!(!suggestion.true_not_achieved.contains(&indicator.id));
                }
            }
        }
    }

    #[test]
    fn meeting_more_statements_never_lowers_the_status(
        (outcome, answers) in outcome_and_answers(),
        pick in any::<proptest::sample::Index>(),
    ) {
        let positive: Vec<String> = outcome
            .indicators
            .iter()
            .filter(|(column, _)| *column != Column::NotAchieved)
            .map(|(_, indicator)| indicator.id.clone())
            .collect();
        let before = suggest_status(&outcome, &answers).status;
        let mut improved = answers.clone();
        improved.insert(pick.get(&positive).clone(), Answer::True);
        prop_assert!(suggest_status(&outcome, &improved).status >= before);
    }
}
