//! Semantic checks on a framework, collecting every problem rather than stopping at the first.

use std::collections::BTreeSet;

use crate::error::{Problem, SUPPORTED_FORMAT};
use crate::model::{ContributingOutcome, Framework, Indicator};
use crate::status::Column;

/// Check a framework against the format's rules, returning every problem found (empty when valid).
pub fn framework_problems(framework: &Framework) -> Vec<Problem> {
    let mut checker = Checker::default();
    checker.check(framework);
    checker.problems
}

/// Whether any text (or key) in a document holds a NUL character.
fn holds_nul(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(text) => text.contains('\0'),
        serde_json::Value::Array(items) => items.iter().any(holds_nul),
        serde_json::Value::Object(map) => map
            .iter()
            .any(|(key, item)| key.contains('\0') || holds_nul(item)),
        _ => false,
    }
}

#[derive(Default)]
struct Checker {
    problems: Vec<Problem>,
    seen: BTreeSet<String>,
}

impl Checker {
    fn check(&mut self, framework: &Framework) {
        if serde_json::to_value(framework).is_ok_and(|doc| holds_nul(&doc)) {
            self.problems.push(Problem::NulCharacter);
        }
        if framework.format != SUPPORTED_FORMAT {
            self.problems.push(Problem::UnsupportedFormat {
                found: framework.format,
            });
        }
        for (field, value) in [
            ("version", &framework.version),
            ("title", &framework.title),
            ("attribution", &framework.attribution),
        ] {
            if is_blank(value) {
                self.problems.push(Problem::EmptyField {
                    field: field.to_owned(),
                });
            }
        }
        if framework.objectives.is_empty() {
            self.problems.push(Problem::NoObjectives);
        }
        for objective in &framework.objectives {
            let id = self.item_id(&objective.id, "objective", "the framework");
            self.text(&id, "title", &objective.title);
            self.text(&id, "description", &objective.description);
            if objective.principles.is_empty() {
                self.problems.push(Problem::NoPrinciples { id: id.clone() });
            }
            for principle in &objective.principles {
                let pid = self.item_id(&principle.id, "principle", &id);
                self.prefix("principle", &principle.id, &id, "");
                self.text(&pid, "title", &principle.title);
                self.text(&pid, "description", &principle.description);
                if principle.outcomes.is_empty() {
                    self.problems.push(Problem::NoOutcomes { id: pid.clone() });
                }
                for outcome in &principle.outcomes {
                    self.outcome(outcome, &pid);
                }
            }
        }
    }

    fn outcome(&mut self, outcome: &ContributingOutcome, parent: &str) {
        let id = self.item_id(&outcome.id, "contributing outcome", parent);
        self.prefix("contributing outcome", &outcome.id, parent, ".");
        self.text(&id, "title", &outcome.title);
        if let Some(description) = &outcome.description {
            self.text(&id, "description", description);
        }
        for paragraph in outcome.description_paragraphs.iter().flatten() {
            self.text(&id, "description paragraph", paragraph);
        }
        if let Some(rules) = &outcome.igp_table_rules {
            self.text(&id, "not achieved column rule", &rules.not_achieved);
            self.text(&id, "achieved column rule", &rules.achieved);
            if let Some(rule) = &rules.partially_achieved {
                self.text(&id, "partially achieved column rule", rule);
            }
        }
        if outcome.indicators.achieved.is_empty() {
            self.problems.push(Problem::NoAchieved { id: id.clone() });
        }
        if outcome.indicators.not_achieved.is_empty() {
            self.problems
                .push(Problem::NoNotAchieved { id: id.clone() });
        }
        for column in Column::ALL {
            for indicator in outcome.indicators.column(column) {
                self.indicator(indicator, &id);
            }
        }
    }

    fn indicator(&mut self, indicator: &Indicator, parent: &str) {
        let id = self.item_id(&indicator.id, "IGP statement", parent);
        self.prefix("IGP statement", &indicator.id, parent, ".");
        self.text(&id, "text", &indicator.text);
        if let Some(text) = &indicator.text_dehyphenated {
            self.text(&id, "text_dehyphenated", text);
        }
        if let Some(webcaf_id) = &indicator.webcaf_id {
            self.text(&id, "webcaf_id", webcaf_id);
        }
    }

    /// Record an id, reporting it if blank or already seen; returns a name to use in later messages.
    fn item_id(&mut self, id: &str, kind: &str, parent: &str) -> String {
        if is_blank(id) {
            self.problems.push(Problem::EmptyText {
                id: format!("a {kind} under {parent}"),
                field: "id".to_owned(),
            });
            return format!("(unnamed {kind} under {parent})");
        }
        if !self.seen.insert(id.to_owned()) {
            self.problems
                .push(Problem::DuplicateId { id: id.to_owned() });
        }
        id.to_owned()
    }

    /// Require `id` to be `parent` + `separator` + something (blank ids are reported elsewhere).
    fn prefix(&mut self, kind: &str, id: &str, parent: &str, separator: &str) {
        if is_blank(id) {
            return;
        }
        let ok = id
            .strip_prefix(parent)
            .and_then(|rest| rest.strip_prefix(separator))
            .is_some_and(|rest| !rest.is_empty());
        if !ok {
            self.problems.push(Problem::BadPrefix {
                kind: kind.to_owned(),
                id: id.to_owned(),
                parent: parent.to_owned(),
            });
        }
    }

    fn text(&mut self, id: &str, field: &str, value: &str) {
        if is_blank(value) {
            self.problems.push(Problem::EmptyText {
                id: id.to_owned(),
                field: field.to_owned(),
            });
        }
    }
}

/// Whether a text is empty or only whitespace.
pub(crate) fn is_blank(text: &str) -> bool {
    text.trim().is_empty()
}
