//! Reading an export document back in: every check first, with every problem reported at once
//! and where it is; then one transaction, so a failure part-way stores nothing.

use super::{
    EXPORT_FORMAT, ExportAction, ExportAssessment, ExportEvidence, ExportOutcome, ExportScope,
    ImportError, ImportProblem, ImportReport, MAX_IMPORT_BYTES, MAX_IMPORT_EVIDENCE,
};
use crate::assess::{
    AnswerInput, EvidenceKind, MAX_ACTIONS_PER_OUTCOME, MAX_OWNER, MAX_TEXT, OutcomeDraft,
    ScopeKind, ScopeState, caf_answers, check_draft, valid_date,
};
use crate::data::assessments::{Actor, MAX_SYSTEMS, insert_scope, need, scope_outcomes};
use crate::data::audit::append_audit_in;
use crate::data::{DataError, Db, EvidenceBody, OrgScope, check_evidence, now_utc};
use crate::roles::Permission;
use caf::{Framework, Status};
use serde::de::DeserializeOwned;
use serde_json::Value;
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};

/// Problems found so far, in document order.
#[derive(Default)]
struct Problems(Vec<ImportProblem>);

impl Problems {
    fn add(&mut self, at: impl Into<String>, message: impl Into<String>) {
        self.0.push(ImportProblem {
            at: at.into(),
            message: message.into(),
        });
    }
}

/// `parent.key`, or just `key` at the top.
fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

/// Parses one value; a failure becomes a problem at `at`.
fn parse<T: DeserializeOwned>(value: Value, at: &str, problems: &mut Problems) -> Option<T> {
    if value.is_null() {
        problems.add(at, "is missing.");
        return None;
    }
    // serde_path_to_error names the field inside the value that was wrong (e.g. `fields.owner`),
    // so the problem is reported at the field itself.
    serde_path_to_error::deserialize(value)
        .map_err(|e| {
            let inner = e.path().to_string();
            let place = if inner.is_empty() || inner == "." {
                at.to_owned()
            } else if at == "$" {
                inner
            } else {
                join(at, &inner)
            };
            problems.add(place, format!("{}.", e.inner()));
        })
        .ok()
}

/// Takes the list `key` out of an object (leaving it empty) and parses each item on its own, so
/// one bad item is reported with its place and the others are still checked.
fn take_list(
    object: &mut Value,
    key: &str,
    at: &str,
    problems: &mut Problems,
) -> Vec<(String, Value)> {
    let Some(map) = object.as_object_mut() else {
        return Vec::new();
    };
    let list = map.insert(key.to_owned(), Value::Array(Vec::new()));
    match list {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .into_iter()
            .enumerate()
            .map(|(i, item)| (format!("{}[{i}]", join(at, key)), item))
            .collect(),
        Some(_) => {
            problems.add(join(at, key), "must be a list.");
            Vec::new()
        }
    }
}

/// The top of the document; the rest is parsed piece by piece.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Head {
    format: u32,
    exported_at: String,
    source_organisation: String,
    #[serde(default)]
    assessment: Value,
    #[serde(default)]
    scopes: Value,
    #[serde(default)]
    evidence: Value,
}

/// An item and where it was.
struct At<T> {
    at: String,
    item: T,
}

struct ReadOutcome {
    at: String,
    outcome: ExportOutcome,
    answers: Vec<At<AnswerInput>>,
    actions: Vec<At<ExportAction>>,
}

struct ReadScope {
    at: String,
    scope: ExportScope,
    outcomes: Vec<ReadOutcome>,
}

/// The document as far as it could be read.
struct Read {
    source: String,
    assessment: Option<ExportAssessment>,
    scopes: Vec<ReadScope>,
    evidence: Vec<At<ExportEvidence>>,
    /// Every evidence id in the file, including items that did not parse.
    evidence_ids: BTreeSet<String>,
}

fn read_document(text: &str, problems: &mut Problems) -> Option<Read> {
    let mut root: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            problems.add("$", format!("this is not a JSON document ({e})."));
            return None;
        }
    };
    if !root.is_object() {
        problems.add("$", "the document must be a JSON object.");
        return None;
    }
    let mut nul: Vec<String> = Vec::new();
    super::stored_text::nul_places(&root, "", &mut nul);
    for place in nul {
        problems.add(
            place,
            "contains a NUL character (\\u0000), which cannot be stored: remove it.",
        );
    }
    if root.get("format").and_then(Value::as_u64) != Some(u64::from(EXPORT_FORMAT)) {
        problems.add(
            "format",
            format!(
                "this app reads assessment exports of format {EXPORT_FORMAT}; this file has {}.",
                root["format"]
            ),
        );
        return None;
    }
    let scopes = take_list(&mut root, "scopes", "", problems);
    let evidence = take_list(&mut root, "evidence", "", problems);
    if evidence.len() > MAX_IMPORT_EVIDENCE {
        problems.add(
            "evidence",
            format!(
                "at most {MAX_IMPORT_EVIDENCE} evidence items; the file has {}.",
                evidence.len()
            ),
        );
        return None;
    }
    let head: Head = parse(root, "$", problems)?;
    let _ = (head.format, head.exported_at, head.scopes, head.evidence);
    let assessment = parse(head.assessment, "assessment", problems);
    let mut read_scopes = Vec::new();
    for (at, mut value) in scopes {
        let outcomes = take_list(&mut value, "outcomes", &at, problems);
        let scope: Option<ExportScope> = parse(value, &at, problems);
        let mut read_outcomes = Vec::new();
        for (o_at, mut value) in outcomes {
            let answers = take_list(&mut value, "answers", &o_at, problems);
            let actions = take_list(&mut value, "actions", &o_at, problems);
            if actions.len() > MAX_ACTIONS_PER_OUTCOME {
                problems.add(
                    join(&o_at, "actions"),
                    format!(
                        "at most {MAX_ACTIONS_PER_OUTCOME} actions per outcome; the file has {}.",
                        actions.len()
                    ),
                );
            }
            let outcome: Option<ExportOutcome> = parse(value, &o_at, problems);
            let answers = answers
                .into_iter()
                .filter_map(|(at, v)| parse(v, &at, problems).map(|item| At { at, item }))
                .collect();
            let actions = actions
                .into_iter()
                .filter_map(|(at, v)| parse(v, &at, problems).map(|item| At { at, item }))
                .collect();
            if let Some(outcome) = outcome {
                read_outcomes.push(ReadOutcome {
                    at: o_at,
                    outcome,
                    answers,
                    actions,
                });
            }
        }
        if let Some(scope) = scope {
            read_scopes.push(ReadScope {
                at,
                scope,
                outcomes: read_outcomes,
            });
        }
    }
    // References are compared as stored: without surrounding spaces.
    let evidence_ids = evidence
        .iter()
        .filter_map(|(_, v)| v.get("id").and_then(Value::as_str))
        .map(|id| id.trim().to_owned())
        .collect();
    let evidence = evidence
        .into_iter()
        .filter_map(|(at, v)| parse(v, &at, problems).map(|item| At { at, item }))
        .collect();
    Some(Read {
        source: head.source_organisation,
        assessment,
        scopes: read_scopes,
        evidence,
        evidence_ids,
    })
}

/// What will be written for one outcome.
struct PlanOutcome {
    id: String,
    draft: OutcomeDraft,
    suggested: Status,
    assignee: Option<i64>,
    due: Option<String>,
    evidence: Vec<String>,
    actions: Vec<ExportAction>,
}

struct PlanScope {
    kind: ScopeKind,
    name: String,
    description: String,
    outcomes: Vec<PlanOutcome>,
}

enum PlanEvidence {
    /// A file already in the organisation's register.
    Existing(i64),
    /// A link or note to create.
    New(Box<ExportEvidence>),
}

/// Everything checked, ready to write.
struct ImportPlan {
    title: String,
    period: String,
    framework: Framework,
    own_profile: bool,
    profile: Option<String>,
    targets: BTreeMap<String, Status>,
    scopes: Vec<PlanScope>,
    evidence: BTreeMap<String, PlanEvidence>,
    notes: Vec<String>,
    source: String,
}

fn blank_to_none(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

fn check_action(at: &str, action: &ExportAction, problems: &mut Problems) {
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
    /// Imports an export document as a new assessment of this organisation (CAF lead).
    ///
    /// Everything is checked before anything is written, and every problem is returned at once
    /// with its place in the document; then all of it is written in one transaction. Scopes start
    /// as drafts; comments are not re-created (see `docs/assessment-export.md`). Audited as
    /// `assessment.import`.
    pub async fn import_assessment(
        &self,
        org: &OrgScope,
        text: &str,
        title_override: Option<&str>,
        actor: &Actor,
    ) -> Result<ImportReport, ImportError> {
        need(org, Permission::LeadAssessment)?;
        let mut problems = Problems::default();
        if text.len() > MAX_IMPORT_BYTES {
            problems.add(
                "$",
                format!(
                    "the file is larger than {} MiB.",
                    MAX_IMPORT_BYTES / (1024 * 1024)
                ),
            );
            return Err(ImportError::Rejected(problems.0));
        }
        let Some(read) = read_document(text, &mut problems) else {
            return Err(ImportError::Rejected(problems.0));
        };
        let plan = self
            .check_import(org, read, title_override, &mut problems)
            .await?;
        let plan = match plan {
            Some(plan) if problems.0.is_empty() => plan,
            _ => return Err(ImportError::Rejected(problems.0)),
        };
        let id = self.write_import(org, &plan, actor).await?;
        Ok(ImportReport {
            assessment_id: id,
            notes: plan.notes,
        })
    }

    /// Checks a read document against this installation and organisation. Returns the plan to
    /// write, or `None` when too little could be read to make one.
    async fn check_import(
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

    /// Writes a checked plan in one transaction. Returns the assessment id, the evidence items
    /// created and the register items linked.
    /// Writes the plan and its audit record in one transaction; returns the new assessment's id.
    async fn write_import(
        &self,
        org: &OrgScope,
        plan: &ImportPlan,
        actor: &Actor,
    ) -> Result<i64, ImportError> {
        let now = now_utc();
        let user = org.user_id();
        let mut tx = self.write_tx().await.map_err(DataError::from)?;
        let version = &plan.framework.version;
        sqlx::query(
            "UPDATE frameworks SET locked_at = $1 WHERE version = $2 AND locked_at IS NULL",
        )
        .bind(&now)
        .bind(version)
        .execute(&mut *tx)
        .await
        .map_err(DataError::from)?;
        let framework_id: i64 = sqlx::query("SELECT id FROM frameworks WHERE version = $1")
            .bind(version)
            .fetch_one(&mut *tx)
            .await
            .and_then(|r| r.try_get("id"))
            .map_err(DataError::from)?;
        let profile_id: Option<i64> = match (&plan.profile, plan.own_profile) {
            (Some(slug), false) => Some(
                sqlx::query("SELECT id FROM profiles WHERE slug = $1")
                    .bind(slug)
                    .fetch_one(&mut *tx)
                    .await
                    .and_then(|r| r.try_get("id"))
                    .map_err(DataError::from)?,
            ),
            _ => None,
        };
        let id: i64 = match sqlx::query(
            "INSERT INTO assessments (organisation_id, title, period, framework_id, profile_id, \
             created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(org.organisation_id())
        .bind(&plan.title)
        .bind(&plan.period)
        .bind(framework_id)
        .bind(profile_id)
        .bind(user)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await
        {
            Ok(row) => row.try_get("id").map_err(DataError::from)?,
            Err(e)
                if e.as_database_error()
                    .is_some_and(|d| d.is_unique_violation()) =>
            {
                return Err(ImportError::Rejected(vec![ImportProblem {
                    at: "title".into(),
                    message: format!(
                        "there is already an assessment called {:?} here.",
                        plan.title
                    ),
                }]));
            }
            Err(e) => return Err(DataError::from(e).into()),
        };
        for (outcome, target) in &plan.targets {
            sqlx::query("INSERT INTO assessment_targets (assessment_id, outcome_id, target) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(outcome)
                .bind(target.key())
                .execute(&mut *tx)
                .await
                .map_err(DataError::from)?;
        }
        let (mut local, mut created, mut existing) = (BTreeMap::new(), Vec::new(), Vec::new());
        for (reference, planned) in &plan.evidence {
            let evidence_id = match planned {
                PlanEvidence::Existing(e) => {
                    existing.push(*e);
                    *e
                }
                PlanEvidence::New(item) => {
                    let e: i64 = sqlx::query(
                        "INSERT INTO evidence (organisation_id, kind, title, owner, describes_date, \
                         review_by, classification, url, note, created_by, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
                    )
                    .bind(org.organisation_id())
                    .bind(item.kind.key())
                    .bind(item.fields.title.trim())
                    .bind(item.fields.owner.trim())
                    .bind(blank_to_none(&item.fields.describes_date))
                    .bind(blank_to_none(&item.fields.review_by))
                    .bind(&item.fields.classification)
                    .bind(blank_to_none(&item.url).filter(|_| item.kind == EvidenceKind::Link))
                    .bind(blank_to_none(&item.note).filter(|_| item.kind == EvidenceKind::Note))
                    .bind(user)
                    .bind(&now)
                    .fetch_one(&mut *tx)
                    .await
                    .and_then(|r| r.try_get("id"))
                    .map_err(DataError::from)?;
                    created.push(e);
                    e
                }
            };
            local.insert(reference.as_str(), evidence_id);
        }
        for (position, scope) in plan.scopes.iter().enumerate() {
            let scope_id = insert_scope(
                &mut tx,
                (org.organisation_id(), id),
                (scope.kind, &scope.name, &scope.description),
                position as i64,
                &plan.framework,
                &now,
            )
            .await?;
            for o in &scope.outcomes {
                write_outcome(&mut tx, scope_id, o, &local, user, &now).await?;
            }
        }
        append_audit_in(
            &mut tx,
            actor.event(
                org,
                "assessment.import",
                format!("assessment:{id}"),
                serde_json::json!({
                    "title": plan.title, "period": plan.period,
                    "framework": plan.framework.version, "source_organisation": plan.source,
                    "scopes": plan.scopes.iter().map(|s| &s.name).collect::<Vec<_>>(),
                    "answers": plan.scopes.iter().flat_map(|s| &s.outcomes).map(|o| o.draft.answers.len()).sum::<usize>(),
                    "evidence_created": created, "evidence_linked": existing, "notes": plan.notes,
                }),
            ),
        )
        .await?;
        tx.commit().await.map_err(DataError::from)?;
        Ok(id)
    }
}

async fn write_outcome(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    scope_id: i64,
    o: &PlanOutcome,
    evidence: &BTreeMap<&str, i64>,
    user: i64,
    now: &str,
) -> Result<(), DataError> {
    sqlx::query(
        "UPDATE scope_outcomes SET confirmed_status = $1, suggested_status = $2, \
         status_justification = $3, narrative = $4, answered = $5, version = 1, updated_at = $6, \
         updated_by = $7, assignee_id = $8, due_date = $9 WHERE scope_id = $10 AND outcome_id = $11",
    )
    .bind(o.draft.confirmed.as_deref())
    .bind(o.suggested.key())
    .bind(&o.draft.justification)
    .bind(&o.draft.narrative)
    .bind(o.draft.answers.len() as i64)
    .bind(now)
    .bind(user)
    .bind(o.assignee)
    .bind(o.due.as_deref())
    .bind(scope_id)
    .bind(&o.id)
    .execute(&mut **tx)
    .await?;
    for answer in &o.draft.answers {
        sqlx::query(
            "INSERT INTO answers (scope_id, outcome_id, indicator_id, answer, justification) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(scope_id)
        .bind(&o.id)
        .bind(&answer.indicator)
        .bind(&answer.answer)
        .bind(if answer.answer == "not_applicable" {
            answer.justification.trim()
        } else {
            ""
        })
        .execute(&mut **tx)
        .await?;
    }
    // Two references may be the same register file; it is linked once. Every reference was
    // checked against the planned evidence, so a miss here is a fault, never a panic.
    let linked = o
        .evidence
        .iter()
        .map(|r| {
            evidence.get(r.as_str()).copied().ok_or_else(|| {
                DataError::Document(format!("import plan: evidence reference {r:?} not planned"))
            })
        })
        .collect::<Result<BTreeSet<i64>, DataError>>()?;
    for evidence_id in linked {
        sqlx::query(
            "INSERT INTO evidence_links (evidence_id, scope_id, outcome_id, linked_by, linked_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(evidence_id)
        .bind(scope_id)
        .bind(&o.id)
        .bind(user)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    for action in &o.actions {
        let agreed = action.status != crate::assess::ActionStatus::Proposed;
        sqlx::query(
            "INSERT INTO plan_actions (scope_id, outcome_id, description, owner, due_date, status, \
             notes, proposed_by, proposed_at, accepted_by, accepted_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(scope_id)
        .bind(&o.id)
        .bind(action.description.trim())
        .bind(action.owner.trim())
        .bind(blank_to_none(&action.due))
        .bind(action.status.key())
        .bind(action.notes.trim())
        .bind(user)
        .bind(now)
        .bind(agreed.then_some(user))
        .bind(agreed.then(|| now.to_owned()))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
