//! Text that no column can hold: PostgreSQL refuses a NUL character (U+0000) in text, so an
//! import finds every one, in values and in keys, and names its place instead of failing as a
//! server error part-way through writing.

use serde_json::Value;

/// The places (`scopes[0].outcomes[1].narrative`) of every text in `value` holding a NUL.
pub(super) fn nul_places(value: &Value, at: &str, out: &mut Vec<String>) {
    let join = |key: &str| {
        if at.is_empty() {
            key.to_owned()
        } else {
            format!("{at}.{key}")
        }
    };
    match value {
        Value::String(text) if text.contains('\0') => out.push(if at.is_empty() {
            "$".to_owned()
        } else {
            at.to_owned()
        }),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                nul_places(item, &format!("{at}[{i}]"), out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let place = join(&key.replace('\0', "\\u0000"));
                if key.contains('\0') {
                    out.push(place.clone());
                }
                nul_places(item, &place, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_nul_is_found_with_its_place() {
        let doc = serde_json::json!({
            "assessment": { "title": "ok", "period": "20\u{0}26" },
            "scopes": [ { "outcomes": [ { "narrative": "fine" }, { "narrative": "\u{0}" } ] } ],
            "bad\u{0}key": 1,
        });
        let mut found = Vec::new();
        nul_places(&doc, "", &mut found);
        found.sort();
        assert_eq!(
            found,
            [
                "assessment.period",
                "bad\\u0000key",
                "scopes[0].outcomes[1].narrative"
            ]
        );
    }
}
