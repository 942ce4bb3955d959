//! Critical systems in a running assessment, on SQLite and PostgreSQL: the CAF lead adds one
//! (re-using the organisation's system of that name, so its history stays one) or removes one
//! after typing its name, with what went recorded in the audit log; nobody else may, another
//! council cannot, and once a scope is signed off the systems are fixed.

mod support;

use support::TestDb;
use support::world::*;

use app::assess::{SaveResult, ScopeKind};
use app::roles::Role;

const ADDED: &str = "Housing benefits";

async fn scope_count(db: &TestDb, assessment: i64) -> i64 {
    count(db, &format!("scopes WHERE assessment_id = {assessment}")).await
}

async fn adds_and_removes_systems_while_running(db: TestDb) {
    let w = world(&db).await;
    let started = start(&db, &w, "CAF 2026/27", &["Payroll"], false).await;
    let lead = w.lead(&db, HOME).await;
    let actor = w.actor(HOME, Role::CafLead);
    let payroll = started.systems[0];
    let payroll_system = db
        .critical_systems(&lead)
        .await
        .expect("systems")
        .into_iter()
        .find(|s| s.name == "Payroll")
        .expect("payroll")
        .id;

    // Added: a system scope at the end, with every B and C outcome, audited.
    let added = db
        .add_system_scope(&lead, started.id, (ADDED, "Benefits claims"), &actor)
        .await
        .expect("add");
    let summary = db
        .assessment_summary(&lead, started.id)
        .await
        .expect("summary");
    let last = summary.scopes.last().expect("scopes");
    assert_eq!(
        (last.id, last.kind, last.name.as_str()),
        (added, ScopeKind::System, ADDED)
    );
    assert_eq!(
        count(&db, &format!("scope_outcomes WHERE scope_id = {added}")).await,
        outcome_ids(ScopeKind::System).len() as i64
    );
    let audit = support::audit_actions(&db, "scope.add").await;
    assert_eq!(audit[0].event.object, format!("scope:{added}"));
    assert_eq!(audit[0].event.detail["name"], ADDED);

    // Refused, changing nothing: a name already in the assessment (any case), no name, someone
    // who does not lead the assessment, another council.
    let before = scope_count(&db, started.id).await;
    conflict(
        db.add_system_scope(&lead, started.id, ("payroll", ""), &actor)
            .await,
        "a second payroll",
    );
    invalid(
        db.add_system_scope(&lead, started.id, ("  ", ""), &actor)
            .await,
        "no name",
    );
    let assessor = w.member(&db, HOME, Role::Assessor).await;
    not_found(
        db.add_system_scope(
            &assessor,
            started.id,
            ("Parking", ""),
            &w.actor(HOME, Role::Assessor),
        )
        .await,
        "an assessor",
    );
    let away = w.lead(&db, AWAY).await;
    let away_actor = w.actor(AWAY, Role::CafLead);
    not_found(
        db.add_system_scope(&away, started.id, ("Parking", ""), &away_actor)
            .await,
        "another council adding",
    );
    not_found(
        db.remove_system_scope(&away, payroll, "Payroll", &away_actor)
            .await,
        "another council removing",
    );
    assert_eq!(scope_count(&db, started.id).await, before);

    // Work in payroll: a confirmed outcome with evidence linked.
    let outcome = &outcome_ids(ScopeKind::System)[0];
    let record = db
        .outcome_record(&lead, payroll, outcome)
        .await
        .expect("record");
    let saved = db
        .save_outcome(
            &lead,
            payroll,
            outcome,
            record.version,
            &draft(
                achieved_answers(outcome),
                Some("achieved"),
                "Payroll is patched.",
            ),
            &actor,
        )
        .await
        .expect("save");
    assert!(matches!(saved, SaveResult::Saved { .. }), "{saved:?}");
    let evidence = db
        .create_evidence(
            &lead,
            &fields("Patch report", None),
            &app::data::EvidenceBody::Link("https://intranet.example/patching".into()),
            &actor,
        )
        .await
        .expect("evidence");
    db.link_evidence(&lead, evidence, payroll, outcome, true, &actor)
        .await
        .expect("link");

    // The organisation scope cannot go; a mistyped name changes nothing.
    invalid(
        db.remove_system_scope(&lead, started.org, "", &actor).await,
        "the organisation scope",
    );
    let message = invalid(
        db.remove_system_scope(&lead, payroll, "Payrol", &actor)
            .await,
        "a mistyped name",
    );
    assert!(message.contains("Payroll"), "{message}");
    assert!(count(&db, &format!("answers WHERE scope_id = {payroll}")).await > 0);

    // Removed with its work; the register keeps its item and the organisation its system.
    let gone = db
        .remove_system_scope(&lead, payroll, " payroll ", &actor)
        .await
        .expect("remove");
    assert_eq!((gone.outcomes_worked, gone.evidence_links), (1, 1));
    for table in [
        "scopes WHERE id",
        "scope_outcomes WHERE scope_id",
        "answers WHERE scope_id",
        "evidence_links WHERE scope_id",
    ] {
        assert_eq!(
            count(&db, &format!("{table} = {payroll}")).await,
            0,
            "{table}"
        );
    }
    assert_eq!(
        count(&db, &format!("evidence WHERE id = {evidence}")).await,
        1
    );
    let audit = support::audit_actions(&db, "scope.remove").await;
    assert_eq!(audit[0].event.detail["name"], "Payroll");
    assert_eq!(audit[0].event.detail["outcomes_worked"], 1);
    assert_eq!(audit[0].event.detail["evidence_links"], 1);

    // Added again, payroll is the same critical system: one history.
    let again = db
        .add_system_scope(&lead, started.id, ("Payroll", ""), &actor)
        .await
        .expect("add again");
    let summary = db
        .assessment_summary(&lead, started.id)
        .await
        .expect("summary");
    let scope = summary
        .scopes
        .iter()
        .find(|s| s.id == again)
        .expect("scope");
    assert_eq!(scope.system_id, Some(payroll_system));
}

async fn systems_are_fixed_once_a_scope_is_signed_off(db: TestDb) {
    let w = world(&db).await;
    let started = start(&db, &w, "CAF 2026/27", &["Payroll"], false).await;
    sign_off(&db, &w, started.org, ScopeKind::Organisation).await;
    let lead = w.lead(&db, HOME).await;
    let actor = w.actor(HOME, Role::CafLead);
    let before = scope_count(&db, started.id).await;
    conflict(
        db.add_system_scope(&lead, started.id, (ADDED, ""), &actor)
            .await,
        "adding after a sign-off",
    );
    conflict(
        db.remove_system_scope(&lead, started.systems[0], "Payroll", &actor)
            .await,
        "removing after a sign-off",
    );
    assert_eq!(scope_count(&db, started.id).await, before);
    for action in ["scope.add", "scope.remove"] {
        assert!(
            support::audit_actions(&db, action).await.is_empty(),
            "{action}"
        );
    }
}

on_both!(
    adds_and_removes_systems_while_running,
    adds_and_removes_systems_while_running
);
on_both!(
    systems_are_fixed_once_a_scope_is_signed_off,
    systems_are_fixed_once_a_scope_is_signed_off
);
