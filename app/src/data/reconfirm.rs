//! Carried-forward outcome records: re-confirming them, one at a time or an objective at a
//! time, what each carried statement was last year, and what did not carry at all.

use super::assessments::{Actor, need, not_found, outcome_object, scope_outcomes};
use super::audit::append_audit_in;
use super::carry::Lineage;
use super::{DataError, Db, OrgScope, now_utc};
use crate::assess::{AnswerInput, ScopeKind, caf_answers};
use crate::cycle::{
    CarriedStatementView, CarryApproach, CarryNote, NotCarriedItem, NotCarriedScope, NotCarriedView,
};
use crate::roles::Permission;
use caf::{Framework, StatementChange};
use sqlx::Row;
use std::collections::BTreeMap;

/// A carried outcome record of a scope, for the re-confirmation list and the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CarriedOutcome {
    /// This year's outcome id.
    pub outcome: String,
    /// Whether it still waits for a person to re-confirm it.
    pub waiting: bool,
    /// Whether every statement reads as it did last year.
    pub unchanged: bool,
}

/// Last year's side of a carried scope.
struct PreviousSide {
    scope_id: i64,
    approach: CarryApproach,
    title: String,
    period: String,
    framework: Framework,
    lineage: Lineage,
}

impl Db {
    async fn previous_side(
        &self,
        org: &OrgScope,
        scope_id: i64,
    ) -> Result<Option<PreviousSide>, DataError> {
        let scope = self.scope_row(org, scope_id).await?;
        let row = sqlx::query(
            "SELECT s.previous_scope_id, s.carry_approach, a.title, a.period, f.version \
             FROM scopes s JOIN scopes p ON p.id = s.previous_scope_id \
             JOIN assessments a ON a.id = p.assessment_id JOIN frameworks f ON f.id = a.framework_id \
             WHERE s.id = $1 AND a.organisation_id = $2",
        )
        .bind(scope_id)
        .bind(org.organisation_id())
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let approach = CarryApproach::from_key(&row.try_get::<String, _>("carry_approach")?)
            .ok_or_else(|| DataError::Document("unknown carry approach".into()))?;
        let version: String = row.try_get("version")?;
        let framework = self.framework_text(&version).await?;
        let current = self.framework_text(&scope.framework_version).await?;
        let Some(lineage) = Lineage::between(&framework, &current) else {
            return Ok(None);
        };
        Ok(Some(PreviousSide {
            scope_id: row.try_get("previous_scope_id")?,
            approach,
            title: row.try_get("title")?,
            period: row.try_get("period")?,
            framework,
            lineage,
        }))
    }

    /// How a scope was carried forward; `None` when it was not carried from last year's.
    pub async fn carry_approach(
        &self,
        org: &OrgScope,
        scope_id: i64,
    ) -> Result<Option<CarryApproach>, DataError> {
        need(org, Permission::ReadAssessments)?;
        self.scope_row(org, scope_id).await?;
        let row = sqlx::query("SELECT carry_approach, previous_scope_id FROM scopes WHERE id = $1")
            .bind(scope_id)
            .fetch_one(self.pool())
            .await?;
        if row
            .try_get::<Option<i64>, _>("previous_scope_id")?
            .is_none()
        {
            return Ok(None);
        }
        Ok(CarryApproach::from_key(
            &row.try_get::<String, _>("carry_approach")?,
        ))
    }

    /// Every answer of last year's signed-off scope (statements can move between outcomes).
    async fn previous_answers(&self, scope_id: i64) -> Result<Vec<AnswerInput>, DataError> {
        sqlx::query(
            "SELECT indicator_id, answer, justification FROM answers \
             WHERE scope_id = $1 ORDER BY indicator_id",
        )
        .bind(scope_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(AnswerInput {
                indicator: r.try_get("indicator_id")?,
                answer: r.try_get("answer")?,
                justification: r.try_get("justification")?,
            })
        })
        .collect()
    }

    /// Where a carried outcome record came from, statement by statement; `None` when the
    /// outcome was not carried.
    pub async fn carry_note(
        &self,
        org: &OrgScope,
        scope_id: i64,
        outcome_id: &str,
    ) -> Result<Option<CarryNote>, DataError> {
        need(org, Permission::ReadAssessments)?;
        let row = sqlx::query(
            "SELECT o.carried_from, o.reconfirmed_at, u.display_name FROM scope_outcomes o \
             LEFT JOIN users u ON u.id = o.reconfirmed_by \
             WHERE o.scope_id = $1 AND o.outcome_id = $2",
        )
        .bind(scope_id)
        .bind(outcome_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(not_found)?;
        let Some(from_outcome) = row.try_get::<Option<String>, _>("carried_from")? else {
            return Ok(None);
        };
        let Some(side) = self.previous_side(org, scope_id).await? else {
            return Ok(None);
        };
        let scope = self.scope_row(org, scope_id).await?;
        let current = self.framework_text(&scope.framework_version).await?;
        let outcome = current.outcome(outcome_id).ok_or_else(not_found)?;
        let previous = caf_answers(&self.previous_answers(side.scope_id).await?);
        let carried = caf::carry_outcome(&side.lineage.map, &previous, outcome);
        let statements = carried
            .into_iter()
            .filter(|s| s.change != StatementChange::Same)
            .map(|s| CarriedStatementView {
                previous: s
                    .from
                    .iter()
                    .filter_map(|id| {
                        side.framework.outcomes().find_map(|o| o.indicator(id)).map(
                            |(column, indicator)| {
                                (
                                    id.clone(),
                                    column.label().to_owned(),
                                    indicator.text.clone(),
                                )
                            },
                        )
                    })
                    .collect(),
                previous_answer: s
                    .from
                    .iter()
                    .find_map(|id| previous.get(id))
                    .map(|a| crate::assess::stored_answer(a).0.to_owned()),
                indicator: s.to,
                change: s.change,
            })
            .collect();
        let reconfirmed = match row.try_get::<Option<String>, _>("reconfirmed_at")? {
            Some(at) => Some((
                row.try_get::<Option<String>, _>("display_name")?
                    .unwrap_or_default(),
                at,
            )),
            None => None,
        };
        Ok(Some(CarryNote {
            from_outcome,
            from_title: side.title,
            from_period: side.period,
            from_version: side.lineage.from.clone(),
            approach: side.approach,
            reconfirmed,
            statements,
        }))
    }

    /// The carried outcome records of a scope, in framework order.
    pub async fn carried_outcomes(
        &self,
        org: &OrgScope,
        scope_id: i64,
    ) -> Result<Vec<CarriedOutcome>, DataError> {
        need(org, Permission::ReadAssessments)?;
        let scope = self.scope_row(org, scope_id).await?;
        let Some(side) = self.previous_side(org, scope_id).await? else {
            return Ok(Vec::new());
        };
        let framework = self.framework_text(&scope.framework_version).await?;
        let waiting: BTreeMap<String, bool> = sqlx::query(
            "SELECT outcome_id, reconfirmed_at FROM scope_outcomes \
             WHERE scope_id = $1 AND carried_from IS NOT NULL",
        )
        .bind(scope_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("outcome_id")?,
                r.try_get::<Option<String>, _>("reconfirmed_at")?.is_none(),
            ))
        })
        .collect::<Result<_, DataError>>()?;
        Ok(scope_outcomes(&framework, scope.kind)
            .into_iter()
            .filter_map(|o| {
                waiting.get(&o.id).map(|w| CarriedOutcome {
                    outcome: o.id.clone(),
                    waiting: *w,
                    unchanged: side.lineage.unchanged(o),
                })
            })
            .collect())
    }

    /// A person re-confirms one carried outcome record as it stands. Re-confirming one already
    /// re-confirmed changes nothing.
    pub async fn reconfirm_outcome(
        &self,
        org: &OrgScope,
        scope_id: i64,
        outcome_id: &str,
        actor: &Actor,
    ) -> Result<(), DataError> {
        need(org, Permission::EditAnswers)?;
        let scope = self.scope_row(org, scope_id).await?;
        editable(scope.state)?;
        let mut tx = self.write_tx().await?;
        let done = mark_reconfirmed(&mut tx, org, scope_id, outcome_id).await?;
        if done {
            append_audit_in(
                &mut tx,
                actor.event(
                    org,
                    "outcome.reconfirm",
                    outcome_object(scope_id, outcome_id),
                    serde_json::json!({ "bulk": false }),
                ),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Re-confirms, in one step, every carried outcome of one objective of a scope carried for a
    /// light review whose statements all read as last year's; each is audited on its own.
    /// Returns how many were re-confirmed and how many still wait (they need a look of their own).
    pub async fn reconfirm_objective(
        &self,
        org: &OrgScope,
        scope_id: i64,
        objective: &str,
        actor: &Actor,
    ) -> Result<(usize, usize), DataError> {
        need(org, Permission::EditAnswers)?;
        let scope = self.scope_row(org, scope_id).await?;
        editable(scope.state)?;
        let side = self.previous_side(org, scope_id).await?.ok_or_else(|| {
            DataError::Invalid("Nothing in this scope was carried forward.".into())
        })?;
        if side.approach != CarryApproach::Light {
            return Err(DataError::Invalid(
                "This scope was carried forward for review and update: re-confirm each outcome on its own page."
                    .into(),
            ));
        }
        if !scope.kind.objectives().contains(&objective) {
            return Err(DataError::Invalid(format!(
                "Objective {objective} is not assessed in this scope."
            )));
        }
        let framework = self.framework_text(&scope.framework_version).await?;
        let carried = self.carried_outcomes(org, scope_id).await?;
        let in_objective = |c: &&CarriedOutcome| {
            c.waiting
                && framework
                    .objective_of(&c.outcome)
                    .is_some_and(|o| o.id == objective)
        };
        let (unchanged, changed): (Vec<_>, Vec<_>) = carried
            .iter()
            .filter(in_objective)
            .partition(|c| c.unchanged);
        let mut tx = self.write_tx().await?;
        let mut count = 0;
        for c in &unchanged {
            if mark_reconfirmed(&mut tx, org, scope_id, &c.outcome).await? {
                count += 1;
                append_audit_in(
                    &mut tx,
                    actor.event(
                        org,
                        "outcome.reconfirm",
                        outcome_object(scope_id, &c.outcome),
                        serde_json::json!({ "bulk": true, "objective": objective }),
                    ),
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok((count, changed.len()))
    }

    /// Last year's statements and outcomes that had nowhere to go this year; `None` when the
    /// assessment was not carried from another.
    pub async fn not_carried(
        &self,
        org: &OrgScope,
        assessment_id: i64,
    ) -> Result<Option<NotCarriedView>, DataError> {
        need(org, Permission::ReadAssessments)?;
        let summary = self.assessment_summary(org, assessment_id).await?;
        let mut view: Option<NotCarriedView> = None;
        for scope in &summary.scopes {
            let Some(side) = self.previous_side(org, scope.id).await? else {
                continue;
            };
            let out = view.get_or_insert_with(|| NotCarriedView {
                from_title: side.title.clone(),
                from_period: side.period.clone(),
                from_version: side.lineage.from.clone(),
                to_version: side.lineage.to.clone(),
                scopes: Vec::new(),
            });
            if !side.approach.carries() {
                continue;
            }
            let items = self.scope_not_carried(&side, scope.kind).await?;
            out.scopes.push(NotCarriedScope {
                scope_id: scope.id,
                scope_name: scope.name.clone(),
                items,
            });
        }
        Ok(view)
    }

    async fn scope_not_carried(
        &self,
        side: &PreviousSide,
        kind: ScopeKind,
    ) -> Result<Vec<NotCarriedItem>, DataError> {
        let statuses: BTreeMap<String, Option<String>> = sqlx::query(
            "SELECT outcome_id, confirmed_status FROM scope_outcomes WHERE scope_id = $1",
        )
        .bind(side.scope_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Ok((r.try_get("outcome_id")?, r.try_get("confirmed_status")?)))
        .collect::<Result<_, DataError>>()?;
        let mut removed = Vec::new();
        let mut dropped = Vec::new();
        let answers = caf_answers(&self.previous_answers(side.scope_id).await?);
        for outcome in scope_outcomes(&side.framework, kind) {
            let gone = !side.lineage.has_successor(&outcome.id);
            if gone {
                removed.push(NotCarriedItem {
                    outcome: outcome.id.clone(),
                    outcome_title: outcome.title.clone(),
                    indicator: None,
                    column: "Contributing outcome".to_owned(),
                    text: outcome.description.clone().unwrap_or_default(),
                    answer: statuses.get(&outcome.id).cloned().flatten(),
                });
            }
            for (column, indicator) in outcome.indicators.iter() {
                if gone || side.lineage.map.dropped.contains(&indicator.id) {
                    let item = NotCarriedItem {
                        outcome: outcome.id.clone(),
                        outcome_title: outcome.title.clone(),
                        indicator: Some(indicator.id.clone()),
                        column: column.label().to_owned(),
                        text: indicator.text.clone(),
                        answer: answers
                            .get(&indicator.id)
                            .map(|a| crate::assess::stored_answer(a).0.to_owned()),
                    };
                    if gone {
                        removed.push(item);
                    } else {
                        dropped.push(item);
                    }
                }
            }
        }
        removed.extend(dropped);
        Ok(removed)
    }
}

fn editable(state: crate::assess::ScopeState) -> Result<(), DataError> {
    if state.editable() {
        Ok(())
    } else {
        Err(DataError::Conflict(format!(
            "This scope is {}: outcomes cannot be re-confirmed now.",
            state.label().to_lowercase()
        )))
    }
}

/// Marks a carried record re-confirmed by this person if it was waiting; whether it was.
async fn mark_reconfirmed(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    org: &OrgScope,
    scope_id: i64,
    outcome_id: &str,
) -> Result<bool, DataError> {
    let done = sqlx::query(
        "UPDATE scope_outcomes SET reconfirmed_at = $1, reconfirmed_by = $2 \
         WHERE scope_id = $3 AND outcome_id = $4 AND carried_from IS NOT NULL \
         AND reconfirmed_at IS NULL \
         AND (SELECT state FROM scopes WHERE id = $3) IN ('draft', 'returned')",
    )
    .bind(now_utc())
    .bind(org.user_id())
    .bind(scope_id)
    .bind(outcome_id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
