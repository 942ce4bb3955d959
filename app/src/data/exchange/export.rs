//! Building the export document from what is stored.

use super::{
    AssessmentExport, EXPORT_FORMAT, ExportAction, ExportAssessment, ExportComment, ExportEvidence,
    ExportOutcome, ExportScope,
};
use crate::assess::AnswerInput;
use crate::data::assessments::{Actor, need, not_found, scope_outcomes};
use crate::data::{DataError, Db, OrgScope, now_utc};
use crate::roles::Permission;
use caf::Status;
use sqlx::Row;
use std::collections::BTreeMap;

/// Per (scope id, outcome id): what one query returned.
type ByOutcome<T> = BTreeMap<(i64, String), Vec<T>>;

impl Db {
    /// The whole assessment as the documented export document. Audited as `assessment.export`.
    pub async fn export_assessment(
        &self,
        org: &OrgScope,
        id: i64,
        actor: &Actor,
    ) -> Result<AssessmentExport, DataError> {
        let document = self.build_export(org, id).await?;
        self.append_audit(actor.event(
            org,
            "assessment.export",
            format!("assessment:{id}"),
            serde_json::json!({ "format": "json", "title": document.assessment.title }),
        ))
        .await?;
        Ok(document)
    }

    /// The export document, unaudited (the CSV is made from it too).
    pub(crate) async fn build_export(
        &self,
        org: &OrgScope,
        id: i64,
    ) -> Result<AssessmentExport, DataError> {
        need(org, Permission::ReadAssessments)?;
        let summary = self.assessment_summary(org, id).await?;
        let head = sqlx::query(
            "SELECT o.slug, p.slug AS profile FROM assessments a \
             JOIN organisations o ON o.id = a.organisation_id \
             LEFT JOIN profiles p ON p.id = a.profile_id WHERE a.id = $1 AND a.organisation_id = $2",
        )
        .bind(id)
        .bind(org.organisation_id())
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(not_found)?;
        let framework = self.framework_text(&summary.framework_version).await?;
        let targets = self.assessment_targets(org, id).await?;

        let mut records: BTreeMap<(i64, String), sqlx::any::AnyRow> = BTreeMap::new();
        for r in sqlx::query(
            "SELECT o.scope_id, o.outcome_id, o.confirmed_status, o.suggested_status, \
             o.status_justification, o.narrative, o.due_date, u.email \
             FROM scope_outcomes o JOIN scopes s ON s.id = o.scope_id \
             LEFT JOIN users u ON u.id = o.assignee_id WHERE s.assessment_id = $1",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        {
            records.insert((r.try_get("scope_id")?, r.try_get("outcome_id")?), r);
        }
        let mut answers: ByOutcome<AnswerInput> = BTreeMap::new();
        for r in sqlx::query(
            "SELECT n.scope_id, n.outcome_id, n.indicator_id, n.answer, n.justification \
             FROM answers n JOIN scopes s ON s.id = n.scope_id WHERE s.assessment_id = $1 \
             ORDER BY n.indicator_id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        {
            answers
                .entry((r.try_get("scope_id")?, r.try_get("outcome_id")?))
                .or_default()
                .push(AnswerInput {
                    indicator: r.try_get("indicator_id")?,
                    answer: r.try_get("answer")?,
                    justification: r.try_get("justification")?,
                });
        }
        let mut comments: ByOutcome<ExportComment> = BTreeMap::new();
        for r in sqlx::query(
            "SELECT c.scope_id, c.outcome_id, a.display_name AS author, m.role, c.body, \
             c.created_at, c.resolved_at, r.display_name AS resolver FROM comments c \
             JOIN scopes s ON s.id = c.scope_id JOIN users a ON a.id = c.author_id \
             LEFT JOIN memberships m ON m.user_id = c.author_id AND m.organisation_id = $2 \
             LEFT JOIN users r ON r.id = c.resolved_by WHERE s.assessment_id = $1 ORDER BY c.id",
        )
        .bind(id)
        .bind(org.organisation_id())
        .fetch_all(self.pool())
        .await?
        {
            let author: String = r.try_get("author")?;
            let role = r
                .try_get::<Option<String>, _>("role")?
                .as_deref()
                .and_then(crate::roles::Role::from_key)
                .map(|role| format!(" ({})", role.label()))
                .unwrap_or_default();
            let resolved_at: Option<String> = r.try_get("resolved_at")?;
            let resolver: Option<String> = r.try_get("resolver")?;
            comments
                .entry((r.try_get("scope_id")?, r.try_get("outcome_id")?))
                .or_default()
                .push(ExportComment {
                    author: format!("{author}{role}"),
                    body: r.try_get("body")?,
                    created_at: r.try_get("created_at")?,
                    resolved_by: resolved_at.as_ref().map(|_| resolver.unwrap_or_default()),
                    resolved_at,
                });
        }
        let mut actions: ByOutcome<ExportAction> = BTreeMap::new();
        for a in self.plan(org, id, None).await? {
            actions
                .entry((a.scope_id, a.outcome.clone()))
                .or_default()
                .push(ExportAction {
                    description: a.description,
                    owner: a.owner,
                    due: a.due,
                    status: a.status,
                    notes: a.notes,
                    proposed_by: a.proposed_by,
                });
        }
        // Evidence linked anywhere in the assessment, numbered e1, e2… in register order.
        let mut links: ByOutcome<i64> = BTreeMap::new();
        for r in sqlx::query(
            "SELECT l.scope_id, l.outcome_id, l.evidence_id FROM evidence_links l \
             JOIN scopes s ON s.id = l.scope_id JOIN evidence e ON e.id = l.evidence_id \
             WHERE s.assessment_id = $1 AND e.organisation_id = $2 ORDER BY l.evidence_id",
        )
        .bind(id)
        .bind(org.organisation_id())
        .fetch_all(self.pool())
        .await?
        {
            links
                .entry((r.try_get("scope_id")?, r.try_get("outcome_id")?))
                .or_default()
                .push(r.try_get("evidence_id")?);
        }
        let mut used: Vec<i64> = links.values().flatten().copied().collect();
        used.sort_unstable();
        used.dedup();
        let local: BTreeMap<i64, String> = used
            .iter()
            .enumerate()
            .map(|(n, id)| (*id, format!("e{}", n + 1)))
            .collect();
        let mut evidence = Vec::with_capacity(used.len());
        for evidence_id in &used {
            let item = self.evidence_item(org, *evidence_id).await?;
            evidence.push(ExportEvidence {
                id: local[evidence_id].clone(),
                kind: item.kind,
                fields: item.fields,
                url: item.url,
                note: item.note,
                sha256: item.sha256,
                file_name: item.file_name,
                file_size: item.file_size,
            });
        }

        let mut sign_offs = self.sign_offs(id).await?;
        let mut scopes = Vec::with_capacity(summary.scopes.len());
        for scope in &summary.scopes {
            let mut outcomes = Vec::new();
            for outcome in scope_outcomes(&framework, scope.kind) {
                let key = (scope.id, outcome.id.clone());
                let Some(r) = records.get(&key) else { continue };
                let suggested: String = r.try_get("suggested_status")?;
                outcomes.push(ExportOutcome {
                    id: outcome.id.clone(),
                    title: outcome.title.clone(),
                    answers: answers.remove(&key).unwrap_or_default(),
                    suggested: Status::from_key(&suggested),
                    confirmed: r.try_get("confirmed_status")?,
                    justification: r.try_get("status_justification")?,
                    narrative: r.try_get("narrative")?,
                    assignee: r.try_get("email")?,
                    due: r.try_get("due_date")?,
                    evidence: links
                        .remove(&key)
                        .unwrap_or_default()
                        .iter()
                        .map(|e| local[e].clone())
                        .collect(),
                    comments: comments.remove(&key).unwrap_or_default(),
                    actions: actions.remove(&key).unwrap_or_default(),
                });
            }
            scopes.push(ExportScope {
                kind: scope.kind,
                name: scope.name.clone(),
                description: scope.description.clone(),
                state: scope.state,
                outcomes,
                sign_off: sign_offs.remove(&scope.id),
            });
        }
        Ok(AssessmentExport {
            format: EXPORT_FORMAT,
            exported_at: now_utc(),
            source_organisation: head.try_get("slug")?,
            assessment: ExportAssessment {
                title: summary.title,
                period: summary.period,
                framework_version: summary.framework_version,
                framework_hash: framework.content_hash(),
                profile: head.try_get("profile")?,
                profile_name: summary.profile_name,
                own_profile: summary.own_profile,
                targets,
            },
            scopes,
            evidence,
        })
    }
}
