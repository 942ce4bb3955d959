//! What sign-in keeps between requests: WebAuthn ceremonies in progress, and the attempt counts
//! that throttle guessing (charged before the check, per account and address).

use super::one_time_links::random_token;
use super::{DataError, Db};
use sqlx::Row;

impl Db {
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
