//! Accounts and their factors: passwords, security keys, recovery codes, one-time links and the
//! record of failed attempts that throttling reads.

use super::audit::append_audit_in;
use super::people::organisation_from;
use super::{AuditEvent, DataError, Db, Organisation, now_utc};
use crate::roles::Role;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

/// A user as the sign-in code needs them. Its `Debug` shows the password hash as redacted.
#[derive(Debug, Clone)]
pub struct Account {
    /// Database id.
    pub id: i64,
    /// Normalised email address.
    pub email: String,
    /// The person's name.
    pub display_name: String,
    /// PHC string of the argon2id hash, once a password is set; kept secret from logs.
    pub password_hash: Option<SecretString>,
    /// The random user handle WebAuthn credentials are bound to.
    pub webauthn_user_id: String,
    /// Manages organisations and users of the instance.
    pub is_platform_admin: bool,
    /// Disabled accounts can do nothing.
    pub disabled: bool,
}

fn account_from(row: &AnyRow) -> Result<Account, DataError> {
    Ok(Account {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        display_name: row.try_get("display_name")?,
        password_hash: row
            .try_get::<Option<String>, _>("password_hash")?
            .map(SecretString::from),
        webauthn_user_id: row.try_get("webauthn_user_id")?,
        is_platform_admin: row.try_get::<i64, _>("is_platform_admin")? == 1,
        disabled: row.try_get::<Option<String>, _>("disabled_at")?.is_some(),
    })
}

const ACCOUNT_COLUMNS: &str =
    "id, email, display_name, password_hash, webauthn_user_id, is_platform_admin, disabled_at";

/// A membership as listed to its holder or to an administrator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    /// The organisation.
    pub organisation: Organisation,
    /// The role there.
    pub role: Role,
    /// When it ends, if it is time-limited (external assurers).
    pub expires_at: Option<String>,
}

/// A member of an organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// User id.
    pub user_id: i64,
    /// Email.
    pub email: String,
    /// Name.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// End of a time-limited membership.
    pub expires_at: Option<String>,
    /// Whether the account is disabled.
    pub disabled: bool,
}

/// A user as listed to administrators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    /// Database id.
    pub id: i64,
    /// Email address.
    pub email: String,
    /// Name.
    pub display_name: String,
    /// Platform administrator or not.
    pub is_platform_admin: bool,
    /// When it was disabled, if it was.
    pub disabled_at: Option<String>,
    /// How many keys it has.
    pub keys: i64,
}

impl Db {
    /// The account with this email, if any (the email is normalised first).
    pub async fn account_by_email(&self, email: &str) -> Result<Option<Account>, DataError> {
        let email = email.trim().to_lowercase();
        sqlx::query(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM users WHERE email = $1"
        ))
        .bind(email)
        .fetch_optional(self.pool())
        .await?
        .as_ref()
        .map(account_from)
        .transpose()
    }

    /// The account with this id, if any.
    pub async fn account(&self, user_id: i64) -> Result<Option<Account>, DataError> {
        sqlx::query(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM users WHERE id = $1"
        ))
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?
        .as_ref()
        .map(account_from)
        .transpose()
    }

    /// Replaces a user's password hash (used to upgrade old parameters after a sign-in).
    pub async fn set_password_hash(&self, user_id: i64, phc: &str) -> Result<(), DataError> {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(phc)
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// How many platform administrators exist (disabled ones included).
    pub async fn count_platform_admins(&self) -> Result<i64, DataError> {
        Ok(
            sqlx::query("SELECT COUNT(*) AS n FROM users WHERE is_platform_admin = 1")
                .fetch_one(self.pool())
                .await?
                .try_get("n")?,
        )
    }

    /// Makes a user a platform administrator, or not.
    pub async fn set_platform_admin(
        &self,
        user_id: i64,
        admin: bool,
        actor: &str,
    ) -> Result<(), DataError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE users SET is_platform_admin = $1 WHERE id = $2")
            .bind(i64::from(admin))
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        append_audit_in(
            &mut tx,
            AuditEvent::by(actor, "user.platform_admin", format!("user:{user_id}"))
                .with_detail(serde_json::json!({ "after": admin })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every user, for platform administrators.
    pub async fn list_users(&self) -> Result<Vec<UserSummary>, DataError> {
        let rows = sqlx::query(
            "SELECT u.id, u.email, u.display_name, u.is_platform_admin, u.disabled_at, \
             (SELECT COUNT(*) FROM security_keys k WHERE k.user_id = u.id) AS keys \
             FROM users u ORDER BY u.display_name, u.id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(UserSummary {
                    id: row.try_get("id")?,
                    email: row.try_get("email")?,
                    display_name: row.try_get("display_name")?,
                    is_platform_admin: row.try_get::<i64, _>("is_platform_admin")? == 1,
                    disabled_at: row.try_get("disabled_at")?,
                    keys: row.try_get("keys")?,
                })
            })
            .collect()
    }

    /// The organisations a user belongs to, with their role (expired memberships left out).
    pub async fn memberships_of(&self, user_id: i64) -> Result<Vec<Membership>, DataError> {
        let rows = sqlx::query(
            "SELECT o.id, o.slug, o.name, o.kind, m.role, m.expires_at FROM memberships m \
             JOIN organisations o ON o.id = m.organisation_id \
             WHERE m.user_id = $1 AND (m.expires_at IS NULL OR m.expires_at > $2) ORDER BY o.name",
        )
        .bind(user_id)
        .bind(now_utc())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(membership_from).collect()
    }

    /// Every organisation with its member count, for platform administrators.
    pub async fn list_organisations(&self) -> Result<Vec<(Organisation, i64)>, DataError> {
        let rows = sqlx::query(
            "SELECT o.id, o.slug, o.name, o.kind, \
             (SELECT COUNT(*) FROM memberships m WHERE m.organisation_id = o.id) AS members \
             FROM organisations o ORDER BY o.name",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| Ok((organisation_from(row)?, row.try_get("members")?)))
            .collect()
    }

    /// The organisation with this short name, if any.
    pub async fn organisation_by_slug(
        &self,
        slug: &str,
    ) -> Result<Option<Organisation>, DataError> {
        sqlx::query("SELECT id, slug, name, kind FROM organisations WHERE slug = $1")
            .bind(slug)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(organisation_from)
            .transpose()
    }

    /// The members of the organisation a scope opens.
    pub async fn members(&self, scope: &super::OrgScope) -> Result<Vec<Member>, DataError> {
        let rows = sqlx::query(
            "SELECT u.id, u.email, u.display_name, u.disabled_at, m.role, m.expires_at \
             FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.organisation_id = $1 ORDER BY u.display_name, u.id",
        )
        .bind(scope.organisation_id())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let role: String = row.try_get("role")?;
                Ok(Member {
                    user_id: row.try_get("id")?,
                    email: row.try_get("email")?,
                    display_name: row.try_get("display_name")?,
                    role: Role::from_key(&role)
                        .ok_or_else(|| DataError::Document(format!("unknown role {role:?}")))?,
                    expires_at: row.try_get("expires_at")?,
                    disabled: row.try_get::<Option<String>, _>("disabled_at")?.is_some(),
                })
            })
            .collect()
    }

    /// Removes a member from the organisation a scope opens.
    pub async fn remove_membership(
        &self,
        scope: &super::OrgScope,
        user_id: i64,
        event: AuditEvent,
    ) -> Result<(), DataError> {
        let mut tx = self.write_tx().await?;
        let before: Option<String> = sqlx::query(
            "DELETE FROM memberships WHERE organisation_id = $1 AND user_id = $2 RETURNING role",
        )
        .bind(scope.organisation_id())
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.try_get("role"))
        .transpose()?;
        let Some(before) = before else {
            return Err(DataError::NotFound("That person is not a member.".into()));
        };
        let mut event = event;
        event.organisation_id = Some(scope.organisation_id());
        append_audit_in(
            &mut tx,
            event.with_detail(serde_json::json!({ "before": before, "after": null })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- Security keys -------------------------------------------------------------------

    // ---- Recovery codes ------------------------------------------------------------------

    // ---- One-time links ------------------------------------------------------------------

    // ---- WebAuthn ceremonies -------------------------------------------------------------

    // ---- Throttling ----------------------------------------------------------------------
}

fn membership_from(row: &AnyRow) -> Result<Membership, DataError> {
    let role: String = row.try_get("role")?;
    Ok(Membership {
        organisation: organisation_from(row)?,
        role: Role::from_key(&role)
            .ok_or_else(|| DataError::Document(format!("unknown role {role:?}")))?,
        expires_at: row.try_get("expires_at")?,
    })
}
