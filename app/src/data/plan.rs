//! The improvement plan: actions proposed against an outcome, accepted, updated and listed.

use super::assessments::{Actor, need, not_found, outcome_object, signed_off, too_long};
use super::audit::append_audit_in;
use super::{DataError, Db, OrgScope, now_utc};
use crate::assess::{
    ActionStatus, MAX_ACTIONS_PER_OUTCOME, MAX_OWNER, PlanAction, ScopeState, valid_date,
};
use crate::roles::Permission;
use sqlx::Row;

impl Db {
    /// Proposes an improvement action for an outcome (assurer or CAF lead; the CAF lead's own
    /// actions are agreed at once).
    #[allow(clippy::too_many_arguments)]
    pub async fn propose_action(
        &self,
        org: &OrgScope,
        scope_id: i64,
        outcome_id: &str,
        description: &str,
        owner: &str,
        due: Option<&str>,
        actor: &Actor,
    ) -> Result<i64, DataError> {
        let lead = org.role().can(Permission::LeadAssessment);
        if !lead && !org.role().can(Permission::Assure) {
            return Err(not_found());
        }
        let scope = self.scope_row(org, scope_id).await?;
        if scope.state == ScopeState::SignedOff && !lead {
            return Err(signed_off());
        }
        let mut problems = Vec::new();
        if description.trim().is_empty() {
            problems.push("Say what the action is.");
        }
        if owner.trim().is_empty() {
            problems.push("Name who owns the action.");
        }
        if owner.chars().count() > MAX_OWNER {
            problems.push("The owner's name is too long: at most 200 characters.");
        }
        let due = due.map(str::trim).filter(|d| !d.is_empty());
        if due.is_some_and(|d| !valid_date(d)) {
            problems.push("Enter the due date as a date, like 2027-03-31.");
        }
        if !problems.is_empty() {
            return Err(DataError::Invalid(problems.join(" ")));
        }
        too_long(description, "action")?;
        let exists = sqlx::query(
            "SELECT 1 AS one FROM scope_outcomes WHERE scope_id = $1 AND outcome_id = $2",
        )
        .bind(scope_id)
        .bind(outcome_id)
        .fetch_optional(self.pool())
        .await?;
        if exists.is_none() {
            return Err(not_found());
        }
        let actions: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM plan_actions WHERE scope_id = $1 AND outcome_id = $2",
        )
        .bind(scope_id)
        .bind(outcome_id)
        .fetch_one(self.pool())
        .await?
        .try_get("n")?;
        if actions >= MAX_ACTIONS_PER_OUTCOME as i64 {
            return Err(DataError::Invalid(format!(
                "This outcome already has {MAX_ACTIONS_PER_OUTCOME} actions, the most one outcome may have: close or merge some first."
            )));
        }
        let now = now_utc();
        let status = if lead {
            ActionStatus::Open
        } else {
            ActionStatus::Proposed
        };
        let mut tx = self.write_tx().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO plan_actions (scope_id, outcome_id, description, owner, due_date, status, \
             proposed_by, proposed_at, accepted_by, accepted_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(scope_id)
        .bind(outcome_id)
        .bind(description.trim())
        .bind(owner.trim())
        .bind(due)
        .bind(status.key())
        .bind(org.user_id())
        .bind(&now)
        .bind(lead.then_some(org.user_id()))
        .bind(lead.then_some(now.clone()))
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        append_audit_in(
            &mut tx,
            actor.event(
                org,
                "plan.propose",
                outcome_object(scope_id, outcome_id),
                serde_json::json!({ "action": id, "description": description.trim(), "owner": owner.trim(), "due": due, "status": status.key() }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes a plan action's status and notes (CAF lead): accepting a proposal makes it open.
    pub async fn update_action(
        &self,
        org: &OrgScope,
        action_id: i64,
        status: ActionStatus,
        notes: &str,
        actor: &Actor,
    ) -> Result<(), DataError> {
        need(org, Permission::LeadAssessment)?;
        too_long(notes, "note")?;
        let row = sqlx::query(
            "SELECT p.scope_id, p.outcome_id, p.status, p.notes FROM plan_actions p \
             JOIN scopes s ON s.id = p.scope_id JOIN assessments a ON a.id = s.assessment_id \
             WHERE p.id = $1 AND a.organisation_id = $2",
        )
        .bind(action_id)
        .bind(org.organisation_id())
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(not_found)?;
        let before: String = row.try_get("status")?;
        let scope_id: i64 = row.try_get("scope_id")?;
        let outcome_id: String = row.try_get("outcome_id")?;
        if status == ActionStatus::Proposed && before != "proposed" {
            return Err(DataError::Invalid(
                "An agreed action cannot go back to proposed.".into(),
            ));
        }
        let accepting = before == "proposed" && status != ActionStatus::Proposed;
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "UPDATE plan_actions SET status = $1, notes = $2, \
             accepted_by = CASE WHEN $3 = 1 THEN $4 ELSE accepted_by END, \
             accepted_at = CASE WHEN $3 = 1 THEN $5 ELSE accepted_at END, \
             closed_at = CASE WHEN $7 = 0 THEN NULL WHEN closed_at IS NULL THEN $5 \
             ELSE closed_at END WHERE id = $6",
        )
        .bind(status.key())
        .bind(notes.trim())
        .bind(i64::from(accepting))
        .bind(org.user_id())
        .bind(now_utc())
        .bind(action_id)
        .bind(i64::from(status.closed()))
        .execute(&mut *tx)
        .await?;
        append_audit_in(
            &mut tx,
            actor.event(
                org,
                "plan.update",
                outcome_object(scope_id, &outcome_id),
                serde_json::json!({ "action": action_id, "before": before, "after": status.key(), "notes": notes.trim() }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// An assessment's improvement plan (or one outcome's part of it).
    pub async fn plan(
        &self,
        org: &OrgScope,
        assessment_id: i64,
        only: Option<(i64, &str)>,
    ) -> Result<Vec<PlanAction>, DataError> {
        need(org, Permission::ReadAssessments)?;
        self.assessment_of(org, assessment_id).await?;
        sqlx::query(
            "SELECT p.id, p.scope_id, p.outcome_id, p.description, p.owner, p.due_date, p.status, \
             p.notes, u.display_name FROM plan_actions p JOIN scopes s ON s.id = p.scope_id \
             JOIN assessments a ON a.id = s.assessment_id LEFT JOIN users u ON u.id = p.proposed_by \
             WHERE a.id = $1 AND a.organisation_id = $2 AND ($3 IS NULL OR p.scope_id = $3) \
             AND ($4 IS NULL OR p.outcome_id = $4) ORDER BY s.position, p.outcome_id, p.id",
        )
        .bind(assessment_id)
        .bind(org.organisation_id())
        .bind(only.map(|o| o.0))
        .bind(only.map(|o| o.1.to_owned()))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            let status: String = r.try_get("status")?;
            Ok(PlanAction {
                id: r.try_get("id")?,
                scope_id: r.try_get("scope_id")?,
                outcome: r.try_get("outcome_id")?,
                description: r.try_get("description")?,
                owner: r.try_get("owner")?,
                due: r.try_get("due_date")?,
                status: ActionStatus::from_key(&status)
                    .ok_or_else(|| DataError::Document(format!("action status {status:?}")))?,
                notes: r.try_get("notes")?,
                proposed_by: r
                    .try_get::<Option<String>, _>("display_name")?
                    .unwrap_or_default(),
            })
        })
        .collect()
    }
}
