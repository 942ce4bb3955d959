//! Year on year, on SQLite and PostgreSQL: an assessment compared with the previous one (the one
//! it was started from, else the latest signed off in full), critical systems matched by their
//! identity and never by name, a CAF 3.2 year through the crosswalk, never another council's
//! assessment; the gap to the target profile for every year; and the board report using the
//! same comparison.

mod support;

use support::TestDb;
use support::world::*;

use app::assess::{OutcomeDraft, SaveResult, ScopeKind, WorkflowAction};
use app::data::{Db, NewAssessment};
use app::report::{BoardReport, Movement, ReportOptions, build_report};
use app::roles::{Permission, Role};
use app::year_on_year::{
    Change, Matching, OutcomeChange, OutcomeMatch, PreviousBasis, ScopeChange, YearOnYear,
};
use caf::Status;

const A: Status = Status::Achieved;
const P: Status = Status::PartiallyAchieved;
const N: Status = Status::NotAchieved;

/// Creates an assessment of `slug` against a CAF version and that version's baseline profile.
async fn create(
    db: &Db,
    w: &World,
    slug: &'static str,
    title: &str,
    version: &str,
    systems: &[&str],
) -> Started {
    let lead = w.lead(db, slug).await;
    let input = NewAssessment {
        period: title
            .split(' ')
            .find(|w| w.contains('/'))
            .unwrap_or_default()
            .to_owned(),
        framework_version: version.to_owned(),
        profile: format!("govassure-baseline-caf{version}"),
        ..new_assessment(title, systems)
    };
    let id = db
        .create_assessment(&lead, &input, &w.actor(slug, Role::CafLead))
        .await
        .expect("create assessment");
    let summary = db.assessment_summary(&lead, id).await.expect("summary");
    Started {
        id,
        org: summary.scopes[0].id,
        systems: summary.scopes[1..].iter().map(|s| s.id).collect(),
    }
}

/// Confirms a status for an outcome (with a justification, so any status will do).
async fn confirm(
    db: &Db,
    w: &World,
    slug: &'static str,
    scope: i64,
    outcome: &str,
    status: Status,
) {
    let lead = w.lead(db, slug).await;
    let record = db
        .outcome_record(&lead, scope, outcome)
        .await
        .expect("record");
    let draft = OutcomeDraft {
        answers: record.draft.answers.clone(),
        confirmed: Some(status.key().to_owned()),
        justification: "Judged so for the test.".into(),
        narrative: record.draft.narrative.clone(),
    };
    let saved = db
        .save_outcome(
            &lead,
            scope,
            outcome,
            record.version,
            &draft,
            &w.actor(slug, Role::CafLead),
        )
        .await
        .expect("save");
    assert!(matches!(saved, SaveResult::Saved { .. }), "{saved:?}");
}

/// Confirms every outcome of a scope not yet confirmed (as suggested), then walks it through
/// review and assurance to sign-off.
async fn sign_off_in(
    db: &Db,
    w: &World,
    slug: &'static str,
    scope: i64,
    kind: ScopeKind,
    version: &str,
) {
    let framework = caf::bundled_framework(version).expect("bundled");
    let lead = w.lead(db, slug).await;
    for outcome in framework
        .objectives
        .iter()
        .filter(|o| kind.objectives().contains(&o.id.as_str()))
        .flat_map(|o| o.principles.iter().flat_map(|p| &p.outcomes))
    {
        let record = db
            .outcome_record(&lead, scope, &outcome.id)
            .await
            .expect("record");
        if record.draft.confirmed.is_none() {
            confirm(db, w, slug, scope, &outcome.id, record.suggested).await;
        }
    }
    for (action, role) in [
        (WorkflowAction::Submit, Role::Assessor),
        (WorkflowAction::Accept, Role::Reviewer),
        (WorkflowAction::Assure, Role::ExternalAssurer),
        (WorkflowAction::SignOff, Role::Approver),
    ] {
        let org = w
            .grant(db, slug, role, action.permission())
            .await
            .expect("grant");
        db.workflow_step(&org, scope, action, None, &w.actor(slug, role))
            .await
            .unwrap_or_else(|e| panic!("{action:?} by {role:?}: {e:?}"));
    }
}

/// Signs off every scope of an assessment.
async fn sign_off_all(db: &Db, w: &World, slug: &'static str, a: &Started, version: &str) {
    sign_off_in(db, w, slug, a.org, ScopeKind::Organisation, version).await;
    for system in &a.systems {
        sign_off_in(db, w, slug, *system, ScopeKind::System, version).await;
    }
}

/// The comparison page's data, as an assessor of the home council reads it.
async fn compared(db: &Db, w: &World, id: i64) -> YearOnYear {
    let org = w
        .grant(db, HOME, Role::Assessor, Permission::ReadAssessments)
        .await
        .expect("assessor reads assessments");
    db.year_on_year(&org, id).await.expect("comparison")
}

/// The board report of an assessment, as the CAF lead reads it.
async fn report(db: &Db, w: &World, id: i64) -> BoardReport {
    let org = w
        .grant(db, HOME, Role::CafLead, Permission::ReadReports)
        .await
        .expect("lead reads reports");
    let sources = db.report_sources(&org, id).await.expect("sources");
    build_report(
        &sources,
        &ReportOptions {
            classification: "OFFICIAL-SENSITIVE".into(),
            today: "2027-05-01".into(),
        },
    )
}

/// The heat-map movement of an outcome in the report's column `column`.
fn heat_movement(report: &BoardReport, column: &str, outcome: &str) -> Option<Movement> {
    // The organisation scope is the first column, named after the organisation.
    let index = if column == ORGANISATION {
        0
    } else {
        report
            .heat_map
            .columns
            .iter()
            .position(|c| c == column)
            .unwrap_or_else(|| panic!("no column {column}"))
    };
    report
        .heat_map
        .objectives
        .iter()
        .flat_map(|o| o.principles.iter().flat_map(|p| &p.rows))
        .find(|r| r.outcome == outcome)
        .unwrap_or_else(|| panic!("no row {outcome}"))
        .cells[index]
        .movement
}

/// Stands for the organisation scope, whatever it is called.
const ORGANISATION: &str = "(the organisation)";

fn scope<'a>(data: &'a YearOnYear, name: &str) -> &'a ScopeChange {
    data.comparison
        .as_ref()
        .expect("compared")
        .scopes
        .iter()
        .find(|s| {
            if name == ORGANISATION {
                s.kind == ScopeKind::Organisation
            } else {
                s.name == name
            }
        })
        .unwrap_or_else(|| panic!("no scope {name}"))
}

fn outcome<'a>(scope: &'a ScopeChange, id: &str) -> &'a OutcomeChange {
    scope
        .outcomes
        .iter()
        .find(|o| o.outcome == id)
        .unwrap_or_else(|| panic!("no outcome {id} in {}", scope.name))
}

/// The outcomes of an objective in a framework version.
fn outcomes_of(version: &str, objective: &str) -> usize {
    caf::bundled_framework(version)
        .expect("bundled")
        .objective(objective)
        .expect("objective")
        .principles
        .iter()
        .map(|p| p.outcomes.len())
        .sum()
}

on_both!(
    statuses_that_improve_and_worsen_are_compared_outcome_by_outcome,
    |db: TestDb| async move {
        let w = world(&db).await;
        let first = create(&db, &w, HOME, "CAF 2025/26", "4.0", &["Payroll"]).await;
        for (outcome, status) in [("A1.a", N), ("A1.b", A), ("A1.c", P)] {
            confirm(&db, &w, HOME, first.org, outcome, status).await;
        }
        confirm(&db, &w, HOME, first.systems[0], "B1.a", P).await;
        sign_off_all(&db, &w, HOME, &first, "4.0").await;

        let second = create(&db, &w, HOME, "CAF 2026/27", "4.0", &["Payroll"]).await;
        for (outcome, status) in [("A1.a", A), ("A1.b", N), ("A1.c", P)] {
            confirm(&db, &w, HOME, second.org, outcome, status).await;
        }
        confirm(&db, &w, HOME, second.systems[0], "B1.a", A).await;

        let data = compared(&db, &w, second.id).await;
        let previous = data.previous.as_ref().expect("last year");
        assert_eq!(previous.year.id, first.id);
        assert_eq!(previous.year.title, "CAF 2025/26");
        assert_eq!(previous.basis, PreviousBasis::LatestSignedOff);
        let c = data.comparison.as_ref().expect("compared");
        assert_eq!(c.matching, Matching::SameVersion);
        assert!(c.not_carried.is_empty() && c.removed_outcomes.is_empty());

        let org = scope(&data, ORGANISATION);
        let a1a = outcome(org, "A1.a");
        assert_eq!(
            (a1a.before, a1a.now, a1a.change),
            (Some(N), Some(A), Change::Better)
        );
        assert_eq!(a1a.matched, OutcomeMatch::SameId);
        assert_eq!(a1a.previous_outcome.as_deref(), Some("A1.a"));
        assert_eq!(outcome(org, "A1.b").change, Change::Worse);
        assert_eq!(outcome(org, "A1.c").change, Change::Same);
        let waiting = outcome(org, "A2.a");
        assert_eq!(waiting.now, None, "confirmed statuses only: none yet");
        assert!(waiting.before.is_some());
        assert_eq!(waiting.change, Change::NotYetAssessed);
        let payroll = scope(&data, "Payroll");
        assert_eq!(payroll.previous_name.as_deref(), Some("Payroll"));
        assert_eq!(outcome(payroll, "B1.a").change, Change::Better);
        assert!(
            payroll
                .outcomes
                .iter()
                .all(|o| o.objective == "B" || o.objective == "C")
        );

        let counts = |id: &str| {
            let o = c
                .objectives
                .iter()
                .find(|o| o.objective == id)
                .expect("objective");
            (o.improved, o.worse, o.unchanged, o.new, o.not_yet_assessed)
        };
        assert_eq!(counts("A"), (1, 1, 1, 0, outcomes_of("4.0", "A") - 3));
        assert_eq!(counts("B"), (1, 0, 0, 0, outcomes_of("4.0", "B") - 1));
        assert_eq!(counts("D"), (0, 0, 0, 0, outcomes_of("4.0", "D")));

        // The gap to the target profile, oldest first: last year's figures are the signed
        // report's; this year counts what is confirmed so far.
        assert_eq!(data.history.len(), 2);
        let (then, now) = (&data.history[0], &data.history[1]);
        assert_eq!((then.assessment_id, then.signed_off), (first.id, true));
        assert_eq!((now.assessment_id, now.signed_off), (second.id, false));
        assert_eq!(then.gap.label, "2025/26");
        let signed = report(&db, &w, first.id).await;
        assert_eq!(then.gap.assessed, signed.summary.overall.assessed);
        assert_eq!(then.gap.below, signed.summary.overall.below);
        assert_eq!(then.gap.outcomes, signed.summary.overall.outcomes);
        let profile = caf::bundled_profile(BASELINE).expect("baseline");
        let below_now = [("A1.a", A), ("A1.b", N), ("A1.c", P), ("B1.a", A)]
            .iter()
            .filter(|(id, status)| profile.targets.get(*id).is_some_and(|t| status < t))
            .count();
        assert_eq!((now.gap.assessed, now.gap.below), (4, below_now));
        assert_eq!(now.gap.outcomes, then.gap.outcomes);
        let trend = data.trend();
        assert_eq!(trend.years.len(), 2);
        assert!(trend.description().starts_with("2025/26: "));

        // The board report's arrows come from the same comparison.
        let draft = report(&db, &w, second.id).await;
        assert_eq!(
            heat_movement(&draft, ORGANISATION, "A1.a"),
            Some(Movement::Up)
        );
        assert_eq!(
            heat_movement(&draft, ORGANISATION, "A1.b"),
            Some(Movement::Down)
        );
        assert_eq!(
            heat_movement(&draft, ORGANISATION, "A1.c"),
            Some(Movement::Same)
        );
        assert_eq!(heat_movement(&draft, "Payroll", "B1.a"), Some(Movement::Up));
        assert_eq!(
            heat_movement(&draft, ORGANISATION, "A2.a"),
            Some(Movement::New)
        );
        assert!(
            draft
                .summary
                .paragraphs
                .iter()
                .any(|p| p.contains("2 outcomes improved, 1 got worse and 1 stayed the same")),
            "{:?}",
            draft.summary.paragraphs
        );
    }
);

on_both!(
    a_renamed_system_keeps_one_history_and_names_never_match,
    |db: TestDb| async move {
        let w = world(&db).await;
        let first = create(
            &db,
            &w,
            HOME,
            "CAF 2025/26",
            "4.0",
            &["Payroll", "Housing benefits"],
        )
        .await;
        confirm(&db, &w, HOME, first.systems[0], "B1.a", A).await;
        confirm(&db, &w, HOME, first.systems[1], "B1.a", N).await;
        sign_off_all(&db, &w, HOME, &first, "4.0").await;
        let second = create(
            &db,
            &w,
            HOME,
            "CAF 2026/27",
            "4.0",
            &["Payroll", "Housing benefits"],
        )
        .await;

        // Payroll becomes "Payroll and HR"; then Housing benefits takes the name "Payroll".
        let lead = w.lead(&db, HOME).await;
        let actor = w.actor(HOME, Role::CafLead);
        let systems = db.critical_systems(&lead).await.expect("systems");
        let id_of = |name: &str| systems.iter().find(|s| s.name == name).expect("system").id;
        let (payroll, housing) = (id_of("Payroll"), id_of("Housing benefits"));
        db.rename_system(&lead, payroll, "Payroll and HR", "", &actor)
            .await
            .expect("rename payroll");
        db.rename_system(&lead, housing, "Payroll", "", &actor)
            .await
            .expect("rename housing");
        confirm(&db, &w, HOME, second.systems[0], "B1.a", P).await;
        confirm(&db, &w, HOME, second.systems[1], "B1.a", P).await;

        let data = compared(&db, &w, second.id).await;
        let renamed = scope(&data, "Payroll and HR");
        assert_eq!(renamed.system_id, Some(payroll));
        assert_eq!(renamed.previous_name.as_deref(), Some("Payroll"));
        let b1a = outcome(renamed, "B1.a");
        assert_eq!(
            (b1a.before, b1a.now, b1a.change),
            (Some(A), Some(P), Change::Worse)
        );
        // This year's "Payroll" is last year's Housing benefits, whatever the names say.
        let named_payroll = scope(&data, "Payroll");
        assert_eq!(named_payroll.system_id, Some(housing));
        assert_eq!(
            named_payroll.previous_name.as_deref(),
            Some("Housing benefits")
        );
        let b1a = outcome(named_payroll, "B1.a");
        assert_eq!(
            (b1a.before, b1a.now, b1a.change),
            (Some(N), Some(P), Change::Better)
        );
        assert!(
            data.comparison
                .as_ref()
                .expect("compared")
                .not_carried
                .is_empty()
        );

        // The board report matches the same way (it used to match by name).
        let draft = report(&db, &w, second.id).await;
        assert_eq!(
            heat_movement(&draft, "Payroll and HR", "B1.a"),
            Some(Movement::Down)
        );
        assert_eq!(heat_movement(&draft, "Payroll", "B1.a"), Some(Movement::Up));
    }
);

on_both!(
    a_new_system_is_new_and_a_dropped_one_is_listed,
    |db: TestDb| async move {
        let w = world(&db).await;
        let first = create(&db, &w, HOME, "CAF 2025/26", "4.0", &["Payroll"]).await;
        sign_off_all(&db, &w, HOME, &first, "4.0").await;
        let second = create(&db, &w, HOME, "CAF 2026/27", "4.0", &["Libraries"]).await;
        confirm(&db, &w, HOME, second.systems[0], "B1.a", A).await;
        let data = compared(&db, &w, second.id).await;
        let libraries = scope(&data, "Libraries");
        assert_eq!(libraries.previous_name, None);
        assert_eq!(outcome(libraries, "B1.a").change, Change::NewThisYear);
        assert_eq!(outcome(libraries, "B1.b").change, Change::NotYetAssessed);
        let c = data.comparison.as_ref().expect("compared");
        assert_eq!(c.not_carried, vec!["Payroll".to_owned()]);
        let b = c.objectives.iter().find(|o| o.objective == "B").expect("B");
        assert_eq!((b.new, b.improved, b.worse, b.unchanged), (1, 0, 0, 0));
    }
);

on_both!(
    a_caf_3_2_year_is_compared_through_the_crosswalk,
    |db: TestDb| async move {
        let w = world(&db).await;
        let first = create(&db, &w, HOME, "CAF 2025/26", "3.2", &["Payroll"]).await;
        confirm(&db, &w, HOME, first.org, "A2.b", A).await;
        confirm(&db, &w, HOME, first.org, "A1.a", N).await;
        sign_off_all(&db, &w, HOME, &first, "3.2").await;
        let second = create(&db, &w, HOME, "CAF 2026/27", "4.0", &["Payroll"]).await;
        confirm(&db, &w, HOME, second.org, "A2.c", P).await;
        confirm(&db, &w, HOME, second.org, "A2.b", A).await;
        confirm(&db, &w, HOME, second.org, "A4.b", N).await;
        confirm(&db, &w, HOME, second.org, "A1.a", P).await;
        confirm(&db, &w, HOME, second.systems[0], "C1.f", P).await;

        let data = compared(&db, &w, second.id).await;
        let previous = data.previous.as_ref().expect("last year");
        assert_eq!(previous.year.framework_version, "3.2");
        let c = data.comparison.as_ref().expect("compared");
        assert_eq!(c.matching, Matching::Crosswalk);
        assert!(
            c.matched_by()
                .contains("through the CAF 3.2 to 4.0 crosswalk")
        );
        assert_eq!(c.removed_outcomes, vec!["C2.b".to_owned()]);
        let org = scope(&data, ORGANISATION);
        let moved = outcome(org, "A2.c");
        assert_eq!(moved.previous_outcome.as_deref(), Some("A2.b"));
        assert_eq!(moved.matched, OutcomeMatch::Crosswalk);
        assert_eq!(
            (moved.before, moved.now, moved.change),
            (Some(A), Some(P), Change::Worse)
        );
        for new in ["A2.b", "A4.b"] {
            let o = outcome(org, new);
            assert_eq!(
                (o.matched, o.previous_outcome.as_deref()),
                (OutcomeMatch::None, None)
            );
            assert_eq!((o.before, o.change), (None, Change::NewThisYear), "{new}");
        }
        let same = outcome(org, "A1.a");
        assert_eq!(
            (same.matched, same.change),
            (OutcomeMatch::Crosswalk, Change::Better)
        );
        let c1f = outcome(scope(&data, "Payroll"), "C1.f");
        assert_eq!(c1f.change, Change::NewThisYear);
        let a = c.objectives.iter().find(|o| o.objective == "A").expect("A");
        assert_eq!((a.improved, a.worse, a.unchanged, a.new), (1, 1, 0, 2));
        // Each year's gap is counted against its own framework.
        assert_eq!(data.history[0].framework_version, "3.2");
        assert_eq!(
            data.history[0].gap.outcomes,
            ["A", "D"]
                .iter()
                .map(|o| outcomes_of("3.2", o))
                .sum::<usize>()
                + ["B", "C"]
                    .iter()
                    .map(|o| outcomes_of("3.2", o))
                    .sum::<usize>()
        );
        assert_eq!(data.history[1].gap.assessed, 5);

        let draft = report(&db, &w, second.id).await;
        assert!(
            draft
                .previous
                .as_ref()
                .expect("previous")
                .matched_by
                .contains("through the CAF 3.2 to 4.0 crosswalk")
        );
        assert_eq!(
            heat_movement(&draft, ORGANISATION, "A2.c"),
            Some(Movement::Down)
        );
        assert_eq!(
            heat_movement(&draft, ORGANISATION, "A2.b"),
            Some(Movement::New)
        );
    }
);

on_both!(
    the_assessment_started_from_is_compared_with_else_the_latest_signed_off,
    |db: TestDb| async move {
        let w = world(&db).await;
        let first = create(&db, &w, HOME, "CAF 2024/25", "4.0", &["Payroll"]).await;
        sign_off_all(&db, &w, HOME, &first, "4.0").await;
        let second = create(&db, &w, HOME, "CAF 2025/26", "4.0", &["Payroll"]).await;
        sign_off_all(&db, &w, HOME, &second, "4.0").await;
        let running = create(&db, &w, HOME, "CAF 2025/26 (rerun)", "4.0", &["Payroll"]).await;
        let third = create(&db, &w, HOME, "CAF 2026/27", "4.0", &["Payroll"]).await;

        let data = compared(&db, &w, third.id).await;
        let previous = data.previous.as_ref().expect("previous");
        assert_eq!(
            (previous.year.id, previous.basis),
            (second.id, PreviousBasis::LatestSignedOff)
        );
        assert_eq!(data.history.len(), 4);
        assert_eq!(
            data.history
                .iter()
                .map(|h| h.assessment_id)
                .collect::<Vec<_>>(),
            vec![first.id, second.id, running.id, third.id]
        );

        db.raw_execute(&format!(
            "UPDATE assessments SET previous_id = {} WHERE id = {}",
            first.id, third.id
        ))
        .await
        .expect("set previous");
        let data = compared(&db, &w, third.id).await;
        let previous = data.previous.as_ref().expect("previous");
        assert_eq!(
            (previous.year.id, previous.basis),
            (first.id, PreviousBasis::StartedFrom)
        );
        let signed = report(&db, &w, third.id).await;
        assert_eq!(
            signed.previous.as_ref().expect("previous").title,
            "CAF 2024/25"
        );

        // One not signed off in full is not compared with: the rule applies instead.
        db.raw_execute(&format!(
            "UPDATE assessments SET previous_id = {} WHERE id = {}",
            running.id, third.id
        ))
        .await
        .expect("set previous");
        let data = compared(&db, &w, third.id).await;
        assert_eq!(data.previous.as_ref().expect("previous").year.id, second.id);

        // The first year has nothing before it, and still has its trend.
        let data = compared(&db, &w, first.id).await;
        assert!(data.previous.is_none() && data.comparison.is_none());
        assert_eq!(data.history.len(), 4);
    }
);

on_both!(
    another_council_s_assessment_is_never_compared_or_shown,
    |db: TestDb| async move {
        let w = world(&db).await;
        let away = create(&db, &w, AWAY, "Camden CAF 2025/26", "4.0", &["Payroll"]).await;
        sign_off_all(&db, &w, AWAY, &away, "4.0").await;
        let home = create(&db, &w, HOME, "CAF 2026/27", "4.0", &["Payroll"]).await;
        db.raw_execute(&format!(
            "UPDATE assessments SET previous_id = {} WHERE id = {}",
            away.id, home.id
        ))
        .await
        .expect("point at another council");

        let data = compared(&db, &w, home.id).await;
        assert!(data.previous.is_none(), "{:?}", data.previous);
        assert!(data.comparison.is_none());
        assert_eq!(data.history.len(), 1);
        assert_eq!(data.history[0].assessment_id, home.id);
        assert!(report(&db, &w, home.id).await.previous.is_none());

        // Nobody outside the council, and nobody who does not read assessments, sees the page.
        let outsider = w
            .grant(&db, AWAY, Role::CafLead, Permission::ReadAssessments)
            .await
            .expect("away lead");
        not_found(
            db.year_on_year(&outsider, home.id).await,
            "another council's assessment",
        );
        let board = w.member(&db, HOME, Role::BoardViewer).await;
        not_found(db.year_on_year(&board, home.id).await, "a board viewer");
        let lead = w.lead(&db, HOME).await;
        not_found(
            db.year_on_year(&lead, away.id).await,
            "the other council's id from home",
        );
    }
);
