//! Two operations at the same moment, many times, on SQLite and PostgreSQL: each decision is one
//! atomic step, so no interleaving breaks a rule.
//!
//! - A save that clears an outcome's status racing a Submit: the scope never goes to review with
//!   an outcome unconfirmed.
//! - Two removals of a user's two keys: the user always keeps one.

mod support;

use support::TestDb;
use support::world::*;

use app::assess::{SaveResult, ScopeKind, WorkflowAction};
use app::data::AuditEvent;
use app::roles::Role;

const ROUNDS: usize = 12;

async fn a_save_and_a_submit_never_both_win(db: TestDb) {
    let w = world(&db).await;
    let started = start(&db, &w, "Races", &["Payroll"], false).await;
    let scope = started.org;
    let outcome = outcome_ids(ScopeKind::Organisation)[0].clone();
    let lead = w.lead(&db, HOME).await;
    let actor = w.actor(HOME, Role::CafLead);
    let (mut saves, mut submits) = (0, 0);
    for round in 0..ROUNDS {
        confirm_all(&db, &w, scope, ScopeKind::Organisation).await;
        let record = db
            .outcome_record(&lead, scope, &outcome)
            .await
            .expect("record");
        let mut cleared = record.draft.clone();
        cleared.confirmed = None;
        let save = {
            let (db, lead, actor, outcome) =
                (db.clone(), lead.clone(), actor.clone(), outcome.clone());
            tokio::spawn(async move {
                db.save_outcome(&lead, scope, &outcome, record.version, &cleared, &actor)
                    .await
            })
        };
        let submit = {
            let (db, org) = (
                db.clone(),
                w.grant(
                    &db,
                    HOME,
                    Role::Assessor,
                    WorkflowAction::Submit.permission(),
                )
                .await
                .expect("assessor"),
            );
            let actor = w.actor(HOME, Role::Assessor);
            tokio::spawn(async move {
                db.workflow_step(&org, scope, WorkflowAction::Submit, None, &actor)
                    .await
            })
        };
        let saved = save.await.expect("save task");
        let submitted = submit.await.expect("submit task");
        let unconfirmed = count(
            &db,
            &format!("scope_outcomes WHERE scope_id = {scope} AND confirmed_status IS NULL"),
        )
        .await;
        let state = state_of(&db, scope).await;
        match (&saved, &submitted) {
            (Ok(SaveResult::Saved { .. }), Err(_)) => {
                saves += 1;
                assert!(
                    state != "in_review" && unconfirmed == 1,
                    "round {round}: {state}, {unconfirmed}"
                );
            }
            (Err(_) | Ok(SaveResult::Conflict(_)), Ok(_)) => {
                submits += 1;
                assert_eq!(
                    (state.as_str(), unconfirmed),
                    ("in_review", 0),
                    "round {round}"
                );
            }
            other => panic!("round {round}: both or neither won: {other:?}"),
        }
        if state == "in_review" {
            step(
                &db,
                &w,
                Role::Reviewer,
                scope,
                WorkflowAction::Return,
                Some((outcome.as_str(), "Once more")),
            )
            .await
            .expect("return");
        }
    }
    assert_eq!(saves + submits, ROUNDS);
}

async fn two_key_removals_leave_one_key(db: TestDb) {
    let w = world(&db).await;
    let user = w.user(HOME, Role::Assessor);
    let event = |action: &str| AuditEvent::by("test", action, format!("user:{user}"));
    for round in 0..ROUNDS {
        let mut keys = Vec::new();
        for n in 0..2 {
            keys.push(
                db.add_security_key(
                    user,
                    &format!("Key {round}.{n}"),
                    &format!("credential-{round}-{n}"),
                    "{}",
                    false,
                    false,
                    event("key.add"),
                )
                .await
                .expect("key"),
            );
        }
        let removals: Vec<_> = keys
            .iter()
            .map(|&key| {
                let db = db.clone();
                let event = event("key.remove");
                tokio::spawn(async move { db.remove_security_key(user, key, event).await })
            })
            .collect();
        let mut removed = 0;
        for r in removals {
            if r.await.expect("task").is_ok() {
                removed += 1;
            }
        }
        let left = db.security_keys(user).await.expect("keys").len();
        assert_eq!((removed, left), (1, 1), "round {round}");
        // Start the next round from none.
        db.reset_factors(user, event("user.reset_factors"))
            .await
            .expect("reset");
    }
}

on_both!(
    a_save_and_a_submit_never_both_win,
    a_save_and_a_submit_never_both_win
);
on_both!(
    two_key_removals_leave_one_key,
    two_key_removals_leave_one_key
);
