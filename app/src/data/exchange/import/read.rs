//! Parsing an export document piece by piece, so one bad item is reported with its place and
//! the others are still read.

use super::Problems;
use crate::assess::{AnswerInput, MAX_ACTIONS_PER_OUTCOME};
use crate::data::exchange::{
    EXPORT_FORMAT, ExportAction, ExportAssessment, ExportEvidence, ExportOutcome, ExportScope,
    MAX_IMPORT_EVIDENCE,
};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::BTreeSet;

/// `parent.key`, or just `key` at the top.
pub(super) fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

/// Parses one value; a failure becomes a problem at `at`.
pub(super) fn parse<T: DeserializeOwned>(
    value: Value,
    at: &str,
    problems: &mut Problems,
) -> Option<T> {
    if value.is_null() {
        problems.add(at, "is missing.");
        return None;
    }
    // serde_path_to_error names the field inside the value that was wrong (e.g. `fields.owner`),
    // so the problem is reported at the field itself.
    serde_path_to_error::deserialize(value)
        .map_err(|e| {
            let inner = e.path().to_string();
            let place = if inner.is_empty() || inner == "." {
                at.to_owned()
            } else if at == "$" {
                inner
            } else {
                join(at, &inner)
            };
            problems.add(place, format!("{}.", e.inner()));
        })
        .ok()
}

/// Takes the list `key` out of an object (leaving it empty) and parses each item on its own, so
/// one bad item is reported with its place and the others are still checked.
pub(super) fn take_list(
    object: &mut Value,
    key: &str,
    at: &str,
    problems: &mut Problems,
) -> Vec<(String, Value)> {
    let Some(map) = object.as_object_mut() else {
        return Vec::new();
    };
    let list = map.insert(key.to_owned(), Value::Array(Vec::new()));
    match list {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .into_iter()
            .enumerate()
            .map(|(i, item)| (format!("{}[{i}]", join(at, key)), item))
            .collect(),
        Some(_) => {
            problems.add(join(at, key), "must be a list.");
            Vec::new()
        }
    }
}

/// The top of the document; the rest is parsed piece by piece.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Head {
    pub(super) format: u32,
    pub(super) exported_at: String,
    pub(super) source_organisation: String,
    #[serde(default)]
    pub(super) assessment: Value,
    #[serde(default)]
    pub(super) scopes: Value,
    #[serde(default)]
    pub(super) evidence: Value,
}

/// An item and where it was.
pub(super) struct At<T> {
    pub(super) at: String,
    pub(super) item: T,
}

pub(super) struct ReadOutcome {
    pub(super) at: String,
    pub(super) outcome: ExportOutcome,
    pub(super) answers: Vec<At<AnswerInput>>,
    pub(super) actions: Vec<At<ExportAction>>,
}

pub(super) struct ReadScope {
    pub(super) at: String,
    pub(super) scope: ExportScope,
    pub(super) outcomes: Vec<ReadOutcome>,
}

/// The document as far as it could be read.
pub(super) struct Read {
    pub(super) source: String,
    pub(super) assessment: Option<ExportAssessment>,
    pub(super) scopes: Vec<ReadScope>,
    pub(super) evidence: Vec<At<ExportEvidence>>,
    /// Every evidence id in the file, including items that did not parse.
    pub(super) evidence_ids: BTreeSet<String>,
}

pub(super) fn read_document(text: &str, problems: &mut Problems) -> Option<Read> {
    let mut root: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            problems.add("$", format!("this is not a JSON document ({e})."));
            return None;
        }
    };
    if !root.is_object() {
        problems.add("$", "the document must be a JSON object.");
        return None;
    }
    let mut nul: Vec<String> = Vec::new();
    crate::data::exchange::stored_text::nul_places(&root, "", &mut nul);
    for place in nul {
        problems.add(
            place,
            "contains a NUL character (\\u0000), which cannot be stored: remove it.",
        );
    }
    if root.get("format").and_then(Value::as_u64) != Some(u64::from(EXPORT_FORMAT)) {
        problems.add(
            "format",
            format!(
                "this app reads assessment exports of format {EXPORT_FORMAT}; this file has {}.",
                root["format"]
            ),
        );
        return None;
    }
    let scopes = take_list(&mut root, "scopes", "", problems);
    let evidence = take_list(&mut root, "evidence", "", problems);
    if evidence.len() > MAX_IMPORT_EVIDENCE {
        problems.add(
            "evidence",
            format!(
                "at most {MAX_IMPORT_EVIDENCE} evidence items; the file has {}.",
                evidence.len()
            ),
        );
        return None;
    }
    let head: Head = parse(root, "$", problems)?;
    let _ = (head.format, head.exported_at, head.scopes, head.evidence);
    let assessment = parse(head.assessment, "assessment", problems);
    let mut read_scopes = Vec::new();
    for (at, mut value) in scopes {
        let outcomes = take_list(&mut value, "outcomes", &at, problems);
        let scope: Option<ExportScope> = parse(value, &at, problems);
        let mut read_outcomes = Vec::new();
        for (o_at, mut value) in outcomes {
            let answers = take_list(&mut value, "answers", &o_at, problems);
            let actions = take_list(&mut value, "actions", &o_at, problems);
            if actions.len() > MAX_ACTIONS_PER_OUTCOME {
                problems.add(
                    join(&o_at, "actions"),
                    format!(
                        "at most {MAX_ACTIONS_PER_OUTCOME} actions per outcome; the file has {}.",
                        actions.len()
                    ),
                );
            }
            let outcome: Option<ExportOutcome> = parse(value, &o_at, problems);
            let answers = answers
                .into_iter()
                .filter_map(|(at, v)| parse(v, &at, problems).map(|item| At { at, item }))
                .collect();
            let actions = actions
                .into_iter()
                .filter_map(|(at, v)| parse(v, &at, problems).map(|item| At { at, item }))
                .collect();
            if let Some(outcome) = outcome {
                read_outcomes.push(ReadOutcome {
                    at: o_at,
                    outcome,
                    answers,
                    actions,
                });
            }
        }
        if let Some(scope) = scope {
            read_scopes.push(ReadScope {
                at,
                scope,
                outcomes: read_outcomes,
            });
        }
    }
    // References are compared as stored: without surrounding spaces.
    let evidence_ids = evidence
        .iter()
        .filter_map(|(_, v)| v.get("id").and_then(Value::as_str))
        .map(|id| id.trim().to_owned())
        .collect();
    let evidence = evidence
        .into_iter()
        .filter_map(|(at, v)| parse(v, &at, problems).map(|item| At { at, item }))
        .collect();
    Some(Read {
        source: head.source_organisation,
        assessment,
        scopes: read_scopes,
        evidence,
        evidence_ids,
    })
}
