//! One-time links: invitations and the first administrator's set-up link, made, opened and
//! accepted once.

use super::audit::append_audit_in;
use super::{AuditEvent, DataError, Db, now_utc, sha256_hex};
use crate::roles::Role;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sqlx::Row;

impl Db {
    /// Stores a one-time link and returns its token (shown once; only its hash is kept). A new
    /// set-up link replaces any unused earlier one.
    pub async fn create_link(&self, link: &NewLink, actor: &str) -> Result<String, DataError> {
        let email = link
            .email
            .as_deref()
            .map(super::people::normalise_email)
            .transpose()?;
        let token = random_token();
        let mut tx = self.write_tx().await?;
        if link.purpose == LinkPurpose::Setup {
            sqlx::query("DELETE FROM one_time_links WHERE purpose = 'setup' AND used_at IS NULL")
                .execute(&mut *tx)
                .await?;
        }
        super::invitations::retire_earlier_invitations(&mut tx, link, email.as_deref()).await?;
        let id: i64 = sqlx::query(
            "INSERT INTO one_time_links (token_hash, purpose, email, display_name, \
             organisation_id, role, platform_admin, created_by, created_at, expires_at, \
             membership_expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(sha256_hex(token.as_bytes()))
        .bind(link.purpose.key())
        .bind(&email)
        .bind(link.display_name.as_deref().map(str::trim))
        .bind(link.membership.map(|(org, _)| org))
        .bind(link.membership.map(|(_, role)| role.key()))
        .bind(i64::from(link.platform_admin))
        .bind(link.created_by)
        .bind(now_utc())
        .bind(later(link.lifetime))
        .bind(link.membership.and(link.membership_until.as_deref()))
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        let mut event = AuditEvent::by(
            actor,
            &format!("link.{}", link.purpose.key()),
            format!("link:{id}"),
        );
        event.actor_id = link.created_by;
        event.organisation_id = link.membership.map(|(org, _)| org);
        let event = event.with_detail(serde_json::json!({
            "email": email,
            "role": link.membership.map(|(_, role)| role.key()),
            "expires_at": link.membership.and(link.membership_until.as_deref()),
            "platform_admin": link.platform_admin,
        }));
        append_audit_in(&mut tx, event).await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The link behind a token, if it is unused and unexpired.
    pub async fn open_link(&self, token: &str) -> Result<Option<OpenLink>, DataError> {
        let row = sqlx::query(
            "SELECT l.id, l.purpose, l.email, l.display_name, l.role, l.platform_admin, \
             l.expires_at, o.name AS organisation FROM one_time_links l \
             LEFT JOIN organisations o ON o.id = l.organisation_id \
             WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > $2",
        )
        .bind(sha256_hex(token.as_bytes()))
        .bind(now_utc())
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let purpose: String = row.try_get("purpose")?;
        Ok(Some(OpenLink {
            id: row.try_get("id")?,
            purpose: if purpose == "setup" {
                LinkPurpose::Setup
            } else {
                LinkPurpose::Invite
            },
            email: row.try_get("email")?,
            display_name: row.try_get("display_name")?,
            organisation: row.try_get("organisation")?,
            role: row
                .try_get::<Option<String>, _>("role")?
                .as_deref()
                .and_then(Role::from_key),
            platform_admin: row.try_get::<i64, _>("platform_admin")? == 1,
            expires_at: row.try_get("expires_at")?,
        }))
    }

    /// Uses a link: creates the account with its password (and membership), all or nothing, and
    /// returns the new user's id. A used, expired or unknown link is refused.
    pub async fn accept_link(
        &self,
        token: &str,
        acceptance: &LinkAcceptance<'_>,
        address: Option<&str>,
    ) -> Result<i64, DataError> {
        let expired = || {
            DataError::NotFound(
                "This link has expired or has already been used. Ask your administrator for a new one."
                    .into(),
            )
        };
        let now = now_utc();
        let mut tx = self.write_tx().await?;
        let row = sqlx::query(
            "UPDATE one_time_links SET used_at = $1 \
             WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 \
             RETURNING id, purpose, email, organisation_id, role, platform_admin, \
             membership_expires_at",
        )
        .bind(&now)
        .bind(sha256_hex(token.as_bytes()))
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(expired)?;
        let link_id: i64 = row.try_get("id")?;
        let purpose: String = row.try_get("purpose")?;
        let fixed_email: Option<String> = row.try_get("email")?;
        let organisation_id: Option<i64> = row.try_get("organisation_id")?;
        let role: Option<String> = row.try_get("role")?;
        let platform_admin: i64 = row.try_get("platform_admin")?;
        let until: Option<String> = row.try_get("membership_expires_at")?;
        let email = match fixed_email {
            Some(email) => email,
            None => super::people::normalise_email(acceptance.email)?,
        };
        let display_name = acceptance.display_name.trim();
        if display_name.is_empty() || display_name.chars().count() > 200 {
            return Err(DataError::Invalid(
                "Enter your name (at most 200 characters).".into(),
            ));
        }
        let user_id: i64 = match sqlx::query(
            "INSERT INTO users (email, display_name, password_hash, webauthn_user_id, \
             is_platform_admin, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(&email)
        .bind(display_name)
        .bind(acceptance.password_hash)
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(platform_admin)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await
        {
            Ok(row) => row.try_get("id")?,
            Err(e)
                if e.as_database_error()
                    .is_some_and(|d| d.is_unique_violation()) =>
            {
                return Err(DataError::Conflict(format!(
                    "There is already an account for {email}: sign in, and accept the invitation on your account page."
                )));
            }
            Err(e) => return Err(e.into()),
        };
        if let (Some(organisation_id), Some(role)) = (organisation_id, &role) {
            sqlx::query(
                "INSERT INTO memberships (user_id, organisation_id, role, expires_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(user_id)
            .bind(organisation_id)
            .bind(role)
            .bind(&until)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        let mut event = AuditEvent::by(
            &email,
            &format!("link.{purpose}.accept"),
            format!("user:{user_id}"),
        );
        event.actor_id = Some(user_id);
        event.organisation_id = organisation_id;
        event.address = address.map(str::to_owned);
        append_audit_in(
            &mut tx,
            event.with_detail(serde_json::json!({
                "link": link_id,
                "role": role,
                "platform_admin": platform_admin == 1,
            })),
        )
        .await?;
        tx.commit().await?;
        Ok(user_id)
    }
}

/// What a one-time link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkPurpose {
    /// The first-run link that creates the first platform administrator.
    Setup,
    /// An invitation to a new user.
    Invite,
}

impl LinkPurpose {
    fn key(self) -> &'static str {
        match self {
            Self::Setup => "setup",
            Self::Invite => "invite",
        }
    }
}

/// A new one-time link, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLink {
    /// Set-up or invitation.
    pub purpose: LinkPurpose,
    /// The invited person's email (none for the set-up link: the person types it).
    pub email: Option<String>,
    /// The invited person's name, as the administrator typed it.
    pub display_name: Option<String>,
    /// The organisation and role the person joins, if any.
    pub membership: Option<(i64, Role)>,
    /// When that membership ends (UTC, RFC 3339), if it is time-limited.
    pub membership_until: Option<String>,
    /// Whether the new account administers the platform.
    pub platform_admin: bool,
    /// The administrator who made it.
    pub created_by: Option<i64>,
    /// How long it stays usable.
    pub lifetime: time::Duration,
}

/// A stored one-time link that can still be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenLink {
    /// Database id.
    pub id: i64,
    /// Set-up or invitation.
    pub purpose: LinkPurpose,
    /// The invited email, if fixed by the link.
    pub email: Option<String>,
    /// The invited name, if given.
    pub display_name: Option<String>,
    /// The organisation's name, when the link adds a membership.
    pub organisation: Option<String>,
    /// The role in it.
    pub role: Option<Role>,
    /// Whether the new account administers the platform.
    pub platform_admin: bool,
    /// When it stops working (UTC).
    pub expires_at: String,
}

/// What the person typed when using a one-time link. Its `Debug` leaves the hash out.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkAcceptance<'a> {
    /// Their email (ignored when the link fixes one).
    pub email: &'a str,
    /// Their name.
    pub display_name: &'a str,
    /// The argon2id hash of the password they chose.
    pub password_hash: &'a str,
}

/// A fresh random token: 32 bytes, base64url without padding.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn later(lifetime: time::Duration) -> String {
    (time::OffsetDateTime::now_utc() + lifetime)
        .format(&time::format_description::well_known::Rfc3339)
        .expect("a UTC time formats as RFC 3339")
}
