//! The bundled CAF 3.2 -> 4.0 statement map: coverage, known pairs, the classification re-derived
//! from the texts, the identity map, and carrying answers forward.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use caf::{
    Answer, Framework, STATEMENTS_3_2_4_0_JSON, StatementChange, StatementMap, bundled_crosswalk,
    bundled_framework, bundled_statement_map, carry_outcome, normalise_statement,
    parse_statement_map, statement_map_problems,
};

fn map() -> StatementMap {
    bundled_statement_map("3.2", "4.0").expect("the 3.2 -> 4.0 map is bundled")
}

fn frameworks() -> (Framework, Framework) {
    (
        bundled_framework("3.2").unwrap(),
        bundled_framework("4.0").unwrap(),
    )
}

fn statement_ids(framework: &Framework) -> Vec<String> {
    framework
        .outcomes()
        .flat_map(|o| o.indicators.iter())
        .map(|(_, i)| i.id.clone())
        .collect()
}

fn link(map: &StatementMap, to: &str) -> (Vec<String>, StatementChange) {
    let link = map.link(to).unwrap_or_else(|| panic!("{to} is not listed"));
    (link.from.clone(), link.change)
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn the_bundled_map_fits_both_frameworks() {
    let (from, to) = frameworks();
    let map = map();
    assert_eq!(
        (map.from_version.as_str(), map.to_version.as_str()),
        ("3.2", "4.0")
    );
    assert_eq!(
        statement_map_problems(&map, &from, &to),
        Vec::<String>::new()
    );
    assert_eq!(parse_statement_map(STATEMENTS_3_2_4_0_JSON).unwrap(), map);
}

#[test]
fn the_file_is_in_canonical_form() {
    let pretty = serde_json::to_string_pretty(&map()).unwrap() + "\n";
    assert!(
        pretty == STATEMENTS_3_2_4_0_JSON,
        "the file is not serde's pretty form"
    );
}

#[test]
fn every_statement_is_accounted_for_once() {
    let (from, to) = frameworks();
    let map = map();
    let listed: Vec<String> = map.statements.iter().map(|l| l.to.clone()).collect();
    assert_eq!(
        listed,
        statement_ids(&to),
        "every 4.0 statement once, in framework order"
    );

    let sources: BTreeSet<&str> = map
        .statements
        .iter()
        .flat_map(|l| l.from.iter().map(String::as_str))
        .collect();
    let dropped: BTreeSet<&str> = map.dropped.iter().map(String::as_str).collect();
    assert_eq!(dropped.len(), map.dropped.len(), "dropped ids are unique");
    assert!(sources.is_disjoint(&dropped));
    let all: BTreeSet<&str> = sources.union(&dropped).copied().collect();
    let earlier = statement_ids(&from);
    assert_eq!(all, earlier.iter().map(String::as_str).collect());

    let count = |change| map.statements.iter().filter(|l| l.change == change).count();
    let counts = [
        count(StatementChange::Same),
        count(StatementChange::Moved),
        count(StatementChange::Changed),
        count(StatementChange::New),
        map.dropped.len(),
    ];
    assert_eq!(counts, [232, 0, 199, 126, 22]);
    assert_eq!(counts[..4].iter().sum::<usize>(), 557);
    assert_eq!(sources.len() + dropped.len(), 449);
    for link in &map.statements {
        assert_eq!(
            link.from.is_empty(),
            link.change == StatementChange::New,
            "{}",
            link.to
        );
    }
}

#[test]
fn known_pairs() {
    use StatementChange::{Changed, New, Same};
    let map = map();
    // Word for word the same.
    assert_eq!(link(&map, "A1.a.NA1"), (ids(&["A1.a.NA1"]), Same));
    assert_eq!(link(&map, "B6.b.A4"), (ids(&["B6.b.A4"]), Same));
    // Same wording, now in another outcome (3.2 C1.e to 4.0 C1.a).
    assert_eq!(link(&map, "C1.a.PA5"), (ids(&["C1.e.PA5"]), Same));
    // "the security of the network and ..." became "the security of network and ...".
    assert_eq!(link(&map, "A1.a.A4"), (ids(&["A1.a.A4"]), Changed));
    // "don't talk to each other" became "do not talk to each other"; 3.2 NA4 is 4.0 NA5.
    assert_eq!(link(&map, "A1.c.NA5"), (ids(&["A1.c.NA4"]), Changed));
    // "Standard users are not able to change settings ...": achieved in 3.2, partially in 4.0.
    assert_eq!(link(&map, "B4.b.PA7"), (ids(&["B4.b.A6"]), Changed));
    // One 3.2 statement of two sentences split into two 4.0 statements.
    assert_eq!(link(&map, "B1.a.A1"), (ids(&["B1.a.A1"]), Changed));
    assert_eq!(link(&map, "B1.a.A2"), (ids(&["B1.a.A1"]), Changed));
    // Two 3.2 statements merged: "Only authorised users and systems can access log data".
    assert_eq!(
        link(&map, "C1.b.PA1"),
        (ids(&["C1.b.PA1", "C1.b.PA2"]), Changed)
    );
    // Indicators of compromise moved from 3.2 C1.a to 4.0 C1.c, reworded.
    assert_eq!(link(&map, "C1.c.NA4"), (ids(&["C1.a.NA2"]), Changed));
    // New in 4.0 within a linked outcome.
    assert_eq!(link(&map, "A1.a.A5"), (vec![], New));
    assert_eq!(link(&map, "A1.c.NA4"), (vec![], New));
    // The opposite of 3.2 B4.b.A6 is a new not achieved statement, not a carried one.
    assert_eq!(link(&map, "B4.b.NA6"), (vec![], New));
    // Threat intelligence went from 3.2 C1.d to the new 4.0 C1.f; threat analysis to the new A2.b.
    assert!(map.dropped.iter().any(|id| id == "C1.d.NA1"));
    assert!(map.dropped.iter().any(|id| id == "A2.a.PA6"));
}

#[test]
fn renumbered_new_and_removed_outcomes() {
    let (from, to) = frameworks();
    let map = map();
    // 3.2 A2.b Assurance is 4.0 A2.c: its statements are the sources, and all of them are used.
    let mut sources = BTreeSet::new();
    for (_, indicator) in to.outcome("A2.c").unwrap().indicators.iter() {
        let link = map.link(&indicator.id).unwrap();
        assert!(!link.from.is_empty(), "{}", link.to);
        for id in &link.from {
            assert!(id.starts_with("A2.b."), "{} from {id}", link.to);
            sources.insert(id.clone());
        }
    }
    let assurance: BTreeSet<String> = from
        .outcome("A2.b")
        .unwrap()
        .indicators
        .iter()
        .map(|(_, i)| i.id.clone())
        .collect();
    assert_eq!(sources, assurance);
    assert_eq!(
        link(&map, "A2.c.A3"),
        (ids(&["A2.b.A3"]), StatementChange::Same)
    );
    // Outcomes new in 4.0 start fresh.
    for outcome in ["A2.b", "A4.b", "C1.f"] {
        for (_, indicator) in to.outcome(outcome).unwrap().indicators.iter() {
            assert_eq!(link(&map, &indicator.id), (vec![], StatementChange::New));
        }
    }
    // 3.2 C2.b Proactive attack discovery was removed: every statement dropped.
    let c2b = from.outcome("C2.b").unwrap();
    assert!(!c2b.indicators.is_empty());
    for (_, indicator) in c2b.indicators.iter() {
        assert!(map.dropped.contains(&indicator.id), "{}", indicator.id);
    }
}

/// Re-derive `same` and `moved` from the texts, independently of the script that made the file.
#[test]
fn same_and_moved_follow_from_the_wording() {
    let (from, to) = frameworks();
    let crosswalk = bundled_crosswalk();
    let map = map();
    let wording = |framework: &Framework, outcome: &str| -> Vec<(String, caf::Column, String)> {
        framework
            .outcome(outcome)
            .unwrap()
            .indicators
            .iter()
            .map(|(column, i)| (i.id.clone(), column, normalise_statement(i.display_text())))
            .collect()
    };
    let linked: Vec<(String, caf::Column, String)> = from
        .outcomes()
        .filter(|o| !crosswalk.removed.contains(&o.id))
        .flat_map(|o| wording(&from, &o.id))
        .collect();
    for outcome in to.outcomes() {
        let Some(predecessor) = crosswalk.predecessor(&outcome.id) else {
            continue;
        };
        let before = wording(&from, predecessor);
        for (id, column, text) in wording(&to, &outcome.id) {
            let (sources, change) = link(&map, &id);
            let equal: Vec<_> = before.iter().filter(|(_, _, t)| *t == text).collect();
            if !equal.is_empty() {
                let expected = if equal.iter().any(|(_, c, _)| *c == column) {
                    StatementChange::Same
                } else {
                    StatementChange::Moved
                };
                assert_eq!(change, expected, "{id}");
                assert!(
                    sources.len() == 1 && equal.iter().any(|(s, _, _)| *s == sources[0]),
                    "{id}"
                );
                continue;
            }
            let elsewhere: Vec<_> = linked.iter().filter(|(_, _, t)| *t == text).collect();
            match change {
                StatementChange::Same | StatementChange::Moved => {
                    let source = elsewhere.iter().find(|(s, _, _)| *s == sources[0]);
                    let (_, source_column, _) = source.unwrap_or_else(|| panic!("{id}"));
                    assert_eq!(
                        *source_column == column,
                        change == StatementChange::Same,
                        "{id}"
                    );
                }
                StatementChange::Changed | StatementChange::New => {
                    assert!(
                        elsewhere.is_empty(),
                        "{id} has the wording of {:?}",
                        elsewhere[0].0
                    );
                }
            }
        }
    }
}

#[test]
fn the_script_regenerates_the_committed_file() {
    let manifest = env!("CARGO_MANIFEST_DIR");
    let output = Command::new("python3")
        .arg(format!("{manifest}/tools/map_statements.py"))
        .arg("--check")
        .output();
    match output {
        Ok(output) => assert!(
            output.status.success(),
            "map_statements.py --check failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("notice: python3 not found; skipping the regeneration check");
        }
        Err(error) => panic!("could not run python3: {error}"),
    }
}

#[test]
fn identity_maps_every_statement_to_itself() {
    for framework in caf::bundled_frameworks() {
        let map = StatementMap::identity(&framework);
        assert_eq!(map.statements.len(), framework.counts().indicators);
        for link in &map.statements {
            assert_eq!(link.from, vec![link.to.clone()]);
            assert_eq!(link.change, StatementChange::Same);
        }
        assert!(map.dropped.is_empty());
        assert!(statement_map_problems(&map, &framework, &framework).is_empty());
        assert_eq!(
            bundled_statement_map(&framework.version, &framework.version),
            Some(map)
        );
    }
    assert_eq!(bundled_statement_map("4.0", "3.2"), None);
    assert_eq!(bundled_statement_map("3.2", "5.0"), None);
    assert_eq!(bundled_statement_map("2.0", "2.0"), None);
}

fn answers(list: &[(&str, Answer)]) -> BTreeMap<String, Answer> {
    list.iter()
        .map(|(id, a)| ((*id).to_owned(), a.clone()))
        .collect()
}

fn carried(
    map: &StatementMap,
    previous: &BTreeMap<String, Answer>,
    outcome: &str,
) -> BTreeMap<String, Option<Answer>> {
    let (_, to) = frameworks();
    carry_outcome(map, previous, to.outcome(outcome).unwrap())
        .into_iter()
        .map(|c| (c.to, c.answer))
        .collect()
}

#[test]
fn carrying_one_outcome_forward() {
    let map = map();
    let (_, to) = frameworks();
    let previous = answers(&[
        ("A1.a.NA1", Answer::False),
        (
            "A1.a.A1",
            Answer::not_applicable("Covered by the joint board."),
        ),
        ("A1.a.A4", Answer::True),
        ("A1.b.A1", Answer::True),
    ]);
    let outcome = to.outcome("A1.a").unwrap();
    let result = carry_outcome(&map, &previous, outcome);
    let order: Vec<&str> = result.iter().map(|c| c.to.as_str()).collect();
    let expected: Vec<&str> = outcome
        .indicators
        .iter()
        .map(|(_, i)| i.id.as_str())
        .collect();
    assert_eq!(order, expected, "table order");
    let a4 = result.iter().find(|c| c.to == "A1.a.A4").unwrap();
    assert_eq!(
        (a4.from.clone(), a4.change),
        (ids(&["A1.a.A4"]), StatementChange::Changed)
    );

    let carried = carried(&map, &previous, "A1.a");
    assert_eq!(carried["A1.a.NA1"], Some(Answer::False), "same carries");
    assert_eq!(
        carried["A1.a.A1"],
        Some(Answer::not_applicable("Covered by the joint board.")),
        "a justification carries with its answer"
    );
    assert_eq!(carried["A1.a.A4"], Some(Answer::True), "changed carries");
    assert_eq!(carried["A1.a.A2"], None, "unanswered source");
    assert_eq!(carried["A1.a.A5"], None, "new starts unanswered");
}

#[test]
fn merged_sources_carry_only_when_they_agree() {
    let map = map();
    let both_true = answers(&[("C1.b.PA1", Answer::True), ("C1.b.PA2", Answer::True)]);
    assert_eq!(
        carried(&map, &both_true, "C1.b")["C1.b.PA1"],
        Some(Answer::True)
    );
    let disagree = answers(&[("C1.b.PA1", Answer::True), ("C1.b.PA2", Answer::False)]);
    assert_eq!(carried(&map, &disagree, "C1.b")["C1.b.PA1"], None);
    let one = answers(&[("C1.b.PA2", Answer::False)]);
    assert_eq!(carried(&map, &one, "C1.b")["C1.b.PA1"], Some(Answer::False));
    let justified = answers(&[
        ("C1.b.PA1", Answer::not_applicable("a")),
        ("C1.b.PA2", Answer::not_applicable("b")),
    ]);
    assert_eq!(
        carried(&map, &justified, "C1.b")["C1.b.PA1"],
        None,
        "different justifications"
    );
}

#[test]
fn a_statement_the_map_does_not_list_starts_fresh() {
    let (from, to) = frameworks();
    let mut map = StatementMap::identity(&from);
    map.statements.clear();
    let previous = answers(&[("A1.a.NA1", Answer::True)]);
    let result = carry_outcome(&map, &previous, to.outcome("A1.a").unwrap());
    assert!(
        result
            .iter()
            .all(|c| c.change == StatementChange::New && c.from.is_empty() && c.answer.is_none())
    );
}
