//! On the outcome page of a carried-forward outcome: where it came from, whether a person has
//! re-confirmed it, and for each statement whose wording changed, last year's text beside this
//! year's.

use crate::components::{FormError, when};
use crate::cycle::{CarriedStatementView, CarryNote, answer_words, change_words};
use crate::cycle_api::ReconfirmOutcome;
use caf::StatementChange;
use leptos::prelude::*;

/// The panel above the answers.
#[component]
pub fn CarryPanel(
    note: CarryNote,
    slug: String,
    scope_id: i64,
    outcome: String,
    editable: bool,
) -> impl IntoView {
    let reconfirm = ServerAction::<ReconfirmOutcome>::new();
    let done = move || reconfirm.value().get().is_some_and(|r| r.is_ok());
    let source = format!(
        "Carried forward from {} ({}, CAF {} {}).",
        note.from_title, note.from_period, note.from_version, note.from_outcome
    );
    let changed = note
        .statements
        .iter()
        .filter(|s| s.change != StatementChange::New)
        .count();
    let new = note.statements.len() - changed;
    match note.reconfirmed.clone() {
        Some((who, at)) => view! {
            <div class="inset" id="carry-note">
                <p class="body">{source}" "{format!("Re-confirmed by {who} on {}.", when(&at))}</p>
            </div>
        }.into_any(),
        None => view! {
            <div class="inset inset--warning" id="carry-note">
                <h2 class="heading-s">{move || if done() { "Re-confirmed" } else { "Carried forward, not yet re-confirmed" }}</h2>
                <p class="body">{source}" "
                    {match (changed, new) {
                        (0, 0) => "Every statement reads as it did last year.".to_owned(),
                        (c, n) => format!("{c} statement(s) moved or changed wording and {n} are new: each is marked below."),
                    }}
                </p>
                <p class="body">"Check the answers, status, narrative and evidence still hold, then re-confirm. Saving a change re-confirms it too."</p>
                <FormError value=reconfirm.value() />
                {(editable).then(|| view! {
                    <ActionForm action=reconfirm attr:class="inline-form">
                        <input type="hidden" name="slug" value=slug />
                        <input type="hidden" name="scope_id" value=scope_id.to_string() />
                        <input type="hidden" name="outcome" value=outcome />
                        <button type="submit" class="button" id="reconfirm" disabled=done>"Re-confirm this outcome"</button>
                    </ActionForm>
                })}
            </div>
        }.into_any(),
    }
}

/// The flag under a statement whose wording changed, moved column or is new.
#[component]
pub fn StatementFlag(statement: CarriedStatementView) -> impl IntoView {
    let class = match statement.change {
        StatementChange::New => "tag tag--grey",
        _ => "tag tag--amber",
    };
    view! {
        <div class="carried-flag">
            <strong class=class>{change_words(statement.change)}</strong>
            {match statement.change {
                StatementChange::New => view! { <span class="hint">" Not in last year's framework: answer it fresh."</span> }.into_any(),
                _ => view! {
                    <div class="carried-flag__was">
                        {statement.previous.into_iter().map(|(id, column, text)| view! {
                            <p class="hint">{format!("Last year ({id}, {column}): ")}<q>{text}</q></p>
                        }).collect_view()}
                        <p class="hint">{format!("Last year's answer: {}", statement.previous_answer.as_deref().map(answer_words).unwrap_or("none carried (the statements it came from were answered differently)"))}</p>
                    </div>
                }.into_any(),
            }}
        </div>
    }
}
