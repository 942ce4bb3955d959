//! The screen an assessor lives in: one outcome of one scope. Answers, the live suggested status,
//! the confirmed status, the narrative (all autosaved), evidence, comments, plan actions, the
//! workflow and the outcome's history.

use super::carried::{CarryPanel, StatementFlag};
use super::signed_view::{SignOffPanel, SignedAnswers};
use crate::assess::{
    AnswerInput, Classification, EvidenceItem, OutcomeDraft, OutcomeRecord, OutcomeWorkspace,
    SaveResult, WorkflowAction, caf_answers,
};
use crate::assess_api::{
    AddComment, AddEvidence, LinkEvidence, ProposeAction, ResolveComment, WorkflowStep,
    outcome_page_data, save_outcome,
};
use crate::components::{ErrorPanel, FormError, Loading, StatusTag, when};
use crate::cycle::CarriedStatementView;
use crate::roles::Permission;
use caf::{Column, Indicator, Status};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use std::collections::BTreeMap;
use std::time::Duration;

/// Where the autosave is.
#[derive(Debug, Clone, PartialEq)]
enum SaveState {
    /// Everything on screen is stored (as of this time, if known).
    Saved(Option<String>),
    /// Changes not yet sent.
    Pending,
    /// A save is on its way.
    Saving,
    /// The last save failed; the text stays here.
    Failed(String),
    /// Someone else saved first.
    Conflict(Box<OutcomeRecord>),
}

type Answers = BTreeMap<String, (String, String)>;

fn answers_of(record: &OutcomeRecord) -> Answers {
    record
        .draft
        .answers
        .iter()
        .map(|a| {
            (
                a.indicator.clone(),
                (a.answer.clone(), a.justification.clone()),
            )
        })
        .collect()
}

fn draft_of(
    answers: &Answers,
    confirmed: Option<String>,
    justification: String,
    narrative: String,
) -> OutcomeDraft {
    OutcomeDraft {
        answers: answers
            .iter()
            .map(|(k, (a, j))| AnswerInput {
                indicator: k.clone(),
                answer: a.clone(),
                justification: j.clone(),
            })
            .collect(),
        confirmed,
        justification,
        narrative,
    }
}

/// The outcome page of an assessment.
#[component]
pub fn AnswerPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || {
        let p = params.read();
        (
            p.get("slug").unwrap_or_default(),
            p.get("scope")
                .and_then(|s| s.parse::<i64>().ok())
                .unwrap_or_default(),
            p.get("outcome").unwrap_or_default(),
        )
    };
    let page = Resource::new(key, |(slug, scope, outcome)| {
        outcome_page_data(slug, scope, outcome)
    });
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(data) => {
                        let slug = key().0;
                        view! { <Workspace data slug /> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn Workspace(data: OutcomeWorkspace, slug: String) -> impl IntoView {
    let assessment_id = data.assessment.id;
    let scope = data.scope.clone();
    let editable = scope.state.editable() && data.role.can(Permission::EditAnswers);
    let base = format!("/org/{slug}/assessments/{assessment_id}");
    let here = format!("{base}/scopes/{}/outcomes/{}", scope.id, data.outcome.id);
    let outcome_link = |id: &str| format!("{base}/scopes/{}/outcomes/{id}", scope.id);
    let (prev, next) = data.neighbours.clone();
    view! {
        <Title text=format!("{} {} – {}", data.outcome.id, data.outcome.title, scope.name) />
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <ol>
                <li><a href=format!("/org/{slug}/assessments")>"Assessments"</a></li>
                <li><a href=base.clone()>{data.assessment.title.clone()}</a></li>
                <li>{format!("{} ({})", scope.name, scope.state.label())}</li>
            </ol>
        </nav>
        <span class="caption">{format!("{} · Principle {} {}", scope.name, data.principle.0, data.principle.1)}</span>
        <h1 class="heading-xl">{format!("{} {}", data.outcome.id, data.outcome.title)}</h1>
        {data.outcome.description.clone().map(|d| view! { <p class="lead">{d}</p> })}
        <dl class="facts">
            <div><dt>"Target"</dt><dd>{match data.target { Some(t) => view! { <StatusTag status=t /> }.into_any(), None => view! { "none set" }.into_any() }}</dd></div>
            <div><dt>"Scope"</dt><dd id="scope-state">{scope.state.label()}</dd></div>
            <div><dt>"Assigned to"</dt><dd>{data.assignee.clone().unwrap_or_else(|| "nobody".into())}</dd></div>
            <div><dt>"Due"</dt><dd>{data.due.clone().unwrap_or_else(|| "not set".into())}</dd></div>
        </dl>
        {data.sign_off.clone().map(|sign_off| view! { <SignOffPanel sign_off scope=scope.name.clone() /> })}
        {data.carry.clone().filter(|_| data.sign_off.is_none()).map(|note| view! { <CarryPanel note slug=slug.clone() scope_id=scope.id outcome=data.outcome.id.clone() editable /> })}
        {(!editable && data.sign_off.is_none()).then(|| view! {
            <div class="inset" id="read-only-note">
                <p class="body">{if scope.state == crate::assess::ScopeState::SignedOff {
                    "This scope is signed off. Its answers are frozen in the signed snapshot and cannot change."
                } else if scope.state.editable() {
                    "Your role can read this outcome but not change its answers."
                } else {
                    "This scope is with the reviewer, assurer or approver: answers cannot change until it is returned."
                }}</p>
            </div>
        })}
        {if data.sign_off.is_some() {
            view! { <SignedAnswers data=data.clone() /> }.into_any()
        } else {
            view! { <Editor data=data.clone() slug=slug.clone() editable /> }.into_any()
        }}
        {view! { <EvidencePanel data=data.clone() slug=slug.clone() editable here=here.clone() /> }.into_any()}
        {view! { <Comments data=data.clone() slug=slug.clone() /> }.into_any()}
        {view! { <Workflow data=data.clone() slug=slug.clone() here=here.clone() /> }.into_any()}
        {view! { <Actions data=data.clone() slug=slug.clone() /> }.into_any()}
        {view! { <History data=data.clone() /> }.into_any()}
        <p class="hint attribution">{data.attribution.clone()}</p>
        <nav class="pager" aria-label="Other outcomes in this scope">
            {prev.map(|p| view! { <a class="pager__prev" href=outcome_link(&p)>{format!("Previous: {p}")}</a> })}
            {next.map(|n| view! { <a class="pager__next" href=outcome_link(&n)>{format!("Next: {n}")}</a> })}
        </nav>
    }
}

/// The answers, the live suggestion, the confirmed status and the narrative, autosaved.
#[component]
fn Editor(data: OutcomeWorkspace, slug: String, editable: bool) -> impl IntoView {
    let record = data.record.clone();
    let answers = RwSignal::new(answers_of(&record));
    let confirmed = RwSignal::new(record.draft.confirmed.clone());
    let justification = RwSignal::new(record.draft.justification.clone());
    let narrative = RwSignal::new(record.draft.narrative.clone());
    let version = RwSignal::new(record.version);
    let state = RwSignal::new(SaveState::Saved(record.updated_at.clone()));
    let edits = RwSignal::new(0_u64);
    let outcome = StoredValue::new(data.outcome.clone());
    let suggestion = Memo::new(move |_| {
        let list = draft_of(&answers.get(), None, String::new(), String::new()).answers;
        outcome.with_value(|o| caf::suggest_status(o, &caf_answers(&list)))
    });
    let scope_id = data.scope.id;
    let outcome_id = data.outcome.id.clone();
    let slug = StoredValue::new(slug);
    let outcome_key = StoredValue::new(outcome_id.clone());

    // Sends what is on screen; on success, sends again if more was typed meanwhile.
    let save_now = move || {
        if matches!(
            state.get_untracked(),
            SaveState::Saving | SaveState::Conflict(_)
        ) {
            return;
        }
        let sent_at = edits.get_untracked();
        let draft = draft_of(
            &answers.get_untracked(),
            confirmed.get_untracked(),
            justification.get_untracked(),
            narrative.get_untracked(),
        );
        state.set(SaveState::Saving);
        spawn_local(async move {
            let result = save_outcome(
                slug.get_value(),
                scope_id,
                outcome_key.get_value(),
                version.get_untracked(),
                draft,
            )
            .await;
            match result {
                Ok(SaveResult::Saved { version: v, at, .. }) => {
                    version.set(v);
                    if edits.get_untracked() == sent_at {
                        state.set(SaveState::Saved(Some(at)));
                    } else {
                        state.set(SaveState::Pending);
                    }
                }
                Ok(SaveResult::Conflict(current)) => {
                    state.set(SaveState::Conflict(Box::new(current)))
                }
                Err(error) => state.set(SaveState::Failed(error.to_string())),
            }
        });
    };
    // Every change waits a moment for more typing, then saves.
    let changed = move || {
        if !editable {
            return;
        }
        edits.update(|n| *n += 1);
        if !matches!(
            state.get_untracked(),
            SaveState::Conflict(_) | SaveState::Saving
        ) {
            state.set(SaveState::Pending);
        }
        let at = edits.get_untracked();
        set_timeout(
            move || {
                if edits.get_untracked() == at {
                    save_now();
                }
            },
            Duration::from_millis(700),
        );
    };
    // A save that finished while more was typed leaves Pending: send the rest.
    Effect::new(move |_| {
        if state.get() == SaveState::Pending && edits.get_untracked() > 0 {
            let at = edits.get_untracked();
            set_timeout(
                move || {
                    if edits.get_untracked() == at && state.get_untracked() == SaveState::Pending {
                        save_now();
                    }
                },
                Duration::from_millis(700),
            );
        }
    });
    let use_theirs = move |theirs: OutcomeRecord| {
        answers.set(answers_of(&theirs));
        confirmed.set(theirs.draft.confirmed.clone());
        justification.set(theirs.draft.justification.clone());
        version.set(theirs.version);
        state.set(SaveState::Saved(theirs.updated_at.clone()));
    };
    let keep_mine = move |theirs: OutcomeRecord| {
        version.set(theirs.version);
        state.set(SaveState::Pending);
        save_now();
    };
    let columns: Vec<(Column, Vec<Indicator>, String)> = Column::ALL
        .into_iter()
        .map(|c| {
            (
                c,
                data.outcome.indicators.column(c).to_vec(),
                data.outcome.column_rule(c).unwrap_or_default().to_owned(),
            )
        })
        .filter(|(_, items, _)| !items.is_empty())
        .collect();
    let flags: BTreeMap<String, CarriedStatementView> = data
        .carry
        .iter()
        .filter(|n| n.waiting())
        .flat_map(|n| {
            n.statements
                .iter()
                .map(|s| (s.indicator.clone(), s.clone()))
        })
        .collect();
    let differs = move || {
        confirmed
            .get()
            .as_deref()
            .and_then(Status::from_key)
            .is_some_and(|c| c != suggestion.get().status)
    };
    view! {
        <section aria-labelledby="answers-heading">
            <div class="answers-bar">
                <h2 class="heading-m" id="answers-heading">"Indicators of good practice"</h2>
                <p class="save-state" role="status" aria-live="polite" id="save-state">
                    {move || match state.get() {
                        SaveState::Saved(Some(at)) => format!("All changes saved ({})", when(&at)),
                        SaveState::Saved(None) => "Nothing saved yet".to_owned(),
                        SaveState::Pending => "Unsaved changes…".to_owned(),
                        SaveState::Saving => "Saving…".to_owned(),
                        SaveState::Failed(_) => "Not saved".to_owned(),
                        SaveState::Conflict(_) => "Not saved: someone else changed this outcome".to_owned(),
                    }}
                </p>
            </div>
            {move || match state.get() {
                SaveState::Failed(message) => Some(view! {
                    <div class="error-summary" role="alert">
                        <p class="body">{format!("Your last change was not saved: {message}")}</p>
                        <p class="body">"Everything you typed is still on this page."</p>
                        <button type="button" class="button button--secondary" on:click=move |_| { state.set(SaveState::Pending); save_now(); }>"Try again"</button>
                    </div>
                }.into_any()),
                SaveState::Conflict(theirs) => {
                    let theirs = *theirs;
                    let mine = draft_of(&answers.get_untracked(), confirmed.get_untracked(), justification.get_untracked(), narrative.get_untracked());
                    let changes = conflict_lines(&mine, &theirs);
                    let t1 = theirs.clone();
                    let t2 = theirs.clone();
                    Some(view! {
                        <div class="error-summary conflict" role="alert" id="conflict">
                            <h3 class="heading-s">"Someone else saved this outcome while you were editing"</h3>
                            <p class="body">{format!(
                                "{} saved version {}{}. Nothing of your last change was stored. Where their version differs from yours:",
                                theirs.updated_by.clone().unwrap_or_else(|| "Another person".into()),
                                theirs.version,
                                theirs.updated_at.as_deref().map(|a| format!(" at {}", when(a))).unwrap_or_default(),
                            )}</p>
                            <ul class="list list--bullet">{changes.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ul>
                            <p class="body">"Your narrative, to copy or re-apply:"</p>
                            <textarea class="textarea" readonly rows="4" aria-label="Your narrative">{mine.narrative.clone()}</textarea>
                            <div class="inline-form">
                                <button type="button" class="button" id="keep-mine" on:click=move |_| keep_mine(t1.clone())>"Save my version over theirs"</button>
                                <button type="button" class="button button--secondary" id="use-theirs" on:click=move |_| use_theirs(t2.clone())>"Use their answers (keep my narrative to edit)"</button>
                            </div>
                        </div>
                    }.into_any())
                }
                _ => None,
            }}
            <div class="suggestion" id="suggestion" aria-live="polite">
                <p class="body">"Suggested status: " {move || view! { <StatusTag status=suggestion.get().status /> }}</p>
                <p class="body secondary" id="suggestion-reason">{move || suggestion.get().reason}</p>
            </div>
            <div class="igp-table">
                {columns.into_iter().map(|(column, items, rule)| {
                    let class = match column { Column::NotAchieved => "column--red", Column::PartiallyAchieved => "column--amber", Column::Achieved => "column--green" };
                    view! {
                        <section class=format!("igp-column {class}") aria-label=column.label()>
                            <h3 class="igp-column__heading">{column.label()}</h3>
                            <p class="igp-column__rule">{rule}</p>
                            <ul class="igp-list">
                                {items.into_iter().map(|indicator| { let flag = flags.get(&indicator.id).cloned(); view! { <AnswerRow indicator answers editable changed flag /> } }).collect_view()}
                            </ul>
                        </section>
                    }
                }).collect_view()}
            </div>
            <fieldset class="fieldset" disabled=!editable>
                <legend class="heading-s">"Confirmed status"</legend>
                <p class="hint">"Confirm the status you judge right. If it differs from the suggestion, say why: reviewers and reports will show it."</p>
                <div class="radios">
                    {Status::ALL.into_iter().map(|s| {
                        let id = format!("confirm-{}", s.key());
                        view! {
                            <div class="radio">
                                <input type="radio" name="confirmed" id=id.clone() value=s.key()
                                    prop:checked=move || confirmed.get().as_deref() == Some(s.key())
                                    on:change=move |_| { confirmed.set(Some(s.key().to_owned())); changed(); } />
                                <label for=id>{s.label()}</label>
                            </div>
                        }
                    }).collect_view()}
                </div>
                {move || differs().then(|| view! {
                    <div class="form-group inset inset--warning" id="differs">
                        <label class="label" for="status-justification">"Why does the confirmed status differ from the suggestion?"</label>
                        <textarea class="textarea" id="status-justification" rows="3"
                            prop:value=move || justification.get()
                            on:input=move |ev| { justification.set(event_target_value(&ev)); changed(); }></textarea>
                    </div>
                })}
            </fieldset>
            <div class="form-group">
                <label class="label" for="narrative">"Summary narrative"
                    <span class="hint">"How the outcome is met, or what is missing, in your words. Saved as you type."</span>
                </label>
                <textarea class="textarea" id="narrative" rows="6" disabled=!editable
                    prop:value=move || narrative.get()
                    on:input=move |ev| { narrative.set(event_target_value(&ev)); changed(); }></textarea>
            </div>
        </section>
    }
}

/// What differs between the person's unsaved draft and the version someone else stored.
fn conflict_lines(mine: &OutcomeDraft, theirs: &OutcomeRecord) -> Vec<String> {
    let mut lines = Vec::new();
    let show = |list: &[AnswerInput], id: &str| {
        list.iter()
            .find(|a| a.indicator == id)
            .map(|a| a.answer.replace('_', " "))
            .unwrap_or_else(|| "unanswered".into())
    };
    let mut ids: Vec<&str> = mine
        .answers
        .iter()
        .chain(theirs.draft.answers.iter())
        .map(|a| a.indicator.as_str())
        .collect();
    ids.sort();
    ids.dedup();
    for id in ids {
        let (m, t) = (show(&mine.answers, id), show(&theirs.draft.answers, id));
        if m != t {
            lines.push(format!("{id}: theirs {t}, yours {m}"));
        }
    }
    let label = |s: &Option<String>| {
        s.as_deref()
            .and_then(Status::from_key)
            .map(|s| s.label().to_owned())
            .unwrap_or_else(|| "not confirmed".into())
    };
    if mine.confirmed != theirs.draft.confirmed {
        lines.push(format!(
            "Confirmed status: theirs {}, yours {}",
            label(&theirs.draft.confirmed),
            label(&mine.confirmed)
        ));
    }
    if mine.justification.trim() != theirs.draft.justification.trim() {
        lines.push("The status justification differs.".into());
    }
    if mine.narrative != theirs.draft.narrative {
        lines.push(format!(
            "Narrative: theirs reads “{}”",
            theirs.draft.narrative.chars().take(300).collect::<String>()
        ));
    }
    if lines.is_empty() {
        lines.push("Nothing: their version matches yours.".into());
    }
    lines
}

#[component]
fn AnswerRow(
    indicator: Indicator,
    answers: RwSignal<Answers>,
    editable: bool,
    changed: impl Fn() + Copy + Send + Sync + 'static,
    flag: Option<CarriedStatementView>,
) -> impl IntoView {
    let id = StoredValue::new(indicator.id.clone());
    let dom = indicator.id.replace('.', "-");
    let current = move || answers.with(|a| id.with_value(|k| a.get(k).map(|x| x.0.clone())));
    let set = move |value: &str| {
        answers.update(|a| {
            let key = id.get_value();
            let justification = a.get(&key).map(|x| x.1.clone()).unwrap_or_default();
            a.insert(key, (value.to_owned(), justification));
        });
        changed();
    };
    let clear = move |_| {
        answers.update(|a| {
            a.remove(&id.get_value());
        });
        changed();
    };
    let na_id = format!("na-{dom}");
    view! {
        <li class="igp igp--answer">
            <fieldset class="igp__fieldset" disabled=!editable>
                <legend class="igp__text"><span class="igp__id">{indicator.id.clone()}</span>" "{indicator.display_text().to_owned()}</legend>
                {flag.map(|statement| view! { <StatementFlag statement /> })}
                <div class="igp__choices">
                    {[("true", "True"), ("false", "False"), ("not_applicable", "Not applicable")].into_iter().map(|(value, label)| {
                        let input = format!("{}-{dom}", value.replace('_', "-"));
                        view! {
                            <span class="choice">
                                <input type="radio" name=format!("answer-{dom}") id=input.clone() value=value
                                    prop:checked=move || current().as_deref() == Some(value)
                                    on:change=move |_| set(value) />
                                <label for=input>{label}</label>
                            </span>
                        }
                    }).collect_view()}
                    {move || current().is_some().then(|| view! {
                        <button type="button" class="link-button" on:click=clear>"Clear"</button>
                    })}
                </div>
                {move || (current().as_deref() == Some("not_applicable")).then(|| view! {
                    <div class="form-group igp__na">
                        <label class="hint" for=na_id.clone()>"Why it does not apply: name the compensating measure (required)"</label>
                        <input class="input" type="text" id=na_id.clone()
                            prop:value=move || answers.with(|a| id.with_value(|k| a.get(k).map(|x| x.1.clone()).unwrap_or_default()))
                            on:input=move |ev| {
                                let text = event_target_value(&ev);
                                answers.update(|a| { a.insert(id.get_value(), ("not_applicable".into(), text)); });
                                changed();
                            } />
                    </div>
                })}
            </fieldset>
        </li>
    }
}

fn evidence_line(slug: &str, item: &EvidenceItem) -> AnyView {
    let classification = Classification::from_key(&item.fields.classification)
        .map(|c| c.label())
        .unwrap_or("");
    let title = item.fields.title.clone();
    let target = match (item.kind, &item.url) {
        (crate::assess::EvidenceKind::File, _) => {
            Some(format!("/org/{slug}/evidence/{}/download", item.id))
        }
        (crate::assess::EvidenceKind::Link, Some(url))
            if url.starts_with("https://") || url.starts_with("http://") =>
        {
            Some(url.clone())
        }
        _ => None,
    };
    let detail = match item.kind {
        crate::assess::EvidenceKind::File => format!(
            "File {} ({} bytes, SHA-256 {}…)",
            item.file_name.clone().unwrap_or_default(),
            item.file_size.unwrap_or_default(),
            item.sha256
                .clone()
                .unwrap_or_default()
                .chars()
                .take(12)
                .collect::<String>()
        ),
        crate::assess::EvidenceKind::Link => {
            format!("Link: {}", item.url.clone().unwrap_or_default())
        }
        crate::assess::EvidenceKind::Note => {
            format!("Note: {}", item.note.clone().unwrap_or_default())
        }
    };
    view! {
        <span>
            {match target {
                Some(href) if href.starts_with('/') => view! { <a href=href download="" rel="external">{title}</a> }.into_any(),
                Some(href) => view! { <a href=href rel="noopener noreferrer">{title}</a> }.into_any(),
                None => view! { <strong>{title}</strong> }.into_any(),
            }}
            " " <span class="tag tag--grey">{classification}</span>
            {item.stale.then(|| view! { " " <strong class="tag tag--red">"Review overdue"</strong> })}
            <span class="hint">{format!("{detail} · owner {} · review by {}", item.fields.owner, item.fields.review_by.clone().unwrap_or_else(|| "not set".into()))}</span>
        </span>
    }
    .into_any()
}

#[component]
fn EvidencePanel(
    data: OutcomeWorkspace,
    slug: String,
    editable: bool,
    here: String,
) -> impl IntoView {
    let link = ServerAction::<LinkEvidence>::new();
    let add = ServerAction::<AddEvidence>::new();
    let reload = move |done: bool| {
        if done {
            crate::browser::go_to(&crate::browser::current_path());
        }
    };
    Effect::new(move |_| reload(matches!(link.value().get(), Some(Ok(())))));
    Effect::new(move |_| reload(matches!(add.value().get(), Some(Ok(_)))));
    let scope_id = data.scope.id;
    let outcome = data.outcome.id.clone();
    let upload_action = format!("/org/{slug}/evidence/upload");
    let max_upload = data.max_upload;
    // The upload form posts to a plain HTTP endpoint that redirects back here with its answer.
    let (upload_error, added) = {
        let query = use_query_map();
        let query = query.read_untracked();
        (query.get("upload_error"), query.get("added").is_some())
    };
    let upload_failed = upload_error.is_some();
    let (slug_b, outcome_b) = (slug.clone(), outcome.clone());
    let (slug_c, outcome_c) = (slug.clone(), outcome.clone());
    let outcome_d = outcome.clone();
    view! {
        <section aria-labelledby="evidence-heading">
            <h2 class="heading-m" id="evidence-heading">"Evidence"</h2>
            {upload_error.map(|e| view! {
                <div class="error-summary" role="alert" id="upload-error">
                    <p class="body">{format!("The file was not added: {e}")}</p>
                </div>
            })}
            {(added && !upload_failed).then(|| view! {
                <div class="inset" role="status" id="upload-added"><p class="body">"The file was added to the register and linked to this outcome."</p></div>
            })}
            {if data.evidence.is_empty() {
                view! { <p class="body secondary">"No evidence is linked to this outcome yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="list evidence-list" id="linked-evidence">
                        {data.evidence.iter().map(|item| {
                            let id = item.id;
                            let line = evidence_line(&slug, item);
                            let (s, o) = (slug.clone(), outcome.clone());
                            view! {
                                <li>
                                    {line}
                                    {editable.then(|| view! {
                                        <ActionForm action=link attr:class="inline-form">
                                            <input type="hidden" name="slug" value=s />
                                            <input type="hidden" name="evidence" value=id />
                                            <input type="hidden" name="scope_id" value=scope_id />
                                            <input type="hidden" name="outcome" value=o />
                                            <input type="hidden" name="link" value="false" />
                                            <button type="submit" class="link-button">"Unlink"</button>
                                        </ActionForm>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {editable.then(|| view! {
                <FormError value=link.value() />
                <FormError value=add.value() />
                {(!data.other_evidence.is_empty()).then(|| view! {
                    <ActionForm action=link attr:class="form form--inline">
                        <input type="hidden" name="slug" value=slug_b.clone() />
                        <input type="hidden" name="scope_id" value=scope_id />
                        <input type="hidden" name="outcome" value=outcome_b.clone() />
                        <input type="hidden" name="link" value="true" />
                        <div class="form-group">
                            <label class="label" for="link-existing">"Link evidence from the register"</label>
                            <select class="select" id="link-existing" name="evidence">
                                {data.other_evidence.iter().map(|(id, title)| view! { <option value=*id>{title.clone()}</option> }).collect_view()}
                            </select>
                        </div>
                        <button type="submit" class="button button--secondary">"Link"</button>
                    </ActionForm>
                })}
                <details class="details" id="add-link">
                    <summary class="details__summary">"Add a link or a note"</summary>
                    <ActionForm action=add attr:class="form">
                        <input type="hidden" name="slug" value=slug_c.clone() />
                        <input type="hidden" name="scope_id" value=scope_id />
                        <input type="hidden" name="outcome" value=outcome_c.clone() />
                        <div class="form-group">
                            <label class="label" for="ev-kind">"Kind"</label>
                            <select class="select" id="ev-kind" name="kind">
                                <option value="link">"Link (SharePoint, a ticket, a policy id)"</option>
                                <option value="note">"Note"</option>
                            </select>
                        </div>
                        <EvidenceFieldsForm prefix="ev" />
                        <div class="form-group">
                            <label class="label" for="ev-url">"Address or reference (for a link)"</label>
                            <input class="input" id="ev-url" name="url" type="text" spellcheck="false" />
                        </div>
                        <div class="form-group">
                            <label class="label" for="ev-note">"Note (for a note)"</label>
                            <textarea class="textarea" id="ev-note" name="note" rows="3"></textarea>
                        </div>
                        <button type="submit" class="button">"Add and link"</button>
                    </ActionForm>
                </details>
                <details class="details" id="add-file" open=upload_failed>
                    <summary class="details__summary">"Upload a file"</summary>
                    <form class="form" method="post" enctype="multipart/form-data" action=upload_action.clone()>
                        <input type="hidden" name="scope_id" value=scope_id />
                        <input type="hidden" name="outcome" value=outcome_d.clone() />
                        <input type="hidden" name="next" value=here.clone() />
                        <EvidenceFieldsForm prefix="up" />
                        <div class="form-group">
                            <label class="label" for="up-file">"File" <span class="hint">{crate::filetypes::upload_hint(max_upload)}</span></label>
                            <input class="file-upload" id="up-file" name="file" type="file" accept=crate::filetypes::accept_attribute() required />
                        </div>
                        <button type="submit" class="button">"Upload and link"</button>
                    </form>
                </details>
            })}
        </section>
    }
}

/// Title, owner, dates and classification: the fields every evidence item has, empty or filled
/// with an item's current details.
#[component]
pub fn EvidenceFieldsForm(
    prefix: &'static str,
    #[prop(optional)] values: Option<crate::assess::EvidenceFields>,
) -> impl IntoView {
    let id = move |f: &str| format!("{prefix}-{f}");
    let values = values.unwrap_or_default();
    let sensitive = values.classification == "official_sensitive";
    view! {
        <div class="form-group">
            <label class="label" for=id("title")>"Title"</label>
            <input class="input" id=id("title") name="title" type="text" required value=values.title />
        </div>
        <div class="form-group">
            <label class="label" for=id("owner")>"Owner" <span class="hint">"A person or team"</span></label>
            <input class="input" id=id("owner") name="owner" type="text" required value=values.owner />
        </div>
        <div class="form--inline">
            <div class="form-group">
                <label class="label" for=id("describes")>"Date it describes"</label>
                <input class="input input--short" id=id("describes") name="describes_date" type="date" value=values.describes_date />
            </div>
            <div class="form-group">
                <label class="label" for=id("review")>"Review by"</label>
                <input class="input input--short" id=id("review") name="review_by" type="date" value=values.review_by />
            </div>
            <div class="form-group">
                <label class="label" for=id("class")>"Classification"</label>
                <select class="select" id=id("class") name="classification">
                    <option value="official" selected=!sensitive>"OFFICIAL"</option>
                    <option value="official_sensitive" selected=sensitive>"OFFICIAL-SENSITIVE"</option>
                </select>
            </div>
        </div>
    }
}

#[component]
fn Comments(data: OutcomeWorkspace, slug: String) -> impl IntoView {
    let add = ServerAction::<AddComment>::new();
    let resolve = ServerAction::<ResolveComment>::new();
    Effect::new(move |_| {
        if matches!(add.value().get(), Some(Ok(_))) || matches!(resolve.value().get(), Some(Ok(())))
        {
            crate::browser::go_to(&crate::browser::current_path());
        }
    });
    let can_comment = data.role.can(Permission::Comment)
        && data.scope.state != crate::assess::ScopeState::SignedOff;
    view! {
        <section aria-labelledby="comments-heading">
            <h2 class="heading-m" id="comments-heading">{format!("Comments ({} open)", data.comments.iter().filter(|c| c.resolved.is_none()).count())}</h2>
            <ol class="comments" id="comments">
                {data.comments.iter().map(|c| {
                    let id = c.id;
                    let s = slug.clone();
                    view! {
                        <li class=if c.resolved.is_some() { "comment comment--resolved" } else { "comment" }>
                            <p class="comment__meta">{format!("{} · {}", c.author, when(&c.created_at))}</p>
                            <p class="comment__body">{c.body.clone()}</p>
                            {match c.resolved.clone() {
                                Some((who, at)) => view! { <p class="hint">{format!("Resolved by {who}, {}", when(&at))}</p> }.into_any(),
                                None => can_comment.then(|| view! {
                                    <ActionForm action=resolve attr:class="inline-form">
                                        <input type="hidden" name="slug" value=s />
                                        <input type="hidden" name="comment" value=id />
                                        <button type="submit" class="link-button">"Mark resolved"</button>
                                    </ActionForm>
                                }).into_any(),
                            }}
                        </li>
                    }
                }).collect_view()}
            </ol>
            {can_comment.then(|| view! {
                <FormError value=add.value() />
                <ActionForm action=add attr:class="form">
                    <input type="hidden" name="slug" value=slug.clone() />
                    <input type="hidden" name="scope_id" value=data.scope.id />
                    <input type="hidden" name="outcome" value=data.outcome.id.clone() />
                    <div class="form-group">
                        <label class="label" for="comment-body">"Add a comment"</label>
                        <textarea class="textarea" id="comment-body" name="body" rows="3" required></textarea>
                    </div>
                    <button type="submit" class="button button--secondary">"Add comment"</button>
                </ActionForm>
            })}
        </section>
    }
}

#[component]
fn Workflow(data: OutcomeWorkspace, slug: String, here: String) -> impl IntoView {
    let step = ServerAction::<WorkflowStep>::new();
    let here = StoredValue::new(here);
    Effect::new(move |_| {
        if matches!(step.value().get(), Some(Ok(_))) {
            crate::browser::go_to(&here.get_value());
        }
    });
    let actions = data.actions_available.clone();
    let (scope_id, outcome_id) = (data.scope.id, data.outcome.id.clone());
    (!actions.is_empty()).then(|| {
        view! {
            <section aria-labelledby="workflow-heading" class="workflow">
                <h2 class="heading-m" id="workflow-heading">{format!("Review and sign-off: {}", data.scope.name)}</h2>
                <p class="body">{format!("This scope is {}.", data.scope.state.label().to_lowercase())}
                    {actions.contains(&WorkflowAction::SignOff).then_some(" Signing off freezes every answer, status, narrative and the evidence list in a snapshot with its SHA-256. Nothing can change afterwards.")}
                </p>
                <FormError value=step.value() />
                {actions.iter().map(|a| {
                    let a = *a;
                    let (s, o) = (slug.clone(), outcome_id.clone());
                    view! {
                        <ActionForm action=step attr:class="form workflow__step">
                            <input type="hidden" name="slug" value=s />
                            <input type="hidden" name="scope_id" value=scope_id />
                            <input type="hidden" name="outcome" value=o />
                            <input type="hidden" name="action" value=a.key() />
                            {(a == WorkflowAction::Return).then(|| view! {
                                <div class="form-group">
                                    <label class="label" for="workflow-comment">"What needs to change" <span class="hint">"Required to return the scope; it is added to this outcome's comments."</span></label>
                                    <textarea class="textarea" id="workflow-comment" name="comment" rows="3"></textarea>
                                </div>
                            })}
                            <button type="submit"
                                class=if a == WorkflowAction::Return { "button button--secondary" } else { "button" }
                                id=format!("workflow-{}", a.key())>{a.label()}</button>
                        </ActionForm>
                    }
                }).collect_view()}
            </section>
        }
    })
}

#[component]
fn Actions(data: OutcomeWorkspace, slug: String) -> impl IntoView {
    let propose = ServerAction::<ProposeAction>::new();
    Effect::new(move |_| {
        if matches!(propose.value().get(), Some(Ok(_))) {
            crate::browser::go_to(&crate::browser::current_path());
        }
    });
    let lead = data.role.can(Permission::LeadAssessment);
    let can_propose = lead
        || (data.role.can(Permission::Assure)
            && data.scope.state != crate::assess::ScopeState::SignedOff);
    let below = crate::assess::short_of_target(
        data.record
            .draft
            .confirmed
            .as_deref()
            .and_then(Status::from_key),
        data.record.suggested,
        !data.record.draft.answers.is_empty(),
        data.target,
    ) == Some(true);
    view! {
        <section aria-labelledby="plan-heading">
            <h2 class="heading-m" id="plan-heading">"Improvement plan"</h2>
            {below.then(|| view! { <p class="body">"This outcome is below its target."</p> })}
            {if data.actions.is_empty() {
                view! { <p class="body secondary">"No actions for this outcome."</p> }.into_any()
            } else {
                view! {
                    <ul class="list" id="outcome-actions">
                        {data.actions.iter().map(|a| view! {
                            <li>{format!("{} — owner {}, due {}, {} (proposed by {})", a.description, a.owner, a.due.clone().unwrap_or_else(|| "not set".into()), a.status.label().to_lowercase(), a.proposed_by)}</li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {can_propose.then(|| view! {
                <details class="details">
                    <summary class="details__summary">{if lead { "Add an action" } else { "Propose an action" }}</summary>
                    <FormError value=propose.value() />
                    <ActionForm action=propose attr:class="form">
                        <input type="hidden" name="slug" value=slug.clone() />
                        <input type="hidden" name="scope_id" value=data.scope.id />
                        <input type="hidden" name="outcome" value=data.outcome.id.clone() />
                        <div class="form-group">
                            <label class="label" for="action-description">"Action"</label>
                            <textarea class="textarea" id="action-description" name="description" rows="2" required></textarea>
                        </div>
                        <div class="form--inline">
                            <div class="form-group">
                                <label class="label" for="action-owner">"Owner"</label>
                                <input class="input" id="action-owner" name="owner" type="text" required />
                            </div>
                            <div class="form-group">
                                <label class="label" for="action-due">"Due"</label>
                                <input class="input input--short" id="action-due" name="due" type="date" />
                            </div>
                        </div>
                        <button type="submit" class="button button--secondary">{if lead { "Add action" } else { "Propose action" }}</button>
                    </ActionForm>
                </details>
            })}
        </section>
    }
}

#[component]
fn History(data: OutcomeWorkspace) -> impl IntoView {
    view! {
        <section aria-labelledby="history-heading">
            <details class="details" id="history">
                <summary class="details__summary"><span id="history-heading">{format!("History ({})", crate::components::count(data.history.len() as i64, "change", "changes"))}</span></summary>
                <ol class="list history">
                    {data.history.iter().map(|h| view! {
                        <li><span class="hint">{format!("{} · {}", when(&h.at), h.actor)}</span>{h.summary.clone()}</li>
                    }).collect_view()}
                </ol>
            </details>
        </section>
    }
}
