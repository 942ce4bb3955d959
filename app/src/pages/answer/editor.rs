//! The answer form: each IGP statement answered, the live suggested status, the confirmed
//! status and narrative, autosaved with the version check, and the conflict view.

use crate::assess::{
    AnswerInput, OutcomeDraft, OutcomeRecord, OutcomeWorkspace, SaveResult, caf_answers,
};
use crate::assess_api::save_outcome;
use crate::components::{StatusTag, when};
use crate::cycle::CarriedStatementView;
use crate::pages::carried::StatementFlag;
use caf::{Column, Indicator, Status};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;
use std::time::Duration;

/// Where the autosave is.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum SaveState {
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

pub(super) type Answers = BTreeMap<String, (String, String)>;

pub(super) fn answers_of(record: &OutcomeRecord) -> Answers {
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

pub(super) fn draft_of(
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

/// The answers, the live suggestion, the confirmed status and the narrative, autosaved.
#[component]
pub(super) fn Editor(data: OutcomeWorkspace, slug: String, editable: bool) -> impl IntoView {
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
pub(super) fn conflict_lines(mine: &OutcomeDraft, theirs: &OutcomeRecord) -> Vec<String> {
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
pub(super) fn AnswerRow(
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
