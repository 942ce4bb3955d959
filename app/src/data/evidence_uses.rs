//! Which outcomes each item of an organisation's evidence register supports.

use super::assessments::not_found;
use super::{DataError, Db, OrgScope};
use crate::roles::Permission;
use sqlx::Row;

use crate::assess::EvidenceUse;

impl Db {
    /// Every link from the organisation's evidence to an outcome, by item, then assessment,
    /// scope and outcome.
    pub async fn evidence_uses(&self, org: &OrgScope) -> Result<Vec<EvidenceUse>, DataError> {
        if !org.role().can(Permission::ReadAssessments) {
            return Err(not_found());
        }
        let rows = sqlx::query(
            "SELECT l.evidence_id, l.scope_id, l.outcome_id, s.name AS scope_name, \
                    s.assessment_id, a.title AS assessment_title \
             FROM evidence_links l \
             JOIN evidence e ON e.id = l.evidence_id \
             JOIN scopes s ON s.id = l.scope_id \
             JOIN assessments a ON a.id = s.assessment_id \
             WHERE e.organisation_id = $1 AND a.organisation_id = $1 \
             ORDER BY l.evidence_id, a.id DESC, s.position, l.outcome_id",
        )
        .bind(org.organisation_id())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(EvidenceUse {
                    evidence_id: r.try_get("evidence_id")?,
                    assessment_id: r.try_get("assessment_id")?,
                    assessment_title: r.try_get("assessment_title")?,
                    scope_id: r.try_get("scope_id")?,
                    scope_name: r.try_get("scope_name")?,
                    outcome_id: r.try_get("outcome_id")?,
                })
            })
            .collect()
    }
}
