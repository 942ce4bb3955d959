//! The sign-offs of an assessment's scopes: approver, time and snapshot hash, for every page and
//! export that shows a signed-off scope.

use super::{DataError, Db};
use crate::assess::SignOff;
use sqlx::Row;
use std::collections::BTreeMap;

impl Db {
    /// Each signed-off scope of the assessment, by scope id. Callers have already opened the
    /// assessment through the organisation's scope.
    pub(crate) async fn sign_offs(
        &self,
        assessment_id: i64,
    ) -> Result<BTreeMap<i64, SignOff>, DataError> {
        sqlx::query(
            "SELECT s.scope_id, s.sha256, u.display_name, s.signed_at FROM snapshots s \
             JOIN users u ON u.id = s.signed_by WHERE s.assessment_id = $1",
        )
        .bind(assessment_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("scope_id")?,
                SignOff {
                    sha256: r.try_get("sha256")?,
                    approver: r.try_get("display_name")?,
                    signed_at: r.try_get("signed_at")?,
                },
            ))
        })
        .collect()
    }
}
