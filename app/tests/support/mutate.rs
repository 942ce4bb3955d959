//! Random changes to a JSON document, for property tests of what reads documents: a value
//! replaced, removed or padded with blanks, every copy of a shared text padded, a list item
//! repeated, an unexpected key added, one text put where another was.

use proptest::prelude::*;
use serde_json::Value;
use std::collections::BTreeMap;

/// Every place in a document, as a path of object keys and list positions.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Item(usize),
}

fn places(value: &Value, here: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(here.clone());
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                here.push(Step::Key(key.clone()));
                places(v, here, out);
                here.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                here.push(Step::Item(i));
                places(v, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

fn at<'a>(root: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    path.iter().try_fold(root, |v, step| match step {
        Step::Key(k) => v.get_mut(k.as_str()),
        Step::Item(i) => v.get_mut(*i),
    })
}

/// One change to a document.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// Replace the value at a place.
    Replace(prop::sample::Index, Value),
    /// Remove the value at a place from its object or list.
    Remove(prop::sample::Index),
    /// Put spaces (or other blanks) around a text.
    Pad(prop::sample::Index, String, String),
    /// Repeat an item of a list.
    Duplicate(prop::sample::Index),
    /// Add a key nobody expects.
    Extra(prop::sample::Index, String),
    /// Put blanks around every copy of a text the document uses more than once (an evidence
    /// id and the references to it, an outcome id, a status…).
    PadShared(prop::sample::Index, String, String),
    /// Put one text where another was (ids into references, statuses into answers…).
    Swap(prop::sample::Index, prop::sample::Index),
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        any::<String>().prop_map(Value::String),
        "[ -~]{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("achieved"),
            Just("not_achieved"),
            Just("partially_achieved"),
            Just("not_applicable"),
            Just("true"),
            Just("false"),
            Just("A1.a"),
            Just("B1.a"),
            Just("e1"),
            Just("file"),
            Just("link"),
            Just("note"),
            Just("system"),
            Just("organisation"),
            Just("signed_off"),
            Just("2027-02-30"),
            Just(""),
            Just(" "),
            Just("a NUL \u{0} inside"),
            Just("\u{202e}reversed"),
        ]
        .prop_map(Value::from),
        (0usize..3).prop_map(|n| Value::String("x".repeat(n * 6000))),
    ]
}

fn json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn blank() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just(" "),
            Just("\t"),
            Just("\n"),
            Just("\u{a0}"),
            Just(""),
            Just("\u{0}")
        ],
        0..3,
    )
    .prop_map(|parts| parts.concat())
}

pub fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<prop::sample::Index>(), json()).prop_map(|(i, v)| Mutation::Replace(i, v)),
        2 => any::<prop::sample::Index>().prop_map(Mutation::Remove),
        3 => (any::<prop::sample::Index>(), blank(), blank()).prop_map(|(i, a, b)| Mutation::Pad(i, a, b)),
        2 => (any::<prop::sample::Index>(), blank(), blank()).prop_map(|(i, a, b)| Mutation::PadShared(i, a, b)),
        1 => any::<prop::sample::Index>().prop_map(Mutation::Duplicate),
        1 => (any::<prop::sample::Index>(), "[a-z]{1,6}").prop_map(|(i, k)| Mutation::Extra(i, k)),
        2 => (any::<prop::sample::Index>(), any::<prop::sample::Index>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
    ]
}

pub fn apply(doc: &mut Value, m: &Mutation) {
    let mut all = Vec::new();
    places(doc, &mut Vec::new(), &mut all);
    let pick = |i: &prop::sample::Index| all[i.index(all.len())].clone();
    match m {
        Mutation::Replace(i, v) => {
            if let Some(slot) = at(doc, &pick(i)) {
                *slot = v.clone();
            }
        }
        Mutation::Remove(i) => {
            let path = pick(i);
            if let Some((last, parent)) = path.split_last()
                && let Some(parent) = at(doc, parent)
            {
                match (last, parent) {
                    (Step::Key(k), Value::Object(map)) => {
                        map.remove(k);
                    }
                    (Step::Item(n), Value::Array(items)) if *n < items.len() => {
                        items.remove(*n);
                    }
                    _ => {}
                }
            }
        }
        Mutation::Pad(i, before, after) => {
            if let Some(Value::String(s)) = at(doc, &pick(i)) {
                *s = format!("{before}{s}{after}");
            }
        }
        Mutation::PadShared(i, before, after) => {
            let mut seen = BTreeMap::<String, usize>::new();
            texts(doc, &mut |t| *seen.entry(t.to_owned()).or_default() += 1);
            let shared: Vec<&String> = seen
                .iter()
                .filter(|(_, n)| **n > 1)
                .map(|(t, _)| t)
                .collect();
            if !shared.is_empty() {
                let chosen = shared[i.index(shared.len())].clone();
                pad_all(doc, &chosen, &format!("{before}{chosen}{after}"));
            }
        }
        Mutation::Duplicate(i) => {
            if let Some(Value::Array(items)) = at(doc, &pick(i))
                && let Some(first) = items.first().cloned()
            {
                items.push(first);
            }
        }
        Mutation::Extra(i, key) => {
            if let Some(Value::Object(map)) = at(doc, &pick(i)) {
                map.insert(key.clone(), Value::from(1));
            }
        }
        Mutation::Swap(a, b) => {
            let taken = at(doc, &pick(b)).map(|v| v.clone());
            if let (Some(value), Some(slot)) = (taken, at(doc, &pick(a))) {
                *slot = value;
            }
        }
    }
}

/// Calls `see` with every text value in the document.
fn texts(value: &Value, see: &mut impl FnMut(&str)) {
    match value {
        Value::String(t) => see(t),
        Value::Array(items) => items.iter().for_each(|v| texts(v, see)),
        Value::Object(map) => map.values().for_each(|v| texts(v, see)),
        _ => {}
    }
}

/// Replaces every text value equal to `from` with `to`.
fn pad_all(value: &mut Value, from: &str, to: &str) {
    match value {
        Value::String(t) if t == from => *t = to.to_owned(),
        Value::Array(items) => items.iter_mut().for_each(|v| pad_all(v, from, to)),
        Value::Object(map) => map.values_mut().for_each(|v| pad_all(v, from, to)),
        _ => {}
    }
}
