//! Checking a read document against this installation and organisation: the framework and
//! profile, titles, scopes, answers, evidence and actions; the result is the plan to write.

use super::Problems;
use super::read::{At, Read, ReadOutcome, ReadScope, join};
use crate::assess::{
    EvidenceKind, MAX_OWNER, MAX_TEXT, OutcomeDraft, ScopeKind, ScopeState, caf_answers,
    check_draft, valid_date,
};
use crate::data::assessments::{MAX_SYSTEMS, scope_outcomes};
use crate::data::exchange::{ExportAction, ExportEvidence};
use crate::data::{DataError, Db, EvidenceBody, OrgScope, check_evidence, now_utc};
use caf::{Framework, Status};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};

/// What will be written for one outcome.
pub(super) struct PlanOutcome {
    pub(super) id: String,
    pub(super) draft: OutcomeDraft,
    pub(super) suggested: Status,
    pub(super) assignee: Option<i64>,
    pub(super) due: Option<String>,
    pub(super) evidence: Vec<String>,
    pub(super) actions: Vec<ExportAction>,
}

pub(super) struct PlanScope {
    pub(super) kind: ScopeKind,
    pub(super) name: String,
    pub(super) description: String,
    pub(super) outcomes: Vec<PlanOutcome>,
}

pub(super) enum PlanEvidence {
    /// A file already in the organisation's register.
    Existing(i64),
    /// A link or note to create.
    New(Box<ExportEvidence>),
}

/// Everything checked, ready to write.
pub(super) struct ImportPlan {
    pub(super) title: String,
    pub(super) period: String,
    pub(super) framework: Framework,
    pub(super) own_profile: bool,
    pub(super) profile: Option<String>,
    pub(super) targets: BTreeMap<String, Status>,
    pub(super) scopes: Vec<PlanScope>,
    pub(super) evidence: BTreeMap<String, PlanEvidence>,
    pub(super) notes: Vec<String>,
    pub(super) source: String,
}

pub(super) fn blank_to_none(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

pub(super) fn check_action(at: &str, action: &ExportAction, problems: &mut Problems) {
    if action.description.trim().is_empty() {
        problems.add(join(at, "description"), "say what the action is.");
    }
    if action.owner.trim().is_empty() {
        problems.add(join(at, "owner"), "name who owns the action.");
    } else if action.owner.chars().count() > MAX_OWNER {
        problems.add(
            join(at, "owner"),
            format!("too long: at most {MAX_OWNER} characters."),
        );
    }
    for (text, key) in [
        (&action.description, "description"),
        (&action.notes, "notes"),
        (&action.owner, "owner"),
    ] {
        if text.chars().count() > MAX_TEXT {
            problems.add(
                join(at, key),
                format!("too long: at most {MAX_TEXT} characters."),
            );
        }
    }
    if blank_to_none(&action.due).is_some_and(|d| !valid_date(&d)) {
        problems.add(
            join(at, "due"),
            "enter the due date as a date, like 2027-03-31.",
        );
    }
}

impl Db {
    /// Checks a read document against this installation and organisation. Returns the plan to
    /// write, or `None` when too little could be read to make one.
    pub(super) async fn check_import(
        &self,
        org: &OrgScope,
        read: Read,
        title_override: Option<&str>,
        problems: &mut Problems,
    ) -> Result<Option<ImportPlan>, DataError> {
        let mut notes = Vec::new();
        let Some(a) = read.assessment else {
            return Ok(None);
        };
        let (title, title_at) = match title_override.map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => (t.to_owned(), "title"),
            None => (a.title.trim().to_owned(), "assessment.title"),
        };
        if title.is_empty() || title.chars().count() > 200 {
            problems.add(title_at, "enter a title (at most 200 characters).");
        } else if sqlx::query(
            "SELECT 1 AS one FROM assessments WHERE organisation_id = $1 AND title = $2",
        )
        .bind(org.organisation_id())
        .bind(&title)
        .fetch_optional(self.pool())
        .await?
        .is_some()
        {
            problems.add(
                title_at,
                format!("there is already an assessment called {title:?} here: import it under another title."),
            );
        }
        let period = a.period.trim().to_owned();
        if period.is_empty() || period.chars().count() > 40 {
            problems.add(
                "assessment.period",
                "enter the period it covers, like 2026/27.",
            );
        }
        let framework = match self.framework(&a.framework_version).await? {
            None => {
                problems.add(
                    "assessment.framework_version",
                    format!(
                        "CAF {:?} is not stored here: import that framework version first (server framework import).",
                        a.framework_version
                    ),
                );
                None
            }
            Some(stored) if stored.framework.content_hash() != a.framework_hash => {
                problems.add(
                    "assessment.framework_hash",
                    format!(
                        "the file was answered against a different text of CAF {} than the one stored here.",
                        a.framework_version
                    ),
                );
                None
            }
            Some(stored) => Some(stored.framework),
        };
        let mut targets = a.targets.clone();
        if let Some(framework) = &framework {
            if a.own_profile {
                for outcome in a.targets.keys() {
                    if framework.outcome(outcome).is_none() {
                        problems.add(
                            format!("assessment.targets.{outcome}"),
                            format!("{outcome} is not an outcome of CAF {}.", framework.version),
                        );
                    }
                }
            } else {
                let stored = self
                    .profiles_for(&framework.version)
                    .await?
                    .into_iter()
                    .find(|p| Some(&p.profile.id) == a.profile.as_ref());
                match stored {
                    None => problems.add(
                        "assessment.profile",
                        format!(
                            "no target profile {:?} is stored for CAF {}: name a stored profile, or set own_profile to true.",
                            a.profile.as_deref().unwrap_or_default(),
                            framework.version
                        ),
                    ),
                    Some(p) => {
                        if p.profile.targets != a.targets {
                            notes.push(format!(
                                "The targets are those of the stored profile {}, which differ from the file's.",
                                p.profile.name
                            ));
                        }
                        targets = p.profile.targets;
                    }
                }
            }
        }

        let organisation_name: String = sqlx::query("SELECT name FROM organisations WHERE id = $1")
            .bind(org.organisation_id())
            .fetch_one(self.pool())
            .await?
            .try_get("name")?;
        let assignable: BTreeMap<String, i64> = sqlx::query(
            "SELECT u.id, u.email FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.organisation_id = $1 AND m.role IN ('assessor', 'caf_lead') \
             AND u.disabled_at IS NULL AND (m.expires_at IS NULL OR m.expires_at > $2)",
        )
        .bind(org.organisation_id())
        .bind(now_utc())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get::<String, _>("email")?.to_lowercase(),
                r.try_get("id")?,
            ))
        })
        .collect::<Result<_, DataError>>()?;

        // Evidence: files must already be in this organisation's register; links and notes are new.
        let held: BTreeMap<String, i64> = sqlx::query(
            "SELECT id, file_sha256 FROM evidence WHERE organisation_id = $1 AND kind = 'file' \
             AND file_sha256 IS NOT NULL ORDER BY id DESC",
        )
        .bind(org.organisation_id())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Ok((r.try_get("file_sha256")?, r.try_get("id")?)))
        .collect::<Result<_, DataError>>()?;
        // Links and notes already in the register with the same title and the same address or
        // text are re-used rather than copied.
        let same_items: BTreeMap<(String, String, String), i64> = sqlx::query(
            "SELECT id, kind, title, url, note FROM evidence WHERE organisation_id = $1 \
             AND kind IN ('link', 'note') ORDER BY id DESC",
        )
        .bind(org.organisation_id())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            let kind: String = r.try_get("kind")?;
            let body: Option<String> = if kind == "link" {
                r.try_get("url")?
            } else {
                r.try_get("note")?
            };
            Ok((
                (
                    kind,
                    r.try_get::<String, _>("title")?,
                    body.unwrap_or_default(),
                ),
                r.try_get("id")?,
            ))
        })
        .collect::<Result<_, DataError>>()?;
        let mut evidence = BTreeMap::new();
        for At { at, item } in read.evidence {
            let id = item.id.trim().to_owned();
            if id.is_empty() || id.chars().count() > 100 {
                problems.add(
                    join(&at, "id"),
                    "give every evidence item a reference (at most 100 characters).",
                );
                continue;
            }
            if evidence.contains_key(&id) {
                problems.add(
                    join(&at, "id"),
                    format!("the reference {id:?} is used twice."),
                );
                continue;
            }
            let planned = match item.kind {
                EvidenceKind::File => {
                    let sha = item
                        .sha256
                        .as_deref()
                        .unwrap_or_default()
                        .trim()
                        .to_lowercase();
                    if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
                        problems.add(
                            join(&at, "sha256"),
                            "a file needs its SHA-256 (64 hexadecimal characters).",
                        );
                        continue;
                    }
                    match held.get(&sha) {
                        Some(existing) => PlanEvidence::Existing(*existing),
                        None => {
                            problems.add(
                                join(&at, "sha256"),
                                format!(
                                    "this organisation's evidence register has no file with this SHA-256 ({}): upload the file to the register first, then import again.",
                                    item.file_name.as_deref().unwrap_or("unnamed file")
                                ),
                            );
                            continue;
                        }
                    }
                }
                EvidenceKind::Link | EvidenceKind::Note => {
                    let (key, body) = if item.kind == EvidenceKind::Link {
                        ("url", blank_to_none(&item.url).map(EvidenceBody::Link))
                    } else {
                        ("note", blank_to_none(&item.note).map(EvidenceBody::Note))
                    };
                    let Some(body) = body else {
                        problems.add(
                            join(&at, key),
                            format!("a {} needs its {key}.", item.kind.key()),
                        );
                        continue;
                    };
                    let found = check_evidence(&item.fields, &body);
                    for p in &found {
                        problems.add(at.as_str(), p.as_str());
                    }
                    if !found.is_empty() {
                        continue;
                    }
                    let text = match &body {
                        EvidenceBody::Link(t) | EvidenceBody::Note(t) => t.trim().to_owned(),
                        EvidenceBody::File(_) => String::new(),
                    };
                    let same = (
                        item.kind.key().to_owned(),
                        item.fields.title.trim().to_owned(),
                        text,
                    );
                    match same_items.get(&same) {
                        Some(existing) => PlanEvidence::Existing(*existing),
                        None => PlanEvidence::New(Box::new(item)),
                    }
                }
            };
            evidence.insert(id, planned);
        }

        // Scopes and their outcomes.
        let mut scopes = Vec::new();
        let mut names = BTreeSet::new();
        let (mut organisations, mut systems, mut comments) = (0, 0, 0);
        if read.scopes.is_empty() {
            problems.add(
                "scopes",
                "an assessment needs its organisation scope and at least one critical system.",
            );
        }
        for ReadScope {
            at,
            scope,
            outcomes,
        } in read.scopes
        {
            let name = match scope.kind {
                ScopeKind::Organisation => {
                    organisations += 1;
                    if scope.name.trim() != organisation_name {
                        notes.push(format!(
                            "The organisation scope {:?} is named {organisation_name:?} here.",
                            scope.name.trim()
                        ));
                    }
                    organisation_name.clone()
                }
                ScopeKind::System => {
                    systems += 1;
                    scope.name.trim().to_owned()
                }
            };
            if name.is_empty() || name.chars().count() > 120 {
                problems.add(
                    join(&at, "name"),
                    "give every scope a name (at most 120 characters).",
                );
            } else if !names.insert(name.to_lowercase()) {
                problems.add(
                    join(&at, "name"),
                    format!("the scope {name:?} is listed twice."),
                );
            }
            if scope.description.chars().count() > 1000 {
                problems.add(
                    join(&at, "description"),
                    "too long (at most 1000 characters).",
                );
            }
            if scope.state != ScopeState::Draft {
                notes.push(format!(
                    "{name} was {} in the file; it starts again as a draft here.",
                    scope.state.label().to_lowercase()
                ));
            }
            let allowed: BTreeMap<&str, &caf::ContributingOutcome> = framework
                .as_ref()
                .map(|f| {
                    scope_outcomes(f, scope.kind)
                        .into_iter()
                        .map(|o| (o.id.as_str(), o))
                        .collect()
                })
                .unwrap_or_default();
            let mut seen = BTreeSet::new();
            let mut planned = Vec::new();
            for ReadOutcome {
                at,
                outcome: o,
                answers,
                actions,
            } in outcomes
            {
                comments += o.comments.len();
                let due = blank_to_none(&o.due);
                if due.as_deref().is_some_and(|d| !valid_date(d)) {
                    problems.add(
                        join(&at, "due"),
                        "enter the due date as a date, like 2027-01-31.",
                    );
                }
                let mut refs = Vec::new();
                for (k, r) in o.evidence.iter().enumerate() {
                    let r_at = format!("{}[{k}]", join(&at, "evidence"));
                    let r = &r.trim().to_owned();
                    if !read.evidence_ids.contains(r) {
                        problems.add(r_at, format!("refers to evidence {r:?}, which the file's evidence list does not have."));
                    } else if refs.contains(r) {
                        problems.add(r_at, format!("evidence {r:?} is listed twice."));
                    } else {
                        refs.push(r.clone());
                    }
                }
                for action in &actions {
                    check_action(&action.at, &action.item, problems);
                }
                let Some(framework) = &framework else {
                    continue;
                };
                let Some(definition) = allowed.get(o.id.as_str()) else {
                    problems.add(
                        join(&at, "id"),
                        format!(
                            "{} is not an outcome of {} scope in CAF {} (objectives {}).",
                            o.id,
                            if scope.kind == ScopeKind::System {
                                "a critical system's"
                            } else {
                                "the organisation"
                            },
                            framework.version,
                            scope.kind.objectives().join(" and ")
                        ),
                    );
                    continue;
                };
                if !seen.insert(o.id.clone()) {
                    problems.add(
                        join(&at, "id"),
                        format!("{} is listed twice in this scope.", o.id),
                    );
                    continue;
                }
                let mut valid = Vec::new();
                let mut answered = BTreeSet::new();
                for answer in &answers {
                    let single = OutcomeDraft {
                        answers: vec![answer.item.clone()],
                        ..OutcomeDraft::default()
                    };
                    let found = check_draft(definition, &single);
                    for p in &found {
                        problems.add(answer.at.as_str(), p.as_str());
                    }
                    if !answered.insert(answer.item.indicator.clone()) {
                        problems.add(
                            answer.at.as_str(),
                            format!("{} is answered twice.", answer.item.indicator),
                        );
                    } else if found.is_empty() {
                        valid.push(answer.item.clone());
                    }
                }
                let all_valid = valid.len() == answers.len();
                let draft = OutcomeDraft {
                    answers: valid,
                    confirmed: o.confirmed.clone(),
                    justification: o.justification.trim().to_owned(),
                    narrative: o.narrative.clone(),
                };
                // With a bad answer the suggestion is unknown, so the status is not judged by it.
                let judged = if all_valid {
                    draft.clone()
                } else {
                    OutcomeDraft {
                        confirmed: None,
                        ..draft.clone()
                    }
                };
                for p in check_draft(definition, &judged) {
                    problems.add(at.as_str(), p);
                }
                let assignee = match o
                    .assignee
                    .as_deref()
                    .map(str::trim)
                    .filter(|e| !e.is_empty())
                {
                    None => None,
                    Some(email) => {
                        let found = assignable.get(&email.to_lowercase()).copied();
                        if found.is_none() {
                            notes.push(format!(
                                "{} in {name}: {email} is not a member here who can answer outcomes, so it is unassigned.",
                                o.id
                            ));
                        }
                        found
                    }
                };
                planned.push(PlanOutcome {
                    id: o.id.clone(),
                    suggested: caf::suggest_status(definition, &caf_answers(&draft.answers)).status,
                    draft,
                    assignee,
                    due,
                    evidence: refs,
                    actions: actions.into_iter().map(|a| a.item).collect(),
                });
            }
            scopes.push(PlanScope {
                kind: scope.kind,
                name,
                description: scope.description.trim().to_owned(),
                outcomes: planned,
            });
        }
        if organisations != 1 {
            problems.add("scopes", format!("an assessment has exactly one organisation scope; the file has {organisations}."));
        }
        if systems == 0 {
            problems.add(
                "scopes",
                "name at least one critical system (objectives B and C are assessed per system).",
            );
        } else if systems > MAX_SYSTEMS {
            problems.add(
                "scopes",
                format!(
                    "at most {MAX_SYSTEMS} critical systems per assessment; the file has {systems}."
                ),
            );
        }
        if comments > 0 {
            notes.push(format!(
                "{comments} comment(s) in the file were not imported: they stay in the exported file, so nobody's words appear here as if written in this organisation."
            ));
        }
        if scopes
            .iter()
            .flat_map(|s| &s.outcomes)
            .any(|o| !o.actions.is_empty())
        {
            notes.push(
                "Plan actions were re-created as proposed (and, where agreed, accepted) by you."
                    .to_owned(),
            );
        }
        let Some(framework) = framework else {
            return Ok(None);
        };
        Ok(Some(ImportPlan {
            title,
            period,
            framework,
            own_profile: a.own_profile,
            profile: a.profile,
            targets,
            scopes,
            evidence,
            notes,
            source: read.source,
        }))
    }
}
