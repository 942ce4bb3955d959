//! The demo council's evidence register: links to policies and reports, notes, and one small
//! file stored by its SHA-256, some past their review-by date; and which outcomes each supports.

use super::answers::Year;
use super::seed::hash;
use crate::storage::{BlobStore, LocalDiskStore};
use app::assess::EvidenceFields;
use app::data::{Actor, Db, EvidenceBody, OrgScope, StoredFile};
use bytes::Bytes;
use std::path::Path;

/// One item of the register and where it is used.
struct Item {
    title: &'static str,
    owner: &'static str,
    body: Body,
    describes: Option<&'static str>,
    review_by: Option<&'static str>,
    sensitive: bool,
    /// Principles (two-character outcome id prefixes) whose outcomes it supports.
    supports: &'static [&'static str],
    /// The assessments it is linked in.
    years: &'static [Year],
}

enum Body {
    Link(&'static str),
    Note(&'static str),
    File(&'static str, &'static str),
}

const BOTH: &[Year] = &[Year::Last, Year::This];
const LAST: &[Year] = &[Year::Last];
const THIS: &[Year] = &[Year::This];

const EXERCISE_REPORT: &str = "BORSETSHIRE COUNTY COUNCIL - OFFICIAL-SENSITIVE\n\
Exercise Kestrel: cyber incident tabletop exercise, 14 October 2026\n\n\
Participants: Corporate Leadership Team, Cyber Security Manager, ICT Service Manager,\n\
Emergency Planning, Communications, Information Governance.\n\n\
Scenario: ransomware encrypts the revenues and benefits system during annual billing.\n\n\
Findings\n\
1. Escalation to Gold command worked within 40 minutes.\n\
2. The offline contact list was out of date (two numbers wrong).\n\
3. Decision on paying a ransom: the policy position (no payment) was clear and minuted.\n\
4. Restore order for critical systems was not agreed in advance; agreed actions below.\n\n\
Actions: refresh the offline contact list quarterly; agree system restore priorities with\n\
service directors by 31 January 2027; repeat the exercise with the supplier of the adult\n\
social care system in 2027/28.\n";

const ITEMS: &[Item] = &[
    Item {
        title: "Information Security Policy v4.2",
        owner: "Helen Okafor, Cyber Security Manager",
        body: Body::Link(
            "https://intranet.borsetshire.example/policies/information-security-policy",
        ),
        describes: Some("2025-05-01"),
        review_by: Some("2027-05-01"),
        sensitive: false,
        supports: &["A1", "B1", "B6"],
        years: BOTH,
    },
    Item {
        title: "Information Governance Board minutes, cyber risk report",
        owner: "Democratic Services",
        body: Body::Link("https://intranet.borsetshire.example/committees/igb/minutes"),
        describes: Some("2026-09-17"),
        review_by: Some("2027-09-30"),
        sensitive: false,
        supports: &["A1", "A2", "D2"],
        years: BOTH,
    },
    Item {
        title: "Corporate risk register extract: cyber risks CR07 and CR12",
        owner: "Risk and Insurance team",
        body: Body::Link("RISK-REG-CR07"),
        describes: Some("2026-10-01"),
        review_by: Some("2027-01-31"),
        sensitive: true,
        supports: &["A2"],
        years: BOTH,
    },
    Item {
        title: "CMDB reconciliation report, quarter 2",
        owner: "Tom Barker, Infrastructure and Operations Lead",
        body: Body::Link("https://servicenow.borsetshire.example/reports/cmdb-reconciliation"),
        describes: Some("2026-09-30"),
        review_by: Some("2026-03-31"),
        sensitive: false,
        supports: &["A3", "B4"],
        years: BOTH,
    },
    Item {
        title: "Supplier assurance register",
        owner: "Procurement and Contract Management",
        body: Body::Note(
            "The register lists 42 suppliers with access to council data, their tier, the date of their last security questionnaire and any open findings. Tier 1 suppliers (including the revenues and benefits and adult social care system suppliers) were reviewed in 2025/26; three tier 2 reviews are outstanding.",
        ),
        describes: Some("2026-07-31"),
        review_by: Some("2026-07-31"),
        sensitive: true,
        supports: &["A4"],
        years: BOTH,
    },
    Item {
        title: "Joiners, movers and leavers process and quarterly access review",
        owner: "Aisha Rahman, Information Governance Officer",
        body: Body::Link("https://intranet.borsetshire.example/ict/access-management"),
        describes: Some("2026-06-30"),
        review_by: Some("2027-06-30"),
        sensitive: false,
        supports: &["B2", "B3"],
        years: BOTH,
    },
    Item {
        title: "Vulnerability management standard and monthly patching report",
        owner: "Tom Barker, Infrastructure and Operations Lead",
        body: Body::Link(
            "https://intranet.borsetshire.example/ict/standards/vulnerability-management",
        ),
        describes: Some("2026-10-31"),
        review_by: Some("2027-04-30"),
        sensitive: true,
        supports: &["B4", "B5"],
        years: THIS,
    },
    Item {
        title: "Backup restore test results 2024/25",
        owner: "Infrastructure team",
        body: Body::Note(
            "Quarterly restore tests of a sample of servers and databases: all succeeded within the recovery time objective except the legacy document management server, which took 11 hours against a 4-hour objective. The immutable backup copy was introduced in February 2025.",
        ),
        describes: Some("2025-03-31"),
        review_by: Some("2025-09-30"),
        sensitive: false,
        supports: &["B5", "D1"],
        years: LAST,
    },
    Item {
        title: "Mandatory cyber security training completion, 2025/26",
        owner: "Organisational Development",
        body: Body::Note(
            "Completion of the annual cyber security e-learning reached 91% of staff and 78% of councillors by 31 March 2026. Quarterly phishing simulations: click rate fell from 14% to 6% over the year.",
        ),
        describes: Some("2026-03-31"),
        review_by: Some("2027-03-31"),
        sensitive: false,
        supports: &["B6"],
        years: BOTH,
    },
    Item {
        title: "Security monitoring service description and Sentinel coverage",
        owner: "Shared security operations service",
        body: Body::Link("https://intranet.borsetshire.example/ict/security-operations"),
        describes: Some("2026-04-01"),
        review_by: Some("2027-04-01"),
        sensitive: true,
        supports: &["C1", "C2"],
        years: BOTH,
    },
    Item {
        title: "Cyber Incident Response Plan v3",
        owner: "Helen Okafor, Cyber Security Manager",
        body: Body::Link(
            "https://intranet.borsetshire.example/policies/cyber-incident-response-plan",
        ),
        describes: Some("2025-11-01"),
        review_by: Some("2026-11-01"),
        sensitive: true,
        supports: &["D1", "D2"],
        years: BOTH,
    },
    Item {
        title: "Exercise Kestrel: tabletop exercise report",
        owner: "Emergency Planning",
        body: Body::File("exercise-kestrel-report.txt", EXERCISE_REPORT),
        describes: Some("2026-10-14"),
        review_by: Some("2027-10-14"),
        sensitive: true,
        supports: &["D1", "D2", "A1"],
        years: THIS,
    },
];

/// The register as created: item ids with the principles and years they serve.
pub struct Register {
    items: Vec<(i64, &'static [&'static str], &'static [Year])>,
}

impl Register {
    /// Up to two items for an outcome in a year, chosen by `key`.
    pub fn for_outcome(&self, outcome_id: &str, year: Year, key: &str) -> Vec<i64> {
        let prefix = outcome_id.get(..2).unwrap_or_default();
        let fitting: Vec<i64> = self
            .items
            .iter()
            .filter(|(_, supports, years)| supports.contains(&prefix) && years.contains(&year))
            .map(|(id, _, _)| *id)
            .collect();
        if fitting.is_empty() {
            return fitting;
        }
        let count = 1 + (hash(&format!("{key}/evidence")) % 2) as usize;
        let start = (hash(&format!("{key}/first")) % fitting.len() as u64) as usize;
        (0..count.min(fitting.len()))
            .map(|i| fitting[(start + i) % fitting.len()])
            .collect()
    }
}

/// Adds every item to the register, storing the file's bytes in `evidence_dir`.
pub async fn create_register(
    db: &Db,
    org: &OrgScope,
    actor: &Actor,
    evidence_dir: &Path,
) -> anyhow::Result<Register> {
    let store = LocalDiskStore::new(evidence_dir);
    let mut items = Vec::new();
    for item in ITEMS {
        let body = match item.body {
            Body::Link(url) => EvidenceBody::Link(url.to_owned()),
            Body::Note(text) => EvidenceBody::Note(text.to_owned()),
            Body::File(name, text) => {
                let chunk: Result<Bytes, crate::storage::StoreError> =
                    Ok(Bytes::from_static(text.as_bytes()));
                let put = store
                    .put(Box::pin(futures_util::stream::iter([chunk])), 1 << 20)
                    .await?;
                EvidenceBody::File(StoredFile {
                    sha256: put.sha256,
                    name: name.to_owned(),
                    size: put.size as i64,
                    media_type: "text/plain".to_owned(),
                })
            }
        };
        let fields = EvidenceFields {
            title: item.title.to_owned(),
            owner: item.owner.to_owned(),
            describes_date: item.describes.map(str::to_owned),
            review_by: item.review_by.map(str::to_owned),
            classification: if item.sensitive {
                "official_sensitive"
            } else {
                "official"
            }
            .to_owned(),
        };
        let id = db.create_evidence(org, &fields, &body, actor).await?;
        items.push((id, item.supports, item.years));
    }
    Ok(Register { items })
}
