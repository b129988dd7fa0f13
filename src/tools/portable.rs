//! Test-only: the rules model providers and agent frameworks put on tool definitions, as one
//! checker run over [`super::TOOLS`], and the context budget of `tools/list`.
//!
//! The rules (README, "Tool schemas for every provider"):
//! - OpenAI strict mode (`agents.strict_schema.ensure_strict_json_schema`, pydantic-ai strict):
//!   `additionalProperties` only `false`; every property becomes required, so an optional one must
//!   accept `null`; an object without properties shrinks to "only `{}`"; a keyword outside the
//!   strict subset is rejected.
//! - Gemini (google-genai's MCP path and `Schema.from_json_schema`, Gemini CLI): no `$ref`/`$defs`,
//!   a `type` on every schema, enums as a plain `enum` of strings with `type: string` (no
//!   `oneOf`/`const`), and no `additionalProperties` at all: google-genai's MCP path recurses
//!   into its value as a schema and crashes on `true` and `false` alike (strict converters add
//!   `false` themselves where it is missing).
//! - mcp-use drops every `enum` when it builds its model: an enum property's description names
//!   each allowed value.
//! - Descriptions at most 1,024 characters (llama-index `to_openai_tool`, OpenAI); names of
//!   `[A-Za-z0-9_-]` that leave room for a host's `mcp__<server>__` prefix within 64 characters.

use serde_json::Value;

/// Longest tool description providers accept.
pub const MAX_DESCRIPTION: usize = 1_024;
/// Providers' limit on a function name, host prefix included.
pub const MAX_QUALIFIED_NAME: usize = 64;
/// Room kept for `mcp__<server>__` (a server key of up to 20 characters).
pub const PREFIX_ROOM: usize = "mcp__".len() + 20 + "__".len();
/// The model-facing part of `tools/list`: names, descriptions and input schemas (compact JSON).
pub const CONTEXT_BUDGET: usize = 12_000;

/// Keywords in the subset every provider accepts.
const KEYWORDS: &[&str] = &[
    "type",
    "description",
    "properties",
    "required",
    "items",
    "enum",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
];
const TYPES: &[&str] = &["string", "number", "integer", "boolean", "array", "object"];

/// Everything that breaks a provider or framework in one tool definition, one line each.
pub fn problems(name: &str, description: &str, input_schema: &Value) -> Vec<String> {
    let mut found = Vec::new();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        || !name.starts_with(|c: char| c.is_ascii_alphabetic())
    {
        found.push(format!("{name}: name must be [A-Za-z][A-Za-z0-9_-]*"));
    }
    if name.len() + PREFIX_ROOM > MAX_QUALIFIED_NAME {
        found.push(format!(
            "{name}: name leaves no room for an mcp__<server>__ prefix within {MAX_QUALIFIED_NAME}"
        ));
    }
    let len = description.chars().count();
    if description.trim().is_empty() || len > MAX_DESCRIPTION {
        found.push(format!(
            "{name}: description is {len} characters (1 to {MAX_DESCRIPTION})"
        ));
    }
    match input_schema.get("type") {
        Some(Value::String(t)) if t == "object" => {}
        _ => found.push(format!("{name}: input schema must be type \"object\"")),
    }
    node(&format!("{name}:"), input_schema, true, &mut found);
    found
}

fn node(at: &str, schema: &Value, required: bool, found: &mut Vec<String>) {
    let Value::Object(map) = schema else {
        found.push(format!("{at} a schema must be an object"));
        return;
    };
    for key in map.keys() {
        if !KEYWORDS.contains(&key.as_str()) {
            found.push(format!("{at} keyword {key} is outside the portable subset"));
        }
    }
    let (base, nullable) = match map.get("type") {
        Some(Value::String(t)) => (Some(t.as_str()), false),
        Some(Value::Array(ts)) => match ts.as_slice() {
            [Value::String(t), Value::String(n)] if n == "null" => (Some(t.as_str()), true),
            _ => (None, false),
        },
        _ => (None, false),
    };
    let Some(base) = base.filter(|t| TYPES.contains(t)) else {
        found.push(format!(
            "{at} needs a type (one of {TYPES:?}, or [type, \"null\"])"
        ));
        return;
    };
    if !required && !nullable {
        found.push(format!(
            "{at} is optional, so it must accept null (strict mode makes every property required)"
        ));
    }
    if map.get("description").is_some_and(|d| !d.is_string()) {
        found.push(format!("{at} description must be a string"));
    }
    if let Some(values) = map.get("enum") {
        let ok = base == "string"
            && values
                .as_array()
                .is_some_and(|vs| !vs.is_empty() && vs.iter().all(Value::is_string));
        if !ok {
            found.push(format!(
                "{at} enum must be a list of strings (no null: Gemini) with type string"
            ));
        }
        let said = map.get("description").and_then(Value::as_str).unwrap_or("");
        for value in values
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !said.contains(value) {
                found.push(format!(
                    "{at} description must name the allowed value {value} (mcp-use drops enums)"
                ));
            }
        }
    }
    match base {
        "object" => {
            let Some(Value::Object(props)) = map
                .get("properties")
                .filter(|p| p.as_object().is_some_and(|p| !p.is_empty()) || at.ends_with(':'))
            else {
                found.push(format!(
                    "{at} an object needs properties (strict mode turns a free-form object into {{}})"
                ));
                return;
            };
            let names: Vec<&str> = match map.get("required") {
                None => Vec::new(),
                Some(Value::Array(rs)) => rs.iter().filter_map(Value::as_str).collect(),
                Some(_) => {
                    found.push(format!("{at} required must be a list"));
                    Vec::new()
                }
            };
            for r in &names {
                if !props.contains_key(*r) {
                    found.push(format!("{at} requires {r}, which is not a property"));
                }
            }
            for (key, prop) in props {
                node(
                    &format!("{at} {key}"),
                    prop,
                    names.contains(&key.as_str()),
                    found,
                );
            }
        }
        "array" => match map.get("items") {
            Some(items) => node(&format!("{at}[]"), items, true, found),
            None => found.push(format!("{at} an array needs items")),
        },
        _ => {
            for key in ["properties", "items", "required"] {
                if map.contains_key(key) {
                    found.push(format!("{at} {key} on a {base}"));
                }
            }
        }
    }
}

/// The characters a model reads for one tool: name, description and input schema as compact JSON.
pub fn model_facing_chars(name: &str, description: &str, input_schema: &Value) -> usize {
    name.chars().count()
        + description.chars().count()
        + serde_json::to_string(input_schema)
            .map(|s| s.chars().count())
            .unwrap_or(0)
}

/// The sentences of a text (split after `.`, `:` or `;` followed by a space).
fn sentences(text: &str) -> Vec<String> {
    text.split_inclusive([';', '.', ':'])
        .map(|s| {
            s.trim()
                .trim_end_matches(['.', ';', ':'])
                .to_ascii_lowercase()
        })
        .filter(|s| s.len() >= 30)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::TOOLS;
    use serde_json::json;

    fn schema(def: &crate::tools::ToolDef) -> Value {
        Value::Object((**def.input_schema).clone())
    }

    #[test]
    fn every_tool_passes_every_providers_rules() {
        let found: Vec<String> = TOOLS
            .iter()
            .flat_map(|def| problems(def.name, def.description, &schema(def)))
            .collect();
        assert!(found.is_empty(), "{}", found.join("\n"));
    }

    /// The checker catches each shape that broke a framework in issue 19 (a checker that cannot
    /// fail proves nothing).
    #[test]
    fn the_checker_rejects_what_broke_frameworks() {
        let tool = |props: Value, required: Value| json!({"type": "object", "properties": props, "required": required});
        let cases = [
            // google-genai's MCP path crashes on additionalProperties: false too.
            (
                json!({"type": "object", "properties": {}, "additionalProperties": false}),
                "keyword additionalProperties",
            ),
            (
                tool(
                    json!({"mode": {"type": ["string", "null"], "enum": ["fast", "slow"]}}),
                    json!([]),
                ),
                "must name the allowed value fast",
            ),
            // submit_job's metadata: google-genai crashed, OpenAI strict fell back, pydantic-ai
            // strict shrank it to {}.
            (
                tool(
                    json!({"metadata": {"type": ["object", "null"], "additionalProperties": true}}),
                    json!([]),
                ),
                "keyword additionalProperties",
            ),
            (
                tool(
                    json!({"env": {"type": ["object", "null"], "additionalProperties": {"type": "string"}}}),
                    json!([]),
                ),
                "an object needs properties",
            ),
            // upload_job_input's kind: mcp-use and google-genai's Schema path lost the values.
            (
                tool(
                    json!({"kind": {"oneOf": [{"type": "string", "const": "input"}]}}),
                    json!([]),
                ),
                "keyword oneOf",
            ),
            (
                tool(json!({"kind": {"enum": ["input", "script"]}}), json!([])),
                "needs a type",
            ),
            // An optional property a strict model cannot leave out.
            (
                tool(json!({"limit": {"type": "integer"}}), json!([])),
                "must accept null",
            ),
            (
                tool(
                    json!({"mode": {"type": ["string", "null"], "enum": ["a", null]}}),
                    json!([]),
                ),
                "no null",
            ),
            (
                tool(json!({"a": {"$ref": "#/$defs/A"}}), json!(["a"])),
                "keyword $ref",
            ),
        ];
        for (schema, expected) in cases {
            let found = problems("some_tool", "Does a thing.", &schema);
            assert!(
                found.iter().any(|p| p.contains(expected)),
                "{expected} not found in {found:?} for {schema}"
            );
        }
        let long = "x".repeat(MAX_DESCRIPTION + 1);
        assert!(problems("t", &long, &tool(json!({}), json!([])))[0].contains("description"));
        let name = "n".repeat(MAX_QUALIFIED_NAME - PREFIX_ROOM + 1);
        assert!(problems(&name, "d", &tool(json!({}), json!([])))[0].contains("prefix"));
        assert!(problems("bad name", "d", &tool(json!({}), json!([])))[0].contains("name"));
    }

    #[test]
    fn the_model_facing_tool_list_fits_the_context_budget() {
        let per_tool: Vec<(&str, usize)> = TOOLS
            .iter()
            .map(|d| {
                (
                    d.name,
                    model_facing_chars(d.name, d.description, &schema(d)),
                )
            })
            .collect();
        let total: usize = per_tool.iter().map(|(_, n)| n).sum();
        eprintln!("tools/list, model-facing: {total} characters {per_tool:?}");
        assert!(
            total <= CONTEXT_BUDGET,
            "tools/list costs {total} characters of context (budget {CONTEXT_BUDGET}): {per_tool:?}"
        );
    }

    /// Every character is paid by every agent in every session: no sentence of one tool's
    /// description is repeated in another's (rules common to all results belong in the
    /// server's instructions, once).
    #[test]
    fn no_description_says_what_another_says() {
        let mut seen: Vec<(String, &str)> = Vec::new();
        for def in TOOLS {
            for sentence in sentences(def.description) {
                if let Some((_, other)) = seen.iter().find(|(s, _)| *s == sentence) {
                    panic!("{} repeats {other}: {sentence:?}", def.name);
                }
                seen.push((sentence, def.name));
            }
        }
        assert!(sentences("Results: the text starts with a summary line. Then more.").len() == 1);
    }
}
