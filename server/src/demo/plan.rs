//! Improvement plan actions and review comments: what the assurer proposes for the gaps, what
//! the CAF lead agrees and how far each action has got; and the review conversation.

use super::answers::Year;
use super::seed::{chance, pick};
use app::assess::ActionStatus;

/// What to do about a gap in each principle.
fn action_for(outcome_id: &str) -> &'static str {
    match outcome_id.get(..2).unwrap_or_default() {
        "A1" => {
            "Agree a cyber risk appetite statement with the Corporate Leadership Team and report performance against it to the Audit and Governance Committee twice a year."
        }
        "A2" => {
            "Re-score the cyber risks on the corporate risk register against the current NCSC threat assessment and record treatment plans with named owners."
        }
        "A3" => {
            "Extend the CMDB reconciliation to cloud services and record an information asset owner for every system holding personal data."
        }
        "A4" => {
            "Complete security reviews of the three outstanding tier 2 suppliers and add the LGA model security schedule to contracts at renewal."
        }
        "B1" => {
            "Review the eleven supporting security standards, retire two that are out of date and publish the changes with a staff bulletin."
        }
        "B2" => {
            "Extend multi-factor authentication to all staff accounts and run a quarterly review of privileged accounts with the service owners."
        }
        "B3" => {
            "Classify the data held in the service, record it in the information asset register and enforce encryption of exports to partners."
        }
        "B4" => {
            "Bring the legacy servers onto the hardened build or isolate them, and report patching within 14 days as a monthly performance measure."
        }
        "B5" => {
            "Agree recovery time objectives with service directors and test restoring the service from the immutable backup copy."
        }
        "B6" => {
            "Raise completion of the mandatory cyber training to 95% and add targeted training for staff who fail phishing simulations twice."
        }
        "C1" => {
            "Send the service's audit logs to Microsoft Sentinel and agree alert rules and response times with the security operations partner."
        }
        "C2" => {
            "Agree a quarterly threat-hunting plan with the security operations partner based on NCSC advisories for local government."
        }
        "D1" => {
            "Update the Cyber Incident Response Plan with restore priorities and exercise it with the service's supplier."
        }
        _ => {
            "Hold post-incident reviews within 20 working days for every significant incident and track their actions in the improvement plan."
        }
    }
}

const OWNERS: [&str; 5] = [
    "Tom Barker, Infrastructure and Operations Lead",
    "Aisha Rahman, Information Governance Officer",
    "Helen Okafor, Cyber Security Manager",
    "Gareth Price, ICT Service Manager",
    "Head of Procurement",
];

/// One action for the demo to propose and take forward.
#[derive(Debug, Clone)]
pub struct PlannedAction {
    /// The outcome it is for.
    pub outcome_id: String,
    /// What is to be done.
    pub description: String,
    /// Who owns it.
    pub owner: &'static str,
    /// When it is due.
    pub due: &'static str,
    /// Its status when the scope is signed off (the CAF lead accepts proposals first).
    pub at_sign_off: ActionStatus,
    /// Its status after sign-off, for actions closed since (last year's only).
    pub later: Option<ActionStatus>,
    /// Whether the CAF lead adds it (agreed at once) rather than the assurer proposing it.
    pub by_lead: bool,
}

/// Plan actions for the gaps of one scope: `gaps` holds outcome ids below target, worst first.
pub fn actions_for(gaps: &[String], scope_key: &str, year: Year) -> Vec<PlannedAction> {
    gaps.iter()
        .take(6)
        .enumerate()
        .map(|(i, outcome_id)| {
            let key = format!("{scope_key}/{outcome_id}/{}/action", year.key());
            let (due, at_sign_off, later) = match year {
                Year::Last => (
                    pick(
                        &format!("{key}/due"),
                        &["2026-03-31", "2026-06-30", "2026-09-30"],
                    ),
                    if i % 3 == 0 {
                        ActionStatus::InProgress
                    } else {
                        ActionStatus::Open
                    },
                    // Most of last year's actions are closed by the time of this year's report.
                    Some(if chance(&format!("{key}/closed"), 75) {
                        ActionStatus::Done
                    } else if i == 5 {
                        ActionStatus::Declined
                    } else {
                        ActionStatus::InProgress
                    }),
                ),
                Year::This => {
                    // The first two of each scope are overdue: due before today and not done.
                    let due = if i < 2 {
                        pick(
                            &format!("{key}/due"),
                            &["2026-09-30", "2026-10-31", "2026-11-30"],
                        )
                    } else {
                        pick(
                            &format!("{key}/due"),
                            &["2027-03-31", "2027-06-30", "2027-09-30"],
                        )
                    };
                    let status = match i {
                        0 => ActionStatus::InProgress,
                        1 => ActionStatus::Open,
                        2 => ActionStatus::Done,
                        _ if chance(&format!("{key}/started"), 50) => ActionStatus::InProgress,
                        _ => ActionStatus::Open,
                    };
                    (due, status, None)
                }
            };
            PlannedAction {
                outcome_id: outcome_id.clone(),
                description: action_for(outcome_id).to_owned(),
                owner: pick(&key, &OWNERS),
                due,
                at_sign_off,
                later,
                by_lead: i == 4,
            }
        })
        .collect()
}

/// The notes the CAF lead records when an action moves on.
pub fn progress_note(status: ActionStatus) -> &'static str {
    match status {
        ActionStatus::Done => {
            "Completed; evidence added to the register and checked by the Cyber Security Manager."
        }
        ActionStatus::InProgress => {
            "Under way; progress reported to the Information Governance Board each month."
        }
        ActionStatus::Declined => {
            "Superseded by the move to the new platform; the risk is covered by another action."
        }
        _ => "Agreed with the owner at the improvement plan meeting.",
    }
}

/// A reviewer's question, the assessor's answer and whether the reviewer resolved it.
pub const REVIEW_THREADS: [(&str, &str); 3] = [
    (
        "Can you add the date of the last review to the evidence? The register shows the item past its review-by date.",
        "Added the latest version to the register; the owner has confirmed the next review date.",
    ),
    (
        "The narrative mentions the legacy servers: how many are there and are they in the plan?",
        "Seven servers, all listed in the CMDB; isolation is an action in the improvement plan.",
    ),
    (
        "Is the supplier's penetration test summary for this year or last? Please say which in the narrative.",
        "It is this year's (June); the narrative now says so.",
    ),
];
