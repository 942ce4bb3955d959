//! Evidence items: their classification, kind and fields, where they are used, and the date
//! rules (valid dates, review-by dates gone stale).

use serde::{Deserialize, Serialize};

/// The classification of an evidence item (Government Security Classifications).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    /// OFFICIAL.
    Official,
    /// OFFICIAL-SENSITIVE.
    OfficialSensitive,
}

impl Classification {
    /// The key it is stored under.
    pub fn key(self) -> &'static str {
        match self {
            Self::Official => "official",
            Self::OfficialSensitive => "official_sensitive",
        }
    }

    /// The marking as written on documents.
    pub fn label(self) -> &'static str {
        match self {
            Self::Official => "OFFICIAL",
            Self::OfficialSensitive => "OFFICIAL-SENSITIVE",
        }
    }

    /// The classification stored under `key`.
    pub fn from_key(key: &str) -> Option<Self> {
        [Self::Official, Self::OfficialSensitive]
            .into_iter()
            .find(|c| c.key() == key)
    }
}

/// What an evidence item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// An uploaded file, stored by its SHA-256.
    File,
    /// A link to where the evidence lives (SharePoint, a ticket, a policy id).
    Link,
    /// A written note.
    Note,
}

impl EvidenceKind {
    /// The key it is stored under.
    pub fn key(self) -> &'static str {
        match self {
            Self::File => "file",
            Self::Link => "link",
            Self::Note => "note",
        }
    }

    /// The kind stored under `key`.
    pub fn from_key(key: &str) -> Option<Self> {
        [Self::File, Self::Link, Self::Note]
            .into_iter()
            .find(|k| k.key() == key)
    }
}

/// The facts every evidence item has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct EvidenceFields {
    /// A short title.
    pub title: String,
    /// Who owns the evidence (a person or team).
    pub owner: String,
    /// The date it describes (YYYY-MM-DD), if any.
    pub describes_date: Option<String>,
    /// When it must be reviewed by (YYYY-MM-DD), if ever.
    pub review_by: Option<String>,
    /// `official` or `official_sensitive`.
    pub classification: String,
}

/// An evidence item as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceItem {
    /// Its id.
    pub id: i64,
    /// File, link or note.
    pub kind: EvidenceKind,
    /// Title, owner, dates, classification.
    pub fields: EvidenceFields,
    /// The link, for a link.
    pub url: Option<String>,
    /// The text, for a note.
    pub note: Option<String>,
    /// The file's SHA-256, for a file.
    pub sha256: Option<String>,
    /// The uploaded file's name (shown only, never used as a path).
    pub file_name: Option<String>,
    /// The file's size in bytes.
    pub file_size: Option<i64>,
    /// Whether its review-by date has passed.
    pub stale: bool,
    /// How many outcomes it supports.
    pub uses: i64,
    /// When it was added (UTC).
    pub created_at: String,
}

/// One outcome an evidence item supports, for the register's "Used by" column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceUse {
    /// The item.
    pub evidence_id: i64,
    /// The assessment of the outcome.
    pub assessment_id: i64,
    /// Its title.
    pub assessment_title: String,
    /// The scope of the outcome.
    pub scope_id: i64,
    /// Its name.
    pub scope_name: String,
    /// The contributing outcome, e.g. `A1.a`.
    pub outcome_id: String,
}

/// Whether a review-by date (YYYY-MM-DD) is before `today` (YYYY-MM-DD).
pub fn is_stale(review_by: Option<&str>, today: &str) -> bool {
    review_by.is_some_and(|d| !d.is_empty() && d < today)
}

/// Checks a date typed as YYYY-MM-DD.
pub fn valid_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (1..=12).contains(&text[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&text[8..10].parse::<u32>().unwrap_or(0))
}
