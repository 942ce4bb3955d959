//! Names for the audit log page: who the ids in a page of records are, and who appears at all.

use super::{DataError, Db};
use sqlx::Row;
use std::collections::BTreeMap;

impl Db {
    /// The display names of these users, by id (ids with no user are left out).
    pub async fn user_names(&self, ids: &[i64]) -> Result<BTreeMap<i64, String>, DataError> {
        let mut names = BTreeMap::new();
        for chunk in ids.chunks(200) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT id, display_name FROM users WHERE id IN ({})",
                placeholders.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(self.pool()).await? {
                names.insert(row.try_get("id")?, row.try_get("display_name")?);
            }
        }
        Ok(names)
    }

    /// Everyone who acted in the audit log (of one organisation, or of the whole installation),
    /// as id and name, by name: the choices of the page's "person" filter.
    pub async fn audit_people(
        &self,
        organisation_id: Option<i64>,
    ) -> Result<Vec<(i64, String)>, DataError> {
        let rows = sqlx::query(
            "SELECT id, display_name FROM users WHERE id IN \
             (SELECT actor_id FROM audit_log WHERE actor_id IS NOT NULL \
              AND ($1 IS NULL OR organisation_id = $1)) \
             ORDER BY display_name, id",
        )
        .bind(organisation_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("display_name")?)))
            .collect()
    }
}
