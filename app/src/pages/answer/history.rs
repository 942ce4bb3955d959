//! The outcome's history: one line per audited change, newest first.

use crate::assess::OutcomeWorkspace;
use crate::components::when;
use leptos::prelude::*;

#[component]
pub(super) fn History(data: OutcomeWorkspace) -> impl IntoView {
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
