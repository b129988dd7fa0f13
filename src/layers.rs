//! Test-only: data flows one way (transport -> server -> tools -> api), and configuration sits
//! below everything it configures. The layers are one stack, bottom first: the code of a layer
//! (its folder, or its file) may not name any layer above it as `crate::<layer>`; layers of one
//! tier may name each other. A new module takes its place in the stack.

use std::path::Path;

/// Bottom to top.
const STACK: &[&[&str]] = &[
    &["config"],
    // Traces sit below everything they observe: the API client and the server call into them.
    &["telemetry"],
    &["api"],
    &["tools"],
    &["resources", "prompts", "completions"],
    &["sandbox"],
    &["server"],
    &["transport", "cli", "bindings", "doctor"],
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a source folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_layer_names_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut problems = Vec::new();
    let mut checked = 0;
    for (tier, layers) in STACK.iter().enumerate() {
        let above: Vec<&str> = STACK[tier + 1..]
            .iter()
            .flat_map(|t| t.iter().copied())
            .collect();
        for layer in *layers {
            let mut files = Vec::new();
            let file = src.join(format!("{layer}.rs"));
            if file.is_file() {
                files.push(file);
            }
            if src.join(layer).is_dir() {
                rust_files(&src.join(layer), &mut files);
            }
            assert!(!files.is_empty(), "no source for the layer {layer}");
            checked += files.len();
            for file in files {
                let text = std::fs::read_to_string(&file).expect("a source file");
                for name in &above {
                    let needle = format!("crate::{name}");
                    // `crate::tools` must not match `crate::toolsx`; every use is followed by `::`,
                    // `;`, `}` or `,`.
                    if text.match_indices(&needle).any(|(i, _)| {
                        !text[i + needle.len()..]
                            .starts_with(|c: char| c.is_alphanumeric() || c == '_')
                    }) {
                        problems.push(format!("{} names {needle}", file.display()));
                    }
                }
            }
        }
    }
    assert!(checked >= 30, "only {checked} files checked");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
