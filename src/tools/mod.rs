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

use std::sync::{Arc, LazyLock};

use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::api::ApiClient;
use crate::error::Result;
pub use args::JsonObject;

/// The tools, in the seed's order (that is the order of `tools/list`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ToolName {
    EstimateJob,
    SubmitJob,
    UploadJobInput,
    ListJobInputs,
    ListJobs,
    GetJob,
    GetJobEvents,
    GetJobLogs,
    CancelJob,
    ListArtifacts,
    GetArtifact,
    WaitForJob,
}

impl ToolName {
    /// The seed's 11 tools in its order, then the tools this server adds.
    pub const ALL: [ToolName; 12] = [
        ToolName::EstimateJob,
        ToolName::SubmitJob,
        ToolName::UploadJobInput,
        ToolName::ListJobInputs,
        ToolName::ListJobs,
        ToolName::GetJob,
        ToolName::GetJobEvents,
        ToolName::GetJobLogs,
        ToolName::CancelJob,
        ToolName::ListArtifacts,
        ToolName::GetArtifact,
        ToolName::WaitForJob,
    ];

    pub fn def(self) -> &'static ToolDef {
        match self {
            ToolName::EstimateJob => &jobs::ESTIMATE_JOB,
            ToolName::SubmitJob => &jobs::SUBMIT_JOB,
            ToolName::UploadJobInput => &inputs::UPLOAD_JOB_INPUT,
            ToolName::ListJobInputs => &inputs::LIST_JOB_INPUTS,
            ToolName::ListJobs => &jobs::LIST_JOBS,
            ToolName::GetJob => &jobs::GET_JOB,
            ToolName::GetJobEvents => &jobs::GET_JOB_EVENTS,
            ToolName::GetJobLogs => &jobs::GET_JOB_LOGS,
            ToolName::CancelJob => &jobs::CANCEL_JOB,
            ToolName::ListArtifacts => &artifacts::LIST_ARTIFACTS,
            ToolName::GetArtifact => &artifacts::GET_ARTIFACT,
            ToolName::WaitForJob => &jobs::WAIT_FOR_JOB,
        }
    }

    pub fn as_str(self) -> &'static str {
        self.def().name
    }

    pub fn from_name(name: &str) -> Option<ToolName> {
        ToolName::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// Whether the tool only reads (it may be offered in a read-only server).
    pub fn is_read_only(self) -> bool {
        self.def().read_only
    }

    /// Validates the arguments, calls the API and summarises the answer.
    pub async fn call(self, ctx: &ToolContext, args: &JsonObject) -> Result<ToolOutput> {
        match self {
            ToolName::EstimateJob => jobs::estimate_job(ctx, args).await,
            ToolName::SubmitJob => jobs::submit_job(ctx, args).await,
            ToolName::UploadJobInput => inputs::upload_job_input(ctx, args).await,
            ToolName::ListJobInputs => inputs::list_job_inputs(ctx, args).await,
            ToolName::ListJobs => jobs::list_jobs(ctx, args).await,
            ToolName::GetJob => jobs::get_job(ctx, args).await,
            ToolName::GetJobEvents => jobs::get_job_events(ctx, args).await,
            ToolName::GetJobLogs => jobs::get_job_logs(ctx, args).await,
            ToolName::CancelJob => jobs::cancel_job(ctx, args).await,
            ToolName::ListArtifacts => artifacts::list_artifacts(ctx, args).await,
            ToolName::GetArtifact => artifacts::get_artifact(ctx, args).await,
            ToolName::WaitForJob => jobs::wait_for_job(ctx, args).await,
        }
    }
}

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
}

/// What a successful tool call gives back: the API's data and a one-line summary.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolOutput {
    pub data: Value,
    pub summary: String,
}
