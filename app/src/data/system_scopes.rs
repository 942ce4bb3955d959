//! Adding a critical system to a running assessment, or removing one, before any scope is signed
//! off. A signed-off scope fixes the assessment's scopes for good: the board report and next
//! year's carry-forward rest on them.

use super::assessments::{Actor, MAX_SYSTEMS, insert_scope, need, not_found};
use super::audit::append_audit_in;
use super::{DataError, Db, OrgScope, now_utc};
use crate::assess::ScopeKind;
use crate::cycle::ScopeContents;
use crate::roles::Permission;
use sqlx::{Any, Row, Transaction};

/// Refuses unless the assessment is the organisation's and none of its scopes is signed off.
async fn running_assessment(
    tx: &mut Transaction<'_, Any>,
    org: &OrgScope,
    assessment_id: i64,
) -> Result<(), DataError> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM scopes s WHERE s.assessment_id = a.id \
         AND s.state = 'signed_off') AS signed FROM assessments a \
         WHERE a.id = $1 AND a.organisation_id = $2",
    )
    .bind(assessment_id)
    .bind(org.organisation_id())
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(not_found)?;
    if row.try_get::<i64, _>("signed")? > 0 {
        return Err(DataError::Conflict(
            "A scope of this assessment is signed off, so its critical systems are fixed. \
             Make the change in next year's assessment."
                .into(),
        ));
    }
    Ok(())
}

async fn count(tx: &mut Transaction<'_, Any>, sql: &str, scope_id: i64) -> Result<i64, DataError> {
    Ok(sqlx::query(sql)
        .bind(scope_id)
        .fetch_one(&mut **tx)
        .await?
        .try_get("n")?)
}

async fn contents(
    tx: &mut Transaction<'_, Any>,
    scope_id: i64,
) -> Result<ScopeContents, DataError> {
    Ok(ScopeContents {
        outcomes_worked: count(
            tx,
            "SELECT COUNT(*) AS n FROM scope_outcomes o WHERE o.scope_id = $1 AND \
             (o.confirmed_status IS NOT NULL OR o.narrative <> '' OR EXISTS \
             (SELECT 1 FROM answers a WHERE a.scope_id = o.scope_id AND a.outcome_id = o.outcome_id))",
            scope_id,
        )
        .await?,
        evidence_links: count(
            tx,
            "SELECT COUNT(*) AS n FROM evidence_links WHERE scope_id = $1",
            scope_id,
        )
        .await?,
        comments: count(
            tx,
            "SELECT COUNT(*) AS n FROM comments WHERE scope_id = $1",
            scope_id,
        )
        .await?,
        plan_actions: count(
            tx,
            "SELECT COUNT(*) AS n FROM plan_actions WHERE scope_id = $1",
            scope_id,
        )
        .await?,
    })
}

impl Db {
    /// Adds a critical system to a running assessment (CAF lead): a new scope assessed against
    /// objectives B and C, for the organisation's system of that name (made if it has none).
    /// Refused once any scope is signed off. Returns the new scope's id.
    pub async fn add_system_scope(
        &self,
        org: &OrgScope,
        assessment_id: i64,
        (name, description): (&str, &str),
        actor: &Actor,
    ) -> Result<i64, DataError> {
        need(org, Permission::LeadAssessment)?;
        let name = name.trim();
        let description = description.trim();
        if name.is_empty() || name.chars().count() > 120 {
            return Err(DataError::Invalid(
                "Give the critical system a name (at most 120 characters).".into(),
            ));
        }
        if description.chars().count() > 1000 {
            return Err(DataError::Invalid(
                "The description is too long (at most 1000 characters).".into(),
            ));
        }
        // The framework is read before the transaction begins: a pool of one connection must
        // not wait on itself.
        let version: String = sqlx::query(
            "SELECT f.version FROM assessments a JOIN frameworks f ON f.id = a.framework_id \
             WHERE a.id = $1 AND a.organisation_id = $2",
        )
        .bind(assessment_id)
        .bind(org.organisation_id())
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(not_found)?
        .try_get("version")?;
        let framework = self.framework_text(&version).await?;
        let mut tx = self.write_tx().await?;
        running_assessment(&mut tx, org, assessment_id).await?;
        let row = sqlx::query(
            "SELECT COUNT(*) AS systems, COALESCE(MAX(position), 0) AS last, \
             SUM(CASE WHEN LOWER(name) = LOWER($2) THEN 1 ELSE 0 END) AS same_name \
             FROM scopes WHERE assessment_id = $1",
        )
        .bind(assessment_id)
        .bind(name)
        .fetch_one(&mut *tx)
        .await?;
        let systems: i64 = row.try_get("systems")?;
        if row.try_get::<Option<i64>, _>("same_name")?.unwrap_or(0) > 0 {
            return Err(DataError::Conflict(format!(
                "This assessment already has a scope called {name}."
            )));
        }
        // One of the scopes is the organisation's.
        if systems > MAX_SYSTEMS as i64 {
            return Err(DataError::Invalid(format!(
                "At most {MAX_SYSTEMS} critical systems per assessment."
            )));
        }
        let now = now_utc();
        let scope_id = insert_scope(
            &mut tx,
            (org.organisation_id(), assessment_id),
            (ScopeKind::System, name, description),
            row.try_get::<i64, _>("last")? + 1,
            &framework,
            &now,
        )
        .await?;
        let system: i64 = sqlx::query("SELECT system_id FROM scopes WHERE id = $1")
            .bind(scope_id)
            .fetch_one(&mut *tx)
            .await?
            .try_get("system_id")?;
        let already = sqlx::query(
            "SELECT 1 AS one FROM scopes WHERE assessment_id = $1 AND system_id = $2 AND id <> $3",
        )
        .bind(assessment_id)
        .bind(system)
        .bind(scope_id)
        .fetch_optional(&mut *tx)
        .await?;
        if already.is_some() {
            return Err(DataError::Conflict(format!(
                "This assessment already assesses {name}."
            )));
        }
        append_audit_in(
            &mut tx,
            actor.event(
                org,
                "scope.add",
                format!("scope:{scope_id}"),
                serde_json::json!({
                    "assessment": assessment_id, "name": name, "description": description,
                    "system": system,
                }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(scope_id)
    }

    /// Removes a critical system's scope from a running assessment (CAF lead), with its answers,
    /// links, comments and plan actions; the evidence register and the organisation's critical
    /// system stay. The person types the scope's name to confirm. Refused once any scope of the
    /// assessment is signed off, and for the organisation scope. Audited with what went.
    pub async fn remove_system_scope(
        &self,
        org: &OrgScope,
        scope_id: i64,
        typed_name: &str,
        actor: &Actor,
    ) -> Result<ScopeContents, DataError> {
        need(org, Permission::LeadAssessment)?;
        let mut tx = self.write_tx().await?;
        let (assessment_id, name, system, state) =
            self.system_scope(&mut tx, org, scope_id).await?;
        running_assessment(&mut tx, org, assessment_id).await?;
        if typed_name.trim().to_lowercase() != name.to_lowercase() {
            return Err(DataError::Invalid(format!(
                "Type the system's name, {name}, to confirm that its answers go with it."
            )));
        }
        let gone = contents(&mut tx, scope_id).await?;
        sqlx::query("DELETE FROM scopes WHERE id = $1")
            .bind(scope_id)
            .execute(&mut *tx)
            .await?;
        append_audit_in(
            &mut tx,
            actor.event(
                org,
                "scope.remove",
                format!("scope:{scope_id}"),
                serde_json::json!({
                    "assessment": assessment_id, "name": name, "system": system, "state": state,
                    "outcomes_worked": gone.outcomes_worked, "evidence_links": gone.evidence_links,
                    "comments": gone.comments, "plan_actions": gone.plan_actions,
                }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(gone)
    }

    /// A system scope of the organisation: (assessment id, name, system id, state). The
    /// organisation scope is refused.
    async fn system_scope(
        &self,
        tx: &mut Transaction<'_, Any>,
        org: &OrgScope,
        scope_id: i64,
    ) -> Result<(i64, String, Option<i64>, String), DataError> {
        let row = sqlx::query(
            "SELECT s.assessment_id, s.name, s.kind, s.system_id, s.state FROM scopes s \
             JOIN assessments a ON a.id = s.assessment_id WHERE s.id = $1 AND a.organisation_id = $2",
        )
        .bind(scope_id)
        .bind(org.organisation_id())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(not_found)?;
        if row.try_get::<String, _>("kind")? != ScopeKind::System.key() {
            return Err(DataError::Invalid(
                "The organisation scope is assessed every year and cannot be removed.".into(),
            ));
        }
        Ok((
            row.try_get("assessment_id")?,
            row.try_get("name")?,
            row.try_get("system_id")?,
            row.try_get("state")?,
        ))
    }
}
