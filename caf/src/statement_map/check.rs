//! Checking a statement map against the two frameworks it links.

use std::collections::{BTreeMap, BTreeSet};

use super::{StatementChange, StatementLink, StatementMap, normalise_statement};
use crate::error::SUPPORTED_FORMAT;
use crate::model::{Framework, Indicator};
use crate::status::Column;

type Statements<'a> = BTreeMap<&'a str, (Column, &'a Indicator)>;

fn statements(framework: &Framework) -> Statements<'_> {
    framework
        .outcomes()
        .flat_map(|outcome| outcome.indicators.iter())
        .map(|(column, indicator)| (indicator.id.as_str(), (column, indicator)))
        .collect()
}

fn ids(framework: &Framework) -> impl Iterator<Item = &str> {
    framework
        .outcomes()
        .flat_map(|outcome| outcome.indicators.iter())
        .map(|(_, indicator)| indicator.id.as_str())
}

/// Check a statement map against the frameworks it links, returning every problem (empty when
/// it fits), each naming the statement ids concerned.
///
/// Checks coverage (every later statement listed once, every earlier one a source or dropped,
/// never both, no unknown ids) and that `same` and `moved` agree with the wording and columns.
pub fn statement_map_problems(map: &StatementMap, from: &Framework, to: &Framework) -> Vec<String> {
    let mut problems = Vec::new();
    if map.format != SUPPORTED_FORMAT {
        problems.push(format!(
            "format {} is not supported; this build reads format {SUPPORTED_FORMAT}",
            map.format
        ));
    }
    for (side, expected, framework) in [
        ("from", &map.from_version, from),
        ("to", &map.to_version, to),
    ] {
        if *expected != framework.version {
            problems.push(format!(
                "the map's {side} version is CAF {expected} but the framework given is CAF {}",
                framework.version
            ));
        }
    }
    let earlier = statements(from);
    let later = statements(to);
    let mut listed = BTreeSet::new();
    let mut sources = BTreeSet::new();
    for link in &map.statements {
        if !later.contains_key(link.to.as_str()) {
            problems.push(format!(
                "{} is not a statement of CAF {}",
                link.to, to.version
            ));
        }
        if !listed.insert(link.to.as_str()) {
            problems.push(format!("{} is listed more than once", link.to));
        }
        let mut named = BTreeSet::new();
        for id in &link.from {
            sources.insert(id.as_str());
            if !named.insert(id.as_str()) {
                problems.push(format!("{} names {id} more than once", link.to));
            }
            if !earlier.contains_key(id.as_str()) {
                problems.push(format!(
                    "{} comes from {id}, which is not a statement of CAF {}",
                    link.to, from.version
                ));
            }
        }
        problems.extend(change_problem(link, &later, &earlier));
    }
    for id in ids(to).filter(|id| !listed.contains(id)) {
        problems.push(format!("{id} of CAF {} is not listed", to.version));
    }
    let mut dropped = BTreeSet::new();
    for id in &map.dropped {
        if !earlier.contains_key(id.as_str()) {
            problems.push(format!(
                "dropped {id} is not a statement of CAF {}",
                from.version
            ));
        }
        if !dropped.insert(id.as_str()) {
            problems.push(format!("{id} is listed as dropped more than once"));
        }
        if sources.contains(id.as_str()) {
            problems.push(format!(
                "{id} is listed as dropped but is also the source of a CAF {} statement",
                to.version
            ));
        }
    }
    for id in ids(from).filter(|id| !sources.contains(id) && !dropped.contains(id)) {
        problems.push(format!(
            "{id} of CAF {} is neither the source of a statement nor listed as dropped",
            from.version
        ));
    }
    problems
}

/// What is wrong with a link's `change`, given its sources' wording and columns.
fn change_problem(
    link: &StatementLink,
    later: &Statements,
    earlier: &Statements,
) -> Option<String> {
    let to = &link.to;
    let change = link.change.key();
    let only = match (link.change, link.from.as_slice()) {
        (StatementChange::New, []) => return None,
        (StatementChange::New, _) => return Some(format!("{to} is marked new but names sources")),
        (_, []) => return Some(format!("{to} is marked {change} but names no source")),
        (StatementChange::Changed, [_, _, ..]) => return None,
        (_, [_, _, ..]) => {
            return Some(format!(
                "{to} is marked {change} but names more than one source"
            ));
        }
        (_, [only]) => only,
    };
    let ((new_column, new), (old_column, old)) =
        (later.get(to.as_str())?, earlier.get(only.as_str())?);
    let equal = normalise_statement(new.display_text()) == normalise_statement(old.display_text());
    let column = |column: &Column| column.label().to_lowercase();
    match link.change {
        StatementChange::Same | StatementChange::Moved if !equal => Some(format!(
            "{to} is marked {change} but its wording differs from {only}"
        )),
        StatementChange::Changed if equal => Some(format!(
            "{to} is marked changed but its wording is the same as {only}"
        )),
        StatementChange::Same if new_column != old_column => Some(format!(
            "{to} is marked same but is in the {} column and {only} in the {} column",
            column(new_column),
            column(old_column)
        )),
        StatementChange::Moved if new_column == old_column => Some(format!(
            "{to} is marked moved but it and {only} are both in the {} column",
            column(new_column)
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundled::bundled_framework;

    fn link_mut<'a>(map: &'a mut StatementMap, to: &str) -> &'a mut StatementLink {
        map.statements.iter_mut().find(|l| l.to == to).unwrap()
    }

    #[test]
    fn the_identity_map_fits() {
        let framework = bundled_framework("3.2").unwrap();
        let map = StatementMap::identity(&framework);
        assert_eq!(
            statement_map_problems(&map, &framework, &framework),
            Vec::<String>::new()
        );
    }

    #[test]
    fn reports_a_missing_statement_and_a_wrong_same() {
        let framework = bundled_framework("4.0").unwrap();
        let mut map = StatementMap::identity(&framework);
        map.statements.retain(|link| link.to != "A1.a.NA2");
        link_mut(&mut map, "A1.a.NA3").from = vec!["A1.a.NA1".to_owned()];
        let problems = statement_map_problems(&map, &framework, &framework);
        assert_eq!(
            problems,
            [
                "A1.a.NA3 is marked same but its wording differs from A1.a.NA1",
                "A1.a.NA2 of CAF 4.0 is not listed",
                "A1.a.NA2 of CAF 4.0 is neither the source of a statement nor listed as dropped",
                "A1.a.NA3 of CAF 4.0 is neither the source of a statement nor listed as dropped",
            ]
        );
    }

    #[test]
    fn reports_columns_that_contradict_same_and_moved() {
        // CAF 3.2 A2.a.PA1 and A2.a.A1 have the same wording in two columns.
        let framework = bundled_framework("3.2").unwrap();
        let mut map = StatementMap::identity(&framework);
        link_mut(&mut map, "A2.a.A1").from = vec!["A2.a.PA1".to_owned()];
        link_mut(&mut map, "A2.a.NA1").change = StatementChange::Moved;
        link_mut(&mut map, "A2.a.NA2").change = StatementChange::Changed;
        link_mut(&mut map, "A2.a.NA3").change = StatementChange::New;
        map.dropped.push("A2.a.A1".to_owned());
        map.dropped.push("Z9.z.A1".to_owned());
        map.from_version = "3.0".to_owned();
        let problems = statement_map_problems(&map, &framework, &framework);
        assert_eq!(
            problems,
            [
                "the map's from version is CAF 3.0 but the framework given is CAF 3.2",
                "A2.a.NA1 is marked moved but it and A2.a.NA1 are both in the not achieved column",
                "A2.a.NA2 is marked changed but its wording is the same as A2.a.NA2",
                "A2.a.NA3 is marked new but names sources",
                "A2.a.A1 is marked same but is in the achieved column and A2.a.PA1 in the partially achieved column",
                "dropped Z9.z.A1 is not a statement of CAF 3.2",
            ]
        );
        link_mut(&mut map, "A2.a.A1").change = StatementChange::Moved;
        link_mut(&mut map, "B1.a.A1").from = vec!["B1.a.A1".to_owned(), "Q1.q.NA1".to_owned()];
        map.statements.push(map.statements[0].clone());
        map.dropped.push("A1.a.NA1".to_owned());
        let problems = statement_map_problems(&map, &framework, &framework);
        for expected in [
            "B1.a.A1 comes from Q1.q.NA1, which is not a statement of CAF 3.2",
            "B1.a.A1 is marked same but names more than one source",
            "A1.a.NA1 is listed more than once",
            "A1.a.NA1 is listed as dropped but is also the source of a CAF 3.2 statement",
        ] {
            assert!(
                problems.iter().any(|p| p == expected),
                "{expected} not in {problems:?}"
            );
        }
        assert!(!problems.iter().any(|p| p.starts_with("A2.a.A1 is marked")));
    }
}
