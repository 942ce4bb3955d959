//! The wording of an outcome's history: one line per audited change, written on the server
//! from the audit record's detail so the detail itself (narratives, answers) never travels to
//! the page.

use crate::assess::ScopeState;
use caf::Status;
use std::collections::BTreeSet;

/// One line saying what an audited change did.
pub(super) fn describe_change(action: &str, detail: &serde_json::Value) -> String {
    let label = |v: &serde_json::Value| {
        v.as_str()
            .and_then(Status::from_key)
            .map(|s| s.label().to_owned())
            .unwrap_or_else(|| "none".to_owned())
    };
    match action {
        "outcome.save" => {
            let before = &detail["before"];
            let after = &detail["after"];
            let mut parts = Vec::new();
            let (ba, aa) = (&before["answers"], &after["answers"]);
            if let (Some(b), Some(a)) = (ba.as_object(), aa.as_object()) {
                let keys: BTreeSet<&String> = b.keys().chain(a.keys()).collect();
                for k in keys {
                    let (x, y) = (b.get(k), a.get(k));
                    if x != y {
                        let show = |v: Option<&serde_json::Value>| {
                            v.and_then(|v| v.as_str())
                                .unwrap_or("unanswered")
                                .to_owned()
                        };
                        parts.push(format!("{k}: {} → {}", show(x), show(y)));
                    }
                }
            }
            if before["confirmed"] != after["confirmed"] {
                parts.push(format!(
                    "confirmed status: {} → {}",
                    label(&before["confirmed"]),
                    label(&after["confirmed"])
                ));
            }
            if before["justification"] != after["justification"] {
                parts.push("status justification edited".into());
            }
            if before["narrative"] != after["narrative"] {
                parts.push("narrative edited".into());
            }
            if parts.is_empty() {
                "saved with no change".into()
            } else {
                parts.join("; ")
            }
        }
        "outcome.assign" => format!(
            "assigned (user {}), due {}",
            detail["assignee"],
            detail["due"].as_str().unwrap_or("not set")
        ),
        "comment.add" => format!("comment: {}", detail["body"].as_str().unwrap_or_default()),
        "comment.resolve" => "comment resolved".into(),
        "evidence.link" => format!("evidence {} linked", detail["evidence"]),
        "evidence.unlink" => format!("evidence {} unlinked", detail["evidence"]),
        "plan.propose" => format!(
            "action proposed: {}",
            detail["description"].as_str().unwrap_or_default()
        ),
        "plan.update" => format!(
            "action {}: {} → {}",
            detail["action"],
            detail["before"].as_str().unwrap_or_default(),
            detail["after"].as_str().unwrap_or_default()
        ),
        a if a.starts_with("scope.") => {
            let state = |v: &serde_json::Value| {
                v.as_str()
                    .and_then(ScopeState::from_key)
                    .map(|s| s.label())
                    .unwrap_or("?")
            };
            format!(
                "scope: {} → {}{}",
                state(&detail["before"]),
                state(&detail["after"]),
                detail["comment"]
                    .as_str()
                    .map(|c| format!(" ({c})"))
                    .unwrap_or_default()
            )
        }
        other => other.to_owned(),
    }
}
