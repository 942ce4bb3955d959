//! Organisations, people and memberships, and the one check that opens an organisation's data.

use super::audit::append_audit_in;
use super::{AuditEvent, DataError, Db, now_utc};
use crate::roles::{Permission, Role};
use serde::{Deserialize, Serialize};
use sqlx::Row;

/// Whether an organisation is a council or a partner hosted on the same instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    /// A council.
    Council,
    /// A partner organisation sharing the council's instance.
    Partner,
}

impl OrganisationKind {
    /// The key it is stored under.
    pub fn key(self) -> &'static str {
        match self {
            Self::Council => "council",
            Self::Partner => "partner",
        }
    }

    /// The kind stored under `key`, if any.
    pub fn from_key(key: &str) -> Option<Self> {
        [Self::Council, Self::Partner]
            .into_iter()
            .find(|k| k.key() == key)
    }
}

/// Reads an organisation from a row with `id`, `slug`, `name` and `kind` columns.
pub(super) fn organisation_from(row: &sqlx::any::AnyRow) -> Result<Organisation, DataError> {
    let kind: String = row.try_get("kind")?;
    Ok(Organisation {
        id: row.try_get("id")?,
        slug: row.try_get("slug")?,
        name: row.try_get("name")?,
        kind: OrganisationKind::from_key(&kind)
            .ok_or_else(|| DataError::Document(format!("unknown organisation kind {kind:?}")))?,
    })
}

/// An organisation as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    /// Database id.
    pub id: i64,
    /// Short name used in addresses, e.g. `hackney`.
    pub slug: String,
    /// Full name, e.g. "London Borough of Hackney".
    pub name: String,
    /// Council or partner.
    pub kind: OrganisationKind,
}

/// Proof that one user may act in one organisation with one role, checked just now.
///
/// Only [`Db::authorize`] makes one, and data functions for an organisation's records take it, so
/// code that was never granted access cannot reach another organisation's rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgScope {
    organisation_id: i64,
    user_id: i64,
    role: Role,
}

impl OrgScope {
    /// The organisation this scope opens.
    pub fn organisation_id(&self) -> i64 {
        self.organisation_id
    }

    /// The user acting.
    pub fn user_id(&self) -> i64 {
        self.user_id
    }

    /// The user's role there.
    pub fn role(&self) -> Role {
        self.role
    }
}

fn valid_slug(slug: &str) -> bool {
    (2..=40).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
}

/// Lower-cases and checks an email address; the message says what is wrong.
pub fn normalise_email(email: &str) -> Result<String, DataError> {
    let email = email.trim().to_lowercase();
    let ok = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !email.chars().any(char::is_whitespace);
    if ok {
        Ok(email)
    } else {
        Err(DataError::Invalid(
            "Enter an email address in the correct format, like name@council.gov.uk".into(),
        ))
    }
}

fn is_unique_violation(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .is_some_and(|e| e.is_unique_violation())
}

impl Db {
    /// Creates an organisation; a taken or malformed short name is refused with a message.
    pub async fn create_organisation(
        &self,
        slug: &str,
        name: &str,
        kind: OrganisationKind,
        actor: &str,
    ) -> Result<Organisation, DataError> {
        let slug = slug.trim();
        let name = name.trim();
        if !valid_slug(slug) {
            return Err(DataError::Invalid(
                "The short name must be 2 to 40 lower-case letters, digits or hyphens, like hackney or north-yorkshire.".into(),
            ));
        }
        if name.is_empty() || name.chars().count() > 200 {
            return Err(DataError::Invalid(
                "Enter the organisation's name (at most 200 characters).".into(),
            ));
        }
        let mut tx = self.write_tx().await?;
        let id: i64 = match sqlx::query(
            "INSERT INTO organisations (slug, name, kind, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(slug)
        .bind(name)
        .bind(kind.key())
        .bind(now_utc())
        .fetch_one(&mut *tx)
        .await
        {
            Ok(row) => row.try_get("id")?,
            Err(e) if is_unique_violation(&e) => {
                return Err(DataError::Conflict(format!("An organisation with the short name {slug} already exists.")));
            }
            Err(e) => return Err(e.into()),
        };
        let mut event =
            AuditEvent::by(actor, "organisation.create", format!("organisation:{slug}"));
        event.organisation_id = Some(id);
        append_audit_in(
            &mut tx,
            event.with_detail(serde_json::json!({ "name": name, "kind": kind })),
        )
        .await?;
        tx.commit().await?;
        Ok(Organisation {
            id,
            slug: slug.to_owned(),
            name: name.to_owned(),
            kind,
        })
    }

    /// Creates a user with no password or key yet; returns the new id.
    pub async fn create_user(
        &self,
        email: &str,
        display_name: &str,
        actor: &str,
    ) -> Result<i64, DataError> {
        let email = normalise_email(email)?;
        let display_name = display_name.trim();
        if display_name.is_empty() || display_name.chars().count() > 200 {
            return Err(DataError::Invalid(
                "Enter the person's name (at most 200 characters).".into(),
            ));
        }
        let mut tx = self.write_tx().await?;
        let id: i64 = match sqlx::query(
            "INSERT INTO users (email, display_name, webauthn_user_id, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(&email)
        .bind(display_name)
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(now_utc())
        .fetch_one(&mut *tx)
        .await
        {
            Ok(row) => row.try_get("id")?,
            Err(e) if is_unique_violation(&e) => {
                return Err(DataError::Conflict(format!(
                    "There is already an account for {email}."
                )));
            }
            Err(e) => return Err(e.into()),
        };
        let mut event = AuditEvent::by(actor, "user.create", format!("user:{id}"));
        event.detail = serde_json::json!({ "email": email });
        append_audit_in(&mut tx, event).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Gives a user a role in an organisation (replacing any earlier one), optionally until a time.
    pub async fn set_membership(
        &self,
        user_id: i64,
        organisation_id: i64,
        role: Role,
        expires_at: Option<&str>,
        actor: &str,
    ) -> Result<(), DataError> {
        let mut tx = self.write_tx().await?;
        let before: Option<String> =
            sqlx::query("SELECT role FROM memberships WHERE user_id = $1 AND organisation_id = $2")
                .bind(user_id)
                .bind(organisation_id)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.try_get("role"))
                .transpose()?;
        sqlx::query(
            "INSERT INTO memberships (user_id, organisation_id, role, expires_at, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, organisation_id) DO UPDATE SET \
             role = excluded.role, expires_at = excluded.expires_at",
        )
        .bind(user_id)
        .bind(organisation_id)
        .bind(role.key())
        .bind(expires_at)
        .bind(now_utc())
        .execute(&mut *tx)
        .await?;
        let mut event = AuditEvent::by(actor, "membership.set", format!("user:{user_id}"));
        event.organisation_id = Some(organisation_id);
        let event = event.with_detail(serde_json::json!({
            "before": before,
            "after": role.key(),
            "expires_at": expires_at,
        }));
        append_audit_in(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Disables a user: from now on every check refuses them.
    pub async fn disable_user(&self, user_id: i64, actor: &str) -> Result<(), DataError> {
        let mut tx = self.write_tx().await?;
        let done =
            sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NULL")
                .bind(now_utc())
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() > 0 {
            append_audit_in(
                &mut tx,
                AuditEvent::by(actor, "user.disable", format!("user:{user_id}")),
            )
            .await?;
        }
        tx.commit().await?;
        // Every check refuses a disabled user; ending the sessions now also frees their rows.
        self.end_user_sessions(user_id, None).await?;
        Ok(())
    }

    /// Checks that `user_id` may do `permission` in the organisation `slug`, and returns the scope
    /// that opens its data. Any refusal looks the same as a missing organisation, and is audited.
    pub async fn authorize(
        &self,
        user_id: i64,
        slug: &str,
        permission: Permission,
        address: Option<&str>,
    ) -> Result<OrgScope, DataError> {
        let row = sqlx::query(
            "SELECT o.id AS organisation_id, m.role, m.expires_at, u.disabled_at \
             FROM organisations o \
             JOIN memberships m ON m.organisation_id = o.id \
             JOIN users u ON u.id = m.user_id \
             WHERE o.slug = $1 AND m.user_id = $2",
        )
        .bind(slug)
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?;
        let now = now_utc();
        let granted = match &row {
            Some(row) => {
                let role: String = row.try_get("role")?;
                let expires_at: Option<String> = row.try_get("expires_at")?;
                let disabled_at: Option<String> = row.try_get("disabled_at")?;
                Role::from_key(&role).filter(|role| {
                    disabled_at.is_none()
                        && expires_at.as_deref().is_none_or(|e| e > now.as_str())
                        && role.can(permission)
                })
            }
            None => None,
        };
        match (row, granted) {
            (Some(row), Some(role)) => Ok(OrgScope {
                organisation_id: row.try_get("organisation_id")?,
                user_id,
                role,
            }),
            _ => {
                let organisation_id: Option<i64> =
                    sqlx::query("SELECT id FROM organisations WHERE slug = $1")
                        .bind(slug)
                        .fetch_optional(self.pool())
                        .await?
                        .map(|r| r.try_get("id"))
                        .transpose()?;
                let mut event = AuditEvent::by(
                    format!("user:{user_id}"),
                    "access.denied",
                    format!("organisation:{slug}"),
                );
                event.actor_id = Some(user_id);
                event.organisation_id = organisation_id;
                event.address = address.map(str::to_owned);
                self.append_audit(
                    event.with_detail(serde_json::json!({ "permission": permission })),
                )
                .await?;
                Err(DataError::NotFound("That page was not found.".into()))
            }
        }
    }
}
