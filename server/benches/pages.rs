//! Page weight and server time of the two heaviest assessment pages, for an assessment with every
//! outcome answered in three scopes (the organisation and two critical systems, CAF 4.0: all 41
//! outcomes, each with answers, a confirmed status, a narrative, evidence and a comment).
//!
//! Run: `cargo bench -p server --bench pages` (SQLite in a temporary folder; set
//! `BENCH_DATABASE_URL=postgres://…` for PostgreSQL). Prints median, 95th percentile and maximum
//! server time over 50 requests each, through the whole router (sign-in gate, session, headers,
//! server-side rendering), and the HTML size raw and gzip-compressed.

use app::assess::{AnswerInput, EvidenceFields, OutcomeDraft};
use app::auth::flow::{FRESH_KEY, STAGE_KEY, STARTED_KEY};
use app::data::{
    Actor, Db, DbSessionStore, EvidenceBody, NewAssessment, OrganisationKind, USER_ID_KEY,
};
use app::roles::{Permission, Role};
use axum::body::Body;
use axum::http::{Request, header};
use http_body_util::BodyExt;
use std::collections::HashMap;
use std::io::Write;
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use tower::ServiceExt;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::SessionStore;

const RUNS: usize = 50;

#[tokio::main]
async fn main() {
    let folder = std::env::temp_dir().join(format!("caf-bench-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("temp folder");
    let url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/bench.db", folder.display()));
    let db = Db::connect(&url).await.expect("database");
    db.migrate().await.expect("migrate");
    db.register_bundled().await.expect("frameworks");
    let (cookie, dashboard, outcome) = seed(&db).await;
    let auth = app::auth::AuthConfig::new(
        "http://localhost:3000",
        time::Duration::minutes(30),
        time::Duration::hours(12),
    )
    .expect("auth config");
    let args = server::config::ServeArgs {
        trusted_proxies: Default::default(),
        addr: "127.0.0.1:0".parse().expect("addr"),
        site_root: folder.clone(),
        evidence_dir: folder.join("evidence"),
        max_upload_mib: 25,
        report_classification: app::report::DEFAULT_CLASSIFICATION.to_owned(),
    };
    let router = server::web::router(db.clone(), &args, auth);
    println!(
        "Assessment pages, {} requests each, engine {:?}",
        RUNS,
        db.engine()
    );
    println!(
        "{:<44} {:>9} {:>9} {:>9} {:>10} {:>10}",
        "page", "median", "p95", "max", "HTML", "gzip"
    );
    for (name, path) in [
        ("dashboard (3 scopes, 41 outcomes)", dashboard),
        ("outcome page (B2.a, answered)", outcome),
    ] {
        let mut times = Vec::with_capacity(RUNS);
        let mut body = Vec::new();
        for i in 0..=RUNS {
            let request = Request::get(&path)
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .expect("request");
            let started = Instant::now();
            let response = router.clone().oneshot(request).await.expect("response");
            assert!(
                response.status().is_success(),
                "{path}: {}",
                response.status()
            );
            body = response
                .into_body()
                .collect()
                .await
                .expect("body")
                .to_bytes()
                .to_vec();
            if i > 0 {
                times.push(started.elapsed());
            }
        }
        times.sort();
        let gz = {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(&body).expect("gzip");
            e.finish().expect("gzip").len()
        };
        let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
        println!(
            "{:<44} {:>9} {:>9} {:>9} {:>8} kB {:>7} kB",
            name,
            ms(times[RUNS / 2]),
            ms(times[RUNS * 95 / 100]),
            ms(times[RUNS - 1]),
            body.len() / 1024,
            gz / 1024
        );
    }
    db.close().await;
    let _ = std::fs::remove_dir_all(&folder);
}

/// A council, its CAF lead signed in, and a fully answered assessment. Returns the cookie and the
/// two page paths.
async fn seed(db: &Db) -> (String, String, String) {
    let org = db
        .create_organisation(
            "bench",
            "Benchmark Borough Council",
            OrganisationKind::Council,
            "bench",
        )
        .await
        .expect("org");
    let user = db
        .create_user("lead@bench.gov.uk", "Lee Lead", "bench")
        .await
        .expect("user");
    db.set_membership(user, org.id, Role::CafLead, None, "bench")
        .await
        .expect("member");
    let scope = db
        .authorize(user, "bench", Permission::LeadAssessment, None)
        .await
        .expect("scope");
    let actor = Actor {
        user_id: user,
        email: "lead@bench.gov.uk".into(),
        address: None,
    };
    let id = db
        .create_assessment(
            &scope,
            &NewAssessment {
                title: "CAF 2026/27".into(),
                period: "2026/27".into(),
                framework_version: "4.0".into(),
                profile: "govassure-baseline-caf4.0".into(),
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
    let framework = caf::bundled_framework("4.0").expect("4.0");
    let evidence = db
        .create_evidence(
            &scope,
            &EvidenceFields {
                title: "Information security policy".into(),
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
    let summary = db.assessment_summary(&scope, id).await.expect("summary");
    let narrative =
        "The board approved the policy set in April; owners review each policy yearly and \
        exceptions are logged in the risk register with a named owner and a review date. "
            .repeat(3);
    let mut second_system = None;
    for s in &summary.scopes {
        for objective in s.kind.objectives() {
            let outcomes = framework
                .objective(objective)
                .expect("objective")
                .principles
                .iter()
                .flat_map(|p| p.outcomes.iter());
            for outcome in outcomes {
                let answers: Vec<AnswerInput> = outcome
                    .indicators
                    .iter()
                    .enumerate()
                    .map(|(i, (_, igp))| AnswerInput {
                        indicator: igp.id.clone(),
                        answer: if i % 3 == 0 {
                            "false".into()
                        } else {
                            "true".into()
                        },
                        justification: String::new(),
                    })
                    .collect();
                let suggested =
                    caf::suggest_status(outcome, &app::assess::caf_answers(&answers)).status;
                let draft = OutcomeDraft {
                    answers,
                    confirmed: Some(suggested.key().into()),
                    justification: String::new(),
                    narrative: narrative.clone(),
                };
                db.save_outcome(&scope, s.id, &outcome.id, 0, &draft, &actor)
                    .await
                    .expect("save");
                db.link_evidence(&scope, evidence, s.id, &outcome.id, true, &actor)
                    .await
                    .expect("link");
                db.add_comment(
                    &scope,
                    s.id,
                    &outcome.id,
                    "Please add the review dates.",
                    &actor,
                )
                .await
                .expect("comment");
            }
        }
        if s.kind == app::assess::ScopeKind::System {
            second_system = Some(s.id);
        }
    }
    let mut record = Record {
        id: Id::default(),
        data: HashMap::from([
            (USER_ID_KEY.to_owned(), serde_json::json!(user)),
            (STAGE_KEY.to_owned(), serde_json::json!("full")),
            (
                STARTED_KEY.to_owned(),
                serde_json::json!(OffsetDateTime::now_utc().unix_timestamp()),
            ),
            (
                FRESH_KEY.to_owned(),
                serde_json::json!(OffsetDateTime::now_utc().unix_timestamp()),
            ),
        ]),
        expiry_date: OffsetDateTime::now_utc() + time::Duration::hours(1),
    };
    DbSessionStore::new(db.clone())
        .create(&mut record)
        .await
        .expect("session");
    let system = second_system.expect("a system scope");
    (
        format!("caf_session={}", record.id),
        format!("/org/bench/assessments/{id}"),
        format!("/org/bench/assessments/{id}/scopes/{system}/outcomes/B2.a"),
    )
}
