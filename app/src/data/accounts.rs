//! Accounts and their factors: passwords, security keys, recovery codes, one-time links and the
//! record of failed attempts that throttling reads.

use super::audit::append_audit_in;
use super::people::organisation_from;
use super::{AuditEvent, DataError, Db, Organisation, now_utc, sha256_hex};
use crate::roles::Role;
use base64::Engine as _;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

/// How many recovery codes a user holds at a time.
pub const RECOVERY_CODE_COUNT: usize = 10;

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

/// A fresh random token: 32 bytes, base64url without padding.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Crockford's base 32: no I, L, O or U, so codes read aloud and typed without confusion.
const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A fresh recovery code of 80 random bits, as four groups of four characters.
fn random_recovery_code() -> String {
    let mut bytes = [0u8; 10];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    let mut bits: u128 = 0;
    for b in bytes {
        bits = (bits << 8) | u128::from(b);
    }
    let chars: Vec<char> = (0..16)
        .map(|i| CODE_ALPHABET[((bits >> (75 - 5 * i)) & 31) as usize] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Puts a typed recovery code in canonical form: upper case, no spaces or hyphens, and the
/// characters people confuse mapped as Crockford's base 32 maps them.
pub fn canonical_recovery_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect()
}

fn recovery_code_hash(user_id: i64, canonical: &str) -> String {
    sha256_hex(format!("recovery:{user_id}:{canonical}").as_bytes())
}

fn later(lifetime: time::Duration) -> String {
    (time::OffsetDateTime::now_utc() + lifetime)
        .format(&time::format_description::well_known::Rfc3339)
        .expect("a UTC time formats as RFC 3339")
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

    // ---- Recovery codes ------------------------------------------------------------------

    /// Replaces a user's recovery codes with ten new ones and returns them: the only time they
    /// are ever seen in clear.
    pub async fn replace_recovery_codes(
        &self,
        user_id: i64,
        event: AuditEvent,
    ) -> Result<Vec<String>, DataError> {
        let codes: Vec<String> = (0..RECOVERY_CODE_COUNT)
            .map(|_| random_recovery_code())
            .collect();
        let now = now_utc();
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        for code in &codes {
            sqlx::query(
                "INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)",
            )
            .bind(user_id)
            .bind(recovery_code_hash(user_id, &canonical_recovery_code(code)))
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        append_audit_in(&mut tx, event).await?;
        tx.commit().await?;
        Ok(codes)
    }

    /// Spends a recovery code: true if it was one of the user's and unused. A code works once.
    pub async fn use_recovery_code(&self, user_id: i64, typed: &str) -> Result<bool, DataError> {
        let canonical = canonical_recovery_code(typed);
        if canonical.len() != 16 {
            return Ok(false);
        }
        let done = sqlx::query(
            "UPDATE recovery_codes SET used_at = $1 \
             WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
        )
        .bind(now_utc())
        .bind(user_id)
        .bind(recovery_code_hash(user_id, &canonical))
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// How many unused recovery codes a user has left.
    pub async fn unused_recovery_codes(&self, user_id: i64) -> Result<i64, DataError> {
        Ok(sqlx::query(
            "SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(user_id)
        .fetch_one(self.pool())
        .await?
        .try_get("n")?)
    }

    // ---- One-time links ------------------------------------------------------------------

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

    // ---- WebAuthn ceremonies -------------------------------------------------------------

    /// Keeps the server half of a ceremony under a fresh random id, which is returned.
    pub async fn put_ceremony(
        &self,
        user_id: i64,
        kind: &str,
        state: &str,
    ) -> Result<String, DataError> {
        let id = random_token();
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        // Ceremonies older than an hour are abandoned; clear them out as we go.
        sqlx::query("DELETE FROM webauthn_ceremonies WHERE created_at < $1")
            .bind(now - 3600)
            .execute(self.pool())
            .await?;
        sqlx::query(
            "INSERT INTO webauthn_ceremonies (id, user_id, kind, state, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(user_id)
        .bind(kind)
        .bind(state)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(id)
    }

    /// Takes a ceremony out of the store (so it can be answered once), if it belongs to this
    /// user, is of this kind and started after `not_before` (unix seconds).
    pub async fn take_ceremony(
        &self,
        id: &str,
        user_id: i64,
        kind: &str,
        not_before: i64,
    ) -> Result<Option<String>, DataError> {
        let row = sqlx::query(
            "DELETE FROM webauthn_ceremonies WHERE id = $1 RETURNING user_id, kind, state, created_at",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let ok = row.try_get::<i64, _>("user_id")? == user_id
            && row.try_get::<String, _>("kind")? == kind
            && row.try_get::<i64, _>("created_at")? >= not_before;
        Ok(if ok {
            Some(row.try_get("state")?)
        } else {
            None
        })
    }

    // ---- Throttling ----------------------------------------------------------------------

    /// Charges one sign-in attempt to each subject (e.g. an account at an address, the address,
    /// the account) before any password or key is checked, and counts each subject's attempts
    /// since `since` (unix seconds), this one included. Counting after charging makes check and
    /// count one step: parallel guesses are all counted, whichever finishes first. When a subject
    /// is over its limit the charge is taken back (a refused attempt does not prolong the wait)
    /// and the answer says how many seconds to wait. Rows at or before `since` are dropped, so the
    /// table stays small under a long attack.
    pub async fn charge_sign_in_attempt(
        &self,
        subjects: &[(&str, i64)],
        since: i64,
        now: i64,
    ) -> Result<SignInCharge, DataError> {
        sqlx::query("DELETE FROM sign_in_failures WHERE at <= $1")
            .bind(since)
            .execute(self.pool())
            .await?;
        let mut ids = Vec::with_capacity(subjects.len());
        for (subject, _) in subjects {
            ids.push(
                sqlx::query(
                    "INSERT INTO sign_in_failures (subject, at) VALUES ($1, $2) RETURNING id",
                )
                .bind(*subject)
                .bind(now)
                .fetch_one(self.pool())
                .await?
                .try_get("id")?,
            );
        }
        let mut wait = 0;
        for (subject, limit) in subjects {
            let row = sqlx::query(
                "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM sign_in_failures \
                 WHERE subject = $1 AND at > $2",
            )
            .bind(*subject)
            .bind(since)
            .fetch_one(self.pool())
            .await?;
            let count: i64 = row.try_get("n")?;
            if count > *limit {
                let oldest: Option<i64> = row.try_get("oldest")?;
                let until = oldest.unwrap_or(now) + (now - since);
                wait = wait.max((until - now).max(1));
            }
        }
        let charge = SignInCharge { ids, wait };
        if wait > 0 {
            self.take_back_sign_in_attempt(&charge).await?;
        }
        Ok(charge)
    }

    /// Takes back a charged attempt (it was refused before any check, or it succeeded).
    pub async fn take_back_sign_in_attempt(&self, charge: &SignInCharge) -> Result<(), DataError> {
        for id in &charge.ids {
            sqlx::query("DELETE FROM sign_in_failures WHERE id = $1")
                .bind(id)
                .execute(self.pool())
                .await?;
        }
        Ok(())
    }

    /// Forgets every attempt charged to these subjects (after a full sign-in).
    pub async fn clear_sign_in_failures(&self, subjects: &[&str]) -> Result<(), DataError> {
        for subject in subjects {
            sqlx::query("DELETE FROM sign_in_failures WHERE subject = $1")
                .bind(*subject)
                .execute(self.pool())
                .await?;
        }
        Ok(())
    }

    /// Whether this is the first refusal of `subject` since `since`: the first is noted (and
    /// audited by the caller), later ones are not, so refusals add at most one audit record per
    /// subject per window however many requests an attacker sends.
    pub async fn first_refusal_since(
        &self,
        subject: &str,
        since: i64,
        now: i64,
    ) -> Result<bool, DataError> {
        let marker = format!("refused {subject}");
        let seen =
            sqlx::query("SELECT 1 AS one FROM sign_in_failures WHERE subject = $1 AND at > $2")
                .bind(&marker)
                .bind(since)
                .fetch_optional(self.pool())
                .await?;
        if seen.is_some() {
            return Ok(false);
        }
        sqlx::query("INSERT INTO sign_in_failures (subject, at) VALUES ($1, $2)")
            .bind(&marker)
            .bind(now)
            .execute(self.pool())
            .await?;
        Ok(true)
    }
}

/// An attempt charged against its subjects: the rows written, and how long to wait when it was
/// refused (0 when it may go ahead).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInCharge {
    /// The rows charged (already taken back when refused).
    pub ids: Vec<i64>,
    /// Seconds to wait; 0 when the attempt may go ahead.
    pub wait: i64,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_sixteen_unambiguous_characters() {
        let code = random_recovery_code();
        assert_eq!(code.len(), 19, "{code}");
        let canonical = canonical_recovery_code(&code);
        assert_eq!(canonical.len(), 16);
        assert!(canonical.bytes().all(|b| CODE_ALPHABET.contains(&b)));
        assert_ne!(random_recovery_code(), code);
    }

    #[test]
    fn typed_codes_are_forgiving() {
        assert_eq!(
            canonical_recovery_code(" ab0o-il1 "),
            "AB00111".to_owned() + ""
        );
    }
}
