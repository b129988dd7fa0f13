//! Idempotent creates (contract Part A.11): the `Idempotency-Key` sent with `submit_job` and
//! `upload_job_input`, either the agent's own `idempotency_key` or one derived from the caller and
//! the canonical request body, so that a host re-issuing the same call starts nothing new.
//!
//! A derived key is stable for [`WINDOW`] from the first time this process saw the request: the
//! process remembers it ([`KeyMemory`]), so a repeat 9 minutes later replays even if a 10-minute
//! boundary passed in between. A process that never saw the request (a restart, another hosted
//! replica) derives the key from the caller, the body and the 10-minute bucket of the clock, so two
//! replicas agree within a bucket; only a repeat that both straddles a bucket boundary and lands
//! on a process that did not see the original gets a new key. The API keeps keys for 24 hours, so
//! an explicit `idempotency_key` has no such edge.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::error::{Error, Result};

/// How long a derived key keeps answering with the first result.
pub const WINDOW: Duration = Duration::from_secs(10 * 60);
/// Longest key the API accepts.
pub const MAX_KEY_LEN: usize = 255;
/// Derived keys remembered at most; older ones are dropped first.
const MEMORY_CAP: usize = 10_000;
/// Prefix of derived keys, so they are recognisable in the API's records.
const DERIVED_PREFIX: &str = "mcp-auto-";

/// Checks an agent's `idempotency_key`: 1-255 printable ASCII characters, trimmed.
pub fn validate_key(name: &str, raw: &str) -> Result<String> {
    let key = raw.trim();
    if key.is_empty() {
        return Err(Error::invalid_argument(format!(
            "{name} must not be empty; omit it to let the server derive one."
        )));
    }
    if key.len() > MAX_KEY_LEN {
        return Err(Error::invalid_argument(format!(
            "{name} must be at most {MAX_KEY_LEN} characters."
        )));
    }
    if !key.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
        return Err(Error::invalid_argument(format!(
            "{name} must contain only printable ASCII characters (letters, digits, punctuation, \
spaces), e.g. a UUID."
        )));
    }
    Ok(key.to_string())
}

/// JSON with object keys sorted at every level: equal values give equal text whatever the order
/// the caller wrote them in.
pub fn canonical_json(value: &Value) -> String {
    fn write(value: &Value, out: &mut String) {
        match value {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                out.push('{');
                for (i, key) in keys.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(key.clone()).to_string());
                    out.push(':');
                    write(&map[key], out);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(item, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    write(value, &mut out);
    out
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Who is calling, as an opaque hash: never the credential itself (the API client's own
/// [`crate::api::ApiClient::caller_id`]).
pub use crate::api::client::caller_from_api_key;

/// The hosted caller: the token's subject and workspace (a refreshed token is the same caller).
pub fn caller_from_subject(user_id: &str, workspace_id: &str) -> String {
    sha256_hex(format!("oauth\n{user_id}\n{workspace_id}").as_bytes())
}

/// The request a key stands for: caller, operation and canonical body.
pub fn fingerprint(caller: &str, operation: &str, body: &Value) -> String {
    sha256_hex(format!("{caller}\n{operation}\n{}", canonical_json(body)).as_bytes())
}

/// The key for `fingerprint` in the 10-minute bucket `bucket` (seconds since the epoch / 600).
pub fn derive_key(fingerprint: &str, bucket: u64) -> String {
    let hash = sha256_hex(format!("{fingerprint}\n{bucket}").as_bytes());
    format!("{DERIVED_PREFIX}{}", &hash[..40])
}

/// Whether a key was derived by this server (rather than given by the agent).
pub fn is_derived(key: &str) -> bool {
    key.starts_with(DERIVED_PREFIX)
}

fn unix_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The derived keys this process handed out, each kept for [`WINDOW`] from its first use.
#[derive(Debug, Default)]
pub struct KeyMemory {
    keys: Mutex<HashMap<String, (String, Instant)>>,
}

impl KeyMemory {
    /// The key for `fingerprint`: the remembered one while it is fresh, else a new one for the
    /// current bucket (remembered from now).
    pub fn key_for(&self, fingerprint: &str) -> String {
        self.key_at(fingerprint, Instant::now(), unix_secs())
    }

    /// [`Self::key_for`] at a given monotonic instant and wall-clock second (for tests).
    pub fn key_at(&self, fingerprint: &str, now: Instant, unix: u64) -> String {
        let mut keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((key, first)) = keys.get(fingerprint)
            && now.saturating_duration_since(*first) < WINDOW
        {
            return key.clone();
        }
        keys.retain(|_, (_, first)| now.saturating_duration_since(*first) < WINDOW);
        if keys.len() >= MEMORY_CAP
            && let Some(oldest) = keys
                .iter()
                .min_by_key(|(_, (_, first))| *first)
                .map(|(k, _)| k.clone())
        {
            keys.remove(&oldest);
        }
        let key = derive_key(fingerprint, unix / WINDOW.as_secs());
        keys.insert(fingerprint.to_string(), (key.clone(), now));
        key
    }
}

/// Seconds since the epoch of an RFC 3339 time (`2026-05-30T00:00:00Z`, `...+02:00`, fractions
/// allowed), or `None` when it is not one.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.trim().as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = std::str::from_utf8(b.get(r)?).ok()?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    let offset = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let minutes = num(i + 1..i + 3)? * 60 + num(i + 4..i + 6)?;
            if *sign == b'+' { minutes } else { -minutes }
        }
        _ => return None,
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + s - offset * 60)
}

/// "3 minutes ago", "just now", "2 hours ago" for a time `secs_ago` seconds in the past.
pub fn ago(secs_ago: i64) -> String {
    match secs_ago {
        i64::MIN..60 => "just now".into(),
        60..120 => "1 minute ago".into(),
        120..3600 => format!("{} minutes ago", secs_ago / 60),
        3600..7200 => "1 hour ago".into(),
        _ => format!("{} hours ago", secs_ago / 3600),
    }
}

/// How long ago an RFC 3339 time was, in words, or `None` when it cannot be read.
pub fn ago_from(text: &str) -> Option<String> {
    let then = parse_rfc3339(text)?;
    let now = i64::try_from(unix_secs()).ok()?;
    Some(ago(now - then))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_checked() {
        assert_eq!(
            validate_key("idempotency_key", " abc-123 ").unwrap(),
            "abc-123"
        );
        assert_eq!(validate_key("k", &"x".repeat(255)).unwrap().len(), 255);
        let too_long = validate_key("idempotency_key", &"x".repeat(256)).unwrap_err();
        assert_eq!(
            too_long.message,
            "idempotency_key must be at most 255 characters."
        );
        assert!(
            validate_key("idempotency_key", "  ")
                .unwrap_err()
                .message
                .contains("must not be empty")
        );
        for bad in ["a\nb", "tab\there", "caf\u{e9}", "nul\0"] {
            let e = validate_key("idempotency_key", bad).unwrap_err();
            assert!(
                e.message.contains("printable ASCII"),
                "{bad:?}: {}",
                e.message
            );
        }
    }

    #[test]
    fn canonical_json_sorts_keys_at_every_level() {
        let a = json!({"b": 1, "a": {"y": [1, {"d": 2, "c": 3}], "x": "s"}});
        let b = json!({"a": {"x": "s", "y": [1, {"c": 3, "d": 2}]}, "b": 1});
        assert_eq!(canonical_json(&a), canonical_json(&b));
        assert_eq!(
            canonical_json(&a),
            r#"{"a":{"x":"s","y":[1,{"c":3,"d":2}]},"b":1}"#
        );
        // Array order is meaningful (argv), and so are values.
        assert_ne!(
            canonical_json(&json!([1, 2])),
            canonical_json(&json!([2, 1]))
        );
    }

    #[test]
    fn fingerprints_separate_callers_operations_and_bodies() {
        let body = json!({"name": "a"});
        let me = caller_from_api_key("jg_key_1");
        let fp = fingerprint(&me, "submit_job", &body);
        assert_eq!(fp, fingerprint(&me, "submit_job", &json!({"name": "a"})));
        assert_ne!(
            fp,
            fingerprint(&caller_from_api_key("jg_key_2"), "submit_job", &body)
        );
        assert_ne!(fp, fingerprint(&me, "upload_job_input", &body));
        assert_ne!(fp, fingerprint(&me, "submit_job", &json!({"name": "b"})));
        // The caller id is a hash, never the key.
        assert!(!me.contains("jg_key_1"));
        assert_eq!(me.len(), 64);
        assert_ne!(
            caller_from_subject("u1", "w1"),
            caller_from_subject("u1", "w2")
        );
    }

    #[test]
    fn derived_keys_are_valid_and_change_per_bucket() {
        let key = derive_key("fp", 7);
        assert!(is_derived(&key));
        assert_eq!(validate_key("k", &key).unwrap(), key);
        assert_eq!(key, derive_key("fp", 7));
        assert_ne!(key, derive_key("fp", 8));
        assert!(!is_derived("my-own-key"));
    }

    #[test]
    fn a_remembered_key_outlives_the_bucket_boundary() {
        let memory = KeyMemory::default();
        let t0 = Instant::now();
        // First seen 10 s before a boundary (bucket 99 ends at 60_000).
        let first = memory.key_at("fp", t0, 59_990);
        // A repeat 20 s later is in the next bucket but within the window: same key.
        assert_eq!(
            memory.key_at("fp", t0 + Duration::from_secs(20), 60_010),
            first
        );
        // Just inside the window, still the same.
        assert_eq!(
            memory.key_at("fp", t0 + WINDOW - Duration::from_secs(1), 60_589),
            first
        );
        // After the window: a new key, so a deliberate repeat starts a new job.
        let later = memory.key_at("fp", t0 + WINDOW, 60_590);
        assert_ne!(later, first);
        // A process that never saw the request agrees within a bucket.
        let other = KeyMemory::default();
        assert_eq!(other.key_at("fp", t0, 59_500), first);
    }

    #[test]
    fn rfc3339_times_are_read() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("2026-05-30T00:00:00Z"), Some(1_780_099_200));
        assert_eq!(
            parse_rfc3339("2026-05-30T02:00:00.123+02:00"),
            Some(1_780_099_200)
        );
        assert_eq!(parse_rfc3339("2026-05-30"), None);
        assert_eq!(parse_rfc3339("2026-13-30T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("not a time at all!!"), None);
        assert_eq!(ago(5), "just now");
        assert_eq!(ago(61), "1 minute ago");
        assert_eq!(ago(180), "3 minutes ago");
        assert_eq!(ago(7300), "2 hours ago");
    }
}
