//! The framework versions, profiles, crosswalk and statement map shipped inside the crate.

use std::sync::OnceLock;

use crate::crosswalk::Crosswalk;
use crate::load::{parse_crosswalk, parse_framework, parse_profiles};
use crate::model::Framework;
use crate::profile::Profile;
use crate::statement_map::{StatementMap, parse_statement_map, statement_map_problems};

/// The bundled CAF 3.2 file, in our JSON format.
pub const CAF_3_2_JSON: &str = include_str!("../frameworks/caf-3.2.json");
/// The bundled CAF 4.0 file, in our JSON format.
pub const CAF_4_0_JSON: &str = include_str!("../frameworks/caf-4.0.json");
/// The bundled target profiles file.
pub const PROFILES_JSON: &str = include_str!("../frameworks/profiles.json");
/// The bundled crosswalk from CAF 3.2 to CAF 4.0.
pub const CROSSWALK_3_2_4_0_JSON: &str = include_str!("../frameworks/crosswalk-3.2-4.0.json");
/// The bundled statement map from CAF 3.2 to CAF 4.0 (statement ids only).
pub const STATEMENTS_3_2_4_0_JSON: &str = include_str!("../frameworks/statements-3.2-4.0.json");

fn frameworks() -> &'static [Framework] {
    static FRAMEWORKS: OnceLock<Vec<Framework>> = OnceLock::new();
    FRAMEWORKS.get_or_init(|| {
        [CAF_3_2_JSON, CAF_4_0_JSON]
            .into_iter()
            .map(|json| {
                parse_framework(json)
                    .unwrap_or_else(|error| panic!("a bundled framework is invalid: {error}"))
            })
            .collect()
    })
}

fn profiles() -> &'static [Profile] {
    static PROFILES: OnceLock<Vec<Profile>> = OnceLock::new();
    PROFILES.get_or_init(|| {
        parse_profiles(PROFILES_JSON, frameworks())
            .unwrap_or_else(|error| panic!("the bundled profiles are invalid: {error}"))
    })
}

/// The bundled framework versions (CAF 3.2 and 4.0, oldest first), parsed and validated.
pub fn bundled_frameworks() -> Vec<Framework> {
    frameworks().to_vec()
}

/// The bundled framework of one version, e.g. "3.2".
pub fn bundled_framework(version: &str) -> Option<Framework> {
    frameworks().iter().find(|f| f.version == version).cloned()
}

/// The raw JSON of a bundled framework version, e.g. to offer it for download.
pub fn bundled_framework_json(version: &str) -> Option<&'static str> {
    match version {
        "3.2" => Some(CAF_3_2_JSON),
        "4.0" => Some(CAF_4_0_JSON),
        _ => None,
    }
}

/// The bundled target profiles, each checked against its framework.
pub fn bundled_profiles() -> Vec<Profile> {
    profiles().to_vec()
}

/// The bundled profile with this id, e.g. "govassure-baseline-caf3.2".
pub fn bundled_profile(id: &str) -> Option<Profile> {
    profiles().iter().find(|p| p.id == id).cloned()
}

/// The bundled crosswalk from CAF 3.2 to CAF 4.0, checked against both frameworks.
pub fn bundled_crosswalk() -> Crosswalk {
    static CROSSWALK: OnceLock<Crosswalk> = OnceLock::new();
    CROSSWALK
        .get_or_init(|| {
            parse_crosswalk(CROSSWALK_3_2_4_0_JSON, frameworks())
                .unwrap_or_else(|error| panic!("the bundled crosswalk is invalid: {error}"))
        })
        .clone()
}

/// The statement map for carrying answers from one bundled version to another.
///
/// CAF 3.2 to 4.0 is the bundled map, checked against both frameworks; a version to itself is
/// the identity map of that bundled framework. Any other pair gives `None`.
pub fn bundled_statement_map(from_version: &str, to_version: &str) -> Option<StatementMap> {
    if from_version == to_version {
        return frameworks()
            .iter()
            .find(|f| f.version == from_version)
            .map(StatementMap::identity);
    }
    if (from_version, to_version) != ("3.2", "4.0") {
        return None;
    }
    static MAP: OnceLock<StatementMap> = OnceLock::new();
    let map = MAP.get_or_init(|| {
        let map = parse_statement_map(STATEMENTS_3_2_4_0_JSON)
            .unwrap_or_else(|error| panic!("the bundled statement map is invalid: {error}"));
        let version = |v: &str| frameworks().iter().find(|f| f.version == v);
        let (Some(from), Some(to)) = (version("3.2"), version("4.0")) else {
            panic!("CAF 3.2 and 4.0 are bundled");
        };
        let problems = statement_map_problems(&map, from, to);
        assert!(
            problems.is_empty(),
            "the bundled statement map does not fit the frameworks: {problems:?}"
        );
        map
    });
    Some(map.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::ProfilesFile;

    #[test]
    fn the_profiles_file_is_in_canonical_form() {
        let file: ProfilesFile = serde_json::from_str(PROFILES_JSON).unwrap();
        assert_eq!(file.profiles, bundled_profiles());
        let pretty = serde_json::to_string_pretty(&file).unwrap() + "\n";
        assert_eq!(pretty, PROFILES_JSON);
    }

    #[test]
    fn lookups_by_version_and_id() {
        assert_eq!(bundled_framework("4.0").unwrap().version, "4.0");
        assert!(bundled_framework("2.0").is_none());
        assert!(bundled_profile("govassure-enhanced-caf4.0").is_some());
        assert!(bundled_profile("local-government").is_none());
    }
}
