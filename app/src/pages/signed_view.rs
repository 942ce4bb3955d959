//! A signed-off outcome: the sign-off that froze it, and its answers as text (nothing to edit).

use crate::assess::{OutcomeWorkspace, SignOff};
use crate::components::{StatusTag, when};
use caf::{Column, Status};
use leptos::prelude::*;

/// Who signed the scope off, when, and the SHA-256 of the signed snapshot.
#[component]
pub fn SignOffPanel(sign_off: SignOff, scope: String) -> impl IntoView {
    view! {
        <section class="signed-off" id="sign-off" aria-labelledby="sign-off-heading">
            <h2 class="heading-m" id="sign-off-heading">{format!("{scope} is signed off")}</h2>
            <dl class="facts">
                <div><dt>"Approver"</dt><dd id="sign-off-approver">{sign_off.approver.clone()}</dd></div>
                <div><dt>"Signed off"</dt><dd id="sign-off-at">{when(&sign_off.signed_at)}</dd></div>
            </dl>
            <p class="body">
                "Snapshot SHA-256: "<code class="hash" id="sign-off-hash">{sign_off.sha256.clone()}</code>
            </p>
            <p class="hint">"The answers below are those of the signed snapshot; they cannot change."</p>
        </section>
    }
}

/// An answer key in words.
fn answer_words(answer: &str) -> &'static str {
    match answer {
        "true" => "True",
        "false" => "False",
        "not_applicable" => "Not applicable",
        _ => "Not answered",
    }
}

/// The outcome's answers, statuses and narrative as text.
#[component]
pub fn SignedAnswers(data: OutcomeWorkspace) -> impl IntoView {
    let draft = data.record.draft.clone();
    let answer_of = |id: &str| draft.answers.iter().find(|a| a.indicator == id).cloned();
    let columns: Vec<_> = Column::ALL
        .into_iter()
        .map(|c| (c, data.outcome.indicators.column(c).to_vec()))
        .filter(|(_, items)| !items.is_empty())
        .map(|(c, items)| {
            let rows: Vec<_> = items
                .into_iter()
                .map(|i| {
                    let answer = answer_of(&i.id);
                    let words = answer_words(
                        answer
                            .as_ref()
                            .map(|a| a.answer.as_str())
                            .unwrap_or_default(),
                    );
                    let justification = answer.map(|a| a.justification).filter(|j| !j.is_empty());
                    (
                        i.id.clone(),
                        i.display_text().to_owned(),
                        words,
                        justification,
                    )
                })
                .collect();
            (c, rows)
        })
        .collect();
    let confirmed = draft.confirmed.as_deref().and_then(Status::from_key);
    let suggested = data.record.suggested;
    view! {
        <section aria-labelledby="answers-heading" id="signed-answers">
            <h2 class="heading-m" id="answers-heading">"Indicators of good practice, as signed off"</h2>
            {columns.into_iter().map(|(column, rows)| view! {
                <h3 class="heading-s">{column.label()}</h3>
                <ul class="answer-list">
                    {rows.into_iter().map(|(id, text, words, justification)| view! {
                        <li>
                            <span class="igp__id">{id}</span>
                            {text}
                            <span class="hint">"Answer: "<span class="answer-list__answer">{words}</span></span>
                            {justification.map(|j| view! { <span class="hint">{format!("Why, and the compensating measure: {j}")}</span> })}
                        </li>
                    }).collect_view()}
                </ul>
            }).collect_view()}
            <dl class="facts">
                <div><dt>"Suggested status"</dt><dd><StatusTag status=suggested /></dd></div>
                <div><dt>"Confirmed status"</dt><dd id="confirmed-status">{match confirmed {
                    Some(s) => view! { <StatusTag status=s /> }.into_any(),
                    None => view! { "not confirmed" }.into_any(),
                }}</dd></div>
            </dl>
            {(!draft.justification.is_empty()).then(|| view! {
                <h3 class="heading-s">"Why the confirmed status differs from the suggestion"</h3>
                <p class="body comment__body">{draft.justification.clone()}</p>
            })}
            <h3 class="heading-s">"Summary narrative"</h3>
            <p class="body comment__body" id="signed-narrative">{if draft.narrative.is_empty() { "None given.".to_owned() } else { draft.narrative.clone() }}</p>
        </section>
    }
}
