//! The annual cycle on SQLite and PostgreSQL: next year's assessment carried forward from a
//! signed-off one, across CAF versions through the statement map; re-confirmation before
//! submission; what did not carry; critical systems that keep one history.

mod support;

use support::TestDb;
use support::world::*;

use app::assess::{AnswerInput, OutcomeDraft, SaveResult, ScopeKind, ScopeState, WorkflowAction};
use app::cycle::{CarryApproach, NextAssessment};
use app::data::{DataError, Db, NewAssessment};
use app::roles::{Permission, Role};
use caf::{Framework, StatementChange};
use std::collections::BTreeMap;

const SYSTEMS: [&str; 2] = ["Payroll", "Housing benefits"];

fn caf32() -> Framework {
    caf::bundled_framework("3.2").expect("CAF 3.2 is bundled")
}

fn kind_outcomes(framework: &Framework, kind: ScopeKind) -> Vec<&caf::ContributingOutcome> {
    framework
        .objectives
        .iter()
        .filter(|o| kind.objectives().contains(&o.id.as_str()))
        .flat_map(|o| o.principles.iter().flat_map(|p| p.outcomes.iter()))
        .collect()
}

/// A deterministic mix of answers: mostly true, some false, one not applicable per outcome.
fn mixed_answers(outcome: &caf::ContributingOutcome) -> Vec<AnswerInput> {
    outcome
        .indicators
        .iter()
        .enumerate()
        .map(|(i, (_, indicator))| match i % 7 {
            3 => AnswerInput {
                indicator: indicator.id.clone(),
                answer: "not_applicable".into(),
                justification: "Compensated by the shared service's control".into(),
            },
            5 => answer(&indicator.id, "false"),
            _ => answer(&indicator.id, "true"),
        })
        .collect()
}

/// A signed-off assessment of `version` with every outcome answered, a narrative each, and one
/// evidence item linked to the first outcome of every scope.
async fn signed_year(db: &TestDb, w: &World, title: &str, version: &str) -> Started {
    let lead = w.lead(db, HOME).await;
    let actor = w.actor(HOME, Role::CafLead);
    let input = NewAssessment {
        period: "2025/26".into(),
        framework_version: version.into(),
        profile: format!("govassure-baseline-caf{version}"),
        ..new_assessment(title, &SYSTEMS)
    };
    let id = db
        .create_assessment(&lead, &input, &actor)
        .await
        .expect("create");
    let summary = db.assessment_summary(&lead, id).await.expect("summary");
    let framework = caf::bundled_framework(version).expect("bundled");
    let evidence = db
        .create_evidence(
            &lead,
            &fields("Cyber policy", Some("2020-01-01")),
            &app::data::EvidenceBody::Link("https://intranet.example/policy".into()),
            &actor,
        )
        .await
        .expect("evidence");
    for scope in &summary.scopes {
        for (n, outcome) in kind_outcomes(&framework, scope.kind)
            .into_iter()
            .enumerate()
        {
            let answers = mixed_answers(outcome);
            let suggested =
                caf::suggest_status(outcome, &app::assess::caf_answers(&answers)).status;
            let draft = OutcomeDraft {
                answers,
                confirmed: Some(suggested.key().to_owned()),
                justification: String::new(),
                narrative: format!("{} in {} last year", outcome.id, scope.name),
            };
            let saved = db
                .save_outcome(&lead, scope.id, &outcome.id, 0, &draft, &actor)
                .await
                .expect("save");
            assert!(matches!(saved, SaveResult::Saved { .. }), "{saved:?}");
            if n == 0 {
                db.link_evidence(&lead, evidence, scope.id, &outcome.id, true, &actor)
                    .await
                    .expect("link");
            }
        }
        for (action, role) in [
            (WorkflowAction::Submit, Role::Assessor),
            (WorkflowAction::Accept, Role::Reviewer),
            (WorkflowAction::Assure, Role::ExternalAssurer),
            (WorkflowAction::SignOff, Role::Approver),
        ] {
            step(db, w, role, scope.id, action, None)
                .await
                .unwrap_or_else(|e| panic!("{action:?}: {e:?}"));
        }
    }
    Started {
        id,
        org: summary.scopes[0].id,
        systems: summary.scopes[1..].iter().map(|s| s.id).collect(),
    }
}

fn next_year(previous: &Started, version: &str, approach: CarryApproach) -> NextAssessment {
    NextAssessment {
        previous_id: previous.id,
        title: "CAF self-assessment 2026/27".into(),
        period: "2026/27".into(),
        framework_version: version.into(),
        profile: format!("govassure-baseline-caf{version}"),
        own_profile: false,
        approaches: std::iter::once(previous.org)
            .chain(previous.systems.iter().copied())
            .map(|s| (s, approach))
            .collect(),
    }
}

async fn carry(db: &Db, w: &World, input: &NextAssessment) -> Result<i64, DataError> {
    let lead = w.lead(db, HOME).await;
    db.start_next_assessment(&lead, input, &w.actor(HOME, Role::CafLead))
        .await
}

/// What the statement map says a scope of `kind` carries from a fully answered 3.2 scope:
/// (answers carried unflagged, carried flagged, statements left unanswered, statements dropped).
fn expected(kind: ScopeKind) -> (usize, usize, usize, usize) {
    let (old, new) = (caf32(), caf4());
    let map = caf::bundled_statement_map("3.2", "4.0").expect("map");
    let crosswalk = caf::bundled_crosswalk();
    let mut answers_of: BTreeMap<String, String> = BTreeMap::new();
    for outcome in kind_outcomes(&old, kind) {
        for a in mixed_answers(outcome) {
            answers_of.insert(
                a.indicator.clone(),
                format!("{}:{}", a.answer, a.justification),
            );
        }
    }
    let (mut same, mut flagged, mut unanswered) = (0, 0, 0);
    for outcome in kind_outcomes(&new, kind) {
        if crosswalk.predecessor(&outcome.id).is_none() {
            continue;
        }
        for (_, statement) in outcome.indicators.iter() {
            let link = map.link(&statement.id).expect("every statement mapped");
            let sources: Vec<&String> =
                link.from.iter().filter_map(|f| answers_of.get(f)).collect();
            let agree = !sources.is_empty() && sources.iter().all(|s| *s == sources[0]);
            match (link.change, agree) {
                (StatementChange::New, _) | (_, false) => unanswered += 1,
                (StatementChange::Same, true) => same += 1,
                (_, true) => flagged += 1,
            }
        }
    }
    let dropped = kind_outcomes(&old, kind)
        .iter()
        .flat_map(|o| o.indicators.iter().map(|(_, i)| i.id.clone()))
        .filter(|id| map.dropped.contains(id))
        .count();
    (same, flagged, unanswered, dropped)
}

async fn carried_counts(db: &TestDb, scope: i64) -> (i64, i64) {
    (
        count(db, &format!("answers WHERE scope_id = {scope}")).await,
        count(
            db,
            &format!("scope_outcomes WHERE scope_id = {scope} AND carried_from IS NOT NULL"),
        )
        .await,
    )
}

async fn carries_a_3_2_year_into_4_0_as_the_map_says(db: TestDb) {
    let w = world(&db).await;
    let previous = signed_year(&db, &w, "CAF 2025/26", "3.2").await;
    let hashes_before = db
        .raw_strings("SELECT sha256 FROM snapshots ORDER BY id")
        .await;
    let id = carry(&db, &w, &next_year(&previous, "4.0", CarryApproach::Light))
        .await
        .expect("carry forward");
    let lead = w.lead(&db, HOME).await;
    let summary = db.assessment_summary(&lead, id).await.expect("summary");
    assert_eq!(summary.framework_version, "4.0");
    assert_eq!(summary.scopes.len(), 3);
    assert_eq!(
        db.raw_strings(&format!(
            "SELECT CAST(previous_id AS TEXT) FROM assessments WHERE id = {id}"
        ))
        .await,
        vec![previous.id.to_string()]
    );
    for scope in &summary.scopes {
        let (same, flagged, unanswered, dropped) = expected(scope.kind);
        let (answers, outcomes) = carried_counts(&db, scope.id).await;
        assert_eq!(answers as usize, same + flagged, "{} answers", scope.name);
        let linked = kind_outcomes(&caf4(), scope.kind)
            .iter()
            .filter(|o| caf::bundled_crosswalk().predecessor(&o.id).is_some())
            .count();
        assert_eq!(outcomes as usize, linked, "{} carried outcomes", scope.name);
        let audit = support::audit_actions(&db, "assessment.carry_forward").await;
        let detail = &audit[0].event.detail;
        let scope_detail = detail["scopes"]
            .as_array()
            .expect("scopes")
            .iter()
            .find(|s| s["scope"] == scope.id)
            .expect("scope in the audit record");
        assert_eq!(scope_detail["carried"]["answers"], same, "{}", scope.name);
        assert_eq!(
            scope_detail["carried"]["flagged"], flagged,
            "{}",
            scope.name
        );
        assert_eq!(
            scope_detail["carried"]["unanswered"], unanswered,
            "{}",
            scope.name
        );
        assert!(
            flagged > 0 && unanswered > 0,
            "the 3.2 to 4.0 move changes wording"
        );
        let not_carried = db
            .not_carried(&lead, id)
            .await
            .expect("not carried")
            .expect("some");
        let listed = not_carried
            .scopes
            .iter()
            .find(|s| s.scope_id == scope.id)
            .expect("scope listed");
        let statements = listed
            .items
            .iter()
            .filter(|i| i.indicator.is_some())
            .count();
        assert_eq!(statements, dropped, "{} dropped statements", scope.name);
        assert!(
            listed
                .items
                .iter()
                .all(|i| i.indicator.is_none() || i.answer.is_some())
        );
    }
    // New outcomes start unanswered; a renumbered one carries from its predecessor.
    let org_scope = summary.scopes[0].id;
    for new in ["A2.b", "A4.b"] {
        let record = db
            .outcome_record(&lead, org_scope, new)
            .await
            .expect("record");
        assert!(
            record.draft.answers.is_empty() && record.draft.confirmed.is_none(),
            "{new}"
        );
        assert!(
            db.carry_note(&lead, org_scope, new)
                .await
                .expect("note")
                .is_none()
        );
    }
    let moved = db
        .outcome_record(&lead, org_scope, "A2.c")
        .await
        .expect("A2.c");
    assert_eq!(
        moved.draft.narrative,
        "A2.b in London Borough of Hackney last year"
    );
    let note = db
        .carry_note(&lead, org_scope, "A2.c")
        .await
        .expect("note")
        .expect("carried");
    assert_eq!(note.from_outcome, "A2.b");
    assert!(note.waiting());
    // The system scopes point at the same critical systems as last year's.
    let old = db
        .assessment_summary(&lead, previous.id)
        .await
        .expect("old");
    for (a, b) in old.scopes.iter().zip(&summary.scopes) {
        assert_eq!(a.system_id, b.system_id);
        assert_eq!(a.name, b.name);
    }
    assert!(summary.scopes[1].system_id.is_some());
    // Evidence links carry to the successors of last year's linked outcomes.
    assert_eq!(
        count(&db, &format!("evidence_links WHERE scope_id = {org_scope}")).await,
        1
    );
    // Last year's record is untouched.
    assert_eq!(
        db.raw_strings("SELECT sha256 FROM snapshots ORDER BY id")
            .await,
        hashes_before
    );
    for scope in &old.scopes {
        assert_eq!(scope.state, ScopeState::SignedOff);
    }
}

async fn submit_waits_for_re_confirmation(db: TestDb) {
    let w = world(&db).await;
    let previous = signed_year(&db, &w, "CAF 2025/26", "3.2").await;
    let id = carry(&db, &w, &next_year(&previous, "4.0", CarryApproach::Light))
        .await
        .expect("carry");
    let lead = w.lead(&db, HOME).await;
    let actor = w.actor(HOME, Role::CafLead);
    let scope = db
        .assessment_summary(&lead, id)
        .await
        .expect("summary")
        .scopes[0]
        .clone();
    // New outcomes need a status of their own first.
    for new in ["A2.b", "A4.b"] {
        let record = db
            .outcome_record(&lead, scope.id, new)
            .await
            .expect("record");
        let mut d = record.draft.clone();
        d.confirmed = Some(record.suggested.key().to_owned());
        db.save_outcome(&lead, scope.id, new, record.version, &d, &actor)
            .await
            .expect("confirm new outcome");
    }
    let refused = invalid(
        step(
            &db,
            &w,
            Role::Assessor,
            scope.id,
            WorkflowAction::Submit,
            None,
        )
        .await,
        "submit with carried outcomes",
    );
    assert!(refused.contains("not yet re-confirmed"), "{refused}");
    // Objective A in bulk: only outcomes whose statements all read the same are re-confirmed.
    let assessor = w
        .grant(&db, HOME, Role::Assessor, Permission::EditAnswers)
        .await
        .expect("assessor");
    let assessor_actor = w.actor(HOME, Role::Assessor);
    let carried = db.carried_outcomes(&lead, scope.id).await.expect("carried");
    let unchanged_a = carried
        .iter()
        .filter(|c| c.outcome.starts_with('A') && c.unchanged)
        .count();
    let (done, left) = db
        .reconfirm_objective(&assessor, scope.id, "A", &assessor_actor)
        .await
        .expect("bulk");
    assert_eq!(done, unchanged_a);
    let audited = support::audit_actions(&db, "outcome.reconfirm").await;
    assert_eq!(audited.len(), done, "one audit record per outcome");
    // Saving an outcome re-confirms it; the rest one by one.
    let first_changed = db
        .carried_outcomes(&lead, scope.id)
        .await
        .expect("carried")
        .into_iter()
        .find(|c| c.waiting)
        .expect("one waits");
    assert!(left > 0 || !first_changed.outcome.starts_with('A'));
    let record = db
        .outcome_record(&lead, scope.id, &first_changed.outcome)
        .await
        .expect("record");
    db.save_outcome(
        &assessor,
        scope.id,
        &first_changed.outcome,
        record.version,
        &record.draft,
        &assessor_actor,
    )
    .await
    .expect("save");
    let note = db
        .carry_note(&lead, scope.id, &first_changed.outcome)
        .await
        .expect("note")
        .expect("carried");
    assert!(!note.waiting(), "a save re-confirms");
    for c in db.carried_outcomes(&lead, scope.id).await.expect("carried") {
        if c.waiting {
            db.reconfirm_outcome(&assessor, scope.id, &c.outcome, &assessor_actor)
                .await
                .expect("re-confirm");
        }
    }
    assert_eq!(
        step(
            &db,
            &w,
            Role::Assessor,
            scope.id,
            WorkflowAction::Submit,
            None
        )
        .await
        .expect("submit"),
        ScopeState::InReview
    );
    // Once submitted, nothing can be re-confirmed.
    conflict(
        db.reconfirm_outcome(&assessor, scope.id, "A1.a", &assessor_actor)
            .await,
        "re-confirm after submission",
    );
}

async fn review_and_update_has_no_bulk_re_confirmation(db: TestDb) {
    let w = world(&db).await;
    let previous = signed_year(&db, &w, "CAF 2025/26", "4.0").await;
    let mut input = next_year(&previous, "4.0", CarryApproach::Update);
    input.approaches[2].1 = CarryApproach::Fresh;
    let id = carry(&db, &w, &input).await.expect("carry");
    let lead = w.lead(&db, HOME).await;
    let summary = db.assessment_summary(&lead, id).await.expect("summary");
    let message = invalid(
        db.reconfirm_objective(
            &lead,
            summary.scopes[0].id,
            "A",
            &w.actor(HOME, Role::CafLead),
        )
        .await,
        "bulk on review and update",
    );
    assert!(message.contains("each outcome"), "{message}");
    // Within one version every answer carries, and nothing is flagged.
    let (answers, outcomes) = carried_counts(&db, summary.scopes[0].id).await;
    let old = carried_counts(&db, previous.org).await;
    assert_eq!(answers, old.0);
    assert_eq!(
        outcomes as usize,
        outcome_ids(ScopeKind::Organisation).len()
    );
    not_found(
        db.carry_note(&lead, summary.scopes[0].id, "B1.a").await,
        "B1.a is not in the organisation scope",
    );
    let note = db
        .carry_note(&lead, summary.scopes[0].id, "A1.a")
        .await
        .expect("note")
        .expect("carried");
    assert!(
        note.statements.is_empty(),
        "the same version changes no wording"
    );
    // The fresh scope carried nothing.
    assert_eq!(carried_counts(&db, summary.scopes[2].id).await, (0, 0));
}

async fn refuses_what_cannot_be_carried(db: TestDb) {
    let w = world(&db).await;
    let lead = w.lead(&db, HOME).await;
    let running = start(&db, &w, "Still running", &SYSTEMS, false).await;
    let message = invalid(
        carry(&db, &w, &next_year(&running, "4.0", CarryApproach::Light)).await,
        "previous not signed off",
    );
    assert!(message.contains("signed-off"), "{message}");
    let previous = signed_year(&db, &w, "CAF 2025/26", "4.0").await;
    let message = invalid(
        carry(&db, &w, &next_year(&previous, "3.2", CarryApproach::Fresh)).await,
        "older framework",
    );
    assert!(message.contains("newer"), "{message}");
    let mut missing = next_year(&previous, "4.0", CarryApproach::Light);
    missing.approaches.pop();
    let message = invalid(carry(&db, &w, &missing).await, "missing approach");
    assert!(message.contains("Housing benefits"), "{message}");
    // Another council's assessment is simply not there.
    let away_lead = w.lead(&db, AWAY).await;
    not_found(
        db.start_next_assessment(
            &away_lead,
            &next_year(&previous, "4.0", CarryApproach::Light),
            &w.actor(AWAY, Role::CafLead),
        )
        .await,
        "another council's previous assessment",
    );
    // An assessor may not start one.
    let assessor = w.member(&db, HOME, Role::Assessor).await;
    assert!(
        db.start_next_assessment(
            &assessor,
            &next_year(&previous, "4.0", CarryApproach::Light),
            &w.actor(HOME, Role::Assessor),
        )
        .await
        .is_err()
    );
    assert_eq!(count(&db, "assessments").await, 2, "nothing was created");
    let _ = lead;
}

async fn carrying_forward_is_all_or_nothing(db: TestDb) {
    let w = world(&db).await;
    let previous = signed_year(&db, &w, "CAF 2025/26", "3.2").await;
    let tables = [
        "assessments",
        "scopes",
        "scope_outcomes",
        "answers",
        "evidence_links",
        "critical_systems",
        "audit_log",
    ];
    let mut before = Vec::new();
    for t in tables {
        before.push(count(&db, t).await);
    }
    // The first system scope's evidence link fails, after the organisation scope was carried:
    // everything before it must roll back.
    let sqlite = db.raw_execute("SELECT sqlite_version()").await.is_ok();
    if sqlite {
        db.raw_execute(
            "CREATE TRIGGER fail_links BEFORE INSERT ON evidence_links \
             WHEN NEW.outcome_id = 'B1.a' \
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
        )
        .await
        .expect("trigger");
    } else {
        db.raw_execute(
            "CREATE FUNCTION fail_links() RETURNS trigger AS $$ BEGIN \
             IF NEW.outcome_id = 'B1.a' THEN RAISE EXCEPTION 'injected failure'; END IF; \
             RETURN NEW; END; $$ LANGUAGE plpgsql",
        )
        .await
        .expect("function");
        db.raw_execute(
            "CREATE TRIGGER fail_links BEFORE INSERT ON evidence_links \
             FOR EACH ROW EXECUTE FUNCTION fail_links()",
        )
        .await
        .expect("trigger");
    }
    assert!(
        carry(&db, &w, &next_year(&previous, "4.0", CarryApproach::Light))
            .await
            .is_err()
    );
    for (t, n) in tables.iter().zip(before) {
        assert_eq!(count(&db, t).await, n, "{t} changed");
    }
}

async fn a_renamed_system_keeps_one_history(db: TestDb) {
    let w = world(&db).await;
    let previous = signed_year(&db, &w, "CAF 2025/26", "4.0").await;
    let lead = w.lead(&db, HOME).await;
    let actor = w.actor(HOME, Role::CafLead);
    let systems = db.critical_systems(&lead).await.expect("systems");
    assert_eq!(systems.len(), 2);
    let payroll = systems
        .iter()
        .find(|s| s.name == "Payroll")
        .expect("payroll");
    db.rename_system(
        &lead,
        payroll.id,
        "Payroll and HR",
        "Payroll, pensions and HR",
        &actor,
    )
    .await
    .expect("rename");
    // Signed-off scopes keep the name they were signed under.
    let old = db
        .assessment_summary(&lead, previous.id)
        .await
        .expect("old");
    assert!(old.scopes.iter().any(|s| s.name == "Payroll"));
    let id = carry(&db, &w, &next_year(&previous, "4.0", CarryApproach::Fresh))
        .await
        .expect("carry");
    let new = db.assessment_summary(&lead, id).await.expect("new");
    let scope = new
        .scopes
        .iter()
        .find(|s| s.system_id == Some(payroll.id))
        .expect("the same system");
    assert_eq!(scope.name, "Payroll and HR");
    let systems = db.critical_systems(&lead).await.expect("systems");
    assert_eq!(systems.len(), 2, "no second system for the new name");
    let history = &systems
        .iter()
        .find(|s| s.id == payroll.id)
        .expect("payroll")
        .assessments;
    assert_eq!(
        history
            .iter()
            .map(|(_, _, name)| name.as_str())
            .collect::<Vec<_>>(),
        ["Payroll", "Payroll and HR"]
    );
    // A clash is refused; another council cannot rename it.
    conflict(
        db.rename_system(&lead, payroll.id, "housing benefits", "", &actor)
            .await,
        "name clash",
    );
    let away = w.lead(&db, AWAY).await;
    not_found(
        db.rename_system(&away, payroll.id, "Mine", "", &w.actor(AWAY, Role::CafLead))
            .await,
        "another council's system",
    );
}

on_both!(
    carries_a_3_2_year_into_4_0_as_the_map_says,
    carries_a_3_2_year_into_4_0_as_the_map_says
);
on_both!(
    submit_waits_for_re_confirmation,
    submit_waits_for_re_confirmation
);
on_both!(
    review_and_update_has_no_bulk_re_confirmation,
    review_and_update_has_no_bulk_re_confirmation
);
on_both!(
    refuses_what_cannot_be_carried,
    refuses_what_cannot_be_carried
);
on_both!(
    carrying_forward_is_all_or_nothing,
    carrying_forward_is_all_or_nothing
);
on_both!(
    a_renamed_system_keeps_one_history,
    a_renamed_system_keeps_one_history
);
