//! Carrying a full assessment forward into next year: a signed-off assessment with three scopes
//! (the organisation and two critical systems), every outcome answered, with a narrative and an
//! evidence link, carried into a new assessment in one transaction (`Db::start_next_assessment`).
//! Two cases: CAF 4.0 into CAF 4.0 (41 outcomes × 3 scopes), and CAF 3.2 into CAF 4.0 through
//! the statement map.
//!
//! Run: `cargo bench -p server --bench carry_forward` (SQLite in a temporary folder; set
//! `BENCH_DATABASE_URL=postgres://…` for PostgreSQL, on an empty database). Prints the median,
//! 95th percentile and maximum time over 20 runs of each case.

use app::assess::{AnswerInput, EvidenceFields, OutcomeDraft, ScopeKind, WorkflowAction};
use app::cycle::{CarryApproach, NextAssessment};
use app::data::{Actor, Db, EvidenceBody, NewAssessment, OrgScope, OrganisationKind};
use app::roles::{Permission, Role};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const RUNS: usize = 20;
const SLUG: &str = "bench";

struct People {
    users: BTreeMap<Role, i64>,
}

impl People {
    fn actor(&self, role: Role) -> Actor {
        Actor {
            user_id: self.users[&role],
            email: format!("{}@bench.gov.uk", role.key()),
            address: None,
        }
    }

    async fn scope(&self, db: &Db, role: Role, permission: Permission) -> OrgScope {
        db.authorize(self.users[&role], SLUG, permission, None)
            .await
            .expect("authorised")
    }
}

#[tokio::main]
async fn main() {
    let folder = std::env::temp_dir().join(format!("caf-carry-bench-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("temp folder");
    let url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/bench.db", folder.display()));
    let db = Db::connect(&url).await.expect("database");
    db.migrate().await.expect("migrate");
    db.register_bundled().await.expect("frameworks");
    let people = people(&db).await;
    println!(
        "Carrying forward a signed-off assessment (3 scopes, every outcome answered), {RUNS} runs each, engine {:?}",
        db.engine()
    );
    println!("{:<34} {:>9} {:>9} {:>9}", "case", "median", "p95", "max");
    for (label, from) in [
        ("CAF 4.0 into CAF 4.0", "4.0"),
        ("CAF 3.2 into CAF 4.0", "3.2"),
    ] {
        let previous = signed_year(&db, &people, from).await;
        let lead = people
            .scope(&db, Role::CafLead, Permission::LeadAssessment)
            .await;
        let summary = db
            .assessment_summary(&lead, previous)
            .await
            .expect("summary");
        let mut times = Vec::with_capacity(RUNS);
        for run in 0..RUNS {
            let input = NextAssessment {
                previous_id: previous,
                title: format!("Carried from {from}, run {run}"),
                period: "2027/28".into(),
                framework_version: "4.0".into(),
                profile: "govassure-baseline-caf4.0".into(),
                own_profile: false,
                approaches: summary
                    .scopes
                    .iter()
                    .map(|s| (s.id, CarryApproach::Light))
                    .collect(),
            };
            let started = Instant::now();
            db.start_next_assessment(&lead, &input, &people.actor(Role::CafLead))
                .await
                .expect("carried");
            times.push(started.elapsed());
        }
        times.sort();
        println!(
            "{label:<34} {:>9} {:>9} {:>9}",
            ms(times[RUNS / 2]),
            ms(times[RUNS * 95 / 100]),
            ms(times[RUNS - 1])
        );
    }
    let _ = std::fs::remove_dir_all(&folder);
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

async fn people(db: &Db) -> People {
    let org = db
        .create_organisation(
            SLUG,
            "Benchmark Borough Council",
            OrganisationKind::Council,
            "bench",
        )
        .await
        .expect("organisation");
    let mut users = BTreeMap::new();
    for role in [
        Role::CafLead,
        Role::Reviewer,
        Role::ExternalAssurer,
        Role::Approver,
    ] {
        let user = db
            .create_user(
                &format!("{}@bench.gov.uk", role.key()),
                role.label(),
                "bench",
            )
            .await
            .expect("user");
        db.set_membership(user, org.id, role, None, "bench")
            .await
            .expect("membership");
        users.insert(role, user);
    }
    People { users }
}

/// A signed-off assessment of `version`: every outcome of every scope answered and confirmed,
/// with a narrative and an evidence link.
async fn signed_year(db: &Db, people: &People, version: &str) -> i64 {
    let lead = people
        .scope(db, Role::CafLead, Permission::LeadAssessment)
        .await;
    let actor = people.actor(Role::CafLead);
    let id = db
        .create_assessment(
            &lead,
            &NewAssessment {
                title: format!("Last year on CAF {version}"),
                period: "2026/27".into(),
                framework_version: version.into(),
                profile: format!("govassure-baseline-caf{version}"),
                own_profile: false,
                organisation_description: "The council".into(),
                systems: vec![
                    (
                        "Revenues and benefits".into(),
                        "Council tax and benefits".into(),
                    ),
                    ("Social care records".into(), "Case management".into()),
                ],
            },
            &actor,
        )
        .await
        .expect("assessment");
    let evidence = db
        .create_evidence(
            &lead,
            &EvidenceFields {
                title: format!("Information security policy ({version})"),
                owner: "ICT".into(),
                describes_date: Some("2026-04-01".into()),
                review_by: Some("2027-04-01".into()),
                classification: "official".into(),
            },
            &EvidenceBody::Link("https://intranet.example/policies/infosec".into()),
            &actor,
        )
        .await
        .expect("evidence");
    let framework = caf::bundled_framework(version).expect("bundled");
    let summary = db.assessment_summary(&lead, id).await.expect("summary");
    for scope in &summary.scopes {
        for outcome in outcomes(&framework, scope.kind) {
            let answers: Vec<AnswerInput> = outcome
                .indicators
                .iter()
                .enumerate()
                .map(|(i, (_, igp))| AnswerInput {
                    indicator: igp.id.clone(),
                    answer: if i % 3 == 0 { "false" } else { "true" }.into(),
                    justification: String::new(),
                })
                .collect();
            let suggested =
                caf::suggest_status(outcome, &app::assess::caf_answers(&answers)).status;
            let draft = OutcomeDraft {
                answers,
                confirmed: Some(suggested.key().to_owned()),
                justification: String::new(),
                narrative: "Owners review each policy yearly; exceptions are in the risk register."
                    .repeat(3),
            };
            db.save_outcome(&lead, scope.id, &outcome.id, 0, &draft, &actor)
                .await
                .expect("save");
            db.link_evidence(&lead, evidence, scope.id, &outcome.id, true, &actor)
                .await
                .expect("link");
        }
        for (action, role) in [
            (WorkflowAction::Submit, Role::CafLead),
            (WorkflowAction::Accept, Role::Reviewer),
            (WorkflowAction::Assure, Role::ExternalAssurer),
            (WorkflowAction::SignOff, Role::Approver),
        ] {
            let org = people.scope(db, role, action.permission()).await;
            db.workflow_step(&org, scope.id, action, None, &people.actor(role))
                .await
                .expect("workflow step");
        }
    }
    id
}

fn outcomes(framework: &caf::Framework, kind: ScopeKind) -> Vec<&caf::ContributingOutcome> {
    framework
        .objectives
        .iter()
        .filter(|o| kind.objectives().contains(&o.id.as_str()))
        .flat_map(|o| o.principles.iter().flat_map(|p| p.outcomes.iter()))
        .collect()
}
