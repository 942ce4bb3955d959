//! The board report of the demo council over HTTP and as a PDF, on SQLite and PostgreSQL: who
//! gets it, that the PDF says what the records say, and that it is reproducible.

mod support;

use app::data::{Db, OrgScope, OrganisationKind};
use app::roles::{Permission, Role};
use axum::http::StatusCode;
use std::io::Write;
use std::process::Command;
use support::{TestDb, get, router, send, signed_in};

const VIEWER: &str = "peter.hughes@borsetshire.example";
const THIS_YEAR: i64 = 2;

async fn demo(t: &TestDb) {
    let auth = app::auth::AuthConfig::new(
        support::LOCAL,
        time::Duration::minutes(30),
        time::Duration::hours(12),
    )
    .expect("auth");
    server::demo::run(&t.db, &auth, &t.evidence_dir, "test")
        .await
        .expect("the demo council");
}

async fn user(db: &Db, email: &str) -> i64 {
    db.account_by_email(email)
        .await
        .expect("lookup")
        .expect("account")
        .id
}

async fn viewer_scope(db: &Db) -> OrgScope {
    db.authorize(
        user(db, VIEWER).await,
        "demo",
        Permission::ReadReports,
        None,
    )
    .await
    .expect("the board viewer reads reports")
}

fn pdftotext(pdf: &[u8]) -> String {
    let mut file = tempfile_path("report.pdf");
    file.1.write_all(pdf).expect("write the PDF");
    let out = Command::new("pdftotext")
        .args(["-layout", &file.0, "-"])
        .output()
        .expect("pdftotext (poppler-utils) must be installed: apt-get install poppler-utils");
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn tempfile_path(name: &str) -> (String, std::fs::File) {
    let path = std::env::temp_dir().join(format!("{}-{name}", support::unique_name("caf_report")));
    let file = std::fs::File::create(&path).expect("temp file");
    (path.display().to_string(), file)
}

on_both!(
    the_pdf_holds_every_outcome_the_counts_and_each_hash,
    |t: TestDb| async move {
        demo(&t).await;
        let scope = viewer_scope(&t.db).await;
        let report = server::report::board_report(&t.db, &scope, THIS_YEAR, "OFFICIAL-SENSITIVE")
            .await
            .expect("report");
        assert!(!report.draft);
        let pdf = server::report::pdf::render_pdf(&report).expect("pdf");
        let text = pdftotext(&pdf);
        let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for scope in &report.appendix {
            for outcome in &scope.outcomes {
                assert!(
                    flat.contains(&outcome.outcome),
                    "{} missing",
                    outcome.outcome
                );
            }
        }
        for block in &report.sign_off {
            let sha = block.sha256.as_deref().expect("signed off");
            assert!(flat.contains(sha), "the hash {sha} is printed whole");
        }
        let overall = report.summary.overall;
        assert!(
            flat.contains(&format!(
                "All scopes {} {} {} {}",
                overall.outcomes, overall.assessed, overall.meeting, overall.below
            )),
            "the totals row"
        );
        assert!(!flat.contains("DRAFT"));
        // The same snapshots give the same bytes; only the generation date may differ.
        let again = server::report::board_report(&t.db, &scope, THIS_YEAR, "OFFICIAL-SENSITIVE")
            .await
            .expect("report");
        assert_eq!(server::report::pdf::render_pdf(&again).expect("pdf"), pdf);
    }
);

on_both!(
    report_urls_answer_readers_and_404_everyone_else,
    |t: TestDb| async move {
        demo(&t).await;
        let db = &t.db;
        let app = router(&t, 25);
        let viewer = signed_in(db, user(db, VIEWER).await).await;
        for format in ["html", "pdf"] {
            let uri = format!("/org/demo/assessments/{THIS_YEAR}/report.{format}");
            let reply = send(&app, get(&uri, Some(&viewer))).await;
            assert_eq!(reply.status, StatusCode::OK, "{uri}");
            if format == "pdf" {
                assert!(reply.body.starts_with(b"%PDF-"));
                assert!(
                    reply
                        .header("content-disposition")
                        .starts_with("attachment;")
                );
            } else {
                assert!(reply.text().contains("CAF self-assessment 2026/27"));
                assert!(reply.text().contains("OFFICIAL-SENSITIVE"));
            }
        }
        // Nobody signed in is sent to sign in.
        let anonymous = send(
            &app,
            get(
                &format!("/org/demo/assessments/{THIS_YEAR}/report.pdf"),
                None,
            ),
        )
        .await;
        assert!(
            anonymous.location().starts_with("/signin"),
            "{}",
            anonymous.status
        );
        let page = send(&app, get("/org/demo/reports", Some(&viewer))).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("report.pdf"));

        // A board viewer of another council gets 404, and the refusal is audited.
        let other = db
            .create_organisation(
                "elsewhere",
                "Elsewhere Council",
                OrganisationKind::Council,
                "test",
            )
            .await
            .expect("org");
        let stranger = db
            .create_user("viewer@elsewhere.example", "Other Viewer", "test")
            .await
            .expect("user");
        db.set_membership(stranger, other.id, Role::BoardViewer, None, "test")
            .await
            .expect("member");
        let cookie = signed_in(db, stranger).await;
        for uri in [
            format!("/org/demo/assessments/{THIS_YEAR}/report.html"),
            format!("/org/demo/assessments/{THIS_YEAR}/report.pdf"),
            format!("/org/elsewhere/assessments/{THIS_YEAR}/report.pdf"),
            "/org/demo/reports".to_owned(),
        ] {
            let reply = send(&app, get(&uri, Some(&cookie))).await;
            assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
            assert!(!reply.text().contains("Borsetshire"), "{uri} leaks nothing");
        }
        // The organisation admin of the demo council manages people, not reports.
        let admin = signed_in(db, user(db, "gareth.price@borsetshire.example").await).await;
        let reply = send(
            &app,
            get(
                &format!("/org/demo/assessments/{THIS_YEAR}/report.html"),
                Some(&admin),
            ),
        )
        .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        let viewed = support::audit_with_prefix(db, "report.view").await;
        assert_eq!(viewed.len(), 2, "each report served is audited");
    }
);
