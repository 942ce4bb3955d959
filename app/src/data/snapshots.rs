//! Sign-off snapshots: the signed record of a scope, what its SHA-256 is over.
//!
//! The same record can be built from the live rows of a scope not yet signed off, so that a
//! draft board report is made by the same code as the signed one.

use super::assessments::{ScopeRow, need, not_found, scope_outcomes};
use super::{Actor, DataError, Db, OrgScope, sha256_hex};
use crate::assess::{AnswerInput, ScopeKind};
use crate::roles::{Permission, Role};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::collections::BTreeMap;

/// The format number of snapshots written now. Format 1 lacked the organisation, the plan and
/// the reviewer's and assurer's sign-offs; such snapshots still read, with what they hold.
pub const SNAPSHOT_FORMAT: u32 = 2;

/// The signed record of a scope: what the snapshot's SHA-256 is over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Format of this record ([`SNAPSHOT_FORMAT`] for new ones).
    pub format: u32,
    /// The assessment.
    pub assessment: SnapshotAssessment,
    /// The scope.
    pub scope: SnapshotScope,
    /// Every outcome of the scope in framework order.
    pub outcomes: Vec<SnapshotOutcome>,
    /// The approver's email (empty in a draft built from live rows).
    pub signed_by: String,
    /// When (UTC; empty in a draft).
    pub signed_at: String,
    /// The reviewer's, assurer's and approver's steps (format 2).
    #[serde(default)]
    pub signatures: Vec<SnapshotSignature>,
}

/// The assessment part of a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotAssessment {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Period.
    pub period: String,
    /// Framework version.
    pub framework_version: String,
    /// SHA-256 of the framework text answered against.
    pub framework_hash: String,
    /// Target profile name.
    pub profile: String,
    /// The organisation's name (format 2).
    #[serde(default)]
    pub organisation: String,
}

/// The scope part of a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotScope {
    /// Id.
    pub id: i64,
    /// `organisation` or `system`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
}

/// One outcome in a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotOutcome {
    /// Outcome id.
    pub id: String,
    /// Target status key.
    pub target: Option<String>,
    /// Suggested status key.
    pub suggested: String,
    /// Confirmed status key.
    pub confirmed: Option<String>,
    /// Why confirmed differs from suggested.
    pub justification: String,
    /// Narrative.
    pub narrative: String,
    /// Answers.
    pub answers: Vec<AnswerInput>,
    /// Evidence with hashes.
    pub evidence: Vec<SnapshotEvidence>,
    /// The improvement plan's actions for this outcome (format 2).
    #[serde(default)]
    pub actions: Vec<SnapshotAction>,
}

/// One evidence item in a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotEvidence {
    /// Id in the register.
    pub id: i64,
    /// file, link or note.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Classification key.
    pub classification: String,
    /// Review-by date.
    pub review_by: Option<String>,
    /// The link, for links.
    pub url: Option<String>,
    /// SHA-256, for files.
    pub sha256: Option<String>,
}

/// One improvement plan action as it stood at sign-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotAction {
    /// Id in the plan.
    pub id: i64,
    /// What will be done.
    pub description: String,
    /// Who owns it.
    pub owner: String,
    /// When it is due (YYYY-MM-DD).
    pub due: Option<String>,
    /// Status key (`proposed`, `open`, `in_progress`, `done`, `declined`).
    pub status: String,
    /// When it was closed (done or declined), UTC.
    pub closed_at: Option<String>,
}

/// A workflow step someone took on the scope: internal review, assurance or sign-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotSignature {
    /// `review`, `assurance` or `sign_off`.
    pub step: String,
    /// The person's name.
    pub name: String,
    /// Their email.
    pub email: String,
    /// Their role key in the organisation.
    pub role: String,
    /// When (UTC).
    pub at: String,
}

impl SnapshotSignature {
    /// The step in words.
    pub fn step_label(&self) -> &'static str {
        match self.step.as_str() {
            "review" => "Internal review",
            "assurance" => "Independent assurance",
            _ => "Sign-off",
        }
    }

    /// The role in words.
    pub fn role_label(&self) -> String {
        Role::from_key(&self.role).map_or_else(|| self.role.clone(), |r| r.label().to_owned())
    }
}

/// A snapshot as stored: the JSON as signed, its SHA-256, and the approver's name and time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSnapshot {
    /// The JSON as signed.
    pub content: String,
    /// Its SHA-256.
    pub sha256: String,
    /// The approver's name.
    pub signer: String,
    /// When (UTC).
    pub signed_at: String,
}

impl Db {
    /// The canonical JSON of a scope as it stands, and its SHA-256. With a signer, the record is
    /// the one they sign now; without, it is a draft for a report.
    pub(crate) async fn build_snapshot(
        &self,
        org: &OrgScope,
        scope: &ScopeRow,
        signer: Option<&Actor>,
        at: &str,
    ) -> Result<(String, String), DataError> {
        let snapshot = self.live_snapshot(org, scope, signer, at).await?;
        let content = serde_json::to_string(&snapshot)
            .map_err(|e| DataError::Document(format!("snapshot: {e}")))?;
        let hash = sha256_hex(content.as_bytes());
        Ok((content, hash))
    }

    /// The record of a scope built from its live rows.
    pub(crate) async fn live_snapshot(
        &self,
        org: &OrgScope,
        scope: &ScopeRow,
        signer: Option<&Actor>,
        at: &str,
    ) -> Result<Snapshot, DataError> {
        let summary = self.assessment_summary(org, scope.assessment_id).await?;
        let targets = self.assessment_targets(org, scope.assessment_id).await?;
        let framework = self.framework_text(&scope.framework_version).await?;
        let mut actions = self.snapshot_actions(scope.id).await?;
        let mut outcomes = Vec::new();
        for outcome in scope_outcomes(&framework, scope.kind) {
            let record = self.outcome_record(org, scope.id, &outcome.id).await?;
            let evidence = self
                .outcome_evidence(org, scope.id, &outcome.id)
                .await?
                .into_iter()
                .map(|e| SnapshotEvidence {
                    id: e.id,
                    kind: e.kind.key().to_owned(),
                    title: e.fields.title,
                    classification: e.fields.classification,
                    review_by: e.fields.review_by,
                    url: e.url,
                    sha256: e.sha256,
                })
                .collect();
            outcomes.push(SnapshotOutcome {
                id: outcome.id.clone(),
                target: targets.get(&outcome.id).map(|t| t.key().to_owned()),
                suggested: record.suggested.key().to_owned(),
                confirmed: record.draft.confirmed,
                justification: record.draft.justification,
                narrative: record.draft.narrative,
                answers: record.draft.answers,
                evidence,
                actions: actions.remove(&outcome.id).unwrap_or_default(),
            });
        }
        let mut signatures = self.scope_signatures(org, scope.id).await?;
        if let Some(actor) = signer {
            signatures.push(SnapshotSignature {
                step: "sign_off".into(),
                name: self.display_name(actor.user_id).await?,
                email: actor.email.clone(),
                role: org.role().key().into(),
                at: at.to_owned(),
            });
        }
        Ok(Snapshot {
            format: SNAPSHOT_FORMAT,
            assessment: SnapshotAssessment {
                id: summary.id,
                title: summary.title,
                period: summary.period,
                framework_version: summary.framework_version,
                framework_hash: framework.content_hash(),
                profile: summary.profile_name,
                organisation: self.organisation_name(org).await?,
            },
            scope: SnapshotScope {
                id: scope.id,
                kind: scope.kind.key().to_owned(),
                name: scope.name.clone(),
                description: scope.description.clone(),
            },
            outcomes,
            signed_by: signer.map(|a| a.email.clone()).unwrap_or_default(),
            signed_at: if signer.is_some() {
                at.to_owned()
            } else {
                String::new()
            },
            signatures,
        })
    }

    /// A signed-off scope's snapshot: the JSON as signed, its SHA-256, who and when.
    pub async fn snapshot(
        &self,
        org: &OrgScope,
        scope_id: i64,
    ) -> Result<Option<(String, String, String, String)>, DataError> {
        need(org, Permission::ReadAssessments)?;
        self.scope_row(org, scope_id).await?;
        Ok(self.stored_snapshot(scope_id).await?.map(|s| {
            let StoredSnapshot {
                content,
                sha256,
                signer,
                signed_at,
            } = s;
            (content, sha256, signer, signed_at)
        }))
    }

    /// The stored snapshot of a scope, if signed off. The caller has checked the scope is theirs.
    pub(crate) async fn stored_snapshot(
        &self,
        scope_id: i64,
    ) -> Result<Option<StoredSnapshot>, DataError> {
        sqlx::query(
            "SELECT s.content, s.sha256, u.display_name, s.signed_at FROM snapshots s \
             JOIN users u ON u.id = s.signed_by WHERE s.scope_id = $1",
        )
        .bind(scope_id)
        .fetch_optional(self.pool())
        .await?
        .map(|r| {
            Ok(StoredSnapshot {
                content: r.try_get("content")?,
                sha256: r.try_get("sha256")?,
                signer: r.try_get("display_name")?,
                signed_at: r.try_get("signed_at")?,
            })
        })
        .transpose()
    }

    /// The plan's actions of a scope, by outcome, oldest first.
    async fn snapshot_actions(
        &self,
        scope_id: i64,
    ) -> Result<BTreeMap<String, Vec<SnapshotAction>>, DataError> {
        let mut out: BTreeMap<String, Vec<SnapshotAction>> = BTreeMap::new();
        for r in sqlx::query(
            "SELECT id, outcome_id, description, owner, due_date, status, closed_at \
             FROM plan_actions WHERE scope_id = $1 ORDER BY id",
        )
        .bind(scope_id)
        .fetch_all(self.pool())
        .await?
        {
            out.entry(r.try_get("outcome_id")?)
                .or_default()
                .push(SnapshotAction {
                    id: r.try_get("id")?,
                    description: r.try_get("description")?,
                    owner: r.try_get("owner")?,
                    due: r.try_get("due_date")?,
                    status: r.try_get("status")?,
                    closed_at: r.try_get("closed_at")?,
                });
        }
        Ok(out)
    }

    /// The latest internal review and assurance of a scope, from the audit log.
    async fn scope_signatures(
        &self,
        org: &OrgScope,
        scope_id: i64,
    ) -> Result<Vec<SnapshotSignature>, DataError> {
        let mut latest: BTreeMap<&'static str, SnapshotSignature> = BTreeMap::new();
        for r in sqlx::query(
            "SELECT a.action, a.occurred_at, a.actor, u.display_name, m.role FROM audit_log a \
             LEFT JOIN users u ON u.id = a.actor_id \
             LEFT JOIN memberships m ON m.user_id = a.actor_id AND m.organisation_id = a.organisation_id \
             WHERE a.object = $1 AND a.organisation_id = $2 \
             AND a.action IN ('scope.accept', 'scope.assure') ORDER BY a.seq",
        )
        .bind(format!("scope:{scope_id}"))
        .bind(org.organisation_id())
        .fetch_all(self.pool())
        .await?
        {
            let action: String = r.try_get("action")?;
            let (step, default_role) = if action == "scope.accept" {
                ("review", Role::Reviewer)
            } else {
                ("assurance", Role::ExternalAssurer)
            };
            let email: String = r.try_get("actor")?;
            latest.insert(
                step,
                SnapshotSignature {
                    step: step.into(),
                    name: r
                        .try_get::<Option<String>, _>("display_name")?
                        .unwrap_or_else(|| email.clone()),
                    email,
                    role: r
                        .try_get::<Option<String>, _>("role")?
                        .unwrap_or_else(|| default_role.key().to_owned()),
                    at: r.try_get("occurred_at")?,
                },
            );
        }
        let mut out = Vec::new();
        out.extend(latest.remove("review"));
        out.extend(latest.remove("assurance"));
        Ok(out)
    }

    /// A user's display name.
    async fn display_name(&self, user_id: i64) -> Result<String, DataError> {
        sqlx::query("SELECT display_name FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(not_found)?
            .try_get("display_name")
            .map_err(DataError::from)
    }

    /// The name of the organisation a scope opens.
    pub(crate) async fn organisation_name(&self, org: &OrgScope) -> Result<String, DataError> {
        sqlx::query("SELECT name FROM organisations WHERE id = $1")
            .bind(org.organisation_id())
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(not_found)?
            .try_get("name")
            .map_err(DataError::from)
    }
}

/// The scope kind a snapshot names.
pub fn snapshot_kind(snapshot: &Snapshot) -> ScopeKind {
    ScopeKind::from_key(&snapshot.scope.kind).unwrap_or(ScopeKind::System)
}
