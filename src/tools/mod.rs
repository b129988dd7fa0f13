//! The tool layer: the 11 Jungle Grid tools, their argument types and schemas, the mapping to API
//! requests and the summaries agents read. It knows nothing of transports; it calls the API client.
//!
//! Tools are grouped by resource: [`jobs`], [`inputs`], [`artifacts`].

pub mod args;
pub mod artifacts;
pub mod inputs;
pub mod jobs;
pub mod schema;
pub mod summary;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, LazyLock};

use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::api::ApiClient;
use crate::error::Result;
pub use args::JsonObject;

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
    /// Cancelled when the caller gives up on the call.
    pub cancel: CancellationToken,
    /// Where long-running tools report progress, when the caller asked for it.
    pub progress: Option<ProgressSink>,
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
        ToolContext {
            api,
            local_files,
            cancel: CancellationToken::new(),
            progress: None,
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
