//! The tool layer: the 11 Jungle Grid tools, their argument types and schemas, the mapping to API
//! requests and the summaries agents read. It knows nothing of transports; it calls the API client.
//!
//! Tools are grouped by resource: [`jobs`], [`inputs`], [`artifacts`].

pub mod approval;
pub mod args;
pub mod artifacts;
pub mod idempotency;
pub mod inputs;
pub mod jobs;
#[cfg(test)]
mod portable;
pub mod render;
pub mod schema;
pub mod summary;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, LazyLock};

use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::api::ApiClient;
use crate::config::{ConfigError, ResultLimits, SpendingGuard, ToolSelection};
use crate::error::Result;
use crate::files::AllowedRoots;
use approval::AskUser;
pub use args::JsonObject;
use idempotency::KeyMemory;

/// Every tool, registered once, in the seed's order (that is the order of `tools/list`), then the
/// tools this server adds. `tools/list`, `--tools`/`--read-only`, hosted scope checks, the JS library
/// and the generated README table all read this table. To add a tool: define its `ToolDef` beside
/// its argument type in the resource module and list it here.
pub static TOOLS: &[&ToolDef] = &[
    &jobs::ESTIMATE_JOB,
    &jobs::SUBMIT_JOB,
    &inputs::UPLOAD_JOB_INPUT,
    &inputs::LIST_JOB_INPUTS,
    &jobs::LIST_JOBS,
    &jobs::GET_JOB,
    &jobs::GET_JOB_EVENTS,
    &jobs::GET_JOB_LOGS,
    &jobs::CANCEL_JOB,
    &artifacts::LIST_ARTIFACTS,
    &artifacts::GET_ARTIFACT,
    &jobs::WAIT_FOR_JOB,
];

/// A registered tool: a cheap, comparable handle on its static definition.
pub type Tool = &'static ToolDef;

/// The registered tool called `name`.
pub fn find(name: &str) -> Option<Tool> {
    TOOLS.iter().copied().find(|t| t.name == name)
}

/// The tools a configuration offers, in table order: all, or the named ones, and only the
/// read-only ones in read-only mode. Unknown names are an error, and so is naming a write tool in
/// read-only mode: silently dropping it would surprise.
pub fn select(selection: &ToolSelection) -> std::result::Result<Vec<Tool>, ConfigError> {
    let mut tools: Vec<Tool> = TOOLS.to_vec();
    if let Some(names) = &selection.names {
        let unknown: Vec<&str> = names
            .iter()
            .map(String::as_str)
            .filter(|n| find(n).is_none())
            .collect();
        if !unknown.is_empty() {
            return Err(ConfigError::UnknownTools {
                name: selection.source,
                unknown: unknown.join(", "),
                known: TOOLS.iter().map(|t| t.name).collect::<Vec<_>>().join(", "),
            });
        }
        tools.retain(|t| names.iter().any(|n| n == t.name));
        let writes: Vec<&str> = tools
            .iter()
            .filter(|t| !t.read_only)
            .map(|t| t.name)
            .collect();
        if selection.read_only && !writes.is_empty() {
            return Err(ConfigError::WriteToolsInReadOnly {
                name: selection.source,
                tools: writes.join(", "),
            });
        }
    }
    if selection.read_only {
        tools.retain(|t| t.read_only);
    }
    Ok(tools)
}

/// A tool handler: validates the arguments, calls the API and summarises the answer.
pub type Handler = for<'a> fn(&'a ToolContext, &'a JsonObject) -> BoxFuture<'a, Result<ToolOutput>>;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a tool call may use besides its arguments. Transport-neutral: the MCP server and the JS
/// library each build one.
#[derive(Clone)]
pub struct ToolContext {
    pub api: ApiClient,
    /// Whether tools may read and write local files (`path`, `content`, `save_to`): true for the
    /// local stdio server and the library, false for a hosted server.
    pub local_files: bool,
    /// Where the agent's local files may be: `Some` for the MCP server (every `path` and `save_to`
    /// passes this gate), `None` for the library (a programmer calls it: not confined, but the
    /// same safe open and safe write).
    pub roots: Option<Arc<AllowedRoots>>,
    /// Cancelled when the caller gives up on the call.
    pub cancel: CancellationToken,
    /// Where long-running tools report progress, when the caller asked for it.
    pub progress: Option<ProgressSink>,
    /// The API is the embedded simulator: summaries say so instead of promising real compute.
    pub simulated: bool,
    /// How big a result may be (paged tools fit their pages to it) and how long a wait may last.
    pub limits: ResultLimits,
    /// Who is calling, as an opaque hash (of the API key, or of the OAuth subject and
    /// workspace): part of every derived idempotency key. Never the credential itself.
    pub caller: Arc<str>,
    /// Derived idempotency keys handed out recently; shared by all calls of one server or client.
    pub keys: Arc<KeyMemory>,
    /// When a submit needs the user's approval.
    pub guard: SpendingGuard,
    /// How to ask the user, when the caller can (the MCP server with a capable client).
    pub ask: Option<Arc<dyn AskUser>>,
}

/// One progress report of a long-running tool.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub progress: f64,
    pub total: Option<f64>,
    pub message: String,
}

pub type ProgressSink = Arc<dyn Fn(Progress) + Send + Sync>;

impl ToolContext {
    pub fn new(api: ApiClient, local_files: bool) -> Self {
        let caller = api.caller_id().into();
        ToolContext {
            api,
            local_files,
            roots: None,
            cancel: CancellationToken::new(),
            progress: None,
            simulated: false,
            limits: ResultLimits::default(),
            caller,
            keys: Arc::new(KeyMemory::default()),
            guard: SpendingGuard::default(),
            ask: None,
        }
    }

    pub fn report(&self, progress: Progress) {
        if let Some(sink) = &self.progress {
            sink(progress);
        }
    }
}

/// The static description of one tool.
pub struct ToolDef {
    pub name: &'static str,
    pub title: &'static str,
    /// Written for the agent: what it does, whether it costs money, what to call next.
    pub description: &'static str,
    pub read_only: bool,
    pub destructive: bool,
    pub idempotent: bool,
    pub open_world: bool,
    /// OAuth scopes any one of which allows the tool in hosted mode.
    pub scopes: &'static [&'static str],
    pub input_schema: LazyLock<Arc<JsonObject>>,
    pub output_schema: LazyLock<Arc<JsonObject>>,
    /// Runs a call; see [`Handler`].
    pub handler: Handler,
}

impl ToolDef {
    pub fn as_str(&self) -> &'static str {
        self.name
    }

    /// Whether the tool only reads (it may be offered in a read-only server).
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Validates the arguments, calls the API and summarises the answer.
    pub fn call<'a>(
        &self,
        ctx: &'a ToolContext,
        args: &'a JsonObject,
    ) -> BoxFuture<'a, Result<ToolOutput>> {
        (self.handler)(ctx, args)
    }
}

/// Tools are identified by name (each is registered once).
impl PartialEq for ToolDef {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for ToolDef {}

impl std::fmt::Debug for ToolDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// What a successful tool call gives back: the API's data and a one-line summary.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolOutput {
    pub data: Value,
    pub summary: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Env, Overrides, resolve_tools, settings};

    fn offered(
        env: &dyn Env,
        overrides: &Overrides,
    ) -> std::result::Result<Vec<Tool>, ConfigError> {
        select(&resolve_tools(env, overrides)?)
    }

    #[test]
    fn tool_selection() {
        let all = offered(&[], &Overrides::default()).unwrap();
        assert_eq!(all, TOOLS.to_vec());

        let ro = offered(&[("JUNGLE_GRID_READ_ONLY", "1")], &Overrides::default()).unwrap();
        assert_eq!(ro.len(), 9);
        assert!(ro.iter().all(|t| t.is_read_only()));
        assert!(!ro.contains(&&jobs::SUBMIT_JOB));

        let cli = Overrides::default().with(&settings::TOOLS, " get_job, list_jobs ,");
        assert_eq!(
            offered(&[], &cli).unwrap(),
            vec![&jobs::LIST_JOBS, &jobs::GET_JOB]
        );

        let err = offered(
            &[("JUNGLE_GRID_TOOLS", "get_job,launch_rocket")],
            &Overrides::default(),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("JUNGLE_GRID_TOOLS names unknown tools: launch_rocket."),
            "{err}"
        );

        let both = Overrides::default()
            .with(&settings::READ_ONLY, "")
            .with(&settings::TOOLS, "get_job,submit_job");
        let err = offered(&[], &both).unwrap_err();
        assert!(err.to_string().contains("submit_job"), "{err}");

        let err =
            offered(&[("JUNGLE_GRID_READ_ONLY", "maybe")], &Overrides::default()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("JUNGLE_GRID_READ_ONLY must be true or false")
        );
    }

    #[test]
    fn each_tool_is_registered_once() {
        for (i, tool) in TOOLS.iter().enumerate() {
            assert_eq!(find(tool.name), Some(*tool));
            assert!(
                !TOOLS[..i].contains(tool),
                "{} is registered twice",
                tool.name
            );
        }
    }
}
