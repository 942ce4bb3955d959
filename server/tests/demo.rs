//! `server demo`, run as a person would (the real binary) on a fresh SQLite file and a fresh
//! PostgreSQL database, then checked through the data layer.

use app::assess::ScopeState;
use app::data::{ChainReport, Db};
use app::roles::Permission;
use sqlx::Executor;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(url: &str, dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_server"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("CAF_EVIDENCE_DIR", dir.join("evidence"))
        .env("CAF_PUBLIC_URL", "http://localhost:3000")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run server")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("caf-demo-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

async fn audit_records(url: &str) -> i64 {
    let db = Db::connect(url).await.expect("open");
    let records = match db.verify_audit_chain().await.expect("verify") {
        ChainReport::Intact { records } => records,
        broken => panic!("the audit chain is broken: {broken:?}"),
    };
    db.close().await;
    records as i64
}

/// Runs the demo twice on `url` and checks what the first run made and that the second
/// changed nothing.
async fn demo_on(url: &str, dir: &Path) {
    let first = run(url, dir, &["demo"]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let printed = text(&first.stdout);
    for expected in [
        "http://localhost:3000/signin",
        "helen.okafor@borsetshire.example",
        "peter.hughes@borsetshire.example",
        "Board viewer",
        "External assurer",
        "/org/demo/assessments/1/report",
        "/org/demo/assessments/2/report",
        "registers a security key or passkey",
    ] {
        assert!(printed.contains(expected), "{expected} in:\n{printed}");
    }
    assert_eq!(printed.matches("password ").count(), 8, "{printed}");

    let db = Db::connect(url).await.expect("open");
    let lead = db
        .account_by_email("helen.okafor@borsetshire.example")
        .await
        .expect("read")
        .expect("the CAF lead exists");
    assert!(lead.password_hash.is_some(), "a password is set");
    assert!(
        db.security_keys(lead.id).await.expect("keys").is_empty(),
        "no key yet: the first sign-in registers one"
    );
    let org = db
        .authorize(lead.id, "demo", Permission::LeadAssessment, None)
        .await
        .expect("the CAF lead leads the demo organisation");
    let mut assessments = db.list_assessments(&org).await.expect("list");
    assessments.sort_by_key(|a| a.id);
    let versions: Vec<(&str, &str)> = assessments
        .iter()
        .map(|a| (a.framework_version.as_str(), a.period.as_str()))
        .collect();
    assert_eq!(versions, [("3.2", "2025/26"), ("4.0", "2026/27")]);
    let today = time::OffsetDateTime::now_utc().date().to_string();
    for assessment in &assessments {
        assert_eq!(assessment.scopes.len(), 3, "{}", assessment.title);
        assert!(
            assessment
                .scopes
                .iter()
                .all(|s| s.state == ScopeState::SignedOff),
            "{}: every scope signed off",
            assessment.title
        );
        let framework = caf::bundled_framework(&assessment.framework_version).expect("bundled");
        let sources = db
            .report_sources(&org, assessment.id)
            .await
            .expect("report sources");
        let mut outcomes = 0;
        let mut differing = 0;
        for scope in &sources.scopes {
            let stored = scope.stored.as_ref().expect("a signed snapshot");
            assert_eq!(stored.sha256.len(), 64);
            for outcome in &scope.snapshot.outcomes {
                let statements = framework
                    .outcome(&outcome.id)
                    .expect("outcome")
                    .indicators
                    .len();
                assert_eq!(
                    outcome.answers.len(),
                    statements,
                    "{} {}: every statement answered",
                    scope.snapshot.scope.name,
                    outcome.id
                );
                assert!(outcome.confirmed.is_some(), "{} confirmed", outcome.id);
                assert!(outcome.narrative.len() > 150, "{} narrative", outcome.id);
                if outcome.confirmed.as_deref() != Some(outcome.suggested.as_str()) {
                    differing += 1;
                    assert!(!outcome.justification.is_empty(), "{}", outcome.id);
                }
                assert!(outcome.answers.iter().all(|a| a.answer != "not_applicable"
                    || !a.justification.trim().is_empty()));
            }
            outcomes += scope.snapshot.outcomes.len();
        }
        let total = framework.counts().outcomes;
        // The organisation scope covers A and D; each system B and C.
        let org_part = framework
            .objectives
            .iter()
            .filter(|o| o.id == "A" || o.id == "D")
            .flat_map(|o| o.principles.iter())
            .map(|p| p.outcomes.len())
            .sum::<usize>();
        assert_eq!(outcomes, org_part + 2 * (total - org_part));
        assert!(
            differing >= 1,
            "{}: a confirmed status differs",
            assessment.title
        );
        let plan = db.plan(&org, assessment.id, None).await.expect("plan");
        assert!(
            plan.len() >= 6,
            "{}: {} actions",
            assessment.title,
            plan.len()
        );
        if assessment.framework_version == "4.0" {
            assert!(
                plan.iter()
                    .any(|a| !a.status.closed()
                        && a.due.as_deref().is_some_and(|d| d < today.as_str())),
                "an overdue action in this year's plan"
            );
            let previous = sources
                .previous
                .as_ref()
                .expect("last year is the previous");
            assert_eq!(previous.period, "2025/26");
        }
    }
    let evidence = db.list_evidence(&org).await.expect("evidence");
    assert!(
        evidence.iter().any(|e| e.stale),
        "some evidence is past review"
    );
    assert!(evidence.iter().any(|e| e.sha256.is_some()), "a stored file");
    db.close().await;

    let before = audit_records(url).await;
    let second = run(url, dir, &["demo"]);
    assert!(!second.status.success(), "a second run is refused");
    assert!(
        text(&second.stderr).contains("the demo organisation already exists"),
        "{}",
        text(&second.stderr)
    );
    assert_eq!(
        audit_records(url).await,
        before,
        "the second run changed nothing"
    );

    let verify = run(url, dir, &["audit", "verify"]);
    assert!(verify.status.success(), "{}", text(&verify.stderr));
    assert!(text(&verify.stdout).contains("intact"));
}

/// What the demo chose, outcome by outcome: statuses, answers, narratives and the plan.
async fn choices(url: &str) -> Vec<String> {
    let db = Db::connect(url).await.expect("open");
    let lead = db
        .account_by_email("helen.okafor@borsetshire.example")
        .await
        .expect("read")
        .expect("lead");
    let org = db
        .authorize(lead.id, "demo", Permission::LeadAssessment, None)
        .await
        .expect("lead");
    let mut out = Vec::new();
    for id in [1, 2] {
        for scope in db.report_sources(&org, id).await.expect("sources").scopes {
            for o in scope.snapshot.outcomes {
                out.push(format!(
                    "{} {} {:?} {} {} {:?} {:?}",
                    scope.snapshot.scope.name,
                    o.id,
                    o.confirmed,
                    o.suggested,
                    o.narrative,
                    o.answers,
                    o.actions
                        .iter()
                        .map(|a| (&a.description, &a.due))
                        .collect::<Vec<_>>()
                ));
            }
        }
    }
    db.close().await;
    out
}

#[tokio::test]
async fn demo_on_sqlite() {
    let dir = scratch("sqlite");
    let url = format!("sqlite://{}/caf.db", dir.display());
    demo_on(&url, &dir).await;
    // A second database gets the same council, choice for choice (passwords apart).
    let again = format!("sqlite://{}/again.db", dir.display());
    assert!(run(&again, &dir, &["demo"]).status.success());
    assert_eq!(choices(&url).await, choices(&again).await);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn demo_on_postgres() {
    let dir = scratch("postgres");
    let admin_url = std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    install_default_drivers();
    let admin = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&admin_url)
        .await
        .unwrap_or_else(|e| {
            panic!("PostgreSQL tests need a server at TEST_DATABASE_URL={admin_url}: {e}")
        });
    let name = format!("caf_demo_{}", std::process::id());
    admin
        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
        .await
        .expect("drop old");
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create test database");
    let (base, _) = admin_url.rsplit_once('/').expect("URL with a database");
    demo_on(&format!("{base}/{name}"), &dir).await;
    admin
        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
        .await
        .expect("drop test database");
    let _ = std::fs::remove_dir_all(&dir);
}
