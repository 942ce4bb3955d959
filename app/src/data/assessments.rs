//! Assessments, scopes, answers and statuses, comments, the improvement plan and sign-off.
//!
//! Every function takes the [`OrgScope`] that `Db::authorize` returned and reaches only that
//! organisation's rows: a scope or assessment of another organisation is simply not found.

use super::audit::append_audit_in;
use super::systems::system_for;
use super::{AuditEvent, DataError, Db, OrgScope, now_utc};
use crate::assess::{
    ActionStatus, AnswerInput, AssessmentSummary, CommentView, HistoryEntry,
    MAX_ACTIONS_PER_OUTCOME, MAX_OWNER, MAX_SCOPE_DESCRIPTION, MAX_TEXT, OutcomeDraft,
    OutcomeRecord, PlanAction, SaveResult, ScopeKind, ScopeState, ScopeSummary, WorkflowAction,
    caf_answers, check_draft, transition, valid_date,
};
use crate::roles::Permission;
use caf::{ContributingOutcome, Framework, Status};
use serde::{Deserialize, Serialize};
use sqlx::{Any, Row, Transaction};
use std::collections::{BTreeMap, BTreeSet};

/// Who is acting, for the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user's id.
    pub user_id: i64,
    /// The user's email address.
    pub email: String,
    /// The client's address.
    pub address: Option<String>,
}

impl Actor {
    /// An audit event of this actor's, in the organisation of `org`.
    pub fn event(
        &self,
        org: &OrgScope,
        action: &str,
        object: String,
        detail: serde_json::Value,
    ) -> AuditEvent {
        let mut event = AuditEvent::by(&self.email, action, object);
        event.actor_id = Some(self.user_id);
        event.organisation_id = Some(org.organisation_id());
        event.address = self.address.clone();
        event.with_detail(detail)
    }
}

/// What the CAF lead fills in to start an assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct NewAssessment {
    /// E.g. "CAF self-assessment 2026/27".
    pub title: String,
    /// E.g. "2026/27".
    pub period: String,
    /// The framework version to pin, e.g. "4.0".
    pub framework_version: String,
    /// The id of the target profile to use (or to start the organisation's own profile from).
    pub profile: String,
    /// Whether the targets become the organisation's own, editable by the CAF lead.
    pub own_profile: bool,
    /// What the organisation scope covers, in a sentence.
    pub organisation_description: String,
    /// Named critical systems: (name, description).
    pub systems: Vec<(String, String)>,
}

/// The most critical systems one assessment may have.
pub const MAX_SYSTEMS: usize = 20;

/// A scope row with what every check needs.
#[derive(Debug, Clone)]
pub(crate) struct ScopeRow {
    pub id: i64,
    pub assessment_id: i64,
    pub kind: ScopeKind,
    pub name: String,
    pub description: String,
    pub state: ScopeState,
    pub framework_version: String,
    pub system_id: Option<i64>,
}

impl ScopeRow {
    pub fn summary(&self) -> ScopeSummary {
        ScopeSummary {
            id: self.id,
            kind: self.kind,
            name: self.name.clone(),
            description: self.description.clone(),
            state: self.state,
            system_id: self.system_id,
        }
    }
}

pub(crate) fn today_utc() -> String {
    now_utc().chars().take(10).collect()
}

fn parse_status(key: Option<String>) -> Result<Option<Status>, DataError> {
    key.map(|k| {
        Status::from_key(&k).ok_or_else(|| DataError::Document(format!("unknown status {k:?}")))
    })
    .transpose()
}

fn too_long(text: &str, what: &str) -> Result<(), DataError> {
    if text.chars().count() > MAX_TEXT {
        return Err(DataError::Invalid(format!(
            "The {what} is too long: at most {MAX_TEXT} characters."
        )));
    }
    Ok(())
}

/// The outcomes a scope of this kind covers, in framework order.
pub(crate) fn scope_outcomes(framework: &Framework, kind: ScopeKind) -> Vec<&ContributingOutcome> {
    framework
        .objectives
        .iter()
        .filter(|o| kind.objectives().contains(&o.id.as_str()))
        .flat_map(|o| o.principles.iter().flat_map(|p| p.outcomes.iter()))
        .collect()
}

impl Db {
    /// Loads and parses a framework version's stored document (not found if none is stored).
    pub(crate) async fn framework_text(&self, version: &str) -> Result<Framework, DataError> {
        self.framework(version)
            .await?
            .map(|f| f.framework)
            .ok_or_else(|| DataError::NotFound(format!("CAF {version} is not stored.")))
    }

    /// The stored framework and one of its profiles, for a new assessment; what is missing is
    /// added to `problems`.
    pub(crate) async fn pin_version(
        &self,
        version: &str,
        profile: &str,
        problems: &mut Vec<String>,
    ) -> Result<Option<(Framework, super::StoredProfile)>, DataError> {
        let framework = match self.framework(version).await? {
            Some(f) => Some(f.framework),
            None => {
                problems.push(format!("CAF {version} is not available."));
                None
            }
        };
        let profile = self
            .profiles_for(version)
            .await?
            .into_iter()
            .find(|p| p.profile.id == profile);
        if profile.is_none() && framework.is_some() {
            problems.push(format!("Choose a target profile for CAF {version}."));
        }
        Ok(framework.zip(profile))
    }

    /// Starts an assessment with its organisation scope and critical systems. Returns its id.
    pub async fn create_assessment(
        &self,
        org: &OrgScope,
        input: &NewAssessment,
        actor: &Actor,
    ) -> Result<i64, DataError> {
        need(org, Permission::LeadAssessment)?;
        let mut problems = Vec::new();
        let (title, period) = check_title_period(&input.title, &input.period, &mut problems);
        if input.systems.is_empty() {
            problems.push(
                "Name at least one critical system (objectives B and C are assessed per system)."
                    .to_owned(),
            );
        }
        if input.systems.len() > MAX_SYSTEMS {
            problems.push(format!(
                "At most {MAX_SYSTEMS} critical systems per assessment."
            ));
        }
        if input.organisation_description.chars().count() > MAX_SCOPE_DESCRIPTION {
            problems.push(format!(
                "The description of the organisation is too long (at most {MAX_SCOPE_DESCRIPTION} characters)."
            ));
        }
        let mut names = BTreeSet::new();
        for (name, description) in &input.systems {
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 120 {
                problems
                    .push("Give every critical system a name (at most 120 characters).".to_owned());
            } else if !names.insert(name.to_lowercase()) {
                problems.push(format!("The system {name} is listed twice."));
            }
            if description.chars().count() > 1000 {
                problems.push(format!(
                    "The description of {name} is too long (at most 1000 characters)."
                ));
            }
        }
        let pinned = self
            .pin_version(&input.framework_version, &input.profile, &mut problems)
            .await?;
        if !problems.is_empty() {
            return Err(DataError::Invalid(problems.join(" ")));
        }
        let Some((framework, profile)) = pinned else {
            return Err(DataError::Invalid("Choose a framework and profile.".into()));
        };
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
                previous_id: None,
            },
            &now,
        )
        .await?;
        let mut scopes = vec![(
            ScopeKind::Organisation,
            organisation_name,
            input.organisation_description.trim().to_owned(),
        )];
        scopes.extend(
            input
                .systems
                .iter()
                .map(|(n, d)| (ScopeKind::System, n.trim().to_owned(), d.trim().to_owned())),
        );
        for (position, (kind, name, description)) in scopes.iter().enumerate() {
            insert_scope(
                &mut tx,
                (org.organisation_id(), id),
                (*kind, name, description),
                position as i64,
                &framework,
                &now,
            )
            .await?;
        }
        append_audit_in(
            &mut tx,
            actor.event(
                org,
                "assessment.create",
                format!("assessment:{id}"),
                serde_json::json!({
                    "title": title, "period": period, "framework": input.framework_version,
                    "profile": profile.profile.id, "own_profile": input.own_profile,
                    "systems": input.systems.iter().map(|s| &s.0).collect::<Vec<_>>(),
                }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The organisation's assessments, newest first.
    pub async fn list_assessments(
        &self,
        org: &OrgScope,
    ) -> Result<Vec<AssessmentSummary>, DataError> {
        need(org, Permission::ReadAssessments)?;
        let mut ids = self.assessment_ids(org).await?;
        ids.reverse();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.assessment_summary(org, id).await?);
        }
        Ok(out)
    }

    /// The organisation's assessment ids, oldest first. The caller has checked the permission.
    pub(crate) async fn assessment_ids(&self, org: &OrgScope) -> Result<Vec<i64>, DataError> {
        sqlx::query("SELECT id FROM assessments WHERE organisation_id = $1 ORDER BY created_at, id")
            .bind(org.organisation_id())
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok(r.try_get("id")?))
            .collect()
    }

    /// One assessment with its scopes; not found outside the organisation.
    pub async fn assessment_summary(
        &self,
        org: &OrgScope,
        id: i64,
    ) -> Result<AssessmentSummary, DataError> {
        need(org, Permission::ReadAssessments)?;
        let row = sqlx::query(
            "SELECT a.id, a.title, a.period, a.created_at, f.version, p.name AS profile_name, \
             p.certainty AS profile_certainty, a.profile_id, a.previous_id FROM assessments a JOIN frameworks f ON f.id = a.framework_id \
             LEFT JOIN profiles p ON p.id = a.profile_id \
             WHERE a.id = $1 AND a.organisation_id = $2",
        )
        .bind(id)
        .bind(org.organisation_id())
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(not_found)?;
        let profile_name: Option<String> = row.try_get("profile_name")?;
        let version: String = row.try_get("version")?;
        let certainty = match row
            .try_get::<Option<String>, _>("profile_certainty")?
            .as_deref()
        {
            Some("less_certain") => caf::Certainty::LessCertain,
            _ => caf::Certainty::Published,
        };
        let scopes = sqlx::query(
            "SELECT id, kind, name, description, state, system_id FROM scopes \
             WHERE assessment_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(ScopeSummary {
                id: r.try_get("id")?,
                kind: kind_from(&r.try_get::<String, _>("kind")?)?,
                name: r.try_get("name")?,
                description: r.try_get("description")?,
                state: state_from(&r.try_get::<String, _>("state")?)?,
                system_id: r.try_get("system_id")?,
            })
        })
        .collect::<Result<Vec<_>, DataError>>()?;
        Ok(AssessmentSummary {
            id,
            title: row.try_get("title")?,
            period: row.try_get("period")?,
            own_profile: profile_name.is_none(),
            profile_name: profile_name
                .map(|name| caf::spoken_profile_name(&name, &version, certainty))
                .unwrap_or_else(|| "Own profile".to_owned()),
            framework_version: version,
            created_at: row.try_get("created_at")?,
            scopes,
            previous_id: row.try_get("previous_id")?,
        })
    }

    /// Checks that an assessment belongs to this organisation: not found otherwise.
    async fn assessment_of(&self, org: &OrgScope, assessment_id: i64) -> Result<(), DataError> {
        sqlx::query("SELECT 1 AS one FROM assessments WHERE id = $1 AND organisation_id = $2")
            .bind(assessment_id)
            .bind(org.organisation_id())
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(not_found)
            .map(drop)
    }

    /// A scope of this organisation, or not found.
    pub(crate) async fn scope_row(
        &self,
        org: &OrgScope,
        scope_id: i64,
    ) -> Result<ScopeRow, DataError> {
        let row = sqlx::query(
            "SELECT s.id, s.assessment_id, s.kind, s.name, s.description, s.state, s.system_id, \
             f.version \
             FROM scopes s JOIN assessments a ON a.id = s.assessment_id \
             JOIN frameworks f ON f.id = a.framework_id \
             WHERE s.id = $1 AND a.organisation_id = $2",
        )
        .bind(scope_id)
        .bind(org.organisation_id())
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(not_found)?;
        Ok(ScopeRow {
            id: row.try_get("id")?,
            assessment_id: row.try_get("assessment_id")?,
            kind: kind_from(&row.try_get::<String, _>("kind")?)?,
            name: row.try_get("name")?,
            description: row.try_get("description")?,
            state: state_from(&row.try_get::<String, _>("state")?)?,
            framework_version: row.try_get("version")?,
            system_id: row.try_get("system_id")?,
        })
    }

    /// The targets of an assessment, by outcome.
    pub async fn assessment_targets(
        &self,
        org: &OrgScope,
        assessment_id: i64,
    ) -> Result<BTreeMap<String, Status>, DataError> {
        need(org, Permission::ReadAssessments)?;
        self.assessment_of(org, assessment_id).await?;
        sqlx::query(
            "SELECT t.outcome_id, t.target FROM assessment_targets t \
             JOIN assessments a ON a.id = t.assessment_id \
             WHERE t.assessment_id = $1 AND a.organisation_id = $2",
        )
        .bind(assessment_id)
        .bind(org.organisation_id())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            let outcome: String = r.try_get("outcome_id")?;
            let target = parse_status(Some(r.try_get("target")?))?
                .ok_or_else(|| DataError::Document("empty target".into()))?;
            Ok((outcome, target))
        })
        .collect()
    }

    /// Changes one target of an assessment with its own profile (CAF lead, before any sign-off).
    pub async fn set_target(
        &self,
        org: &OrgScope,
        assessment_id: i64,
        outcome_id: &str,
        target: Status,
        actor: &Actor,
    ) -> Result<(), DataError> {
        need(org, Permission::LeadAssessment)?;
        let summary = self.assessment_summary(org, assessment_id).await?;
        if !summary.own_profile {
            return Err(DataError::Invalid(
                "This assessment uses a published profile; its targets cannot be changed.".into(),
            ));
        }
        if summary
            .scopes
            .iter()
            .any(|s| s.state == ScopeState::SignedOff)
        {
            return Err(DataError::Conflict(
                "Part of this assessment is signed off; its targets are final.".into(),
            ));
        }
        let mut tx = self.write_tx().await?;
        let before: Option<String> = sqlx::query(
            "SELECT target FROM assessment_targets WHERE assessment_id = $1 AND outcome_id = $2",
        )
        .bind(assessment_id)
        .bind(outcome_id)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.try_get("target"))
        .transpose()?;
        let Some(before) = before else {
            return Err(DataError::Invalid(format!(
                "{outcome_id} is not an outcome of this assessment."
            )));
        };
        sqlx::query(
            "UPDATE assessment_targets SET target = $1 WHERE assessment_id = $2 AND outcome_id = $3",
        )
        .bind(target.key())
        .bind(assessment_id)
        .bind(outcome_id)
        .execute(&mut *tx)
        .await?;
        append_audit_in(
            &mut tx,
            actor.event(
                org,
                "assessment.target",
                format!("assessment:{assessment_id}/outcome:{outcome_id}"),
                serde_json::json!({ "before": before, "after": target.key() }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// What is stored for one outcome of one scope.
    pub async fn outcome_record(
        &self,
        org: &OrgScope,
        scope_id: i64,
        outcome_id: &str,
    ) -> Result<OutcomeRecord, DataError> {
        need(org, Permission::ReadAssessments)?;
        self.scope_row(org, scope_id).await?;
        let row = sqlx::query(
            "SELECT o.confirmed_status, o.suggested_status, o.status_justification, o.narrative, \
             o.version, o.updated_at, u.display_name FROM scope_outcomes o \
             LEFT JOIN users u ON u.id = o.updated_by \
             WHERE o.scope_id = $1 AND o.outcome_id = $2",
        )
        .bind(scope_id)
        .bind(outcome_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(not_found)?;
        let answers = sqlx::query(
            "SELECT indicator_id, answer, justification FROM answers \
             WHERE scope_id = $1 AND outcome_id = $2 ORDER BY indicator_id",
        )
        .bind(scope_id)
        .bind(outcome_id)
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
        .collect::<Result<Vec<_>, DataError>>()?;
        let confirmed: Option<String> = row.try_get("confirmed_status")?;
        Ok(OutcomeRecord {
            draft: OutcomeDraft {
                answers,
                confirmed,
                justification: row.try_get("status_justification")?,
                narrative: row.try_get("narrative")?,
            },
            suggested: parse_status(Some(row.try_get("suggested_status")?))?
                .unwrap_or(Status::NotAchieved),
            version: row.try_get("version")?,
            updated_at: row.try_get("updated_at")?,
            updated_by: row.try_get("display_name")?,
        })
    }

    /// Saves an outcome if nobody saved it since `base_version`; otherwise stores nothing and
    /// returns what is stored now, so the person can see what changed and re-apply their text.
    pub async fn save_outcome(
        &self,
        org: &OrgScope,
        scope_id: i64,
        outcome_id: &str,
        base_version: i64,
        draft: &OutcomeDraft,
        actor: &Actor,
    ) -> Result<SaveResult, DataError> {
        need(org, Permission::EditAnswers)?;
        let scope = self.scope_row(org, scope_id).await?;
        if !scope.state.editable() {
            return Err(DataError::Conflict(format!(
                "This scope is {}: answers cannot be changed now.",
                scope.state.label().to_lowercase()
            )));
        }
        let framework = self.framework_text(&scope.framework_version).await?;
        let outcome = scope_outcomes(&framework, scope.kind)
            .into_iter()
            .find(|o| o.id == outcome_id)
            .ok_or_else(not_found)?;
        let problems = check_draft(outcome, draft);
        if !problems.is_empty() {
            return Err(DataError::Invalid(problems.join(" ")));
        }
        let before = self.outcome_record(org, scope_id, outcome_id).await?;
        let suggested = caf::suggest_status(outcome, &caf_answers(&draft.answers)).status;
        let now = now_utc();
        let mut tx = self.write_tx().await?;
        // First take the scope's row (a row lock on PostgreSQL, the write lock on SQLite) while it
        // is still being answered: a Submit is then either wholly before this save (and the save
        // touches nothing) or wholly after it (and sees what was saved).
        let open = sqlx::query(
            "UPDATE scopes SET state = state WHERE id = $1 AND state IN ('draft', 'returned')",
        )
        .bind(scope_id)
        .execute(&mut *tx)
        .await?;
        // The version check and the state check happen in the statement that takes the write:
        // a concurrent save or a workflow step in between makes it touch no row.
        let done = if open.rows_affected() == 0 {
            open
        } else {
            sqlx::query(
            "UPDATE scope_outcomes SET confirmed_status = $1, suggested_status = $2, \
             status_justification = $3, narrative = $4, answered = $5, version = version + 1, \
             updated_at = $6, updated_by = $7, \
             reconfirmed_at = CASE WHEN carried_from IS NULL THEN NULL ELSE COALESCE(reconfirmed_at, $6) END, \
             reconfirmed_by = CASE WHEN carried_from IS NULL THEN NULL ELSE COALESCE(reconfirmed_by, $7) END \
             WHERE scope_id = $8 AND outcome_id = $9 AND version = $10 \
             AND (SELECT state FROM scopes WHERE id = $8) IN ('draft', 'returned')",
        )
        .bind(draft.confirmed.as_deref())
        .bind(suggested.key())
        .bind(draft.justification.trim())
        .bind(&draft.narrative)
        .bind(draft.answers.len() as i64)
        .bind(&now)
        .bind(org.user_id())
        .bind(scope_id)
        .bind(outcome_id)
        .bind(base_version)
        .execute(&mut *tx)
        .await?
        };
        if done.rows_affected() == 0 {
            tx.rollback().await?;
            let current = self.outcome_record(org, scope_id, outcome_id).await?;
            let scope = self.scope_row(org, scope_id).await?;
            if !scope.state.editable() {
                return Err(DataError::Conflict(format!(
                    "This scope is {}: answers cannot be changed now.",
                    scope.state.label().to_lowercase()
                )));
            }
            return Ok(SaveResult::Conflict(current));
        }
        sqlx::query("DELETE FROM answers WHERE scope_id = $1 AND outcome_id = $2")
            .bind(scope_id)
            .bind(outcome_id)
            .execute(&mut *tx)
            .await?;
        for answer in &draft.answers {
            sqlx::query(
                "INSERT INTO answers (scope_id, outcome_id, indicator_id, answer, justification) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(scope_id)
            .bind(outcome_id)
            .bind(&answer.indicator)
            .bind(&answer.answer)
            .bind(if answer.answer == "not_applicable" {
                answer.justification.trim()
            } else {
                ""
            })
            .execute(&mut *tx)
            .await?;
        }
        let version = base_version + 1;
        append_audit_in(
            &mut tx,
            actor.event(
                org,
                "outcome.save",
                outcome_object(scope_id, outcome_id),
                serde_json::json!({
                    "version": version,
                    "before": draft_change(&before.draft, before.suggested),
                    "after": draft_change(draft, suggested),
                }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(SaveResult::Saved {
            version,
            at: now,
            suggested,
        })
    }

    /// Assigns an outcome to a member who can answer it, with a due date (CAF lead).
    pub async fn assign_outcome(
        &self,
        org: &OrgScope,
        scope_id: i64,
        outcome_id: &str,
        assignee: Option<i64>,
        due: Option<&str>,
        actor: &Actor,
    ) -> Result<(), DataError> {
        need(org, Permission::LeadAssessment)?;
        let scope = self.scope_row(org, scope_id).await?;
        if scope.state == ScopeState::SignedOff {
            return Err(signed_off());
        }
        let due = due.map(str::trim).filter(|d| !d.is_empty());
        if let Some(d) = due
            && !valid_date(d)
        {
            return Err(DataError::Invalid(
                "Enter the due date as a date, like 2027-01-31.".into(),
            ));
        }
        if let Some(user) = assignee {
            let assignable = self.assignable_members(org).await?;
            if !assignable.iter().any(|(id, _)| *id == user) {
                return Err(DataError::Invalid(
                    "Assign the outcome to a member who can answer it (an assessor or CAF lead)."
                        .into(),
                ));
            }
        }
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE scope_outcomes SET assignee_id = $1, due_date = $2 \
             WHERE scope_id = $3 AND outcome_id = $4",
        )
        .bind(assignee)
        .bind(due)
        .bind(scope_id)
        .bind(outcome_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(not_found());
        }
        append_audit_in(
            &mut tx,
            actor.event(
                org,
                "outcome.assign",
                outcome_object(scope_id, outcome_id),
                serde_json::json!({ "assignee": assignee, "due": due }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Current members who may answer outcomes: (user id, name).
    pub async fn assignable_members(
        &self,
        org: &OrgScope,
    ) -> Result<Vec<(i64, String)>, DataError> {
        need(org, Permission::LeadAssessment)?;
        sqlx::query(
            "SELECT u.id, u.display_name FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.organisation_id = $1 AND m.role IN ('assessor', 'caf_lead') \
             AND u.disabled_at IS NULL AND (m.expires_at IS NULL OR m.expires_at > $2) \
             ORDER BY u.display_name",
        )
        .bind(org.organisation_id())
        .bind(now_utc())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("display_name")?)))
        .collect()
    }

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

    /// An outcome's history: every audited change to it, newest first.
    pub async fn outcome_history(
        &self,
        org: &OrgScope,
        scope_id: i64,
        outcome_id: &str,
    ) -> Result<Vec<HistoryEntry>, DataError> {
        need(org, Permission::ReadAssessments)?;
        self.scope_row(org, scope_id).await?;
        let rows = sqlx::query(
            "SELECT occurred_at, actor, action, detail FROM audit_log \
             WHERE (object = $1 OR object = $2) AND organisation_id = $3 ORDER BY seq DESC LIMIT 200",
        )
        .bind(outcome_object(scope_id, outcome_id))
        .bind(format!("scope:{scope_id}"))
        .bind(org.organisation_id())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let action: String = r.try_get("action")?;
                let detail: String = r.try_get("detail")?;
                let detail: serde_json::Value = serde_json::from_str(&detail).unwrap_or_default();
                Ok(HistoryEntry {
                    at: r.try_get("occurred_at")?,
                    actor: r.try_get("actor")?,
                    summary: describe_change(&action, &detail),
                    action,
                })
            })
            .collect()
    }

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

/// The audit object of one outcome in one scope.
pub(crate) fn outcome_object(scope_id: i64, outcome_id: &str) -> String {
    format!("scope:{scope_id}/outcome:{outcome_id}")
}

pub(crate) fn need(org: &OrgScope, permission: Permission) -> Result<(), DataError> {
    if org.role().can(permission) {
        Ok(())
    } else {
        Err(not_found())
    }
}

pub(crate) fn not_found() -> DataError {
    DataError::NotFound("That page was not found.".into())
}

fn signed_off() -> DataError {
    DataError::Conflict("This scope is signed off: nothing in it can change.".into())
}

fn kind_from(key: &str) -> Result<ScopeKind, DataError> {
    ScopeKind::from_key(key).ok_or_else(|| DataError::Document(format!("scope kind {key:?}")))
}

fn state_from(key: &str) -> Result<ScopeState, DataError> {
    ScopeState::from_key(key).ok_or_else(|| DataError::Document(format!("scope state {key:?}")))
}

fn draft_change(draft: &OutcomeDraft, suggested: Status) -> serde_json::Value {
    serde_json::json!({
        "answers": draft.answers.iter().map(|a| (a.indicator.clone(), if a.answer == "not_applicable" { format!("not_applicable: {}", a.justification.trim()) } else { a.answer.clone() })).collect::<BTreeMap<_, _>>(),
        "suggested": suggested.key(),
        "confirmed": draft.confirmed,
        "justification": draft.justification,
        "narrative": draft.narrative,
    })
}

/// One line saying what an audited change did.
fn describe_change(action: &str, detail: &serde_json::Value) -> String {
    let label = |v: &serde_json::Value| {
        v.as_str()
            .and_then(Status::from_key)
            .map(|s| s.label().to_owned())
            .unwrap_or_else(|| "none".to_owned())
    };
    match action {
        "outcome.save" => {
            let before = &detail["before"];
            let after = &detail["after"];
            let mut parts = Vec::new();
            let (ba, aa) = (&before["answers"], &after["answers"]);
            if let (Some(b), Some(a)) = (ba.as_object(), aa.as_object()) {
                let keys: BTreeSet<&String> = b.keys().chain(a.keys()).collect();
                for k in keys {
                    let (x, y) = (b.get(k), a.get(k));
                    if x != y {
                        let show = |v: Option<&serde_json::Value>| {
                            v.and_then(|v| v.as_str())
                                .unwrap_or("unanswered")
                                .to_owned()
                        };
                        parts.push(format!("{k}: {} → {}", show(x), show(y)));
                    }
                }
            }
            if before["confirmed"] != after["confirmed"] {
                parts.push(format!(
                    "confirmed status: {} → {}",
                    label(&before["confirmed"]),
                    label(&after["confirmed"])
                ));
            }
            if before["justification"] != after["justification"] {
                parts.push("status justification edited".into());
            }
            if before["narrative"] != after["narrative"] {
                parts.push("narrative edited".into());
            }
            if parts.is_empty() {
                "saved with no change".into()
            } else {
                parts.join("; ")
            }
        }
        "outcome.assign" => format!(
            "assigned (user {}), due {}",
            detail["assignee"],
            detail["due"].as_str().unwrap_or("not set")
        ),
        "comment.add" => format!("comment: {}", detail["body"].as_str().unwrap_or_default()),
        "comment.resolve" => "comment resolved".into(),
        "evidence.link" => format!("evidence {} linked", detail["evidence"]),
        "evidence.unlink" => format!("evidence {} unlinked", detail["evidence"]),
        "plan.propose" => format!(
            "action proposed: {}",
            detail["description"].as_str().unwrap_or_default()
        ),
        "plan.update" => format!(
            "action {}: {} → {}",
            detail["action"],
            detail["before"].as_str().unwrap_or_default(),
            detail["after"].as_str().unwrap_or_default()
        ),
        a if a.starts_with("scope.") => {
            let state = |v: &serde_json::Value| {
                v.as_str()
                    .and_then(ScopeState::from_key)
                    .map(|s| s.label())
                    .unwrap_or("?")
            };
            format!(
                "scope: {} → {}{}",
                state(&detail["before"]),
                state(&detail["after"]),
                detail["comment"]
                    .as_str()
                    .map(|c| format!(" ({c})"))
                    .unwrap_or_default()
            )
        }
        other => other.to_owned(),
    }
}

/// Inserts a draft scope with an empty record for each of its outcomes, inside `tx`.
#[allow(clippy::too_many_arguments)]
/// A new assessment's title and period, trimmed; what is wrong with them goes to `problems`.
pub(crate) fn check_title_period<'a>(
    title: &'a str,
    period: &'a str,
    problems: &mut Vec<String>,
) -> (&'a str, &'a str) {
    let (title, period) = (title.trim(), period.trim());
    if title.is_empty() || title.chars().count() > 200 {
        problems.push("Enter a title (at most 200 characters).".to_owned());
    }
    if period.is_empty() || period.chars().count() > 40 {
        problems.push("Enter the period it covers, like 2026/27.".to_owned());
    }
    (title, period)
}

/// The columns of a new assessment row.
pub(crate) struct NewRow<'a> {
    pub title: &'a str,
    pub period: &'a str,
    pub version: &'a str,
    pub profile: &'a caf::Profile,
    pub own_profile: bool,
    pub previous_id: Option<i64>,
}

/// Inserts an assessment and its targets; a title already used is a conflict.
pub(crate) async fn insert_assessment(
    tx: &mut Transaction<'_, Any>,
    org: &OrgScope,
    row: NewRow<'_>,
    now: &str,
) -> Result<i64, DataError> {
    let framework_id: i64 = sqlx::query("SELECT id FROM frameworks WHERE version = $1")
        .bind(row.version)
        .fetch_one(&mut **tx)
        .await?
        .try_get("id")?;
    let profile_id: Option<i64> = if row.own_profile {
        None
    } else {
        Some(
            sqlx::query("SELECT id FROM profiles WHERE slug = $1")
                .bind(&row.profile.id)
                .fetch_one(&mut **tx)
                .await?
                .try_get("id")?,
        )
    };
    let id: i64 = match sqlx::query(
        "INSERT INTO assessments (organisation_id, title, period, framework_id, profile_id, \
         previous_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(org.organisation_id())
    .bind(row.title)
    .bind(row.period)
    .bind(framework_id)
    .bind(profile_id)
    .bind(row.previous_id)
    .bind(org.user_id())
    .bind(now)
    .fetch_one(&mut **tx)
    .await
    {
        Ok(r) => r.try_get("id")?,
        Err(e)
            if e.as_database_error()
                .is_some_and(|d| d.is_unique_violation()) =>
        {
            return Err(DataError::Conflict(format!(
                "There is already an assessment called {}.",
                row.title
            )));
        }
        Err(e) => return Err(e.into()),
    };
    for (outcome, target) in &row.profile.targets {
        sqlx::query(
            "INSERT INTO assessment_targets (assessment_id, outcome_id, target) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(outcome)
        .bind(target.key())
        .execute(&mut **tx)
        .await?;
    }
    Ok(id)
}

pub(crate) async fn insert_scope(
    tx: &mut Transaction<'_, Any>,
    (organisation_id, assessment_id): (i64, i64),
    (kind, name, description): (ScopeKind, &str, &str),
    position: i64,
    framework: &Framework,
    now: &str,
) -> Result<i64, DataError> {
    let system_id = match kind {
        ScopeKind::System => Some(system_for(tx, organisation_id, name, description).await?),
        ScopeKind::Organisation => None,
    };
    let id: i64 = sqlx::query(
        "INSERT INTO scopes (assessment_id, kind, name, description, position, state, \
         state_changed_at, system_id) VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7) RETURNING id",
    )
    .bind(assessment_id)
    .bind(kind.key())
    .bind(name)
    .bind(description)
    .bind(position)
    .bind(now)
    .bind(system_id)
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?;
    for outcome in scope_outcomes(framework, kind) {
        let suggested = caf::suggest_status(outcome, &BTreeMap::new()).status;
        sqlx::query(
            "INSERT INTO scope_outcomes (scope_id, outcome_id, suggested_status) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(&outcome.id)
        .bind(suggested.key())
        .execute(&mut **tx)
        .await?;
    }
    Ok(id)
}

async fn insert_comment(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_are_checked_all_at_once() {
        let framework = caf::bundled_framework("4.0").unwrap();
        let outcome = framework.outcome("A1.a").unwrap();
        let first = outcome.indicators.achieved[0].id.clone();
        let draft = OutcomeDraft {
            answers: vec![
                AnswerInput {
                    indicator: "Z9.z.A1".into(),
                    answer: "true".into(),
                    justification: String::new(),
                },
                AnswerInput {
                    indicator: first.clone(),
                    answer: "not_applicable".into(),
                    justification: " ".into(),
                },
                AnswerInput {
                    indicator: first.clone(),
                    answer: "maybe".into(),
                    justification: String::new(),
                },
            ],
            confirmed: Some("achieved".into()),
            justification: String::new(),
            narrative: String::new(),
        };
        let problems = check_draft(outcome, &draft);
        assert_eq!(problems.len(), 5, "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("compensating measure")));
        assert!(problems.iter().any(|p| p.contains("explain why")));
    }

    #[test]
    fn scopes_cover_their_objectives() {
        let framework = caf::bundled_framework("4.0").unwrap();
        let org = scope_outcomes(&framework, ScopeKind::Organisation);
        let sys = scope_outcomes(&framework, ScopeKind::System);
        assert_eq!(org.len() + sys.len(), 41);
        assert!(
            org.iter()
                .all(|o| o.id.starts_with('A') || o.id.starts_with('D'))
        );
        assert!(
            sys.iter()
                .all(|o| o.id.starts_with('B') || o.id.starts_with('C'))
        );
    }
}
