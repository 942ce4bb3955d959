//! The board report's model on SQLite and PostgreSQL: built from the signed snapshots only,
//! with the `caf` crate's counts, for the roles that may read it and nobody else.

mod support;

use support::TestDb;
use support::world::*;

use app::assess::{ActionStatus, ScopeKind};
use app::data::{DataError, Db, Snapshot};
use app::report::{BoardReport, Movement, ReportOptions, build_report};
use app::roles::{Permission, Role};
use caf::Status;
use std::collections::BTreeMap;

const SYSTEMS: [&str; 2] = ["Payroll", "Housing benefits"];
const GAP: &str = "A2.a";
const OUTCOME: &str = "A1.a";

fn options() -> ReportOptions {
    ReportOptions {
        classification: "OFFICIAL-SENSITIVE".into(),
        today: "2027-05-01".into(),
    }
}

async fn report_as(
    db: &Db,
    w: &World,
    slug: &'static str,
    role: Role,
    id: i64,
) -> Result<BoardReport, DataError> {
    let org = w.grant(db, slug, role, Permission::ReadReports).await?;
    let sources = db.report_sources(&org, id).await?;
    Ok(build_report(&sources, &options()))
}

/// Answers A1.a as achieved with a narrative, plans an overdue action on a gap, then signs off
/// every scope.
async fn signed_assessment(db: &TestDb, w: &World, title: &str) -> Started {
    let started = start(db, w, title, &SYSTEMS, false).await;
    let assessor = w
        .grant(db, HOME, Role::Assessor, Permission::EditAnswers)
        .await
        .expect("assessor");
    let version = db
        .outcome_record(&assessor, started.org, OUTCOME)
        .await
        .expect("record")
        .version;
    db.save_outcome(
        &assessor,
        started.org,
        OUTCOME,
        version,
        &draft(
            achieved_answers(OUTCOME),
            Some("achieved"),
            "The board owns cyber risk.",
        ),
        &w.actor(HOME, Role::Assessor),
    )
    .await
    .expect("save");
    let lead = w.lead(db, HOME).await;
    let lead_actor = w.actor(HOME, Role::CafLead);
    let overdue = db
        .propose_action(
            &lead,
            started.org,
            GAP,
            "Appoint a risk manager",
            "Head of ICT",
            Some("2027-01-31"),
            &lead_actor,
        )
        .await
        .expect("action");
    let done = db
        .propose_action(
            &lead,
            started.org,
            GAP,
            "Write the risk policy",
            "SIRO",
            Some("2026-12-01"),
            &lead_actor,
        )
        .await
        .expect("action");
    db.update_action(
        &lead,
        done,
        ActionStatus::Done,
        "Approved by cabinet",
        &lead_actor,
    )
    .await
    .expect("done");
    assert!(done > overdue, "ids grow");
    sign_off(db, w, started.org, ScopeKind::Organisation).await;
    for system in &started.systems {
        sign_off(db, w, *system, ScopeKind::System).await;
    }
    started
}

/// The counts the `caf` crate gives for the signed snapshots, computed independently.
async fn expected_counts(db: &Db, w: &World, started: &Started) -> (usize, usize, usize) {
    let lead = w.lead(db, HOME).await;
    let framework = caf4();
    let profile = caf::bundled_profile(BASELINE).expect("baseline");
    let (mut assessed, mut meeting, mut below) = (0, 0, 0);
    for scope in std::iter::once(started.org).chain(started.systems.iter().copied()) {
        let (content, ..) = db
            .snapshot(&lead, scope)
            .await
            .expect("snapshot")
            .expect("signed");
        let snapshot: Snapshot = serde_json::from_str(&content).expect("json");
        let statuses: BTreeMap<String, Status> = snapshot
            .outcomes
            .iter()
            .map(|o| {
                (
                    o.id.clone(),
                    Status::from_key(o.confirmed.as_deref().expect("confirmed")).expect("status"),
                )
            })
            .collect();
        let comparison = caf::compare(&framework, &profile, &statuses);
        assessed += comparison.overall.assessed;
        meeting += comparison.overall.meeting;
        below += comparison.overall.below;
    }
    (assessed, meeting, below)
}

on_both!(
    a_signed_off_report_carries_the_caf_counts_and_every_snapshot_hash,
    |db: TestDb| async move {
        let w = world(&db).await;
        let started = signed_assessment(&db, &w, "CAF 2026/27").await;
        let report = report_as(&db, &w, HOME, Role::BoardViewer, started.id)
            .await
            .expect("a board viewer reads a signed-off report");
        assert!(!report.draft);
        assert_eq!(report.organisation, "London Borough of Hackney");
        assert_eq!(report.framework, "CAF 4.0");
        assert_eq!(report.scopes.len(), 3);

        let (assessed, meeting, below) = expected_counts(&db, &w, &started).await;
        assert_eq!(report.summary.overall.assessed, assessed);
        assert_eq!(report.summary.overall.meeting, meeting);
        assert_eq!(report.summary.overall.below, below);
        assert_eq!(
            report.summary.overall.outcomes,
            outcome_ids(ScopeKind::Organisation).len() + 2 * outcome_ids(ScopeKind::System).len()
        );
        assert_eq!(report.gaps.len(), below);

        // Every outcome of the framework is a heat-map row, with a cell per scope.
        let rows: Vec<_> = report
            .heat_map
            .objectives
            .iter()
            .flat_map(|o| o.principles.iter().flat_map(|p| p.rows.iter()))
            .collect();
        assert_eq!(rows.len(), 41);
        assert!(rows.iter().all(|r| r.cells.len() == 3));
        let a1a = rows.iter().find(|r| r.outcome == OUTCOME).expect("A1.a");
        assert_eq!(a1a.cells[0].status, Some(Status::Achieved));
        assert!(
            !a1a.cells[1].applies,
            "a system is not assessed against objective A"
        );

        // The sign-off block carries each scope's stored hash and approver.
        let lead = w.lead(&db, HOME).await;
        for (scope, block) in std::iter::once(started.org)
            .chain(started.systems.iter().copied())
            .zip(&report.sign_off)
        {
            let (_, sha, signer, _) = db
                .snapshot(&lead, scope)
                .await
                .expect("snapshot")
                .expect("signed");
            assert_eq!(block.sha256.as_deref(), Some(sha.as_str()));
            assert_eq!(block.approver.as_deref(), Some(signer.as_str()));
            assert_eq!(block.role.as_deref(), Some(Role::Approver.label()));
        }

        // Reviewer and assurer of every scope, by name, from the signed record.
        assert_eq!(report.assurance.signatures.len(), 6);
        assert!(
            report
                .assurance
                .signatures
                .iter()
                .any(|s| s.name == name(HOME, Role::Reviewer) && s.step == "Internal review")
        );
        assert!(
            report
                .assurance
                .signatures
                .iter()
                .any(|s| s.name == name(HOME, Role::ExternalAssurer)
                    && s.role == Role::ExternalAssurer.label())
        );

        // The gap carries its open action, overdue at sign-off; the done one is listed as closed.
        let gap = report
            .gaps
            .iter()
            .find(|g| g.outcome == GAP && g.scope == "London Borough of Hackney")
            .expect("the gap");
        assert_eq!(gap.actions.len(), 1);
        assert_eq!(gap.actions[0].description, "Appoint a risk manager");
        assert!(
            !gap.actions[0].overdue,
            "due 2027-01-31 was not overdue when signed off today"
        );
        assert_eq!(report.closed_actions.len(), 1);
        assert_eq!(report.closed_actions[0].status, "Done");
        assert!(report.closed_actions[0].closed_on.is_some());

        // The appendix holds every outcome of every scope, narratives as signed.
        let total: usize = report.appendix.iter().map(|s| s.outcomes.len()).sum();
        assert_eq!(total, report.summary.overall.outcomes);
        assert_eq!(
            report.appendix[0].outcomes[0].narrative,
            "The board owns cyber risk."
        );
        assert!(report.previous.is_none());
    }
);

on_both!(
    a_signed_off_report_is_built_from_its_snapshots_only,
    |db: TestDb| async move {
        let w = world(&db).await;
        let started = signed_assessment(&db, &w, "CAF 2026/27").await;
        let before = report_as(&db, &w, HOME, Role::Approver, started.id)
            .await
            .expect("report");
        // Live rows that change after sign-off (the plan goes on; the register is edited) do
        // not reach the signed report.
        let lead = w.lead(&db, HOME).await;
        db.propose_action(
            &lead,
            started.org,
            GAP,
            "A later action",
            "Someone",
            None,
            &w.actor(HOME, Role::CafLead),
        )
        .await
        .expect("the plan goes on after sign-off");
        let after = report_as(&db, &w, HOME, Role::Approver, started.id)
            .await
            .expect("report");
        assert_eq!(before, after);
    }
);

on_both!(who_may_read_a_report, |db: TestDb| async move {
    let w = world(&db).await;
    let started = signed_assessment(&db, &w, "CAF 2026/27").await;
    for role in [
        Role::BoardViewer,
        Role::Approver,
        Role::CafLead,
        Role::ExternalAssurer,
    ] {
        report_as(&db, &w, HOME, role, started.id)
            .await
            .unwrap_or_else(|e| panic!("{role:?} reads the report: {e:?}"));
    }
    for role in [Role::OrgAdmin, Role::Assessor, Role::Reviewer] {
        assert!(
            matches!(
                report_as(&db, &w, HOME, role, started.id).await,
                Err(DataError::NotFound(_))
            ),
            "{role:?} may not read board reports"
        );
    }
    // Another council's board viewer: not found, whatever the id.
    let away = w
        .grant(&db, AWAY, Role::BoardViewer, Permission::ReadReports)
        .await
        .expect("away viewer");
    assert!(matches!(
        db.report_sources(&away, started.id).await,
        Err(DataError::NotFound(_))
    ));
    assert!(db.report_listings(&away).await.expect("list").is_empty());
});

on_both!(
    a_draft_report_is_marked_and_hidden_from_board_viewers,
    |db: TestDb| async move {
        let w = world(&db).await;
        let started = start(&db, &w, "Draft", &SYSTEMS, false).await;
        assert!(matches!(
            report_as(&db, &w, HOME, Role::BoardViewer, started.id).await,
            Err(DataError::NotFound(_))
        ));
        let viewer = w
            .grant(&db, HOME, Role::BoardViewer, Permission::ReadReports)
            .await
            .expect("viewer");
        assert!(db.report_listings(&viewer).await.expect("list").is_empty());
        let report = report_as(&db, &w, HOME, Role::CafLead, started.id)
            .await
            .expect("draft for the lead");
        assert!(report.draft);
        assert!(report.sign_off.iter().all(|s| s.sha256.is_none()));
        assert_eq!(
            report.summary.overall.assessed, 0,
            "nothing is answered yet"
        );
        assert!(
            report
                .summary
                .paragraphs
                .iter()
                .any(|p| p.contains("This is a draft: 0 of 3 scopes are signed off"))
        );
        let lead = w.lead(&db, HOME).await;
        let listed = db.report_listings(&lead).await.expect("list");
        assert_eq!(listed.len(), 1);
        assert_eq!((listed[0].scopes, listed[0].signed_off), (3, 0));
        assert!(listed[0].signed_at.is_none());
    }
);

on_both!(
    next_years_report_compares_with_the_previous_signed_off_one,
    |db: TestDb| async move {
        let w = world(&db).await;
        let first = signed_assessment(&db, &w, "CAF 2025/26").await;
        let second = start(&db, &w, "CAF 2026/27", &SYSTEMS, false).await;
        let report = report_as(&db, &w, HOME, Role::CafLead, second.id)
            .await
            .expect("report");
        let previous = report.previous.as_ref().expect("last year is compared");
        assert_eq!(previous.title, "CAF 2025/26");
        // Nothing is assessed yet this year: no movement, but last year's bar is there.
        assert!(report.bars.groups.iter().all(|g| g.bars.len() == 2));
        let a = &report.bars.groups[0];
        assert_eq!(a.bars[1].achieved, 1, "A1.a was achieved last year");
        let cell = &report.heat_map.objectives[0].principles[0].rows[0].cells[0];
        assert_eq!(cell.movement, Some(Movement::New));
        let _ = first;
    }
);
