//! The start page.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::auth_api::current_viewer;
use crate::types::Stage;

/// What the app is for, and where to start.
#[component]
pub fn Home() -> impl IntoView {
    let viewer = Resource::new(|| (), |_| current_viewer());
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
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                viewer.await.ok().flatten().filter(|v| v.stage == Stage::Full).map(|v| view! {
                    <h2 class="heading-m">"Your organisations"</h2>
                    {if v.organisations.is_empty() {
                        view! {
                            <p class="body">"You are not a member of any organisation yet. An administrator can add you."</p>
                        }.into_any()
                    } else {
                        view! {
                            <ul class="list list--bullet" id="my-organisations">
                                {v.organisations.into_iter().map(|o| view! {
                                    <li><a href=format!("/org/{}", o.slug)>{o.name}</a>{format!(" – {}", o.role.label())}</li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                    {v.platform_admin.then(|| view! {
                        <p class="body"><a href="/admin">"Manage organisations and users"</a></p>
                    })}
                })
            })}
        </Transition>
        <h2 class="heading-m">"Start here"</h2>
        <ul class="list list--bullet">
            <li><a href="/frameworks">"Browse the framework versions"</a>" (CAF 3.2 and CAF 4.0)"</li>
            <li><a href="/changes/3.2/4.0">"See what changed from CAF 3.2 to CAF 4.0"</a></li>
        </ul>
    }
}
