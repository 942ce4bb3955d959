//! What a board report is built from: each scope's signed record (or, for a scope not yet
//! signed off, the same record built from its live rows), and the previous signed-off
//! assessment's records.

use super::assessments::{need, not_found};
use super::snapshots::{Snapshot, StoredSnapshot};
use super::{DataError, Db, OrgScope};
use crate::assess::ScopeState;
use crate::roles::Permission;
use crate::types::ReportListing;
use crate::year_on_year::PreviousBasis;
use caf::Framework;
use sqlx::Row;

/// One scope of the assessment reported on.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportScope {
    /// Where the scope is in the workflow.
    pub state: ScopeState,
    /// Its record: as signed, or built from live rows when not signed off.
    pub snapshot: Snapshot,
    /// The stored snapshot with its SHA-256, once signed off.
    pub stored: Option<StoredSnapshot>,
    /// The organisation's critical system it assesses (none for the organisation scope).
    pub system_id: Option<i64>,
}

/// A scope of the previous assessment: its signed record and the critical system it assessed.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviousScope {
    /// Its signed record.
    pub snapshot: Snapshot,
    /// The organisation's critical system it assessed (none for the organisation scope).
    pub system_id: Option<i64>,
}

/// The previous signed-off assessment of the same organisation: the one this year's was
/// started from, else the latest earlier one signed off in full.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviousSources {
    /// Its id.
    pub id: i64,
    /// Why it is the one compared with.
    pub basis: PreviousBasis,
    /// Its title.
    pub title: String,
    /// Its period.
    pub period: String,
    /// Its framework text.
    pub framework: Framework,
    /// When its last scope was signed off (UTC).
    pub signed_at: String,
    /// Its scopes' signed records, in order.
    pub scopes: Vec<PreviousScope>,
}

/// Everything a board report is built from.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportSources {
    /// The assessment's id.
    pub assessment_id: i64,
    /// The organisation's name.
    pub organisation: String,
    /// The assessment's title.
    pub title: String,
    /// Its period.
    pub period: String,
    /// The target profile's name.
    pub profile: String,
    /// The framework text it is answered against.
    pub framework: Framework,
    /// Its scopes in order.
    pub scopes: Vec<ReportScope>,
    /// The previous signed-off assessment, if there is one.
    pub previous: Option<PreviousSources>,
}

impl ReportSources {
    /// Whether every scope is signed off: only then is the report final.
    pub fn signed_off(&self) -> bool {
        self.scopes.iter().all(|s| s.state == ScopeState::SignedOff)
    }
}

impl Db {
    /// The assessments a member may read reports of, newest first: board viewers see only those
    /// signed off in full; members who read assessments see drafts too.
    pub async fn report_listings(&self, org: &OrgScope) -> Result<Vec<ReportListing>, DataError> {
        need(org, Permission::ReadReports)?;
        let drafts = org.role().can(Permission::ReadAssessments);
        let rows = sqlx::query(
            "SELECT a.id, a.title, a.period, f.version, \
             (SELECT COUNT(*) FROM scopes s WHERE s.assessment_id = a.id) AS scopes, \
             (SELECT COUNT(*) FROM scopes s WHERE s.assessment_id = a.id \
              AND s.state = 'signed_off') AS signed_off, \
             (SELECT MAX(n.signed_at) FROM snapshots n WHERE n.assessment_id = a.id) AS signed_at \
             FROM assessments a JOIN frameworks f ON f.id = a.framework_id \
             WHERE a.organisation_id = $1 ORDER BY a.created_at DESC, a.id DESC",
        )
        .bind(org.organisation_id())
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::new();
        for r in rows {
            let scopes: i64 = r.try_get("scopes")?;
            let signed_off: i64 = r.try_get("signed_off")?;
            let complete = scopes > 0 && scopes == signed_off;
            if !complete && !drafts {
                continue;
            }
            out.push(ReportListing {
                id: r.try_get("id")?,
                title: r.try_get("title")?,
                period: r.try_get("period")?,
                framework_version: r.try_get("version")?,
                scopes,
                signed_off,
                signed_at: if complete {
                    r.try_get("signed_at")?
                } else {
                    None
                },
            });
        }
        Ok(out)
    }

    /// What the board report of an assessment is built from. Not found outside the
    /// organisation, and for a board viewer until every scope is signed off.
    pub async fn report_sources(
        &self,
        org: &OrgScope,
        assessment_id: i64,
    ) -> Result<ReportSources, DataError> {
        need(org, Permission::ReadReports)?;
        let row = sqlx::query(
            "SELECT a.title, a.period, a.created_at, f.version, p.name AS profile_name, \
             p.certainty AS profile_certainty \
             FROM assessments a JOIN frameworks f ON f.id = a.framework_id \
             LEFT JOIN profiles p ON p.id = a.profile_id \
             WHERE a.id = $1 AND a.organisation_id = $2",
        )
        .bind(assessment_id)
        .bind(org.organisation_id())
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(not_found)?;
        let version: String = row.try_get("version")?;
        let created_at: String = row.try_get("created_at")?;
        let scope_lines = self.scope_lines(assessment_id).await?;
        let complete = scope_lines
            .iter()
            .all(|(_, _, _, s, _)| *s == ScopeState::SignedOff);
        if !complete && !org.role().can(Permission::ReadAssessments) {
            return Err(not_found());
        }
        let mut scopes = Vec::new();
        for (scope_id, _, _, state, system_id) in scope_lines {
            let stored = self.stored_snapshot(scope_id).await?;
            let snapshot = match &stored {
                Some(stored) => parse_snapshot(&stored.content)?,
                None => {
                    let scope = self.scope_row(org, scope_id).await?;
                    self.live_snapshot(org, &scope, None, "").await?
                }
            };
            scopes.push(ReportScope {
                state,
                snapshot,
                stored,
                system_id,
            });
        }
        Ok(ReportSources {
            assessment_id,
            organisation: self.organisation_name(org).await?,
            title: row.try_get("title")?,
            period: row.try_get("period")?,
            profile: match row.try_get::<Option<String>, _>("profile_name")? {
                Some(name) => {
                    let certainty = match row
                        .try_get::<Option<String>, _>("profile_certainty")?
                        .as_deref()
                    {
                        Some("less_certain") => caf::Certainty::LessCertain,
                        _ => caf::Certainty::Published,
                    };
                    caf::spoken_profile_name(&name, &version, certainty)
                }
                None => "Own profile".to_owned(),
            },
            framework: self.framework_text(&version).await?,
            scopes,
            previous: self
                .previous_signed_off(org, assessment_id, &created_at)
                .await?,
        })
    }

    /// The previous assessment (see [`Db::previous_assessment`]) with its signed records.
    async fn previous_signed_off(
        &self,
        org: &OrgScope,
        assessment_id: i64,
        created_at: &str,
    ) -> Result<Option<PreviousSources>, DataError> {
        let Some((id, basis)) = self
            .previous_assessment(org, assessment_id, created_at)
            .await?
        else {
            return Ok(None);
        };
        let row = sqlx::query(
            "SELECT a.title, a.period, f.version FROM assessments a \
             JOIN frameworks f ON f.id = a.framework_id \
             WHERE a.id = $1 AND a.organisation_id = $2",
        )
        .bind(id)
        .bind(org.organisation_id())
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(not_found)?;
        let version: String = row.try_get("version")?;
        let mut scopes = Vec::new();
        let mut signed_at = String::new();
        for (scope_id, _, _, _, system_id) in self.scope_lines(id).await? {
            let stored = self.stored_snapshot(scope_id).await?.ok_or_else(|| {
                DataError::Document(format!("signed-off scope {scope_id} has no snapshot"))
            })?;
            if stored.signed_at > signed_at {
                signed_at.clone_from(&stored.signed_at);
            }
            scopes.push(PreviousScope {
                snapshot: parse_snapshot(&stored.content)?,
                system_id,
            });
        }
        Ok(Some(PreviousSources {
            id,
            basis,
            title: row.try_get("title")?,
            period: row.try_get("period")?,
            framework: self.framework_text(&version).await?,
            signed_at,
            scopes,
        }))
    }
}

pub(crate) fn parse_snapshot(content: &str) -> Result<Snapshot, DataError> {
    serde_json::from_str(content).map_err(|e| DataError::Document(format!("snapshot: {e}")))
}
