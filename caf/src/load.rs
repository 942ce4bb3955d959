//! Parsing framework, profile and crosswalk JSON, with validation that reports every problem.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::crosswalk::{Crosswalk, crosswalk_problems};
use crate::error::{
    CrosswalkError, CrosswalkProblem, FrameworkError, JsonLocation, ProfileError, ProfileProblem,
    SUPPORTED_FORMAT,
};
use crate::model::Framework;
use crate::profile::{Certainty, Profile};
use crate::validate::{framework_problems, is_blank};

/// The shape of a profiles file: a format number, a description and the profiles.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProfilesFile {
    pub(crate) format: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<String>,
    pub(crate) profiles: Vec<Profile>,
}

/// Parse and validate a framework file in our JSON format.
pub fn parse_framework(json: &str) -> Result<Framework, FrameworkError> {
    let framework: Framework = serde_json::from_str(json)
        .map_err(|error| FrameworkError::Json(JsonLocation::from_error(&error)))?;
    validate_framework(&framework)?;
    Ok(framework)
}

/// Check a framework against the format's rules, reporting every problem at once.
pub fn validate_framework(framework: &Framework) -> Result<(), FrameworkError> {
    let problems = framework_problems(framework);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(FrameworkError::Invalid(problems))
    }
}

/// Parse a profiles file and check each profile against the framework of its version.
pub fn parse_profiles(json: &str, frameworks: &[Framework]) -> Result<Vec<Profile>, ProfileError> {
    let file: ProfilesFile = serde_json::from_str(json)
        .map_err(|error| ProfileError::Json(JsonLocation::from_error(&error)))?;
    let mut problems = Vec::new();
    if file.format != SUPPORTED_FORMAT {
        problems.push(ProfileProblem::UnsupportedFormat { found: file.format });
    }
    let mut ids = BTreeSet::new();
    for profile in &file.profiles {
        if !ids.insert(profile.id.as_str()) {
            problems.push(ProfileProblem::DuplicateProfile {
                profile: profile.id.clone(),
            });
        }
        match frameworks
            .iter()
            .find(|f| f.version == profile.framework_version)
        {
            Some(framework) => problems.extend(profile_problems(profile, framework)),
            None => problems.push(ProfileProblem::UnknownVersion {
                profile: profile.id.clone(),
                version: profile.framework_version.clone(),
            }),
        }
    }
    if problems.is_empty() {
        Ok(file.profiles)
    } else {
        Err(ProfileError::Invalid(problems))
    }
}

/// Check one profile against a framework: right version, a target for every outcome and no others.
pub fn validate_profile(profile: &Profile, framework: &Framework) -> Result<(), ProfileError> {
    let problems = profile_problems(profile, framework);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ProfileError::Invalid(problems))
    }
}

fn profile_problems(profile: &Profile, framework: &Framework) -> Vec<ProfileProblem> {
    let mut problems = Vec::new();
    let name = || profile.id.clone();
    for (field, value) in [
        ("id", &profile.id),
        ("name", &profile.name),
        ("source", &profile.source),
    ] {
        if is_blank(value) {
            problems.push(ProfileProblem::EmptyField {
                profile: name(),
                field: field.to_owned(),
            });
        }
    }
    if profile.certainty == Certainty::LessCertain && profile.caveat.as_deref().is_none_or(is_blank)
    {
        problems.push(ProfileProblem::MissingCaveat { profile: name() });
    }
    if profile.framework_version != framework.version {
        problems.push(ProfileProblem::WrongVersion {
            profile: name(),
            profile_version: profile.framework_version.clone(),
            framework_version: framework.version.clone(),
        });
        return problems;
    }
    for outcome in profile.targets.keys() {
        if framework.outcome(outcome).is_none() {
            problems.push(ProfileProblem::UnknownOutcome {
                profile: name(),
                outcome: outcome.clone(),
            });
        }
    }
    for outcome in framework.outcomes() {
        if !profile.targets.contains_key(&outcome.id) {
            problems.push(ProfileProblem::MissingTarget {
                profile: name(),
                outcome: outcome.id.clone(),
            });
        }
    }
    problems
}

/// Parse a crosswalk file and check it against the frameworks of its two versions.
pub fn parse_crosswalk(json: &str, frameworks: &[Framework]) -> Result<Crosswalk, CrosswalkError> {
    let crosswalk: Crosswalk = serde_json::from_str(json)
        .map_err(|error| CrosswalkError::Json(JsonLocation::from_error(&error)))?;
    let find = |version: &str| frameworks.iter().find(|f| f.version == version);
    match (find(&crosswalk.from_version), find(&crosswalk.to_version)) {
        (Some(from), Some(to)) => validate_crosswalk(&crosswalk, from, to)?,
        (from, to) => {
            let missing = [
                ("from", &crosswalk.from_version, from),
                ("to", &crosswalk.to_version, to),
            ];
            let problems = missing
                .into_iter()
                .filter(|(_, _, found)| found.is_none())
                .map(|(side, version, _)| CrosswalkProblem::VersionMismatch {
                    side: side.to_owned(),
                    expected: version.clone(),
                    found: "missing".to_owned(),
                })
                .collect();
            return Err(CrosswalkError::Invalid(problems));
        }
    }
    Ok(crosswalk)
}

/// Check a crosswalk against the two frameworks it links, reporting every problem at once.
pub fn validate_crosswalk(
    crosswalk: &Crosswalk,
    from: &Framework,
    to: &Framework,
) -> Result<(), CrosswalkError> {
    let problems = crosswalk_problems(crosswalk, from, to);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(CrosswalkError::Invalid(problems))
    }
}
