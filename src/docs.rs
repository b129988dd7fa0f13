//! The README's generated tables: tools (from [`crate::tools::TOOLS`]) and settings (from
//! [`crate::config::settings::SETTINGS`]), each between `<!-- BEGIN GENERATED: <name> -->` and
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
            "README.md is out of date with the tool and settings tables: run `npm run docs`"
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
