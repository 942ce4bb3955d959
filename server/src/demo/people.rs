//! The demo council's people: one account per role, created the way `server admin create` and
//! an accepted invitation create them, with a generated password and no key yet, so that the
//! first sign-in registers a security key or passkey.

use anyhow::{Context, bail};
use app::data::{Actor, Db, LinkAcceptance, LinkPurpose, NewLink, OrgScope, Organisation};
use app::roles::{Permission, Role};

/// Someone in the demo council.
#[derive(Debug, Clone, Copy)]
pub struct Person {
    /// Their role in the organisation.
    pub role: Role,
    /// Their email address (a reserved `.example` domain: no mail goes anywhere).
    pub email: &'static str,
    /// Their name.
    pub name: &'static str,
    /// Their job, as a council would write it.
    pub job: &'static str,
}

/// Everyone the demo creates, in the order they are printed.
pub const CAST: [Person; 8] = [
    Person {
        role: Role::CafLead,
        email: "helen.okafor@borsetshire.example",
        name: "Helen Okafor",
        job: "Cyber Security Manager",
    },
    Person {
        role: Role::Assessor,
        email: "tom.barker@borsetshire.example",
        name: "Tom Barker",
        job: "Infrastructure and Operations Lead",
    },
    Person {
        role: Role::Assessor,
        email: "aisha.rahman@borsetshire.example",
        name: "Aisha Rahman",
        job: "Information Governance Officer",
    },
    Person {
        role: Role::Reviewer,
        email: "david.lloyd@borsetshire.example",
        name: "David Lloyd",
        job: "Head of Internal Audit",
    },
    Person {
        role: Role::Approver,
        email: "margaret.ellison@borsetshire.example",
        name: "Margaret Ellison",
        job: "Director of Resources and SIRO",
    },
    Person {
        role: Role::BoardViewer,
        email: "peter.hughes@borsetshire.example",
        name: "Cllr Peter Hughes",
        job: "Chair, Audit and Governance Committee",
    },
    Person {
        role: Role::ExternalAssurer,
        email: "sam.whitfield@felpersham-assurance.example",
        name: "Sam Whitfield",
        job: "Independent assurer, Felpersham Assurance Partners",
    },
    Person {
        role: Role::OrgAdmin,
        email: "gareth.price@borsetshire.example",
        name: "Gareth Price",
        job: "ICT Service Manager",
    },
];

/// A created account: who, their password (printed once), and how they act.
#[derive(Debug, Clone)]
pub struct Member {
    /// Who they are.
    pub person: Person,
    /// The generated password.
    pub password: String,
    /// Their audit identity.
    pub actor: Actor,
}

/// The members by job in the demo's story.
#[derive(Debug, Clone)]
pub struct Team {
    /// Every member, in [`CAST`] order.
    pub members: Vec<Member>,
}

impl Team {
    /// The `n`th member (0-based) with `role`.
    pub fn with(&self, role: Role, n: usize) -> &Member {
        self.members
            .iter()
            .filter(|m| m.person.role == role)
            .nth(n)
            .expect("the cast has this role")
    }

    /// The CAF lead.
    pub fn lead(&self) -> &Member {
        self.with(Role::CafLead, 0)
    }

    /// The first or second assessor.
    pub fn assessor(&self, n: usize) -> &Member {
        self.with(Role::Assessor, n % 2)
    }

    /// The reviewer.
    pub fn reviewer(&self) -> &Member {
        self.with(Role::Reviewer, 0)
    }

    /// The approver (SIRO).
    pub fn approver(&self) -> &Member {
        self.with(Role::Approver, 0)
    }

    /// The external assurer.
    pub fn assurer(&self) -> &Member {
        self.with(Role::ExternalAssurer, 0)
    }
}

/// Refuses if any demo email already has an account, before anything is created.
pub async fn check_free(db: &Db) -> anyhow::Result<()> {
    for person in CAST {
        if db.account_by_email(person.email).await?.is_some() {
            bail!(
                "there is already an account for {}; the demo needs its own people, so nothing was changed",
                person.email
            );
        }
    }
    Ok(())
}

/// Creates every account with its role in `org`. The external assurer's role runs for a year.
pub async fn create_team(db: &Db, org: &Organisation, actor: &str) -> anyhow::Result<Team> {
    let mut members = Vec::new();
    for person in CAST {
        let password = new_password(&person)?;
        let hash = app::auth::password::hash_password(&password)
            .map_err(|e| anyhow::anyhow!("cannot hash a password: {e}"))?;
        let token = db
            .create_link(
                &NewLink {
                    purpose: LinkPurpose::Invite,
                    email: Some(person.email.to_owned()),
                    display_name: Some(person.name.to_owned()),
                    membership: Some((org.id, person.role)),
                    membership_until: None,
                    platform_admin: false,
                    created_by: None,
                    lifetime: time::Duration::minutes(1),
                },
                actor,
            )
            .await?;
        let user_id = db
            .accept_link(
                &token,
                &LinkAcceptance {
                    email: person.email,
                    display_name: person.name,
                    password_hash: &hash,
                },
                None,
            )
            .await?;
        if person.role == Role::ExternalAssurer {
            let until = (time::OffsetDateTime::now_utc() + time::Duration::days(365))
                .replace_nanosecond(0)?
                .format(&time::format_description::well_known::Rfc3339)?;
            db.set_membership(user_id, org.id, person.role, Some(&until), actor)
                .await?;
        }
        members.push(Member {
            person,
            password,
            actor: Actor {
                user_id,
                email: person.email.to_owned(),
                address: None,
            },
        });
    }
    Ok(Team { members })
}

/// The scope through which `member` acts in the demo organisation, checked as for a signed-in
/// person.
pub async fn scope(db: &Db, slug: &str, member: &Member) -> anyhow::Result<OrgScope> {
    let permission = match member.person.role {
        Role::CafLead => Permission::LeadAssessment,
        Role::Assessor => Permission::EditAnswers,
        Role::Reviewer => Permission::Review,
        Role::Approver => Permission::SignOff,
        Role::ExternalAssurer => Permission::Assure,
        Role::BoardViewer => Permission::ReadReports,
        Role::OrgAdmin => Permission::ManageMembers,
    };
    db.authorize(member.actor.user_id, slug, permission, None)
        .await
        .with_context(|| format!("{} cannot act in {slug}", member.person.email))
}

/// Crockford's base 32 in lower case: no i, l, o or u to misread.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// A fresh random password of 100 bits in five groups of four, such as `k7qm-x3vp-t9rw-b2hz-4nd8`,
/// checked against the password policy. Each character takes five bits of the random part of a
/// fresh version-4 UUID (its last byte is wholly random).
fn new_password(person: &Person) -> anyhow::Result<String> {
    loop {
        let chars: Vec<char> = (0..20)
            .map(|_| ALPHABET[(uuid::Uuid::new_v4().as_u128() & 31) as usize] as char)
            .collect();
        let password = chars
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("-");
        if app::auth::password::check_new_password(&password, &[person.email, person.name]).is_ok()
        {
            return Ok(password);
        }
    }
}
