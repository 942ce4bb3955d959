//! Lookups, counts and a content hash over a [`Framework`].

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::{ContributingOutcome, Framework, Indicator, Objective, Principle};
use crate::status::Column;

/// How many objectives, principles, outcomes and IGP statements a framework has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Counts {
    /// Number of objectives.
    pub objectives: usize,
    /// Number of principles.
    pub principles: usize,
    /// Number of contributing outcomes.
    pub outcomes: usize,
    /// Number of not achieved statements.
    pub not_achieved: usize,
    /// Number of partially achieved statements.
    pub partially_achieved: usize,
    /// Number of achieved statements.
    pub achieved: usize,
    /// Number of IGP statements in all columns.
    pub indicators: usize,
}

impl Framework {
    /// Every principle, in framework order.
    pub fn principles(&self) -> impl Iterator<Item = &Principle> {
        self.objectives.iter().flat_map(|o| o.principles.iter())
    }

    /// Every contributing outcome, in framework order.
    pub fn outcomes(&self) -> impl Iterator<Item = &ContributingOutcome> {
        self.principles().flat_map(|p| p.outcomes.iter())
    }

    /// The objective with this id, e.g. "A".
    pub fn objective(&self, id: &str) -> Option<&Objective> {
        self.objectives.iter().find(|o| o.id == id)
    }

    /// The principle with this id, e.g. "A1".
    pub fn principle(&self, id: &str) -> Option<&Principle> {
        self.principles().find(|p| p.id == id)
    }

    /// The contributing outcome with this id, e.g. "A1.a".
    pub fn outcome(&self, id: &str) -> Option<&ContributingOutcome> {
        self.outcomes().find(|o| o.id == id)
    }

    /// The objective a contributing outcome belongs to.
    pub fn objective_of(&self, outcome_id: &str) -> Option<&Objective> {
        self.objectives.iter().find(|o| {
            o.principles
                .iter()
                .any(|p| p.outcomes.iter().any(|c| c.id == outcome_id))
        })
    }

    /// The principle a contributing outcome belongs to.
    pub fn principle_of(&self, outcome_id: &str) -> Option<&Principle> {
        self.principles()
            .find(|p| p.outcomes.iter().any(|c| c.id == outcome_id))
    }

    /// The IGP statement with this id, e.g. "A1.a.NA1", with its outcome and column.
    pub fn indicator(&self, id: &str) -> Option<(&ContributingOutcome, Column, &Indicator)> {
        self.outcomes().find_map(|outcome| {
            outcome
                .indicator(id)
                .map(|(column, indicator)| (outcome, column, indicator))
        })
    }

    /// How many objectives, principles, outcomes and statements the framework has.
    pub fn counts(&self) -> Counts {
        let mut counts = Counts {
            objectives: self.objectives.len(),
            principles: self.principles().count(),
            ..Counts::default()
        };
        for outcome in self.outcomes() {
            counts.outcomes += 1;
            counts.not_achieved += outcome.indicators.not_achieved.len();
            counts.partially_achieved += outcome.indicators.partially_achieved.len();
            counts.achieved += outcome.indicators.achieved.len();
        }
        counts.indicators = counts.not_achieved + counts.partially_achieved + counts.achieved;
        counts
    }

    /// Lowercase hex SHA-256 of the framework's canonical JSON, to record which text an assessment used.
    ///
    /// The canonical JSON is the compact serde serialisation, so it changes only when the data does.
    pub fn content_hash(&self) -> String {
        let canonical = serde_json::to_vec(self)
            .expect("a framework always serialises: it has only string keys");
        hex::encode(Sha256::digest(canonical))
    }
}
