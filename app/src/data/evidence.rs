//! The evidence register: files, links and notes an organisation holds, and the outcomes they
//! support. File bytes live in the server's blob store (`server::storage`); rows hold their SHA-256.

use super::assessments::{Actor, not_found, outcome_object, today_utc};
use super::audit::append_audit_in;
use super::{DataError, Db, OrgScope, now_utc};
use crate::assess::{
    Classification, EvidenceFields, EvidenceItem, EvidenceKind, ScopeState, is_stale, valid_date,
};
use crate::roles::Permission;
use sqlx::Row;

/// An uploaded file's facts, once its bytes are stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256: String,
    /// The name it was uploaded under (display only).
    pub name: String,
    /// Size in bytes.
    pub size: i64,
    /// The media type the browser said it was (display only; downloads are always attachments).
    pub media_type: String,
}

/// What a new evidence item is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvidenceBody {
    /// An uploaded file.
    File(StoredFile),
    /// A link.
    Link(String),
    /// A note.
    Note(String),
}

const COLUMNS: &str = "e.id, e.kind, e.title, e.owner, e.describes_date, e.review_by, \
    e.classification, e.url, e.note, e.file_sha256, e.file_name, e.file_size, e.created_at, \
    (SELECT COUNT(*) FROM evidence_links l WHERE l.evidence_id = e.id) AS uses";

fn item_from(row: &sqlx::any::AnyRow, today: &str) -> Result<EvidenceItem, DataError> {
    let kind: String = row.try_get("kind")?;
    let review_by: Option<String> = row.try_get("review_by")?;
    Ok(EvidenceItem {
        id: row.try_get("id")?,
        kind: EvidenceKind::from_key(&kind)
            .ok_or_else(|| DataError::Document(format!("evidence kind {kind:?}")))?,
        stale: is_stale(review_by.as_deref(), today),
        fields: EvidenceFields {
            title: row.try_get("title")?,
            owner: row.try_get("owner")?,
            describes_date: row.try_get("describes_date")?,
            review_by,
            classification: row.try_get("classification")?,
        },
        url: row.try_get("url")?,
        note: row.try_get("note")?,
        sha256: row.try_get("file_sha256")?,
        file_name: row.try_get("file_name")?,
        file_size: row.try_get("file_size")?,
        uses: row.try_get("uses")?,
        created_at: row.try_get("created_at")?,
    })
}

/// Checks the fields every item has, and a link's address; every problem at once.
pub fn check_evidence(fields: &EvidenceFields, body: &EvidenceBody) -> Vec<String> {
    let mut problems = check_fields(fields);
    problems.extend(check_body(body));
    problems
}

/// Checks title, owner, dates and classification.
fn check_fields(fields: &EvidenceFields) -> Vec<String> {
    let mut problems = Vec::new();
    if fields.title.trim().is_empty() || fields.title.chars().count() > 200 {
        problems.push("Enter a title (at most 200 characters).".to_owned());
    }
    if fields.owner.trim().is_empty() || fields.owner.chars().count() > 200 {
        problems.push("Name the owner: a person or team (at most 200 characters).".to_owned());
    }
    for (date, what) in [
        (&fields.describes_date, "the date it describes"),
        (&fields.review_by, "the review-by date"),
    ] {
        if date
            .as_deref()
            .is_some_and(|d| !d.is_empty() && !valid_date(d))
        {
            problems.push(format!("Enter {what} as a date, like 2026-11-25."));
        }
    }
    if Classification::from_key(&fields.classification).is_none() {
        problems.push("Choose OFFICIAL or OFFICIAL-SENSITIVE.".to_owned());
    }
    problems
}

/// Checks a link's address, a note's text or a file's size.
fn check_body(body: &EvidenceBody) -> Vec<String> {
    let mut problems = Vec::new();
    match body {
        EvidenceBody::Link(url) => {
            let url = url.trim();
            let scheme_ok = url::Url::parse(url)
                .map(|u| matches!(u.scheme(), "https" | "http"))
                .unwrap_or(false);
            let reference =
                !url.is_empty() && !url.contains(char::is_whitespace) && !url.contains(':');
            if url.chars().count() > crate::assess::MAX_URL {
                problems.push(format!(
                    "The web address is too long: at most {} characters.",
                    crate::assess::MAX_URL
                ));
            } else if !(scheme_ok || reference) {
                problems.push(
                    "Enter a web address starting https:// (or a reference such as a ticket or policy id without spaces).".to_owned(),
                );
            }
        }
        EvidenceBody::Note(text) => {
            if text.trim().is_empty() || text.chars().count() > 20_000 {
                problems.push("Write the note (at most 20,000 characters).".to_owned());
            }
        }
        EvidenceBody::File(file) => {
            if file.size <= 0 {
                problems.push("The file is empty.".to_owned());
            }
        }
    }
    problems
}

fn blank_to_none(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// A file name safe to show and to put in a Content-Disposition header: no paths, no controls.
pub fn display_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(200)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    if cleaned.is_empty() {
        "evidence".to_owned()
    } else {
        cleaned
    }
}

impl Db {
    /// Adds an item to the register. Returns its id.
    pub async fn create_evidence(
        &self,
        org: &OrgScope,
        fields: &EvidenceFields,
        body: &EvidenceBody,
        actor: &Actor,
    ) -> Result<i64, DataError> {
        if !org.role().can(Permission::EditAnswers) {
            return Err(not_found());
        }
        let problems = check_evidence(fields, body);
        if !problems.is_empty() {
            return Err(DataError::Invalid(problems.join(" ")));
        }
        let (kind, url, note, file) = match body {
            EvidenceBody::File(f) => (EvidenceKind::File, None, None, Some(f)),
            EvidenceBody::Link(u) => (EvidenceKind::Link, Some(u.trim()), None, None),
            EvidenceBody::Note(n) => (EvidenceKind::Note, None, Some(n.trim()), None),
        };
        let now = now_utc();
        let mut tx = self.write_tx().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO evidence (organisation_id, kind, title, owner, describes_date, review_by, \
             classification, url, note, file_sha256, file_name, file_size, media_type, created_by, \
             created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) RETURNING id",
        )
        .bind(org.organisation_id())
        .bind(kind.key())
        .bind(fields.title.trim())
        .bind(fields.owner.trim())
        .bind(blank_to_none(&fields.describes_date))
        .bind(blank_to_none(&fields.review_by))
        .bind(&fields.classification)
        .bind(url)
        .bind(note)
        .bind(file.map(|f| f.sha256.clone()))
        .bind(file.map(|f| display_file_name(&f.name)))
        .bind(file.map(|f| f.size))
        .bind(file.map(|f| f.media_type.clone()))
        .bind(org.user_id())
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        append_audit_in(
            &mut tx,
            actor.event(
                org,
                "evidence.create",
                format!("evidence:{id}"),
                serde_json::json!({
                    "kind": kind.key(), "title": fields.title.trim(),
                    "classification": fields.classification, "sha256": file.map(|f| &f.sha256),
                    "media_type": file.map(|f| &f.media_type),
                }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes an item's details: title, owner, dates and classification, and the address of a
    /// link or the text of a note. A file's bytes never change (upload a new item instead).
    /// Snapshots already signed off keep the details they were signed with. Audited with what
    /// changed, before and after; a change that changes nothing writes nothing.
    pub async fn update_evidence(
        &self,
        org: &OrgScope,
        id: i64,
        fields: &EvidenceFields,
        text: &str,
        actor: &Actor,
    ) -> Result<(), DataError> {
        if !org.role().can(Permission::EditAnswers) {
            return Err(not_found());
        }
        let item = self.evidence_item(org, id).await?;
        let text = text.trim().to_owned();
        let mut problems = check_fields(fields);
        let (url, note) = match item.kind {
            EvidenceKind::Link => {
                problems.extend(check_body(&EvidenceBody::Link(text.clone())));
                (Some(text), None)
            }
            EvidenceKind::Note => {
                problems.extend(check_body(&EvidenceBody::Note(text.clone())));
                (None, Some(text))
            }
            EvidenceKind::File => (None, None),
        };
        if !problems.is_empty() {
            return Err(DataError::Invalid(problems.join(" ")));
        }
        let after = EvidenceFields {
            title: fields.title.trim().to_owned(),
            owner: fields.owner.trim().to_owned(),
            describes_date: blank_to_none(&fields.describes_date).map(str::to_owned),
            review_by: blank_to_none(&fields.review_by).map(str::to_owned),
            classification: fields.classification.clone(),
        };
        // What changed, before and after; a note's text stays out of the log, only that it changed.
        let facts = |f: &EvidenceFields, url: &Option<String>| {
            serde_json::json!({
                "title": f.title, "owner": f.owner, "describes_date": f.describes_date,
                "review_by": f.review_by, "classification": f.classification, "url": url,
            })
        };
        let (before_facts, after_facts) = (facts(&item.fields, &item.url), facts(&after, &url));
        let mut changes = serde_json::Map::new();
        for (name, before) in before_facts.as_object().into_iter().flatten() {
            if after_facts[name] != *before {
                let change = serde_json::json!({ "before": before, "after": after_facts[name] });
                changes.insert(name.clone(), change);
            }
        }
        if item.note != note {
            changes.insert("note".to_owned(), serde_json::json!("changed"));
        }
        if changes.is_empty() {
            return Ok(());
        }
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "UPDATE evidence SET title = $1, owner = $2, describes_date = $3, review_by = $4, \
             classification = $5, url = $6, note = $7, updated_at = $8 \
             WHERE id = $9 AND organisation_id = $10",
        )
        .bind(&after.title)
        .bind(&after.owner)
        .bind(&after.describes_date)
        .bind(&after.review_by)
        .bind(&after.classification)
        .bind(url)
        .bind(note)
        .bind(now_utc())
        .bind(id)
        .bind(org.organisation_id())
        .execute(&mut *tx)
        .await?;
        append_audit_in(
            &mut tx,
            actor.event(
                org,
                "evidence.update",
                format!("evidence:{id}"),
                serde_json::Value::Object(changes),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes an item from the register, with its links to outcomes of scopes still being
    /// answered: for an item added by mistake, or one that must no longer be held. An item that
    /// supports an outcome of a scope in review, with the assurer, assured or signed off stays
    /// (those links cannot change). Returns the file's SHA-256 when no register item of any
    /// organisation uses those bytes any more, so the caller can delete them from the store.
    pub async fn remove_evidence(
        &self,
        org: &OrgScope,
        id: i64,
        actor: &Actor,
    ) -> Result<Option<String>, DataError> {
        if !org.role().can(Permission::EditAnswers) {
            return Err(not_found());
        }
        let item = self.evidence_item(org, id).await?;
        let mut tx = self.write_tx().await?;
        let states: Vec<String> = sqlx::query(
            "SELECT DISTINCT s.state FROM evidence_links l JOIN scopes s ON s.id = l.scope_id \
             WHERE l.evidence_id = $1",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| r.try_get("state"))
        .collect::<Result<_, _>>()?;
        if states
            .iter()
            .any(|s| !ScopeState::from_key(s).is_some_and(ScopeState::editable))
        {
            return Err(DataError::Conflict(
                "This item supports outcomes of a scope that is in review, with the assurer, \
                 assured or signed off, so it stays in the register. Change its details instead, \
                 or remove it once the scope is returned."
                    .to_owned(),
            ));
        }
        let links = sqlx::query("DELETE FROM evidence_links WHERE evidence_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        sqlx::query("DELETE FROM evidence WHERE id = $1 AND organisation_id = $2")
            .bind(id)
            .bind(org.organisation_id())
            .execute(&mut *tx)
            .await?;
        append_audit_in(
            &mut tx,
            actor.event(
                org,
                "evidence.remove",
                format!("evidence:{id}"),
                serde_json::json!({
                    "kind": item.kind.key(), "title": item.fields.title,
                    "sha256": item.sha256, "links_removed": links,
                }),
            ),
        )
        .await?;
        tx.commit().await?;
        let Some(sha256) = item.sha256 else {
            return Ok(None);
        };
        let still_used: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM evidence WHERE file_sha256 = $1")
                .bind(&sha256)
                .fetch_one(self.pool())
                .await?
                .try_get("n")?;
        Ok((still_used == 0).then_some(sha256))
    }

    /// Whether any register item of any organisation uses the file with these bytes.
    pub async fn evidence_file_in_use(&self, sha256: &str) -> Result<bool, DataError> {
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM evidence WHERE file_sha256 = $1")
            .bind(sha256)
            .fetch_one(self.pool())
            .await?
            .try_get("n")?;
        Ok(n > 0)
    }

    /// The organisation's register, newest first.
    pub async fn list_evidence(&self, org: &OrgScope) -> Result<Vec<EvidenceItem>, DataError> {
        if !org.role().can(Permission::ReadAssessments) {
            return Err(not_found());
        }
        let today = today_utc();
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM evidence e WHERE e.organisation_id = $1 ORDER BY e.id DESC"
        ))
        .bind(org.organisation_id())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| item_from(r, &today))
        .collect()
    }

    /// One item of the organisation's register, or not found.
    pub async fn evidence_item(&self, org: &OrgScope, id: i64) -> Result<EvidenceItem, DataError> {
        if !org.role().can(Permission::ReadAssessments) {
            return Err(not_found());
        }
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM evidence e WHERE e.id = $1 AND e.organisation_id = $2"
        ))
        .bind(id)
        .bind(org.organisation_id())
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(not_found)?;
        item_from(&row, &today_utc())
    }

    /// Evidence linked to one outcome of one scope.
    pub async fn outcome_evidence(
        &self,
        org: &OrgScope,
        scope_id: i64,
        outcome_id: &str,
    ) -> Result<Vec<EvidenceItem>, DataError> {
        if !org.role().can(Permission::ReadAssessments) {
            return Err(not_found());
        }
        self.scope_row(org, scope_id).await?;
        let today = today_utc();
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM evidence e JOIN evidence_links k ON k.evidence_id = e.id \
             WHERE k.scope_id = $1 AND k.outcome_id = $2 AND e.organisation_id = $3 ORDER BY e.title"
        ))
        .bind(scope_id)
        .bind(outcome_id)
        .bind(org.organisation_id())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| item_from(r, &today))
        .collect()
    }

    /// Links an item to an outcome of a scope that is still being answered.
    pub async fn link_evidence(
        &self,
        org: &OrgScope,
        evidence_id: i64,
        scope_id: i64,
        outcome_id: &str,
        link: bool,
        actor: &Actor,
    ) -> Result<(), DataError> {
        if !org.role().can(Permission::EditAnswers) {
            return Err(not_found());
        }
        self.evidence_item(org, evidence_id).await?;
        let scope = self.scope_row(org, scope_id).await?;
        if !scope.state.editable() {
            return Err(DataError::Conflict(
                if scope.state == ScopeState::SignedOff {
                    "This scope is signed off: nothing in it can change.".to_owned()
                } else {
                    format!(
                        "This scope is {}: evidence links cannot be changed now.",
                        scope.state.label().to_lowercase()
                    )
                },
            ));
        }
        let exists = sqlx::query(
            "SELECT 1 AS one FROM scope_outcomes WHERE scope_id = $1 AND outcome_id = $2",
        )
        .bind(scope_id)
        .bind(outcome_id)
        .fetch_optional(self.pool())
        .await?;
        if exists.is_none() {
            return Err(not_found());
        }
        let mut tx = self.write_tx().await?;
        if link {
            sqlx::query(
                "INSERT INTO evidence_links (evidence_id, scope_id, outcome_id, linked_by, linked_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .bind(evidence_id)
            .bind(scope_id)
            .bind(outcome_id)
            .bind(org.user_id())
            .bind(now_utc())
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query(
                "DELETE FROM evidence_links WHERE evidence_id = $1 AND scope_id = $2 AND outcome_id = $3",
            )
            .bind(evidence_id)
            .bind(scope_id)
            .bind(outcome_id)
            .execute(&mut *tx)
            .await?;
        }
        let action = if link {
            "evidence.link"
        } else {
            "evidence.unlink"
        };
        append_audit_in(
            &mut tx,
            actor.event(
                org,
                action,
                outcome_object(scope_id, outcome_id),
                serde_json::json!({ "evidence": evidence_id }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The stored file behind an item: (sha256, display name, size), or not found for links and
    /// notes.
    pub async fn evidence_file(
        &self,
        org: &OrgScope,
        id: i64,
    ) -> Result<(String, String, i64), DataError> {
        let item = self.evidence_item(org, id).await?;
        match (item.sha256, item.file_name, item.file_size) {
            (Some(sha), Some(name), Some(size)) => Ok((sha, name, size)),
            _ => Err(not_found()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_never_become_paths() {
        assert_eq!(display_file_name("../../etc/passwd"), "passwd");
        assert_eq!(display_file_name("C:\\temp\\policy.pdf"), "policy.pdf");
        assert_eq!(display_file_name(".."), "evidence");
        assert_eq!(display_file_name("a\"b\r\n.pdf"), "ab.pdf");
    }

    #[test]
    fn evidence_fields_are_checked_together() {
        let fields = EvidenceFields {
            title: " ".into(),
            owner: String::new(),
            describes_date: Some("yesterday".into()),
            review_by: None,
            classification: "secret".into(),
        };
        let problems = check_evidence(&fields, &EvidenceBody::Link("javascript:alert(1)".into()));
        assert_eq!(problems.len(), 5, "{problems:?}");
        let good = EvidenceFields {
            title: "Backup policy".into(),
            owner: "ICT".into(),
            describes_date: None,
            review_by: Some("2027-01-01".into()),
            classification: "official".into(),
        };
        assert!(
            check_evidence(
                &good,
                &EvidenceBody::Link("https://sharepoint.example/x".into())
            )
            .is_empty()
        );
        assert!(check_evidence(&good, &EvidenceBody::Link("POL-0042".into())).is_empty());
    }
}
