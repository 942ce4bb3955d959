//! The register fields every new evidence item has (title, owner, dates, classification),
//! shared by the register page and the outcome page's evidence panel.

use leptos::prelude::*;

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
