//! This year against the previous signed-off assessment, through the one year-on-year
//! comparison the comparison page uses too ([`crate::year_on_year::compare_years`]).

use super::model::{Movement, PreviousAssessment};
use super::words::long_date;
use crate::assess::ScopeKind;
use crate::data::{PreviousSources, SnapshotOutcome, scope_year, snapshot_kind};
use crate::year_on_year::{Change, ScopeYear, YearComparison, compare_years};
use caf::{Framework, Status};
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

/// The previous assessment and this year compared with it.
pub struct PreviousYear<'a> {
    /// Its title.
    pub title: String,
    /// Its period.
    pub period: String,
    /// Its framework.
    pub framework: &'a Framework,
    /// When its last scope was signed off (UTC).
    pub signed_at: String,
    /// Each scope's kind and statuses as signed, for last year's bars.
    scopes: Vec<(ScopeKind, BTreeMap<String, Status>)>,
    /// This year's scopes, in order, against last year's.
    comparison: YearComparison,
}

impl<'a> PreviousYear<'a> {
    /// The previous assessment compared with this year's scopes (in report order), answered
    /// against `current`.
    pub fn new(previous: &'a PreviousSources, current: &Framework, scopes: &[ScopeYear]) -> Self {
        let previous_scopes: Vec<ScopeYear> = previous
            .scopes
            .iter()
            .map(|s| scope_year(&s.snapshot, s.system_id))
            .collect();
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
                        snapshot_kind(&s.snapshot),
                        s.snapshot
                            .outcomes
                            .iter()
                            .filter_map(|o| standing(o).map(|st| (o.id.clone(), st)))
                            .collect(),
                    )
                })
                .collect(),
            comparison: compare_years(current, scopes, &previous.framework, &previous_scopes),
        }
    }

    /// Whether outcomes can be matched at all (the same version, or a crosswalk between them).
    pub fn comparable(&self) -> bool {
        self.comparison.comparable()
    }

    /// The comparison of this year's scopes with last year's.
    pub fn comparison(&self) -> &YearComparison {
        &self.comparison
    }

    /// How an outcome of this year's scope at `index` moved since last year.
    pub fn movement(&self, index: usize, outcome: &str) -> Movement {
        match self.comparison.outcome(index, outcome).map(|o| o.change) {
            Some(Change::Better) => Movement::Up,
            Some(Change::Worse) => Movement::Down,
            Some(Change::Same) => Movement::Same,
            _ => Movement::New,
        }
    }

    /// Each previous scope's kind and statuses, for last year's bars.
    pub fn scope_statuses(
        &self,
    ) -> impl Iterator<Item = (ScopeKind, BTreeMap<String, Status>)> + '_ {
        self.scopes.iter().cloned()
    }

    /// How outcomes were matched, in words.
    pub fn matched_by(&self) -> String {
        self.comparison.matched_by()
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
