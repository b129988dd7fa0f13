//! Artifact tools: list_artifacts and get_artifact (temporary download information).

use std::sync::LazyLock;

use schemars::JsonSchema;
use serde_json::{Map, Value};

use super::args::{Args, JsonObject};
use super::jobs::JobIdArgs;
use super::schema::{input_schema, output_schema};
use super::summary::{count, first_text, len_of};
use super::{ToolDef, ToolOutput};
use crate::api::ApiClient;
use crate::error::Result;

/// Documented shape of a job's artifacts.
#[derive(JsonSchema)]
pub struct ArtifactsData {
    pub job_id: Option<String>,
    /// Artifacts: artifact_id, name, filename, content_type, size_bytes, status, ready, created_at.
    pub artifacts: Option<Vec<Map<String, Value>>>,
}

pub static LIST_ARTIFACTS: ToolDef = ToolDef {
    name: "list_artifacts",
    title: "List a job's artifacts",
    description: "List the output files (artifacts) of a job: files the workload wrote under \
/workspace/artifacts. Call after the job is completed; if an artifact is not ready yet, wait and call \
again. Then call get_artifact for a download URL.",
    read_only: true,
    destructive: false,
    idempotent: true,
    open_world: false,
    scopes: &["jobs:read", "jobs:write"],
    input_schema: LazyLock::new(input_schema::<JobIdArgs>),
    output_schema: LazyLock::new(output_schema::<ArtifactsData>),
};

pub async fn list_artifacts(api: &ApiClient, args: &JsonObject) -> Result<ToolOutput> {
    let job_id = JobIdArgs::parse(args)?;
    let data = api.list_artifacts(&job_id).await?;
    let summary = format!(
        "Found {}.",
        count(len_of(&data, "artifacts"), "artifact", "artifacts")
    );
    Ok(ToolOutput { data, summary })
}

/// Arguments of `get_artifact`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
pub struct GetArtifactArgs {
    /// The job's id (e.g. "job_123").
    pub job_id: String,
    /// The artifact's id from list_artifacts (e.g. "art_123").
    pub artifact_id: String,
}

impl GetArtifactArgs {
    pub fn parse(map: &JsonObject) -> Result<(String, String)> {
        let a = Args::new(map);
        let job_id = a.required_id("job_id", &["jobId"])?;
        let artifact_id = a.required_id("artifact_id", &["artifactId"])?;
        Ok((job_id, artifact_id))
    }
}

/// Documented shape of artifact download information.
#[derive(JsonSchema)]
pub struct ArtifactDownloadData {
    pub job_id: Option<String>,
    pub artifact_id: Option<String>,
    pub artifact_name: Option<String>,
    pub ready: Option<bool>,
    pub size_bytes: Option<Value>,
    pub mime_type: Option<String>,
    /// Temporary signed URL: treat it as a secret and do not paste it into shared places.
    pub download_url: Option<String>,
    pub expires_at: Option<String>,
    pub artifact: Option<Map<String, Value>>,
}

pub static GET_ARTIFACT: ToolDef = ToolDef {
    name: "get_artifact",
    title: "Get an artifact's download URL",
    description: "Create temporary download information (a signed download_url and its expiry) for one \
artifact of a job. Treat the URL as a secret. If the artifact is not ready (ARTIFACT_NOT_READY), wait \
for the job to complete and call list_artifacts again.",
    read_only: true,
    destructive: false,
    idempotent: true,
    open_world: false,
    scopes: &["jobs:read", "jobs:write"],
    input_schema: LazyLock::new(input_schema::<GetArtifactArgs>),
    output_schema: LazyLock::new(output_schema::<ArtifactDownloadData>),
};

pub async fn get_artifact(api: &ApiClient, args: &JsonObject) -> Result<ToolOutput> {
    let (job_id, artifact_id) = GetArtifactArgs::parse(args)?;
    let data = api.artifact_download(&job_id, &artifact_id).await?;
    let name = data
        .get("artifact")
        .and_then(|a| first_text(a, &["filename", "name"]))
        .or_else(|| first_text(&data, &["artifact_name"]))
        .unwrap_or_else(|| "artifact".into());
    let summary = format!("Created a temporary download URL for {name}.");
    Ok(ToolOutput { data, summary })
}
