//! The start page.

use leptos::prelude::*;
use leptos_meta::Title;

/// What the app is for, and where to start.
#[component]
pub fn Home() -> impl IntoView {
    view! {
        <Title text="" />
        <h1 class="heading-xl">"Cyber Assessment Framework self-assessment"</h1>
        <p class="lead">
            "Assess your council against the NCSC Cyber Assessment Framework (CAF) for local government: "
            "the organisation against objectives A and D, and each critical system against objectives B and C."
        </p>
        <p class="body">
            "Each contributing outcome is judged Not achieved, Partially achieved or Achieved from its "
            "Indicators of Good Practice. The app suggests a status from your answers using the same rule "
            "as the government's own tool, and you confirm it with your own judgement."
        </p>
        <h2 class="heading-m">"Start here"</h2>
        <ul class="list list--bullet">
            <li><a href="/frameworks">"Browse the framework versions"</a>" (CAF 3.2 and CAF 4.0)"</li>
            <li><a href="/changes/3.2/4.0">"See what changed from CAF 3.2 to CAF 4.0"</a></li>
        </ul>
    }
}
