//! Invitations to people who already have an account. Nobody joins an organisation without
//! saying yes: an invitation waits, listed on the person's account page, until they accept or
//! decline it (or it expires), and the inviter is told the same whether or not the email
//! already has an account.

use super::audit::append_audit_in;
use super::{AuditEvent, DataError, Db, NewLink, now_utc};
use crate::roles::Role;
use serde::{Deserialize, Serialize};
use sqlx::Row;

/// An invitation waiting for its person's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    /// The invitation's id (the one-time link's).
    pub id: i64,
    /// The organisation's name, when it offers a membership.
    pub organisation: Option<String>,
    /// The role offered there.
    pub role: Option<Role>,
    /// When that membership would end (UTC), if it is time-limited.
    pub membership_expires_at: Option<String>,
    /// Whether it makes the person a platform administrator.
    pub platform_admin: bool,
    /// Who sent it, by name, if they still have an account.
    pub invited_by: Option<String>,
    /// When it stops working (UTC).
    pub expires_at: String,
}

/// The answer to a missing, expired, answered or someone else's invitation.
fn gone() -> DataError {
    DataError::NotFound(
        "That invitation has expired or has already been answered. Ask your administrator to invite you again."
            .into(),
    )
}

/// Before a new invitation is stored: an unanswered earlier one to the same email and
/// organisation stops working, so a person never holds two offers from one organisation.
pub(super) async fn retire_earlier_invitations(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    link: &NewLink,
    email: Option<&str>,
) -> Result<(), DataError> {
    let (Some(email), Some((organisation_id, _))) = (email, link.membership) else {
        return Ok(());
    };
    sqlx::query(
        "UPDATE one_time_links SET expires_at = $1 WHERE purpose = 'invite' AND used_at IS NULL \
         AND email = $2 AND organisation_id = $3 AND expires_at > $1",
    )
    .bind(now_utc())
    .bind(email)
    .bind(organisation_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Takes an open invitation of the user's own email out of use, in the transaction, and
/// returns its organisation, role, membership end and platform flag.
async fn take(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user_id: i64,
    invitation_id: i64,
) -> Result<(Option<i64>, Option<String>, Option<String>, bool, String), DataError> {
    let now = now_utc();
    let row = sqlx::query(
        "UPDATE one_time_links SET used_at = $1 \
         WHERE id = $2 AND purpose = 'invite' AND used_at IS NULL AND expires_at > $1 \
         AND email = (SELECT email FROM users WHERE id = $3 AND disabled_at IS NULL) \
         RETURNING organisation_id, role, membership_expires_at, platform_admin, email",
    )
    .bind(&now)
    .bind(invitation_id)
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(gone)?;
    Ok((
        row.try_get("organisation_id")?,
        row.try_get("role")?,
        row.try_get("membership_expires_at")?,
        row.try_get::<i64, _>("platform_admin")? == 1,
        row.try_get("email")?,
    ))
}

impl Db {
    /// The open invitations to this user's email, newest first.
    pub async fn invitations_for(&self, user_id: i64) -> Result<Vec<Invitation>, DataError> {
        let rows = sqlx::query(
            "SELECT l.id, o.name AS organisation, l.role, l.membership_expires_at, \
             l.platform_admin, c.display_name AS invited_by, l.expires_at \
             FROM one_time_links l JOIN users u ON u.email = l.email \
             LEFT JOIN organisations o ON o.id = l.organisation_id \
             LEFT JOIN users c ON c.id = l.created_by \
             WHERE u.id = $1 AND u.disabled_at IS NULL AND l.purpose = 'invite' \
             AND l.used_at IS NULL AND l.expires_at > $2 ORDER BY l.id DESC",
        )
        .bind(user_id)
        .bind(now_utc())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let role: Option<String> = row.try_get("role")?;
                Ok(Invitation {
                    id: row.try_get("id")?,
                    organisation: row.try_get("organisation")?,
                    role: role
                        .map(|key| {
                            Role::from_key(&key)
                                .ok_or_else(|| DataError::Document(format!("unknown role {key:?}")))
                        })
                        .transpose()?,
                    membership_expires_at: row.try_get("membership_expires_at")?,
                    platform_admin: row.try_get::<i64, _>("platform_admin")? == 1,
                    invited_by: row.try_get("invited_by")?,
                    expires_at: row.try_get("expires_at")?,
                })
            })
            .collect()
    }

    /// Accepts one of the user's own open invitations: the membership it offers (replacing any
    /// role the user had there) and the platform role, and its audit record, all at once.
    pub async fn accept_invitation(
        &self,
        user_id: i64,
        invitation_id: i64,
        address: Option<&str>,
    ) -> Result<(), DataError> {
        let mut tx = self.write_tx().await?;
        let (organisation_id, role, until, platform_admin, email) =
            take(&mut tx, user_id, invitation_id).await?;
        let mut before: Option<String> = None;
        if let (Some(organisation_id), Some(role)) = (organisation_id, &role) {
            before = sqlx::query(
                "SELECT role FROM memberships WHERE user_id = $1 AND organisation_id = $2",
            )
            .bind(user_id)
            .bind(organisation_id)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get("role"))
            .transpose()?;
            sqlx::query(
                "INSERT INTO memberships (user_id, organisation_id, role, expires_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, organisation_id) DO UPDATE \
                 SET role = excluded.role, expires_at = excluded.expires_at",
            )
            .bind(user_id)
            .bind(organisation_id)
            .bind(role)
            .bind(&until)
            .bind(now_utc())
            .execute(&mut *tx)
            .await?;
        }
        if platform_admin {
            sqlx::query("UPDATE users SET is_platform_admin = 1 WHERE id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        let mut event =
            AuditEvent::by(&email, "invitation.accept", format!("link:{invitation_id}"));
        event.actor_id = Some(user_id);
        event.organisation_id = organisation_id;
        event.address = address.map(str::to_owned);
        let event = event.with_detail(serde_json::json!({
            "before": before,
            "after": role,
            "expires_at": until,
            "platform_admin": platform_admin,
        }));
        append_audit_in(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Declines one of the user's own open invitations: it stops working, nothing else changes.
    pub async fn decline_invitation(
        &self,
        user_id: i64,
        invitation_id: i64,
        address: Option<&str>,
    ) -> Result<(), DataError> {
        let mut tx = self.write_tx().await?;
        let (organisation_id, role, _, platform_admin, email) =
            take(&mut tx, user_id, invitation_id).await?;
        let mut event = AuditEvent::by(
            &email,
            "invitation.decline",
            format!("link:{invitation_id}"),
        );
        event.actor_id = Some(user_id);
        event.organisation_id = organisation_id;
        event.address = address.map(str::to_owned);
        let event = event.with_detail(serde_json::json!({
            "role": role,
            "platform_admin": platform_admin,
        }));
        append_audit_in(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether the person with this email is a current member of the organisation (what its
    /// admins already see in the list of members).
    pub async fn is_member_by_email(
        &self,
        organisation_id: i64,
        email: &str,
    ) -> Result<bool, DataError> {
        let email = super::normalise_email(email)?;
        Ok(sqlx::query(
            "SELECT 1 AS one FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.organisation_id = $1 AND u.email = $2 \
             AND (m.expires_at IS NULL OR m.expires_at > $3)",
        )
        .bind(organisation_id)
        .bind(email)
        .bind(now_utc())
        .fetch_optional(self.pool())
        .await?
        .is_some())
    }
}
