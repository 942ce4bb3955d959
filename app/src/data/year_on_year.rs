//! What year-on-year comparison reads: which assessment an assessment is compared with, and each
//! year's confirmed statuses and targets (the signed snapshot of a signed-off scope, the live
//! rows of one still running).

use super::assessments::{need, not_found};
use super::reports::parse_snapshot;
use super::snapshots::{Snapshot, snapshot_kind};
use super::{DataError, Db, OrgScope};
use crate::assess::{ScopeKind, ScopeState};
use crate::roles::Permission;
use crate::year_on_year::{
    HistoryYear, PreviousBasis, PreviousHead, ScopeYear, YearHead, YearOnYear, compare_years,
    year_gap,
};
use caf::{Framework, Status};
use sqlx::Row;
use std::collections::BTreeMap;

/// A scope's signed record as the comparison reads it: confirmed statuses and targets.
pub fn scope_year(snapshot: &Snapshot, system_id: Option<i64>) -> ScopeYear {
    let keyed = |key: Option<&str>| key.and_then(Status::from_key);
    ScopeYear {
        kind: snapshot_kind(snapshot),
        name: snapshot.scope.name.clone(),
        system_id,
        statuses: snapshot
            .outcomes
            .iter()
            .filter_map(|o| keyed(o.confirmed.as_deref()).map(|s| (o.id.clone(), s)))
            .collect(),
        targets: snapshot
            .outcomes
            .iter()
            .filter_map(|o| keyed(o.target.as_deref()).map(|s| (o.id.clone(), s)))
            .collect(),
    }
}

/// One assessment as a year of the organisation's history.
struct YearRecord {
    head: YearHead,
    created_at: String,
    signed_off: bool,
    signed_at: String,
    scopes: Vec<ScopeYear>,
}

/// An assessment's scope rows: id, kind, name, state, critical system.
type ScopeLine = (i64, ScopeKind, String, ScopeState, Option<i64>);

impl Db {
    /// The assessment an assessment is compared with: the one it was started from
    /// (`previous_id`) when that is the same organisation's and signed off in full, else the
    /// organisation's latest assessment started before it and signed off in full.
    pub(crate) async fn previous_assessment(
        &self,
        org: &OrgScope,
        assessment_id: i64,
        created_at: &str,
    ) -> Result<Option<(i64, PreviousBasis)>, DataError> {
        const SIGNED_IN_FULL: &str = "EXISTS (SELECT 1 FROM scopes s WHERE s.assessment_id = p.id) \
             AND NOT EXISTS (SELECT 1 FROM scopes s WHERE s.assessment_id = p.id \
                             AND s.state <> 'signed_off')";
        let started_from = sqlx::query(&format!(
            "SELECT p.id FROM assessments a JOIN assessments p ON p.id = a.previous_id \
             WHERE a.id = $1 AND a.organisation_id = $2 AND p.organisation_id = $2 \
             AND {SIGNED_IN_FULL}"
        ))
        .bind(assessment_id)
        .bind(org.organisation_id())
        .fetch_optional(self.pool())
        .await?;
        if let Some(row) = started_from {
            return Ok(Some((row.try_get("id")?, PreviousBasis::StartedFrom)));
        }
        let latest = sqlx::query(&format!(
            "SELECT p.id FROM assessments p WHERE p.organisation_id = $1 AND p.id <> $2 \
             AND (p.created_at < $3 OR (p.created_at = $3 AND p.id < $2)) AND {SIGNED_IN_FULL} \
             ORDER BY p.created_at DESC, p.id DESC LIMIT 1"
        ))
        .bind(org.organisation_id())
        .bind(assessment_id)
        .bind(created_at)
        .fetch_optional(self.pool())
        .await?;
        latest
            .map(|row| Ok((row.try_get("id")?, PreviousBasis::LatestSignedOff)))
            .transpose()
    }

    /// An assessment compared with its previous one, and the organisation's history against
    /// its targets (members who read assessments; not found outside the organisation).
    pub async fn year_on_year(
        &self,
        org: &OrgScope,
        assessment_id: i64,
    ) -> Result<YearOnYear, DataError> {
        need(org, Permission::ReadAssessments)?;
        let ids = self.assessment_ids(org).await?;
        if !ids.contains(&assessment_id) {
            return Err(not_found());
        }
        let mut frameworks: BTreeMap<String, Framework> = BTreeMap::new();
        let mut years = Vec::with_capacity(ids.len());
        for id in ids {
            let year = self.year_record(org, id).await?;
            let version = &year.head.framework_version;
            if !frameworks.contains_key(version) {
                frameworks.insert(version.clone(), self.framework_text(version).await?);
            }
            years.push(year);
        }
        let current = years
            .iter()
            .find(|y| y.head.id == assessment_id)
            .ok_or_else(not_found)?;
        let previous = match self
            .previous_assessment(org, assessment_id, &current.created_at)
            .await?
        {
            Some((id, basis)) => years
                .iter()
                .find(|y| y.head.id == id)
                .map(|year| (year, basis)),
            None => None,
        };
        let framework = |version: &str| {
            frameworks
                .get(version)
                .ok_or_else(|| DataError::NotFound(format!("CAF {version} is not stored.")))
        };
        let comparison = match previous {
            Some((year, _)) => Some(compare_years(
                framework(&current.head.framework_version)?,
                &current.scopes,
                framework(&year.head.framework_version)?,
                &year.scopes,
            )),
            None => None,
        };
        let mut history = Vec::with_capacity(years.len());
        for year in &years {
            history.push(HistoryYear {
                assessment_id: year.head.id,
                title: year.head.title.clone(),
                framework_version: year.head.framework_version.clone(),
                signed_off: year.signed_off,
                gap: year_gap(
                    framework(&year.head.framework_version)?,
                    &year.head.period,
                    &year.scopes,
                ),
            });
        }
        Ok(YearOnYear {
            organisation: self.organisation_name(org).await?,
            assessment: current.head.clone(),
            previous: previous.map(|(year, basis)| PreviousHead {
                year: year.head.clone(),
                signed_at: year.signed_at.clone(),
                basis,
            }),
            comparison,
            history,
        })
    }

    /// One assessment of the organisation as a year: signed-off scopes from their snapshots,
    /// the others from their live rows.
    async fn year_record(&self, org: &OrgScope, id: i64) -> Result<YearRecord, DataError> {
        let row = sqlx::query(
            "SELECT a.title, a.period, a.created_at, f.version FROM assessments a \
             JOIN frameworks f ON f.id = a.framework_id \
             WHERE a.id = $1 AND a.organisation_id = $2",
        )
        .bind(id)
        .bind(org.organisation_id())
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(not_found)?;
        let lines = self.scope_lines(id).await?;
        let mut live_targets: Option<BTreeMap<String, Status>> = None;
        let mut scopes = Vec::with_capacity(lines.len());
        let mut signed_at = String::new();
        for (scope_id, kind, name, state, system_id) in &lines {
            let stored = match state {
                ScopeState::SignedOff => self.stored_snapshot(*scope_id).await?,
                _ => None,
            };
            if let Some(stored) = stored {
                if stored.signed_at > signed_at {
                    signed_at.clone_from(&stored.signed_at);
                }
                scopes.push(scope_year(&parse_snapshot(&stored.content)?, *system_id));
                continue;
            }
            if live_targets.is_none() {
                live_targets = Some(self.assessment_targets(org, id).await?);
            }
            scopes.push(ScopeYear {
                kind: *kind,
                name: name.clone(),
                system_id: *system_id,
                statuses: self.confirmed_statuses(*scope_id).await?,
                targets: live_targets.clone().unwrap_or_default(),
            });
        }
        Ok(YearRecord {
            head: YearHead {
                id,
                title: row.try_get("title")?,
                period: row.try_get("period")?,
                framework_version: row.try_get("version")?,
            },
            created_at: row.try_get("created_at")?,
            signed_off: !lines.is_empty() && lines.iter().all(|l| l.3 == ScopeState::SignedOff),
            signed_at,
            scopes,
        })
    }

    /// An assessment's scopes in order. The caller has checked the assessment is theirs.
    pub(crate) async fn scope_lines(
        &self,
        assessment_id: i64,
    ) -> Result<Vec<ScopeLine>, DataError> {
        sqlx::query(
            "SELECT id, kind, name, state, system_id FROM scopes WHERE assessment_id = $1 \
             ORDER BY position",
        )
        .bind(assessment_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            let kind: String = r.try_get("kind")?;
            let state: String = r.try_get("state")?;
            Ok((
                r.try_get("id")?,
                ScopeKind::from_key(&kind)
                    .ok_or_else(|| DataError::Document(format!("scope kind {kind:?}")))?,
                r.try_get("name")?,
                ScopeState::from_key(&state)
                    .ok_or_else(|| DataError::Document(format!("scope state {state:?}")))?,
                r.try_get("system_id")?,
            ))
        })
        .collect()
    }

    /// The confirmed statuses of a scope's live rows. The caller has checked the scope is theirs.
    async fn confirmed_statuses(
        &self,
        scope_id: i64,
    ) -> Result<BTreeMap<String, Status>, DataError> {
        sqlx::query(
            "SELECT outcome_id, confirmed_status FROM scope_outcomes \
             WHERE scope_id = $1 AND confirmed_status IS NOT NULL",
        )
        .bind(scope_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            let key: String = r.try_get("confirmed_status")?;
            let status = Status::from_key(&key)
                .ok_or_else(|| DataError::Document(format!("unknown status {key:?}")))?;
            Ok((r.try_get("outcome_id")?, status))
        })
        .collect()
    }
}
