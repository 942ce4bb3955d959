//! The audit log shows assessment content only to people who may read the assessment, on
//! SQLite and PostgreSQL: organisation admins and platform administrators see who did what
//! and when, with the narratives, comment bodies, plan text and evidence details hidden.

mod support;

use support::TestDb;
use support::world::{self, HOME, World, achieved_answers, draft, fields, start};

use app::data::{AuditFilter, AuditRecord, EvidenceBody};
use app::roles::Role;
use app::types::HIDDEN_CONTENT;

/// Words that only the assessment's content holds.
const SECRETS: [&str; 8] = [
    "Our backups are untested",
    "The firewall has a gap",
    "Patch the VPN appliance",
    "Network team lead",
    "Backup restore test",
    "sharepoint.example/backups",
    "Payroll on the old server",
    "Nobody reads the logs",
];

/// The home council's assessment, with every kind of content written once.
async fn busy_assessment(db: &TestDb) -> World {
    let w = world::world(db).await;
    let started = start(db, &w, "CAF 2026/27", &["Payroll on the old server"], false).await;
    let lead = w.lead(db, HOME).await;
    let actor = w.actor(HOME, Role::CafLead);
    let mut answer = draft(
        achieved_answers("A1.a"),
        Some("achieved"),
        "Our backups are untested",
    );
    db.save_outcome(&lead, started.org, "A1.a", 0, &answer, &actor)
        .await
        .expect("save");
    answer.narrative = "Nobody reads the logs".into();
    db.save_outcome(&lead, started.org, "A1.a", 1, &answer, &actor)
        .await
        .expect("save again");
    db.add_comment(&lead, started.org, "A1.a", "The firewall has a gap", &actor)
        .await
        .expect("comment");
    db.propose_action(
        &lead,
        started.org,
        "A1.a",
        "Patch the VPN appliance",
        "Network team lead",
        Some("2027-03-31"),
        &actor,
    )
    .await
    .expect("plan action");
    let evidence = db
        .create_evidence(
            &lead,
            &fields("Backup restore test", None),
            &EvidenceBody::Link("https://sharepoint.example/backups".into()),
            &actor,
        )
        .await
        .expect("evidence");
    db.link_evidence(&lead, evidence, started.org, "A1.a", true, &actor)
        .await
        .expect("link");
    w
}

/// The home council's records as `viewer` may read them.
async fn log_as(db: &TestDb, w: &World, viewer: i64) -> Vec<AuditRecord> {
    db.audit_records_for(
        viewer,
        &AuditFilter {
            organisation_id: Some(w.organisations[HOME]),
            limit: 500,
            ..AuditFilter::default()
        },
    )
    .await
    .expect("read the log")
}

fn all_details(records: &[AuditRecord]) -> String {
    records
        .iter()
        .map(|r| r.event.detail.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

on_both!(
    an_organisation_admin_sees_who_did_what_but_no_content,
    |db: TestDb| async move {
        let w = busy_assessment(&db).await;
        let records = log_as(&db, &w, w.user(HOME, Role::OrgAdmin)).await;
        let details = all_details(&records);
        for secret in SECRETS {
            assert!(!details.contains(secret), "{secret:?} leaked:\n{details}");
        }
        assert!(details.contains(HIDDEN_CONTENT), "{details}");
        let saves: Vec<_> = records
            .iter()
            .filter(|r| r.event.action == "outcome.save")
            .collect();
        assert_eq!(saves.len(), 2, "every save is listed");
        let second = saves[0];
        assert_eq!(second.event.actor, world::email(HOME, Role::CafLead));
        assert!(second.event.object.ends_with("/outcome:A1.a"));
        assert_eq!(second.event.detail["version"], 2);
        assert_eq!(
            second.event.detail["after"]["narrative"], HIDDEN_CONTENT,
            "that the narrative changed is shown, not what it says"
        );
        assert!(
            second.event.detail["after"].get("answers").is_none(),
            "unchanged content is not mentioned"
        );
        for action in [
            "comment.add",
            "plan.propose",
            "evidence.create",
            "evidence.link",
        ] {
            assert!(
                records.iter().any(|r| r.event.action == action),
                "{action} is listed"
            );
        }
        let role = records
            .iter()
            .find(|r| r.event.action == "membership.set")
            .expect("memberships are listed");
        assert!(
            role.event.detail["after"].is_string() && role.event.detail["after"] != HIDDEN_CONTENT,
            "administrative records stay whole: {}",
            role.event.detail
        );
    }
);

on_both!(
    a_platform_administrator_who_is_no_member_sees_no_content,
    |db: TestDb| async move {
        busy_assessment(&db).await;
        let admin = db
            .create_user("root@platform.example", "Platform admin", "test")
            .await
            .expect("user");
        db.set_platform_admin(admin, true, "test")
            .await
            .expect("admin");
        let records = db
            .audit_records_for(
                admin,
                &AuditFilter {
                    limit: 500,
                    ..AuditFilter::default()
                },
            )
            .await
            .expect("read the whole log");
        let details = all_details(&records);
        for secret in SECRETS {
            assert!(!details.contains(secret), "{secret:?} leaked:\n{details}");
        }
        assert!(records.iter().any(|r| r.event.action == "comment.add"));
    }
);

on_both!(
    people_who_may_read_the_assessment_see_its_content,
    |db: TestDb| async move {
        let w = busy_assessment(&db).await;
        let stored = db
            .raw_strings("SELECT detail FROM audit_log")
            .await
            .join("\n");
        let logged: Vec<&str> = SECRETS.into_iter().filter(|s| stored.contains(s)).collect();
        assert!(logged.len() >= 6, "the log holds content: {logged:?}");
        for role in [Role::CafLead, Role::Reviewer, Role::ExternalAssurer] {
            let details = all_details(&log_as(&db, &w, w.user(HOME, role)).await);
            for secret in &logged {
                assert!(details.contains(secret), "{role:?} misses {secret:?}");
            }
            assert!(!details.contains(HIDDEN_CONTENT), "{role:?}");
        }
        // A board viewer reads reports, not assessments; a member of another council neither.
        for viewer in [
            w.user(HOME, Role::BoardViewer),
            w.user(world::AWAY, Role::CafLead),
        ] {
            let details = all_details(&log_as(&db, &w, viewer).await);
            for secret in SECRETS {
                assert!(!details.contains(secret), "{secret:?} leaked");
            }
        }
    }
);

on_both!(
    the_stored_records_keep_their_content_and_their_chain,
    |db: TestDb| async move {
        let w = busy_assessment(&db).await;
        log_as(&db, &w, w.user(HOME, Role::OrgAdmin)).await;
        let stored = db
            .raw_strings("SELECT detail FROM audit_log WHERE action = 'comment.add'")
            .await;
        assert!(stored[0].contains("The firewall has a gap"));
        assert!(matches!(
            db.verify_audit_chain().await.expect("verify"),
            app::data::ChainReport::Intact { .. }
        ));
    }
);
