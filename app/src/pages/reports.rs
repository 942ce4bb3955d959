//! Board reports: every assessment whose report the member may read, with the HTML report
//! and the PDF.

use crate::components::{ErrorPanel, Loading};
use crate::reports_api::board_reports;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The board reports page.
#[component]
pub fn ReportsPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let data = Resource::new(slug, board_reports);
    view! {
        <Title text="Board reports" />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(view) => {
                        let slug = slug();
                        view! {
                            <span class="caption">{view.organisation.clone()}</span>
                            <h1 class="heading-xl">"Board reports"</h1>
                            <p class="lead">
                                "The report the board, the senior information risk owner and committees read: the summary, a heat map of every outcome, the gaps and the improvement plan, assurance and sign-off. "
                                "The HTML version is the accessible one; the PDF is for board packs."
                            </p>
                            {if view.reports.is_empty() {
                                view! {
                                    <p class="body" id="no-reports">
                                        {if view.sees_drafts {
                                            "There are no assessments yet."
                                        } else {
                                            "No board report has been signed off yet. A report appears here once every scope of an assessment is signed off by the approver."
                                        }}
                                    </p>
                                }.into_any()
                            } else {
                                view! {
                                    <div class="table-scroll" role="region" aria-label="Board reports" tabindex="0">
                                    <table class="table" id="report-list">
                                        <caption class="visually-hidden">"Board reports"</caption>
                                        <thead><tr>
                                            <th scope="col">"Assessment"</th>
                                            <th scope="col">"Framework"</th>
                                            <th scope="col">"State"</th>
                                            <th scope="col">"Report"</th>
                                        </tr></thead>
                                        <tbody>
                                            {view.reports.iter().map(|r| {
                                                let base = format!("/org/{slug}/assessments/{}", r.id);
                                                let state = match &r.signed_at {
                                                    Some(at) => format!("Signed off {}", at.chars().take(10).collect::<String>()),
                                                    None => format!("Draft: {} of {} scopes signed off", r.signed_off, r.scopes),
                                                };
                                                view! {
                                                    <tr>
                                                        <td>{r.title.clone()}<br /><span class="hint">{r.period.clone()}</span></td>
                                                        <td>{format!("CAF {}", r.framework_version)}</td>
                                                        <td>{state}</td>
                                                        <td>
                                                            <a href=format!("{base}/report.html") rel="external">"Read the report"<span class="visually-hidden">{format!(" {}", r.title)}</span></a>
                                                            " · "
                                                            <a href=format!("{base}/report.pdf") rel="external" download>"Download the PDF"<span class="visually-hidden">{format!(" of {}", r.title)}</span></a>
                                                        </td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                    </div>
                                }.into_any()
                            }}
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
