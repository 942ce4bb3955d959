//! The audit log as one person may read it: a record's who, what and when are for everyone
//! who may read the log, but the assessment content in its detail (answers, statuses,
//! narratives, justifications, comment bodies, plan text, evidence titles, addresses and notes,
//! names of systems) only for someone who may read that organisation's assessments.
//!
//! Hiding is by default: only the records of signing in, accounts, keys, invitations,
//! memberships, organisations, frameworks and access refusals are shown whole; in every other
//! record (assessments, outcomes, comments, plans, evidence, scopes, systems, and any action
//! added later) a text value is hidden unless its key is known to hold no content.

use super::{AuditFilter, AuditRecord, DataError, Db};
use crate::roles::Permission;
use crate::types::HIDDEN_CONTENT;
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// Action prefixes of records that hold no assessment content: shown whole to every reader.
const ADMINISTRATIVE: [&str; 12] = [
    "sign_in.",
    "sign_out",
    "key.",
    "recovery_code",
    "user.",
    "link.",
    "invitation.",
    "membership.",
    "organisation.",
    "access.",
    "framework.",
    "profile.",
];

/// Keys whose text is a fixed key, a date, an id or a hash, never something a person wrote
/// about the assessment.
const PLAIN_TEXT: [&str; 10] = [
    "format",
    "sha256",
    "snapshot_sha256",
    "found",
    "media_type",
    "kind",
    "framework",
    "profile",
    "due",
    "permission",
];

/// Actions whose top-level `before` and `after` are workflow or plan status keys.
const STATE_CHANGES: [&str; 2] = ["scope.", "plan."];

/// Whether a record of this action may hold assessment content.
pub fn holds_content(action: &str) -> bool {
    !ADMINISTRATIVE.iter().any(|p| action.starts_with(p))
}

/// Whether a value under `key` is shown. Numbers, true/false and empty values never are
/// content; text is, unless its key says otherwise.
fn shown(key: Option<&str>, value: &Value) -> bool {
    match value {
        Value::Null | Value::Bool(_) | Value::Number(_) => true,
        Value::String(_) => key.is_some_and(|k| PLAIN_TEXT.contains(&k)),
        Value::Array(items) => items.iter().all(|v| shown(key, v)),
        Value::Object(_) => false,
    }
}

/// A copy of `value` with every content leaf replaced by [`HIDDEN_CONTENT`]. `key` is the
/// nearest enclosing key other than `before`/`after`, which only say which side of a change
/// a value is on.
fn hide(key: Option<&str>, value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let governing = if k == "before" || k == "after" {
                        key
                    } else {
                        Some(k.as_str())
                    };
                    (k.clone(), hide(governing, v))
                })
                .collect(),
        ),
        other if shown(key, other) => other.clone(),
        _ => Value::String(HIDDEN_CONTENT.to_owned()),
    }
}

/// Removes from both sides of a change every hidden value that did not change, so the change
/// table lists only what changed (as hidden on both sides) and says nothing of the rest.
fn drop_unchanged(before: &mut Value, after: &mut Value, was_before: &Value, was_after: &Value) {
    let (Value::Object(b), Value::Object(a)) = (before, after) else {
        return;
    };
    let keys: BTreeSet<String> = b.keys().chain(a.keys()).cloned().collect();
    for key in keys {
        let (old, new) = (&was_before[&key], &was_after[&key]);
        match (b.get_mut(&key), a.get_mut(&key)) {
            (Some(bv @ Value::Object(_)), Some(av @ Value::Object(_))) => {
                drop_unchanged(bv, av, old, new);
                // Nothing left inside on either side: nothing to say about this key.
                let empty = |v: &Value| v.as_object().is_some_and(Map::is_empty);
                if empty(bv) && empty(av) {
                    b.remove(&key);
                    a.remove(&key);
                }
            }
            (bv, av) => {
                let hidden =
                    |v: &Option<&mut Value>| v.as_deref().is_some_and(|v| v == HIDDEN_CONTENT);
                if (hidden(&bv) || hidden(&av)) && old == new {
                    b.remove(&key);
                    a.remove(&key);
                }
            }
        }
    }
}

/// A record's detail as someone who may not read the assessment sees it.
pub fn without_content(action: &str, detail: &Value) -> Value {
    if !holds_content(action) {
        return detail.clone();
    }
    let Value::Object(map) = detail else {
        return hide(None, detail);
    };
    let state_change = STATE_CHANGES.iter().any(|p| action.starts_with(p));
    let mut out = Map::new();
    for (key, value) in map {
        let side = key == "before" || key == "after";
        let hidden = if side && state_change && value.is_string() {
            value.clone()
        } else if side {
            hide(None, value)
        } else {
            hide(Some(key), value)
        };
        out.insert(key.clone(), hidden);
    }
    if let (Some(mut before), Some(mut after)) = (out.remove("before"), out.remove("after")) {
        let null = Value::Null;
        let was = |side: &str| map.get(side).unwrap_or(&null);
        drop_unchanged(&mut before, &mut after, was("before"), was("after"));
        out.insert("before".into(), before);
        out.insert("after".into(), after);
    }
    Value::Object(out)
}

impl Db {
    /// Audit records matching a filter, newest first, as `viewer` may read them: assessment
    /// content is hidden in every record of an organisation where the viewer may not read
    /// assessments (and in records of no organisation).
    pub async fn audit_records_for(
        &self,
        viewer: i64,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditRecord>, DataError> {
        let readable: BTreeSet<i64> = self
            .memberships_of(viewer)
            .await?
            .into_iter()
            .filter(|m| m.role.can(Permission::ReadAssessments))
            .map(|m| m.organisation.id)
            .collect();
        let mut records = self.audit_records(filter).await?;
        for record in &mut records {
            let may_read = record
                .event
                .organisation_id
                .is_some_and(|org| readable.contains(&org));
            if !may_read {
                record.event.detail = without_content(&record.event.action, &record.event.detail);
            }
        }
        Ok(records)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_save_shows_what_changed_but_not_what_it_says() {
        let detail = json!({
            "version": 3,
            "before": { "answers": { "A1.a.1": "false", "A1.a.2": "true" }, "suggested": "not_achieved",
                        "confirmed": null, "justification": "", "narrative": "Old words" },
            "after": { "answers": { "A1.a.1": "true", "A1.a.2": "true" }, "suggested": "achieved",
                       "confirmed": "achieved", "justification": "", "narrative": "New words" },
        });
        let shown = without_content("outcome.save", &detail);
        let text = shown.to_string();
        for secret in [
            "Old words",
            "New words",
            "not_achieved",
            "\"achieved\"",
            "false",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert_eq!(shown["version"], 3);
        assert_eq!(shown["before"]["narrative"], HIDDEN_CONTENT);
        assert_eq!(shown["after"]["answers"]["A1.a.1"], HIDDEN_CONTENT);
        assert!(
            shown["after"]["answers"].get("A1.a.2").is_none(),
            "an unchanged answer is left out"
        );
        assert!(shown["after"].get("justification").is_none());
        assert_eq!(
            shown["before"]["confirmed"],
            Value::Null,
            "none is no content"
        );
        assert_eq!(shown["after"]["confirmed"], HIDDEN_CONTENT);
    }

    #[test]
    fn ids_keys_hashes_and_workflow_states_stay() {
        let shown = without_content(
            "scope.return",
            &json!({ "before": "in_review", "after": "draft", "comment": "Redo B2", "snapshot_sha256": null }),
        );
        assert_eq!(
            shown,
            json!({ "before": "in_review", "after": "draft", "comment": HIDDEN_CONTENT, "snapshot_sha256": null })
        );
        let shown = without_content("comment.add", &json!({ "comment": 7, "body": "Weak spot" }));
        assert_eq!(shown, json!({ "comment": 7, "body": HIDDEN_CONTENT }));
        let shown = without_content(
            "plan.propose",
            &json!({ "action": 2, "description": "Patch it", "owner": "Bob", "due": "2027-01-31", "status": "proposed" }),
        );
        assert_eq!(shown["description"], HIDDEN_CONTENT);
        assert_eq!(shown["owner"], HIDDEN_CONTENT);
        assert_eq!(shown["due"], "2027-01-31");
        let shown = without_content(
            "evidence.update",
            &json!({ "title": { "before": "Old", "after": "New" }, "review_by": { "before": null, "after": "2027-01-01" }, "note": "changed" }),
        );
        assert_eq!(shown["title"]["after"], HIDDEN_CONTENT);
        assert_eq!(shown["note"], HIDDEN_CONTENT);
        let shown = without_content(
            "assessment.create",
            &json!({ "title": "CAF", "systems": ["Payroll"], "framework": "4.0", "own_profile": false }),
        );
        assert_eq!(shown["systems"], HIDDEN_CONTENT);
        assert_eq!(shown["framework"], "4.0");
    }

    #[test]
    fn administrative_records_and_new_actions() {
        let role = json!({ "before": "assessor", "after": "caf_lead", "expires_at": null });
        assert_eq!(without_content("membership.set", &role), role);
        let carried = without_content("outcome.reconfirm", &json!({ "narrative": "x" }));
        assert_eq!(
            carried["narrative"], HIDDEN_CONTENT,
            "unknown actions hide text"
        );
        assert_eq!(without_content("outcome.save", &Value::Null), Value::Null);
    }
}
