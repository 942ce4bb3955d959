//! Assessments and their scopes: starting one, listing them, the summary and the targets, and
//! the checks and row helpers the other assessment modules share (`outcome_records`,
//! `workflow`, `comments`, `plan`).
//!
//! Every function takes the [`OrgScope`] that `Db::authorize` returned and reaches only that
//! organisation's rows: a scope or assessment of another organisation is simply not found.

use super::audit::append_audit_in;
use super::systems::system_for;
use super::{AuditEvent, DataError, Db, OrgScope, now_utc};
use crate::assess::{
    AssessmentSummary, MAX_SCOPE_DESCRIPTION, MAX_TEXT, ScopeKind, ScopeState, ScopeSummary,
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

pub(super) fn parse_status(key: Option<String>) -> Result<Option<Status>, DataError> {
    key.map(|k| {
        Status::from_key(&k).ok_or_else(|| DataError::Document(format!("unknown status {k:?}")))
    })
    .transpose()
}

pub(super) fn too_long(text: &str, what: &str) -> Result<(), DataError> {
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
    pub(super) async fn assessment_of(
        &self,
        org: &OrgScope,
        assessment_id: i64,
    ) -> Result<(), DataError> {
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

pub(super) fn signed_off() -> DataError {
    DataError::Conflict("This scope is signed off: nothing in it can change.".into())
}

pub(super) fn kind_from(key: &str) -> Result<ScopeKind, DataError> {
    ScopeKind::from_key(key).ok_or_else(|| DataError::Document(format!("scope kind {key:?}")))
}

pub(super) fn state_from(key: &str) -> Result<ScopeState, DataError> {
    ScopeState::from_key(key).ok_or_else(|| DataError::Document(format!("scope state {key:?}")))
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
