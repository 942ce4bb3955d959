//! How far a new installation has come: the first administrator's checklist.

use super::{DataError, Db};
pub use crate::types::SetupProgress;
use sqlx::Row;

impl Db {
    /// Which of the first steps this installation has taken (counts only; no assessment content).
    pub async fn setup_progress(&self, now: &str) -> Result<SetupProgress, DataError> {
        let row = sqlx::query(
            "SELECT \
               (SELECT COUNT(*) FROM organisations WHERE kind = 'council') AS councils, \
               (SELECT COUNT(*) FROM memberships WHERE role = 'caf_lead') \
                 + (SELECT COUNT(*) FROM one_time_links WHERE purpose = 'invite' \
                    AND role = 'caf_lead' AND used_at IS NULL AND expires_at > $1) AS leads, \
               (SELECT COUNT(*) FROM assessments) AS assessments",
        )
        .bind(now)
        .fetch_one(self.pool())
        .await?;
        let count = |name: &str| -> Result<i64, DataError> { Ok(row.try_get(name)?) };
        Ok(SetupProgress {
            council_added: count("councils")? > 0,
            lead_invited: count("leads")? > 0,
            assessment_created: count("assessments")? > 0,
        })
    }
}
