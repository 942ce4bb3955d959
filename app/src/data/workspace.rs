//! The composite reads behind the dashboard, the outcome page and the plan: few queries each,
//! so that a 41-outcome, three-scope assessment stays quick.

use super::assessments::{ScopeRow, need, not_found, scope_outcomes, today_utc};
use super::{DataError, Db, OrgScope};
use crate::assess::{
    Dashboard, GridCell, OutcomeWorkspace, PlanView, ScopeGrid, available_actions, is_stale,
};
use crate::roles::Permission;
use caf::Status;
use sqlx::Row;
use std::collections::BTreeMap;

impl Db {
    /// The dashboard of an assessment: one grid per scope.
    pub async fn dashboard(&self, org: &OrgScope, id: i64) -> Result<Dashboard, DataError> {
        let assessment = self.assessment_summary(org, id).await?;
        let targets = self.assessment_targets(org, id).await?;
        let framework = self.framework_text(&assessment.framework_version).await?;
        let today = today_utc();
        let rows = sqlx::query(
            "SELECT o.scope_id, o.outcome_id, o.confirmed_status, o.suggested_status, o.answered, \
             o.due_date, u.display_name, \
             CAST(CASE WHEN o.carried_from IS NOT NULL AND o.reconfirmed_at IS NULL THEN 1 ELSE 0 END AS BIGINT) AS waiting, \
             (SELECT COUNT(*) FROM comments c WHERE c.scope_id = o.scope_id \
                AND c.outcome_id = o.outcome_id AND c.resolved_at IS NULL) AS open_comments, \
             (SELECT COUNT(*) FROM evidence_links l WHERE l.scope_id = o.scope_id \
                AND l.outcome_id = o.outcome_id) AS evidence, \
             (SELECT COUNT(*) FROM evidence_links l JOIN evidence e ON e.id = l.evidence_id \
                WHERE l.scope_id = o.scope_id AND l.outcome_id = o.outcome_id \
                AND e.review_by IS NOT NULL AND e.review_by < $2) AS stale \
             FROM scope_outcomes o JOIN scopes s ON s.id = o.scope_id \
             LEFT JOIN users u ON u.id = o.assignee_id WHERE s.assessment_id = $1",
        )
        .bind(id)
        .bind(&today)
        .fetch_all(self.pool())
        .await?;
        let mut by_key = BTreeMap::new();
        for r in &rows {
            let scope_id: i64 = r.try_get("scope_id")?;
            let outcome: String = r.try_get("outcome_id")?;
            by_key.insert((scope_id, outcome), r);
        }
        let signed: BTreeMap<i64, (String, String, String)> = self
            .sign_offs(id)
            .await?
            .into_iter()
            .map(|(scope, s)| (scope, (s.sha256, s.approver, s.signed_at)))
            .collect();
        let mut grids = Vec::new();
        for scope in &assessment.scopes {
            let mut cells = Vec::new();
            for outcome in scope_outcomes(&framework, scope.kind) {
                let Some(r) = by_key.get(&(scope.id, outcome.id.clone())) else {
                    continue;
                };
                let confirmed = status_of(r.try_get("confirmed_status")?);
                let suggested =
                    status_of(Some(r.try_get("suggested_status")?)).unwrap_or(Status::NotAchieved);
                let due: Option<String> = r.try_get("due_date")?;
                let objective = framework
                    .objective_of(&outcome.id)
                    .map(|o| o.id.clone())
                    .unwrap_or_default();
                cells.push(GridCell {
                    outcome: outcome.id.clone(),
                    title: outcome.title.clone(),
                    objective,
                    answered: (r.try_get("answered")?, outcome.indicators.len() as i64),
                    flagged: confirmed.is_some_and(|c| c != suggested),
                    overdue: confirmed.is_none()
                        && scope.state.editable()
                        && is_stale(due.as_deref(), &today),
                    confirmed,
                    suggested,
                    target: targets.get(&outcome.id).copied(),
                    assignee: r.try_get("display_name")?,
                    due,
                    open_comments: r.try_get("open_comments")?,
                    stale_evidence: r.try_get("stale")?,
                    evidence: r.try_get("evidence")?,
                    carried_waiting: r.try_get::<i64, _>("waiting")? == 1,
                });
            }
            grids.push(ScopeGrid {
                scope: scope.clone(),
                cells,
                signed: signed.get(&scope.id).cloned(),
            });
        }
        Ok(Dashboard {
            assessment,
            grids,
            role: org.role(),
            assignable: if org.role().can(Permission::LeadAssessment) {
                self.assignable_members(org).await?
            } else {
                Vec::new()
            },
        })
    }

    /// Everything the outcome page shows for one outcome of one scope.
    pub async fn outcome_workspace(
        &self,
        org: &OrgScope,
        scope_id: i64,
        outcome_id: &str,
    ) -> Result<OutcomeWorkspace, DataError> {
        let scope: ScopeRow = self.scope_row(org, scope_id).await?;
        let assessment = self.assessment_summary(org, scope.assessment_id).await?;
        let framework = self.framework_text(&scope.framework_version).await?;
        let outcomes = scope_outcomes(&framework, scope.kind);
        let position = outcomes
            .iter()
            .position(|o| o.id == outcome_id)
            .ok_or_else(not_found)?;
        let outcome = outcomes[position].clone();
        let principle = framework
            .principle_of(outcome_id)
            .map(|p| (p.id.clone(), p.title.clone()))
            .unwrap_or_default();
        let record = self.outcome_record(org, scope_id, outcome_id).await?;
        let targets = self.assessment_targets(org, scope.assessment_id).await?;
        let assigned = sqlx::query(
            "SELECT u.display_name, o.due_date FROM scope_outcomes o \
             LEFT JOIN users u ON u.id = o.assignee_id WHERE o.scope_id = $1 AND o.outcome_id = $2",
        )
        .bind(scope_id)
        .bind(outcome_id)
        .fetch_one(self.pool())
        .await?;
        let evidence = self.outcome_evidence(org, scope_id, outcome_id).await?;
        let other_evidence = self
            .list_evidence(org)
            .await?
            .into_iter()
            .filter(|e| !evidence.iter().any(|l| l.id == e.id))
            .map(|e| (e.id, e.fields.title))
            .collect();
        Ok(OutcomeWorkspace {
            scope: scope.summary(),
            principle,
            attribution: framework.attribution.clone(),
            target: targets.get(outcome_id).copied(),
            assignee: assigned.try_get("display_name")?,
            due: assigned.try_get("due_date")?,
            evidence,
            other_evidence,
            comments: self.comments(org, scope_id, outcome_id).await?,
            actions: self
                .plan(org, scope.assessment_id, Some((scope_id, outcome_id)))
                .await?,
            history: self.outcome_history(org, scope_id, outcome_id).await?,
            role: org.role(),
            actions_available: available_actions(scope.state, org.role()),
            neighbours: (
                position
                    .checked_sub(1)
                    .and_then(|p| outcomes.get(p))
                    .map(|o| o.id.clone()),
                outcomes.get(position + 1).map(|o| o.id.clone()),
            ),
            sign_off: self.sign_offs(scope.assessment_id).await?.remove(&scope_id),
            carry: self.carry_note(org, scope_id, outcome_id).await?,
            record,
            outcome,
            assessment,
            max_upload: 0,
        })
    }

    /// The first outcome of a scope (where a scope-level return comment is filed).
    pub async fn first_outcome(&self, org: &OrgScope, scope_id: i64) -> Result<String, DataError> {
        need(org, Permission::ReadAssessments)?;
        let scope = self.scope_row(org, scope_id).await?;
        let framework = self.framework_text(&scope.framework_version).await?;
        scope_outcomes(&framework, scope.kind)
            .first()
            .map(|o| o.id.clone())
            .ok_or_else(not_found)
    }

    /// Checks that evidence could be linked to this outcome now (before anything is stored).
    pub async fn check_linkable(
        &self,
        org: &OrgScope,
        scope_id: i64,
        outcome_id: &str,
    ) -> Result<(), DataError> {
        need(org, Permission::EditAnswers)?;
        let scope = self.scope_row(org, scope_id).await?;
        if !scope.state.editable() {
            return Err(DataError::Conflict(format!(
                "This scope is {}: evidence links cannot be changed now.",
                scope.state.label().to_lowercase()
            )));
        }
        let framework = self.framework_text(&scope.framework_version).await?;
        if !scope_outcomes(&framework, scope.kind)
            .iter()
            .any(|o| o.id == outcome_id)
        {
            return Err(not_found());
        }
        Ok(())
    }

    /// The improvement plan page: every action, and the outcomes below their targets.
    pub async fn plan_view(&self, org: &OrgScope, id: i64) -> Result<PlanView, DataError> {
        let dashboard = self.dashboard(org, id).await?;
        let mut below = Vec::new();
        for grid in &dashboard.grids {
            for cell in &grid.cells {
                if let Some(target) = cell.target.filter(|_| cell.below_target()) {
                    let status = cell.standing();
                    below.push((
                        grid.scope.id,
                        grid.scope.name.clone(),
                        cell.outcome.clone(),
                        cell.title.clone(),
                        status.label().to_owned(),
                        target.label().to_owned(),
                    ));
                }
            }
        }
        Ok(PlanView {
            actions: self.plan(org, id, None).await?,
            assessment: dashboard.assessment,
            below_target: below,
            role: org.role(),
        })
    }
}

fn status_of(key: Option<String>) -> Option<Status> {
    key.as_deref().and_then(Status::from_key)
}
