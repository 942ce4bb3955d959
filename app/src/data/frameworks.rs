//! Framework versions: registration of the bundled ones, import, listing, loading and locking.

use super::{AuditEvent, DataError, Db, now_utc};
use crate::types::FrameworkRecord;
use caf::Framework;
use serde::{Deserialize, Serialize};
use sqlx::{Any, Row, Transaction};

/// What storing a framework or profile did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportOutcome {
    /// It was new and is now stored.
    Inserted,
    /// The same content (same hash) was already stored; nothing changed.
    Unchanged,
    /// A different text under the same version label replaced an unused one.
    Replaced,
}

/// A stored framework version with its parsed document.
#[derive(Debug, Clone)]
pub struct StoredFramework {
    /// Its listing.
    pub record: FrameworkRecord,
    /// The framework itself.
    pub framework: Framework,
}

const RECORD_COLUMNS: &str = "f.version, f.title, f.published, f.origin, f.content_hash, \
     f.registered_at, f.updated_at, f.locked_at, \
     (SELECT COUNT(*) FROM framework_outcomes o WHERE o.framework_id = f.id) AS outcomes, \
     (SELECT COUNT(*) FROM framework_indicators i WHERE i.framework_id = f.id) AS indicators";

fn record_from_row(row: &sqlx::any::AnyRow) -> Result<FrameworkRecord, sqlx::Error> {
    Ok(FrameworkRecord {
        version: row.try_get("version")?,
        title: row.try_get("title")?,
        published: row.try_get("published")?,
        origin: row.try_get("origin")?,
        content_hash: row.try_get("content_hash")?,
        registered_at: row.try_get("registered_at")?,
        updated_at: row.try_get("updated_at")?,
        locked_at: row.try_get("locked_at")?,
        outcomes: row.try_get("outcomes")?,
        indicators: row.try_get("indicators")?,
    })
}

impl Db {
    /// Stores the frameworks and profiles that ship with the app; running it again changes nothing.
    ///
    /// A bundled text that differs from a locked stored version is left as stored, with a warning.
    pub async fn register_bundled(&self) -> Result<Vec<(String, ImportOutcome)>, DataError> {
        let mut done = Vec::new();
        for framework in caf::bundled_frameworks() {
            match self.store_framework(&framework, "bundled").await {
                Ok(outcome) => {
                    self.audit_framework_change(
                        "system",
                        "framework.register",
                        &framework,
                        outcome,
                    )
                    .await?;
                    done.push((format!("CAF {}", framework.version), outcome))
                }
                Err(DataError::Conflict(message)) => {
                    tracing::warn!(version = %framework.version, %message, "bundled framework kept as stored");
                }
                Err(other) => return Err(other),
            }
        }
        for profile in caf::bundled_profiles() {
            let outcome = self.store_profile(&profile, "bundled").await?;
            if outcome != ImportOutcome::Unchanged {
                self.append_audit(
                    AuditEvent::by(
                        "system",
                        "profile.register",
                        format!("profile:{}", profile.id),
                    )
                    .with_detail(serde_json::json!({ "outcome": outcome })),
                )
                .await?;
            }
            done.push((format!("profile {}", profile.id), outcome));
        }
        Ok(done)
    }

    /// Validates a framework file and stores it as an imported version; a bad file stores nothing.
    ///
    /// A stored change is audited as `framework.import` by `actor`.
    pub async fn import_framework_json(
        &self,
        json: &str,
        actor: &str,
    ) -> Result<(Framework, ImportOutcome), DataError> {
        let framework =
            caf::parse_framework(json).map_err(|e| DataError::Invalid(e.to_string()))?;
        let outcome = self.store_framework(&framework, "imported").await?;
        self.audit_framework_change(actor, "framework.import", &framework, outcome)
            .await?;
        Ok((framework, outcome))
    }

    /// Records a stored framework change; an unchanged one records nothing.
    async fn audit_framework_change(
        &self,
        actor: &str,
        action: &str,
        framework: &Framework,
        outcome: ImportOutcome,
    ) -> Result<(), DataError> {
        if outcome != ImportOutcome::Unchanged {
            let object = format!("framework:{}", framework.version);
            self.append_audit(AuditEvent::by(actor, action, object).with_detail(
                serde_json::json!({
                    "outcome": outcome,
                    "sha256": framework.content_hash(),
                }),
            ))
            .await?;
        }
        Ok(())
    }

    /// Stores a validated framework in one transaction: new, unchanged (same hash) or replacing an
    /// unlocked version with the same label.
    pub async fn store_framework(
        &self,
        framework: &Framework,
        origin: &str,
    ) -> Result<ImportOutcome, DataError> {
        let hash = framework.content_hash();
        let document =
            serde_json::to_string(framework).map_err(|e| DataError::Document(e.to_string()))?;
        let now = now_utc();
        let mut tx = self.write_tx().await?;
        let existing =
            sqlx::query("SELECT id, content_hash, locked_at FROM frameworks WHERE version = $1")
                .bind(&framework.version)
                .fetch_optional(&mut *tx)
                .await?;
        let outcome = match existing {
            None => {
                let id: i64 = sqlx::query(
                    "INSERT INTO frameworks (version, title, published, content_hash, document, \
                     origin, registered_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
                     RETURNING id",
                )
                .bind(&framework.version)
                .bind(&framework.title)
                .bind(&framework.published)
                .bind(&hash)
                .bind(&document)
                .bind(origin)
                .bind(&now)
                .fetch_one(&mut *tx)
                .await?
                .try_get("id")?;
                sync_rows(&mut tx, id, framework).await?;
                ImportOutcome::Inserted
            }
            Some(row) => {
                let id: i64 = row.try_get("id")?;
                let stored_hash: String = row.try_get("content_hash")?;
                let locked: Option<String> = row.try_get("locked_at")?;
                if stored_hash == hash {
                    ImportOutcome::Unchanged
                } else if locked.is_some() {
                    return Err(DataError::Conflict(format!(
                        "CAF {v} is already used by an assessment, so its text cannot change. \
                         Import the new text under a new version label (for example \"{v}.1\").",
                        v = framework.version
                    )));
                } else {
                    sqlx::query(
                        "UPDATE frameworks SET title = $1, published = $2, content_hash = $3, \
                         document = $4, origin = $5, updated_at = $6 WHERE id = $7",
                    )
                    .bind(&framework.title)
                    .bind(&framework.published)
                    .bind(&hash)
                    .bind(&document)
                    .bind(origin)
                    .bind(&now)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    sync_rows(&mut tx, id, framework).await?;
                    ImportOutcome::Replaced
                }
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    /// Every stored framework version, oldest label first.
    pub async fn list_frameworks(&self) -> Result<Vec<FrameworkRecord>, DataError> {
        let rows = sqlx::query(&format!(
            "SELECT {RECORD_COLUMNS} FROM frameworks f ORDER BY f.version"
        ))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(record_from_row).collect::<Result<_, _>>()?)
    }

    /// One stored version with its parsed document, or `None` when no such label is stored.
    pub async fn framework(&self, version: &str) -> Result<Option<StoredFramework>, DataError> {
        let row = sqlx::query(&format!(
            "SELECT {RECORD_COLUMNS}, f.document FROM frameworks f WHERE f.version = $1"
        ))
        .bind(version)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let record = record_from_row(&row)?;
        let document: String = row.try_get("document")?;
        let framework = serde_json::from_str(&document)
            .map_err(|e| DataError::Document(format!("CAF {version}: {e}")))?;
        Ok(Some(StoredFramework { record, framework }))
    }

    /// Marks a version as used by an assessment: from now on its text can never change.
    /// Locking a locked version keeps its first lock time.
    pub async fn lock_framework(&self, version: &str) -> Result<(), DataError> {
        let done = sqlx::query(
            "UPDATE frameworks SET locked_at = $1 WHERE version = $2 AND locked_at IS NULL",
        )
        .bind(now_utc())
        .bind(version)
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 0 {
            let known = sqlx::query("SELECT 1 AS one FROM frameworks WHERE version = $1")
                .bind(version)
                .fetch_optional(self.pool())
                .await?;
            if known.is_none() {
                return Err(DataError::NotFound(format!(
                    "CAF version {version:?} is not stored."
                )));
            }
        }
        Ok(())
    }
}

/// Brings the outcome and indicator rows of framework `id` in line with its document.
async fn sync_rows(
    tx: &mut Transaction<'_, Any>,
    id: i64,
    framework: &Framework,
) -> Result<(), DataError> {
    let wanted: Vec<&str> = framework.outcomes().map(|o| o.id.as_str()).collect();
    let stored: Vec<String> =
        sqlx::query("SELECT outcome_id FROM framework_outcomes WHERE framework_id = $1")
            .bind(id)
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| r.try_get("outcome_id"))
            .collect::<Result<_, _>>()?;
    let removed: Vec<&String> = stored
        .iter()
        .filter(|s| !wanted.contains(&s.as_str()))
        .collect();
    for outcome in &removed {
        let users: Vec<String> = sqlx::query(
            "SELECT p.slug FROM profile_targets t JOIN profiles p ON p.id = t.profile_id \
             WHERE t.framework_id = $1 AND t.outcome_id = $2",
        )
        .bind(id)
        .bind(outcome.as_str())
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| r.try_get("slug"))
        .collect::<Result<_, _>>()?;
        if !users.is_empty() {
            return Err(DataError::Conflict(format!(
                "The new text removes outcome {outcome}, which profile(s) {} set a target for.",
                users.join(", ")
            )));
        }
    }
    sqlx::query("DELETE FROM framework_indicators WHERE framework_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    for outcome in removed {
        sqlx::query("DELETE FROM framework_outcomes WHERE framework_id = $1 AND outcome_id = $2")
            .bind(id)
            .bind(outcome.as_str())
            .execute(&mut **tx)
            .await?;
    }
    let mut position = 0_i64;
    for objective in &framework.objectives {
        for principle in &objective.principles {
            for outcome in &principle.outcomes {
                position += 1;
                sqlx::query(
                    "INSERT INTO framework_outcomes (framework_id, outcome_id, objective_id, \
                     principle_id, title, position) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (framework_id, outcome_id) DO UPDATE SET \
                     objective_id = excluded.objective_id, principle_id = excluded.principle_id, \
                     title = excluded.title, position = excluded.position",
                )
                .bind(id)
                .bind(&outcome.id)
                .bind(&objective.id)
                .bind(&principle.id)
                .bind(&outcome.title)
                .bind(position)
                .execute(&mut **tx)
                .await?;
                insert_indicators(tx, id, outcome).await?;
            }
        }
    }
    Ok(())
}

/// Inserts the indicators of one outcome, column by column, in the NCSC's order.
async fn insert_indicators(
    tx: &mut Transaction<'_, Any>,
    id: i64,
    outcome: &caf::ContributingOutcome,
) -> Result<(), DataError> {
    let columns = [
        ("not_achieved", &outcome.indicators.not_achieved),
        ("partially_achieved", &outcome.indicators.partially_achieved),
        ("achieved", &outcome.indicators.achieved),
    ];
    for (column, indicators) in columns {
        for (position, indicator) in indicators.iter().enumerate() {
            sqlx::query(
                "INSERT INTO framework_indicators (framework_id, indicator_id, outcome_id, \
                 status_column, position, text) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(&indicator.id)
            .bind(&outcome.id)
            .bind(column)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .bind(&indicator.text)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}
