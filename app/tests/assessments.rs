//! Assessments on SQLite and PostgreSQL: creation, who may do what, isolation between councils,
//! concurrent saves, validation, the workflow, sign-off, history, the dashboard and the plan.

mod support;

use support::TestDb;
use support::world::*;

use app::assess::{
    ActionStatus, OutcomeDraft, SaveResult, ScopeKind, ScopeState, WorkflowAction, caf_answers,
    transition,
};
use app::data::{
    Actor, AuditEvent, ChainReport, DataError, Db, EvidenceBody, LinkAcceptance, LinkPurpose,
    NewLink, OrgScope, OrganisationKind, Snapshot,
};
use app::roles::{Permission, Role};
use caf::Status;

// ---------------------------------------------------------------------------------------------
// Helpers

fn sorted(mut draft: OutcomeDraft) -> OutcomeDraft {
    draft.answers.sort_by(|a, b| a.indicator.cmp(&b.indicator));
    draft
}

/// Saves from the version stored now.
async fn save(
    db: &Db,
    org: &OrgScope,
    actor: &Actor,
    scope: i64,
    outcome: &str,
    draft: &OutcomeDraft,
) -> Result<SaveResult, DataError> {
    let version = db.outcome_record(org, scope, outcome).await?.version;
    db.save_outcome(org, scope, outcome, version, draft, actor)
        .await
}

async fn chain_intact(db: &TestDb) -> i64 {
    match db.verify_audit_chain().await.expect("verify") {
        ChainReport::Intact { records } => {
            assert_eq!(records, count(db, "audit_log").await);
            records
        }
        broken => panic!("the audit chain is broken: {broken:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Creation

on_both!(
    creation_builds_the_scopes_outcomes_and_targets,
    |db: TestDb| async move {
        let w = world(&db).await;
        let lead = w.lead(&db, HOME).await;
        let frameworks = db.list_frameworks().await.expect("list");
        assert!(frameworks.iter().all(|f| f.locked_at.is_none()));

        let id = db
            .create_assessment(
                &lead,
                &new_assessment("CAF 2026/27", &["Payroll", "Social care records"]),
                &w.actor(HOME, Role::CafLead),
            )
            .await
            .expect("create");
        let summary = db.assessment_summary(&lead, id).await.expect("summary");
        assert_eq!(
            (
                summary.title.as_str(),
                summary.period.as_str(),
                summary.framework_version.as_str(),
                summary.own_profile
            ),
            ("CAF 2026/27", "2026/27", "4.0", false)
        );
        let shape: Vec<(ScopeKind, &str, ScopeState)> = summary
            .scopes
            .iter()
            .map(|s| (s.kind, s.name.as_str(), s.state))
            .collect();
        assert_eq!(
            shape,
            vec![
                (
                    ScopeKind::Organisation,
                    "London Borough of Hackney",
                    ScopeState::Draft
                ),
                (ScopeKind::System, "Payroll", ScopeState::Draft),
                (ScopeKind::System, "Social care records", ScopeState::Draft),
            ]
        );

        let org_outcomes = outcome_ids(ScopeKind::Organisation);
        let system_outcomes = outcome_ids(ScopeKind::System);
        assert_eq!(org_outcomes.len() + system_outcomes.len(), 41);
        assert!(
            org_outcomes
                .iter()
                .all(|o| o.starts_with('A') || o.starts_with('D'))
        );
        assert!(
            system_outcomes
                .iter()
                .all(|o| o.starts_with('B') || o.starts_with('C'))
        );

        let profile = caf::bundled_profile(BASELINE).expect("baseline profile");
        let dashboard = db.dashboard(&lead, id).await.expect("dashboard");
        for grid in &dashboard.grids {
            let wanted = outcome_ids(grid.scope.kind);
            let cells: Vec<&str> = grid.cells.iter().map(|c| c.outcome.as_str()).collect();
            assert_eq!(cells, wanted, "{}", grid.scope.name);
            let stored = count(
                &db,
                &format!("scope_outcomes WHERE scope_id = {}", grid.scope.id),
            )
            .await;
            assert_eq!(stored as usize, wanted.len());
            for cell in &grid.cells {
                assert_eq!(cell.target, profile.targets.get(&cell.outcome).copied());
                assert_eq!(cell.confirmed, None);
                assert_eq!(cell.answered.0, 0);
            }
        }
        assert_eq!(
            count(&db, "scope_outcomes").await as usize,
            org_outcomes.len() + 2 * system_outcomes.len()
        );

        let targets = db.assessment_targets(&lead, id).await.expect("targets");
        assert_eq!(targets, profile.targets);

        let frameworks = db.list_frameworks().await.expect("list");
        let locked: Vec<(&str, bool)> = frameworks
            .iter()
            .map(|f| (f.version.as_str(), f.locked_at.is_some()))
            .collect();
        assert_eq!(locked, vec![("3.2", false), ("4.0", true)]);

        let created = support::audit_actions(&db, "assessment.create").await;
        assert_eq!(created.len(), 1);
        assert_eq!(
            created[0].event.organisation_id,
            Some(w.organisations[HOME])
        );
        assert_eq!(created[0].event.object, format!("assessment:{id}"));

        let again = db
            .create_assessment(
                &lead,
                &new_assessment("CAF 2026/27", &["Payroll"]),
                &w.actor(HOME, Role::CafLead),
            )
            .await;
        conflict(again, "a second assessment with the same title");
        assert_eq!(count(&db, "assessments").await, 1);
        assert_eq!(
            db.list_assessments(&lead).await.expect("list").len(),
            1,
            "the refused duplicate left nothing behind"
        );
    }
);

on_both!(
    bad_creation_input_reports_every_problem_and_stores_nothing,
    |db: TestDb| async move {
        let w = world(&db).await;
        let lead = w.lead(&db, HOME).await;
        let actor = w.actor(HOME, Role::CafLead);

        let mut bad = new_assessment("   ", &["Payroll", " payroll "]);
        bad.profile = "no-such-profile".into();
        let message = invalid(
            db.create_assessment(&lead, &bad, &actor).await,
            "blank title, twice-named system, unknown profile",
        );
        for part in ["Enter a title", "listed twice", "Choose a target profile"] {
            assert!(message.contains(part), "{part:?} missing from {message:?}");
        }

        let mut bad = new_assessment("CAF 2026/27", &[]);
        bad.period = " ".into();
        bad.profile = "govassure-baseline-caf3.2".into();
        let message = invalid(
            db.create_assessment(&lead, &bad, &actor).await,
            "no systems, no period, a profile of another version",
        );
        for part in [
            "at least one critical system",
            "period",
            "Choose a target profile",
        ] {
            assert!(message.contains(part), "{part:?} missing from {message:?}");
        }

        let mut bad = new_assessment("CAF 2026/27", &["Payroll"]);
        bad.framework_version = "9.9".into();
        let message = invalid(
            db.create_assessment(&lead, &bad, &actor).await,
            "unknown framework",
        );
        assert!(message.contains("CAF 9.9 is not available"), "{message}");

        for table in [
            "assessments",
            "scopes",
            "scope_outcomes",
            "assessment_targets",
        ] {
            assert_eq!(count(&db, table).await, 0, "{table}");
        }
        assert!(support::audit_actions(&db, "assessment.").await.is_empty());
        let frameworks = db.list_frameworks().await.expect("list");
        assert!(
            frameworks.iter().all(|f| f.locked_at.is_none()),
            "refused input locks no framework"
        );
    }
);

// ---------------------------------------------------------------------------------------------
// Who may do what

/// Every operation of the assessment pages, as its server function performs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Create,
    List,
    Summary,
    Targets,
    Dashboard,
    Workspace,
    Record,
    Comments,
    History,
    Snapshot,
    OutcomeEvidence,
    FirstOutcome,
    Plan,
    PlanView,
    Register,
    EvidenceItem,
    Save,
    Assign,
    Assignable,
    Comment,
    Resolve,
    CreateEvidence,
    CheckLinkable,
    Link,
    Unlink,
    Propose,
    UpdateAction,
    SetTarget,
}

const OPS: [Op; 28] = [
    Op::Create,
    Op::List,
    Op::Summary,
    Op::Targets,
    Op::Dashboard,
    Op::Workspace,
    Op::Record,
    Op::Comments,
    Op::History,
    Op::Snapshot,
    Op::OutcomeEvidence,
    Op::FirstOutcome,
    Op::Plan,
    Op::PlanView,
    Op::Register,
    Op::EvidenceItem,
    Op::Save,
    Op::Assign,
    Op::Assignable,
    Op::Comment,
    Op::Resolve,
    Op::CreateEvidence,
    Op::CheckLinkable,
    Op::Link,
    Op::Unlink,
    Op::Propose,
    Op::UpdateAction,
    Op::SetTarget,
];

impl Op {
    /// The permission its server function asks `Db::authorize` for (see `assess_api.rs`).
    fn permission(self) -> Permission {
        match self {
            Op::Create | Op::Assign | Op::Assignable | Op::UpdateAction | Op::SetTarget => {
                Permission::LeadAssessment
            }
            Op::Save | Op::CreateEvidence | Op::CheckLinkable | Op::Link | Op::Unlink => {
                Permission::EditAnswers
            }
            Op::Comment | Op::Resolve | Op::Propose => Permission::Comment,
            _ => Permission::ReadAssessments,
        }
    }

    /// Whether `role` may do it, by `roles.rs` (and, for proposals, the plan's rule: the CAF
    /// lead adds actions, the assurer proposes them).
    fn allowed(self, role: Role) -> bool {
        match self {
            Op::Propose => role.can(Permission::LeadAssessment) || role.can(Permission::Assure),
            op => role.can(op.permission()),
        }
    }

    /// The same, written out: the access matrix as documented.
    fn documented(self) -> &'static [Role] {
        use Role::*;
        match self.permission() {
            _ if self == Op::Propose => &[CafLead, ExternalAssurer],
            Permission::LeadAssessment => &[CafLead],
            Permission::EditAnswers => &[CafLead, Assessor],
            Permission::Comment | Permission::ReadAssessments => {
                &[CafLead, Assessor, Reviewer, Approver, ExternalAssurer]
            }
            _ => unreachable!(),
        }
    }
}

/// Records of the home council the matrix works on.
struct Fixture {
    assessment: i64,
    own: i64,
    scope: i64,
    comment: i64,
    action: i64,
    evidence: i64,
    assignee: i64,
}

const OUTCOME: &str = "A1.a";

async fn perform(
    db: &TestDb,
    org: &OrgScope,
    actor: &Actor,
    op: Op,
    f: &Fixture,
    n: usize,
) -> Result<(), DataError> {
    match op {
        Op::Create => db
            .create_assessment(
                org,
                &new_assessment(&format!("Matrix {n}"), &["Payroll"]),
                actor,
            )
            .await
            .map(drop),
        Op::List => db.list_assessments(org).await.map(drop),
        Op::Summary => db.assessment_summary(org, f.assessment).await.map(drop),
        Op::Targets => db.assessment_targets(org, f.assessment).await.map(drop),
        Op::Dashboard => db.dashboard(org, f.assessment).await.map(drop),
        Op::Workspace => db.outcome_workspace(org, f.scope, OUTCOME).await.map(drop),
        Op::Record => db.outcome_record(org, f.scope, OUTCOME).await.map(drop),
        Op::Comments => db.comments(org, f.scope, OUTCOME).await.map(drop),
        Op::History => db.outcome_history(org, f.scope, OUTCOME).await.map(drop),
        Op::Snapshot => db.snapshot(org, f.scope).await.map(drop),
        Op::OutcomeEvidence => db.outcome_evidence(org, f.scope, OUTCOME).await.map(drop),
        Op::FirstOutcome => db.first_outcome(org, f.scope).await.map(drop),
        Op::Plan => db.plan(org, f.assessment, None).await.map(drop),
        Op::PlanView => db.plan_view(org, f.assessment).await.map(drop),
        Op::Register => db.list_evidence(org).await.map(drop),
        Op::EvidenceItem => db.evidence_item(org, f.evidence).await.map(drop),
        Op::Save => {
            let version = version_of(db, f.scope, OUTCOME).await;
            let draft = draft(Vec::new(), None, &format!("Narrative {n}"));
            match db
                .save_outcome(org, f.scope, OUTCOME, version, &draft, actor)
                .await?
            {
                SaveResult::Saved { .. } => Ok(()),
                conflict => panic!("a save from the current version conflicted: {conflict:?}"),
            }
        }
        Op::Assign => {
            db.assign_outcome(
                org,
                f.scope,
                OUTCOME,
                Some(f.assignee),
                Some("2027-03-31"),
                actor,
            )
            .await
        }
        Op::Assignable => db.assignable_members(org).await.map(drop),
        Op::Comment => db
            .add_comment(org, f.scope, OUTCOME, &format!("Comment {n}"), actor)
            .await
            .map(drop),
        Op::Resolve => db.resolve_comment(org, f.comment, actor).await,
        Op::CreateEvidence => db
            .create_evidence(
                org,
                &fields(&format!("Note {n}"), None),
                &EvidenceBody::Note("Seen at the board meeting".into()),
                actor,
            )
            .await
            .map(drop),
        Op::CheckLinkable => db.check_linkable(org, f.scope, OUTCOME).await,
        Op::Link => {
            db.link_evidence(org, f.evidence, f.scope, "A1.b", true, actor)
                .await
        }
        Op::Unlink => {
            db.link_evidence(org, f.evidence, f.scope, "A1.c", false, actor)
                .await
        }
        Op::Propose => db
            .propose_action(
                org,
                f.scope,
                OUTCOME,
                "Write the policy",
                "ICT",
                Some("2027-06-30"),
                actor,
            )
            .await
            .map(drop),
        Op::UpdateAction => {
            db.update_action(org, f.action, ActionStatus::InProgress, "Under way", actor)
                .await
        }
        Op::SetTarget => {
            db.set_target(org, f.own, OUTCOME, Status::Achieved, actor)
                .await
        }
    }
}

on_both!(
    every_operation_succeeds_exactly_for_the_roles_allowed_it,
    |db: TestDb| async move {
        let w = world(&db).await;
        let started = start(&db, &w, "Matrix", &["Payroll"], false).await;
        let own = start(&db, &w, "Own targets", &["Payroll"], true).await;
        let lead = w.lead(&db, HOME).await;
        let lead_actor = w.actor(HOME, Role::CafLead);
        let fixture = Fixture {
            assessment: started.id,
            own: own.id,
            scope: started.org,
            comment: db
                .add_comment(&lead, started.org, OUTCOME, "Seed comment", &lead_actor)
                .await
                .expect("comment"),
            action: db
                .propose_action(
                    &lead,
                    started.org,
                    OUTCOME,
                    "Seed",
                    "ICT",
                    None,
                    &lead_actor,
                )
                .await
                .expect("action"),
            evidence: db
                .create_evidence(
                    &lead,
                    &fields("Policy", None),
                    &file(b"policy", "policy.pdf"),
                    &lead_actor,
                )
                .await
                .expect("evidence"),
            assignee: w.user(HOME, Role::Assessor),
        };

        let mut n = 0;
        for op in OPS {
            for role in Role::ALL {
                let allowed = op.allowed(role);
                assert_eq!(
                    allowed,
                    op.documented().contains(&role),
                    "roles.rs disagrees with the documented matrix: {op:?} {role:?}"
                );
                let actor = w.actor(HOME, role);
                n += 1;
                let through_server = match w.grant(&db, HOME, role, op.permission()).await {
                    Ok(org) => perform(&db, &org, &actor, op, &fixture, n).await,
                    Err(e) => Err(e),
                };
                n += 1;
                let member = w.member(&db, HOME, role).await;
                let direct = perform(&db, &member, &actor, op, &fixture, n).await;
                for (path, result) in [("server", through_server), ("data layer", direct)] {
                    if allowed {
                        assert!(result.is_ok(), "{op:?} {role:?} via {path}: {result:?}");
                    } else {
                        not_found(result, &format!("{op:?} {role:?} via {path}"));
                    }
                }
            }
        }

        // Refusals stored nothing: only the allowed roles' attempts (two paths each) left rows.
        let twice = |op: Op| 2 * op.documented().len() as i64;
        assert_eq!(count(&db, "assessments").await, 2 + twice(Op::Create));
        assert_eq!(count(&db, "comments").await, 1 + twice(Op::Comment));
        assert_eq!(count(&db, "evidence").await, 1 + twice(Op::CreateEvidence));
        assert_eq!(count(&db, "plan_actions").await, 1 + twice(Op::Propose));
        assert_eq!(version_of(&db, started.org, OUTCOME).await, twice(Op::Save));
        let proposed = count(&db, "plan_actions WHERE status = 'proposed'").await;
        assert_eq!(proposed, 2, "the assurer's two proposals wait for the lead");
        chain_intact(&db).await;
    }
);

on_both!(
    workflow_steps_follow_the_transition_table_for_every_role,
    |db: TestDb| async move {
        let w = world(&db).await;
        let started = start(
            &db,
            &w,
            "Workflow",
            &["Payroll", "Housing", "Revenues"],
            false,
        )
        .await;
        let (general, by_server, by_data) =
            (started.systems[0], started.systems[1], started.systems[2]);
        db.raw_execute(&format!(
            "UPDATE scope_outcomes SET confirmed_status = suggested_status \
             WHERE scope_id IN ({general}, {by_server}, {by_data})"
        ))
        .await
        .expect("confirm every outcome");
        let first = outcome_ids(ScopeKind::System)[0].clone();
        for action in WorkflowAction::ALL {
            for from in ScopeState::ALL {
                if from == ScopeState::SignedOff {
                    continue;
                }
                for role in Role::ALL {
                    let expected = transition(from, action, role);
                    for server in [true, false] {
                        let scope = match (expected, server) {
                            (Ok(ScopeState::SignedOff), true) => by_server,
                            (Ok(ScopeState::SignedOff), false) => by_data,
                            _ => general,
                        };
                        db.raw_execute(&format!(
                            "UPDATE scopes SET state = '{}' WHERE id = {scope}",
                            from.key()
                        ))
                        .await
                        .expect("set the state");
                        let org = if server {
                            w.grant(&db, HOME, role, action.permission()).await
                        } else {
                            Ok(w.member(&db, HOME, role).await)
                        };
                        let comment = (action == WorkflowAction::Return)
                            .then_some((first.as_str(), "Please add evidence"));
                        let result = match org {
                            Ok(org) => {
                                db.workflow_step(&org, scope, action, comment, &w.actor(HOME, role))
                                    .await
                            }
                            Err(e) => Err(e),
                        };
                        let what =
                            format!("{action:?} from {from:?} by {role:?} (server {server})");
                        let stored = state_of(&db, scope).await;
                        match expected {
                            Ok(next) => {
                                assert_eq!(result.expect(&what), next, "{what}");
                                assert_eq!(stored, next.key(), "{what}");
                            }
                            Err(_) => {
                                assert!(result.is_err(), "{what}: {result:?}");
                                assert_eq!(stored, from.key(), "{what}: the state changed");
                            }
                        }
                    }
                }
            }
        }
        let approver = w.member(&db, HOME, Role::Approver).await;
        for scope in [by_server, by_data] {
            assert!(
                db.snapshot(&approver, scope)
                    .await
                    .expect("snapshot")
                    .is_some()
            );
        }
        assert!(
            db.snapshot(&approver, general)
                .await
                .expect("snapshot")
                .is_none()
        );
        chain_intact(&db).await;
    }
);

// ---------------------------------------------------------------------------------------------
// Isolation

on_both!(
    another_council_finds_none_of_the_first_councils_records,
    |db: TestDb| async move {
        let w = world(&db).await;
        let home = start(&db, &w, "Hackney CAF", &["Payroll"], false).await;
        let own = start(&db, &w, "Hackney own", &["Payroll"], true).await;
        let lead = w.lead(&db, HOME).await;
        let lead_actor = w.actor(HOME, Role::CafLead);
        let scope = home.org;
        let comment = db
            .add_comment(&lead, scope, OUTCOME, "Ours", &lead_actor)
            .await
            .expect("comment");
        let action = db
            .propose_action(&lead, scope, OUTCOME, "Ours", "ICT", None, &lead_actor)
            .await
            .expect("action");
        let evidence = db
            .create_evidence(
                &lead,
                &fields("Ours", None),
                &file(b"ours", "ours.pdf"),
                &lead_actor,
            )
            .await
            .expect("evidence");
        db.link_evidence(&lead, evidence, scope, OUTCOME, true, &lead_actor)
            .await
            .expect("link");

        // Camden has an assessment and evidence of its own, so its scopes are fully working.
        let away_lead = w.lead(&db, AWAY).await;
        let away_actor = w.actor(AWAY, Role::CafLead);
        let away_assessment = db
            .create_assessment(
                &away_lead,
                &new_assessment("Camden CAF", &["Parking"]),
                &away_actor,
            )
            .await
            .expect("camden assessment");
        let away_scope = db
            .assessment_summary(&away_lead, away_assessment)
            .await
            .expect("summary")
            .scopes[0]
            .id;
        let away_evidence = db
            .create_evidence(
                &away_lead,
                &fields("Theirs", None),
                &file(b"theirs", "t.pdf"),
                &away_actor,
            )
            .await
            .expect("camden evidence");
        let before = db
            .outcome_record(&lead, scope, OUTCOME)
            .await
            .expect("record");

        // Every Camden member is refused Hackney's organisation outright.
        for role in Role::ALL {
            not_found(
                db.authorize(w.user(AWAY, role), HOME, Permission::OpenOrganisation, None)
                    .await,
                &format!("Camden {role:?} opening Hackney"),
            );
        }

        let away = |permission| w.grant(&db, AWAY, Role::CafLead, permission);
        let read = away(Permission::ReadAssessments).await.expect("read");
        let edit = away(Permission::EditAnswers).await.expect("edit");
        let lead_away = away(Permission::LeadAssessment).await.expect("lead");
        let talk = away(Permission::Comment).await.expect("comment");
        let a = &away_actor;

        not_found(db.assessment_summary(&read, home.id).await, "summary");
        not_found(db.assessment_targets(&read, home.id).await, "targets");
        not_found(db.dashboard(&read, home.id).await, "dashboard");
        not_found(db.plan(&read, home.id, None).await, "plan");
        not_found(db.plan_view(&read, home.id).await, "plan view");
        not_found(
            db.outcome_workspace(&read, scope, OUTCOME).await,
            "workspace",
        );
        not_found(db.outcome_record(&read, scope, OUTCOME).await, "record");
        not_found(db.comments(&read, scope, OUTCOME).await, "comments");
        not_found(db.outcome_history(&read, scope, OUTCOME).await, "history");
        not_found(db.snapshot(&read, scope).await, "snapshot");
        not_found(
            db.outcome_evidence(&read, scope, OUTCOME).await,
            "outcome evidence",
        );
        not_found(db.first_outcome(&read, scope).await, "first outcome");
        not_found(db.evidence_item(&read, evidence).await, "evidence item");
        not_found(db.evidence_file(&read, evidence).await, "evidence file");
        not_found(
            db.save_outcome(
                &edit,
                scope,
                OUTCOME,
                before.version,
                &draft(Vec::new(), None, "x"),
                a,
            )
            .await,
            "save",
        );
        not_found(
            db.check_linkable(&edit, scope, OUTCOME).await,
            "check linkable",
        );
        not_found(
            db.link_evidence(&edit, evidence, scope, OUTCOME, false, a)
                .await,
            "unlink their evidence from their outcome",
        );
        not_found(
            db.link_evidence(&edit, away_evidence, scope, "A1.b", true, a)
                .await,
            "link our evidence to their outcome",
        );
        not_found(
            db.link_evidence(&edit, evidence, away_scope, "A1.b", true, a)
                .await,
            "link their evidence to our outcome",
        );
        not_found(
            db.assign_outcome(&lead_away, scope, OUTCOME, None, Some("2027-01-01"), a)
                .await,
            "assign",
        );
        not_found(
            db.set_target(&lead_away, own.id, OUTCOME, Status::Achieved, a)
                .await,
            "set target",
        );
        not_found(
            db.update_action(&lead_away, action, ActionStatus::Done, "", a)
                .await,
            "update action",
        );
        not_found(
            db.propose_action(&lead_away, scope, OUTCOME, "Theirs", "Us", None, a)
                .await,
            "propose",
        );
        not_found(
            db.add_comment(&talk, scope, OUTCOME, "Hello", a).await,
            "comment",
        );
        not_found(db.resolve_comment(&talk, comment, a).await, "resolve");
        for (action, role, from) in [
            (WorkflowAction::Submit, Role::CafLead, "draft"),
            (WorkflowAction::Return, Role::Reviewer, "in_review"),
            (WorkflowAction::Accept, Role::Reviewer, "in_review"),
            (
                WorkflowAction::Assure,
                Role::ExternalAssurer,
                "with_assurer",
            ),
            (WorkflowAction::SignOff, Role::Approver, "assured"),
        ] {
            db.raw_execute(&format!(
                "UPDATE scope_outcomes SET confirmed_status = suggested_status WHERE scope_id = {scope}"
            ))
            .await
            .expect("confirm");
            db.raw_execute(&format!(
                "UPDATE scopes SET state = '{from}' WHERE id = {scope}"
            ))
            .await
            .expect("set the state");
            let org = w
                .grant(&db, AWAY, role, action.permission())
                .await
                .expect("camden role");
            let comment = (action == WorkflowAction::Return).then_some((OUTCOME, "Hi"));
            not_found(
                db.workflow_step(&org, scope, action, comment, &w.actor(AWAY, role))
                    .await,
                &format!("{action:?}"),
            );
            assert_eq!(state_of(&db, scope).await, from);
        }
        db.raw_execute(&format!(
            "UPDATE scopes SET state = 'draft' WHERE id = {scope}"
        ))
        .await
        .expect("back to draft");

        // Camden's own lists hold only Camden's records.
        let theirs = db.list_evidence(&read).await.expect("register");
        assert_eq!(
            theirs.iter().map(|e| e.id).collect::<Vec<_>>(),
            vec![away_evidence]
        );
        let listed = db.list_assessments(&read).await.expect("list");
        assert_eq!(
            listed.iter().map(|a| a.id).collect::<Vec<_>>(),
            vec![away_assessment]
        );

        // And Hackney's records are as they were.
        let after = db
            .outcome_record(&lead, scope, OUTCOME)
            .await
            .expect("record");
        assert_eq!(after.version, before.version);
        assert_eq!(
            db.comments(&lead, scope, OUTCOME).await.expect("c").len(),
            1
        );
        assert!(
            db.comments(&lead, scope, OUTCOME).await.expect("c")[0]
                .resolved
                .is_none()
        );
        let plan = db.plan(&lead, home.id, None).await.expect("plan");
        assert_eq!(plan.len(), 1);
        assert_eq!(plan[0].status, ActionStatus::Open);
        assert_eq!(
            db.evidence_item(&lead, evidence).await.expect("item").uses,
            1
        );
        assert_eq!(
            db.assessment_targets(&lead, own.id).await.expect("targets"),
            caf::bundled_profile(BASELINE).expect("profile").targets
        );
        chain_intact(&db).await;
    }
);

// ---------------------------------------------------------------------------------------------
// Concurrency

on_both!(
    the_second_save_from_the_same_version_conflicts_and_stores_nothing,
    |db: TestDb| async move {
        let w = world(&db).await;
        let started = start(&db, &w, "Concurrency", &["Payroll"], false).await;
        let scope = started.org;
        let assessor = w
            .grant(&db, HOME, Role::Assessor, Permission::EditAnswers)
            .await
            .expect("assessor");
        let lead = w.lead(&db, HOME).await;
        let base = db
            .outcome_record(&lead, scope, OUTCOME)
            .await
            .expect("record");
        assert_eq!(base.version, 0);

        let first = draft(
            achieved_answers(OUTCOME),
            Some("achieved"),
            "Ann's narrative",
        );
        let na = caf4()
            .outcome(OUTCOME)
            .expect("A1.a")
            .indicators
            .not_achieved[0]
            .id
            .clone();
        let second = draft(
            vec![answer(&na, "true")],
            Some("not_achieved"),
            "Lee's narrative",
        );

        let saved = db
            .save_outcome(
                &assessor,
                scope,
                OUTCOME,
                base.version,
                &first,
                &w.actor(HOME, Role::Assessor),
            )
            .await
            .expect("first save");
        let SaveResult::Saved {
            version, suggested, ..
        } = saved
        else {
            panic!("the first save conflicted: {saved:?}");
        };
        assert_eq!((version, suggested), (1, Status::Achieved));

        let late = db
            .save_outcome(
                &lead,
                scope,
                OUTCOME,
                base.version,
                &second,
                &w.actor(HOME, Role::CafLead),
            )
            .await
            .expect("second save answers");
        let SaveResult::Conflict(current) = late else {
            panic!("the second save from the same version was stored: {late:?}");
        };
        assert_eq!(sorted(current.draft.clone()), sorted(first.clone()));
        assert_eq!(current.version, 1);
        assert_eq!(current.suggested, Status::Achieved);
        assert_eq!(
            current.updated_by.as_deref(),
            Some(name(HOME, Role::Assessor).as_str())
        );

        let stored = db
            .outcome_record(&lead, scope, OUTCOME)
            .await
            .expect("record");
        assert_eq!(stored, current, "what is stored is the first save");
        assert_eq!(
            support::audit_actions(&db, "outcome.save").await.len(),
            1,
            "the refused save is not in the history"
        );

        // Having seen the current version, the second person saves over it.
        let again = db
            .save_outcome(
                &lead,
                scope,
                OUTCOME,
                current.version,
                &second,
                &w.actor(HOME, Role::CafLead),
            )
            .await
            .expect("save after reload");
        assert!(
            matches!(
                again,
                SaveResult::Saved {
                    version: 2,
                    suggested: Status::NotAchieved,
                    ..
                }
            ),
            "{again:?}"
        );
        let stored = db
            .outcome_record(&lead, scope, OUTCOME)
            .await
            .expect("record");
        assert_eq!(sorted(stored.draft), sorted(second.clone()));

        // Two saves racing from the same version: exactly one is stored.
        let other = "A1.b";
        let base = db
            .outcome_record(&lead, scope, other)
            .await
            .expect("record")
            .version;
        let (ann, lee) = (
            draft(Vec::new(), Some("not_achieved"), "Ann's"),
            draft(Vec::new(), Some("not_achieved"), "Lee's"),
        );
        let (ann_actor, lee_actor) = (w.actor(HOME, Role::Assessor), w.actor(HOME, Role::CafLead));
        let (x, y) = tokio::join!(
            db.save_outcome(&assessor, scope, other, base, &ann, &ann_actor),
            db.save_outcome(&lead, scope, other, base, &lee, &lee_actor),
        );
        let (x, y) = (x.expect("ann"), y.expect("lee"));
        let winner = match (&x, &y) {
            (SaveResult::Saved { .. }, SaveResult::Conflict(c)) => {
                assert_eq!(c.draft.narrative, "Ann's");
                "Ann's"
            }
            (SaveResult::Conflict(c), SaveResult::Saved { .. }) => {
                assert_eq!(c.draft.narrative, "Lee's");
                "Lee's"
            }
            other => panic!("exactly one racing save must win: {other:?}"),
        };
        let stored = db
            .outcome_record(&lead, scope, other)
            .await
            .expect("record");
        assert_eq!(
            (stored.draft.narrative.as_str(), stored.version),
            (winner, base + 1)
        );
        chain_intact(&db).await;
    }
);

// ---------------------------------------------------------------------------------------------
// Validation

async fn unchanged(db: &TestDb, org: &OrgScope, scope: i64) {
    let record = db
        .outcome_record(org, scope, OUTCOME)
        .await
        .expect("record");
    assert_eq!(record.version, 0);
    assert!(record.draft.answers.is_empty());
    assert_eq!(record.draft.confirmed, None);
    assert_eq!(count(db, "answers").await, 0);
}

on_both!(
    bad_answers_are_refused_and_suggestions_follow_the_caf_rule,
    |db: TestDb| async move {
        let w = world(&db).await;
        let started = start(&db, &w, "Validation", &["Payroll"], false).await;
        let scope = started.org;
        let org = w
            .grant(&db, HOME, Role::Assessor, Permission::EditAnswers)
            .await
            .expect("assessor");
        let actor = w.actor(HOME, Role::Assessor);
        let framework = caf4();
        let a1a = framework.outcome(OUTCOME).expect("A1.a");
        let first_achieved = a1a.indicators.achieved[0].id.clone();

        let mut answers = achieved_answers(OUTCOME);
        answers.retain(|a| a.indicator != first_achieved);
        answers.push(answer(&first_achieved, "not_applicable"));
        let message = invalid(
            save(
                &db,
                &org,
                &actor,
                scope,
                OUTCOME,
                &draft(answers.clone(), None, ""),
            )
            .await,
            "not applicable without a justification",
        );
        assert!(message.contains("compensating measure"), "{message}");
        unchanged(&db, &org, scope).await;

        let message = invalid(
            save(
                &db,
                &org,
                &actor,
                scope,
                OUTCOME,
                &draft(achieved_answers(OUTCOME), Some("not_achieved"), ""),
            )
            .await,
            "a confirmed status other than the suggestion, unexplained",
        );
        assert!(message.contains("explain why"), "{message}");
        unchanged(&db, &org, scope).await;

        let elsewhere = framework.outcome("A1.b").expect("A1.b").indicators.achieved[0]
            .id
            .clone();
        let message = invalid(
            save(
                &db,
                &org,
                &actor,
                scope,
                OUTCOME,
                &draft(vec![answer(&elsewhere, "true")], None, ""),
            )
            .await,
            "a statement of another outcome",
        );
        assert!(message.contains("is not a statement of A1.a"), "{message}");
        let message = invalid(
            save(
                &db,
                &org,
                &actor,
                scope,
                OUTCOME,
                &draft(vec![answer(&first_achieved, "maybe")], Some("partly"), ""),
            )
            .await,
            "an unknown answer and status",
        );
        assert!(message.contains("not an answer") && message.contains("not one of the three"));
        unchanged(&db, &org, scope).await;
        for outcome in ["B1.a", "Z9.z"] {
            not_found(
                db.save_outcome(
                    &org,
                    scope,
                    outcome,
                    0,
                    &draft(Vec::new(), None, ""),
                    &actor,
                )
                .await,
                &format!("{outcome} in the organisation scope"),
            );
        }

        // With a justification, not applicable counts as met.
        let mut justified = answers.clone();
        justified.last_mut().expect("one").justification =
            "  Covered by the shared service's policy  ".into();
        let saved = save(
            &db,
            &org,
            &actor,
            scope,
            OUTCOME,
            &draft(justified, Some("achieved"), ""),
        )
        .await
        .expect("save");
        assert!(
            matches!(
                saved,
                SaveResult::Saved {
                    suggested: Status::Achieved,
                    ..
                }
            ),
            "{saved:?}"
        );
        let record = db
            .outcome_record(&org, scope, OUTCOME)
            .await
            .expect("record");
        let na = record
            .draft
            .answers
            .iter()
            .find(|a| a.indicator == first_achieved)
            .expect("stored");
        assert_eq!(
            (na.answer.as_str(), na.justification.as_str()),
            ("not_applicable", "Covered by the shared service's policy")
        );

        // The stored suggestion is the caf crate's, for every kind of answer set.
        let with_partial = outcome_ids(ScopeKind::Organisation)
            .into_iter()
            .find(|o| {
                framework
                    .outcome(o)
                    .expect("outcome")
                    .has_partially_achieved()
            })
            .expect("an outcome with a partially achieved column");
        let partial = framework.outcome(&with_partial).expect("outcome");
        let mut cases = vec![
            ("A1.b".to_owned(), Vec::new(), Status::NotAchieved),
            (
                "A1.b".to_owned(),
                achieved_answers("A1.b"),
                Status::Achieved,
            ),
        ];
        let mut one_bad = achieved_answers("A1.c");
        let na_true = framework
            .outcome("A1.c")
            .expect("A1.c")
            .indicators
            .not_achieved[0]
            .id
            .clone();
        one_bad.retain(|a| a.indicator != na_true);
        one_bad.push(answer(&na_true, "true"));
        cases.push(("A1.c".to_owned(), one_bad, Status::NotAchieved));
        let partly: Vec<_> = partial
            .indicators
            .partially_achieved
            .iter()
            .map(|i| answer(&i.id, "true"))
            .chain(
                partial
                    .indicators
                    .achieved
                    .iter()
                    .map(|i| answer(&i.id, "false")),
            )
            .collect();
        cases.push((with_partial.clone(), partly, Status::PartiallyAchieved));
        for (outcome, answers, expected) in cases {
            let rule = caf::suggest_status(
                framework.outcome(&outcome).expect("outcome"),
                &caf_answers(&answers),
            )
            .status;
            assert_eq!(rule, expected, "{outcome}: the case is what it says");
            let saved = save(
                &db,
                &org,
                &actor,
                scope,
                &outcome,
                &draft(answers, None, ""),
            )
            .await
            .expect("save");
            let SaveResult::Saved { suggested, .. } = saved else {
                panic!("{saved:?}");
            };
            assert_eq!(suggested, rule, "{outcome}");
            let record = db
                .outcome_record(&org, scope, &outcome)
                .await
                .expect("record");
            assert_eq!(record.suggested, rule, "{outcome}: stored");
            let lead = w.lead(&db, HOME).await;
            let dashboard = db.dashboard(&lead, started.id).await.expect("dashboard");
            let cell = dashboard.grids[0]
                .cells
                .iter()
                .find(|c| c.outcome == outcome)
                .expect("cell");
            assert_eq!(cell.suggested, rule, "{outcome}: dashboard");
        }
    }
);

// ---------------------------------------------------------------------------------------------
// Workflow

on_both!(
    a_scope_goes_from_draft_to_signed_off_with_a_return_on_the_way,
    |db: TestDb| async move {
        let w = world(&db).await;
        let started = start(&db, &w, "Workflow path", &["Payroll"], false).await;
        let scope = started.systems[0];
        let outcomes = outcome_ids(ScopeKind::System);
        let lead = w.lead(&db, HOME).await;

        let message = invalid(
            step(&db, &w, Role::Assessor, scope, WorkflowAction::Submit, None).await,
            "submit with nothing confirmed",
        );
        assert!(
            message.contains(&format!("{} still to confirm", outcomes.len())),
            "{message}"
        );
        confirm_all(&db, &w, scope, ScopeKind::System).await;
        db.raw_execute(&format!(
            "UPDATE scope_outcomes SET confirmed_status = NULL WHERE scope_id = {scope} \
             AND outcome_id IN ('{}', '{}')",
            outcomes[0], outcomes[1]
        ))
        .await
        .expect("unconfirm two");
        let message = invalid(
            step(&db, &w, Role::Assessor, scope, WorkflowAction::Submit, None).await,
            "submit with two unconfirmed",
        );
        assert!(message.contains("2 still to confirm"), "{message}");
        assert_eq!(state_of(&db, scope).await, "draft");
        confirm_all(&db, &w, scope, ScopeKind::System).await;

        // Wrong role, wrong state.
        assert!(
            step(&db, &w, Role::Reviewer, scope, WorkflowAction::Submit, None)
                .await
                .is_err()
        );
        assert!(
            step(
                &db,
                &w,
                Role::Approver,
                scope,
                WorkflowAction::SignOff,
                None
            )
            .await
            .is_err()
        );
        assert!(
            step(&db, &w, Role::Reviewer, scope, WorkflowAction::Accept, None)
                .await
                .is_err()
        );
        assert_eq!(state_of(&db, scope).await, "draft");

        assert_eq!(
            step(&db, &w, Role::Assessor, scope, WorkflowAction::Submit, None)
                .await
                .expect("submit"),
            ScopeState::InReview
        );
        conflict(
            save(
                &db,
                &lead,
                &w.actor(HOME, Role::CafLead),
                scope,
                &outcomes[0],
                &draft(Vec::new(), Some("not_achieved"), "Late change"),
            )
            .await,
            "a save while in review",
        );
        assert!(
            step(&db, &w, Role::Assessor, scope, WorkflowAction::Accept, None)
                .await
                .is_err()
        );
        assert!(
            step(
                &db,
                &w,
                Role::ExternalAssurer,
                scope,
                WorkflowAction::Return,
                Some((&outcomes[1], "Not yours"))
            )
            .await
            .is_err()
        );
        let message = invalid(
            step(
                &db,
                &w,
                Role::Reviewer,
                scope,
                WorkflowAction::Return,
                Some((&outcomes[1], "  ")),
            )
            .await,
            "a return without a comment",
        );
        assert!(message.contains("comment"), "{message}");
        assert_eq!(state_of(&db, scope).await, "in_review");

        let why = "B1.b needs the incident response plan attached";
        assert_eq!(
            step(
                &db,
                &w,
                Role::Reviewer,
                scope,
                WorkflowAction::Return,
                Some((&outcomes[1], why))
            )
            .await
            .expect("return"),
            ScopeState::Returned
        );
        let thread = db
            .comments(&lead, scope, &outcomes[1])
            .await
            .expect("comments");
        assert_eq!(thread.len(), 1);
        assert_eq!(thread[0].body, why);
        assert!(
            thread[0].author.contains(&name(HOME, Role::Reviewer)),
            "{}",
            thread[0].author
        );
        let history = db
            .outcome_history(&lead, scope, &outcomes[1])
            .await
            .expect("history");
        assert!(
            history[0].summary.contains("Returned with comments")
                && history[0].summary.contains(why),
            "{:?}",
            history[0]
        );

        // Returned: answers can change again, then the lead resubmits.
        save(
            &db,
            &lead,
            &w.actor(HOME, Role::CafLead),
            scope,
            &outcomes[1],
            &draft(Vec::new(), Some("not_achieved"), "Plan attached"),
        )
        .await
        .expect("save when returned");
        for (action, wrong, role, next) in [
            (
                WorkflowAction::Submit,
                Role::Reviewer,
                Role::CafLead,
                ScopeState::InReview,
            ),
            (
                WorkflowAction::Accept,
                Role::Assessor,
                Role::Reviewer,
                ScopeState::WithAssurer,
            ),
            (
                WorkflowAction::Assure,
                Role::Reviewer,
                Role::ExternalAssurer,
                ScopeState::Assured,
            ),
        ] {
            assert!(step(&db, &w, wrong, scope, action, None).await.is_err());
            assert_eq!(
                step(&db, &w, role, scope, action, None)
                    .await
                    .expect("step"),
                next
            );
        }
        assert!(
            step(&db, &w, Role::CafLead, scope, WorkflowAction::SignOff, None)
                .await
                .is_err()
        );
        assert!(
            step(
                &db,
                &w,
                Role::ExternalAssurer,
                scope,
                WorkflowAction::SignOff,
                None
            )
            .await
            .is_err()
        );
        assert_eq!(
            step(
                &db,
                &w,
                Role::Approver,
                scope,
                WorkflowAction::SignOff,
                None
            )
            .await
            .expect("sign off"),
            ScopeState::SignedOff
        );
        let summary = db
            .assessment_summary(&lead, started.id)
            .await
            .expect("summary");
        assert_eq!(summary.scopes[1].state, ScopeState::SignedOff);
        assert_eq!(
            summary.scopes[0].state,
            ScopeState::Draft,
            "the other scope is untouched"
        );

        let steps: Vec<String> = support::audit_actions(&db, "scope.")
            .await
            .into_iter()
            .rev()
            .map(|r| r.event.action)
            .collect();
        assert_eq!(
            steps,
            [
                "scope.submit",
                "scope.return",
                "scope.submit",
                "scope.accept",
                "scope.assure",
                "scope.sign_off"
            ]
        );
        chain_intact(&db).await;
    }
);

// ---------------------------------------------------------------------------------------------
// Sign-off

/// An own-profile assessment whose organisation scope is answered, evidenced and signed off.
struct Signed {
    started: Started,
    evidence: i64,
    spare_evidence: i64,
    comment: i64,
    file_sha: String,
}

async fn signed(db: &TestDb, w: &World) -> Signed {
    let started = start(db, w, "Signed", &["Payroll"], true).await;
    let scope = started.org;
    let org = w
        .grant(db, HOME, Role::Assessor, Permission::EditAnswers)
        .await
        .expect("assessor");
    let actor = w.actor(HOME, Role::Assessor);
    let mut answers = achieved_answers(OUTCOME);
    let last = answers.last_mut().expect("answers");
    last.answer = "not_applicable".into();
    last.justification = "Covered by the shared service".into();
    save(
        db,
        &org,
        &actor,
        scope,
        OUTCOME,
        &draft(answers, Some("achieved"), "The board owns cyber risk."),
    )
    .await
    .expect("save");
    let evidence = db
        .create_evidence(
            &org,
            &fields("Board minutes", Some("2027-06-01")),
            &file(b"minutes", "minutes.pdf"),
            &actor,
        )
        .await
        .expect("file");
    let link = db
        .create_evidence(
            &org,
            &fields("Risk register", None),
            &EvidenceBody::Link("https://sharepoint.example/risk".into()),
            &actor,
        )
        .await
        .expect("link");
    let spare_evidence = db
        .create_evidence(
            &org,
            &fields("Spare", None),
            &EvidenceBody::Note("Unlinked".into()),
            &actor,
        )
        .await
        .expect("note");
    for id in [evidence, link] {
        db.link_evidence(&org, id, scope, OUTCOME, true, &actor)
            .await
            .expect("link");
    }
    let comment = db
        .add_comment(&org, scope, OUTCOME, "Check the minutes date", &actor)
        .await
        .expect("comment");
    sign_off(db, w, scope, ScopeKind::Organisation).await;
    Signed {
        started,
        evidence,
        spare_evidence,
        comment,
        file_sha: sha256_hex(b"minutes"),
    }
}

on_both!(
    sign_off_writes_a_hashed_snapshot_and_freezes_the_scope,
    |db: TestDb| async move {
        let w = world(&db).await;
        let s = signed(&db, &w).await;
        let scope = s.started.org;
        let lead = w.lead(&db, HOME).await;

        let (content, sha, signer, _at) = db
            .snapshot(&lead, scope)
            .await
            .expect("snapshot")
            .expect("signed off");
        assert_eq!(sha, sha256_hex(content.as_bytes()));
        assert_eq!(signer, name(HOME, Role::Approver));
        let dashboard = db.dashboard(&lead, s.started.id).await.expect("dashboard");
        assert_eq!(dashboard.grids[0].signed.as_ref().map(|s| &s.0), Some(&sha));
        assert!(dashboard.grids[1].signed.is_none());

        let snapshot: Snapshot = serde_json::from_str(&content).expect("snapshot JSON");
        assert_eq!(snapshot.format, app::data::SNAPSHOT_FORMAT);
        assert_eq!(snapshot.signed_by, email(HOME, Role::Approver));
        assert_eq!(snapshot.scope.id, scope);
        assert_eq!(snapshot.assessment.framework_version, "4.0");
        assert_eq!(snapshot.assessment.framework_hash, caf4().content_hash());
        assert_eq!(
            snapshot
                .outcomes
                .iter()
                .map(|o| o.id.clone())
                .collect::<Vec<_>>(),
            outcome_ids(ScopeKind::Organisation)
        );
        assert!(snapshot.outcomes.iter().all(|o| o.confirmed.is_some()));
        let a1a = &snapshot.outcomes[0];
        let record = db
            .outcome_record(&lead, scope, OUTCOME)
            .await
            .expect("record");
        assert_eq!(a1a.answers, record.draft.answers);
        assert_eq!(a1a.answers.len(), achieved_answers(OUTCOME).len());
        assert!(
            a1a.answers.iter().any(|a| a.answer == "not_applicable"
                && a.justification == "Covered by the shared service")
        );
        assert_eq!(
            (
                a1a.suggested.as_str(),
                a1a.confirmed.as_deref(),
                a1a.narrative.as_str()
            ),
            ("achieved", Some("achieved"), "The board owns cyber risk.")
        );
        assert_eq!(
            a1a.target.as_deref(),
            caf::bundled_profile(BASELINE)
                .expect("profile")
                .targets
                .get(OUTCOME)
                .map(|t| t.key())
        );
        let evidence: Vec<(&str, Option<&str>, Option<&str>)> = a1a
            .evidence
            .iter()
            .map(|e| (e.kind.as_str(), e.sha256.as_deref(), e.url.as_deref()))
            .collect();
        assert_eq!(
            evidence,
            vec![
                ("file", Some(s.file_sha.as_str()), None),
                ("link", None, Some("https://sharepoint.example/risk")),
            ]
        );

        // The data layer refuses every change to the signed scope.
        let assessor = w.member(&db, HOME, Role::Assessor).await;
        let a = w.actor(HOME, Role::Assessor);
        let l = w.actor(HOME, Role::CafLead);
        conflict(
            db.save_outcome(&lead, scope, OUTCOME, record.version, &record.draft, &l)
                .await,
            "save",
        );
        conflict(
            db.save_outcome(
                &assessor,
                scope,
                "A1.b",
                1,
                &draft(Vec::new(), Some("not_achieved"), "x"),
                &a,
            )
            .await,
            "save another outcome",
        );
        conflict(
            db.assign_outcome(
                &lead,
                scope,
                OUTCOME,
                Some(w.user(HOME, Role::Assessor)),
                Some("2027-01-01"),
                &l,
            )
            .await,
            "assign",
        );
        conflict(
            db.link_evidence(&assessor, s.spare_evidence, scope, OUTCOME, true, &a)
                .await,
            "link",
        );
        conflict(
            db.link_evidence(&assessor, s.evidence, scope, OUTCOME, false, &a)
                .await,
            "unlink",
        );
        conflict(
            db.check_linkable(&assessor, scope, OUTCOME).await,
            "check linkable",
        );
        conflict(
            db.add_comment(&assessor, scope, OUTCOME, "Too late", &a)
                .await,
            "comment",
        );
        conflict(db.resolve_comment(&lead, s.comment, &l).await, "resolve");
        conflict(
            db.set_target(&lead, s.started.id, OUTCOME, Status::PartiallyAchieved, &l)
                .await,
            "set target",
        );
        for action in WorkflowAction::ALL {
            for role in Role::ALL {
                let org = w.member(&db, HOME, role).await;
                let result = db
                    .workflow_step(
                        &org,
                        scope,
                        action,
                        Some((OUTCOME, "Reopen")),
                        &w.actor(HOME, role),
                    )
                    .await;
                assert!(result.is_err(), "{action:?} by {role:?}: {result:?}");
            }
        }

        let (after, after_sha, _, _) = db.snapshot(&lead, scope).await.expect("s").expect("s");
        assert_eq!((after, after_sha), (content, sha));
        assert_eq!(
            db.outcome_record(&lead, scope, OUTCOME).await.expect("r"),
            record
        );
        assert_eq!(state_of(&db, scope).await, "signed_off");
        assert_eq!(
            db.comments(&lead, scope, OUTCOME).await.expect("c").len(),
            1
        );
        assert_eq!(
            count(&db, &format!("evidence_links WHERE scope_id = {scope}")).await,
            2
        );

        // The rest of the assessment carries on.
        let system = s.started.systems[0];
        save(
            &db,
            &assessor,
            &a,
            system,
            "B1.a",
            &draft(Vec::new(), None, "Still going"),
        )
        .await
        .expect("another scope is still open");
        chain_intact(&db).await;
    }
);

on_both!(
    the_database_refuses_raw_changes_to_a_signed_off_scope,
    |db: TestDb| async move {
        let w = world(&db).await;
        let s = signed(&db, &w).await;
        let scope = s.started.org;
        let system = s.started.systems[0];
        let snapshot_before = db
            .raw_strings("SELECT content || sha256 FROM snapshots")
            .await;
        let answers_before = db
            .raw_strings(&format!(
                "SELECT indicator_id || '=' || answer FROM answers WHERE scope_id = {scope} ORDER BY indicator_id"
            ))
            .await;
        let outcomes_before = db
            .raw_strings(&format!(
                "SELECT outcome_id || '|' || COALESCE(confirmed_status, '') || '|' || narrative || '|' || CAST(version AS TEXT) \
                 FROM scope_outcomes WHERE scope_id = {scope} ORDER BY outcome_id"
            ))
            .await;
        assert!(!answers_before.is_empty());
        // Rows of the open system scope, to try moving into the signed one.
        let b1a = caf4().outcome("B1.a").expect("B1.a").indicators.achieved[0]
            .id
            .clone();
        for sql in [
            format!(
                "INSERT INTO evidence_links (evidence_id, scope_id, outcome_id, linked_by, linked_at) \
                 VALUES ({}, {system}, 'B1.a', NULL, '2026-11-25T00:00:00Z')",
                s.spare_evidence
            ),
            format!(
                "INSERT INTO answers (scope_id, outcome_id, indicator_id, answer, justification) \
                 VALUES ({system}, 'B1.a', '{b1a}', 'true', '')"
            ),
        ] {
            db.raw_execute(&sql)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        }

        let tampering = [
            format!("UPDATE answers SET answer = 'false' WHERE scope_id = {scope}"),
            format!(
                "UPDATE scope_outcomes SET confirmed_status = 'not_achieved', narrative = 'edited' WHERE scope_id = {scope}"
            ),
            format!(
                "UPDATE scope_outcomes SET assignee_id = NULL, due_date = '2000-01-01' WHERE scope_id = {scope}"
            ),
            format!("DELETE FROM answers WHERE scope_id = {scope}"),
            format!(
                "INSERT INTO answers (scope_id, outcome_id, indicator_id, answer, justification) \
                 VALUES ({scope}, 'A1.b', '{}', 'true', '')",
                caf4().outcome("A1.b").expect("A1.b").indicators.achieved[0].id
            ),
            format!(
                "INSERT INTO evidence_links (evidence_id, scope_id, outcome_id, linked_by, linked_at) \
                 VALUES ({}, {scope}, 'A1.b', NULL, '2026-11-25T00:00:00Z')",
                s.spare_evidence
            ),
            format!("DELETE FROM evidence_links WHERE scope_id = {scope}"),
            format!("UPDATE scopes SET state = 'draft' WHERE id = {scope}"),
            format!("UPDATE scopes SET name = 'Renamed' WHERE id = {scope}"),
            "UPDATE snapshots SET content = '{}', sha256 = 'x'".to_owned(),
            "UPDATE snapshots SET signed_at = '2000-01-01T00:00:00Z'".to_owned(),
            "DELETE FROM snapshots".to_owned(),
            format!("DELETE FROM scope_outcomes WHERE scope_id = {scope} AND outcome_id = 'D1.a'"),
            format!(
                "INSERT INTO scope_outcomes (scope_id, outcome_id, suggested_status) \
                 VALUES ({scope}, 'Z9.z', 'achieved')"
            ),
            format!("UPDATE scope_outcomes SET scope_id = {system} WHERE scope_id = {scope}"),
            format!("UPDATE evidence_links SET outcome_id = 'A1.b' WHERE scope_id = {scope}"),
            format!(
                "UPDATE evidence_links SET scope_id = {system}, outcome_id = 'B1.a' WHERE scope_id = {scope}"
            ),
            format!(
                "UPDATE evidence_links SET scope_id = {scope}, outcome_id = 'A1.c' WHERE scope_id = {system}"
            ),
            format!(
                "UPDATE answers SET scope_id = {scope}, outcome_id = 'A1.c' WHERE scope_id = {system}"
            ),
        ];
        for sql in &tampering {
            let result = db.raw_execute(sql).await;
            assert!(result.is_err(), "the database allowed: {sql}");
            let message = result.unwrap_err().to_string();
            assert!(
                message.contains("signed-off scope cannot change")
                    || message.contains("snapshots are immutable"),
                "{sql}: refused for another reason: {message}"
            );
        }

        assert_eq!(
            db.raw_strings("SELECT content || sha256 FROM snapshots")
                .await,
            snapshot_before
        );
        assert_eq!(
            db.raw_strings(&format!(
                "SELECT indicator_id || '=' || answer FROM answers WHERE scope_id = {scope} ORDER BY indicator_id"
            ))
            .await,
            answers_before
        );
        assert_eq!(
            db.raw_strings(&format!(
                "SELECT outcome_id || '|' || COALESCE(confirmed_status, '') || '|' || narrative || '|' || CAST(version AS TEXT) \
                 FROM scope_outcomes WHERE scope_id = {scope} ORDER BY outcome_id"
            ))
            .await,
            outcomes_before
        );
        assert_eq!(state_of(&db, scope).await, "signed_off");
        assert_eq!(
            count(&db, &format!("evidence_links WHERE scope_id = {scope}")).await,
            2
        );

        // The triggers aim at the signed scope only: the same statements work on an open one.
        for sql in [
            format!("UPDATE scope_outcomes SET narrative = 'edited' WHERE scope_id = {system}"),
            format!(
                "INSERT INTO evidence_links (evidence_id, scope_id, outcome_id, linked_by, linked_at) \
                 VALUES ({}, {system}, 'B1.b', NULL, '2026-11-25T00:00:00Z')",
                s.spare_evidence
            ),
            format!("DELETE FROM evidence_links WHERE scope_id = {system}"),
            format!("DELETE FROM answers WHERE scope_id = {system}"),
            format!("DELETE FROM scope_outcomes WHERE scope_id = {system} AND outcome_id = 'C2.a'"),
            format!("UPDATE scopes SET state = 'in_review' WHERE id = {system}"),
        ] {
            db.raw_execute(&sql)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
    }
);

// ---------------------------------------------------------------------------------------------
// History

on_both!(
    an_outcomes_history_lists_who_changed_what_newest_first,
    |db: TestDb| async move {
        let w = world(&db).await;
        let started = start(&db, &w, "History", &["Payroll"], false).await;
        let scope = started.org;
        let records_before = chain_intact(&db).await;
        let assessor = w
            .grant(&db, HOME, Role::Assessor, Permission::EditAnswers)
            .await
            .expect("assessor");
        let lead = w.lead(&db, HOME).await;
        let outcome = caf4().outcome(OUTCOME).expect("A1.a").clone();
        let x = outcome.indicators.achieved[0].id.clone();
        let y = outcome.indicators.achieved[1].id.clone();

        save(
            &db,
            &assessor,
            &w.actor(HOME, Role::Assessor),
            scope,
            OUTCOME,
            &draft(vec![answer(&x, "true")], None, "First go"),
        )
        .await
        .expect("first");
        save(
            &db,
            &lead,
            &w.actor(HOME, Role::CafLead),
            scope,
            OUTCOME,
            &draft(
                vec![answer(&x, "false"), answer(&y, "true")],
                Some("not_achieved"),
                "Second go",
            ),
        )
        .await
        .expect("second");
        db.assign_outcome(
            &lead,
            scope,
            OUTCOME,
            Some(w.user(HOME, Role::Assessor)),
            Some("2027-02-28"),
            &w.actor(HOME, Role::CafLead),
        )
        .await
        .expect("assign");
        let reviewer = w
            .grant(&db, HOME, Role::Reviewer, Permission::Comment)
            .await
            .expect("reviewer");
        db.add_comment(
            &reviewer,
            scope,
            OUTCOME,
            "Why not achieved?",
            &w.actor(HOME, Role::Reviewer),
        )
        .await
        .expect("comment");
        save(
            &db,
            &assessor,
            &w.actor(HOME, Role::Assessor),
            scope,
            "A1.b",
            &draft(Vec::new(), None, "Elsewhere"),
        )
        .await
        .expect("another outcome");

        let history = db
            .outcome_history(&reviewer, scope, OUTCOME)
            .await
            .expect("history");
        let shape: Vec<(&str, String)> = history
            .iter()
            .map(|h| (h.action.as_str(), h.actor.clone()))
            .collect();
        assert_eq!(
            shape,
            vec![
                ("comment.add", email(HOME, Role::Reviewer)),
                ("outcome.assign", email(HOME, Role::CafLead)),
                ("outcome.save", email(HOME, Role::CafLead)),
                ("outcome.save", email(HOME, Role::Assessor)),
            ],
            "newest first, A1.b's change left out"
        );
        let second = &history[2].summary;
        for part in [
            format!("{x}: true → false"),
            format!("{y}: unanswered → true"),
            "confirmed status: none → Not achieved".to_owned(),
            "narrative edited".to_owned(),
        ] {
            assert!(second.contains(&part), "{part:?} missing from {second:?}");
        }
        assert!(
            history[3]
                .summary
                .contains(&format!("{x}: unanswered → true")),
            "{}",
            history[3].summary
        );
        assert!(
            !history[3].summary.contains("confirmed status"),
            "{}",
            history[3].summary
        );
        assert!(
            history[1].summary.contains("2027-02-28"),
            "{}",
            history[1].summary
        );
        assert!(history[0].summary.contains("Why not achieved?"));
        assert!(history.windows(2).all(|p| p[0].at >= p[1].at));

        let saves = support::audit_actions(&db, "outcome.save").await;
        let detail = &saves[1].event.detail;
        assert_eq!(detail["before"]["answers"][&x], "true");
        assert_eq!(detail["after"]["answers"][&x], "false");
        assert_eq!(detail["after"]["confirmed"], "not_achieved");
        assert_eq!(detail["version"], 2);
        assert_eq!(saves[1].event.organisation_id, Some(w.organisations[HOME]));
        assert_eq!(saves[1].event.address.as_deref(), Some("192.0.2.10"));

        // Five changes, five records, and the chain still holds. (Each grant audits nothing.)
        assert_eq!(chain_intact(&db).await, records_before + 5);
    }
);

// ---------------------------------------------------------------------------------------------
// Dashboard and plan

on_both!(
    the_dashboard_flags_and_the_plan_lists_what_falls_short,
    |db: TestDb| async move {
        let w = world(&db).await;
        let started = start(&db, &w, "Dashboard", &["Payroll"], false).await;
        let scope = started.org;
        let lead = w.lead(&db, HOME).await;
        let l = w.actor(HOME, Role::CafLead);
        let profile = caf::bundled_profile(BASELINE).expect("profile");
        let targeted: Vec<String> = outcome_ids(ScopeKind::Organisation)
            .into_iter()
            .filter(|o| {
                profile
                    .targets
                    .get(o)
                    .is_some_and(|t| *t > Status::NotAchieved)
            })
            .collect();
        assert!(targeted.len() >= 4, "{targeted:?}");
        let (short, met, late, later) = (&targeted[0], &targeted[1], &targeted[2], &targeted[3]);

        let mut flagged = draft(achieved_answers(short), Some("not_achieved"), "");
        flagged.justification = "The controls are not yet audited".into();
        save(&db, &lead, &l, scope, short, &flagged)
            .await
            .expect("flagged");
        save(
            &db,
            &lead,
            &l,
            scope,
            met,
            &draft(achieved_answers(met), Some("achieved"), ""),
        )
        .await
        .expect("met");
        for (outcome, due) in [
            (late, "2000-01-01"),
            (later, "2999-12-31"),
            (met, "2000-01-01"),
        ] {
            db.assign_outcome(
                &lead,
                scope,
                outcome,
                Some(w.user(HOME, Role::Assessor)),
                Some(due),
                &l,
            )
            .await
            .expect("assign");
        }

        let dashboard = db.dashboard(&lead, started.id).await.expect("dashboard");
        let cell = |id: &str| {
            dashboard.grids[0]
                .cells
                .iter()
                .find(|c| c.outcome == id)
                .expect("cell")
                .clone()
        };
        let s = cell(short);
        assert!(
            s.flagged
                && s.confirmed == Some(Status::NotAchieved)
                && s.suggested == Status::Achieved
        );
        let m = cell(met);
        assert!(
            !m.flagged && !m.overdue,
            "confirmed, so not overdue though its date passed"
        );
        assert_eq!(
            m.assignee.as_deref(),
            Some(name(HOME, Role::Assessor).as_str())
        );
        assert!(cell(late).overdue && !cell(late).flagged);
        assert!(!cell(later).overdue);
        assert_eq!(
            dashboard.grids[0]
                .cells
                .iter()
                .filter(|c| c.flagged)
                .count(),
            1
        );
        let mut assignable: Vec<String> =
            dashboard.assignable.iter().map(|a| a.1.clone()).collect();
        assignable.sort();
        assert_eq!(
            assignable,
            vec![name(HOME, Role::Assessor), name(HOME, Role::CafLead)]
        );
        let reader = w.member(&db, HOME, Role::Reviewer).await;
        assert!(
            db.dashboard(&reader, started.id)
                .await
                .expect("d")
                .assignable
                .is_empty()
        );

        // Below target: everything assessed whose confirmed (or else suggested) status is short
        // of it; an outcome nobody has answered or confirmed is not judged.
        let plan = db.plan_view(&lead, started.id).await.expect("plan");
        let below: Vec<(i64, &str)> = plan
            .below_target
            .iter()
            .map(|b| (b.0, b.2.as_str()))
            .collect();
        assert!(below.contains(&(scope, short.as_str())));
        assert!(!below.contains(&(scope, met.as_str())));
        let short_row = plan
            .below_target
            .iter()
            .find(|b| b.2 == *short)
            .expect("row");
        assert_eq!(short_row.4, "Not achieved");
        assert_eq!(short_row.5, profile.targets[short].label());
        let expected = dashboard
            .grids
            .iter()
            .flat_map(|g| g.cells.iter())
            .filter(|c| {
                (c.confirmed.is_some() || c.answered.0 > 0)
                    && c.target
                        .is_some_and(|t| c.confirmed.unwrap_or(c.suggested) < t)
            })
            .count();
        assert_eq!(plan.below_target.len(), expected);
        let untouched = dashboard
            .grids
            .iter()
            .flat_map(|g| g.cells.iter())
            .find(|c| c.confirmed.is_none() && c.answered.0 == 0 && c.target.is_some())
            .expect("an outcome nobody has touched");
        assert!(!untouched.below_target());
        assert!(!below.iter().any(|b| b.1 == untouched.outcome));

        // The assurer proposes; the proposal waits until the CAF lead accepts it.
        let assurer = w
            .grant(&db, HOME, Role::ExternalAssurer, Permission::Comment)
            .await
            .expect("assurer");
        let ea = w.actor(HOME, Role::ExternalAssurer);
        let proposal = db
            .propose_action(
                &assurer,
                scope,
                short,
                "Commission an audit of the controls",
                "Head of ICT",
                Some("2027-03-31"),
                &ea,
            )
            .await
            .expect("propose");
        let invalid_proposal = db
            .propose_action(&assurer, scope, short, " ", "", Some("soon"), &ea)
            .await;
        let message = invalid(invalid_proposal, "a blank proposal");
        assert!(
            message.contains("what the action is")
                && message.contains("owns")
                && message.contains("due date")
        );
        let listed = db.plan(&lead, started.id, None).await.expect("plan");
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].status, ActionStatus::Proposed);
        assert_eq!(listed[0].proposed_by, name(HOME, Role::ExternalAssurer));
        assert_eq!(listed[0].due.as_deref(), Some("2027-03-31"));
        not_found(
            db.update_action(&assurer, proposal, ActionStatus::Open, "", &ea)
                .await,
            "the assurer accepting their own proposal",
        );
        not_found(
            w.grant(&db, HOME, Role::ExternalAssurer, Permission::LeadAssessment)
                .await,
            "the assurer asking to lead",
        );
        db.update_action(
            &lead,
            proposal,
            ActionStatus::Open,
            "Agreed at the board",
            &l,
        )
        .await
        .expect("accept");
        invalid(
            db.update_action(&lead, proposal, ActionStatus::Proposed, "", &l)
                .await,
            "back to proposed",
        );
        let own = db
            .propose_action(&lead, scope, met, "Keep it up", "CISO", None, &l)
            .await
            .expect("lead's own action");
        let plan = db.plan_view(&lead, started.id).await.expect("plan");
        let statuses: Vec<(i64, ActionStatus, &str)> = plan
            .actions
            .iter()
            .map(|a| (a.id, a.status, a.notes.as_str()))
            .collect();
        assert!(statuses.contains(&(proposal, ActionStatus::Open, "Agreed at the board")));
        assert!(statuses.contains(&(own, ActionStatus::Open, "")));
        let accepted = db
            .raw_strings(&format!(
                "SELECT CAST(accepted_by AS TEXT) FROM plan_actions WHERE id = {proposal}"
            ))
            .await;
        assert_eq!(accepted, vec![w.user(HOME, Role::CafLead).to_string()]);
        let history = db
            .outcome_history(&lead, scope, short)
            .await
            .expect("history");
        assert!(
            history[0].summary.contains("proposed → open"),
            "{:?}",
            history[0]
        );
        chain_intact(&db).await;
    }
);

/// Every row an assessment or evidence write can change, as text.
async fn stored_state(db: &TestDb) -> Vec<String> {
    let mut rows = Vec::new();
    for sql in [
        "SELECT CAST(scope_id AS TEXT) || outcome_id || ':' || CAST(version AS TEXT) || ':' || \
         COALESCE(CAST(assignee_id AS TEXT), '-') || ':' || COALESCE(due_date, '-') || ':' || narrative \
         FROM scope_outcomes ORDER BY scope_id, outcome_id",
        "SELECT CAST(COUNT(*) AS TEXT) FROM answers",
        "SELECT CAST(id AS TEXT) || ':' || state FROM scopes ORDER BY id",
        "SELECT CAST(COUNT(*) AS TEXT) FROM snapshots",
        "SELECT CAST(assessment_id AS TEXT) || outcome_id || ':' || target FROM assessment_targets \
         ORDER BY assessment_id, outcome_id",
        "SELECT CAST(id AS TEXT) || ':' || body || ':' || COALESCE(resolved_at, '-') FROM comments ORDER BY id",
        "SELECT CAST(id AS TEXT) || ':' || status || ':' || notes FROM plan_actions ORDER BY id",
        "SELECT CAST(id AS TEXT) || ':' || title FROM evidence ORDER BY id",
        "SELECT CAST(evidence_id AS TEXT) || ':' || CAST(scope_id AS TEXT) || outcome_id FROM evidence_links \
         ORDER BY evidence_id, scope_id, outcome_id",
        "SELECT CAST(id AS TEXT) || ':' || name FROM security_keys ORDER BY id",
        "SELECT CAST(id AS TEXT) || ':' || COALESCE(disabled_at, '-') || ':' || \
         CAST(is_platform_admin AS TEXT) FROM users ORDER BY id",
        "SELECT CAST(user_id AS TEXT) || ':' || CAST(organisation_id AS TEXT) || ':' || role \
         FROM memberships ORDER BY user_id, organisation_id",
        "SELECT slug FROM organisations ORDER BY id",
        "SELECT CAST(id AS TEXT) || ':' || title FROM assessments ORDER BY id",
        "SELECT CAST(id AS TEXT) || ':' || COALESCE(used_at, '-') FROM one_time_links ORDER BY id",
    ] {
        rows.push(format!("-- {sql}"));
        rows.extend(db.raw_strings(sql).await);
    }
    rows
}

on_both!(
    a_change_is_kept_only_with_its_audit_record,
    |db: TestDb| async move {
        let w = world(&db).await;
        let started = start(&db, &w, "Atomic", &["Payroll"], false).await;
        let own = start(&db, &w, "Own targets", &["Payroll"], true).await;
        let lead = w.lead(&db, HOME).await;
        let actor = w.actor(HOME, Role::CafLead);
        let comment = db
            .add_comment(&lead, started.org, OUTCOME, "Seed comment", &actor)
            .await
            .expect("comment");
        let action = db
            .propose_action(&lead, started.org, OUTCOME, "Seed", "ICT", None, &actor)
            .await
            .expect("action");
        let evidence = db
            .create_evidence(
                &lead,
                &fields("Policy", None),
                &EvidenceBody::Note("Agreed at the board".into()),
                &actor,
            )
            .await
            .expect("evidence");
        let system = started.systems[0];
        confirm_all(&db, &w, system, ScopeKind::System).await;
        let user = w.user(HOME, Role::CafLead);
        let key_event = |action: &str| AuditEvent::by("test", action, format!("user:{user}"));
        let mut keys = Vec::new();
        for n in 0..2 {
            keys.push(
                db.add_security_key(
                    user,
                    &format!("Key {n}"),
                    &format!("credential-{n}"),
                    "{}",
                    false,
                    false,
                    key_event("key.add"),
                )
                .await
                .expect("key"),
            );
        }
        // An invitation to accept and an export to import while the log is down.
        let token = db
            .create_link(
                &NewLink {
                    purpose: LinkPurpose::Invite,
                    email: Some("newcomer@hackney.gov.uk".into()),
                    display_name: Some("Newcomer".into()),
                    membership: Some((lead.organisation_id(), Role::Assessor)),
                    membership_until: None,
                    platform_admin: false,
                    created_by: Some(user),
                    lifetime: time::Duration::days(7),
                },
                "test",
            )
            .await
            .expect("invitation");
        let export = serde_json::to_string(
            &db.export_assessment(&lead, started.id, &actor)
                .await
                .expect("export"),
        )
        .expect("JSON");
        let records = chain_intact(&db).await;
        let before = stored_state(&db).await;

        // The audit log stops accepting records: its head row is gone.
        let head = db
            .raw_strings("SELECT CAST(seq AS TEXT) || ' ' || last_hash FROM audit_head")
            .await
            .remove(0);
        let (seq, hash) = head.split_once(' ').expect("head");
        db.raw_execute("DELETE FROM audit_head")
            .await
            .expect("break the log");

        let version = version_of(&db, started.org, OUTCOME).await;
        let narrative = draft(Vec::new(), None, "Typed while the log was down");
        let attempts: Vec<(&str, Result<(), DataError>)> = vec![
            (
                "save",
                db.save_outcome(&lead, started.org, OUTCOME, version, &narrative, &actor)
                    .await
                    .map(drop),
            ),
            (
                "assign",
                db.assign_outcome(
                    &lead,
                    started.org,
                    OUTCOME,
                    Some(w.user(HOME, Role::Assessor)),
                    Some("2027-03-31"),
                    &actor,
                )
                .await,
            ),
            (
                "submit",
                step(
                    &db,
                    &w,
                    Role::Assessor,
                    system,
                    WorkflowAction::Submit,
                    None,
                )
                .await
                .map(drop),
            ),
            (
                "target",
                db.set_target(&lead, own.id, OUTCOME, Status::NotAchieved, &actor)
                    .await,
            ),
            (
                "comment",
                db.add_comment(&lead, started.org, OUTCOME, "Lost?", &actor)
                    .await
                    .map(drop),
            ),
            ("resolve", db.resolve_comment(&lead, comment, &actor).await),
            (
                "propose",
                db.propose_action(&lead, started.org, OUTCOME, "More", "ICT", None, &actor)
                    .await
                    .map(drop),
            ),
            (
                "update action",
                db.update_action(&lead, action, ActionStatus::Done, "Finished", &actor)
                    .await,
            ),
            (
                "create evidence",
                db.create_evidence(
                    &lead,
                    &fields("Minutes", None),
                    &EvidenceBody::Note("Minuted".into()),
                    &actor,
                )
                .await
                .map(drop),
            ),
            (
                "link",
                db.link_evidence(&lead, evidence, started.org, OUTCOME, true, &actor)
                    .await,
            ),
        ];
        let key_attempts: Vec<(&str, Result<(), DataError>)> = vec![
            (
                "add key",
                db.add_security_key(
                    user,
                    "Key 3",
                    "credential-3",
                    "{}",
                    false,
                    false,
                    key_event("key.add"),
                )
                .await
                .map(drop),
            ),
            (
                "rename key",
                db.rename_security_key(user, keys[0], "Renamed", key_event("key.rename"))
                    .await,
            ),
            (
                "remove key",
                db.remove_security_key(user, keys[1], key_event("key.remove"))
                    .await,
            ),
        ];
        let reviewer = w.user(HOME, Role::Reviewer);
        let people_attempts: Vec<(&str, Result<(), DataError>)> = vec![
            (
                "remove member",
                db.remove_membership(&lead, reviewer, AuditEvent::by("test", "membership.remove", format!("user:{reviewer}")))
                    .await,
            ),
            ("platform admin", db.set_platform_admin(reviewer, true, "test").await),
            ("disable", db.disable_user(reviewer, "test").await),
            (
                "create organisation",
                db.create_organisation("atomic", "Atomic Council", OrganisationKind::Council, "test")
                    .await
                    .map(drop),
            ),
            (
                "create user",
                db.create_user("someone@atomic.gov.uk", "Someone", "test").await.map(drop),
            ),
            (
                "accept invitation",
                db.accept_link(
                    &token,
                    &LinkAcceptance {
                        email: "",
                        display_name: "Newcomer",
                        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
                    },
                    None,
                )
                .await
                .map(drop),
            ),
            (
                "import",
                db.import_assessment(&lead, &export, Some("Imported while the log was down"), &actor)
                    .await
                    .map(drop)
                    .map_err(|e| DataError::Invalid(format!("{e:?}"))),
            ),
        ];
        for (what, result) in attempts
            .into_iter()
            .chain(key_attempts)
            .chain(people_attempts)
        {
            assert!(result.is_err(), "{what} succeeded without an audit record");
        }
        assert_eq!(
            stored_state(&db).await,
            before,
            "no change outlived its failed audit record"
        );

        // With the log back, the same changes go through and are recorded.
        db.raw_execute(&format!(
            "INSERT INTO audit_head (id, seq, last_hash) VALUES (1, {seq}, '{hash}')"
        ))
        .await
        .expect("mend the log");
        let saved = db
            .save_outcome(&lead, started.org, OUTCOME, version, &narrative, &actor)
            .await
            .expect("save");
        assert!(matches!(saved, SaveResult::Saved { .. }), "{saved:?}");
        db.resolve_comment(&lead, comment, &actor)
            .await
            .expect("resolve");
        assert_eq!(chain_intact(&db).await, records + 2);
    }
);

on_both!(
    a_snapshot_keeps_the_evidence_details_it_was_signed_with,
    |db: TestDb| async move {
        let w = world(&db).await;
        let s = signed(&db, &w).await;
        let lead = w.lead(&db, HOME).await;
        let (content, sha, _, _) = db
            .snapshot(&lead, s.started.org)
            .await
            .expect("snapshot")
            .expect("signed off");
        // The register item is reviewed and renamed after sign-off: the register changes, the
        // signed snapshot does not.
        db.update_evidence(
            &lead,
            s.evidence,
            &fields("Board minutes (reviewed)", Some("2028-06-01")),
            "",
            &w.actor(HOME, Role::CafLead),
        )
        .await
        .expect("update after sign-off");
        assert_eq!(
            db.evidence_item(&lead, s.evidence)
                .await
                .expect("item")
                .fields
                .title,
            "Board minutes (reviewed)"
        );
        let (after, after_sha, _, _) = db
            .snapshot(&lead, s.started.org)
            .await
            .expect("snapshot")
            .expect("signed off");
        assert_eq!(
            (after.as_str(), after_sha.as_str()),
            (content.as_str(), sha.as_str())
        );
        let snapshot: Snapshot = serde_json::from_str(&after).expect("snapshot JSON");
        let titles: Vec<(&str, Option<&str>)> = snapshot.outcomes[0]
            .evidence
            .iter()
            .map(|e| (e.title.as_str(), e.review_by.as_deref()))
            .collect();
        assert!(
            titles.contains(&("Board minutes", Some("2027-06-01"))),
            "{titles:?}"
        );
    }
);
