//! Error types for loading framework, profile, crosswalk and statement map data.

use std::fmt::Display;

use thiserror::Error;

/// The JSON format versions this build reads.
pub const SUPPORTED_FORMAT: u32 = 1;

/// Where a JSON document failed to parse or did not have the expected shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonLocation {
    /// 1-based line of the problem.
    pub line: usize,
    /// 1-based column of the problem.
    pub column: usize,
    /// What serde_json found wrong, without the position.
    pub detail: String,
}

impl JsonLocation {
    /// Capture the position and message of a serde_json error.
    pub fn from_error(error: &serde_json::Error) -> JsonLocation {
        let (line, column) = (error.line(), error.column());
        let full = error.to_string();
        let suffix = format!(" at line {line} column {column}");
        let detail = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
        JsonLocation {
            line,
            column,
            detail,
        }
    }
}

impl Display for JsonLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.detail
        )
    }
}

/// Render problems as an indented list, one per line.
pub(crate) fn bullet_list<T: Display>(items: &[T]) -> String {
    items.iter().map(|item| format!("\n  - {item}")).collect()
}

/// Why a framework file could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum FrameworkError {
    /// The text is not JSON, or not shaped like a framework.
    #[error("the framework file could not be read at {0}")]
    Json(JsonLocation),
    /// The JSON is shaped right but breaks the framework rules; every problem found is listed.
    #[error("the framework file has {} problem(s):{}", .0.len(), bullet_list(.0))]
    Invalid(Vec<Problem>),
}

/// One rule a framework breaks, naming the id concerned.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum Problem {
    /// The format number is not one this build reads.
    #[error(
        "format {found} is not supported; this build reads format {}",
        SUPPORTED_FORMAT
    )]
    UnsupportedFormat {
        /// The format number found.
        found: u32,
    },
    /// A required top-level text is empty.
    #[error("the framework's {field} is empty")]
    EmptyField {
        /// Name of the empty field.
        field: String,
    },
    /// A text holds a NUL character, which no database stores as text.
    #[error("a text in the framework holds a NUL character (\\u0000); remove it")]
    NulCharacter,
    /// The framework has no objectives.
    #[error("the framework has no objectives")]
    NoObjectives,
    /// An objective has no principles.
    #[error("objective {id} has no principles")]
    NoPrinciples {
        /// The objective's id.
        id: String,
    },
    /// A principle has no contributing outcomes.
    #[error("principle {id} has no contributing outcomes")]
    NoOutcomes {
        /// The principle's id.
        id: String,
    },
    /// The same id appears more than once.
    #[error("id {id} is used more than once")]
    DuplicateId {
        /// The repeated id.
        id: String,
    },
    /// An id does not start with the id of the item it sits under.
    #[error("{kind} {id} does not start with the id of its parent {parent}")]
    BadPrefix {
        /// What the item is ("principle", "contributing outcome", "IGP statement").
        kind: String,
        /// The item's id.
        id: String,
        /// The parent's id.
        parent: String,
    },
    /// A contributing outcome has no achieved statements.
    #[error("contributing outcome {id} has no achieved statements")]
    NoAchieved {
        /// The outcome's id.
        id: String,
    },
    /// A contributing outcome has no not achieved statements.
    #[error("contributing outcome {id} has no not-achieved statements")]
    NoNotAchieved {
        /// The outcome's id.
        id: String,
    },
    /// A text that must have content is empty or only whitespace.
    #[error("{id} has an empty {field}")]
    EmptyText {
        /// The id of the item (or of its parent when the id itself is empty).
        id: String,
        /// Which text is empty ("id", "title", "description", "text", ...).
        field: String,
    },
}

/// Why a profile or a profiles file could not be accepted.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ProfileError {
    /// The text is not JSON, or not shaped like a profiles file.
    #[error("the profiles file could not be read at {0}")]
    Json(JsonLocation),
    /// The profiles break the profile rules; every problem found is listed.
    #[error("the profiles have {} problem(s):{}", .0.len(), bullet_list(.0))]
    Invalid(Vec<ProfileProblem>),
}

/// One rule a profile breaks, naming the profile and, where relevant, the outcome.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ProfileProblem {
    /// The profiles file's format number is not one this build reads.
    #[error(
        "format {found} is not supported; this build reads format {}",
        SUPPORTED_FORMAT
    )]
    UnsupportedFormat {
        /// The format number found.
        found: u32,
    },
    /// A required text of the profile is empty.
    #[error("profile {profile:?} has an empty {field}")]
    EmptyField {
        /// The profile's id.
        profile: String,
        /// Which field is empty.
        field: String,
    },
    /// Two profiles share an id.
    #[error("profile id {profile} is used more than once")]
    DuplicateProfile {
        /// The repeated id.
        profile: String,
    },
    /// No framework of the profile's version is available.
    #[error("profile {profile} is for CAF {version}, which is not available")]
    UnknownVersion {
        /// The profile's id.
        profile: String,
        /// The version the profile names.
        version: String,
    },
    /// The profile was checked against a framework of another version.
    #[error(
        "profile {profile} is for CAF {profile_version} but the framework is CAF {framework_version}"
    )]
    WrongVersion {
        /// The profile's id.
        profile: String,
        /// The version the profile names.
        profile_version: String,
        /// The framework's version.
        framework_version: String,
    },
    /// The profile sets a target for an outcome the framework does not have.
    #[error(
        "profile {profile} sets a target for {outcome}, which is not an outcome of the framework"
    )]
    UnknownOutcome {
        /// The profile's id.
        profile: String,
        /// The unknown outcome id.
        outcome: String,
    },
    /// The profile sets no target for one of the framework's outcomes.
    #[error("profile {profile} sets no target for outcome {outcome}")]
    MissingTarget {
        /// The profile's id.
        profile: String,
        /// The outcome without a target.
        outcome: String,
    },
    /// A less-certain profile does not say why it is less certain.
    #[error("profile {profile} is marked less certain but has no caveat")]
    MissingCaveat {
        /// The profile's id.
        profile: String,
    },
}

/// Why a crosswalk could not be accepted.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CrosswalkError {
    /// The text is not JSON, or not shaped like a crosswalk.
    #[error("the crosswalk file could not be read at {0}")]
    Json(JsonLocation),
    /// The crosswalk does not fit the two frameworks; every problem found is listed.
    #[error("the crosswalk has {} problem(s):{}", .0.len(), bullet_list(.0))]
    Invalid(Vec<CrosswalkProblem>),
}

/// One way a crosswalk does not fit the frameworks it links, naming the outcome id.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CrosswalkProblem {
    /// The crosswalk's format number is not one this build reads.
    #[error(
        "format {found} is not supported; this build reads format {}",
        SUPPORTED_FORMAT
    )]
    UnsupportedFormat {
        /// The format number found.
        found: u32,
    },
    /// No framework of a version the crosswalk names is available, or the wrong one was given.
    #[error("the crosswalk's {side} version is CAF {expected} but the framework given is {found}")]
    VersionMismatch {
        /// "from" or "to".
        side: String,
        /// The version the crosswalk names.
        expected: String,
        /// The version available, or "missing".
        found: String,
    },
    /// A `to` id is not an outcome of the newer framework.
    #[error("{id} is not an outcome of CAF {version}")]
    UnknownOutcome {
        /// The unknown id.
        id: String,
        /// The framework version it was looked up in.
        version: String,
    },
    /// A newer outcome is linked more than once.
    #[error("outcome {id} is listed more than once")]
    DuplicateTo {
        /// The repeated outcome id.
        id: String,
    },
    /// A newer outcome is not listed.
    #[error("outcome {id} of CAF {version} is not listed")]
    MissingTo {
        /// The outcome id.
        id: String,
        /// The newer framework's version.
        version: String,
    },
    /// An older outcome is both removed and linked to a newer one.
    #[error("outcome {id} is listed as removed but also links to a newer outcome")]
    RemovedButLinked {
        /// The outcome id.
        id: String,
    },
    /// An older outcome is neither linked nor removed.
    #[error(
        "outcome {id} of CAF {version} is neither linked to a newer outcome nor listed as removed"
    )]
    Unaccounted {
        /// The outcome id.
        id: String,
        /// The older framework's version.
        version: String,
    },
}

/// Why a statement map could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum StatementMapError {
    /// The text is not JSON, or not shaped like a statement map.
    #[error("the statement map could not be read at {0}")]
    Json(JsonLocation),
    /// The map's format number is not one this build reads.
    #[error(
        "the statement map's format {found} is not supported; this build reads format {}",
        SUPPORTED_FORMAT
    )]
    UnsupportedFormat {
        /// The format number found.
        found: u32,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_location_keeps_the_message_without_repeating_the_position() {
        let error = serde_json::from_str::<serde_json::Value>("{\n  \"a\": x\n}").unwrap_err();
        let location = JsonLocation::from_error(&error);
        assert_eq!(location.line, 2);
        assert!(!location.detail.contains("line"), "{}", location.detail);
        assert!(location.to_string().starts_with("line 2, column "));
    }
}
