//! The resource layer: what a host may list, attach and read (`resources/list`,
//! `resources/templates/list`, `resources/read`). Transport-neutral, like the tools: each resource
//! is one `static ResourceDef` (a fixed URI, or an RFC 6570 template such as
//! `junglegrid://jobs/{job_id}/logs`) registered once in [`RESOURCES`]; its content builder reads
//! through the same [`ToolContext`] (API client, caller, limits) as the tools. The MCP server only
//! dispatches (`server/resources.rs`); the README's resources table is generated from this table.
//!
//! To add a resource: define its `ResourceDef` (beside its builder, e.g. in [`jobs`]) and list it
//! in [`RESOURCES`].

pub mod jobs;
pub mod view;

use serde_json::{Map, Value};

use crate::completions::ArgDef;
use crate::error::{Error, Result};
use crate::tools::{BoxFuture, JsonObject, Tool, ToolContext};

/// Every resource and resource template, registered once. `resources/list` shows the fixed ones
/// (and what listable templates list: the caller's recent jobs), `resources/templates/list` the
/// templates, in this order.
pub static RESOURCES: &[&ResourceDef] = &[
    &jobs::JOB,
    &jobs::JOB_LOGS,
    &jobs::JOB_EVENTS,
    &view::JOB_VIEW,
];

/// A registered resource: a cheap, comparable handle on its static definition.
pub type Resource = &'static ResourceDef;

/// Who a resource is meant for (MCP annotations `audience`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    User,
    Assistant,
}

/// MCP annotations of a resource or template; `lastModified` comes with each listed or read item.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Annotations {
    pub audience: &'static [Audience],
    /// 0.0 (optional) to 1.0 (required).
    pub priority: Option<f32>,
}

/// How a resource is addressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Address {
    /// One fixed URI (listed by `resources/list`), e.g. `ui://junglegrid/job-view.html`.
    Fixed(&'static str),
    /// An RFC 6570 level-1 template (listed by `resources/templates/list`): each `{name}` is one
    /// percent-encoded path segment and one of `args`.
    Template {
        uri_template: &'static str,
        args: &'static [ArgDef],
    },
}

/// The values of a template's variables in one URI (percent-decoded).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UriParams(pub Vec<(&'static str, String)>);

impl UriParams {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The variables as tool arguments (`{"job_id": "..."}`), so builders reuse the tools'
    /// validation (trimming, `.`/`..` refused) and their error messages.
    pub fn as_args(&self) -> JsonObject {
        self.0
            .iter()
            .map(|(n, v)| (n.to_string(), Value::String(v.clone())))
            .collect()
    }
}

/// What reading a resource gives: its text, and what varies per read.
#[derive(Debug, Clone, PartialEq)]
pub struct Contents {
    pub text: String,
    /// Replaces the definition's `mime_type` for this read, when set.
    pub mime_type: Option<&'static str>,
    /// `_meta` of this read's contents, added to (and winning over) the definition's `meta`.
    pub meta: Option<JsonObject>,
    /// When the resource last changed (RFC 3339), for the `lastModified` annotation.
    pub last_modified: Option<String>,
}

impl Contents {
    pub fn text(text: String) -> Self {
        Contents {
            text,
            mime_type: None,
            meta: None,
            last_modified: None,
        }
    }
}

/// Builds a resource's contents; see [`ResourceDef::read`].
pub type Reader = for<'a> fn(&'a ToolContext, &'a UriParams) -> BoxFuture<'a, Result<Contents>>;

/// One concrete resource a listable template offers in `resources/list`.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    pub uri: String,
    pub name: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub last_modified: Option<String>,
}

/// A page of listed resources and the cursor of the next page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListPage {
    pub items: Vec<Listed>,
    pub next_cursor: Option<String>,
}

/// Lists a template's concrete resources (bounded, one page per call).
pub type Lister = for<'a> fn(&'a ToolContext, Option<String>) -> BoxFuture<'a, Result<ListPage>>;

/// How a template's instances are listed in `resources/list`, and the tools that listing reads
/// through (offered and, hosted, allowed, like [`ResourceDef::tools`]).
pub struct Listing {
    pub tools: &'static [Tool],
    pub list: Lister,
}

/// The static description of one resource or template.
pub struct ResourceDef {
    /// Programmatic name (`resources/list` `name`), snake_case.
    pub name: &'static str,
    pub title: &'static str,
    /// Written for the user picking it and the agent reading it.
    pub description: &'static str,
    pub address: Address,
    pub mime_type: &'static str,
    pub annotations: Annotations,
    /// `_meta` of the resource (in `resources/list` / `resources/templates/list`) and of its
    /// contents (in `resources/read`), e.g. MCP Apps' `{"ui": {...}}`. `None` for no `_meta`.
    pub meta: Option<fn() -> JsonObject>,
    /// The tools whose data it shows: it is offered only where all of them are (`--tools`,
    /// `--read-only`, hosted `X-MCP-*` narrowing) and, hosted, only to a token whose scopes allow
    /// each (the logs need `logs:read`, `jobs:read` or `jobs:write`, like `get_job_logs`). Empty:
    /// always offered.
    pub tools: &'static [Tool],
    /// Builds the contents (fixed resources get empty params).
    pub read: Reader,
    /// For templates whose instances hosts may browse: lists them in `resources/list`.
    pub list: Option<&'static Listing>,
}

impl ResourceDef {
    pub fn is_template(&self) -> bool {
        matches!(self.address, Address::Template { .. })
    }

    /// The fixed URI or the URI template.
    pub fn uri(&self) -> &'static str {
        match self.address {
            Address::Fixed(uri) => uri,
            Address::Template { uri_template, .. } => uri_template,
        }
    }

    /// The template's arguments (none for a fixed resource).
    pub fn args(&self) -> &'static [ArgDef] {
        match self.address {
            Address::Fixed(_) => &[],
            Address::Template { args, .. } => args,
        }
    }

    /// The template argument called `name`.
    pub fn arg(&self, name: &str) -> Option<&'static ArgDef> {
        self.args().iter().find(|a| a.name == name)
    }

    /// The `_meta` of the definition, if any.
    pub fn meta(&self) -> Option<JsonObject> {
        self.meta.map(|m| m())
    }

    /// The variables of `uri` if it is this resource's URI (or an instance of its template).
    pub fn matches(&self, uri: &str) -> Option<UriParams> {
        match self.address {
            Address::Fixed(fixed) => (fixed == uri).then(UriParams::default),
            Address::Template { uri_template, args } => match_template(uri_template, args, uri),
        }
    }

    /// Reads the resource at `uri` (which [`Self::matches`]).
    pub fn read<'a>(
        &self,
        ctx: &'a ToolContext,
        params: &'a UriParams,
    ) -> BoxFuture<'a, Result<Contents>> {
        (self.read)(ctx, params)
    }
}

/// Resources are identified by name (each is registered once).
impl PartialEq for ResourceDef {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for ResourceDef {}

impl std::fmt::Debug for ResourceDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// The resource (fixed or template) `uri` belongs to, with its variables.
pub fn find_uri(uri: &str) -> Option<(Resource, UriParams)> {
    RESOURCES
        .iter()
        .copied()
        .find_map(|r| r.matches(uri).map(|p| (r, p)))
}

/// The template whose URI template is `uri_template` (completion references name templates).
pub fn find_template(uri_template: &str) -> Option<Resource> {
    RESOURCES
        .iter()
        .copied()
        .find(|r| r.is_template() && r.uri() == uri_template)
}

/// Matches `uri` against a level-1 template: literals must match exactly, each `{name}` takes a
/// non-empty run up to the next literal with no `/`, `?` or `#`, percent-decoded (invalid UTF-8
/// or an unknown variable: no match).
fn match_template(template: &str, args: &[ArgDef], uri: &str) -> Option<UriParams> {
    let mut params = Vec::new();
    let mut rest_t = template;
    let mut rest_u = uri;
    while !rest_t.is_empty() {
        if let Some(after) = rest_t.strip_prefix('{') {
            let (name, after) = after.split_once('}')?;
            let arg = args.iter().find(|a| a.name == name)?;
            // The variable runs up to the next literal (or to the end).
            let next_literal = after.split('{').next().unwrap_or("");
            let end = if next_literal.is_empty() {
                rest_u.len()
            } else {
                rest_u.find(next_literal)?
            };
            let raw = &rest_u[..end];
            if raw.is_empty() || raw.contains(['/', '?', '#']) {
                return None;
            }
            let value = percent_encoding::percent_decode_str(raw)
                .decode_utf8()
                .ok()?
                .into_owned();
            params.push((arg.name, value));
            rest_t = after;
            rest_u = &rest_u[end..];
        } else {
            let literal_end = rest_t.find('{').unwrap_or(rest_t.len());
            let literal = &rest_t[..literal_end];
            rest_u = rest_u.strip_prefix(literal)?;
            rest_t = &rest_t[literal_end..];
        }
    }
    rest_u.is_empty().then_some(UriParams(params))
}

/// RFC 6570 simple expansion: everything but the unreserved characters is percent-encoded.
const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `template` with each `{name}` replaced by its value as one percent-encoded path segment.
pub fn expand(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in values {
        let encoded = percent_encoding::utf8_percent_encode(value, UNRESERVED).to_string();
        out = out.replace(&format!("{{{name}}}"), &encoded);
    }
    out
}

/// An API error for a job that does not exist (404 / `NOT_FOUND` / `JOB_NOT_FOUND`).
pub fn is_not_found(error: &Error) -> bool {
    error.status == Some(404) || error.code.ends_with("NOT_FOUND")
}

/// Keys whose values are secrets or carry them: signed URLs, upload tokens, a job's environment
/// (where users put credentials). Removed from every resource and prompt text.
const SECRET_KEYS: &[&str] = &[
    "download_url",
    "upload_url",
    "complete_url",
    "signed_url",
    "url",
    "token",
    "access_token",
    "env",
    "environment",
    "secrets",
    "headers",
];

/// Query parameters that mark a signed URL.
const SIGNATURE_MARKERS: &[&str] = &[
    "x-amz-signature",
    "x-amz-credential",
    "x-goog-signature",
    "signature=",
    "sig=",
    "token=",
];

/// `value` without secrets: [`SECRET_KEYS`] are dropped (at any depth), and any string that looks
/// like a signed URL becomes `[redacted]`. Resources and prompts are read by hosts that keep and
/// share them (attachments, transcripts): they never carry a credential.
pub fn scrub(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !SECRET_KEYS.contains(&k.to_ascii_lowercase().as_str()))
                .map(|(k, v)| (k.clone(), scrub(v)))
                .collect::<Map<_, _>>(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(scrub).collect()),
        Value::String(s) if looks_signed(s) => Value::String("[redacted]".into()),
        other => other.clone(),
    }
}

fn looks_signed(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    (lower.contains("://") || lower.contains('?'))
        && SIGNATURE_MARKERS.iter().any(|m| lower.contains(m))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_resource_is_registered_once_and_templates_name_their_args() {
        for (i, r) in RESOURCES.iter().enumerate() {
            assert!(!RESOURCES[..i].contains(r), "{} registered twice", r.name);
            assert!(
                RESOURCES[..i].iter().all(|o| o.uri() != r.uri()),
                "{} reuses a URI",
                r.name
            );
            if let Address::Template { uri_template, args } = r.address {
                for a in args {
                    assert!(uri_template.contains(&format!("{{{}}}", a.name)));
                }
            }
            assert!(
                r.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit()),
                "{}",
                r.name
            );
        }
    }

    #[test]
    fn templates_match_one_decoded_segment() {
        let logs = &jobs::JOB_LOGS;
        let p = logs.matches("junglegrid://jobs/job_123/logs").unwrap();
        assert_eq!(p.get("job_id"), Some("job_123"));
        let p = logs.matches("junglegrid://jobs/job%20x%2F1/logs").unwrap();
        assert_eq!(p.get("job_id"), Some("job x/1"));
        assert!(logs.matches("junglegrid://jobs/a/b/logs").is_none());
        assert!(logs.matches("junglegrid://jobs//logs").is_none());
        assert!(logs.matches("junglegrid://jobs/job_1/logs?x=1").is_none());
        assert!(logs.matches("junglegrid://jobs/job_1/events").is_none());
        assert!(logs.matches("junglegrid://jobs/%FF/logs").is_none());
        let job = &jobs::JOB;
        assert_eq!(
            job.matches("junglegrid://jobs/job_1")
                .unwrap()
                .get("job_id"),
            Some("job_1")
        );
        assert!(job.matches("junglegrid://jobs/job_1/logs").is_none());
        let (found, _) = find_uri("junglegrid://jobs/job_1/events").unwrap();
        assert_eq!(found, &jobs::JOB_EVENTS);
        assert!(find_uri("junglegrid://nope").is_none());
        assert_eq!(
            expand("junglegrid://jobs/{job_id}/logs", &[("job_id", "a b/c")]),
            "junglegrid://jobs/a%20b%2Fc/logs"
        );
    }

    #[test]
    fn scrub_drops_secrets() {
        let v = json!({
            "job_id": "job_1",
            "env": {"HF_TOKEN": "hf_secret"},
            "artifacts": [{"name": "a", "download_url": "https://s/a?X-Amz-Signature=abc"}],
            "note": "see https://s3/x?X-Amz-Signature=zzz",
            "upload": {"token": "up_tok", "upload_url": "https://u"},
            "message": "plain text with a ? mark",
        });
        let s = scrub(&v).to_string();
        for secret in ["hf_secret", "X-Amz-Signature", "up_tok", "https://u"] {
            assert!(!s.contains(secret), "{secret} in {s}");
        }
        assert!(s.contains("plain text with a ? mark"));
        assert!(s.contains("job_1"));
    }
}
