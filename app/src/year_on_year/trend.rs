//! The gap to the target profile, year by year: for each of the organisation's assessments, how
//! many scope × outcome statuses fall short of their targets.

use super::ScopeYear;
use crate::report::chart::{GapTrend, GapYear};
use caf::{Framework, compare_targets};
use serde::{Deserialize, Serialize};

/// One assessment of the organisation's history, with its gap to the target profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryYear {
    /// The assessment's id.
    pub assessment_id: i64,
    /// Its title.
    pub title: String,
    /// Its CAF version, e.g. "4.0".
    pub framework_version: String,
    /// Whether every scope is signed off (otherwise its figures may still change).
    pub signed_off: bool,
    /// Its counts, labelled with its period.
    pub gap: GapYear,
}

/// A year's counts against its targets, over every scope and the objectives each is assessed
/// against, by the `caf` crate's comparison rule (confirmed statuses only).
pub fn year_gap(framework: &Framework, period: &str, scopes: &[ScopeYear]) -> GapYear {
    let mut gap = GapYear {
        label: period.to_owned(),
        outcomes: 0,
        assessed: 0,
        below: 0,
    };
    for scope in scopes {
        let comparison = compare_targets(framework, "", &scope.targets, &scope.statuses);
        for group in comparison
            .objectives
            .iter()
            .filter(|g| scope.kind.objectives().contains(&g.id.as_str()))
        {
            gap.outcomes += group.totals.outcomes;
            gap.assessed += group.totals.assessed;
            gap.below += group.totals.below;
        }
    }
    gap
}

/// The trend chart of a history, oldest first.
pub fn trend_chart(history: &[HistoryYear]) -> GapTrend {
    GapTrend {
        title: "Outcomes below the target profile, year by year".into(),
        years: history.iter().map(|h| h.gap.clone()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assess::ScopeKind;
    use caf::Status;
    use std::collections::BTreeMap;

    fn statuses(pairs: &[(&str, Status)]) -> BTreeMap<String, Status> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
    }

    #[test]
    fn counts_only_the_scope_s_objectives_and_confirmed_statuses() {
        let framework = caf::bundled_framework("4.0").expect("4.0");
        let org = ScopeYear {
            kind: ScopeKind::Organisation,
            name: "Organisation".into(),
            system_id: None,
            statuses: statuses(&[
                ("A1.a", Status::NotAchieved),
                ("A1.b", Status::Achieved),
                // B is not the organisation scope's: ignored.
                ("B1.a", Status::NotAchieved),
            ]),
            targets: statuses(&[
                ("A1.a", Status::Achieved),
                ("A1.b", Status::Achieved),
                ("B1.a", Status::Achieved),
            ]),
        };
        let gap = year_gap(&framework, "2026/27", &[org]);
        let a_and_d = framework
            .objectives
            .iter()
            .filter(|o| o.id == "A" || o.id == "D")
            .flat_map(|o| o.principles.iter().flat_map(|p| &p.outcomes))
            .count();
        assert_eq!(gap.label, "2026/27");
        assert_eq!(gap.outcomes, a_and_d);
        assert_eq!((gap.assessed, gap.below), (2, 1));
    }
}
