//! The one place a tool's output becomes what an agent reads, and where results are bounded.
//!
//! Hosts differ: some hand the model only `content` text, others only `structuredContent`. Both
//! forms are derived here from the same value, so they cannot drift:
//! - `content`: one text block, the human summary line, a newline, then the data as compact JSON;
//! - `structuredContent`: `{ "data": <the same value> }`.
//!
//! Each form stays within the size budget (`--max-result-chars`, default 100,000 characters, about
//! 25k tokens: the strictest host's limit). Paged tools fit whole entries with [`fit_page`] and
//! return a cursor that resumes after the last entry returned ([`PageCursor`]); whatever is still
//! too big is cut by [`render`]: long texts end with a `…[truncated: N chars]` marker and the
//! summary says so.

use serde_json::{Value, json};

use super::ToolOutput;

/// The summary line is cut at this many characters (it can quote a log line).
const SUMMARY_MAX_CHARS: usize = 2_000;
/// Room kept for the summary and the notes when the data is sized.
const RESERVED_CHARS: usize = SUMMARY_MAX_CHARS + 1_000;
/// How every result reads and how it is bounded, said once for all tools (in the server's
/// `instructions`) instead of in each description: every character of a description is paid by
/// every agent in every session. `max_chars` is the configured `--max-result-chars`.
pub fn results_rule(max_chars: usize) -> String {
    format!(
        "Results: a summary line, then the data as JSON (the same data as structuredContent), \
each at most {} characters: a longer text is cut and ends in \"…[truncated: N chars]\"; lists, \
events and logs return whole entries, and next_cursor (pass it as cursor) resumes after the last \
one.",
        thousands(max_chars)
    )
}

/// `100000` as `100,000`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Prefix of the cursors this server makes (see [`PageCursor`]).
const CURSOR_PREFIX: &str = "jg1:";

/// What a tool call gives back, rendered: the text block and `structuredContent`.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub text: String,
    pub structured: Value,
}

/// The characters the data of a result may take, for a budget of `max` characters per form.
pub fn data_budget(max: usize) -> usize {
    max.saturating_sub(RESERVED_CHARS).max(1_000)
}

/// Size of a value as compact JSON, in bytes (at least its length in characters).
pub fn json_len(value: &Value) -> usize {
    serde_json::to_string(value).map_or(0, |s| s.len())
}

/// Both forms of a successful result, each at most `max` characters.
pub fn render(output: &ToolOutput, max: usize) -> Rendered {
    let mut summary = cut_text(&output.summary, SUMMARY_MAX_CHARS);
    let budget = data_budget(max);
    let data = if json_len(&output.data) > budget {
        summary.push_str(&format!(
            " This result was cut to fit the {max}-character limit: texts ending in \
\"…[truncated: N chars]\" were shortened{}.",
            " (get_job_logs pages through logs in full; smaller limits give smaller pages)"
        ));
        shrink(&output.data, budget)
    } else {
        output.data.clone()
    };
    let body = serde_json::to_string(&data).unwrap_or_else(|_| "null".into());
    Rendered {
        text: format!("{summary}\n{body}"),
        structured: json!({ "data": data }),
    }
}

/// `text` cut to at most `max` characters, with a marker saying how long it was.
pub fn cut_text(text: &str, max: usize) -> String {
    let total = text.chars().count();
    if total <= max {
        return text.to_string();
    }
    let marker = format!("…[truncated: {total} chars]");
    let keep = max.saturating_sub(marker.chars().count());
    let mut out: String = text.chars().take(keep).collect();
    out.push_str(&marker);
    out
}

/// Every string in `value` longer than `cap` characters cut to `cap` (plus the marker). Returns
/// the new value and the original length of the longest string cut (0 when none was).
fn cut_strings(value: &Value, cap: usize) -> (Value, usize) {
    let mut longest = 0;
    let out = cut_walk(value, cap, &mut longest);
    (out, longest)
}

fn cut_walk(value: &Value, cap: usize, longest: &mut usize) -> Value {
    match value {
        Value::String(s) if s.len() > cap => {
            let n = s.chars().count();
            if n > cap {
                *longest = (*longest).max(n);
                let mut cut: String = s.chars().take(cap).collect();
                cut.push_str(&format!("…[truncated: {n} chars]"));
                Value::String(cut)
            } else {
                value.clone()
            }
        }
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| cut_walk(v, cap, longest)).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), cut_walk(v, cap, longest)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn longest_string(value: &Value) -> usize {
    match value {
        Value::String(s) => s.chars().count(),
        Value::Array(items) => items.iter().map(longest_string).max().unwrap_or(0),
        Value::Object(map) => map.values().map(longest_string).max().unwrap_or(0),
        _ => 0,
    }
}

/// The longest string cap at which `value` fits in `budget`, and the cut value; `None` when even
/// the shortest cap does not fit (too many entries rather than too long ones).
fn cut_to_fit(value: &Value, budget: usize) -> Option<(Value, usize)> {
    let (mut lo, mut hi) = (0usize, longest_string(value));
    let (floor, floor_longest) = cut_strings(value, 0);
    if json_len(&floor) > budget {
        return None;
    }
    let mut best = (floor, floor_longest);
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        let (cut, longest) = cut_strings(value, mid);
        if json_len(&cut) <= budget {
            best = (cut, longest);
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    Some(best)
}

/// `value` made to fit in `budget` characters of JSON: long strings are cut first (the longest
/// cap that fits), then, if there are too many entries, arrays keep only their first elements.
pub fn shrink(value: &Value, budget: usize) -> Value {
    if json_len(value) <= budget {
        return value.clone();
    }
    if let Some((cut, _)) = cut_to_fit(value, budget) {
        return cut;
    }
    // Too many entries: keep the first `keep` of every array, with strings cut short.
    let (short, _) = cut_strings(value, 200);
    let (mut lo, mut hi) = (0usize, longest_array(&short));
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if json_len(&keep_first(&short, mid)) <= budget {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    keep_first(&short, lo)
}

fn longest_array(value: &Value) -> usize {
    match value {
        Value::Array(items) => items
            .iter()
            .map(longest_array)
            .max()
            .unwrap_or(0)
            .max(items.len()),
        Value::Object(map) => map.values().map(longest_array).max().unwrap_or(0),
        _ => 0,
    }
}

fn keep_first(value: &Value, keep: usize) -> Value {
    match value {
        Value::Array(items) => Value::Array(
            items
                .iter()
                .take(keep)
                .map(|v| keep_first(v, keep))
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), keep_first(v, keep)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// One entry of a page made to fit in `budget` characters: its long texts are cut and it is
/// marked `truncated: true` with `original_length`, the length in characters of the longest text
/// cut (a log entry's message).
pub fn fit_entry(entry: &Value, budget: usize) -> Value {
    // Room for the two marker fields.
    let room = budget.saturating_sub(60);
    if json_len(entry) <= budget {
        return entry.clone();
    }
    let (mut cut, longest) = cut_to_fit(entry, room).unwrap_or_else(|| (shrink(entry, room), 0));
    if let Value::Object(map) = &mut cut {
        map.insert("truncated".into(), Value::Bool(true));
        map.insert("original_length".into(), json!(longest));
    }
    cut
}

/// Where the next page starts when a page was cut to fit: the API page (its cursor, `None` for the
/// first page, and the limit it was read with) and how many of its entries were already returned.
///
/// Written as `jg1:<limit>:<skip>:<api cursor>`, readable on purpose. The next call reads the
/// same API page again and skips the entries already returned, so every entry comes exactly once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageCursor {
    pub api_cursor: Option<String>,
    pub limit: u32,
    pub skip: usize,
}

impl PageCursor {
    pub fn encode(&self) -> String {
        format!(
            "{CURSOR_PREFIX}{}:{}:{}",
            self.limit,
            self.skip,
            self.api_cursor.as_deref().unwrap_or("")
        )
    }

    /// `Ok(None)` for a plain API cursor; an error for a `jg1:` cursor that does not parse.
    pub fn decode(cursor: &str) -> Result<Option<PageCursor>, String> {
        let Some(rest) = cursor.strip_prefix(CURSOR_PREFIX) else {
            return Ok(None);
        };
        let bad = || {
            "cursor is not a next_cursor this server returned; pass next_cursor exactly as given."
                .to_string()
        };
        let mut parts = rest.splitn(3, ':');
        let limit = parts
            .next()
            .and_then(|p| p.parse::<u32>().ok())
            .ok_or_else(bad)?;
        let skip = parts
            .next()
            .and_then(|p| p.parse::<usize>().ok())
            .ok_or_else(bad)?;
        let api = parts.next().ok_or_else(bad)?;
        if limit == 0 {
            return Err(bad());
        }
        Ok(Some(PageCursor {
            api_cursor: (!api.is_empty()).then(|| api.to_string()),
            limit,
            skip,
        }))
    }
}

/// What [`fit_page`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageFit {
    /// Entries returned.
    pub returned: usize,
    /// Entries of the API page left for the next call.
    pub left: usize,
    /// Entries cut because one alone was too big.
    pub cut_entries: usize,
}

/// Fits the entries under `key` of one API page into `budget` characters: skips the `from.skip`
/// entries already returned, keeps as many whole entries as fit (an entry too big alone is cut by
/// [`fit_entry`], so a page never stalls), and when some are left, points `next_cursor` at them
/// (with `has_more: true`). When everything fits, the API's own `next_cursor` stays.
pub fn fit_page(data: &mut Value, key: &str, from: &PageCursor, budget: usize) -> PageFit {
    let Some(Value::Array(all)) = data.get_mut(key).map(std::mem::take) else {
        return PageFit {
            returned: 0,
            left: 0,
            cut_entries: 0,
        };
    };
    let remaining: Vec<Value> = all.into_iter().skip(from.skip).collect();
    // The page without its entries, with the longest cursor it could get.
    let probe_cursor = PageCursor {
        skip: from.skip + remaining.len(),
        ..from.clone()
    };
    let mut base = data.clone();
    if let Value::Object(map) = &mut base {
        map.insert(key.into(), json!([]));
        map.insert("next_cursor".into(), json!(probe_cursor.encode()));
        map.insert("has_more".into(), json!(true));
    }
    let room = budget.saturating_sub(json_len(&base));
    let mut used = 0;
    let mut kept = Vec::new();
    let mut cut_entries = 0;
    for entry in &remaining {
        let size = json_len(entry) + 1;
        let (entry, size, cut) = if size > room {
            let cut = fit_entry(entry, room.saturating_sub(1));
            let size = json_len(&cut) + 1;
            (cut, size, true)
        } else {
            (entry.clone(), size, false)
        };
        if used + size > room && !kept.is_empty() {
            break;
        }
        used += size;
        cut_entries += usize::from(cut);
        kept.push(entry);
    }
    let returned = kept.len();
    let left = remaining.len() - returned;
    if let Value::Object(map) = data {
        map.insert(key.into(), Value::Array(kept));
        if left > 0 {
            let next = PageCursor {
                skip: from.skip + returned,
                ..from.clone()
            };
            map.insert("next_cursor".into(), json!(next.encode()));
            map.insert("has_more".into(), json!(true));
        }
    }
    PageFit {
        returned,
        left,
        cut_entries,
    }
}

/// The sentence a paged tool's summary gets when its page was cut.
pub fn page_note(fit: &PageFit, tool: &str) -> String {
    let mut note = String::new();
    if fit.cut_entries > 0 {
        note.push_str(&format!(
            " {} too long to show whole: cut and marked truncated: true with original_length.",
            super::summary::count(fit.cut_entries, "entry was", "entries were")
        ));
    }
    if fit.left > 0 {
        note.push_str(&format!(
            " {} more of this page did not fit the size limit: call {tool} again with cursor set to \
next_cursor for the rest.",
            fit.left
        ));
    }
    note
}

/// The page an agent asked for: a `jg1:` cursor, a plain API cursor, or none.
pub fn page_start(cursor: Option<String>, limit: u32) -> Result<PageCursor, String> {
    match cursor {
        None => Ok(PageCursor {
            api_cursor: None,
            limit,
            skip: 0,
        }),
        Some(c) => Ok(PageCursor::decode(&c)?.unwrap_or(PageCursor {
            api_cursor: Some(c),
            limit,
            skip: 0,
        })),
    }
}

/// The start of a page for a tool whose API answers everything at once: no cursor, or a `jg1:`
/// cursor this tool returned.
pub fn own_page_start(cursor: Option<String>, tool: &str) -> Result<PageCursor, String> {
    let start = page_start(cursor, 1)?;
    if start.api_cursor.is_some() {
        return Err(format!(
            "cursor must be a next_cursor returned by {tool}; omit it for the first page."
        ));
    }
    Ok(start)
}

#[cfg(test)]
mod rule_tests {
    #[test]
    fn the_results_rule_names_the_configured_limit() {
        let rule = super::results_rule(100_000);
        assert!(rule.contains("at most 100,000 characters"), "{rule}");
        assert!(super::results_rule(2_500).contains("at most 2,500 characters"));
        assert!(super::results_rule(999).contains("at most 999 characters"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(data: Value, summary: &str) -> ToolOutput {
        ToolOutput {
            data,
            summary: summary.into(),
        }
    }

    #[test]
    fn text_is_the_summary_then_the_same_data() {
        let data = json!({"job_id": "job_1", "status": "running", "cost": {"min": 0.1}});
        let r = render(&out(data.clone(), "Job job_1 is running."), 100_000);
        let (first, rest) = r.text.split_once('\n').unwrap();
        assert_eq!(first, "Job job_1 is running.");
        assert_eq!(serde_json::from_str::<Value>(rest).unwrap(), data);
        assert_eq!(r.structured, json!({"data": data}));
    }

    #[test]
    fn a_large_result_is_cut_in_both_forms_and_says_so() {
        let data = json!({"job_id": "job_1", "status_message": "x".repeat(300_000)});
        let r = render(&out(data, "Job job_1 is running."), 20_000);
        assert!(r.text.chars().count() <= 20_000, "{}", r.text.len());
        assert!(json_len(&r.structured) <= 20_000);
        assert!(
            r.text
                .starts_with("Job job_1 is running. This result was cut")
        );
        let msg = r.structured["data"]["status_message"].as_str().unwrap();
        assert!(msg.ends_with("…[truncated: 300000 chars]"));
        assert_eq!(r.structured["data"]["job_id"], "job_1");
    }

    #[test]
    fn too_many_entries_keep_the_first() {
        let data = json!({"jobs": (0..5000).map(|i| json!({"job_id": format!("job_{i}")})).collect::<Vec<_>>()});
        let r = render(&out(data, "Found 5000."), 10_000);
        assert!(json_len(&r.structured) <= 10_000);
        assert!(r.text.len() <= 10_000);
        assert_eq!(r.structured["data"]["jobs"][0]["job_id"], "job_0");
    }

    #[test]
    fn a_long_summary_is_cut() {
        let r = render(&out(json!(null), &"s".repeat(50_000)), 10_000);
        assert!(r.text.len() <= 10_000);
        assert!(r.text.contains("…[truncated: 50000 chars]"));
    }

    #[test]
    fn cursors_round_trip_and_plain_cursors_pass() {
        let c = PageCursor {
            api_cursor: Some("a:b:c".into()),
            limit: 1000,
            skip: 37,
        };
        assert_eq!(c.encode(), "jg1:1000:37:a:b:c");
        assert_eq!(PageCursor::decode(&c.encode()).unwrap(), Some(c));
        let first = PageCursor {
            api_cursor: None,
            limit: 5,
            skip: 2,
        };
        assert_eq!(PageCursor::decode(&first.encode()).unwrap(), Some(first));
        assert_eq!(PageCursor::decode("110").unwrap(), None);
        assert!(PageCursor::decode("jg1:x:1:").is_err());
        assert!(PageCursor::decode("jg1:0:1:").is_err());
        assert_eq!(
            page_start(Some("abc".into()), 50).unwrap(),
            PageCursor {
                api_cursor: Some("abc".into()),
                limit: 50,
                skip: 0
            }
        );
    }

    fn log_page(n: usize, len: usize, next: Value) -> Value {
        let items: Vec<Value> = (0..n)
            .map(|i| json!({"entry_id": i, "message": format!("{i:06}{}", "m".repeat(len))}))
            .collect();
        json!({"job_id": "job_1", "items": items, "next_cursor": next, "has_more": !next.is_null()})
    }

    #[test]
    fn a_page_is_returned_whole_entries_at_a_time_exactly_once() {
        let budget = data_budget(100_000);
        let page = log_page(1000, 400, json!("p2"));
        let mut seen = Vec::new();
        let mut from = page_start(None, 1000).unwrap();
        loop {
            let mut data = page.clone();
            let fit = fit_page(&mut data, "items", &from, budget);
            assert!(json_len(&data) <= budget);
            assert_eq!(fit.cut_entries, 0);
            for item in data["items"].as_array().unwrap() {
                seen.push(item["entry_id"].as_u64().unwrap());
            }
            let next = data["next_cursor"].as_str().unwrap().to_string();
            if fit.left == 0 {
                assert_eq!(next, "p2", "the API's cursor once the page is done");
                break;
            }
            assert!(next.starts_with("jg1:1000:"));
            from = page_start(Some(next), 10).unwrap();
        }
        assert_eq!(seen, (0..1000).collect::<Vec<_>>());
    }

    #[test]
    fn an_entry_too_big_alone_is_cut_and_marked() {
        let budget = data_budget(10_000);
        let mut data = log_page(3, 50_000, json!(null));
        let from = page_start(None, 100).unwrap();
        let fit = fit_page(&mut data, "items", &from, budget);
        assert!(json_len(&data) <= budget);
        assert_eq!(fit.returned, 1);
        assert_eq!(fit.cut_entries, 1);
        let entry = &data["items"][0];
        assert_eq!(entry["truncated"], true);
        assert_eq!(entry["original_length"], 50_006);
        assert_eq!(entry["entry_id"], 0);
        assert!(
            data["next_cursor"]
                .as_str()
                .unwrap()
                .starts_with("jg1:100:1:")
        );
        assert!(page_note(&fit, "get_job_logs").contains("2 more of this page"));
    }

    #[test]
    fn a_page_that_fits_is_untouched() {
        let mut data = log_page(3, 10, json!(2));
        let before = data.clone();
        let fit = fit_page(&mut data, "items", &page_start(None, 100).unwrap(), 90_000);
        assert_eq!(data, before);
        assert_eq!(fit.left, 0);
        assert_eq!(page_note(&fit, "get_job_logs"), "");
    }
}
