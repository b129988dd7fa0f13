//! MCP Apps views (the extension `io.modelcontextprotocol/ui`, stable 2026-01-26): HTML pages a
//! host renders in a sandboxed iframe beside a tool's result. One definition each, in [`VIEWS`].
//!
//! A view is static: its HTML is built from `src/views/<name>/` by `scripts/build-views.mjs`
//! (`npm run build:views`; CI fails when the committed build is stale) and embedded here with
//! `include_str!`, so serving it costs no work per call. The page talks to the host over
//! postMessage and gets its data through `tools/call` of this server's own tools, so every call it
//! makes passes the same scopes, tool filters and checks as the agent's.
//!
//! What a view changes for a client ([`ViewLinks`]): the tools that render it carry
//! `_meta.ui.resourceUri` (and ChatGPT's older alias `openai/outputTemplate`) in `tools/list`.
//! Each view is also one entry of the resource table (`crate::resources::view`), served as
//! `text/html;profile=mcp-app` with [`resource_meta`]. Tool results stay exactly as they are for
//! every client: the view reads the same `structuredContent` the agent gets.

use std::sync::LazyLock;

use rmcp::model::{ClientCapabilities, MetaObject};
use serde_json::{Value, json};

/// The extension's identifier in `capabilities.extensions`.
pub const EXTENSION_ID: &str = "io.modelcontextprotocol/ui";
/// The MIME type of an MCP Apps HTML view.
pub const MIME_TYPE: &str = "text/html;profile=mcp-app";
/// ChatGPT's name for `_meta.ui.resourceUri` (Apps SDK), which it still reads.
const OPENAI_OUTPUT_TEMPLATE: &str = "openai/outputTemplate";

/// One view: a `ui://` resource and the tools whose results it renders.
#[derive(Debug)]
pub struct ViewDef {
    pub uri: &'static str,
    /// Programmatic name (resources/list).
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    /// The built page (src/views/<name>.html), self-contained.
    pub html: &'static str,
    /// The tools whose results this view shows.
    pub tools: &'static [&'static str],
}

/// The job view: a job's status and phases, cost, latest logs and artifacts, followed live.
pub const JOB_VIEW: ViewDef = ViewDef {
    uri: "ui://junglegrid/job.html",
    name: "job-view",
    title: "Jungle Grid job",
    description: "A live view of one Jungle Grid job: status and phases as a timeline, cost \
estimate and billing, the latest log lines and the artifacts to download. It follows the job \
until it ends and can cancel it after asking.",
    html: include_str!("job.html"),
    tools: &["submit_job", "get_job", "wait_for_job"],
};

/// Every view, registered once.
pub static VIEWS: &[&ViewDef] = &[&JOB_VIEW];

/// The view that renders `tool`'s results, if any.
pub fn for_tool(tool: &str) -> Option<&'static ViewDef> {
    VIEWS.iter().copied().find(|v| v.tools.contains(&tool))
}

/// The view at `uri`, if any.
pub fn find(uri: &str) -> Option<&'static ViewDef> {
    VIEWS.iter().copied().find(|v| v.uri == uri)
}

/// Whether one request's client is shown views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewLinks {
    /// The client declared the extension (with our MIME type, or with no list): link the views.
    Declared,
    /// The client declared its capabilities without the extension: nothing changes for it, its
    /// `tools/list` stays exactly as without views (the spec: servers SHOULD check).
    NotDeclared,
    /// The request carries no capabilities (a hosted 2025 request: the stateless server never
    /// sees the `initialize` of the client's session). Linked: a host without MCP Apps ignores
    /// `_meta`, and results are the same either way.
    Unknown,
}

impl ViewLinks {
    /// Reads the client's `capabilities.extensions["io.modelcontextprotocol/ui"]`.
    pub fn of(capabilities: Option<&ClientCapabilities>) -> Self {
        let Some(capabilities) = capabilities else {
            return Self::Unknown;
        };
        let settings = capabilities
            .extensions
            .as_ref()
            .and_then(|e| e.get(EXTENSION_ID));
        match settings.map(|s| s.get("mimeTypes")) {
            None => Self::NotDeclared,
            // `mimeTypes` is required by the spec; a client that declares the extension without
            // it can only mean HTML, the extension's one content type.
            Some(None) => Self::Declared,
            Some(Some(Value::Array(types))) if types.iter().any(|t| t == MIME_TYPE) => {
                Self::Declared
            }
            Some(Some(_)) => Self::NotDeclared,
        }
    }

    pub fn linked(self) -> bool {
        self != Self::NotDeclared
    }
}

/// This server's settings of the extension in its capabilities: the content type it serves.
pub fn extension_settings() -> serde_json::Map<String, Value> {
    let mut settings = serde_json::Map::new();
    settings.insert("mimeTypes".into(), json!([MIME_TYPE]));
    settings
}

/// The `_meta` a tool that renders `view` carries in `tools/list` (built once per view).
pub fn tool_meta(view: &ViewDef) -> MetaObject {
    static METAS: LazyLock<Vec<(&'static str, MetaObject)>> = LazyLock::new(|| {
        VIEWS
            .iter()
            .map(|v| {
                let mut meta = serde_json::Map::new();
                meta.insert("ui".into(), json!({ "resourceUri": v.uri }));
                meta.insert(OPENAI_OUTPUT_TEMPLATE.into(), json!(v.uri));
                (v.uri, MetaObject(meta))
            })
            .collect()
    });
    METAS
        .iter()
        .find(|(uri, _)| *uri == view.uri)
        .map(|(_, meta)| meta.clone())
        .unwrap_or_default()
}

/// The view loads nothing from elsewhere: no connect, resource, frame or base-URI domains, so any
/// host's default CSP holds, and the declaration says so to hosts (ChatGPT requires one).
/// `ui.domain` is left out: its format is each host's own (Claude accepts only its
/// `{hash}.claudemcpcontent.com`); ChatGPT reads `openai/widgetDomain`, which the hosted server
/// adds to each read ([`WIDGET_DOMAIN`], its public origin).
pub fn resource_meta(view: &ViewDef) -> serde_json::Map<String, Value> {
    static BASE: LazyLock<serde_json::Map<String, Value>> = LazyLock::new(|| {
        let Value::Object(meta) = json!({
            "ui": {
                "csp": { "connectDomains": [], "resourceDomains": [] },
                "prefersBorder": true,
            },
            "openai/widgetCSP": { "connect_domains": [], "resource_domains": [] },
            "openai/widgetPrefersBorder": true,
        }) else {
            unreachable!("a JSON object literal")
        };
        meta
    });
    let mut meta = BASE.clone();
    meta.insert(
        "openai/widgetDescription".into(),
        Value::String(view.description.into()),
    );
    meta
}

/// ChatGPT's key for a view's dedicated domain: the hosted server's public origin.
pub const WIDGET_DOMAIN: &str = "openai/widgetDomain";

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(value: Value) -> ClientCapabilities {
        serde_json::from_value(value).expect("capabilities")
    }

    #[test]
    fn links_follow_the_clients_extension_capability() {
        let declared =
            caps(json!({ "extensions": { EXTENSION_ID: { "mimeTypes": [MIME_TYPE] } } }));
        assert_eq!(ViewLinks::of(Some(&declared)), ViewLinks::Declared);
        let bare = caps(json!({ "extensions": { EXTENSION_ID: {} } }));
        assert_eq!(ViewLinks::of(Some(&bare)), ViewLinks::Declared);
        let other_type =
            caps(json!({ "extensions": { EXTENSION_ID: { "mimeTypes": ["text/uri-list"] } } }));
        assert_eq!(ViewLinks::of(Some(&other_type)), ViewLinks::NotDeclared);
        let none = caps(json!({ "elicitation": {} }));
        assert_eq!(ViewLinks::of(Some(&none)), ViewLinks::NotDeclared);
        let tasks_only = caps(json!({ "extensions": { "io.modelcontextprotocol/tasks": {} } }));
        assert_eq!(ViewLinks::of(Some(&tasks_only)), ViewLinks::NotDeclared);
        assert_eq!(ViewLinks::of(None), ViewLinks::Unknown);
        assert!(ViewLinks::Unknown.linked() && ViewLinks::Declared.linked());
        assert!(!ViewLinks::NotDeclared.linked());
    }

    #[test]
    fn the_job_view_is_linked_from_the_job_tools_only() {
        for tool in ["submit_job", "get_job", "wait_for_job"] {
            assert_eq!(for_tool(tool).map(|v| v.uri), Some(JOB_VIEW.uri));
            assert!(crate::tools::find(tool).is_some(), "{tool} is a tool");
        }
        for tool in ["estimate_job", "list_jobs", "get_job_logs", "cancel_job"] {
            assert!(for_tool(tool).is_none(), "{tool}");
        }
        let meta = serde_json::to_value(tool_meta(&JOB_VIEW)).expect("json");
        assert_eq!(
            meta,
            json!({ "ui": { "resourceUri": "ui://junglegrid/job.html" }, "openai/outputTemplate": "ui://junglegrid/job.html" })
        );
    }

    #[test]
    fn every_view_is_a_self_contained_page_under_a_megabyte() {
        for view in VIEWS {
            assert!(view.uri.starts_with("ui://"), "{}", view.uri);
            assert_eq!(find(view.uri).map(|v| v.name), Some(view.name));
            assert!(view.html.starts_with("<!doctype html>"), "{}", view.name);
            assert!(
                view.html.len() < 1024 * 1024,
                "{}: {} bytes",
                view.name,
                view.html.len()
            );
            // Nothing from elsewhere: no external script, style, image, font or connection.
            let lower = view.html.to_ascii_lowercase();
            for pattern in [
                "src=\"http",
                "src=http",
                "src=\"//",
                "href=\"http",
                "href=\"//",
                "@import",
                "url(http",
                "url(\"http",
                "url(//",
                "fetch(",
                "xmlhttprequest",
                "websocket",
                "eventsource",
            ] {
                assert!(!lower.contains(pattern), "{} contains {pattern}", view.name);
            }
        }
    }

    #[test]
    fn views_declare_an_empty_csp_and_no_domain() {
        let meta = Value::Object(resource_meta(&JOB_VIEW));
        assert_eq!(
            meta["ui"],
            json!({ "csp": { "connectDomains": [], "resourceDomains": [] }, "prefersBorder": true })
        );
        assert_eq!(
            meta["openai/widgetCSP"],
            json!({ "connect_domains": [], "resource_domains": [] })
        );
        assert_eq!(meta["openai/widgetDescription"], JOB_VIEW.description);
        assert!(meta.get(WIDGET_DOMAIN).is_none() && meta["ui"].get("domain").is_none());
        assert_eq!(extension_settings()["mimeTypes"], json!([MIME_TYPE]));
    }
}
