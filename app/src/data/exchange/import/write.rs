//! Writing a checked import plan and its audit record in one transaction.

use super::check::{ImportPlan, PlanEvidence, PlanOutcome, blank_to_none};
use crate::assess::EvidenceKind;
use crate::data::assessments::{Actor, insert_scope};
use crate::data::audit::append_audit_in;
use crate::data::exchange::{ImportError, ImportProblem};
use crate::data::{DataError, Db, OrgScope, now_utc};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};

impl Db {
    /// Writes the plan and its audit record in one transaction; returns the new assessment's id.
    pub(super) async fn write_import(
        &self,
        org: &OrgScope,
        plan: &ImportPlan,
        actor: &Actor,
    ) -> Result<i64, ImportError> {
        let now = now_utc();
        let user = org.user_id();
        let mut tx = self.write_tx().await.map_err(DataError::from)?;
        let version = &plan.framework.version;
        sqlx::query(
            "UPDATE frameworks SET locked_at = $1 WHERE version = $2 AND locked_at IS NULL",
        )
        .bind(&now)
        .bind(version)
        .execute(&mut *tx)
        .await
        .map_err(DataError::from)?;
        let framework_id: i64 = sqlx::query("SELECT id FROM frameworks WHERE version = $1")
            .bind(version)
            .fetch_one(&mut *tx)
            .await
            .and_then(|r| r.try_get("id"))
            .map_err(DataError::from)?;
        let profile_id: Option<i64> = match (&plan.profile, plan.own_profile) {
            (Some(slug), false) => Some(
                sqlx::query("SELECT id FROM profiles WHERE slug = $1")
                    .bind(slug)
                    .fetch_one(&mut *tx)
                    .await
                    .and_then(|r| r.try_get("id"))
                    .map_err(DataError::from)?,
            ),
            _ => None,
        };
        let id: i64 = match sqlx::query(
            "INSERT INTO assessments (organisation_id, title, period, framework_id, profile_id, \
             created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(org.organisation_id())
        .bind(&plan.title)
        .bind(&plan.period)
        .bind(framework_id)
        .bind(profile_id)
        .bind(user)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await
        {
            Ok(row) => row.try_get("id").map_err(DataError::from)?,
            Err(e)
                if e.as_database_error()
                    .is_some_and(|d| d.is_unique_violation()) =>
            {
                return Err(ImportError::Rejected(vec![ImportProblem {
                    at: "title".into(),
                    message: format!(
                        "there is already an assessment called {:?} here.",
                        plan.title
                    ),
                }]));
            }
            Err(e) => return Err(DataError::from(e).into()),
        };
        for (outcome, target) in &plan.targets {
            sqlx::query("INSERT INTO assessment_targets (assessment_id, outcome_id, target) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(outcome)
                .bind(target.key())
                .execute(&mut *tx)
                .await
                .map_err(DataError::from)?;
        }
        let (mut local, mut created, mut existing) = (BTreeMap::new(), Vec::new(), Vec::new());
        for (reference, planned) in &plan.evidence {
            let evidence_id = match planned {
                PlanEvidence::Existing(e) => {
                    existing.push(*e);
                    *e
                }
                PlanEvidence::New(item) => {
                    let e: i64 = sqlx::query(
                        "INSERT INTO evidence (organisation_id, kind, title, owner, describes_date, \
                         review_by, classification, url, note, created_by, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
                    )
                    .bind(org.organisation_id())
                    .bind(item.kind.key())
                    .bind(item.fields.title.trim())
                    .bind(item.fields.owner.trim())
                    .bind(blank_to_none(&item.fields.describes_date))
                    .bind(blank_to_none(&item.fields.review_by))
                    .bind(&item.fields.classification)
                    .bind(blank_to_none(&item.url).filter(|_| item.kind == EvidenceKind::Link))
                    .bind(blank_to_none(&item.note).filter(|_| item.kind == EvidenceKind::Note))
                    .bind(user)
                    .bind(&now)
                    .fetch_one(&mut *tx)
                    .await
                    .and_then(|r| r.try_get("id"))
                    .map_err(DataError::from)?;
                    created.push(e);
                    e
                }
            };
            local.insert(reference.as_str(), evidence_id);
        }
        for (position, scope) in plan.scopes.iter().enumerate() {
            let scope_id = insert_scope(
                &mut tx,
                (org.organisation_id(), id),
                (scope.kind, &scope.name, &scope.description),
                position as i64,
                &plan.framework,
                &now,
            )
            .await?;
            for o in &scope.outcomes {
                write_outcome(&mut tx, scope_id, o, &local, user, &now).await?;
            }
        }
        append_audit_in(
            &mut tx,
            actor.event(
                org,
                "assessment.import",
                format!("assessment:{id}"),
                serde_json::json!({
                    "title": plan.title, "period": plan.period,
                    "framework": plan.framework.version, "source_organisation": plan.source,
                    "scopes": plan.scopes.iter().map(|s| &s.name).collect::<Vec<_>>(),
                    "answers": plan.scopes.iter().flat_map(|s| &s.outcomes).map(|o| o.draft.answers.len()).sum::<usize>(),
                    "evidence_created": created, "evidence_linked": existing, "notes": plan.notes,
                }),
            ),
        )
        .await?;
        tx.commit().await.map_err(DataError::from)?;
        Ok(id)
    }
}

pub(super) async fn write_outcome(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    scope_id: i64,
    o: &PlanOutcome,
    evidence: &BTreeMap<&str, i64>,
    user: i64,
    now: &str,
) -> Result<(), DataError> {
    sqlx::query(
        "UPDATE scope_outcomes SET confirmed_status = $1, suggested_status = $2, \
         status_justification = $3, narrative = $4, answered = $5, version = 1, updated_at = $6, \
         updated_by = $7, assignee_id = $8, due_date = $9 WHERE scope_id = $10 AND outcome_id = $11",
    )
    .bind(o.draft.confirmed.as_deref())
    .bind(o.suggested.key())
    .bind(&o.draft.justification)
    .bind(&o.draft.narrative)
    .bind(o.draft.answers.len() as i64)
    .bind(now)
    .bind(user)
    .bind(o.assignee)
    .bind(o.due.as_deref())
    .bind(scope_id)
    .bind(&o.id)
    .execute(&mut **tx)
    .await?;
    for answer in &o.draft.answers {
        sqlx::query(
            "INSERT INTO answers (scope_id, outcome_id, indicator_id, answer, justification) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(scope_id)
        .bind(&o.id)
        .bind(&answer.indicator)
        .bind(&answer.answer)
        .bind(if answer.answer == "not_applicable" {
            answer.justification.trim()
        } else {
            ""
        })
        .execute(&mut **tx)
        .await?;
    }
    // Two references may be the same register file; it is linked once. Every reference was
    // checked against the planned evidence, so a miss here is a fault, never a panic.
    let linked = o
        .evidence
        .iter()
        .map(|r| {
            evidence.get(r.as_str()).copied().ok_or_else(|| {
                DataError::Document(format!("import plan: evidence reference {r:?} not planned"))
            })
        })
        .collect::<Result<BTreeSet<i64>, DataError>>()?;
    for evidence_id in linked {
        sqlx::query(
            "INSERT INTO evidence_links (evidence_id, scope_id, outcome_id, linked_by, linked_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(evidence_id)
        .bind(scope_id)
        .bind(&o.id)
        .bind(user)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    for action in &o.actions {
        let agreed = action.status != crate::assess::ActionStatus::Proposed;
        sqlx::query(
            "INSERT INTO plan_actions (scope_id, outcome_id, description, owner, due_date, status, \
             notes, proposed_by, proposed_at, accepted_by, accepted_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(scope_id)
        .bind(&o.id)
        .bind(action.description.trim())
        .bind(action.owner.trim())
        .bind(blank_to_none(&action.due))
        .bind(action.status.key())
        .bind(action.notes.trim())
        .bind(user)
        .bind(now)
        .bind(agreed.then_some(user))
        .bind(agreed.then(|| now.to_owned()))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
