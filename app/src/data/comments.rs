//! Review comments on an outcome: adding, resolving and listing them.

use super::assessments::{Actor, need, not_found, outcome_object, signed_off, too_long};
use super::audit::append_audit_in;
use super::{DataError, Db, OrgScope, now_utc};
use crate::assess::{CommentView, ScopeState};
use crate::roles::Permission;
use sqlx::{Any, Row, Transaction};

impl Db {
    /// Adds a comment to an outcome's thread.
    pub async fn add_comment(
        &self,
        org: &OrgScope,
        scope_id: i64,
        outcome_id: &str,
        body: &str,
        actor: &Actor,
    ) -> Result<i64, DataError> {
        need(org, Permission::Comment)?;
        let scope = self.scope_row(org, scope_id).await?;
        if scope.state == ScopeState::SignedOff {
            return Err(signed_off());
        }
        let body = body.trim();
        if body.is_empty() {
            return Err(DataError::Invalid("Write a comment first.".into()));
        }
        too_long(body, "comment")?;
        let mut tx = self.write_tx().await?;
        let id = insert_comment(
            &mut tx,
            scope_id,
            outcome_id,
            org.user_id(),
            body,
            &now_utc(),
        )
        .await?;
        append_audit_in(
            &mut tx,
            actor.event(
                org,
                "comment.add",
                outcome_object(scope_id, outcome_id),
                serde_json::json!({ "comment": id, "body": body }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Marks a comment resolved.
    pub async fn resolve_comment(
        &self,
        org: &OrgScope,
        comment_id: i64,
        actor: &Actor,
    ) -> Result<(), DataError> {
        need(org, Permission::Comment)?;
        let row = sqlx::query(
            "SELECT c.scope_id, c.outcome_id FROM comments c JOIN scopes s ON s.id = c.scope_id \
             JOIN assessments a ON a.id = s.assessment_id \
             WHERE c.id = $1 AND a.organisation_id = $2",
        )
        .bind(comment_id)
        .bind(org.organisation_id())
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(not_found)?;
        let scope_id: i64 = row.try_get("scope_id")?;
        let outcome_id: String = row.try_get("outcome_id")?;
        if self.scope_row(org, scope_id).await?.state == ScopeState::SignedOff {
            return Err(signed_off());
        }
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE comments SET resolved_at = $1, resolved_by = $2 WHERE id = $3 AND resolved_at IS NULL",
        )
        .bind(now_utc())
        .bind(org.user_id())
        .bind(comment_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            // Already resolved: nothing changed, so nothing to record.
            return Ok(());
        }
        append_audit_in(
            &mut tx,
            actor.event(
                org,
                "comment.resolve",
                outcome_object(scope_id, &outcome_id),
                serde_json::json!({ "comment": comment_id }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// An outcome's comment thread, oldest first.
    pub async fn comments(
        &self,
        org: &OrgScope,
        scope_id: i64,
        outcome_id: &str,
    ) -> Result<Vec<CommentView>, DataError> {
        need(org, Permission::ReadAssessments)?;
        self.scope_row(org, scope_id).await?;
        sqlx::query(
            "SELECT c.id, a.display_name AS author, m.role, c.body, c.created_at, c.resolved_at, \
             r.display_name AS resolver FROM comments c JOIN users a ON a.id = c.author_id \
             LEFT JOIN memberships m ON m.user_id = c.author_id AND m.organisation_id = $3 \
             LEFT JOIN users r ON r.id = c.resolved_by \
             WHERE c.scope_id = $1 AND c.outcome_id = $2 ORDER BY c.id",
        )
        .bind(scope_id)
        .bind(outcome_id)
        .bind(org.organisation_id())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            let author: String = r.try_get("author")?;
            let role: Option<String> = r.try_get("role")?;
            let role = role
                .as_deref()
                .and_then(crate::roles::Role::from_key)
                .map(|r| format!(" ({})", r.label()))
                .unwrap_or_default();
            let resolved_at: Option<String> = r.try_get("resolved_at")?;
            let resolver: Option<String> = r.try_get("resolver")?;
            Ok(CommentView {
                id: r.try_get("id")?,
                author: format!("{author}{role}"),
                body: r.try_get("body")?,
                created_at: r.try_get("created_at")?,
                resolved: resolved_at.map(|at| (resolver.unwrap_or_default(), at)),
            })
        })
        .collect()
    }
}

pub(super) async fn insert_comment(
    tx: &mut Transaction<'_, Any>,
    scope_id: i64,
    outcome_id: &str,
    author: i64,
    body: &str,
    now: &str,
) -> Result<i64, DataError> {
    too_long(body, "comment")?;
    let exists =
        sqlx::query("SELECT 1 AS one FROM scope_outcomes WHERE scope_id = $1 AND outcome_id = $2")
            .bind(scope_id)
            .bind(outcome_id)
            .fetch_optional(&mut **tx)
            .await?;
    if exists.is_none() {
        return Err(not_found());
    }
    Ok(sqlx::query(
        "INSERT INTO comments (scope_id, outcome_id, author_id, body, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(scope_id)
    .bind(outcome_id)
    .bind(author)
    .bind(body.trim())
    .bind(now)
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?)
}
