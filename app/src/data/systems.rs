//! Critical systems: the organisation's, living from year to year. Each assessment's system scope
//! points at one, so a system renamed between years keeps one history.

use super::assessments::{Actor, need, not_found};
use super::audit::append_audit_in;
use super::{DataError, Db, OrgScope, now_utc};
use crate::cycle::CriticalSystem;
use crate::roles::Permission;
use sqlx::{Any, Row, Transaction};

/// The organisation's critical system of this name (compared without regard to case), created
/// when it has none. Returns its id.
pub(crate) async fn system_for(
    tx: &mut Transaction<'_, Any>,
    organisation_id: i64,
    name: &str,
    description: &str,
) -> Result<i64, DataError> {
    let existing = sqlx::query(
        "SELECT id FROM critical_systems WHERE organisation_id = $1 AND LOWER(name) = LOWER($2) \
         ORDER BY id LIMIT 1",
    )
    .bind(organisation_id)
    .bind(name)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(row) = existing {
        return Ok(row.try_get("id")?);
    }
    Ok(sqlx::query(
        "INSERT INTO critical_systems (organisation_id, name, description, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(organisation_id)
    .bind(name)
    .bind(description)
    .bind(now_utc())
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?)
}

impl Db {
    /// The organisation's critical systems, by name.
    pub async fn critical_systems(&self, org: &OrgScope) -> Result<Vec<CriticalSystem>, DataError> {
        need(org, Permission::ReadAssessments)?;
        let mut systems: Vec<CriticalSystem> = sqlx::query(
            "SELECT id, name, description FROM critical_systems WHERE organisation_id = $1 \
             ORDER BY LOWER(name), id",
        )
        .bind(org.organisation_id())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(CriticalSystem {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                description: r.try_get("description")?,
                assessments: Vec::new(),
            })
        })
        .collect::<Result<_, DataError>>()?;
        for row in sqlx::query(
            "SELECT s.system_id, a.id, a.title, s.name FROM scopes s \
             JOIN assessments a ON a.id = s.assessment_id \
             WHERE a.organisation_id = $1 AND s.system_id IS NOT NULL \
             ORDER BY a.created_at, a.id",
        )
        .bind(org.organisation_id())
        .fetch_all(self.pool())
        .await?
        {
            let system: i64 = row.try_get("system_id")?;
            if let Some(s) = systems.iter_mut().find(|s| s.id == system) {
                s.assessments.push((
                    row.try_get("id")?,
                    row.try_get("title")?,
                    row.try_get("name")?,
                ));
            }
        }
        Ok(systems)
    }

    /// Renames a critical system (CAF lead). Its scopes in assessments not yet signed off take the
    /// new name; signed-off scopes keep the name they were signed under. Its history stays one.
    pub async fn rename_system(
        &self,
        org: &OrgScope,
        system_id: i64,
        name: &str,
        description: &str,
        actor: &Actor,
    ) -> Result<(), DataError> {
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
        let mut tx = self.write_tx().await?;
        let before = sqlx::query(
            "SELECT name, description FROM critical_systems WHERE id = $1 AND organisation_id = $2",
        )
        .bind(system_id)
        .bind(org.organisation_id())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(not_found)?;
        let clash = sqlx::query(
            "SELECT 1 AS one FROM critical_systems WHERE organisation_id = $1 \
             AND LOWER(name) = LOWER($2) AND id <> $3",
        )
        .bind(org.organisation_id())
        .bind(name)
        .bind(system_id)
        .fetch_optional(&mut *tx)
        .await?;
        if clash.is_some() {
            return Err(DataError::Conflict(format!(
                "There is already a critical system called {name}."
            )));
        }
        sqlx::query("UPDATE critical_systems SET name = $1, description = $2 WHERE id = $3")
            .bind(name)
            .bind(description)
            .bind(system_id)
            .execute(&mut *tx)
            .await?;
        let renamed = sqlx::query(
            "UPDATE scopes SET name = $1 WHERE system_id = $2 AND state <> 'signed_off'",
        )
        .bind(name)
        .bind(system_id)
        .execute(&mut *tx)
        .await;
        match renamed {
            Err(e)
                if e.as_database_error()
                    .is_some_and(|d| d.is_unique_violation()) =>
            {
                return Err(DataError::Conflict(format!(
                    "An assessment already has a scope called {name}."
                )));
            }
            other => other?,
        };
        append_audit_in(
            &mut tx,
            actor.event(
                org,
                "system.rename",
                format!("system:{system_id}"),
                serde_json::json!({
                    "before": { "name": before.try_get::<String, _>("name")?,
                                "description": before.try_get::<String, _>("description")? },
                    "after": { "name": name, "description": description },
                }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
