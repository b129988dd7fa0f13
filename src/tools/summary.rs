//! Small helpers for the one-line summaries agents read (formats: contract Part B 3.3).

use serde_json::Value;

/// `1 job`, `2 jobs`, `0 jobs`.
pub fn count(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

/// Length of the array under `key`, 0 when absent.
pub fn len_of(data: &Value, key: &str) -> usize {
    data.get(key).and_then(Value::as_array).map_or(0, Vec::len)
}

/// A non-empty string, or a number, at `key`, as text.
pub fn text_of(data: &Value, key: &str) -> Option<String> {
    match data.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The first of `keys` that has text.
pub fn first_text(data: &Value, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| text_of(data, k))
}

/// ` next_cursor=<value>.` when the key is present (even when null), as the TypeScript server did.
pub fn next_cursor_suffix(data: &Value) -> String {
    match data.get("next_cursor") {
        None => String::new(),
        Some(Value::Null) => " next_cursor=null.".to_string(),
        Some(Value::String(s)) => format!(" next_cursor={s}."),
        Some(other) => format!(" next_cursor={other}."),
    }
}

/// `$0.12`, or `$0.0042` below a cent.
pub fn usd(amount: f64) -> String {
    if amount != 0.0 && amount.abs() < 0.01 {
        format!("${amount:.4}")
    } else {
        format!("${amount:.2}")
    }
}

/// A cost that may be a number or a `{min, max}` range, printed as numbers (never as an object).
pub fn cost(value: &Value) -> Option<String> {
    match value {
        Value::Number(n) => n.as_f64().map(usd),
        Value::Object(range) => {
            let min = range.get("min").and_then(Value::as_f64);
            let max = range.get("max").and_then(Value::as_f64);
            match (min, max) {
                (Some(a), Some(b)) if (a - b).abs() < f64::EPSILON => Some(usd(a)),
                (Some(a), Some(b)) => Some(format!("{}-{}", usd(a), usd(b))),
                (Some(a), None) => Some(format!("from {}", usd(a))),
                (None, Some(b)) => Some(format!("up to {}", usd(b))),
                (None, None) => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn plural_only_for_other_than_one() {
        assert_eq!(count(1, "entry", "entries"), "1 entry");
        assert_eq!(count(0, "entry", "entries"), "0 entries");
        assert_eq!(count(2, "job", "jobs"), "2 jobs");
    }

    #[test]
    fn cost_ranges_are_numbers() {
        assert_eq!(
            cost(&json!({"min": 0.1, "max": 0.2})).unwrap(),
            "$0.10-$0.20"
        );
        assert_eq!(cost(&json!({"min": 1.5, "max": 1.5})).unwrap(), "$1.50");
        assert_eq!(cost(&json!(0.004)).unwrap(), "$0.0040");
        assert_eq!(cost(&json!({"max": 3})).unwrap(), "up to $3.00");
        assert_eq!(cost(&json!("n/a")), None);
    }

    #[test]
    fn cursor_suffix() {
        assert_eq!(
            next_cursor_suffix(&json!({"next_cursor": 2})),
            " next_cursor=2."
        );
        assert_eq!(
            next_cursor_suffix(&json!({"next_cursor": "110"})),
            " next_cursor=110."
        );
        assert_eq!(
            next_cursor_suffix(&json!({"next_cursor": null})),
            " next_cursor=null."
        );
        assert_eq!(next_cursor_suffix(&json!({})), "");
    }
}
