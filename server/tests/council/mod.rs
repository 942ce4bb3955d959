//! A council with an assessment, for the tests that drive the real server hard (crash, load).

use app::data::Db;

/// A council made through the data layer for tests that drive the server hard: its slug, its
/// CAF lead, a CAF 4.0 assessment of the organisation and `systems` critical systems, and every
/// (scope id, outcome id) that assessment has.
#[allow(dead_code, reason = "each test that uses it reads the fields it needs")]
pub struct Council {
    pub organisation: i64,
    pub lead: i64,
    pub cells: Vec<(i64, String)>,
}

pub async fn council_assessment(db: &Db, slug: &str, systems: usize) -> Council {
    use app::data::{Actor, NewAssessment, OrganisationKind};
    use app::roles::{Permission, Role};
    let org = db
        .create_organisation(
            slug,
            &format!("{slug} Council"),
            OrganisationKind::Council,
            "test",
        )
        .await
        .expect("organisation");
    let email = format!("lead@{slug}.gov.uk");
    let lead = db.create_user(&email, "Lead", "test").await.expect("lead");
    db.set_membership(lead, org.id, Role::CafLead, None, "test")
        .await
        .expect("membership");
    let scope = db
        .authorize(lead, slug, Permission::LeadAssessment, None)
        .await
        .expect("scope");
    let profile = db.profiles_for("4.0").await.expect("profiles")[0]
        .profile
        .id
        .clone();
    let id = db
        .create_assessment(
            &scope,
            &NewAssessment {
                title: format!("{slug} CAF 2026/27"),
                period: "2026/27".into(),
                framework_version: "4.0".into(),
                profile,
                own_profile: false,
                organisation_description: String::new(),
                systems: (1..=systems)
                    .map(|n| (format!("System {n}"), String::new()))
                    .collect(),
            },
            &Actor {
                user_id: lead,
                email,
                address: None,
            },
        )
        .await
        .expect("assessment");
    let framework = caf::bundled_framework("4.0").expect("4.0");
    let mut cells = Vec::new();
    for s in db
        .assessment_summary(&scope, id)
        .await
        .expect("summary")
        .scopes
    {
        for o in framework
            .objectives
            .iter()
            .filter(|o| s.kind.objectives().contains(&o.id.as_str()))
        {
            for c in o.principles.iter().flat_map(|p| &p.outcomes) {
                cells.push((s.id, c.id.clone()));
            }
        }
    }
    Council {
        organisation: org.id,
        lead,
        cells,
    }
}
