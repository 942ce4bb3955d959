//! The list of stored framework versions.

use crate::api::list_frameworks;
use crate::components::{ErrorPanel, Loading};
use leptos::prelude::*;
use leptos_meta::Title;

/// Every framework version the app holds, with counts and where it came from.
#[component]
pub fn FrameworkList() -> impl IntoView {
    let frameworks = Resource::new(|| (), |_| list_frameworks());
    view! {
        <Title text="Framework versions" />
        <h1 class="heading-xl">"Framework versions"</h1>
        <p class="body">
            "The versions of the NCSC Cyber Assessment Framework this installation holds. "
            "Councils use CAF 3.2 today and move to CAF 4.0 from the 2026/27 cycle."
        </p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match frameworks.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-scroll" role="region" aria-label="Stored framework versions" tabindex="0"><table class="table">
                            <caption class="visually-hidden">"Stored framework versions"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Version"</th>
                                    <th scope="col">"Published"</th>
                                    <th scope="col" class="num">"Outcomes"</th>
                                    <th scope="col" class="num">"Indicators"</th>
                                    <th scope="col">"Source"</th>
                                    <th scope="col">"In use"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {list.into_iter().map(|f| view! {
                                    <tr>
                                        <th scope="row">
                                            <a href=format!("/frameworks/{}", f.version)>
                                                {format!("CAF {}", f.version)}
                                            </a>
                                            <span class="hint">{f.title.clone()}</span>
                                        </th>
                                        <td>{f.published.clone()}</td>
                                        <td class="num">{f.outcomes}</td>
                                        <td class="num">{f.indicators}</td>
                                        <td>{if f.origin == "bundled" { "Ships with the app" } else { "Imported" }}</td>
                                        <td>{match f.locked_at {
                                            Some(_) => "Yes: its text is frozen",
                                            None => "Not yet",
                                        }}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table></div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
