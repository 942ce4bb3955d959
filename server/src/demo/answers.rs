//! Answers to every IGP statement of an outcome, made so that the `caf` rating rule suggests a
//! chosen status, and the statuses the demo council confirms year on year.

use super::seed::{chance, hash, pick};
use app::assess::AnswerInput;
use caf::{Column, ContributingOutcome, Status};

/// Which of the two demo years an answer belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Year {
    /// CAF 3.2, 2025/26.
    Last,
    /// CAF 4.0, 2026/27.
    This,
}

impl Year {
    /// A short key for seeds.
    pub fn key(self) -> &'static str {
        match self {
            Year::Last => "2025",
            Year::This => "2026",
        }
    }
}

fn rank(status: Status) -> i32 {
    match status {
        Status::NotAchieved => 0,
        Status::PartiallyAchieved => 1,
        Status::Achieved => 2,
    }
}

fn from_rank(rank: i32) -> Status {
    match rank.clamp(0, 2) {
        0 => Status::NotAchieved,
        1 => Status::PartiallyAchieved,
        _ => Status::Achieved,
    }
}

/// How far below target an outcome was last year (negative: above it). Half meet their target,
/// a quarter are short of it (a few by two steps) and a quarter do better.
fn shortfall_last(key: &str) -> i32 {
    match super::seed::percent(&format!("{key}/shortfall")) {
        0..50 => 0,
        50..72 => 1,
        72..77 => 2,
        _ => -1,
    }
}

/// This year's shortfall: most gaps close by a step, a few outcomes slip back.
fn shortfall_this(key: &str) -> i32 {
    let last = shortfall_last(key);
    match super::seed::percent(&format!("{key}/movement")) {
        0..9 => last + 1,
        9..70 => (last - 1).max(if last < 0 { last } else { 0 }),
        _ => last,
    }
}

/// The status the council confirms for an outcome. `key` names the scope and the outcome's
/// lineage (the CAF 3.2 id for both years), so that an outcome's story runs across the years.
pub fn confirmed_status(
    outcome: &ContributingOutcome,
    target: Status,
    key: &str,
    year: Year,
) -> Status {
    let shortfall = match year {
        Year::Last => shortfall_last(key),
        Year::This => shortfall_this(key),
    };
    // Where the profile sets no minimum, a council still has some of the outcome in place.
    let wanted = from_rank(rank(target).max(1) - shortfall);
    if wanted == Status::PartiallyAchieved && !outcome.has_partially_achieved() {
        // Without a partially achieved column the rule gives only the two ends.
        if chance(&format!("{key}/{}/ends", year.key()), 35) {
            Status::Achieved
        } else {
            Status::NotAchieved
        }
    } else {
        wanted
    }
}

/// Where the assessor's judgement differs from the rule's suggestion: the status the answers
/// suggest instead, for about one outcome in fifteen.
pub fn differing_suggestion(
    outcome: &ContributingOutcome,
    confirmed: Status,
    key: &str,
    year: Year,
) -> Option<Status> {
    if !chance(&format!("{key}/{}/override", year.key()), 7) {
        return None;
    }
    let options: Vec<Status> = [rank(confirmed) - 1, rank(confirmed) + 1]
        .into_iter()
        .filter(|r| (0..=2).contains(r))
        .map(from_rank)
        .filter(|s| *s != Status::PartiallyAchieved || outcome.has_partially_achieved())
        .collect();
    (!options.is_empty()).then(|| pick(&format!("{key}/{}/towards", year.key()), &options))
}

/// Why a confirmed status differs from the suggested one, as a council would record it.
pub fn override_justification(confirmed: Status, suggested: Status, scope: &str) -> String {
    match (confirmed, suggested) {
        (Status::PartiallyAchieved, Status::Achieved) => format!(
            "Every statement is met on paper, but internal audit's sample found the process had been \
             followed for only four of the last six months in {scope}. We have confirmed Partially \
             achieved until it has run for a full year; the reviewer agreed."
        ),
        (Status::NotAchieved, _) => format!(
            "The partially achieved statements are met, but a live incident in {scope} this year \
             showed the arrangements did not work when tested. We have confirmed Not achieved until \
             the fixes in the improvement plan are in place."
        ),
        (Status::Achieved, _) => format!(
            "The one statement answered false is met for {scope} by the shared ICT service's \
             arrangements, evidenced in its annual assurance letter; the external assurer reviewed \
             the letter and agreed Achieved."
        ),
        _ => format!(
            "One not-achieved statement is technically true, but it affects a single legacy \
             component of {scope} that is isolated and due for decommissioning in the plan. The \
             reviewer agreed Partially achieved reflects the position better."
        ),
    }
}

const NOT_APPLICABLE: [&str; 4] = [
    "Not applicable to this scope: the function is provided by the shared ICT service, whose \
     controls are covered by its own assessment and annual assurance letter (in the evidence register).",
    "Not applicable: the service is hosted by the supplier, who meets this through ISO/IEC 27001 \
     certified controls; the certificate and statement of applicability are held as evidence.",
    "Not applicable: removable media are not permitted and USB storage is blocked by device policy, \
     which is the compensating measure.",
    "Not applicable: there is no operational technology in scope; building management systems are \
     on a segregated network and assessed separately.",
];

/// Answers to every statement of `outcome` under which the rule suggests `suggested`: true,
/// false, or not applicable with its compensating measure.
pub fn answers_for(
    outcome: &ContributingOutcome,
    suggested: Status,
    key: &str,
) -> Vec<AnswerInput> {
    let ind = &outcome.indicators;
    let pick_index =
        |column: &str, len: usize| (hash(&format!("{key}/{column}")) % len.max(1) as u64) as usize;
    // How a not achieved suggestion comes about: a not-achieved statement that is true, or
    // the better columns unmet.
    let by_true_statement = suggested == Status::NotAchieved
        && !ind.not_achieved.is_empty()
        && chance(&format!("{key}/how"), 60);
    let true_one = pick_index("na", ind.not_achieved.len());
    let false_achieved = pick_index("a", ind.achieved.len());
    let false_partial = pick_index("pa", ind.partially_achieved.len());
    let mut answers = Vec::new();
    for (column, indicator) in ind.iter() {
        let k = format!("{key}/{}", indicator.id);
        let index = ind
            .column(column)
            .iter()
            .position(|i| i.id == indicator.id)
            .unwrap_or(0);
        let met = match (column, suggested) {
            (Column::NotAchieved, _) => by_true_statement && index == true_one,
            (Column::PartiallyAchieved, Status::NotAchieved) if !by_true_statement => {
                index != false_partial && chance(&k, 50)
            }
            (Column::PartiallyAchieved, _) => true,
            (Column::Achieved, Status::Achieved) => true,
            (Column::Achieved, Status::PartiallyAchieved) => {
                index != false_achieved && !chance(&k, 25)
            }
            (Column::Achieved, Status::NotAchieved) => index != false_achieved && chance(&k, 40),
        };
        // A not-applicable answer stands for "met" in the better columns and "not true" in the
        // not achieved column; only a few statements are answered that way.
        let not_applicable = chance(&format!("{k}/na"), 4)
            && match column {
                Column::NotAchieved => !met,
                _ => met,
            };
        answers.push(AnswerInput {
            indicator: indicator.id.clone(),
            answer: if not_applicable {
                "not_applicable"
            } else if met {
                "true"
            } else {
                "false"
            }
            .to_owned(),
            justification: if not_applicable {
                (pick(&k, &NOT_APPLICABLE)).to_owned()
            } else {
                String::new()
            },
        });
    }
    answers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_suggest_the_status_asked_for_on_every_outcome() {
        for version in ["3.2", "4.0"] {
            let framework = caf::bundled_framework(version).unwrap();
            for outcome in framework
                .objectives
                .iter()
                .flat_map(|o| o.principles.iter().flat_map(|p| p.outcomes.iter()))
            {
                for status in Status::ALL {
                    if status == Status::PartiallyAchieved && !outcome.has_partially_achieved() {
                        continue;
                    }
                    for scope in ["org", "sys1", "sys2"] {
                        let key = format!("{scope}/{}", outcome.id);
                        let answers = answers_for(outcome, status, &key);
                        assert_eq!(answers.len(), outcome.indicators.len());
                        let got = caf::suggest_status(outcome, &app::assess::caf_answers(&answers));
                        assert_eq!(got.status, status, "{version} {key}: {}", got.reason);
                        assert!(got.unanswered.is_empty());
                    }
                }
            }
        }
    }
}
