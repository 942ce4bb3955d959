//! Invitations over HTTP, on SQLite and PostgreSQL: an organisation admin's answer is the same
//! whether or not the email already has an account on the platform, and the person with an
//! account joins only when they accept on their own account page.

#[allow(dead_code, reason = "this test uses only some of the shared helpers")]
mod support;

use app::data::OrganisationKind;
use app::roles::Role;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use support::{LOCAL, Reply, TestDb, router, send, signed_in};

/// A server-function call from the app's own pages.
fn post(uri: &str, form: &str, cookie: &str) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .header(header::ORIGIN, LOCAL)
        .body(Body::from(form.to_owned()))
        .expect("request")
}

/// The answer's text with the one-time token in it replaced, so two answers can be compared.
fn shape(reply: &Reply) -> String {
    let text = reply.text();
    match text.split_once("/invite/") {
        Some((head, tail)) => {
            let rest = tail
                .trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            format!("{head}/invite/TOKEN{rest}")
        }
        None => text,
    }
}

async fn slugs(t: &TestDb, user: i64) -> Vec<String> {
    t.db.memberships_of(user)
        .await
        .expect("memberships")
        .into_iter()
        .map(|m| m.organisation.slug)
        .collect()
}

on_both!(
    the_inviter_cannot_tell_and_the_person_decides,
    |t: TestDb| async move {
        let db = &t.db;
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
        db.set_membership(admin, hackney.id, Role::OrgAdmin, None, "test")
            .await
            .expect("member");
        let bob = db
            .create_user("bob@camden.gov.uk", "Bob Smith", "test")
            .await
            .expect("user");
        db.set_membership(bob, camden.id, Role::Assessor, None, "test")
            .await
            .expect("member");
        let app = router(&t, 5);
        let admin_cookie = signed_in(db, admin).await;

        let form =
            |email: &str| format!("slug=hackney&email={email}&name=Some+One&role=reviewer&until=");
        let known = send(
            &app,
            post(
                "/api/org/invite",
                &form("bob%40camden.gov.uk"),
                &admin_cookie,
            ),
        )
        .await;
        let unknown = send(
            &app,
            post(
                "/api/org/invite",
                &form("nobody%40camden.gov.uk"),
                &admin_cookie,
            ),
        )
        .await;
        assert_eq!(known.status, StatusCode::OK, "{}", known.text());
        assert_eq!(unknown.status, StatusCode::OK, "{}", unknown.text());
        assert_eq!(shape(&known), shape(&unknown), "the same answer either way");
        assert!(shape(&known).contains("/invite/TOKEN"), "{}", known.text());
        assert_eq!(slugs(&t, bob).await, ["camden"], "Bob was not added");

        // Bob sees the invitation on his account page, and accepts it.
        let bob_cookie = signed_in(db, bob).await;
        let listed = send(&app, post("/api/account/invitations", "", &bob_cookie)).await;
        assert_eq!(listed.status, StatusCode::OK);
        let invitations: serde_json::Value = serde_json::from_slice(&listed.body).expect("JSON");
        assert_eq!(
            invitations.as_array().map(Vec::len),
            Some(1),
            "{invitations}"
        );
        assert_eq!(invitations[0]["organisation"], "London Borough of Hackney");
        let id = invitations[0]["id"].as_i64().expect("an id");

        // Nobody else can answer it for him.
        let others = send(
            &app,
            post(
                "/api/account/accept_invitation",
                &format!("id={id}"),
                &admin_cookie,
            ),
        )
        .await;
        assert_eq!(others.status, StatusCode::NOT_FOUND, "{}", others.text());

        let accepted = send(
            &app,
            post(
                "/api/account/accept_invitation",
                &format!("id={id}"),
                &bob_cookie,
            ),
        )
        .await;
        assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text());
        let mut joined = slugs(&t, bob).await;
        joined.sort();
        assert_eq!(joined, ["camden", "hackney"]);

        // Now that he is a member here, the admin sees him in the list, and is told so.
        let member = send(
            &app,
            post(
                "/api/org/invite",
                &form("bob%40camden.gov.uk"),
                &admin_cookie,
            ),
        )
        .await;
        assert_eq!(member.status, StatusCode::CONFLICT, "{}", member.text());
        assert!(
            member.text().contains("already a member"),
            "{}",
            member.text()
        );
    }
);
