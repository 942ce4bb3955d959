//! Starting next year's assessment from a signed-off one: answers, narratives, confirmed
//! statuses and evidence links carried forward statement by statement, across framework
//! versions through the statement map, all or nothing.

use super::assessments::{
    Actor, NewRow, check_title_period, insert_assessment, insert_scope, need, scope_outcomes,
};
use super::audit::append_audit_in;
use super::reports::parse_snapshot;
use super::{DataError, Db, OrgScope, Snapshot, SnapshotOutcome, now_utc};
use crate::assess::{AssessmentSummary, ScopeKind, ScopeState, caf_answers};
use crate::cycle::{CarryApproach, NextAssessment};
use crate::roles::Permission;
use caf::{ContributingOutcome, Framework, StatementChange, StatementMap};
use sqlx::{Any, Row, Transaction};
use std::collections::{BTreeMap, BTreeSet};

/// How the outcomes of one framework version descend from another's.
pub(crate) struct Lineage {
    /// Last year's framework version.
    pub from: String,
    /// This year's.
    pub to: String,
    crosswalk: Option<caf::Crosswalk>,
    /// Statement by statement.
    pub map: StatementMap,
}

impl Lineage {
    /// The lineage between two versions the app knows how to carry between, or `None`.
    pub fn between(from: &Framework, to: &Framework) -> Option<Lineage> {
        let map = caf::bundled_statement_map(&from.version, &to.version)
            .or_else(|| (from.version == to.version).then(|| StatementMap::identity(to)))?;
        let crosswalk = if from.version == to.version {
            None
        } else {
            let crosswalk = caf::bundled_crosswalk();
            if crosswalk.from_version != from.version || crosswalk.to_version != to.version {
                return None;
            }
            Some(crosswalk)
        };
        Some(Lineage {
            from: from.version.clone(),
            to: to.version.clone(),
            crosswalk,
            map,
        })
    }

    /// Last year's outcome id a this-year outcome descends from (itself within one version).
    pub fn predecessor(&self, to: &str) -> Option<String> {
        match &self.crosswalk {
            None => Some(to.to_owned()),
            Some(c) => c.predecessor(to).map(str::to_owned),
        }
    }

    /// Whether a last-year outcome has a successor this year.
    pub fn has_successor(&self, from: &str) -> bool {
        match &self.crosswalk {
            None => true,
            Some(c) => c.successors(from).next().is_some(),
        }
    }

    /// Whether every statement of an outcome reads as it did last year.
    pub fn unchanged(&self, outcome: &ContributingOutcome) -> bool {
        outcome.indicators.iter().all(|(_, i)| {
            self.map
                .link(&i.id)
                .is_some_and(|l| l.change == StatementChange::Same)
        })
    }
}

/// What carrying one scope did, for the audit record and the tests.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CarryCounts {
    /// Outcomes carried from last year's.
    pub outcomes: usize,
    /// Answers carried as they were.
    pub answers: usize,
    /// Answers carried but flagged: the statement moved column or its wording changed.
    pub flagged: usize,
    /// Statements left unanswered: new ones, or sources that disagreed.
    pub unanswered: usize,
    /// Evidence links carried.
    pub evidence: usize,
}

/// Orders framework versions: "3.2" < "4.0" < "4.1" < "10.0".
pub fn version_key(version: &str) -> Vec<u64> {
    version
        .split('.')
        .map(|p| p.trim().parse().unwrap_or(0))
        .collect()
}

impl Db {
    /// Starts next year's assessment from a signed-off one of the same organisation: each scope
    /// carried forward (for a light review, or for review and update) or started fresh. Carried
    /// outcome records keep their answers, narrative, confirmed status and evidence links and
    /// wait to be re-confirmed. Everything is written in one transaction. Returns the new id.
    pub async fn start_next_assessment(
        &self,
        org: &OrgScope,
        input: &NextAssessment,
        actor: &Actor,
    ) -> Result<i64, DataError> {
        need(org, Permission::LeadAssessment)?;
        let previous = self.assessment_summary(org, input.previous_id).await?;
        let mut problems = Vec::new();
        let (title, period) = check_title_period(&input.title, &input.period, &mut problems);
        if previous
            .scopes
            .iter()
            .any(|s| s.state != ScopeState::SignedOff)
        {
            return Err(DataError::Invalid(format!(
                "Only a signed-off assessment can be carried forward: {} has scopes not yet signed off.",
                previous.title
            )));
        }
        if version_key(&input.framework_version) < version_key(&previous.framework_version) {
            problems.push(format!(
                "Choose CAF {} or a newer version: an assessment cannot move to an older framework.",
                previous.framework_version
            ));
        }
        let approaches = check_approaches(&previous, &input.approaches, &mut problems);
        let pinned = self
            .pin_version(&input.framework_version, &input.profile, &mut problems)
            .await?;
        let previous_framework = self.framework_text(&previous.framework_version).await?;
        let lineage = pinned
            .as_ref()
            .and_then(|(framework, _)| Lineage::between(&previous_framework, framework));
        if pinned.is_some() && lineage.is_none() && approaches.values().any(|a| a.carries()) {
            problems.push(format!(
                "Answers cannot carry from CAF {} to CAF {}: the app has no statement map between them. Start every scope fresh, or keep CAF {}.",
                previous.framework_version, input.framework_version, previous.framework_version
            ));
        }
        if !problems.is_empty() {
            return Err(DataError::Invalid(problems.join(" ")));
        }
        let Some((framework, profile)) = pinned else {
            return Err(DataError::Invalid("Choose a framework and profile.".into()));
        };
        let mut signed = BTreeMap::new();
        for scope in &previous.scopes {
            let stored = self.stored_snapshot(scope.id).await?.ok_or_else(|| {
                DataError::Document(format!("scope {} has no snapshot", scope.id))
            })?;
            signed.insert(scope.id, parse_snapshot(&stored.content)?);
        }
        let organisation_name: String = sqlx::query("SELECT name FROM organisations WHERE id = $1")
            .bind(org.organisation_id())
            .fetch_one(self.pool())
            .await?
            .try_get("name")?;
        self.lock_framework(&input.framework_version).await?;
        let now = now_utc();
        let mut tx = self.write_tx().await?;
        let id = insert_assessment(
            &mut tx,
            org,
            NewRow {
                title,
                period,
                version: &input.framework_version,
                profile: &profile.profile,
                own_profile: input.own_profile,
                previous_id: Some(previous.id),
            },
            &now,
        )
        .await?;
        let mut audit_scopes = Vec::new();
        for (position, old) in previous.scopes.iter().enumerate() {
            let approach = approaches[&old.id];
            let name = match (old.kind, old.system_id) {
                (ScopeKind::System, Some(system)) => current_system_name(&mut tx, system).await?,
                (ScopeKind::System, None) => old.name.clone(),
                (ScopeKind::Organisation, _) => organisation_name.clone(),
            };
            let scope_id = insert_scope(
                &mut tx,
                (org.organisation_id(), id),
                (old.kind, &name, &old.description),
                position as i64,
                &framework,
                &now,
            )
            .await?;
            sqlx::query(
                "UPDATE scopes SET previous_scope_id = $1, carry_approach = $2 WHERE id = $3",
            )
            .bind(old.id)
            .bind(approach.key())
            .bind(scope_id)
            .execute(&mut *tx)
            .await?;
            let counts = match (&lineage, approach.carries()) {
                (Some(lineage), true) => {
                    carry_scope(
                        &mut tx,
                        org,
                        (scope_id, old.kind),
                        &signed[&old.id],
                        &framework,
                        lineage,
                        &now,
                    )
                    .await?
                }
                _ => CarryCounts::default(),
            };
            audit_scopes.push(serde_json::json!({
                "scope": scope_id, "from_scope": old.id, "name": name,
                "approach": approach.key(), "carried": counts,
            }));
        }
        append_audit_in(
            &mut tx,
            actor.event(
                org,
                "assessment.carry_forward",
                format!("assessment:{id}"),
                serde_json::json!({
                    "title": title, "period": period, "framework": input.framework_version,
                    "profile": profile.profile.id, "own_profile": input.own_profile,
                    "previous": previous.id, "scopes": audit_scopes,
                }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}

/// One approach per previous scope, each named once; problems otherwise.
fn check_approaches(
    previous: &AssessmentSummary,
    given: &[(i64, CarryApproach)],
    problems: &mut Vec<String>,
) -> BTreeMap<i64, CarryApproach> {
    let known: BTreeSet<i64> = previous.scopes.iter().map(|s| s.id).collect();
    let mut out = BTreeMap::new();
    for (scope, approach) in given {
        if !known.contains(scope) {
            problems.push(format!("Scope {scope} is not part of {}.", previous.title));
        } else if out.insert(*scope, *approach).is_some() {
            problems.push("Choose one approach per scope.".to_owned());
        }
    }
    for scope in &previous.scopes {
        if !out.contains_key(&scope.id) {
            problems.push(format!("Choose how {} starts this year.", scope.name));
        }
    }
    out
}

async fn current_system_name(
    tx: &mut Transaction<'_, Any>,
    system_id: i64,
) -> Result<String, DataError> {
    Ok(
        sqlx::query("SELECT name FROM critical_systems WHERE id = $1")
            .bind(system_id)
            .fetch_one(&mut **tx)
            .await?
            .try_get("name")?,
    )
}

/// Carries one scope's signed outcomes into its new scope.
async fn carry_scope(
    tx: &mut Transaction<'_, Any>,
    org: &OrgScope,
    (scope_id, kind): (i64, ScopeKind),
    signed: &Snapshot,
    framework: &Framework,
    lineage: &Lineage,
    now: &str,
) -> Result<CarryCounts, DataError> {
    let by_id: BTreeMap<&str, &SnapshotOutcome> =
        signed.outcomes.iter().map(|o| (o.id.as_str(), o)).collect();
    // Some statements moved between outcomes: the map may draw on any of last year's answers.
    let all_answers = caf_answers(
        &signed
            .outcomes
            .iter()
            .flat_map(|o| o.answers.iter().cloned())
            .collect::<Vec<_>>(),
    );
    let mut counts = CarryCounts::default();
    for outcome in scope_outcomes(framework, kind) {
        let Some(old) = lineage
            .predecessor(&outcome.id)
            .and_then(|p| by_id.get(p.as_str()).copied())
        else {
            continue;
        };
        let carried = caf::carry_outcome(&lineage.map, &all_answers, outcome);
        let mut answers = BTreeMap::new();
        for statement in &carried {
            match (&statement.answer, statement.change) {
                (None, _) => counts.unanswered += 1,
                (Some(_), StatementChange::Same) => counts.answers += 1,
                (Some(_), _) => counts.flagged += 1,
            }
            if let Some(answer) = &statement.answer {
                answers.insert(statement.to.clone(), answer.clone());
            }
        }
        let suggested = caf::suggest_status(outcome, &answers).status;
        sqlx::query(
            "UPDATE scope_outcomes SET confirmed_status = $1, suggested_status = $2, \
             status_justification = $3, narrative = $4, answered = $5, carried_from = $6, \
             updated_at = $7, updated_by = $8 WHERE scope_id = $9 AND outcome_id = $10",
        )
        .bind(old.confirmed.as_deref())
        .bind(suggested.key())
        .bind(&old.justification)
        .bind(&old.narrative)
        .bind(answers.len() as i64)
        .bind(&old.id)
        .bind(now)
        .bind(org.user_id())
        .bind(scope_id)
        .bind(&outcome.id)
        .execute(&mut **tx)
        .await?;
        for (indicator, answer) in &answers {
            let (key, justification) = crate::assess::stored_answer(answer);
            sqlx::query(
                "INSERT INTO answers (scope_id, outcome_id, indicator_id, answer, justification) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(scope_id)
            .bind(&outcome.id)
            .bind(indicator)
            .bind(key)
            .bind(justification)
            .execute(&mut **tx)
            .await?;
        }
        for evidence in &old.evidence {
            let done = sqlx::query(
                "INSERT INTO evidence_links (evidence_id, scope_id, outcome_id, linked_by, linked_at) \
                 SELECT id, $1, $2, $3, $4 FROM evidence WHERE id = $5 AND organisation_id = $6",
            )
            .bind(scope_id)
            .bind(&outcome.id)
            .bind(org.user_id())
            .bind(now)
            .bind(evidence.id)
            .bind(org.organisation_id())
            .execute(&mut **tx)
            .await?;
            counts.evidence += done.rows_affected() as usize;
        }
        counts.outcomes += 1;
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_order_by_number_not_text() {
        assert!(version_key("3.2") < version_key("4.0"));
        assert!(version_key("4.0") < version_key("4.1"));
        assert!(version_key("9.0") < version_key("10.0"));
        assert_eq!(version_key("4.0"), version_key("4.0"));
    }

    #[test]
    fn lineage_within_a_version_is_the_identity() {
        let f = caf::bundled_framework("4.0").expect("bundled");
        let lineage = Lineage::between(&f, &f).expect("same version carries");
        assert_eq!(lineage.predecessor("A2.b").as_deref(), Some("A2.b"));
        assert!(f.outcomes().all(|o| lineage.unchanged(o)));
    }

    #[test]
    fn lineage_from_3_2_to_4_0_follows_the_crosswalk() {
        let old = caf::bundled_framework("3.2").expect("bundled");
        let new = caf::bundled_framework("4.0").expect("bundled");
        let lineage = Lineage::between(&old, &new).expect("3.2 to 4.0 carries");
        assert_eq!(lineage.predecessor("A2.c").as_deref(), Some("A2.b"));
        assert_eq!(lineage.predecessor("A2.b"), None);
        assert!(!lineage.has_successor("C2.b"));
        assert!(Lineage::between(&new, &old).is_none());
    }
}
