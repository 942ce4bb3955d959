//! Assessments: the workflow of a scope, who may move it, and the shapes the pages and server
//! functions share. Pure code: the browser and the server decide with the same rules.
//!
//! One module per job, all re-exported here: `workflow`, `answers`, `evidence`, `plan` and the
//! pages' shared `views`.

mod answers;
mod evidence;
mod plan;
mod views;
mod workflow;

pub use answers::*;
pub use evidence::*;
pub use plan::*;
pub use views::*;
pub use workflow::*;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roles::Role;

    #[test]
    fn the_happy_path_runs_through_every_role() {
        let mut state = ScopeState::Draft;
        for (action, role, next) in [
            (WorkflowAction::Submit, Role::Assessor, ScopeState::InReview),
            (WorkflowAction::Return, Role::Reviewer, ScopeState::Returned),
            (WorkflowAction::Submit, Role::CafLead, ScopeState::InReview),
            (
                WorkflowAction::Accept,
                Role::Reviewer,
                ScopeState::WithAssurer,
            ),
            (
                WorkflowAction::Assure,
                Role::ExternalAssurer,
                ScopeState::Assured,
            ),
            (
                WorkflowAction::SignOff,
                Role::Approver,
                ScopeState::SignedOff,
            ),
        ] {
            state = transition(state, action, role).unwrap();
            assert_eq!(state, next);
        }
        for action in WorkflowAction::ALL {
            for role in Role::ALL {
                assert!(
                    transition(state, action, role).is_err(),
                    "{action:?} {role:?}"
                );
            }
        }
    }

    #[test]
    fn separation_of_duties_in_the_workflow() {
        assert!(transition(ScopeState::InReview, WorkflowAction::Accept, Role::Assessor).is_err());
        assert!(transition(ScopeState::InReview, WorkflowAction::Return, Role::Assessor).is_err());
        assert!(
            transition(
                ScopeState::InReview,
                WorkflowAction::Return,
                Role::ExternalAssurer
            )
            .is_err()
        );
        assert!(transition(ScopeState::Assured, WorkflowAction::SignOff, Role::CafLead).is_err());
        assert!(
            transition(
                ScopeState::WithAssurer,
                WorkflowAction::Assure,
                Role::Reviewer
            )
            .is_err()
        );
        assert!(transition(ScopeState::Draft, WorkflowAction::Submit, Role::Reviewer).is_err());
        assert!(transition(ScopeState::Draft, WorkflowAction::SignOff, Role::Approver).is_err());
        assert_eq!(
            available_actions(ScopeState::WithAssurer, Role::ExternalAssurer),
            vec![WorkflowAction::Return, WorkflowAction::Assure]
        );
        assert!(ScopeState::Draft.editable() && ScopeState::Returned.editable());
        assert!(!ScopeState::InReview.editable() && !ScopeState::SignedOff.editable());
    }

    #[test]
    fn short_of_target_judges_the_standing_status_once_assessed() {
        use caf::Status::{Achieved, NotAchieved, PartiallyAchieved};
        // The suggestion stands until a status is confirmed; the confirmed one wins.
        assert_eq!(
            short_of_target(None, PartiallyAchieved, true, Some(Achieved)),
            Some(true)
        );
        assert_eq!(
            short_of_target(None, Achieved, true, Some(PartiallyAchieved)),
            Some(false)
        );
        assert_eq!(
            short_of_target(Some(Achieved), NotAchieved, true, Some(Achieved)),
            Some(false)
        );
        assert_eq!(
            short_of_target(Some(NotAchieved), Achieved, true, Some(Achieved)),
            Some(true)
        );
        // A confirmed status alone is enough to judge; nothing at all is not judged.
        assert_eq!(
            short_of_target(Some(NotAchieved), NotAchieved, false, Some(Achieved)),
            Some(true)
        );
        assert_eq!(
            short_of_target(None, NotAchieved, false, Some(Achieved)),
            None
        );
        // No target: never judged.
        assert_eq!(
            short_of_target(Some(NotAchieved), NotAchieved, true, None),
            None
        );
    }

    #[test]
    fn dates_and_staleness() {
        assert!(valid_date("2026-11-25"));
        assert!(!valid_date("2026-13-01") && !valid_date("25/11/2026") && !valid_date("2026-1-5"));
        assert!(is_stale(Some("2026-11-24"), "2026-11-25"));
        assert!(!is_stale(Some("2026-11-25"), "2026-11-25") && !is_stale(None, "2026-11-25"));
    }
}
