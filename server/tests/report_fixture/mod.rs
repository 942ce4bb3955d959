//! A realistic board report for tests and the benchmark: a council's CAF 4.0 assessment with
//! the organisation (objectives A and D) and two critical systems (B and C), every outcome
//! of the bundled framework, a mix of statuses, long narratives, gaps with actions,
//! overrides, stale evidence, three snapshot hashes and a previous year.

use std::collections::BTreeMap;

use app::report::{
    ActionLine, AppendixOutcome, AppendixScope, Assurance, Bar, BarGroup, BoardReport, Counts,
    DEFAULT_CLASSIFICATION, ExecutiveSummary, Gap, HeatCell, HeatMap, HeatObjective, HeatPrinciple,
    HeatRow, Movement, ObjectiveCounts, Override, PreviousAssessment, ScopeColumn, ScopeSignOff,
    Signature, StackedBars, StaleEvidence, status_letter,
};
use caf::{Comparison, Framework, Profile, Status};

/// The three scopes: name, objectives.
pub const SCOPES: [(&str, &[&str]); 3] = [
    ("Organisation", &["A", "D"]),
    ("Revenues and Benefits system", &["B", "C"]),
    ("Adult Social Care case management", &["B", "C"]),
];

/// The snapshot hash of each scope.
pub const HASHES: [&str; 3] = [
    "3f7a9c2e8b1d4f6a0c5e7b9d2f4a6c8e1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f2a",
    "a41c0e9d7b5f3a1c8e6d4b2f0a9c7e5d3b1f8a6c4e2d0b9f7a5c3e1d8b6f4a20",
    "0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e",
];

/// The framework the fixture uses.
pub fn framework() -> Framework {
    caf::bundled_framework("4.0").expect("CAF 4.0 is bundled")
}

fn profile() -> Profile {
    caf::bundled_profiles()
        .into_iter()
        .find(|p| p.framework_version == "4.0" && p.id.contains("baseline"))
        .or_else(|| {
            caf::bundled_profiles()
                .into_iter()
                .find(|p| p.framework_version == "4.0")
        })
        .expect("a CAF 4.0 profile is bundled")
}

/// A status for outcome number `i` of scope `s`: mostly achieved or partially, some not,
/// and (in a draft) one not assessed.
fn status_of(i: usize, s: usize, draft: bool) -> Option<Status> {
    if draft && s == 2 && i % 17 == 5 {
        return None;
    }
    match (i * 7 + s * 3) % 10 {
        0 | 4 => Some(Status::NotAchieved),
        1 | 5 | 8 => Some(Status::PartiallyAchieved),
        _ => Some(Status::Achieved),
    }
}

/// Statuses per scope, only for the scope's objectives.
pub fn statuses(draft: bool) -> Vec<BTreeMap<String, Status>> {
    let framework = framework();
    SCOPES
        .iter()
        .enumerate()
        .map(|(s, (_, objectives))| {
            let mut map = BTreeMap::new();
            let mut i = 0;
            for objective in &framework.objectives {
                for principle in &objective.principles {
                    for outcome in &principle.outcomes {
                        i += 1;
                        if objectives.contains(&objective.id.as_str())
                            && let Some(status) = status_of(i, s, draft)
                        {
                            map.insert(outcome.id.clone(), status);
                        }
                    }
                }
            }
            map
        })
        .collect()
}

const SENTENCES: [&str; 12] = [
    "The council’s Senior Information Risk Owner reviews this area each quarter and reports to the Strategic Technology Board.",
    "Responsibilities are written into the information security policy (version 4.2, approved March 2026) and each named officer has acknowledged them.",
    "The service’s supplier, under a contract worth £1.2 million a year, provides monthly reports that our ICT security team checks against the schedule.",
    "An internal audit in January found that “most controls operate as designed” but that evidence of testing was thin — this is now tracked in the plan.",
    "Staff in Revenues and Benefits completed the mandatory training module; completion stands at 94 per cent against a target of 95.",
    "Logs from the case management platform are forwarded to the security monitoring service and retained for thirteen months.",
    "Where a control could not be evidenced we have said so plainly, rather than claim an achievement the assurer would not accept.",
    "The disaster recovery exercise in November restored the service within the agreed four-hour window, with two lessons recorded.",
    "Privileged accounts are reviewed monthly; three dormant administrator accounts were removed after the last review.",
    "Our partners in the shared service (two neighbouring district councils) follow the same standard and share their findings with us.",
    "A vulnerability scan of every internet-facing host runs weekly and critical findings are fixed within fourteen days – most within five.",
    "The board will see progress against each action in the next quarterly report, with any slippage explained.",
];

/// A narrative of roughly `words` words, different for each outcome.
fn narrative(seed: usize, words: usize) -> String {
    let mut text = String::new();
    let mut count = 0;
    let mut k = seed;
    while count < words {
        let sentence = SENTENCES[k % SENTENCES.len()];
        count += sentence.split_whitespace().count();
        if !text.is_empty() {
            text.push(if k.is_multiple_of(5) { '\n' } else { ' ' });
        }
        text.push_str(sentence);
        k += 5;
    }
    text
}

fn counts(totals: caf::Totals) -> Counts {
    Counts {
        outcomes: totals.outcomes,
        assessed: totals.assessed,
        meeting: totals.meeting,
        below: totals.below,
    }
}

/// The comparison of each scope with the profile, over the scope's objectives only.
pub fn comparisons(draft: bool) -> Vec<Comparison> {
    let framework = framework();
    let profile = profile();
    statuses(draft)
        .iter()
        .enumerate()
        .map(|(s, statuses)| {
            let mut scoped = framework.clone();
            scoped
                .objectives
                .retain(|o| SCOPES[s].1.contains(&o.id.as_str()));
            caf::compare(&scoped, &profile, statuses)
        })
        .collect()
}

/// The report: a draft or a signed-off one.
pub fn report(draft: bool) -> BoardReport {
    let framework = framework();
    let profile = profile();
    let statuses = statuses(draft);
    let comparisons = comparisons(draft);

    let scopes: Vec<ScopeColumn> = SCOPES
        .iter()
        .enumerate()
        .map(|(s, (name, objectives))| ScopeColumn {
            name: (*name).into(),
            kind_label: if s == 0 {
                "Organisation (objectives A and D)".into()
            } else {
                "Critical system (objectives B and C)".into()
            },
            state: if draft && s == 2 {
                "In assurance".into()
            } else {
                "Signed off".into()
            },
            objectives: objectives.iter().map(|o| (*o).to_owned()).collect(),
        })
        .collect();

    // Summary table and overall counts from the caf crate's comparison.
    let mut table = Vec::new();
    let mut overall = Counts::default();
    for (s, comparison) in comparisons.iter().enumerate() {
        for group in &comparison.objectives {
            let c = counts(group.totals);
            overall.outcomes += c.outcomes;
            overall.assessed += c.assessed;
            overall.meeting += c.meeting;
            overall.below += c.below;
            table.push(ObjectiveCounts {
                scope: SCOPES[s].0.into(),
                objective: group.id.clone(),
                title: group.title.clone(),
                counts: c,
            });
        }
    }

    // Heat map.
    let mut heat_objectives = Vec::new();
    let mut i = 0;
    for objective in &framework.objectives {
        let mut principles = Vec::new();
        for principle in &objective.principles {
            let mut rows = Vec::new();
            for outcome in &principle.outcomes {
                i += 1;
                let target = profile.targets.get(&outcome.id).copied();
                let cells = SCOPES
                    .iter()
                    .enumerate()
                    .map(|(s, (_, objectives))| {
                        let applies = objectives.contains(&objective.id.as_str());
                        let status = if applies {
                            statuses[s].get(&outcome.id).copied()
                        } else {
                            None
                        };
                        let below = matches!((status, target), (Some(st), Some(t)) if st < t);
                        let movement = applies.then(|| match (i + s) % 6 {
                            0 => Movement::Up,
                            3 => Movement::Down,
                            5 => Movement::New,
                            _ => Movement::Same,
                        });
                        HeatCell {
                            applies,
                            status,
                            target,
                            below,
                            movement,
                        }
                    })
                    .collect();
                rows.push(HeatRow {
                    outcome: outcome.id.clone(),
                    title: outcome.title.clone(),
                    target: status_letter(target).into(),
                    cells,
                });
            }
            principles.push(HeatPrinciple {
                id: principle.id.clone(),
                title: principle.title.clone(),
                rows,
            });
        }
        heat_objectives.push(HeatObjective {
            id: objective.id.clone(),
            title: objective.title.clone(),
            principles,
        });
    }

    // Bars: this year from the statuses, last year a plausible worse picture.
    let groups = framework
        .objectives
        .iter()
        .map(|objective| {
            let mut bar = Bar {
                label: "2026/27".into(),
                not_achieved: 0,
                partially: 0,
                achieved: 0,
                not_assessed: 0,
            };
            for (s, (_, objectives)) in SCOPES.iter().enumerate() {
                if !objectives.contains(&objective.id.as_str()) {
                    continue;
                }
                for principle in &objective.principles {
                    for outcome in &principle.outcomes {
                        match statuses[s].get(&outcome.id) {
                            Some(Status::NotAchieved) => bar.not_achieved += 1,
                            Some(Status::PartiallyAchieved) => bar.partially += 1,
                            Some(Status::Achieved) => bar.achieved += 1,
                            None => bar.not_assessed += 1,
                        }
                    }
                }
            }
            let total = bar.total();
            let last = Bar {
                label: "2025/26".into(),
                not_achieved: total / 3,
                partially: total / 3,
                achieved: total - 2 * (total / 3) - 1,
                not_assessed: 1,
            };
            BarGroup {
                id: objective.id.clone(),
                title: objective.title.clone(),
                bars: vec![bar, last],
            }
        })
        .collect();

    // Gaps with actions, most serious first.
    let owners = [
        "Head of ICT (J. Okafor)",
        "Information Governance Manager",
        "Service Manager, Revenues and Benefits",
        "Principal Social Worker (case systems)",
    ];
    let mut gaps = Vec::new();
    let mut n = 0;
    for (s, comparison) in comparisons.iter().enumerate() {
        for row in comparison.below_target() {
            let Some(status) = row.status else { continue };
            n += 1;
            let mut actions = Vec::new();
            if n % 7 != 3 {
                for a in 0..(1 + n % 3) {
                    let overdue = (n + a) % 4 == 0;
                    actions.push(ActionLine {
                        scope: SCOPES[s].0.into(),
                        outcome: row.outcome_id.clone(),
                        description: format!(
                            "{} for {} ({}), with evidence the assurer can test.",
                            [
                                "Write and approve a procedure",
                                "Commission an independent test",
                                "Train the named staff and record completion",
                            ][a % 3],
                            row.title.to_lowercase(),
                            row.outcome_id
                        ),
                        owner: owners[(n + a) % owners.len()].into(),
                        due: Some(if overdue {
                            format!("2026-0{}-15", 1 + (n + a) % 5)
                        } else {
                            format!("2026-{:02}-30", 9 + (n + a) % 3)
                        }),
                        status: if overdue { "In progress" } else { "Planned" }.into(),
                        overdue,
                        closed_on: None,
                    });
                }
            }
            actions.sort_by_key(|a| !a.overdue);
            gaps.push(Gap {
                scope: SCOPES[s].0.into(),
                outcome: row.outcome_id.clone(),
                title: row.title.clone(),
                status,
                target: row.target,
                steps_short: (row.target as u8).saturating_sub(status as u8),
                actions,
            });
        }
    }
    gaps.sort_by(|a, b| {
        b.steps_short
            .cmp(&a.steps_short)
            .then(a.outcome.cmp(&b.outcome))
    });

    let top_gaps = gaps
        .iter()
        .take(5)
        .map(|g| {
            format!(
                "{}: {} {} is {} against a target of {}.",
                g.scope,
                g.outcome,
                g.title,
                g.status.label().to_lowercase(),
                g.target.label().to_lowercase()
            )
        })
        .collect();

    let closed_actions = (0..4)
        .map(|k| ActionLine {
            scope: SCOPES[k % 3].0.into(),
            outcome: ["A1.a", "B2.a", "C1.a", "D1.a"][k].into(),
            description:
                "Recommendation from last year’s independent assurance: implemented and tested."
                    .into(),
            owner: owners[k].into(),
            due: Some("2026-03-31".into()),
            status: "Closed".into(),
            overdue: false,
            closed_on: Some(format!("2026-0{}-1{}", 2 + k, k)),
        })
        .collect();

    let mut signatures = Vec::new();
    for (s, (name, _)) in SCOPES.iter().enumerate() {
        signatures.push(Signature {
            scope: (*name).into(),
            step: "Internal review".into(),
            name: ["Priya Shah", "Tom Evans", "Aisha Begum"][s].into(),
            role: "Reviewer".into(),
            on: format!("2026-05-0{}", s + 2),
        });
        if !(draft && s == 2) {
            signatures.push(Signature {
                scope: (*name).into(),
                step: "Independent assurance".into(),
                name: "Morgan Lloyd (Shared Audit Partnership)".into(),
                role: "External assurer".into(),
                on: format!("2026-05-1{}", s + 2),
            });
        }
    }

    let overrides = vec![
        Override {
            scope: SCOPES[0].0.into(),
            outcome: "A2.b".into(),
            suggested: Status::Achieved,
            confirmed: Status::PartiallyAchieved,
            justification: "The answers describe the process as designed, but the assurer found the quarterly review was skipped twice last year, so we confirm partial achievement until two consecutive reviews are evidenced.".into(),
        },
        Override {
            scope: SCOPES[1].0.into(),
            outcome: "B4.c".into(),
            suggested: Status::NotAchieved,
            confirmed: Status::PartiallyAchieved,
            justification: "One indicator is false only because the supplier’s certificate lapsed for eleven days in February; the renewed certificate is attached and covers the whole period since.".into(),
        },
    ];

    let stale_evidence = vec![
        StaleEvidence {
            title: "Business continuity plan — Revenues and Benefits (v3)".into(),
            review_by: "2026-01-31".into(),
            outcomes: vec![
                format!("{}: B5.a", SCOPES[1].0),
                format!("{}: B5.b", SCOPES[1].0),
            ],
        },
        StaleEvidence {
            title: "Penetration test report, case management platform".into(),
            review_by: "2026-03-01".into(),
            outcomes: vec![format!("{}: B4.d", SCOPES[2].0)],
        },
    ];

    let sign_off = SCOPES
        .iter()
        .enumerate()
        .map(|(s, (name, _))| {
            let signed = !(draft && s == 2);
            ScopeSignOff {
                scope: (*name).into(),
                approver: signed.then(|| "Cllr Helen Morris".into()),
                role: signed.then(|| "Approver (Senior Information Risk Owner)".into()),
                on: signed.then(|| format!("2026-06-0{}", s + 1)),
                sha256: signed.then(|| HASHES[s].into()),
            }
        })
        .collect();

    let mut k = 0;
    let appendix = SCOPES
        .iter()
        .enumerate()
        .map(|(s, (name, objectives))| {
            let mut outcomes = Vec::new();
            for objective in &framework.objectives {
                if !objectives.contains(&objective.id.as_str()) {
                    continue;
                }
                for principle in &objective.principles {
                    for outcome in &principle.outcomes {
                        k += 1;
                        let words = if k % 4 == 0 { 420 } else { 70 + (k % 5) * 25 };
                        outcomes.push(AppendixOutcome {
                            outcome: outcome.id.clone(),
                            title: outcome.title.clone(),
                            status: statuses[s].get(&outcome.id).copied(),
                            target: profile.targets.get(&outcome.id).copied(),
                            narrative: narrative(k, words),
                            evidence: (0..(k % 3))
                                .map(|e| {
                                    format!(
                                        "{} {} ({})",
                                        ["Policy", "Test report", "Minutes"][e],
                                        outcome.id,
                                        ["2026-02", "2025-11", "2026-04"][e]
                                    )
                                })
                                .collect(),
                        });
                    }
                }
            }
            AppendixScope {
                scope: (*name).into(),
                outcomes,
            }
        })
        .collect();

    BoardReport {
        draft,
        classification: DEFAULT_CLASSIFICATION.into(),
        organisation: "Northbridge Borough Council".into(),
        title: "CAF self-assessment 2026/27".into(),
        period: "2026/27".into(),
        framework: "CAF 4.0".into(),
        profile: profile.name.clone(),
        generated_on: "2026-06-15".into(),
        board_question: "Note the council’s position against the Cyber Assessment Framework, \
            approve the improvement plan and its owners, and agree that overdue actions are \
            reported to the Audit and Governance Committee each quarter until closed."
            .into(),
        scopes,
        summary: ExecutiveSummary {
            paragraphs: vec![
                format!(
                    "{} of {} assessed outcomes meet the council’s target profile ({}). {} are below target.",
                    overall.meeting, overall.assessed, profile.name, overall.below
                ),
                "The organisation is assessed against objectives A and D; the Revenues and \
                 Benefits system and Adult Social Care case management against B and C."
                    .into(),
            ],
            table,
            overall,
            top_gaps,
            changes: vec![
                "Objective A improved: four outcomes moved up since 2025/26.".into(),
                "Two outcomes of the Revenues and Benefits system are worse than last year.".into(),
            ],
        },
        heat_map: HeatMap {
            columns: SCOPES.iter().map(|(n, _)| (*n).to_owned()).collect(),
            objectives: heat_objectives,
        },
        bars: StackedBars {
            title: "Outcomes by status, per objective".into(),
            groups,
        },
        gaps,
        closed_actions,
        assurance: Assurance {
            signatures,
            overrides,
            stale_evidence,
        },
        sign_off,
        appendix,
        previous: Some(PreviousAssessment {
            title: "CAF self-assessment 2025/26".into(),
            period: "2025/26".into(),
            framework: "CAF 3.2".into(),
            signed_on: "2025-06-20".into(),
            matched_by: "through the NCSC’s CAF 3.2 to 4.0 outcome crosswalk".into(),
        }),
        attribution: "Contains public sector information from the National Cyber Security \
            Centre’s Cyber Assessment Framework, licensed under the Open Government Licence v3.0."
            .into(),
    }
}
