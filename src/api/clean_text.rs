//! Upstream text made safe to show: job logs and API messages may be written by an attacker, and
//! raw control characters (terminal escapes) or bidi overrides (text that reads differently than it
//! is) must not reach the agent or a terminal. Newlines and tabs stay.

use std::borrow::Cow;

use serde_json::Value;

/// Characters removed from upstream text: C0 and C1 controls except `\n` and `\t`, DEL, the bidi
/// embeddings, overrides and isolates (U+202A-202E, U+2066-2069) and the direction marks
/// (U+200E, U+200F, U+061C).
pub fn is_unsafe_char(c: char) -> bool {
    match c {
        '\n' | '\t' => false,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => true,
        '\u{200e}' | '\u{200f}' | '\u{061c}' => true,
        _ => false,
    }
}

/// `text` without the characters of [`is_unsafe_char`] (borrowed when there are none).
pub fn clean(text: &str) -> Cow<'_, str> {
    if text.chars().any(is_unsafe_char) {
        Cow::Owned(text.chars().filter(|c| !is_unsafe_char(*c)).collect())
    } else {
        Cow::Borrowed(text)
    }
}

/// Cleans every string in a JSON value, keys included, in place.
pub fn clean_value(value: &mut Value) {
    match value {
        Value::String(s) => {
            if let Cow::Owned(cleaned) = clean(s) {
                *s = cleaned;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(clean_value),
        Value::Object(map) => {
            if map.keys().any(|k| k.chars().any(is_unsafe_char)) {
                let old = std::mem::take(map);
                for (key, item) in old {
                    map.insert(clean(&key).into_owned(), item);
                }
            }
            map.values_mut().for_each(clean_value);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn controls_and_bidi_are_removed_newlines_and_tabs_kept() {
        assert_eq!(clean("plain text"), Cow::Borrowed("plain text"));
        assert_eq!(clean("a\nb\tc"), "a\nb\tc");
        assert_eq!(clean("red\u{1b}[31mX\u{1b}[0m\r\u{7}"), "red[31mX[0m");
        assert_eq!(clean("c1\u{85}\u{9b}x\u{7f}"), "c1x");
        assert_eq!(
            clean("evil\u{202e}txt.exe\u{2066}i\u{2069}\u{200e}\u{200f}\u{61c}"),
            "eviltxt.exei"
        );
        // Other non-ASCII text is untouched.
        assert_eq!(clean("naïve 日本 🚀"), "naïve 日本 🚀");
    }

    #[test]
    fn every_string_in_a_value_is_cleaned() {
        let mut v = json!({
            "message": "ok\u{1b}]0;title\u{7}",
            "logs": [{"line": "x\u{202e}y"}, 3, null],
            "k\u{0}ey": "v",
        });
        clean_value(&mut v);
        assert_eq!(
            v,
            json!({"message": "ok]0;title", "logs": [{"line": "xy"}, 3, null], "key": "v"})
        );
    }
}
