//! Request bodies and queries of the Jungle Grid REST API, in the API's own field names and key
//! order. Responses are kept as JSON values (the API adds fields over time and agents should see
//! them all); their documented shapes live with the tools (`tools/schema.rs`), above this layer.

use serde::Serialize;
use serde_json::{Map, Value};

/// `workload_type` as the API spells it (`fine-tuning` with a hyphen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum WorkloadType {
    #[serde(rename = "inference")]
    Inference,
    #[serde(rename = "training")]
    Training,
    #[serde(rename = "fine-tuning")]
    FineTuning,
    #[serde(rename = "batch")]
    Batch,
}

/// `optimize_for` on the API; `routing_mode` for agents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OptimizeFor {
    Cost,
    Speed,
    Balanced,
}

/// A command as an argv array (preferred) or a single shell string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Command {
    Argv(Vec<String>),
    Line(String),
}

/// A reference to an uploaded input or script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputRef {
    pub input_id: String,
}

/// `POST /v1/mcp/jobs/estimate`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EstimateRequest {
    pub workload_type: WorkloadType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_size_gb: Option<serde_json::Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<Command>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub optimize_for: Option<OptimizeFor>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// `POST /v1/mcp/jobs`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubmitRequest {
    pub name: String,
    pub workload_type: WorkloadType,
    pub image: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<Command>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_files: Option<Vec<InputRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub script_files: Option<Vec<InputRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub script_file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_artifacts: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub optimize_for: Option<OptimizeFor>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_size_gb: Option<serde_json::Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
}

/// `POST /v1/job-inputs`
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreateUploadRequest {
    pub filename: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// `POST /v1/mcp/jobs/{job_id}/cancel`
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CancelRequest {
    pub reason: String,
}

/// Query of `GET /v1/mcp/jobs`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListJobsQuery {
    pub limit: u32,
    pub cursor: Option<String>,
    pub status: Option<String>,
}

/// Query of `GET /v1/mcp/jobs/{job_id}/logs`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogsQuery {
    pub limit: u32,
    pub cursor: Option<String>,
}
