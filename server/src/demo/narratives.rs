//! Outcome narratives as a council's assessors write them: what is in place, what is not, what
//! changed since last year and what happens next. Built from fixed sentences chosen by a hash of
//! the outcome and scope, so every run writes the same text.

use super::answers::Year;
use super::seed::{chance, pick};
use caf::Status;

/// What a narrative is about.
#[derive(Debug, Clone)]
pub struct Subject<'a> {
    /// The outcome's id, e.g. "B2.a".
    pub id: &'a str,
    /// The outcome's title.
    pub title: &'a str,
    /// "the council" for the organisation scope, or the system's name.
    pub scope: &'a str,
    /// Whether the scope is a critical system.
    pub system: bool,
    /// The confirmed status.
    pub status: Status,
    /// Last year's status, this year, where the outcome has a predecessor.
    pub previous: Option<Status>,
    /// Which year.
    pub year: Year,
    /// Seed for the choices.
    pub key: &'a str,
}

/// What each principle looks like in Borsetshire: facts an assessor would cite.
fn principle_facts(id: &str) -> [&'static str; 2] {
    match id.get(..2).unwrap_or_default() {
        "A1" => [
            "The Senior Information Risk Owner chairs the quarterly Information Governance Board, which receives a cyber risk report from the Cyber Security Manager and minutes its decisions.",
            "Cyber risk is a standing item on the Corporate Leadership Team's risk review, and the Audit and Governance Committee receives an annual assurance report.",
        ],
        "A2" => [
            "Cyber risks are recorded in the corporate risk register using the council's 5x5 scoring matrix, with named owners and review dates.",
            "The risk register is refreshed each quarter using NCSC and WARP threat briefings, and the top risks are tested against our own incident history.",
        ],
        "A3" => [
            "Hardware and software assets are held in the ServiceNow CMDB, reconciled monthly against Intune and the network discovery scans.",
            "Each critical system has a named information asset owner who confirms the asset record and its data flows once a year.",
        ],
        "A4" => [
            "Security clauses from the Local Government Association model terms are in our contracts with key suppliers, and the procurement team runs a security questionnaire before award.",
            "Supplier assurance is tracked in a register covering 42 suppliers with access to council data; the highest-risk suppliers are reviewed annually.",
        ],
        "B1" => [
            "The Information Security Policy and its eleven supporting standards were approved by the Information Governance Board and are published on the intranet.",
            "Policies are reviewed every two years, or sooner after a significant incident, and changes are communicated through the staff bulletin.",
        ],
        "B2" => [
            "Access is granted through the joiners, movers and leavers process in ServiceNow, with line-manager approval and automated removal on the leaving date.",
            "Multi-factor authentication is enforced through Entra ID conditional access for all remote access and for every administrator account.",
        ],
        "B3" => [
            "Data held by the service is classified under the council's information classification scheme and recorded in the information asset register.",
            "Data at rest is encrypted and transfers to partners use TLS 1.2 or above, or the secure file transfer service where volumes are large.",
        ],
        "B4" => [
            "Servers and laptops are built from hardened images based on the CIS benchmarks, and configuration drift is reported weekly.",
            "Critical and high vulnerabilities are patched within 14 days under the vulnerability management standard, tracked in the monthly patching report.",
        ],
        "B5" => [
            "Backups follow the 3-2-1 approach with an immutable copy, and restores are tested each quarter against a sample of systems.",
            "The service has a documented recovery time objective agreed with the business owner, and the data centre network is resilient to a single failure.",
        ],
        "B6" => [
            "All staff complete the mandatory cyber security e-learning on joining and every year, with completion reported to directorate management teams.",
            "Phishing simulations run every quarter; click rates are reported to the Information Governance Board and followed up with targeted training.",
        ],
        "C1" => [
            "Logs from firewalls, Entra ID, Microsoft Defender and key servers are sent to Microsoft Sentinel, monitored by the shared security operations service.",
            "Alert rules are reviewed each quarter with the security operations partner, and triage follows written playbooks with agreed response times.",
        ],
        "C2" => [
            "The security operations partner runs monthly threat hunts based on NCSC advisories and current local government threats.",
            "Findings from hunts are logged as tickets and the resulting detection rules are added to Sentinel.",
        ],
        "D1" => [
            "The Cyber Incident Response Plan sets out roles, escalation to Gold command and contact with the NCSC, the ICO and the WARP.",
            "The plan was exercised in a tabletop exercise with the Corporate Leadership Team, using the LGA's ransomware scenario.",
        ],
        _ => [
            "Every significant incident has a post-incident review within 20 working days, with root causes and actions recorded.",
            "Lessons learned are reported to the Information Governance Board and actions are tracked to closure in the improvement plan.",
        ],
    }
}

const SYSTEM_FACTS: [&str; 4] = [
    "The supplier's annual security report and penetration test summary for the system are reviewed by the Cyber Security Manager.",
    "The system's service manager attends the monthly change advisory board, where security-relevant changes are assessed before release.",
    "The system holds personal data of many residents, so its information asset owner takes part in the annual review of this outcome.",
    "The supplier is contractually required to notify the council of security incidents affecting the system within 24 hours.",
];

fn opener(s: &Subject) -> String {
    let options: &[&str] = match s.status {
        Status::Achieved => &[
            "We consider {id} {title} achieved for {scope}.",
            "{Scope} meets {id} {title} in full.",
            "For {id} {title}, {scope} has the arrangements the outcome describes and they are working.",
        ],
        Status::PartiallyAchieved => &[
            "{Scope} partially achieves {id} {title}: much of the outcome is in place, with gaps set out below.",
            "For {id} {title}, we have the main arrangements in {scope} but they are not yet consistent.",
            "We assess {id} {title} as partially achieved for {scope}.",
        ],
        Status::NotAchieved => &[
            "We do not yet achieve {id} {title} for {scope}.",
            "{id} {title} is not achieved for {scope}, and we have recorded it as a priority in the improvement plan.",
            "For {id} {title}, {scope} falls short of the outcome in important respects.",
        ],
    };
    fill(pick(&format!("{}/open", s.key), options), s)
}

fn detail(s: &Subject) -> &'static str {
    let options: &[&str] = match s.status {
        Status::Achieved => &[
            "Evidence was checked by internal audit and the arrangements have operated throughout the year without significant exceptions.",
            "The external assurer sampled the records behind this outcome and found them complete and up to date.",
            "The arrangements are owned by named officers, reviewed each year and reported to the Information Governance Board.",
        ],
        Status::PartiallyAchieved => &[
            "The gap is consistency: the process is followed by ICT but not yet by every directorate, and records for older systems are incomplete.",
            "The main weakness is that reviews depend on one officer; when that post was vacant for three months the checks lapsed.",
            "Coverage is good for modern systems but legacy applications are not yet included, which the plan addresses.",
        ],
        Status::NotAchieved => &[
            "These arrangements exist on paper, but testing this year found them applied to only part of the estate, and not-achieved statements remain true.",
            "The arrangements were designed before the move to cloud services and do not yet cover them, which leaves a significant gap.",
            "A lack of specialist capacity has meant the arrangements have not been kept up, and the risk is recorded on the corporate risk register.",
        ],
    };
    pick(&format!("{}/detail", s.key), options)
}

fn movement(s: &Subject) -> Option<&'static str> {
    let previous = s.previous?;
    Some(if s.status > previous {
        "This is an improvement on the 2025/26 assessment, following the actions agreed in last year's plan."
    } else if s.status < previous {
        "This is lower than last year: CAF 4.0 asks more of this outcome, and our evidence did not keep pace with the change in the service."
    } else {
        "The position is unchanged from the 2025/26 assessment."
    })
}

fn closer(s: &Subject) -> &'static str {
    let options: &[&str] = match s.status {
        Status::Achieved => &[
            "We will keep the evidence current and review it at the next annual assessment.",
            "No further action is planned beyond routine review.",
        ],
        Status::PartiallyAchieved => &[
            "The improvement plan sets out the remaining steps, with owners and dates.",
            "We expect to reach the target once the actions in the plan are complete.",
        ],
        Status::NotAchieved => &[
            "Closing this gap is a priority in the improvement plan and progress is reported to the SIRO each month.",
            "The SIRO has accepted the risk in the meantime, with a review date, and the improvement plan sets out the work.",
        ],
    };
    pick(&format!("{}/close", s.key), options)
}

/// Replaces the placeholders of a template sentence.
fn fill(template: &str, s: &Subject) -> String {
    let mut scope_cap = s.scope.to_owned();
    if let Some(first) = scope_cap.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    template
        .replace("{id}", s.id)
        .replace("{title}", s.title)
        .replace("{Scope}", &scope_cap)
        .replace("{scope}", s.scope)
}

/// The narrative of one outcome: three to eight sentences, some long enough to wrap over
/// several lines of a report.
pub fn narrative(s: &Subject) -> String {
    let long = chance(&format!("{}/long", s.key), 30);
    let facts = principle_facts(s.id);
    let first = (super::seed::hash(&format!("{}/fact", s.key)) % 2) as usize;
    let mut sentences = vec![opener(s), facts[first].to_owned()];
    if long {
        sentences.push(facts[1 - first].to_owned());
    }
    if s.system && (long || chance(&format!("{}/sysfact", s.key), 50)) {
        sentences.push(fill(pick(&format!("{}/sys", s.key), &SYSTEM_FACTS), s));
    }
    sentences.push(detail(s).to_owned());
    if s.year == Year::This
        && let Some(line) = movement(s)
    {
        sentences.push(line.to_owned());
    }
    sentences.push(closer(s).to_owned());
    sentences.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narratives_fill_every_placeholder_and_repeat_exactly() {
        let subject = Subject {
            id: "B2.a",
            title: "Identity Verification, Authentication and Authorisation",
            scope: "the council",
            system: true,
            status: Status::PartiallyAchieved,
            previous: Some(Status::NotAchieved),
            year: Year::This,
            key: "org/B2.a",
        };
        let text = narrative(&subject);
        assert!(!text.contains('{'), "{text}");
        assert!(text.contains("improvement on the 2025/26"), "{text}");
        assert_eq!(text, narrative(&subject));
        assert!(text.len() > 200);
    }
}
