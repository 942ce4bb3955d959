//! A scope's workflow: submit for review, return with comments, review, assure and sign off,
//! each one atomic decision over the scope's row.

use super::assessments::{Actor, need};
use super::audit::append_audit_in;
use super::comments::insert_comment;
use super::{DataError, Db, OrgScope, now_utc};
use crate::assess::{ScopeState, WorkflowAction, transition};
use sqlx::Row;

impl Db {
    /// Moves a scope one step along the workflow. Returning needs a comment, which is stored on
    /// the outcome given (or the scope's first outcome). Signing off freezes a snapshot.
    pub async fn workflow_step(
        &self,
        org: &OrgScope,
        scope_id: i64,
        action: WorkflowAction,
        comment: Option<(&str, &str)>,
        actor: &Actor,
    ) -> Result<ScopeState, DataError> {
        need(org, action.permission())?;
        let scope = self.scope_row(org, scope_id).await?;
        let next = transition(scope.state, action, org.role())
            .map_err(|m| DataError::Conflict(m.to_owned()))?;
        if action.needs_comment() && comment.is_none_or(|(_, body)| body.trim().is_empty()) {
            return Err(DataError::Invalid(
                "Say what needs to change: returning needs a comment.".into(),
            ));
        }
        let now = now_utc();
        let snapshot = if next == ScopeState::SignedOff {
            Some(self.build_snapshot(org, &scope, Some(actor), &now).await?)
        } else {
            None
        };
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE scopes SET state = $1, state_changed_at = $2 WHERE id = $3 AND state = $4",
        )
        .bind(next.key())
        .bind(&now)
        .bind(scope_id)
        .bind(scope.state.key())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(DataError::Conflict(
                "Someone moved this scope on while you were looking: reload the page.".into(),
            ));
        }
        // Checked after taking the scope's row, in the same transaction: no save can slip in
        // between the check and the move.
        if action == WorkflowAction::Submit {
            let row = sqlx::query(
                "SELECT COALESCE(SUM(CASE WHEN confirmed_status IS NULL THEN 1 ELSE 0 END), 0) AS unconfirmed, \
                 COALESCE(SUM(CASE WHEN carried_from IS NOT NULL AND reconfirmed_at IS NULL \
                 THEN 1 ELSE 0 END), 0) AS waiting FROM scope_outcomes WHERE scope_id = $1",
            )
            .bind(scope_id)
            .fetch_one(&mut *tx)
            .await?;
            let unconfirmed: i64 = row.try_get("unconfirmed")?;
            let waiting: i64 = row.try_get("waiting")?;
            let mut problems = Vec::new();
            if unconfirmed > 0 {
                problems.push(format!(
                    "Confirm a status for every outcome before submitting: {unconfirmed} still to confirm."
                ));
            }
            if waiting > 0 {
                problems.push(format!(
                    "Re-confirm every outcome carried forward from last year before submitting: {waiting} still carried forward, not yet re-confirmed."
                ));
            }
            if !problems.is_empty() {
                return Err(DataError::Invalid(problems.join(" ")));
            }
        }
        if let Some((outcome_id, body)) = comment.filter(|(_, b)| !b.trim().is_empty()) {
            insert_comment(&mut tx, scope_id, outcome_id, org.user_id(), body, &now).await?;
        }
        if let Some((content, hash)) = &snapshot {
            sqlx::query(
                "INSERT INTO snapshots (scope_id, assessment_id, content, sha256, signed_by, signed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(scope_id)
            .bind(scope.assessment_id)
            .bind(content)
            .bind(hash)
            .bind(org.user_id())
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        append_audit_in(
            &mut tx,
            actor.event(
                org,
                &format!("scope.{}", action.key()),
                format!("scope:{scope_id}"),
                serde_json::json!({
                    "before": scope.state.key(), "after": next.key(),
                    "comment": comment.map(|c| c.1),
                    "snapshot_sha256": snapshot.as_ref().map(|s| &s.1),
                }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(next)
    }
}
