//! Test-only: data flows one way (transport -> server -> tools -> api), and configuration sits
//! below everything it configures. Each row names a layer's folder and the layers above it that
//! its code may not name; a new module above a layer is added to that layer's row.

use std::path::Path;

/// (folder under src/, the layers it may not name as `crate::<layer>`).
const RULES: &[(&str, &[&str])] = &[
    (
        "config",
        &[
            "tools",
            "sandbox",
            "transport",
            "server",
            "cli",
            "bindings",
            "doctor",
        ],
    ),
    (
        "api",
        &[
            "tools",
            "server",
            "transport",
            "sandbox",
            "cli",
            "bindings",
            "doctor",
        ],
    ),
    (
        "tools",
        &[
            "server",
            "transport",
            "sandbox",
            "cli",
            "bindings",
            "doctor",
        ],
    ),
    ("server", &["transport", "cli", "bindings", "doctor"]),
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
    for (layer, above) in RULES {
        let mut files = Vec::new();
        rust_files(&src.join(layer), &mut files);
        assert!(
            files.len() >= 3,
            "only {} files under src/{layer}",
            files.len()
        );
        for file in files {
            let text = std::fs::read_to_string(&file).expect("a source file");
            for name in *above {
                let needle = format!("crate::{name}");
                // `crate::tools` must not match `crate::toolsx`; every use is followed by `::`,
                // `;`, `}` or `,`.
                if text.match_indices(&needle).any(|(i, _)| {
                    !text[i + needle.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
                }) {
                    problems.push(format!("{} names {needle}", file.display()));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
