//! Organisations, memberships and the authorisation check, on SQLite and PostgreSQL.

mod support;

use support::TestDb;

use app::data::{DataError, Db, OrganisationKind};
use app::roles::{Permission, Role};

struct World {
    hackney: i64,
    amey: i64,
    assessor: i64,
    assurer: i64,
}

async fn world(db: &Db) -> World {
    let hackney = db
        .create_organisation(
            "hackney",
            "London Borough of Hackney",
            OrganisationKind::Council,
            "test",
        )
        .await
        .expect("org");
    let amey = db
        .create_organisation("amey", "Amey (partner)", OrganisationKind::Partner, "test")
        .await
        .expect("org");
    let assessor = db
        .create_user("Ann.Assessor@Hackney.gov.uk", "Ann Assessor", "test")
        .await
        .expect("user");
    let assurer = db
        .create_user("ext@assurance.example", "Ext Assurer", "test")
        .await
        .expect("user");
    db.set_membership(assessor, hackney.id, Role::Assessor, None, "test")
        .await
        .expect("member");
    World {
        hackney: hackney.id,
        amey: amey.id,
        assessor,
        assurer,
    }
}

/// Asserts the refusal every denied check gives: the same "not found" as a missing page.
fn refused_as_missing(result: Result<app::data::OrgScope, DataError>, who: &str) {
    match result {
        Err(DataError::NotFound(message)) => {
            assert_eq!(message, "That page was not found.", "{who}")
        }
        other => panic!("{who}: expected the not-found refusal, got {other:?}"),
    }
}

async fn denials(db: &Db) -> Vec<app::data::AuditRecord> {
    support::audit_actions(db, "access.denied").await
}

on_both!(
    a_member_gets_a_scope_for_their_own_organisation,
    |db: TestDb| async move {
        let w = world(&db).await;
        let scope = db
            .authorize(w.assessor, "hackney", Permission::EditAnswers, None)
            .await
            .expect("granted");
        assert_eq!(scope.organisation_id(), w.hackney);
        assert_eq!(scope.user_id(), w.assessor);
        assert_eq!(scope.role(), Role::Assessor);
        assert!(denials(&db).await.is_empty());
    }
);

on_both!(
    another_organisation_looks_missing_and_the_denial_is_audited,
    |db: TestDb| async move {
        let w = world(&db).await;
        let other = db
            .authorize(
                w.assessor,
                "amey",
                Permission::ReadAssessments,
                Some("192.0.2.7"),
            )
            .await;
        let missing = db
            .authorize(w.assessor, "nowhere", Permission::ReadAssessments, None)
            .await;
        let (Err(DataError::NotFound(a)), Err(DataError::NotFound(b))) = (other, missing) else {
            panic!("both must be refused as not found");
        };
        assert_eq!(
            a, b,
            "a foreign organisation and a missing one answer alike"
        );
        let records = denials(&db).await;
        assert_eq!(records.len(), 2);
        let foreign = records
            .iter()
            .find(|r| r.event.object == "organisation:amey")
            .expect("audited");
        assert_eq!(foreign.event.organisation_id, Some(w.amey));
        assert_eq!(foreign.event.actor_id, Some(w.assessor));
        assert_eq!(foreign.event.address.as_deref(), Some("192.0.2.7"));
    }
);

on_both!(
    a_role_without_the_permission_is_refused,
    |db: TestDb| async move {
        let w = world(&db).await;
        let refused = db
            .authorize(w.assessor, "hackney", Permission::SignOff, None)
            .await;
        refused_as_missing(refused, "an assessor asking to sign off");
        assert_eq!(denials(&db).await[0].event.detail["permission"], "sign_off");
    }
);

on_both!(
    an_assurer_is_refused_once_their_period_ends,
    |db: TestDb| async move {
        let w = world(&db).await;
        db.set_membership(
            w.assurer,
            w.hackney,
            Role::ExternalAssurer,
            Some("2999-01-01T00:00:00Z"),
            "test",
        )
        .await
        .expect("member");
        db.authorize(w.assurer, "hackney", Permission::Assure, None)
            .await
            .expect("within the period");
        db.set_membership(
            w.assurer,
            w.hackney,
            Role::ExternalAssurer,
            Some("2001-01-01T00:00:00Z"),
            "test",
        )
        .await
        .expect("member");
        let after = db
            .authorize(w.assurer, "hackney", Permission::Assure, None)
            .await;
        refused_as_missing(after, "an assurer past their end date");
        let denied = denials(&db).await;
        assert_eq!(denied.len(), 1, "the refusal is audited");
        assert_eq!(denied[0].event.actor_id, Some(w.assurer));
        assert_eq!(denied[0].event.detail["permission"], "assure");
    }
);

on_both!(
    a_disabled_user_is_refused_everywhere,
    |db: TestDb| async move {
        let w = world(&db).await;
        db.disable_user(w.assessor, "test").await.expect("disable");
        let refused = db
            .authorize(w.assessor, "hackney", Permission::ReadAssessments, None)
            .await;
        refused_as_missing(refused, "a disabled user");
        assert_eq!(denials(&db).await.len(), 1, "the refusal is audited");
        let audit = support::audit_actions(&db, "user.disable").await;
        assert_eq!(audit.len(), 1);
    }
);

on_both!(
    role_changes_are_audited_with_before_and_after,
    |db: TestDb| async move {
        let w = world(&db).await;
        db.set_membership(
            w.assessor,
            w.hackney,
            Role::CafLead,
            None,
            "admin@hackney.gov.uk",
        )
        .await
        .expect("promote");
        let changes = support::audit_actions(&db, "membership.").await;
        assert_eq!(changes[0].event.detail["before"], "assessor");
        assert_eq!(changes[0].event.detail["after"], "caf_lead");
        assert_eq!(changes[0].event.organisation_id, Some(w.hackney));
        assert_eq!(
            db.authorize(w.assessor, "hackney", Permission::LeadAssessment, None)
                .await
                .expect("lead")
                .role(),
            Role::CafLead
        );
    }
);

on_both!(
    bad_or_duplicate_names_and_emails_are_refused_clearly,
    |db: TestDb| async move {
        world(&db).await;
        for slug in ["Hackney", "a", "has space", "-edge"] {
            let refused = db
                .create_organisation(slug, "Name", OrganisationKind::Council, "test")
                .await;
            assert!(matches!(refused, Err(DataError::Invalid(_))), "{slug}");
        }
        let duplicate = db
            .create_organisation("hackney", "Again", OrganisationKind::Council, "test")
            .await;
        assert!(matches!(duplicate, Err(DataError::Conflict(ref m)) if m.contains("hackney")));
        let duplicate = db
            .create_user(" ann.assessor@hackney.GOV.uk ", "Ann again", "test")
            .await;
        assert!(
            matches!(duplicate, Err(DataError::Conflict(_))),
            "emails compare case-insensitively"
        );
        for email in ["no-at-sign", "a@b", "x@.uk", "two words@x.uk"] {
            assert!(
                matches!(
                    db.create_user(email, "Someone", "test").await,
                    Err(DataError::Invalid(_))
                ),
                "{email}"
            );
        }
    }
);
