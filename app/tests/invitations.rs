//! Invitations on SQLite and PostgreSQL: someone who already has an account joins another
//! organisation only by accepting the invitation on their account page; a new person uses the
//! link; either way the membership offered (and its end date) is what they get.

mod support;

use support::{TestDb, audit_actions};

use app::data::{DataError, LinkAcceptance, LinkPurpose, NewLink, OrganisationKind};
use app::roles::{Permission, Role};

struct World {
    hackney: i64,
    camden: i64,
    admin: i64,
    bob: i64,
}

/// Hackney with its admin; Camden with Bob, an assessor there.
async fn world(db: &TestDb) -> World {
    let hackney = db
        .create_organisation(
            "hackney",
            "London Borough of Hackney",
            OrganisationKind::Council,
            "test",
        )
        .await
        .expect("org");
    let camden = db
        .create_organisation(
            "camden",
            "London Borough of Camden",
            OrganisationKind::Council,
            "test",
        )
        .await
        .expect("org");
    let admin = db
        .create_user("admin@hackney.gov.uk", "Ada Admin", "test")
        .await
        .expect("user");
    let bob = db
        .create_user("bob@camden.gov.uk", "Bob Smith", "test")
        .await
        .expect("user");
    db.set_membership(admin, hackney.id, Role::OrgAdmin, None, "test")
        .await
        .expect("member");
    db.set_membership(bob, camden.id, Role::Assessor, None, "test")
        .await
        .expect("member");
    World {
        hackney: hackney.id,
        camden: camden.id,
        admin,
        bob,
    }
}

/// An invitation to Hackney as the admin sends it; returns the link's token.
async fn invite(db: &TestDb, w: &World, email: &str, role: Role, until: Option<&str>) -> String {
    db.create_link(
        &NewLink {
            purpose: LinkPurpose::Invite,
            email: Some(email.to_owned()),
            display_name: Some("Invited person".into()),
            membership: Some((w.hackney, role)),
            membership_until: until.map(str::to_owned),
            platform_admin: false,
            created_by: Some(w.admin),
            lifetime: time::Duration::days(7),
        },
        "admin@hackney.gov.uk",
    )
    .await
    .expect("an invitation to an existing account is stored like any other")
}

async fn slugs(db: &TestDb, user: i64) -> Vec<String> {
    db.memberships_of(user)
        .await
        .expect("memberships")
        .into_iter()
        .map(|m| m.organisation.slug)
        .collect()
}

on_both!(
    an_existing_account_joins_only_by_accepting,
    |db: TestDb| async move {
        let w = world(&db).await;
        invite(
            &db,
            &w,
            " Bob@Camden.gov.uk ",
            Role::ExternalAssurer,
            Some("2999-03-31T23:59:59Z"),
        )
        .await;
        assert_eq!(
            slugs(&db, w.bob).await,
            ["camden"],
            "not added by being invited"
        );
        assert!(
            db.authorize(w.bob, "hackney", Permission::OpenOrganisation, None)
                .await
                .is_err()
        );
        let waiting = db.invitations_for(w.bob).await.expect("list");
        assert_eq!(waiting.len(), 1);
        assert_eq!(
            waiting[0].organisation.as_deref(),
            Some("London Borough of Hackney")
        );
        assert_eq!(waiting[0].role, Some(Role::ExternalAssurer));
        assert_eq!(waiting[0].invited_by.as_deref(), Some("Ada Admin"));
        assert!(
            db.invitations_for(w.admin).await.expect("list").is_empty(),
            "only the invited person sees it"
        );

        let refused = db.accept_invitation(w.admin, waiting[0].id, None).await;
        assert!(
            matches!(refused, Err(DataError::NotFound(_))),
            "{refused:?}"
        );
        assert_eq!(slugs(&db, w.admin).await, ["hackney"]);

        db.accept_invitation(w.bob, waiting[0].id, Some("192.0.2.9"))
            .await
            .expect("accept");
        let joined = db.memberships_of(w.bob).await.expect("memberships");
        let hackney = joined
            .iter()
            .find(|m| m.organisation.id == w.hackney)
            .expect("now a member of Hackney");
        assert_eq!(hackney.role, Role::ExternalAssurer);
        assert_eq!(hackney.expires_at.as_deref(), Some("2999-03-31T23:59:59Z"));
        assert!(joined.iter().any(|m| m.organisation.id == w.camden));
        let records = audit_actions(&db, "invitation.accept").await;
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].event.actor_id, Some(w.bob));
        assert_eq!(records[0].event.organisation_id, Some(w.hackney));
        assert_eq!(records[0].event.detail["after"], "external_assurer");

        assert!(db.invitations_for(w.bob).await.expect("list").is_empty());
        let again = db.accept_invitation(w.bob, waiting[0].id, None).await;
        assert!(matches!(again, Err(DataError::NotFound(_))), "{again:?}");
    }
);

on_both!(
    declining_changes_nothing_but_the_invitation,
    |db: TestDb| async move {
        let w = world(&db).await;
        invite(&db, &w, "bob@camden.gov.uk", Role::Reviewer, None).await;
        let id = db.invitations_for(w.bob).await.expect("list")[0].id;
        db.decline_invitation(w.bob, id, None)
            .await
            .expect("decline");
        assert_eq!(slugs(&db, w.bob).await, ["camden"]);
        assert!(db.invitations_for(w.bob).await.expect("list").is_empty());
        let late = db.accept_invitation(w.bob, id, None).await;
        assert!(matches!(late, Err(DataError::NotFound(_))), "{late:?}");
        let records = audit_actions(&db, "invitation.decline").await;
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].event.organisation_id, Some(w.hackney));
    }
);

on_both!(
    a_new_invitation_replaces_an_unanswered_one_and_expired_ones_vanish,
    |db: TestDb| async move {
        let w = world(&db).await;
        invite(&db, &w, "bob@camden.gov.uk", Role::Reviewer, None).await;
        invite(&db, &w, "bob@camden.gov.uk", Role::Approver, None).await;
        let waiting = db.invitations_for(w.bob).await.expect("list");
        assert_eq!(waiting.len(), 1, "{waiting:?}");
        assert_eq!(waiting[0].role, Some(Role::Approver));
        db.raw_execute("UPDATE one_time_links SET expires_at = '2001-01-01T00:00:00Z'")
            .await
            .expect("expire");
        assert!(db.invitations_for(w.bob).await.expect("list").is_empty());
        let expired = db.accept_invitation(w.bob, waiting[0].id, None).await;
        assert!(
            matches!(expired, Err(DataError::NotFound(_))),
            "{expired:?}"
        );
        assert_eq!(slugs(&db, w.bob).await, ["camden"]);
    }
);

on_both!(
    the_link_cannot_make_a_second_account_and_stays_usable,
    |db: TestDb| async move {
        let w = world(&db).await;
        let token = invite(&db, &w, "bob@camden.gov.uk", Role::Reviewer, None).await;
        let refused = db
            .accept_link(
                &token,
                &LinkAcceptance {
                    email: "",
                    display_name: "Bob Smith",
                    password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
                },
                None,
            )
            .await;
        match refused {
            Err(DataError::Conflict(message)) => {
                assert!(message.contains("account page"), "{message}")
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
        assert!(
            db.open_link(&token).await.expect("open").is_some(),
            "the link is not spent"
        );
        assert_eq!(db.invitations_for(w.bob).await.expect("list").len(), 1);
        assert_eq!(slugs(&db, w.bob).await, ["camden"]);
    }
);

on_both!(
    a_new_person_gets_the_offered_end_date_through_the_link,
    |db: TestDb| async move {
        let w = world(&db).await;
        let token = invite(
            &db,
            &w,
            "assurer@audit.example",
            Role::ExternalAssurer,
            Some("2999-06-30T23:59:59Z"),
        )
        .await;
        let user = db
            .accept_link(
                &token,
                &LinkAcceptance {
                    email: "",
                    display_name: "Ann Assurer",
                    password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
                },
                None,
            )
            .await
            .expect("accept the link");
        let memberships = db.memberships_of(user).await.expect("memberships");
        assert_eq!(memberships.len(), 1);
        assert_eq!(memberships[0].role, Role::ExternalAssurer);
        assert_eq!(
            memberships[0].expires_at.as_deref(),
            Some("2999-06-30T23:59:59Z"),
            "an assurer's access ends when the invitation said"
        );
    }
);
