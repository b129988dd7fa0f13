//! The README's generated tables: tools (from [`crate::tools::TOOLS`]), settings (from
//! [`crate::config::settings::SETTINGS`]), prompts ([`crate::prompts::PROMPTS`]) and resources
//! ([`crate::resources::RESOURCES`]), each between `<!-- BEGIN GENERATED: <name> -->` and
//! `<!-- END GENERATED: <name> -->`. `cargo test` fails when README.md is stale;
//! `npm run docs` (`UPDATE_DOCS=1 cargo test --lib docs::`) rewrites it.

use serde_json::Value;

use crate::config::settings::{SETTINGS, Setting};
use crate::tools::{TOOLS, Tool};

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn code_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    items
        .into_iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The properties of `data` in an output schema (`{ data: <shape> | null }`).
fn data_properties(tool: Tool) -> Vec<String> {
    fn props(schema: &Value) -> Option<Vec<String>> {
        if let Some(map) = schema.get("properties").and_then(Value::as_object) {
            return Some(map.keys().cloned().collect());
        }
        ["anyOf", "oneOf"]
            .iter()
            .filter_map(|k| schema.get(*k).and_then(Value::as_array))
            .flatten()
            .find_map(props)
    }
    tool.output_schema
        .get("properties")
        .and_then(|p| p.get("data"))
        .and_then(props)
        .unwrap_or_default()
}

fn arguments(tool: Tool) -> String {
    let required: Vec<&str> = tool
        .input_schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let names: Vec<String> = tool
        .input_schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| {
            p.keys()
                .map(|k| match required.contains(&k.as_str()) {
                    true => format!("**`{k}`**"),
                    false => format!("`{k}`"),
                })
                .collect()
        })
        .unwrap_or_default();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

fn kind(tool: Tool) -> &'static str {
    match (tool.read_only, tool.destructive) {
        (true, _) => "read-only",
        (false, true) => "**destructive**",
        (false, false) => "writes",
    }
}

pub fn tools_table() -> String {
    let mut out = String::from(
        "| Tool | What it does (the description agents read) | Arguments (**required**) | Returns (`structuredContent.data`) | Kind | Hosted scopes (any one) |\n\
         | --- | --- | --- | --- | --- | --- |\n",
    );
    for tool in TOOLS.iter().copied() {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            tool.name,
            cell(tool.description),
            arguments(tool),
            code_list(data_properties(tool).iter().map(String::as_str)),
            kind(tool),
            code_list(tool.scopes.iter().copied()),
        ));
    }
    out
}

fn setting_row(s: &Setting, with_modes: bool) -> String {
    let dash = |v: &str| match v {
        "" => String::new(),
        v if v.starts_with('(') || v.contains(' ') => v.to_string(),
        v => format!("`{v}`"),
    };
    let mut row = format!(
        "| {} | {} | {} | {} | {} |",
        code_list(s.env.iter().copied()),
        code_list(s.flags.iter().copied()),
        dash(s.default),
        cell(s.allowed),
        cell(s.meaning),
    );
    if with_modes {
        let modes: Vec<&str> = s.modes.iter().map(|m| m.as_str()).collect();
        row.push_str(&format!(" {} |", modes.join(", ")));
    }
    row.push('\n');
    row
}

/// The scopes any one of which allows every tool in `tools` (hosted; a token may also hold one
/// scope per tool).
fn covering_scopes(tools: &[Tool]) -> Vec<&'static str> {
    let Some(first) = tools.first() else {
        return Vec::new();
    };
    first
        .scopes
        .iter()
        .copied()
        .filter(|s| tools.iter().all(|t| t.scopes.contains(s)))
        .collect()
}

fn tools_cell(tools: &[Tool]) -> String {
    if tools.is_empty() {
        "none (always offered)".into()
    } else {
        code_list(tools.iter().map(|t| t.name))
    }
}

fn scopes_cell(tools: &[Tool]) -> String {
    if tools.is_empty() {
        return "any".into();
    }
    code_list(covering_scopes(tools))
}

fn args_cell(args: &[crate::completions::ArgDef]) -> String {
    use crate::completions::Complete;
    if args.is_empty() {
        return "none".into();
    }
    args.iter()
        .map(|a| {
            let name = if a.required {
                format!("**`{}`**", a.name)
            } else {
                format!("`{}`", a.name)
            };
            match a.complete {
                Complete::Free => name,
                Complete::JobId => format!("{name} (completes: your recent job ids)"),
                Complete::OneOf(values) => format!("{name} (completes: {})", values.join(", ")),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The prompts (slash commands), from [`crate::prompts::PROMPTS`].
pub fn prompts_table() -> String {
    let mut out = String::from(
        "| Prompt | Claude Code / VS Code command | What it does | Arguments (**required**) | Offered with the tools | Hosted scope covering it |\n\
         | --- | --- | --- | --- | --- | --- |\n",
    );
    for p in crate::prompts::PROMPTS.iter() {
        out.push_str(&format!(
            "| `{}` | `/mcp__junglegrid__{}`, `/mcp.junglegrid.{}` | {} | {} | {} | {} |\n",
            p.name,
            p.name,
            p.name,
            cell(p.description),
            args_cell(p.args),
            tools_cell(p.tools),
            scopes_cell(p.tools),
        ));
    }
    out
}

/// The resources and resource templates, from [`crate::resources::RESOURCES`].
pub fn resources_table() -> String {
    let mut out = String::from(
        "| Resource | URI (template) | What it holds | Type | Variables | Offered with the tools | Hosted scope covering it |\n\
         | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for r in crate::resources::RESOURCES.iter() {
        let listed = if r.list.is_some() {
            " Your recent jobs are listed too (`resources/list`, newest first)."
        } else {
            ""
        };
        out.push_str(&format!(
            "| `{}` | `{}` | {}{} | `{}` | {} | {} | {} |\n",
            r.name,
            r.uri(),
            cell(r.description),
            listed,
            r.mime_type,
            args_cell(r.args()),
            tools_cell(r.tools),
            scopes_cell(r.tools),
        ));
    }
    out
}

/// The settings of the local server, the library and the sandbox.
pub fn settings_table() -> String {
    let mut out = String::from(
        "| Variable | Flag | Default | Allowed | Meaning | Used by |\n| --- | --- | --- | --- | --- | --- |\n",
    );
    for s in SETTINGS.iter().filter(|s| !s.hosted_only()) {
        out.push_str(&setting_row(s, true));
    }
    out
}

/// The settings only hosted mode reads.
pub fn hosted_settings_table() -> String {
    let mut out = String::from(
        "| Variable | Flag | Default | Allowed | Meaning |\n| --- | --- | --- | --- | --- |\n",
    );
    for s in SETTINGS.iter().filter(|s| s.hosted_only()) {
        out.push_str(&setting_row(s, false));
    }
    out
}

/// `text` with the block `name` replaced by `body`; `None` when its markers are missing.
pub fn replace_block(text: &str, name: &str, body: &str) -> Option<String> {
    let begin = format!("<!-- BEGIN GENERATED: {name} -->\n");
    let end = format!("<!-- END GENERATED: {name} -->");
    let start = text.find(&begin)? + begin.len();
    let stop = start + text[start..].find(&end)?;
    Some(format!("{}{body}{}", &text[..start], &text[stop..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readme_tables_are_generated_from_the_code() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
        let readme = std::fs::read_to_string(path).unwrap();
        let mut fresh = readme.clone();
        for (name, body) in [
            ("tools", tools_table()),
            ("settings", settings_table()),
            ("settings-hosted", hosted_settings_table()),
            ("prompts", prompts_table()),
            ("resources", resources_table()),
        ] {
            fresh = replace_block(&fresh, name, &body)
                .unwrap_or_else(|| panic!("README.md lacks the markers of the {name} block"));
        }
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(path, &fresh).unwrap();
            return;
        }
        assert!(
            fresh == readme,
            "README.md is out of date with the tool, settings, prompt or resource tables: run `npm run docs`"
        );
    }

    #[test]
    fn blocks_are_replaced_between_their_markers_only() {
        let text = "a\n<!-- BEGIN GENERATED: x -->\nold\n<!-- END GENERATED: x -->\nb";
        assert_eq!(
            replace_block(text, "x", "new\n").unwrap(),
            "a\n<!-- BEGIN GENERATED: x -->\nnew\n<!-- END GENERATED: x -->\nb"
        );
        assert!(replace_block(text, "y", "new\n").is_none());
    }
}
