//! Statement-level maps between CAF versions: where each IGP statement of a later version comes
//! from, so last year's answers can be carried forward statement by statement.

mod carry;
mod check;

use serde::{Deserialize, Serialize};

use crate::crosswalk::normalise;
use crate::error::{JsonLocation, SUPPORTED_FORMAT, StatementMapError};
use crate::model::Framework;

pub use carry::{CarriedStatement, carry_outcome};
pub use check::statement_map_problems;

/// How a statement of the later version relates to the statements it comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatementChange {
    /// The same wording (see [`normalise_statement`]) in the same column.
    Same,
    /// The same wording in another column, e.g. partially achieved to achieved.
    Moved,
    /// Reworded, split from a longer statement or merged from several, but recognisably the same.
    Changed,
    /// No earlier statement: the assessor answers it afresh.
    New,
}

impl StatementChange {
    /// The stable snake_case key used in JSON, e.g. "moved".
    pub fn key(&self) -> &'static str {
        match self {
            StatementChange::Same => "same",
            StatementChange::Moved => "moved",
            StatementChange::Changed => "changed",
            StatementChange::New => "new",
        }
    }
}

/// One statement of the later version and the earlier statements it comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatementLink {
    /// Statement id in the later version, e.g. "A1.a.A4".
    pub to: String,
    /// Statement ids in the earlier version, in framework order; empty when the statement is new.
    pub from: Vec<String>,
    /// How the statement relates to its sources.
    pub change: StatementChange,
}

/// Where every IGP statement of one CAF version comes from in an earlier one (ids only, no wording).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatementMap {
    /// Version of our JSON format.
    pub format: u32,
    /// The earlier CAF version, e.g. "3.2".
    pub from_version: String,
    /// The later CAF version, e.g. "4.0".
    pub to_version: String,
    /// How the map was made.
    pub notes: String,
    /// One link per statement of the later version, in framework order.
    pub statements: Vec<StatementLink>,
    /// Statements of the earlier version that are the source of none, in framework order.
    pub dropped: Vec<String>,
}

impl StatementMap {
    /// The link for a statement of the later version, by id.
    pub fn link(&self, to: &str) -> Option<&StatementLink> {
        self.statements.iter().find(|link| link.to == to)
    }

    /// The identity map for carrying within one version: every statement `same` from itself.
    pub fn identity(framework: &Framework) -> StatementMap {
        let statements = framework
            .outcomes()
            .flat_map(|outcome| outcome.indicators.iter())
            .map(|(_, indicator)| StatementLink {
                to: indicator.id.clone(),
                from: vec![indicator.id.clone()],
                change: StatementChange::Same,
            })
            .collect();
        StatementMap {
            format: SUPPORTED_FORMAT,
            from_version: framework.version.clone(),
            to_version: framework.version.clone(),
            notes: format!(
                "Within CAF {}: every statement comes from itself.",
                framework.version
            ),
            statements,
            dropped: Vec::new(),
        }
    }
}

/// Read a statement map from our JSON format, checking its shape and format number.
///
/// Check it against the two frameworks with [`statement_map_problems`].
pub fn parse_statement_map(json: &str) -> Result<StatementMap, StatementMapError> {
    let map: StatementMap = serde_json::from_str(json)
        .map_err(|error| StatementMapError::Json(JsonLocation::from_error(&error)))?;
    if map.format != SUPPORTED_FORMAT {
        return Err(StatementMapError::UnsupportedFormat { found: map.format });
    }
    Ok(map)
}

/// Hyphens, dashes and the soft hyphen, which [`normalise_statement`] reads as spaces.
const HYPHENS: [char; 7] = [
    '-', '\u{2010}', '\u{2011}', '\u{2012}', '\u{2013}', '\u{2014}', '\u{00AD}',
];

/// Normalise an IGP statement for comparison: as [`normalise`], with every hyphen, dash and soft
/// hyphen read as a space, so "up-to-date" and "up to date" compare equal.
pub fn normalise_statement(text: &str) -> String {
    normalise(&text.replace(HYPHENS, " "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hyphenation_does_not_count() {
        let plain = normalise_statement("kept up to date");
        for variant in [
            "Kept up-to-date",
            "kept up\u{2010}to\u{2013}date",
            "kept up\u{00AD}to\u{00AD}date",
            "kept  up - to -  date",
        ] {
            assert_eq!(normalise_statement(variant), plain, "{variant}");
        }
        assert_eq!(
            normalise_statement("The board\u{2019}s view"),
            normalise_statement("the board's view")
        );
        assert_ne!(
            normalise_statement("kept up to date."),
            normalise_statement("kept up to date")
        );
    }

    #[test]
    fn parse_rejects_bad_shape_and_other_formats() {
        let error = parse_statement_map("{\"format\": 1,\n\"from_version\": 3}").unwrap_err();
        assert!(
            matches!(&error, StatementMapError::Json(location) if location.line == 2),
            "{error}"
        );
        let unknown = r#"{"format": 1, "from_version": "3.2", "to_version": "4.0", "notes": "",
            "statements": [], "dropped": [], "extra": true}"#;
        assert!(parse_statement_map(unknown).is_err());
        let future = r#"{"format": 2, "from_version": "3.2", "to_version": "4.0", "notes": "",
            "statements": [{"to": "A1.a.NA1", "from": [], "change": "new"}], "dropped": []}"#;
        let error = parse_statement_map(future).unwrap_err();
        assert_eq!(error, StatementMapError::UnsupportedFormat { found: 2 });
        assert!(error.to_string().contains("reads format 1"), "{error}");
    }
}
