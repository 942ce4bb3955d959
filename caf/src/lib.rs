//! The NCSC Cyber Assessment Framework (CAF) as versioned data, and the rules built on it.
//!
//! Holds the typed framework model, the bundled CAF 3.2 and 4.0 texts and target profiles,
//! the status suggestion rule, profile comparison, and the crosswalk and statement map between
//! versions for carrying answers forward. Pure Rust with no I/O, so the browser and the server
//! derive statuses with the same code.
//!
//! Contains public sector information published by the National Cyber Security Centre: Cyber
//! Assessment Framework, <https://www.ncsc.gov.uk/collection/cyber-assessment-framework>, (c) Crown
//! copyright, reused under the Open Government Licence v3.0 as public sector information.
//!
//! ```
//! use std::collections::BTreeMap;
//! use caf::{Answer, Status, bundled_framework, suggest_status};
//!
//! let framework = bundled_framework("3.2").expect("CAF 3.2 is bundled");
//! let outcome = framework.outcome("A1.b").expect("A1.b exists");
//! let answers: BTreeMap<String, Answer> = outcome
//!     .indicators
//!     .achieved
//!     .iter()
//!     .map(|igp| (igp.id.clone(), Answer::True))
//!     .collect();
//! assert_eq!(suggest_status(outcome, &answers).status, Status::Achieved);
//! ```
#![warn(missing_docs)]

mod bundled;
mod crosswalk;
mod error;
mod framework;
mod load;
mod model;
mod profile;
mod rating;
mod statement_map;
mod status;
mod validate;

pub use bundled::{
    CAF_3_2_JSON, CAF_4_0_JSON, CROSSWALK_3_2_4_0_JSON, PROFILES_JSON, STATEMENTS_3_2_4_0_JSON,
    bundled_crosswalk, bundled_framework, bundled_framework_json, bundled_frameworks,
    bundled_profile, bundled_profiles, bundled_statement_map,
};
pub use crosswalk::{
    Changes, Crosswalk, OutcomeLink, OutcomeSummary, Renamed, Renumbered, StatementChanges,
    changes, crosswalk_problems, normalise,
};
pub use error::{
    CrosswalkError, CrosswalkProblem, FrameworkError, JsonLocation, Problem, ProfileError,
    ProfileProblem, SUPPORTED_FORMAT, StatementMapError,
};
pub use framework::Counts;
pub use load::{
    parse_crosswalk, parse_framework, parse_profiles, validate_crosswalk, validate_framework,
    validate_profile,
};
pub use model::{
    ContributingOutcome, Framework, Guidance, IgpTableRules, Indicator, Indicators, Licence,
    Objective, Principle, Source, SuggestionRule,
};
pub use profile::{
    Certainty, Comparison, ComparisonRow, GroupTotals, Profile, Totals, compare, compare_targets,
    spoken_profile_name,
};
pub use rating::{Answer, Suggestion, suggest_status};
pub use statement_map::{
    CarriedStatement, StatementChange, StatementLink, StatementMap, carry_outcome,
    normalise_statement, parse_statement_map, statement_map_problems,
};
pub use status::{Column, Status};
pub use validate::framework_problems;

/// The attribution to show wherever NCSC CAF text is shown.
pub const ATTRIBUTION: &str = "Contains public sector information published by the National Cyber Security Centre: Cyber Assessment Framework, https://www.ncsc.gov.uk/collection/cyber-assessment-framework, (c) Crown copyright, reused under the Open Government Licence v3.0 as public sector information.";
