//! This year against the previous signed-off assessment: outcome by outcome, through the
//! NCSC's outcome crosswalk when the framework version changed.

use super::model::{Movement, PreviousAssessment};
use super::words::long_date;
use crate::assess::ScopeKind;
use crate::data::{PreviousSources, SnapshotOutcome, snapshot_kind};
use caf::{Crosswalk, Framework, Status};
use std::collections::BTreeMap;

/// The status an outcome stands at in a record: the confirmed one, else the suggestion once
/// anything is answered; `None` when nobody has assessed it.
pub fn standing(outcome: &SnapshotOutcome) -> Option<Status> {
    outcome
        .confirmed
        .as_deref()
        .and_then(Status::from_key)
        .or_else(|| {
            if outcome.answers.is_empty() {
                None
            } else {
                Status::from_key(&outcome.suggested)
            }
        })
}

/// The previous assessment's statuses, ready to compare with this year's.
pub struct PreviousYear<'a> {
    /// Its title.
    pub title: String,
    /// Its period.
    pub period: String,
    /// Its framework.
    pub framework: &'a Framework,
    /// When its last scope was signed off (UTC).
    pub signed_at: String,
    scopes: Vec<(ScopeKind, String, BTreeMap<String, Status>)>,
    crosswalk: Option<Crosswalk>,
    same_version: bool,
    current_version: String,
}

impl<'a> PreviousYear<'a> {
    /// The previous assessment compared with one answered against `current`.
    pub fn new(previous: &'a PreviousSources, current: &Framework) -> Self {
        let same_version = previous.framework.version == current.version;
        let crosswalk = Some(caf::bundled_crosswalk()).filter(|c| {
            !same_version
                && c.from_version == previous.framework.version
                && c.to_version == current.version
        });
        PreviousYear {
            title: previous.title.clone(),
            period: previous.period.clone(),
            framework: &previous.framework,
            signed_at: previous.signed_at.clone(),
            scopes: previous
                .scopes
                .iter()
                .map(|s| {
                    (
                        snapshot_kind(s),
                        s.scope.name.clone(),
                        s.outcomes
                            .iter()
                            .filter_map(|o| standing(o).map(|st| (o.id.clone(), st)))
                            .collect(),
                    )
                })
                .collect(),
            crosswalk,
            same_version,
            current_version: current.version.clone(),
        }
    }

    /// Whether outcomes can be matched at all (the same version, or a crosswalk between them).
    pub fn comparable(&self) -> bool {
        self.same_version || self.crosswalk.is_some()
    }

    /// The previous id of a current outcome.
    fn predecessor(&self, outcome: &str) -> Option<String> {
        if self.same_version {
            Some(outcome.to_owned())
        } else {
            self.crosswalk
                .as_ref()
                .and_then(|c| c.predecessor(outcome))
                .map(str::to_owned)
        }
    }

    /// Last year's status of an outcome of a scope (the organisation, or a system of the same name).
    pub fn status_of(&self, kind: ScopeKind, name: &str, outcome: &str) -> Option<Status> {
        let (_, _, statuses) = self
            .scopes
            .iter()
            .find(|(k, n, _)| *k == kind && (kind == ScopeKind::Organisation || n == name))?;
        statuses.get(&self.predecessor(outcome)?).copied()
    }

    /// How an outcome moved since last year.
    pub fn movement(
        &self,
        kind: ScopeKind,
        name: &str,
        outcome: &str,
        now: Option<Status>,
    ) -> Movement {
        match (self.status_of(kind, name, outcome), now) {
            (Some(before), Some(now)) if now > before => Movement::Up,
            (Some(before), Some(now)) if now < before => Movement::Down,
            (Some(_), Some(_)) => Movement::Same,
            _ => Movement::New,
        }
    }

    /// Each previous scope's kind and statuses, for last year's bars.
    pub fn scope_statuses(
        &self,
    ) -> impl Iterator<Item = (ScopeKind, BTreeMap<String, Status>)> + '_ {
        self.scopes.iter().map(|(k, _, s)| (*k, s.clone()))
    }

    /// How outcomes were matched, in words.
    pub fn matched_by(&self) -> String {
        if self.same_version {
            format!("outcome by outcome (both CAF {})", self.current_version)
        } else if self.crosswalk.is_some() {
            format!(
                "through the CAF {} to {} outcome crosswalk; outcomes new in CAF {} have no earlier status",
                self.framework.version, self.current_version, self.current_version
            )
        } else {
            format!(
                "not outcome by outcome: there is no crosswalk from CAF {} to CAF {}",
                self.framework.version, self.current_version
            )
        }
    }

    /// The previous assessment as the report names it.
    pub fn describe(&self) -> PreviousAssessment {
        PreviousAssessment {
            title: self.title.clone(),
            period: self.period.clone(),
            framework: format!("CAF {}", self.framework.version),
            signed_on: long_date(&self.signed_at.chars().take(10).collect::<String>()),
            matched_by: self.matched_by(),
        }
    }
}
