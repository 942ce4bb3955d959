//! Target profiles: a minimum status per contributing outcome of one framework version.

use super::{DataError, Db, ImportOutcome, now_utc, sha256_hex};
use caf::{Profile, Status};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::collections::BTreeMap;

/// A stored profile as shown to people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredProfile {
    /// The profile itself (id, name, version, certainty, targets).
    pub profile: Profile,
    /// "bundled" or "imported".
    pub origin: String,
}

fn status_from_key(key: &str) -> Result<Status, DataError> {
    Status::from_key(key)
        .ok_or_else(|| DataError::Document(format!("unknown target status {key:?}")))
}

fn certainty_key(certainty: caf::Certainty) -> &'static str {
    match certainty {
        caf::Certainty::Published => "published",
        caf::Certainty::LessCertain => "less_certain",
    }
}

impl Db {
    /// Validates a profile against its framework version and stores it; unchanged content is a no-op.
    pub async fn store_profile(
        &self,
        profile: &Profile,
        origin: &str,
    ) -> Result<ImportOutcome, DataError> {
        let stored = self
            .framework(&profile.framework_version)
            .await?
            .ok_or_else(|| {
                DataError::Invalid(format!(
                    "Profile {} is for CAF {}, which is not stored.",
                    profile.id, profile.framework_version
                ))
            })?;
        caf::validate_profile(profile, &stored.framework)
            .map_err(|e| DataError::Invalid(e.to_string()))?;
        let hash = sha256_hex(
            &serde_json::to_vec(profile).map_err(|e| DataError::Document(e.to_string()))?,
        );
        let mut tx = self.write_tx().await?;
        let framework_id: i64 = sqlx::query("SELECT id FROM frameworks WHERE version = $1")
            .bind(&profile.framework_version)
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
        let existing = sqlx::query("SELECT id, content_hash FROM profiles WHERE slug = $1")
            .bind(&profile.id)
            .fetch_optional(&mut *tx)
            .await?;
        let (id, outcome) = match existing {
            Some(row) => {
                let id: i64 = row.try_get("id")?;
                let stored_hash: String = row.try_get("content_hash")?;
                if stored_hash == hash {
                    return Ok(ImportOutcome::Unchanged);
                }
                sqlx::query(
                    "UPDATE profiles SET framework_id = $1, name = $2, certainty = $3, source = $4, \
                     caveat = $5, content_hash = $6, origin = $7 WHERE id = $8",
                )
                .bind(framework_id)
                .bind(&profile.name)
                .bind(certainty_key(profile.certainty))
                .bind(&profile.source)
                .bind(&profile.caveat)
                .bind(&hash)
                .bind(origin)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM profile_targets WHERE profile_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                (id, ImportOutcome::Replaced)
            }
            None => {
                let id: i64 = sqlx::query(
                    "INSERT INTO profiles (slug, framework_id, name, certainty, source, caveat, \
                     content_hash, origin, registered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     RETURNING id",
                )
                .bind(&profile.id)
                .bind(framework_id)
                .bind(&profile.name)
                .bind(certainty_key(profile.certainty))
                .bind(&profile.source)
                .bind(&profile.caveat)
                .bind(&hash)
                .bind(origin)
                .bind(now_utc())
                .fetch_one(&mut *tx)
                .await?
                .try_get("id")?;
                (id, ImportOutcome::Inserted)
            }
        };
        for (outcome_id, target) in &profile.targets {
            sqlx::query(
                "INSERT INTO profile_targets (profile_id, framework_id, outcome_id, target) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(framework_id)
            .bind(outcome_id)
            .bind(target.key())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(outcome)
    }

    /// The profiles stored for one framework version, by name.
    pub async fn profiles_for(&self, version: &str) -> Result<Vec<StoredProfile>, DataError> {
        let rows = sqlx::query(
            "SELECT p.id, p.slug, p.name, p.certainty, p.source, p.caveat, p.origin \
             FROM profiles p JOIN frameworks f ON f.id = p.framework_id \
             WHERE f.version = $1 ORDER BY p.name",
        )
        .bind(version)
        .fetch_all(self.pool())
        .await?;
        let mut profiles = Vec::with_capacity(rows.len());
        for row in rows {
            let id: i64 = row.try_get("id")?;
            let targets =
                sqlx::query("SELECT outcome_id, target FROM profile_targets WHERE profile_id = $1")
                    .bind(id)
                    .fetch_all(self.pool())
                    .await?
                    .iter()
                    .map(|t| {
                        let outcome: String = t.try_get("outcome_id")?;
                        let target: String = t.try_get("target")?;
                        Ok((outcome, status_from_key(&target)?))
                    })
                    .collect::<Result<BTreeMap<_, _>, DataError>>()?;
            let certainty: String = row.try_get("certainty")?;
            profiles.push(StoredProfile {
                profile: Profile {
                    id: row.try_get("slug")?,
                    name: row.try_get("name")?,
                    framework_version: version.to_owned(),
                    certainty: if certainty == "published" {
                        caf::Certainty::Published
                    } else {
                        caf::Certainty::LessCertain
                    },
                    source: row.try_get("source")?,
                    caveat: row.try_get("caveat")?,
                    targets,
                },
                origin: row.try_get("origin")?,
            });
        }
        Ok(profiles)
    }
}
