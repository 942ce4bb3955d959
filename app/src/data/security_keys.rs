//! A person's security keys (WebAuthn passkeys): listing, adding, recording use, renaming and
//! removing one (never the last), and resetting a person's factors.

use super::audit::append_audit_in;
use super::{AuditEvent, DataError, Db, now_utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

impl Db {
    /// A user's security keys, oldest first.
    pub async fn security_keys(&self, user_id: i64) -> Result<Vec<SecurityKey>, DataError> {
        let rows = sqlx::query("SELECT * FROM security_keys WHERE user_id = $1 ORDER BY id")
            .bind(user_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(key_from).collect()
    }

    /// Stores a newly registered key; a credential already registered (to anyone) is refused.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_security_key(
        &self,
        user_id: i64,
        name: &str,
        credential_id: &str,
        passkey: &str,
        backup_eligible: bool,
        backup_state: bool,
        event: AuditEvent,
    ) -> Result<i64, DataError> {
        let name = check_key_name(name)?;
        let mut tx = self.write_tx().await?;
        let id: i64 = match sqlx::query(
            "INSERT INTO security_keys (user_id, credential_id, name, passkey, sign_count, \
             backup_eligible, backup_state, created_at) VALUES ($1, $2, $3, $4, 0, $5, $6, $7) \
             RETURNING id",
        )
        .bind(user_id)
        .bind(credential_id)
        .bind(&name)
        .bind(passkey)
        .bind(i64::from(backup_eligible))
        .bind(i64::from(backup_state))
        .bind(now_utc())
        .fetch_one(&mut *tx)
        .await
        {
            Ok(row) => row.try_get("id")?,
            Err(e)
                if e.as_database_error()
                    .is_some_and(|d| d.is_unique_violation()) =>
            {
                return Err(DataError::Conflict(
                    "That security key is already registered.".into(),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        append_audit_in(
            &mut tx,
            event.with_detail(serde_json::json!({ "key_id": id, "name": name })),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Records a successful use of a key: the updated passkey, counter and backup state.
    pub async fn record_key_use(
        &self,
        key_id: i64,
        passkey: &str,
        sign_count: i64,
        backup_eligible: bool,
        backup_state: bool,
    ) -> Result<(), DataError> {
        sqlx::query(
            "UPDATE security_keys SET passkey = $1, sign_count = $2, backup_eligible = $3, \
             backup_state = $4, last_used_at = $5 WHERE id = $6",
        )
        .bind(passkey)
        .bind(sign_count)
        .bind(i64::from(backup_eligible))
        .bind(i64::from(backup_state))
        .bind(now_utc())
        .bind(key_id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Renames one of a user's keys.
    pub async fn rename_security_key(
        &self,
        user_id: i64,
        key_id: i64,
        name: &str,
        event: AuditEvent,
    ) -> Result<(), DataError> {
        let name = check_key_name(name)?;
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("UPDATE security_keys SET name = $1 WHERE id = $2 AND user_id = $3")
            .bind(&name)
            .bind(key_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(DataError::NotFound("That key was not found.".into()));
        }
        append_audit_in(
            &mut tx,
            event.with_detail(serde_json::json!({ "key_id": key_id, "name": name })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes one of a user's keys; the last one is refused, so nobody locks themselves out.
    pub async fn remove_security_key(
        &self,
        user_id: i64,
        key_id: i64,
        event: AuditEvent,
    ) -> Result<(), DataError> {
        // The user's row is taken first (a row lock on PostgreSQL, the write lock on SQLite), so
        // two removals of different keys run one after the other and the second counts what the
        // first left: together they cannot leave the user with none.
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE users SET display_name = display_name WHERE id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query(
            "DELETE FROM security_keys WHERE id = $1 AND user_id = $2 \
             AND (SELECT COUNT(*) FROM security_keys WHERE user_id = $2) > 1",
        )
        .bind(key_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            tx.rollback().await?;
            let exists = sqlx::query("SELECT id FROM security_keys WHERE id = $1 AND user_id = $2")
                .bind(key_id)
                .bind(user_id)
                .fetch_optional(self.pool())
                .await?
                .is_some();
            return Err(if exists {
                DataError::Conflict(
                    "You cannot remove your only security key. Register another key first.".into(),
                )
            } else {
                DataError::NotFound("That key was not found.".into())
            });
        }
        append_audit_in(
            &mut tx,
            event.with_detail(serde_json::json!({ "key_id": key_id })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The audited way back for a user who lost every key: removes their keys and recovery codes
    /// and ends their sessions, so their next sign-in registers a new key.
    pub async fn reset_factors(&self, user_id: i64, event: AuditEvent) -> Result<u64, DataError> {
        let mut tx = self.write_tx().await?;
        let keys = sqlx::query("DELETE FROM security_keys WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        append_audit_in(
            &mut tx,
            event.with_detail(serde_json::json!({ "keys_removed": keys })),
        )
        .await?;
        tx.commit().await?;
        Ok(keys)
    }
}

/// A registered security key or passkey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityKey {
    /// Database id.
    pub id: i64,
    /// The name its owner gave it.
    pub name: String,
    /// The credential id, base64url.
    pub credential_id: String,
    /// The webauthn-rs `Passkey`, as JSON.
    pub passkey: String,
    /// The last signature counter seen.
    pub sign_count: i64,
    /// Whether the authenticator said the credential may be backed up (synced).
    pub backup_eligible: bool,
    /// Whether it said the credential is backed up.
    pub backup_state: bool,
    /// When it was registered (UTC).
    pub created_at: String,
    /// When it last completed a sign-in (UTC).
    pub last_used_at: Option<String>,
}

fn key_from(row: &AnyRow) -> Result<SecurityKey, DataError> {
    Ok(SecurityKey {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        credential_id: row.try_get("credential_id")?,
        passkey: row.try_get("passkey")?,
        sign_count: row.try_get("sign_count")?,
        backup_eligible: row.try_get::<i64, _>("backup_eligible")? == 1,
        backup_state: row.try_get::<i64, _>("backup_state")? == 1,
        created_at: row.try_get("created_at")?,
        last_used_at: row.try_get("last_used_at")?,
    })
}

/// Checks a key's name: 1 to 60 characters after trimming.
pub fn check_key_name(name: &str) -> Result<String, DataError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(DataError::Invalid(
            "Give the key a name of 1 to 60 characters, like \"Blue YubiKey\" or \"Work laptop\"."
                .into(),
        ));
    }
    Ok(name.to_owned())
}
